// Generated from crates/entra-ipc by `UPDATE_BINDINGS=1 cargo test -p entra-ipc`. Do not edit.

import type { Channel } from "@tauri-apps/api/core";

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type ErrorCode = "config" | "invalid_input" | "keychain" | "network" | "identity" | "sign_in_cancelled" | "sign_in_timeout" | "not_signed_in" | "graph" | "storage" | "cancelled" | "internal";

export type IpcError = { 
/**
 * What kind of failure, for the UI to branch on.
 */
code: ErrorCode, 
/**
 * What went wrong and how to fix it, for a person.
 */
message: string, 
/**
 * The AADSTS code when Entra refused a request.
 */
aadsts: number | null, 
/**
 * Entra's correlation ID, for a support ticket.
 */
correlation_id: string | null, 
/**
 * Microsoft Graph's `request-id` when Graph answered with the error, for a support ticket.
 */
request_id: string | null, 
/**
 * The `client-request-id` Entra Desk sent with that Graph request.
 */
client_request_id: string | null, };

export type AppStatus = { 
/**
 * The app's version, e.g. `0.1.0`.
 */
version: string, 
/**
 * The tenant the app signs in to when the user does not pick another.
 */
default_tenant: TenantSummary, 
/**
 * Remembered accounts, most recently used first. Holds no secret.
 */
accounts: Array<AccountSummary>, 
/**
 * The UI preferences saved by the last run.
 */
preferences: Preferences, };

export type TenantKind = "demo" | "configured";

export type TenantSummary = { 
/**
 * Demo or configured.
 */
kind: TenantKind, 
/**
 * The authority URL, e.g. `https://login.microsoftonline.com/<tenant>`; none for the demo
 * tenant, which starts on first use.
 */
authority: string | null, 
/**
 * The application (client) ID used to sign in; none for the demo tenant.
 */
client_id: string | null, 
/**
 * The demo tenant's sign-in name, to help a newcomer; never a password.
 */
demo_username: string | null, };

export type AccountKind = "interactive" | "app_only";

export type AccountSummary = { 
/**
 * Stable account ID (`<object id>.<tenant id>`).
 */
id: string, 
/**
 * The sign-in name, e.g. `admin@contoso.onmicrosoft.com`.
 */
username: string, 
/**
 * The person's or app's display name, when known.
 */
display_name: string | null, 
/**
 * The tenant (directory) ID.
 */
tenant_id: string, 
/**
 * The authority signed in with.
 */
authority: string, 
/**
 * Person or app.
 */
kind: AccountKind, 
/**
 * When the account was last used, RFC 3339.
 */
last_used: string | null, };

export type SignInTarget = { "kind": "demo" } | { "kind": "tenant", 
/**
 * The authority or issuer URL.
 */
authority: string, 
/**
 * The application (client) ID.
 */
client_id: string, 
/**
 * Extra scopes; `openid profile offline_access` are always asked for.
 */
scopes: Array<string> | null, };

export type SignInProgress = { "stage": "discovering" } | { "stage": "waiting_for_browser", 
/**
 * The authorize URL, for the user to open by hand if the browser did not start.
 */
authorize_url: string, } | { "stage": "redeeming" } | { "stage": "done" };

export type SignedInUser = { 
/**
 * The account.
 */
account: AccountSummary, 
/**
 * Graph's display name (or the token's, for apps).
 */
display_name: string | null, 
/**
 * The user principal name.
 */
user_principal_name: string | null, 
/**
 * The mail address.
 */
mail: string | null, 
/**
 * The job title.
 */
job_title: string | null, 
/**
 * The tenant's display name, from Graph `/organization`.
 */
organization: string | null, };

export type Screen = "apps" | "credentials" | "groups" | "leases" | "jwt";

export type Preferences = { 
/**
 * The screen shown last; reopened at start.
 */
last_screen: Screen | null, 
/**
 * The account used last; signed in silently at start when its refresh token is still good.
 */
last_account_id: string | null, };

