//! OData system query options of the directory collections: parsing and
//! Graph's errors for `$select`, `$top`, `$count`, `$search`, `$filter`,
//! `$orderby`, `$expand`, `$skiptoken` and `$deltatoken`.
//!
//! Names are case-insensitive; an option given twice, an unknown `$option`
//! and `$skip` are 400s, as in Graph. Whether an option is allowed for a
//! resource (and under which ConsistencyLevel rules) is decided in
//! `collection`.

use super::GraphError;

/// Smallest and largest `$top` of directory lists, and the default page.
pub const MAX_TOP: usize = 999;
pub const DEFAULT_TOP: usize = 100;

#[derive(Debug, Default, Clone)]
pub struct Query {
    pub select: Option<Vec<String>>,
    pub top: Option<usize>,
    pub count: bool,
    pub search: Option<String>,
    pub filter: Option<String>,
    pub orderby: Option<String>,
    pub expand: Option<String>,
    pub skiptoken: Option<String>,
    pub deltatoken: Option<String>,
    /// Every `$`-option except `$skiptoken`/`$deltatoken`, as given, for nextLinks.
    pub carried: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: &str) -> Result<Query, GraphError> {
        let mut q = Query::default();
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            let name = key.trim().to_ascii_lowercase();
            if !name.starts_with('$') {
                continue;
            }
            if seen.contains(&name) {
                return Err(GraphError::bad_request(
                    "BadRequest",
                    format!("Query option '{key}' was specified more than once, but it must be specified at most once."),
                ));
            }
            seen.push(name.clone());
            let value = value.into_owned();
            match name.as_str() {
                "$select" => {
                    let names: Vec<String> = value.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                    q.select = (!names.is_empty()).then_some(names);
                }
                "$top" => q.top = Some(parse_top(&value)?),
                "$count" => {
                    q.count = match value.trim().to_ascii_lowercase().as_str() {
                        "true" => true,
                        "false" => false,
                        _ => return Err(GraphError::bad_request("BadRequest", format!("'{value}' is not a valid count option."))),
                    }
                }
                "$search" => q.search = Some(value.clone()),
                "$filter" => q.filter = Some(value.clone()),
                "$orderby" => q.orderby = Some(value.clone()),
                "$expand" => q.expand = Some(value.clone()),
                "$skiptoken" => {
                    q.skiptoken = Some(value);
                    continue;
                }
                "$deltatoken" => {
                    q.deltatoken = Some(value);
                    continue;
                }
                "$skip" => return Err(GraphError::bad_request("Request_BadRequest", "'$skip' is not supported by the service.")),
                _ => return Err(GraphError::bad_request("BadRequest", format!("The query parameter '{key}' is not supported."))),
            }
            q.carried.push((key.trim().to_string(), value));
        }
        Ok(q)
    }

    /// The page size asked for, or the default.
    pub fn page_size(&self) -> usize {
        self.top.unwrap_or(DEFAULT_TOP)
    }

    /// A short fingerprint of the carried options: a skip token only works
    /// with the query it was made for.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let mut sorted: Vec<String> = self.carried.iter().map(|(k, v)| format!("{}={v}", k.to_ascii_lowercase())).collect();
        sorted.sort();
        let digest = sha2::Sha256::digest(sorted.join("&").as_bytes());
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// `path?carried&$skiptoken=token`, percent-encoding the values.
    pub fn next_link(&self, path: &str, token_name: &str, token: &str) -> String {
        let mut parts: Vec<String> = self.carried.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
        parts.push(format!("{token_name}={}", encode(token)));
        format!("{path}?{}", parts.join("&"))
    }
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn parse_top(value: &str) -> Result<usize, GraphError> {
    let Ok(n) = value.trim().parse::<u64>() else {
        return Err(GraphError::bad_request(
            "BadRequest",
            format!("Invalid value '{value}' for $top query option found. The $top query option requires a non-negative integer value."),
        ));
    };
    if n == 0 || n > MAX_TOP as u64 {
        return Err(GraphError::bad_request(
            "Request_UnsupportedQuery",
            format!("Invalid page size specified: '{n}'. Must be between 1 and {MAX_TOP} inclusive."),
        ));
    }
    Ok(n as usize)
}

