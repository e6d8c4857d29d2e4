//! The route handlers `/applications` and `/servicePrincipals` share, generic
//! over the resource: the router registers `handlers::list::<Application>`,
//! `handlers::list::<ServicePrincipal>` and so on. Each is a thin wrapper
//! that answers the error through Graph's envelope; the work is in
//! `collection`, `owners`, `credentials` and `delta`.

use super::credentials::{self, Credentialed};
use super::ctx::Ctx;
use super::resource::Resource;
use super::{collection, delta, owners};
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;

pub async fn list<R: Resource>(ctx: Ctx) -> Response {
    collection::list::<R>(&ctx).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn count<R: Resource>(ctx: Ctx) -> Response {
    collection::count::<R>(&ctx).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn delta<R: Resource>(ctx: Ctx) -> Response {
    delta::delta::<R>(&ctx).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn get<R: Resource>(ctx: Ctx, Path(id): Path<String>) -> Response {
    collection::get::<R>(&ctx, &id).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn owners<R: Resource>(ctx: Ctx, Path(id): Path<String>) -> Response {
    owners::list::<R>(&ctx, &id).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn add_password<R: Credentialed>(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    credentials::add_password::<R>(&ctx, &id, &body).unwrap_or_else(|e| ctx.fail(e))
}
pub async fn remove_password<R: Credentialed>(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    credentials::remove_password::<R>(&ctx, &id, &body).unwrap_or_else(|e| ctx.fail(e))
}