export type Inspection = { 
/**
 * The JOSE header.
 */
header: { [key in string]: JsonValue }, 
/**
 * The claims.
 */
payload: { [key in string]: JsonValue }, 
/**
 * Signature facts: algorithm, key ID, length.
 */
signature: SignatureInfo, 
/**
 * v1/v2, access/ID, delegated/app-only, Graph.
 */
kind: TokenKind, 
/**
 * Every claim with its meaning.
 */
claims: Array<ClaimRow>, 
/**
 * Directory roles from `wids`, named.
 */
directory_roles: Array<NamedId>, 
/**
 * Groups, overage.
 */
groups: GroupsInfo, 
/**
 * Things to know that are not failed checks.
 */
warnings: Array<string>, 
/**
 * The validation checks, in order.
 */
checks: Array<Check>, 
/**
 * True when every check passed.
 */
valid: boolean, 
/**
 * One sentence: "Valid: all 7 checks passed" / "Invalid: 2 of 7 checks failed (…)".
 */
verdict: string, 
/**
 * The clock used, RFC 3339 UTC.
 */
now: string, 
/**
 * Where the keys came from, if any.
 */
keys_from: string | null, };

export type SignatureInfo = { 
/**
 * `alg`.
 */
alg: string | null, 
/**
 * `kid`.
 */
kid: string | null, 
/**
 * Decoded signature length in bytes.
 */
length: number, };

export type TokenKind = { 
/**
 * v1 or v2.
 */
version: TokenVersion, 
/**
 * Access or ID token.
 */
token_use: TokenUse, 
/**
 * Delegated or app-only.
 */
actor: Actor, 
/**
 * The header carries a `nonce`: a Microsoft Graph (or other Microsoft first-party) access token.
 */
graph_nonce: boolean, 
/**
 * A one-line summary: "v1 access token, app-only (Microsoft Graph)".
 */
summary: string, };

export type TokenVersion = "v1" | "v2" | "unknown";

export type TokenUse = "access" | "id" | "unknown";

export type Actor = "delegated" | "app_only" | "unknown";

export type ClaimRow = { 
/**
 * The claim name as in the token.
 */
name: string, 
/**
 * The raw JSON value.
 */
value: JsonValue, 
/**
 * The value for people: names added to IDs, times formatted.
 */
display: string, 
/**
 * What the claim means; empty for claims this inspector does not know.
 */
meaning: string, 
/**
 * For numeric dates: UTC, local and relative views.
 */
time: TimeView | null, };

export type TimeView = { 
/**
 * Seconds since the epoch, as in the token.
 */
unix: number, 
/**
 * RFC 3339 in UTC.
 */
utc: string, 
/**
 * RFC 3339 in this machine's time zone.
 */
local: string, 
/**
 * Relative to the inspection clock: "in 42 min", "3 days ago".
 */
relative: string, };

export type NamedId = { 
/**
 * The object or template ID.
 */
id: string, 
/**
 * The display name, when known.
 */
name: string | null, };

export type GroupsInfo = { 
/**
 * Group IDs with names where the cache knows them.
 */
groups: Array<NamedId>, 
/**
 * True when the groups were left out because there are too many (overage).
 */
overage: boolean, 
/**
 * Where the overage claim says the full list can be fetched, if given.
 */
overage_endpoint: string | null, 
/**
 * The explanation shown to the admin; empty when there is nothing to say.
 */
explanation: string, };

export type Check = { 
/**
 * Stable identifier: `algorithm`, `signing_key`, `key_type`, `signature`, `key_issuer`, `expiry`,
 * `not_before`, `issued_at`, `audience`, `issuer`, `tenant`, `required_claim:<name>`.
 */
name: string, 
/**
 * Whether the check passed.
 */
ok: boolean, 
/**
 * What was found; for a failure, the cause and the fix.
 */
detail: string, };

export type Profile = { 
/**
 * The profile's name (also its file name).
 */
name: string, 
/**
 * Tenant ID; fills `{TenantId}` elsewhere. Default: none.
 */
tenant_id: string | null, 
/**
 * The API's client ID (accepted as audience, also as `api://…`). Default: none.
 */
client_id: string | null, 
/**
 * Expected audience. Default: none.
 */
audience: string | null, 
/**
 * Expected issuer, `{TenantId}` allowed. Default: [`ISSUER_V1`].
 */
issuer: string | null, 
/**
 * Authority, `{TenantId}` allowed (informational). Default: [`DEFAULT_AUTHORITY`].
 */
authority: string | null, 
/**
 * OpenID Connect metadata address, `{TenantId}` allowed; keys are fetched from it only when asked. Default: none.
 */
metadata_address: string | null, 
/**
 * Required claims, `claim;claim=value`. Default: [`DEFAULT_REQUIRED_CLAIMS`].
 */
required_claims: string | null, 
/**
 * Clock skew `hh:mm:ss`. Default: [`DEFAULT_CLOCK_SKEW`].
 */
clock_skew: string, 
/**
 * JWKS cache duration `hh:mm:ss`; `00:00:00` disables the cache. Default: [`DEFAULT_JWKS_CACHE`].
 */
jwks_cache_duration: string, };

