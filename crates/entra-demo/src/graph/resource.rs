//! What a directory collection (`/applications`, `/servicePrincipals`) is to
//! the shared machinery: a [`Resource`] describes its properties, filters and
//! sort keys and renders one property through a [`RenderCtx`]. Used by
//! `collection` (list, get, `$count`), `owners`, `delta` and `credentials`;
//! `/groups` and `/users` are resources too (`groups`, `users`).

use super::filter::{Field, FilterSpec};
use super::GraphError;
use crate::directory::Directory;
use crate::inventory::{Inventory, Meta};
use serde_json::Value;

pub struct RenderCtx<'a> {
    pub inv: &'a Inventory,
    pub dir: &'a Directory,
    /// `keyCredentials[].key` is only returned when `keyCredentials` is selected.
    pub with_key: bool,
}

pub trait Resource: Sized + 'static {
    const SET: &'static str;
    const ODATA_TYPE: &'static str;
    /// The resource name in `$filter` errors (`Application`).
    const RESOURCE: &'static str;
    /// Default properties, in output order.
    const PROPS: &'static [&'static str];
    const FILTERS: &'static [FilterSpec];
    const ORDERBY: &'static [&'static str];
    const SEARCH: &'static [&'static str];
    /// Permissions that allow reading the collection (any one of them).
    const READ: &'static [&'static str] = super::ctx::READ_APPS;
    /// A delta token that expired sends the client to `{set}/delta` (the
    /// applications' form) or, when set, to `{set}/delta?$deltatoken=` (the same
    /// URL with an empty token, as the groups contract and REFERENCE §5 say).
    const GONE_WITH_EMPTY_TOKEN: bool = false;
    fn all(inv: &Inventory) -> &[Self];
    fn find(inv: &Inventory, id: &str) -> Option<usize>;
    fn meta(&self) -> &Meta;
    fn prop(&self, name: &str, r: &RenderCtx) -> Value;
    fn field(&self, name: &str) -> Field<'_>;
}

/// 400 for an id that is not a GUID, as the directory answers.
pub fn check_id(id: &str) -> Result<(), GraphError> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(GraphError::bad_request("Request_BadRequest", format!("Invalid object identifier '{id}'.")));
    }
    Ok(())
}
