//! Fixed material the generator draws from: name parts, Graph permission
//! GUIDs (the real ones, held to `graph_permissions` by its tests), and Microsoft
//! first-party service principals.

/// Microsoft Graph's appId (the `resourceAppId` of Graph permissions).
pub const GRAPH: &str = "00000003-0000-0000-c000-000000000000";
/// Microsoft Graph's `servicePrincipalNames` (its appId and the URIs a client may name it by).
pub const GRAPH_NAMES: &[&str] = &[
    GRAPH,
    "https://graph.microsoft.com",
    "https://graph.microsoft.com/",
    "https://canary.graph.microsoft.com",
    "https://canary.graph.microsoft.com/",
    "https://ags.windows.net",
];
/// SharePoint Online's appId.
pub const SHAREPOINT: &str = "00000003-0000-0ff1-ce00-000000000000";
/// The Microsoft Services tenant, owner of first-party apps.
pub const MICROSOFT_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/// Graph delegated permissions (`Scope`): (name, id).
pub const GRAPH_SCOPES: &[(&str, &str)] = &[
    ("User.Read", "e1fe6dd8-ba31-4d61-89e7-88639da4683d"),
    ("openid", "37f7f235-527c-4136-accd-4a02d197296e"),
    ("profile", "14dad69e-099b-42c9-810b-d002981feec1"),
    ("offline_access", "7427e0e9-2fba-42fe-b0c0-848c9e6a8182"),
    ("email", "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0"),
    ("User.Read.All", "a154be20-db9c-4678-8ab7-66f6cc099a59"),
    ("Directory.Read.All", "06da0dbc-49e2-44d2-8312-53f166ab848a"),
    ("Mail.Read", "570282fd-fa5c-430d-a7fd-fc8dc98a9dca"),
    ("Files.Read.All", "df85f4d6-205c-4ac5-a5ea-6bf408dba283"),
    ("Calendars.Read", "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42"),
];

/// Graph application permissions (`Role`): (name, id).
pub const GRAPH_ROLES: &[(&str, &str)] = &[
    ("User.Read.All", "df021288-bdef-4463-88db-98f22de89214"),
    ("Directory.Read.All", "7ab1d382-f21e-4acd-a863-ba3e13f7da61"),
    ("Application.ReadWrite.All", "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9"),
    ("Group.Read.All", "5b567255-7703-4780-807c-7be8301ae99b"),
    ("Mail.Send", "b633e1c5-b582-4048-a93e-9f11b44c7e96"),
    ("Sites.Read.All", "332a536c-c7ef-4017-ab91-336970924f0d"),
];

/// Graph application permissions only the demo clients hold (kept out of
/// [`GRAPH_ROLES`], which the generator draws from, so generated apps stay as they were).
pub const GRAPH_WRITE_ROLES: &[(&str, &str)] = &[
    ("GroupMember.ReadWrite.All", "dbaae8cf-10b5-4b86-a4a1-f871c94c6695"),
    ("Group.ReadWrite.All", "62a82d76-70ea-41e2-9197-370581804d09"),
    ("User.ReadWrite.All", "741f803b-c850-494e-b5df-cde7c675a1ca"),
];

/// SharePoint `AllSites.Read` (delegated).
pub const SHAREPOINT_ALLSITES_READ: &str = "4e0d77b0-96ba-4398-af14-3baa780278f4";

/// First-party service principals present in every tenant: (appId, name).
pub const FIRST_PARTY: &[(&str, &str)] = &[
    (GRAPH, "Microsoft Graph"),
    ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"),
    (SHAREPOINT, "Office 365 SharePoint Online"),
    ("797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API"),
    ("04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI"),
    ("1950a258-227b-4e31-a9cf-717495945fc2", "Microsoft Azure PowerShell"),
    ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"),
    ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"),
    ("00000007-0000-0000-c000-000000000000", "Dataverse"),
    ("cf36b471-5b44-428c-9ce7-313bf84528de", "Microsoft Bing Search"),
];

pub const DEPARTMENTS: &[&str] = &[
    "Finance", "HR", "Payroll", "Sales", "Marketing", "Legal", "Contoso", "Fabrikam", "Northwind", "Tailspin",
    "Litware", "Woodgrove", "Procurement", "Logistics", "Support", "Research", "Security", "Identity", "Data", "Ops",
];

pub const PURPOSES: &[&str] = &[
    "Reporting", "Onboarding", "Invoices", "Expenses", "Portal", "Inventory", "Timesheets", "Analytics", "Backup",
    "Sync", "Audit", "Scheduler", "Dashboard", "Notifications", "Catalog", "Billing", "Ticketing", "Search",
    "Provisioning", "Archive",
];

pub const KINDS: &[&str] = &["Web", "API", "SPA", "Daemon", "Mobile", "Desktop", "Connector", "Bot", "Function", "Worker"];

pub const GIVEN: &[&str] = &[
    "Adele", "Alex", "Allan", "Bianca", "Brian", "Cameron", "Christie", "Debra", "Diego", "Emily", "Enrico", "Grady",
    "Henrietta", "Irvin", "Isaiah", "Johanna", "Joni", "Lee", "Lidia", "Lynne", "Megan", "Miriam", "Nestor", "Patti",
    "Pradeep", "Raul", "Sanjay", "Tomas", "Wanda", "Yuki",
];

pub const SURNAMES: &[&str] = &[
    "Archer", "Bellamy", "Castillo", "Dawson", "Eriksen", "Fischer", "Garcia", "Haddad", "Ibarra", "Jensen", "Kowalski",
    "Larsen", "Moreno", "Nakamura", "Okafor", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga",
    "Weber", "Xu", "Young", "Zhang",
];

pub const JOBS: &[&str] = &["Developer", "Cloud Engineer", "IT Administrator", "Product Owner", "Security Analyst", "Architect"];