export type ImportReport = { 
/**
 * The profile built from the block (defaults for fields not given).
 */
profile: Profile, 
/**
 * The fields that were set, by label.
 */
recognised: Array<string>, 
/**
 * Labels this inspector does not use, with their values (e.g. "Certificate Thumbprint").
 */
unknown: Array<string>, 
/**
 * Values that were rejected, with the reason; the field keeps its default.
 */
problems: Array<string>, };

export type CurrentTokenInspection = { 
/**
 * The access token, shown in the inspector's paste area.
 */
token: string, 
/**
 * Its inspection with the chosen profile.
 */
inspection: Inspection, };

export type ObjectType = "application" | "servicePrincipal";

export type OwnerSummary = { 
/**
 * The owner's object ID.
 */
id: string, 
/**
 * `user`, `servicePrincipal`, `group` or another directory object type.
 */
owner_type: string, 
/**
 * Display name.
 */
display_name: string | null, 
/**
 * User principal name (users).
 */
user_principal_name: string | null, 
/**
 * Mail address (users).
 */
mail: string | null, };

export type AppRow = { 
/**
 * Object ID.
 */
id: string, 
/**
 * App registration or service principal.
 */
object_type: ObjectType, 
/**
 * Application (client) ID.
 */
app_id: string, 
/**
 * Display name.
 */
display_name: string, 
/**
 * `AzureADMyOrg`, `AzureADMultipleOrgs`, `AzureADandPersonalMicrosoftAccount`, `PersonalMicrosoftAccount`.
 */
sign_in_audience: string | null, 
/**
 * Created, RFC 3339.
 */
created: string | null, 
/**
 * Client secrets and certificates (Sign/Verify twins counted once).
 */
credential_count: number, 
/**
 * Of which expired.
 */
expired_count: number, 
/**
 * The earliest end date among credentials that have not expired, RFC 3339.
 */
next_expiry: string | null, 
/**
 * Owners; `null` while they are still loading behind the list.
 */
owners: Array<OwnerSummary> | null, };

export type AppInventory = { 
/**
 * Every cached app registration and service principal.
 */
rows: Array<AppRow>, 
/**
 * When the cache was last synced with Graph, RFC 3339; `null` when it never was.
 */
as_of: string | null, 
/**
 * True when the cache is older than the refresh interval (or empty): the screen says so and offers a refresh.
 */
stale: boolean, };

export type CredentialSummary = { 
/**
 * The key ID.
 */
key_id: string, 
/**
 * `password` (client secret) or `certificate`.
 */
credential_type: string, 
/**
 * Its display name.
 */
display_name: string | null, 
/**
 * Starts, RFC 3339.
 */
start: string | null, 
/**
 * Ends, RFC 3339.
 */
end: string | null, 
/**
 * Whole days left (negative once expired).
 */
days_left: number | null, 
/**
 * A secret's first characters, as Graph shows them (not the secret).
 */
hint: string | null, 
/**
 * `Sign`, `Verify`, or `Sign+Verify` for a certificate present twice.
 */
usage: string | null, };

export type RedirectUris = { 
/**
 * Web.
 */
web: Array<string>, 
/**
 * Single-page application.
 */
spa: Array<string>, 
/**
 * Public client (mobile and desktop).
 */
public_client: Array<string>, };

export type ApiPermission = { 
/**
 * The API's application ID.
 */
resource_app_id: string, 
/**
 * Its name when known (e.g. `Microsoft Graph`).
 */
resource_name: string | null, 
/**
 * Delegated permissions (scopes) asked.
 */
delegated: number, 
/**
 * Application permissions (app roles) asked.
 */
application: number, };

