//! The membership writes: `POST /groups/{id}/members/$ref` with
//! `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`
//! (204) and `DELETE /groups/{id}/members/{memberId}/$ref` (204).
//!
//! Errors as Graph gives them: an existing member is 400 `Request_BadRequest`
//! "One or more added object references already exist for the following
//! modified properties: 'members'."; an unknown group or object is 404
//! `Request_ResourceNotFound` naming that id; removing a non-member is 404
//! naming the member. Choices where Graph is not documented: adding a group
//! to itself and adding to a dynamic group are 400 `Request_BadRequest`.
//! Each change takes a sequence number, so `/groups/delta` reports it.

use super::ctx::{Ctx, WRITE_MEMBERS};
use super::groups::id_of_reference;
use super::resource::check_id;
use super::GraphError;
use crate::inventory::MembershipError;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use serde_json::Value;

fn add(ctx: &Ctx, group: &str, body: &[u8]) -> Result<Response, GraphError> {
    ctx.require(WRITE_MEMBERS)?;
    check_id(group)?;
    let reference = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("@odata.id").and_then(Value::as_str).map(str::to_string))
        .ok_or_else(|| GraphError::bad_request("BadRequest", "Write requests (excluding DELETE) must contain the Content-Type header declaration and a body with \"@odata.id\"."))?;
    let member = id_of_reference(&reference)
        .ok_or_else(|| GraphError::bad_request("Request_BadRequest", format!("Invalid object identifier in the reference '{reference}'.")))?;
    let mut inv = ctx.state.inventory_mut();
    if inv.group(group).is_some_and(|g| inv.groups[g].is_dynamic()) {
        return Err(GraphError::bad_request("Request_BadRequest", "Insufficient privileges to complete the operation: the members of a group with dynamic membership are managed by its rule."));
    }
    inv.add_member(group, &member).map_err(|e| match e {
        MembershipError::GroupNotFound => GraphError::not_found(group),
        MembershipError::AlreadyMember => GraphError::bad_request(
            "Request_BadRequest",
            "One or more added object references already exist for the following modified properties: 'members'.",
        ),
        MembershipError::OwnGroup => GraphError::bad_request("Request_BadRequest", "A group cannot be added as a member of itself."),
        MembershipError::MemberNotFound | MembershipError::NotMember => GraphError::not_found(&member),
    })?;
    Ok(ctx.graph.no_content())
}

fn remove(ctx: &Ctx, group: &str, member: &str) -> Result<Response, GraphError> {
    ctx.require(WRITE_MEMBERS)?;
    check_id(group)?;
    check_id(member)?;
    ctx.state.inventory_mut().remove_member(group, member).map_err(|e| match e {
        MembershipError::GroupNotFound => GraphError::not_found(group),
        _ => GraphError::not_found(member),
    })?;
    Ok(ctx.graph.no_content())
}

pub async fn add_ref(ctx: Ctx, Path(group): Path<String>, body: Bytes) -> Response {
    add(&ctx, &group, &body).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn remove_ref(ctx: Ctx, Path((group, member)): Path<(String, String)>) -> Response {
    remove(&ctx, &group, &member).unwrap_or_else(|e| ctx.fail(e))
}
