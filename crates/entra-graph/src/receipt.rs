//! [`WriteReceipt`]: what a Graph write leaves behind for an audit log.
//!
//! Graph answers many writes with `204 No Content` or a bare `{"value":true}`:
//! the only lasting trace of the call is the `request-id` response header, the
//! ID Microsoft support and the tenant's audit logs know the request by. A
//! write method hands it back instead of `()` so the caller can record it.

/// The trace of a successful Graph write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReceipt {
    /// Graph's `request-id` response header, when the answer carried one (real Graph always sends it).
    pub request_id: Option<String>,
}