export type AppDetail = { 
/**
 * The row.
 */
row: AppRow, 
/**
 * Its credentials, soonest end first.
 */
credentials: Array<CredentialSummary>, 
/**
 * Redirect URIs by platform (app registrations).
 */
redirect_uris: RedirectUris, 
/**
 * API permissions summary (app registrations).
 */
api_permissions: Array<ApiPermission>, 
/**
 * The publisher domain.
 */
publisher_domain: string | null, 
/**
 * The service principal's type (`Application`, `ManagedIdentity`, …).
 */
service_principal_type: string | null, 
/**
 * The Entra admin center page of the object.
 */
portal_url: string, };

export type SyncProgress = { "stage": "page", 
/**
 * `applications` or `servicePrincipals`.
 */
collection: string, 
/**
 * Items so far in this collection.
 */
items: number, } | { "stage": "list_ready", 
/**
 * Rows in the inventory.
 */
rows: number, } | { "stage": "owners", 
/**
 * Objects whose owners are loaded.
 */
done: number, 
/**
 * Objects in all.
 */
total: number, } | { "stage": "throttled", 
/**
 * Seconds to wait.
 */
seconds: number, } | { "stage": "retrying", 
/**
 * The attempt about to be made (2 for the first retry).
 */
attempt: number, 
/**
 * Why (e.g. `HTTP 503`).
 */
reason: string, };

export type SyncSummary = { 
/**
 * True for a full read, false for a delta (incremental) one.
 */
full: boolean, 
/**
 * Objects added or changed.
 */
changed: number, 
/**
 * Objects removed.
 */
removed: number, 
/**
 * Requests sent to Graph.
 */
requests: number, 
/**
 * Wall time, milliseconds.
 */
duration_ms: number, 
/**
 * The cache's new "as of" time, RFC 3339.
 */
as_of: string, };

export type ExpiryStatus = "expired" | "expiring" | "ok";

export type CredentialRow = { 
/**
 * The owning object's ID.
 */
object_id: string, 
/**
 * Its application (client) ID.
 */
app_id: string, 
/**
 * Its display name.
 */
display_name: string, 
/**
 * App registration or service principal.
 */
object_type: ObjectType, 
/**
 * `password` (client secret) or `certificate`.
 */
credential_type: string, 
/**
 * The key ID.
 */
key_id: string, 
/**
 * The credential's own display name.
 */
credential_name: string | null, 
/**
 * Starts, RFC 3339.
 */
start: string | null, 
/**
 * Ends, RFC 3339.
 */
end: string, 
/**
 * Whole days left (negative once expired).
 */
days_left: number, 
/**
 * Expired, expiring or ok.
 */
status: ExpiryStatus, 
/**
 * The smallest window (days) it falls in, if any.
 */
window: number | null, 
/**
 * `Sign`, `Verify` or `Sign+Verify`.
 */
usage: string | null, 
/**
 * The object's owners (empty when it has none; `null` while they load).
 */
owners: Array<OwnerSummary> | null, };

export type ExpiryReport = { 
/**
 * Every credential, soonest end first.
 */
rows: Array<CredentialRow>, 
/**
 * The windows in days, ascending (default 7, 30, 90).
 */
windows: Array<number>, 
/**
 * When the inventory was last synced, RFC 3339.
 */
as_of: string | null, };

export type ExportFormat = "csv" | "json" | "notify";

export type ExportResult = { 
/**
 * The file's path.
 */
path: string, 
/**
 * Credentials in it.
 */
count: number, };

export type RotatedSecret = { 
/**
 * The new credential's key ID.
 */
key_id: string, 
/**
 * The new secret's value: shown once, never stored by Entra Desk.
 */
secret_text: string, 
/**
 * When it ends, RFC 3339.
 */
end: string, 
/**
 * Its hint (first characters), as Graph will show it.
 */
hint: string | null, 
/**
 * Set when the secret was created but the local cache could not be updated: show it, and refresh.
 */
warning: string | null, };

export type Crossing = { 
/**
 * The credential.
 */
credential: CredentialRow, 
/**
 * The window it is in now, in days (0 for expired).
 */
now_in: number, };

export type CachePolicy = { 
/**
 * The duration in seconds; 0 turns the cache off.
 */
duration_secs: number, 
/**
 * The same duration as `hh:mm:ss`, e.g. `00:30:00`.
 */
duration: string, 
/**
 * False when the duration is `00:00:00`: every read goes to Graph.
 */
enabled: boolean, };

export type Freshness = "fresh" | "stale" | "empty";

