//! [`GraphRequest`]: one request as the resources describe it — method, path,
//! OData query options, body — and whether it needs `ConsistencyLevel: eventual`
//! (sent on the request, on every page after it, and in `$batch` item headers).
//!
//! Query values are percent-encoded where they must be, and `$select=id,appId`
//! stays readable in logs and in the demo tenant's request log.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS, NON_ALPHANUMERIC};
use reqwest::Method;

/// Characters encoded in a query value: the ones that would end or change it, and `'`, which the `url`
/// parser would encode anyway (WHATWG special-query set). `$ , ( ) : / =` stay readable.
const QUERY_VALUE: &AsciiSet = &CONTROLS
    .add(b' ').add(b'\'').add(b'"').add(b'#').add(b'%').add(b'&').add(b'+').add(b'<').add(b'>')
    .add(b'\\').add(b'^').add(b'`').add(b'{').add(b'|').add(b'}');

/// An ID as one path segment (object IDs are GUIDs, but a hostile value must not add segments).
///
/// `.` and `..` stay literal: URL parsers (and servers) read `%2E%2E` as `..` and drop a
/// segment, so `applications/../removePassword` would reach `/removePassword`. Their `%` is
/// encoded as well (`%252E%252E`): decoded once, the segment is the text `%2E%2E`, an ID that
/// names nothing. [`dot_segment`] refuses any request whose path still has one.
pub fn path_segment(id: &str) -> String {
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');
    if id == "." || id == ".." {
        return id.replace('.', "%252E");
    }
    utf8_percent_encode(id, SEGMENT).to_string()
}

/// `value` as an OData string literal for a `$filter`: in single quotes, a quote inside doubled
/// (`O'Brien` → `'O''Brien'`), so a value can never end the literal and add to the filter.
pub fn odata_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The first segment of `relative`'s path (before any `?`) that is `.` or `..` once
/// percent-decoded, which would move the request elsewhere: such a request is never sent.
pub(crate) fn dot_segment(relative: &str) -> Option<&str> {
    let path = relative.split(['?', '#']).next().unwrap_or_default();
    path.split('/').find(|segment| {
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        decoded == "." || decoded == ".."
    })
}

/// One Graph request: method, path relative to the base URL, OData query options, body,
/// and whether it needs `ConsistencyLevel: eventual`.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphRequest {
    pub(crate) method: Method,
    path: String,
    query: Vec<(String, String)>,
    pub(crate) body: Option<serde_json::Value>,
    pub(crate) eventual: bool,
    pub(crate) idempotent: bool,
}

