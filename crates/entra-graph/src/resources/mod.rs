//! One module per resource family; each adds methods to [`crate::GraphClient`]
//! and holds the `$select` constants of the screens that use it.

pub mod applications;
pub mod directory;
pub mod groups;
pub mod listing;
pub mod me;
pub mod owners;
pub mod service_principals;
pub mod users;

pub use applications::{DeltaRound, APPLICATION_CREDENTIALS_SELECT, APPLICATION_SELECT, SETUP_APPLICATION_SELECT};
pub use listing::{GroupsPage, MembersPage, UsersPage, GROUP_LISTING_SELECT, LISTING_PAGE, MEMBER_ID_SELECT};
pub use groups::{GroupDeltaPage, UserDeltaPage, GROUP_DELTA_SELECT, MAX_GET_BY_IDS, USER_DELTA_SELECT};
pub use owners::{AppOwners, OwnersStream, EXPANDED_OWNERS_CAP, EXPANDED_PAGE, OWNER_SELECT};
pub use service_principals::{GRAPH_APP_ID, PERMISSION_SCOPES_SELECT, SERVICE_PRINCIPAL_SELECT, SETUP_SERVICE_PRINCIPAL_SELECT};
pub use users::USER_NAME_SELECT;