export type CacheState = { 
/**
 * The last sync's time, RFC 3339; `null` when the cache was never synced.
 */
as_of: string | null, 
/**
 * Fresh, stale or empty.
 */
freshness: Freshness, 
/**
 * Why the data is stale (e.g. Graph could not be reached), for the screen to say.
 */
stale_reason: string | null, 
/**
 * True when this read ran a refresh first (a cache miss under the policy).
 */
refreshed: boolean, };

export type GroupsStats = { 
/**
 * Groups cached.
 */
groups: number, 
/**
 * Users cached (names for members and the user picker).
 */
users: number, 
/**
 * Direct memberships cached.
 */
memberships: number, 
/**
 * The cache's size on disk, bytes.
 */
size_bytes: number, 
/**
 * The last sync's end, RFC 3339.
 */
last_sync_at: string | null, 
/**
 * The last sync's wall time, milliseconds.
 */
last_sync_duration_ms: number | null, 
/**
 * Requests the last sync sent to Graph.
 */
last_sync_requests: number | null, 
/**
 * True when the last sync was a full one, false for an incremental (delta) one.
 */
last_sync_full: boolean | null, 
/**
 * Why the last sync fell back to a full one (e.g. the delta link expired), if it did.
 */
last_sync_fallback: string | null, 
/**
 * Reads served from the cache.
 */
hits: number, 
/**
 * Reads that refreshed first (the cache was older than the duration, or off).
 */
misses: number, };

export type GroupsOverview = { 
/**
 * The cache duration.
 */
policy: CachePolicy, 
/**
 * What the cache holds.
 */
stats: GroupsStats, 
/**
 * As of when, fresh or stale.
 */
cache: CacheState, };

export type GroupRow = { 
/**
 * Object ID.
 */
id: string, 
/**
 * Display name.
 */
display_name: string | null, 
/**
 * Description.
 */
description: string | null, 
/**
 * Mail address (mail-enabled groups).
 */
mail: string | null, 
/**
 * A security group.
 */
security_enabled: boolean, 
/**
 * A mail-enabled group.
 */
mail_enabled: boolean, 
/**
 * `Unified` (Microsoft 365), `DynamicMembership`, …
 */
group_types: Array<string>, 
/**
 * The rule of a dynamic group.
 */
membership_rule: string | null, 
/**
 * Direct members.
 */
direct_members: number, };

export type GroupList = { 
/**
 * Every cached group.
 */
groups: Array<GroupRow>, 
/**
 * As of when, fresh or stale.
 */
cache: CacheState, };

export type MemberKind = "user" | "group" | "servicePrincipal" | "device" | "other";

export type DirectoryRef = { 
/**
 * Object ID.
 */
id: string, 
/**
 * Display name.
 */
display_name: string | null, 
/**
 * User, group, service principal, device.
 */
kind: MemberKind, 
/**
 * User principal name (users).
 */
user_principal_name: string | null, };

export type GroupRef = { 
/**
 * Object ID.
 */
id: string, 
/**
 * Display name; `null` when the cache does not know the group.
 */
display_name: string | null, };

export type MemberRow = { 
/**
 * The member.
 */
member: DirectoryRef, 
/**
 * 1 for a direct member; 2 and more through nested groups.
 */
depth: number, 
/**
 * For a transitive member: a group it is directly in (one of them).
 */
via: GroupRef | null, };

export type MemberList = { 
/**
 * The group.
 */
group: GroupRef, 
/**
 * True when nested groups' members are included.
 */
transitive: boolean, 
/**
 * The members.
 */
members: Array<MemberRow>, 
/**
 * As of when, fresh or stale.
 */
cache: CacheState, };

export type GroupWithDepth = { 
/**
 * The group.
 */
group: GroupRef, 
/**
 * 1 when the user is a direct member; 2 and more through nested groups.
 */
depth: number, };

export type MemberOf = { 
/**
 * The user.
 */
user: DirectoryRef, 
/**
 * True when groups reached through nesting are included.
 */
transitive: boolean, 
/**
 * The groups.
 */
groups: Array<GroupWithDepth>, 
/**
 * As of when, fresh or stale.
 */
cache: CacheState, };

