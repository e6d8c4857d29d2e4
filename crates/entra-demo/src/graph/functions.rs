//! The spellings of Graph's bound functions and actions: this module owns the
//! rewrite, before routing, of a final path segment that names a function or
//! action the demo serves into the short form the routes use.
//!
//! Graph accepts each bound function or action as `delta`, `delta()`,
//! `microsoft.graph.delta` and `microsoft.graph.delta()` (Microsoft's SDKs send
//! the fully qualified `delta()` form). Rewriting the path once, here, keeps one
//! route per operation; the links the demo returns keep the short form, which
//! Graph accepts too. A segment naming any other function (`microsoft.graph.nope()`)
//! is left as it is, so it meets the same 400/404 answers as before.

use axum::extract::Request;
use axum::http::uri::{PathAndQuery, Uri};

/// The bound functions and actions the demo serves, as its routes spell them.
/// (`$count` is a path segment, not a function, and has one spelling.)
const OPERATIONS: &[&str] = &["delta", "addPassword", "removePassword", "getByIds", "revokeSignInSessions"];

/// The namespace Graph accepts before an operation's name (case-insensitively).
const NAMESPACE: &str = "microsoft.graph.";

/// Rewrites the request's path to the short form of its final segment, if that
/// segment names a known operation in a longer form; any other request passes as it is.
pub fn normalise(mut request: Request) -> Request {
    let Some(path) = short_path(request.uri().path()) else {
        return request;
    };
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    // A path built from a valid one, minus characters, stays valid; if not, route it unchanged.
    let Ok(path_and_query) = path_and_query.parse::<PathAndQuery>() else {
        return request;
    };
    let mut parts = request.uri().clone().into_parts();
    parts.path_and_query = Some(path_and_query);
    if let Ok(uri) = Uri::from_parts(parts) {
        *request.uri_mut() = uri;
    }
    request
}

/// `…/microsoft.graph.delta()` → `…/delta`; `None` when the path needs no rewrite.
fn short_path(path: &str) -> Option<String> {
    let (head, last) = path.rsplit_once('/')?;
    let name = operation(last)?;
    (name != last).then(|| format!("{head}/{name}"))
}

/// The known operation a segment names in any of Graph's spellings.
fn operation(segment: &str) -> Option<&'static str> {
    let named = strip_prefix_ignore_case(segment, NAMESPACE).unwrap_or(segment);
    // `()` may arrive percent-encoded (`%28%29`) from clients that escape parentheses.
    let parens = ["()", "%28%29"].into_iter().find_map(|p| strip_suffix_ignore_case(named, p));
    let bare = parens.unwrap_or(named);
    OPERATIONS.iter().copied().find(|op| *op == bare)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let at = s.len().checked_sub(suffix.len())?;
    s.get(at..)?.eq_ignore_ascii_case(suffix).then(|| &s[..at])
}

#[cfg(test)]
mod tests {
    use super::short_path;

    #[test]
    fn every_spelling_of_a_known_operation_becomes_the_short_form() {
        for segment in ["delta()", "microsoft.graph.delta", "microsoft.graph.delta()", "Microsoft.Graph.delta()", "delta%28%29"] {
            assert_eq!(short_path(&format!("/groups/{segment}")).as_deref(), Some("/groups/delta"), "{segment}");
        }
        assert_eq!(short_path("/applications/x/microsoft.graph.addPassword()").as_deref(), Some("/applications/x/addPassword"));
        assert_eq!(short_path("/directoryObjects/microsoft.graph.getByIds").as_deref(), Some("/directoryObjects/getByIds"));
        assert_eq!(short_path("/users/x/revokeSignInSessions()").as_deref(), Some("/users/x/revokeSignInSessions"));
    }

    #[test]
    fn other_paths_are_left_alone() {
        for path in ["/groups/delta", "/groups/$count", "/groups/microsoft.graph.nope()", "/groups/x", "/applications(appId='a')", "/groups/()", "/groups/microsoft.graph.()", "/", ""] {
            assert_eq!(short_path(path), None, "{path}");
        }
        // Only the final segment names an operation.
        assert_eq!(short_path("/groups/delta()/members"), None);
    }
}