/// The message Graph gives when an advanced-query feature lacks its parameters.
pub fn needs_advanced(operator: &str) -> GraphError {
    GraphError::bad_request(
        "Request_UnsupportedQuery",
        format!("Operator '{operator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"),
    )
}

/// `$search` without `ConsistencyLevel: eventual`.
pub fn search_needs_header() -> GraphError {
    GraphError::bad_request(
        "Request_UnsupportedQuery",
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
    )
}

/// An unknown property in `$select`/`$expand`/`$orderby`/`$filter`.
pub fn no_property(name: &str, odata_type: &str) -> GraphError {
    GraphError::bad_request("BadRequest", format!("Could not find a property named '{name}' on type '{odata_type}'."))
}

/// A parsed `$search`: clauses `"property:words"` joined by AND/OR.
#[derive(Debug, Clone)]
pub struct Search {
    /// (property as given, lower-cased tokens); `any_of` = joined by OR.
    pub clauses: Vec<(String, Vec<String>)>,
    pub any_of: bool,
}

impl Search {
    pub fn parse(raw: &str) -> Result<Search, GraphError> {
        let invalid = || {
            GraphError::bad_request(
                "Request_UnsupportedQuery",
                format!("Invalid $search value '{raw}': use quoted \"property:value\" clauses, as in $search=\"displayName:Web\"."),
            )
        };
        let mut clauses = Vec::new();
        let mut ops = Vec::new();
        let mut rest = raw.trim();
        while !rest.is_empty() {
            let body = rest.strip_prefix('"').ok_or_else(invalid)?;
            let end = body.find('"').ok_or_else(invalid)?;
            let (prop, words) = body[..end].split_once(':').ok_or_else(invalid)?;
            clauses.push((prop.trim().to_string(), tokens(words)));
            rest = body[end + 1..].trim_start();
            if rest.is_empty() {
                break;
            }
            let (op, after) = rest.split_once(' ').ok_or_else(invalid)?;
            match op {
                "AND" | "OR" => ops.push(op == "OR"),
                _ => return Err(invalid()),
            }
            rest = after.trim_start();
        }
        if clauses.is_empty() || ops.iter().any(|o| *o != ops[0]) {
            return Err(invalid());
        }
        Ok(Search { clauses, any_of: ops.first().copied().unwrap_or(false) })
    }

    /// Does `text` (of the clause's property) match every search token as a word prefix?
    pub fn clause_matches(words: &[String], text: &str) -> bool {
        let have = tokens(text);
        words.iter().all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
    }
}

/// Graph's `$search` tokenization: split on non-alphanumerics and camelCase.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_and_fail_like_graph() {
        let q = Query::parse("$select=id,displayName&$top=5&$count=true&x=1").unwrap();
        assert_eq!(q.select.unwrap(), ["id", "displayName"]);
        assert_eq!(q.top, Some(5));
        assert!(q.count);
        assert_eq!(Query::parse("$top=1000").unwrap_err().code, "Request_UnsupportedQuery");
        assert_eq!(Query::parse("$top=0").unwrap_err().code, "Request_UnsupportedQuery");
        assert_eq!(Query::parse("$top=ab").unwrap_err().code, "BadRequest");
        assert!(Query::parse("$top=1&$TOP=2").is_err());
        let s = Search::parse("\"displayName:web\" OR \"displayName:api\"").unwrap();
        assert!(s.any_of && s.clauses.len() == 2);
        assert!(Search::parse("displayName:web").is_err());
        assert_eq!(tokens("DotNetWeb-App"), ["dot", "net", "web", "app"]);
    }
}