impl GraphRequest {
    fn new(method: Method, path: &str, body: Option<serde_json::Value>) -> GraphRequest {
        let idempotent = matches!(method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE);
        GraphRequest { method, path: path.trim_start_matches('/').to_string(), query: Vec::new(), body, eventual: false, idempotent }
    }
    /// A GET of `path` (relative to the base URL, e.g. `applications`).
    pub fn get(path: &str) -> GraphRequest {
        GraphRequest::new(Method::GET, path, None)
    }
    /// A POST of a JSON body. Not idempotent: never re-sent after a transport error.
    pub fn post(path: &str, body: serde_json::Value) -> GraphRequest {
        GraphRequest::new(Method::POST, path, Some(body))
    }
    /// A DELETE of `path`.
    pub fn delete(path: &str) -> GraphRequest {
        GraphRequest::new(Method::DELETE, path, None)
    }
    /// A PATCH of a JSON body (Graph's update). Not idempotent by default; see [`GraphRequest::idempotent`].
    pub fn patch(path: &str, body: serde_json::Value) -> GraphRequest {
        GraphRequest::new(Method::PATCH, path, Some(body))
    }
    /// Adds a query option as is (`key` unencoded, e.g. `$filter`; `value` encoded where needed).
    pub fn query(mut self, key: &str, value: &str) -> GraphRequest {
        self.query.retain(|(k, _)| k != key);
        self.query.push((key.to_string(), value.to_string()));
        self
    }
    /// `$select` of these fields.
    pub fn select(self, fields: &[&str]) -> GraphRequest {
        self.query("$select", &fields.join(","))
    }
    /// `$top` (Graph allows 1–999 on directory lists, 100 with `$expand`).
    pub fn top(self, n: u32) -> GraphRequest {
        self.query("$top", &n.to_string())
    }
    /// `$expand`, e.g. `owners($select=id,displayName)`. Not allowed with advanced queries.
    pub fn expand(self, expand: &str) -> GraphRequest {
        self.query("$expand", expand)
    }
    /// `$filter`. Use [`GraphRequest::advanced`] for `endsWith`, `ne`, `not` and the like.
    pub fn filter(self, filter: &str) -> GraphRequest {
        self.query("$filter", filter)
    }
    /// `$orderby`.
    pub fn order_by(self, order: &str) -> GraphRequest {
        self.query("$orderby", order)
    }
    /// `$search`, e.g. `"displayName:Web"` (quotes included). Sets `ConsistencyLevel: eventual`, which `$search` needs.
    pub fn search(mut self, search: &str) -> GraphRequest {
        self.eventual = true;
        self.query("$search", search)
    }
    /// An advanced query: `$count=true` and `ConsistencyLevel: eventual` (needed for `$count`, `ne`, `not`,
    /// `endsWith`, `$filter` with `$orderby`, casts). Both are sent on every page.
    pub fn advanced(mut self) -> GraphRequest {
        self.eventual = true;
        self.query("$count", "true")
    }
    /// Sends `ConsistencyLevel: eventual` (on every page, and in `$batch` items) without adding `$count`.
    pub fn eventual_consistency(mut self) -> GraphRequest {
        self.eventual = true;
        self
    }
    /// Declares whether the request may be re-sent after a transport error (default: GET, PUT, DELETE yes; POST, PATCH no).
    pub fn idempotent(mut self, idempotent: bool) -> GraphRequest {
        self.idempotent = idempotent;
        self
    }
    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }
    /// The body, if any.
    pub fn body(&self) -> Option<&serde_json::Value> {
        self.body.as_ref()
    }
    /// Whether `ConsistencyLevel: eventual` is sent.
    pub fn needs_eventual_consistency(&self) -> bool {
        self.eventual
    }
    /// Path and query relative to the base URL, e.g. `applications?$select=id,appId&$top=999`.
    pub fn relative_url(&self) -> String {
        let mut out = self.path.clone();
        for (i, (k, v)) in self.query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.push_str(k);
            out.push('=');
            out.extend(utf8_percent_encode(v, QUERY_VALUE));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_keep_odata_readable_and_encode_what_must_be() {
        let r = GraphRequest::get("/applications").select(&["id", "appId"]).top(999).filter("startsWith(displayName,'a b&c')");
        assert_eq!(r.relative_url(), "applications?$select=id,appId&$top=999&$filter=startsWith(displayName,%27a%20b%26c%27)");
        let s = GraphRequest::get("applications").search("\"displayName:Web\"").advanced();
        assert!(s.needs_eventual_consistency());
        assert_eq!(s.relative_url(), "applications?$search=%22displayName:Web%22&$count=true");
        assert_eq!(path_segment("../x y"), "%2E%2E%2Fx%20y");
    }

    /// A segment that decodes to `.` or `..` would drop a segment (`applications/../removePassword`
    /// is `/removePassword`): path_segment never makes one, and dot_segment finds any other.
    #[test]
    fn path_segments_never_decode_to_dot_segments() {
        for id in [".", "..", "%2E%2E", "%2e", "a/b", "../..", "%252E%252E", "..%2F"] {
            let segment = path_segment(id);
            assert!(!segment.contains('/'), "{id} -> {segment}");
            let decoded = percent_encoding::percent_decode_str(&segment).decode_utf8_lossy().into_owned();
            assert!(decoded != "." && decoded != "..", "{id} -> {segment} decodes to {decoded}");
            let relative = format!("applications/{segment}/removePassword");
            assert_eq!(dot_segment(&relative), None, "{relative}");
            let url = url::Url::parse(&format!("https://graph.example/v1.0/{relative}")).unwrap();
            assert!(url.path().starts_with("/v1.0/applications/") && url.path().ends_with("/removePassword"), "{id} -> {url}");
        }
        assert_eq!(path_segment(".."), "%252E%252E");
        assert_eq!(path_segment("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        assert_eq!(dot_segment("applications/%2E%2E/removePassword?$select=id"), Some("%2E%2E"));
        assert_eq!(dot_segment("applications/./x"), Some("."));
        assert_eq!(dot_segment("applications/a.b/x?q=.."), None);
    }

    #[test]
    fn odata_strings_double_their_quotes() {
        assert_eq!(odata_string("EntraDesk:setup"), "'EntraDesk:setup'");
        assert_eq!(odata_string("x') or (true"), "'x'') or (true'");
        let r = GraphRequest::get("applications").filter(&format!("tags/any(t:t eq {})", odata_string("a'b")));
        assert_eq!(r.relative_url(), "applications?$filter=tags/any(t:t%20eq%20%27a%27%27b%27)");
    }

    #[test]
    fn request_basics() {
        assert!(!GraphRequest::post("x", serde_json::json!({})).idempotent);
        let patch = GraphRequest::patch("/users/u1", serde_json::json!({"a": 1}));
        assert_eq!((patch.method(), patch.relative_url().as_str(), patch.idempotent), (&Method::PATCH, "users/u1", false));
    }
}