export type WhyAnswer = { 
/**
 * The user.
 */
user: DirectoryRef, 
/**
 * The group asked about.
 */
group: GroupRef, 
/**
 * Whether the user is a member, directly or through nesting.
 */
member: boolean, 
/**
 * From the group that directly contains the user to the asked group; empty when not a member.
 */
chain: Array<GroupRef>, 
/**
 * As of when, fresh or stale.
 */
cache: CacheState, };

export type ResolvedNames = { 
/**
 * In the asked order; a `null` name when the cache does not know the group.
 */
names: Array<GroupRef>, 
/**
 * The cache's last sync, RFC 3339.
 */
as_of: string | null, };

export type GroupsSyncPhase = "groups" | "users" | "names" | "saving";

export type GroupsSyncProgress = { 
/**
 * The stage.
 */
phase: GroupsSyncPhase, 
/**
 * Pages read so far.
 */
pages: number, 
/**
 * Groups read so far.
 */
groups: number, 
/**
 * Membership changes read so far.
 */
memberships: number, 
/**
 * Requests sent so far.
 */
requests: number, };

export type GroupsSyncSummary = { 
/**
 * True for a full sync, false for an incremental (delta) one.
 */
full: boolean, 
/**
 * Why an incremental sync fell back to a full one (e.g. the delta link expired), if it did.
 */
fell_back: string | null, 
/**
 * Groups in the cache afterwards.
 */
groups: number, 
/**
 * Users in the cache afterwards.
 */
users: number, 
/**
 * Direct memberships in the cache afterwards.
 */
memberships: number, 
/**
 * Changes applied (groups and memberships added, changed or removed).
 */
changes: number, 
/**
 * Requests sent to Graph.
 */
requests: number, 
/**
 * Wall time, milliseconds.
 */
duration_ms: number, 
/**
 * The cache's new "as of" time, RFC 3339.
 */
as_of: string, };

export type LeaseKind = "app-secret" | "user-password" | "access-token";

export type LeaseStatus = "pending" | "active" | "revoking" | "revoke-failed" | "revoked" | "expired" | "abandoned";

export type Definition = { 
/**
 * Unique name.
 */
name: string, 
/**
 * What a lease of it hands out.
 */
kind: LeaseKind, 
/**
 * App-secret: the application's object ID; user-password: the user's object ID; access-token: the scope.
 */
target: string, 
/**
 * The target's display name when known.
 */
target_name: string | null, 
/**
 * Access-token only: the client (application) ID whose secret gets the token.
 */
client_id: string | null, 
/**
 * The default lease TTL, seconds.
 */
ttl_secs: number, 
/**
 * The longest a lease may live from its issue, renewals included, seconds.
 */
max_ttl_secs: number, 
/**
 * The default TTL as a duration (`1h30m`).
 */
ttl: string, 
/**
 * The max TTL as a duration.
 */
max_ttl: string, 
/**
 * When it was defined, RFC 3339.
 */
created_at: string, };

export type DefineRequest = { 
/**
 * The name (letters, digits, `-`, `_`, `.`; 1–64 characters).
 */
name: string, 
/**
 * The kind.
 */
kind: LeaseKind, 
/**
 * Object ID (app-secret: application object; user-password: user) or scope (access-token).
 */
target: string, 
/**
 * Default TTL.
 */
ttl: string, 
/**
 * Max TTL (at least the TTL).
 */
max_ttl: string, 
/**
 * User-password only: the admin ticked that leases reset a real account's password.
 */
acknowledge_password_reset: boolean, 
/**
 * Access-token only: the client ID.
 */
client_id: string | null, };

export type Lease = { 
/**
 * The lease ID (also in the credential's marker).
 */
id: string, 
/**
 * The definition it was issued from.
 */
definition: string, 
/**
 * Its kind.
 */
kind: LeaseKind, 
/**
 * Object ID or scope.
 */
target: string, 
/**
 * Its status.
 */
status: LeaseStatus, 
/**
 * When it was issued, RFC 3339.
 */
issued_at: string, 
/**
 * When it expires, RFC 3339 (renewals move it, never past `max_expires_at`).
 */
expires_at: string, 
/**
 * Issue time + max TTL, RFC 3339 (an app secret's `endDateTime` in Entra).
 */
max_expires_at: string, 
/**
 * The last renewal, RFC 3339.
 */
renewed_at: string | null, 
/**
 * When it was revoked, expired or abandoned, RFC 3339.
 */
ended_at: string | null, 
/**
 * App-secret: the credential's key ID.
 */
key_id: string | null, 
/**
 * App-secret: the secret's first characters.
 */
hint: string | null, 
/**
 * App-secret: the credential's display name (the marker `entra-desk:<store>:<lease>`).
 */
marker: string | null, 
/**
 * Failed revocation attempts so far.
 */
revoke_attempts: number, 
/**
 * When the next revocation attempt is due (revoke-failed), RFC 3339.
 */
next_attempt_at: string | null, 
/**
 * The last failure, in words.
 */
last_error: string | null, 
/**
 * A remark, e.g. that reconciliation adopted it.
 */
note: string | null, };

