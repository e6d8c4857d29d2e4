//! Serde types for the Graph resources the screens show.
//!
//! Tolerant by design: unknown fields are ignored, every property but the
//! collections may be absent or null (a `$select` leaves the rest out, a
//! `Prefer: return=minimal` delta page carries only what changed), and `id` is
//! an empty string when it was not selected. Dates are `DateTime<Utc>`; Graph
//! sends RFC 3339 with `Z`, and a date without an offset is read as UTC.

mod application;
mod credential;
mod directory_object;
mod group;
mod group_delta;
mod organization;
mod service_principal;
mod user;

pub use application::{Application, ApplicationPatch, DeltaEntry, NewApplication, RedirectUris, RequiredResourceAccess, ResourceAccess};
pub use credential::{AddedPassword, KeyCredential, PasswordCredential};
pub use directory_object::{DirectoryObject, OtherObject};
pub use group::{Group, GROUP_SELECT};
pub use group_delta::{short_type, GroupDelta, MemberRef, UserDelta};
pub use organization::{Organization, VerifiedDomain};
pub use service_principal::{PermissionScope, ServicePrincipal};
pub use user::{User, USER_SELECT};

/// `Option<DateTime<Utc>>` fields: RFC 3339, or an offset-less date read as UTC.
pub(crate) mod graph_date {
    use chrono::{DateTime, NaiveDateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn parse(s: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .ok()
            .or_else(|| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|n| n.and_utc()))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse(&s).map(Some).ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not an RFC 3339 date"))),
        }
    }

    pub(crate) fn serialize<S: Serializer>(v: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_str(&d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            None => s.serialize_none(),
        }
    }
}

/// `Vec<T>` fields that Graph may send as `null`.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}
