//! `groups/delta` and `users/delta` entries: a group with its `members@delta` (added members,
//! and removed ones marked `@removed`), and which properties an entry actually carried (a
//! delta entry may carry only some, e.g. with `Prefer: return=minimal`).

use super::{Group, User};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// One `members@delta` reference: a member added, or removed (`@removed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRef {
    /// The member's object ID.
    pub id: String,
    /// `@odata.type`, e.g. `#microsoft.graph.user` (`None` when Graph gave none).
    pub odata_type: Option<String>,
    /// Whether the member was removed from the group.
    pub removed: bool,
}

impl MemberRef {
    /// The type without its `#microsoft.graph.` prefix: `user`, `group`, `servicePrincipal`,
    /// `device`, … (`""` when Graph gave none).
    pub fn kind(&self) -> &str {
        short_type(self.odata_type.as_deref())
    }
}

/// `#microsoft.graph.servicePrincipal` → `servicePrincipal`; `None` → `""`.
pub fn short_type(odata_type: Option<&str>) -> &str {
    let t = odata_type.unwrap_or_default();
    t.strip_prefix("#microsoft.graph.").or_else(|| t.strip_prefix("#")).unwrap_or(t)
}

/// A changed group of a `/groups/delta` page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupDelta {
    /// The group's properties (absent ones are `None`/default: see [`GroupDelta::has`]).
    pub group: Group,
    /// The property names the entry carried (`members@delta` and `@odata.*` excluded).
    pub present: Vec<String>,
    /// `members@delta`: `None` when the entry had none (no membership news), else the
    /// additions and removals of this slice (a large group comes in several slices).
    pub members: Option<Vec<MemberRef>>,
}

impl GroupDelta {
    /// Whether the entry carried `property` (camelCase, e.g. `displayName`).
    pub fn has(&self, property: &str) -> bool {
        self.present.iter().any(|p| p == property)
    }
}

/// A changed user of a `/users/delta` page, with the properties it carried.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserDelta {
    /// The user's properties.
    pub user: User,
    /// The property names the entry carried.
    pub present: Vec<String>,
}

fn present_keys(map: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    map.keys().filter(|k| !k.starts_with('@') && !k.contains('@')).cloned().collect()
}

fn typed<T: serde::de::DeserializeOwned, E: serde::de::Error>(value: serde_json::Value) -> Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|e| E::custom(format!("at {}: {}", e.path(), e.inner())))
}

impl<'de> Deserialize<'de> for MemberRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let map = value.as_object().ok_or_else(|| D::Error::custom("a members@delta item must be a JSON object"))?;
        let id = map.get("id").and_then(|v| v.as_str()).ok_or_else(|| D::Error::custom("a members@delta item without an `id`"))?;
        Ok(MemberRef {
            id: id.to_string(),
            odata_type: map.get("@odata.type").and_then(|v| v.as_str()).map(String::from),
            removed: map.contains_key("@removed"),
        })
    }
}

impl<'de> Deserialize<'de> for GroupDelta {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut value = serde_json::Value::deserialize(d)?;
        let map = value.as_object_mut().ok_or_else(|| D::Error::custom("a group must be a JSON object"))?;
        let members = match map.remove("members@delta") {
            None | Some(serde_json::Value::Null) => None,
            Some(list) => Some(typed::<Vec<MemberRef>, D::Error>(list).map_err(|e| D::Error::custom(format!("members@delta {e}")))?),
        };
        let present = present_keys(map);
        Ok(GroupDelta { group: typed(value)?, present, members })
    }
}

impl<'de> Deserialize<'de> for UserDelta {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let map = value.as_object().ok_or_else(|| D::Error::custom("a user must be a JSON object"))?;
        let present = present_keys(map);
        Ok(UserDelta { user: typed(value)?, present })
    }
}