export type IssuedLease = { 
/**
 * The lease.
 */
lease: Lease, 
/**
 * The client secret, password or access token.
 */
secret: string, 
/**
 * App-secret with `wait_until_usable`: how long until a token could be obtained with it, ms.
 */
usable_after_ms: number | null, 
/**
 * Set when the lease was issued but something after it did not work (e.g. the wait timed out).
 */
warning: string | null, };

export type IssueRequest = { 
/**
 * The definition's name.
 */
definition: string, 
/**
 * The TTL (`null`: the definition's); refused above its max TTL.
 */
ttl: string | null, 
/**
 * App-secret: wait until Entra accepts the new secret (it may take seconds to propagate).
 */
wait_until_usable: boolean, };

export type AuditAction = "defined" | "undefined" | "intent" | "issued" | "issue-failed" | "renewed" | "revoked" | "revoke-failed" | "expired" | "reconciled";

export type AuditEntry = { 
/**
 * Its position in the log (increasing).
 */
seq: number, 
/**
 * When, RFC 3339.
 */
at: string, 
/**
 * What happened.
 */
action: AuditAction, 
/**
 * The lease, if any.
 */
lease_id: string | null, 
/**
 * The definition, if any.
 */
definition: string | null, 
/**
 * The target, if any.
 */
target: string | null, 
/**
 * Who: the account's user name or client ID, or `sweeper` / `reconciliation`.
 */
actor: string, 
/**
 * What happened, in words.
 */
detail: string, 
/**
 * Graph's `request-id` of the call, when there was one.
 */
request_id: string | null, };

export type AuditFormat = "jsonl" | "csv";

export type ReconcileReport = { 
/**
 * App registrations whose credentials were listed.
 */
targets: number, 
/**
 * Credentials seen on them.
 */
credentials_seen: number, 
/**
 * Credentials not carrying this store's marker (left alone).
 */
foreign: number, 
/**
 * Credentials of ours removed.
 */
removed: number, 
/**
 * Credentials adopted (intent recorded, Graph call made, commit lost).
 */
adopted: number, 
/**
 * Intents closed because their Graph call never happened.
 */
abandoned: number, 
/**
 * Leases whose credential was already gone, closed.
 */
closed: number, 
/**
 * Problems that need another run, in words.
 */
errors: Array<string>, 
/**
 * Graph requests made.
 */
requests: number, 
/**
 * Wall time, ms.
 */
duration_ms: number, };

export type SweepReport = { 
/**
 * Expired leases whose credential was removed.
 */
expired: number, 
/**
 * Revocations retried after a failure that now succeeded.
 */
recovered: number, 
/**
 * Leases still failing to revoke.
 */
failing: number, 
/**
 * Access tokens refreshed ahead of their expiry.
 */
tokens_refreshed: number, };

export type MaintenanceRun = { 
/**
 * When it ended, RFC 3339.
 */
at: string, 
/**
 * The sweep's result.
 */
sweep: SweepReport, 
/**
 * The reconciliation's, when one ran.
 */
reconcile: ReconcileReport | null, 
/**
 * Why it could not run or finish (e.g. not signed in, Graph unreachable).
 */
error: string | null, };

export type LeasesOverview = { 
/**
 * This store's ID (the middle of every marker).
 */
store_id: string, 
/**
 * Leases, newest first (final ones of the last 30 days included).
 */
leases: Array<Lease>, 
/**
 * Definitions by name.
 */
definitions: Array<Definition>, 
/**
 * The time the countdowns are relative to, RFC 3339 with milliseconds (the UI corrects for its own clock).
 */
now: string, 
/**
 * The last maintenance run, if any.
 */
last_maintenance: MaintenanceRun | null, };

