//! `directoryObject`: the members of mixed collections (owners, members,
//! memberOf), told apart by `@odata.type`.

use super::{Application, Group, ServicePrincipal, User};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A directory object of a known type, or any other (roles, devices, administrative units, or untagged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryObject {
    /// `#microsoft.graph.user`.
    User(User),
    /// `#microsoft.graph.group`.
    Group(Group),
    /// `#microsoft.graph.servicePrincipal`.
    ServicePrincipal(ServicePrincipal),
    /// `#microsoft.graph.application`.
    Application(Application),
    /// Any other type, or no `@odata.type` at all.
    Other(OtherObject),
}

/// A directory object of a type this crate does not model.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherObject {
    /// `@odata.type`, e.g. `#microsoft.graph.directoryRole`.
    #[serde(default, rename = "@odata.type")]
    pub odata_type: Option<String>,
    /// Object ID.
    #[serde(default)]
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
}

impl DirectoryObject {
    /// Object ID.
    pub fn id(&self) -> &str {
        match self {
            DirectoryObject::User(o) => &o.id,
            DirectoryObject::Group(o) => &o.id,
            DirectoryObject::ServicePrincipal(o) => &o.id,
            DirectoryObject::Application(o) => &o.id,
            DirectoryObject::Other(o) => &o.id,
        }
    }
    /// Display name.
    pub fn display_name(&self) -> Option<&str> {
        match self {
            DirectoryObject::User(o) => o.display_name.as_deref(),
            DirectoryObject::Group(o) => o.display_name.as_deref(),
            DirectoryObject::ServicePrincipal(o) => o.display_name.as_deref(),
            DirectoryObject::Application(o) => o.display_name.as_deref(),
            DirectoryObject::Other(o) => o.display_name.as_deref(),
        }
    }
    /// The `@odata.type` it was read with (the known types give their canonical name).
    pub fn odata_type(&self) -> Option<&str> {
        match self {
            DirectoryObject::User(_) => Some("#microsoft.graph.user"),
            DirectoryObject::Group(_) => Some("#microsoft.graph.group"),
            DirectoryObject::ServicePrincipal(_) => Some("#microsoft.graph.servicePrincipal"),
            DirectoryObject::Application(_) => Some("#microsoft.graph.application"),
            DirectoryObject::Other(o) => o.odata_type.as_deref(),
        }
    }
}

fn typed<T: serde::de::DeserializeOwned, E: serde::de::Error>(value: serde_json::Value) -> Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|e| E::custom(format!("at {}: {}", e.path(), e.inner())))
}

impl<'de> Deserialize<'de> for DirectoryObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        if !value.is_object() {
            return Err(D::Error::custom("a directory object must be a JSON object"));
        }
        let odata_type = value.get("@odata.type").and_then(|t| t.as_str()).unwrap_or_default().to_ascii_lowercase();
        Ok(match odata_type.as_str() {
            "#microsoft.graph.user" => DirectoryObject::User(typed(value)?),
            "#microsoft.graph.group" => DirectoryObject::Group(typed(value)?),
            "#microsoft.graph.serviceprincipal" => DirectoryObject::ServicePrincipal(typed(value)?),
            "#microsoft.graph.application" => DirectoryObject::Application(typed(value)?),
            _ => DirectoryObject::Other(typed(value)?),
        })
    }
}

impl Serialize for DirectoryObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let mut value = match self {
            DirectoryObject::User(o) => serde_json::to_value(o),
            DirectoryObject::Group(o) => serde_json::to_value(o),
            DirectoryObject::ServicePrincipal(o) => serde_json::to_value(o),
            DirectoryObject::Application(o) => serde_json::to_value(o),
            DirectoryObject::Other(o) => serde_json::to_value(o),
        }
        .map_err(S::Error::custom)?;
        if let (Some(t), Some(map)) = (self.odata_type(), value.as_object_mut()) {
            map.insert("@odata.type".into(), t.into());
        }
        value.serialize(s)
    }
}
