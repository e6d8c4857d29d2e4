//! `/v1.0/users` as a [`Resource`]: list, get, `$count` and `/users/delta`
//! through the shared `collection` and `delta` machinery. The users are the
//! directory's plus the generated ones (`inventory::Person`). Users do not
//! change in the demo tenant, so a delta link after the first round answers
//! an empty page (and a new link) until the emulator grows user writes.
//! A user's groups (`memberOf`, `transitiveMemberOf`) are in `members`.

use super::ctx::READ_USERS;
use super::filter::{Field, FilterSpec};
use super::resource::{RenderCtx, Resource};
use crate::inventory::{Inventory, Meta, Person};
use serde_json::{json, Value};

impl Resource for Person {
    const SET: &'static str = "users";
    const ODATA_TYPE: &'static str = "microsoft.graph.user";
    const RESOURCE: &'static str = "User";
    /// The default properties of a user (api/user-list.md), in Graph's order.
    const PROPS: &'static [&'static str] = &[
        "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
        "preferredLanguage", "surname", "userPrincipalName", "id",
    ];
    const FILTERS: &'static [FilterSpec] = &[
        ("id", &["eq", "ne", "in"]),
        ("displayName", &["eq", "ne", "ge", "le", "in", "startswith", "endswith", "null"]),
        ("userPrincipalName", &["eq", "ne", "in", "startswith", "endswith"]),
        ("mail", &["eq", "ne", "in", "startswith", "endswith", "null"]),
        ("givenName", &["eq", "ne", "in", "startswith", "null"]),
        ("surname", &["eq", "ne", "in", "startswith", "null"]),
        ("jobTitle", &["eq", "ne", "in", "startswith", "null"]),
    ];
    const ORDERBY: &'static [&'static str] = &["displayName", "userPrincipalName"];
    const SEARCH: &'static [&'static str] = &["displayName", "mail", "userPrincipalName", "givenName", "surname"];
    const READ: &'static [&'static str] = READ_USERS;
    const GONE_WITH_EMPTY_TOKEN: bool = true;

    fn all(inv: &Inventory) -> &[Self] {
        &inv.people
    }
    fn find(inv: &Inventory, id: &str) -> Option<usize> {
        inv.person(id)
    }
    fn meta(&self) -> &Meta {
        &self.meta
    }
    fn field(&self, name: &str) -> Field<'_> {
        match name {
            "id" => Field::Str(Some(&self.meta.id)),
            "displayName" => Field::Str(Some(&self.display_name)),
            "userPrincipalName" | "mail" => Field::Str(Some(&self.upn)),
            "givenName" => Field::Str(Some(&self.given_name)),
            "surname" => Field::Str(Some(&self.surname)),
            "jobTitle" => Field::Str(Some(&self.job_title)),
            _ => Field::Str(None),
        }
    }
    fn prop(&self, name: &str, _r: &RenderCtx) -> Value {
        match name {
            "id" => self.meta.id.clone().into(),
            "businessPhones" => json!([self.business_phone]),
            "displayName" => self.display_name.clone().into(),
            "givenName" => self.given_name.clone().into(),
            "jobTitle" => self.job_title.clone().into(),
            // Every demo user's mail is its UPN.
            "mail" | "userPrincipalName" => self.upn.clone().into(),
            "officeLocation" => self.office_location.clone().into(),
            "preferredLanguage" => "en-US".into(),
            "surname" => self.surname.clone().into(),
            _ => Value::Null,
        }
    }
}