/** A JWT validation profile's defaults: `entra_jwt::Profile::default()`. */
export const DEFAULT_JWT_PROFILE: Profile = {"name":"","tenant_id":null,"client_id":null,"audience":null,"issuer":"https://sts.windows.net/{TenantId}/","authority":"https://login.microsoftonline.com/{TenantId}/","metadata_address":null,"required_claims":"tid={TenantId}","clock_skew":"00:05:00","jwks_cache_duration":"01:00:00"};

/** Every command: its arguments (as the UI sends them) and its result. Generated from entra_ipc::commands. */
export interface Commands {
  app_status: { args: Record<string, never>; result: AppStatus };
  sign_in: { args: { target: SignInTarget; onProgress: Channel<SignInProgress> }; result: AccountSummary };
  cancel_sign_in: { args: Record<string, never>; result: boolean };
  resume_account: { args: { accountId: string }; result: SignedInUser };
  sign_out: { args: { accountId: string }; result: void };
  save_preferences: { args: { preferences: Preferences }; result: void };
  session_warning: { args: { accountId: string }; result: string | null };
  apps_list: { args: Record<string, never>; result: AppInventory };
  apps_refresh: { args: { accountId: string; full: boolean; onProgress: Channel<SyncProgress> }; result: SyncSummary };
  apps_cancel_refresh: { args: Record<string, never>; result: boolean };
  apps_detail: { args: { id: string }; result: AppDetail };
  apps_open_in_portal: { args: { id: string }; result: void };
  credentials_list: { args: { windows: Array<number> | null }; result: ExpiryReport };
  credentials_export: { args: { windows: Array<number> | null; format: ExportFormat }; result: ExportResult };
  credentials_rotate: { args: { accountId: string; objectId: string; objectType: ObjectType; lifetimeDays: number }; result: RotatedSecret };
  credentials_remove: { args: { accountId: string; objectId: string; objectType: ObjectType; keyId: string }; result: void };
  credentials_crossings: { args: { windows: Array<number> | null }; result: Array<Crossing> };
  groups_overview: { args: Record<string, never>; result: GroupsOverview };
  groups_set_policy: { args: { duration: string }; result: CachePolicy };
  groups_refresh: { args: { accountId: string; full: boolean; onProgress: Channel<GroupsSyncProgress> }; result: GroupsSyncSummary };
  groups_cancel_refresh: { args: Record<string, never>; result: boolean };
  groups_clear: { args: Record<string, never>; result: void };
  groups_list: { args: { accountId: string | null }; result: GroupList };
  groups_members: { args: { accountId: string | null; groupId: string; transitive: boolean }; result: MemberList };
  groups_member_of: { args: { accountId: string | null; userId: string; transitive: boolean }; result: MemberOf };
  groups_why: { args: { accountId: string | null; userId: string; groupId: string }; result: WhyAnswer };
  groups_search_users: { args: { query: string }; result: Array<DirectoryRef> };
  groups_resolve: { args: { ids: Array<string> }; result: ResolvedNames };
  leases_overview: { args: Record<string, never>; result: LeasesOverview };
  leases_define: { args: { accountId: string | null; request: DefineRequest; clientSecret: string | null }; result: Definition };
  leases_remove_definition: { args: { name: string }; result: void };
  leases_issue: { args: { accountId: string; request: IssueRequest }; result: IssuedLease };
  leases_renew: { args: { leaseId: string; ttl: string | null }; result: Lease };
  leases_revoke: { args: { accountId: string; leaseId: string }; result: Lease };
  leases_reconcile: { args: { accountId: string }; result: ReconcileReport };
  leases_audit: { args: { limit: number | null }; result: Array<AuditEntry> };
  leases_export_audit: { args: { format: AuditFormat }; result: string };
  leases_access_token: { args: { accountId: string; leaseId: string }; result: string };
  jwt_inspect: { args: { token: string; profile: string | null; fetchKeys: boolean }; result: Inspection };
  jwt_inspect_current: { args: { accountId: string; profile: string | null; fetchKeys: boolean }; result: CurrentTokenInspection };
  jwt_profiles: { args: Record<string, never>; result: Array<Profile> };
  jwt_save_profile: { args: { profile: Profile }; result: void };
  jwt_delete_profile: { args: { name: string }; result: void };
  jwt_import_profile: { args: { name: string; text: string }; result: ImportReport };
}
