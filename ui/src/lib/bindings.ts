// Generated from crates/entra-ipc by `UPDATE_BINDINGS=1 cargo test -p entra-ipc`. Do not edit.

import type { Channel } from "@tauri-apps/api/core";

export type Account = { 
/**
 * Stable ID: `<oid>.<tid>` for people (MSAL's home account ID), `app:<client id>.<tenant>` for apps.
 */
id: string, 
/**
 * The user principal name, or the app's client ID.
 */
username: string, 
/**
 * The person's or app's display name, when known.
 */
displayName: string | null, 
/**
 * The tenant ID.
 */
tenantId: string, 
/**
 * The authority signed in with.
 */
authority: string, 
/**
 * The discovery document used (to find the token endpoint after a restart).
 */
metadataUrl: string | null, 
/**
 * The application (client) ID.
 */
clientId: string, 
/**
 * The scopes granted (or requested).
 */
scopes: Array<string>, 
/**
 * Person or app.
 */
kind: AccountKind, 
/**
 * The Graph base URL for this account.
 */
graphUrl: string, 
/**
 * Extra trusted root certificate (PEM path), for a TLS demo tenant.
 */
caCert: string | null, 
/**
 * For app-only accounts, which credential to use.
 */
appCredential: AppCredentialRef | null, 
/**
 * When the account was last used.
 */
lastUsed: string, 
/**
 * True for an account of the app's built-in demo tenant (which must be running to refresh).
 */
demoTenant: boolean, 
/**
 * The claims request (JSON) of the account's last step-up sign-in: the claims challenge it
 * met (a Conditional Access authentication context, [`crate::signin::SignIn::step_up`]).
 * Every refresh sends it again, so the renewed access tokens keep meeting it; a sign-in
 * without one clears it. Not secret.
 */
stepUpClaims?: string, };

export type AccountKind = "interactive" | "appOnly";

export type Actor = "delegated" | "appOnly" | "unknown";

export type ApiPermission = { 
/**
 * The API's appId.
 */
resourceAppId: string, 
/**
 * Its name, for well-known APIs.
 */
resourceName: string | null, 
/**
 * Delegated permissions (scopes).
 */
delegated: number, 
/**
 * Application permissions (app roles).
 */
application: number, };

export type AppCredentialRef = { "type": "clientSecret" } | { "type": "certificate", 
/**
 * The certificate (PEM).
 */
certificatePath: string, 
/**
 * The private key (PEM).
 */
privateKeyPath: string, } | { "type": "azureCli" };

export type AppDetail = { 
/**
 * The inventory row.
 */
row: AppRow, 
/**
 * Credentials, soonest end first, twins merged.
 */
credentials: Array<CredentialSummary>, 
/**
 * Redirect URIs (app registrations).
 */
redirectUris: RedirectUris, 
/**
 * API permissions (app registrations).
 */
apiPermissions: Array<ApiPermission>, 
/**
 * Publisher domain (app registrations).
 */
publisherDomain: string | null, 
/**
 * Service principal type.
 */
servicePrincipalType: string | null, 
/**
 * The object's page in the Entra admin center.
 */
portalUrl: string, };

export type AppRow = { 
/**
 * Object ID.
 */
id: string, 
/**
 * App registration or service principal.
 */
objectType: ObjectType, 
/**
 * Application (client) ID.
 */
appId: string, 
/**
 * Display name (empty when Graph gave none).
 */
displayName: string, 
/**
 * Sign-in audience (app registrations).
 */
signInAudience: string | null, 
/**
 * Created (app registrations).
 */
created: string | null, 
/**
 * Client secrets and certificates, twins counted once.
 */
credentialCount: number, 
/**
 * Of which expired.
 */
expiredCount: number, 
/**
 * The earliest end among credentials not yet expired.
 */
nextExpiry: string | null, 
/**
 * Owners; `None` while they have not been loaded.
 */
owners: Array<Owner> | null, };

export type AppsPage = { 
/**
 * Every object in the cache (both kinds), whatever the filters.
 */
objects: number, 
/**
 * When the cache was last synced (the older of the two collections); `None`: never.
 */
asOf: string | null, 
/**
 * The cache is empty, never synced, or older than the refresh interval.
 */
stale: boolean, 
/**
 * The rows, in the list's order.
 */
items: Array<AppRow>, 
/**
 * The position of the first row (the query's `start`).
 */
start: number, 
/**
 * How many rows the query matches in all.
 */
total: number, 
/**
 * Where the next page starts, or `None` on the last page.
 */
next: number | null, };

export type AppsQuery = { 
/**
 * Only app registrations, or only service principals.
 */
objectType?: ObjectType, 
/**
 * Only this sign-in audience (e.g. `AzureADMyOrg`).
 */
audience?: string, 
/**
 * Only objects with at least one expired credential.
 */
expired: boolean, 
/**
 * Only objects known to have no owner (objects whose owners are still loading are left out).
 */
noOwner: boolean, 
/**
 * Keep only rows whose text (names, IDs — each list says which) contains this,
 * case-insensitively. Empty or absent: every row.
 */
search?: string, 
/**
 * The sort key (each list names its own; absent: the list's default order).
 */
sort?: string, 
/**
 * Sort descending instead of ascending.
 */
descending: boolean, 
/**
 * The row position to start at (0: the first row); a page's `next` is the next one.
 */
start: number, 
/**
 * Rows wanted (absent or 0: [`DEFAULT_PAGE_ROWS`]; at most [`MAX_PAGE_ROWS`]).
 */
limit?: number, };

export type AuditAction = "defined" | "undefined" | "intent" | "issued" | "issueFailed" | "renewed" | "revoked" | "revokeFailed" | "expired" | "reconciled" | "bound" | "relocated";

export type AuditEntry = { 
/**
 * Its position in the log (increasing).
 */
seq: number, 
/**
 * The database user that wrote it (a team store records `session_user`; `None` in a
 * local store, which has no users). The line's `actor` is the Entra account.
 */
databaseUser: string | null, 
/**
 * When.
 */
at: string, 
/**
 * What happened.
 */
action: AuditAction, 
/**
 * The lease, if any.
 */
leaseId: string | null, 
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
 * What happened, in words (never a secret).
 */
detail: string, 
/**
 * Graph's `request-id` of the call, when there was one.
 */
requestId: string | null, };

export type AuditFormat = "jsonl" | "csv";

export type AuditQuery = { 
/**
 * Only the lines of this lease (its exact ID).
 */
leaseId?: string, 
/**
 * Only lines of this action.
 */
action?: AuditAction, 
/**
 * Keep only rows whose text (names, IDs — each list says which) contains this,
 * case-insensitively. Empty or absent: every row.
 */
search?: string, 
/**
 * The sort key (each list names its own; absent: the list's default order).
 */
sort?: string, 
/**
 * Sort descending instead of ascending.
 */
descending: boolean, 
/**
 * The row position to start at (0: the first row); a page's `next` is the next one.
 */
start: number, 
/**
 * Rows wanted (absent or 0: [`DEFAULT_PAGE_ROWS`]; at most [`MAX_PAGE_ROWS`]).
 */
limit?: number, };

export type BindReport = { 
/**
 * The tenant they were bound to.
 */
tenant: TenantBinding, 
/**
 * Definitions bound.
 */
definitions: number, 
/**
 * Leases bound.
 */
leases: number, };

export type CachePolicy = { 
/**
 * The duration in seconds (0: the cache is disabled).
 */
durationSecs: number, 
/**
 * The same, as `hh:mm:ss`.
 */
duration: string, 
/**
 * Whether reads may be served from the cache (`duration_secs > 0`).
 */
enabled: boolean, };

export type CacheState = { 
/**
 * When the cache was last synced.
 */
asOf: string | null, 
/**
 * Fresh, stale or empty.
 */
freshness: Freshness, 
/**
 * Why the data is stale (e.g. the refresh's error), when it is.
 */
staleReason: string | null, 
/**
 * Whether this read refreshed the cache first (a "miss").
 */
refreshed: boolean, };

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

export type CredentialSummary = { 
/**
 * Whole days left, rounded down (negative once expired).
 */
daysLeft: number | null, 
/**
 * The key ID (of a merged twin: the first of `key_ids`).
 */
keyId: string, 
/**
 * Every key ID this credential stands for (one, or the twins').
 */
keyIds: Array<string>, 
/**
 * Password (client secret) or certificate.
 */
credentialType: CredentialType, 
/**
 * `Sign`, `Verify` or `Sign+Verify` (certificates).
 */
usage: string | null, 
/**
 * The credential's display name.
 */
displayName: string | null, 
/**
 * `customKeyIdentifier` (a certificate's thumbprint).
 */
customKeyIdentifier: string | null, 
/**
 * A secret's first characters, as Graph shows them (not the secret).
 */
hint: string | null, 
/**
 * Valid from.
 */
start: string | null, 
/**
 * Valid until.
 */
end: string | null, };

export type CredentialType = "password" | "certificate";

export type CredentialsPage = { 
/**
 * The windows the rows were judged against, ascending.
 */
windows: Array<number>, 
/**
 * When the inventory was last synced.
 */
asOf: string | null, 
/**
 * The time the rows were judged at.
 */
now: string, 
/**
 * The whole report's counts, when the query asked for them.
 */
summary: ExpirySummary | null, 
/**
 * The rows, in the list's order.
 */
items: Array<ExpiringCredential>, 
/**
 * The position of the first row (the query's `start`).
 */
start: number, 
/**
 * How many rows the query matches in all.
 */
total: number, 
/**
 * Where the next page starts, or `None` on the last page.
 */
next: number | null, };

export type CredentialsQuery = { 
/**
 * The windows in days (each 1..=3650; absent: 7, 30, 90).
 */
windows?: Array<number>, 
/**
 * Only client secrets, or only certificates.
 */
kind?: CredentialType, 
/**
 * Only app registrations' credentials, or only service principals'.
 */
objectType?: ObjectType, 
/**
 * Only objects with an owner whose name, user principal name or mail contains this;
 * `none` alone: objects known to have no owner.
 */
owner?: string, 
/**
 * Only expired credentials.
 */
expired: boolean, 
/**
 * Only credentials not expired that end within this many days (1..=3650).
 */
within?: number, 
/**
 * Also count the whole report ([`ExpirySummary`]): a pass over every credential, so ask
 * for it when the report is (re)loaded, not with every page.
 */
summary: boolean, 
/**
 * Keep only rows whose text (names, IDs — each list says which) contains this,
 * case-insensitively. Empty or absent: every row.
 */
search?: string, 
/**
 * The sort key (each list names its own; absent: the list's default order).
 */
sort?: string, 
/**
 * Sort descending instead of ascending.
 */
descending: boolean, 
/**
 * The row position to start at (0: the first row); a page's `next` is the next one.
 */
start: number, 
/**
 * Rows wanted (absent or 0: [`DEFAULT_PAGE_ROWS`]; at most [`MAX_PAGE_ROWS`]).
 */
limit?: number, };

export type Crossing = { 
/**
 * The credential, as the report shows it now.
 */
credential: ExpiringCredential, 
/**
 * The level it is at now, in days (0: expired).
 */
nowIn: number, 
/**
 * The level recorded last time (`None`: outside every window).
 */
wasIn: number | null, };

export type CurrentTokenInspection = { 
/**
 * The access token, shown in the inspector's paste area.
 */
token: string, 
/**
 * Its inspection with the chosen profile.
 */
inspection: Inspection, };

export type DefaultTenant = { 
/**
 * True for the built-in demo tenant (nothing is configured).
 */
demo: boolean, 
/**
 * Its authority; `None` for the demo tenant, which starts on first use at a port chosen then.
 */
authority: string | null, 
/**
 * The client ID used to sign in; `None` for the demo tenant (its own public client).
 */
clientId: string | null, 
/**
 * The demo tenant's sign-in name.
 */
demoUsername: string | null, };

export type DefineRequest = { 
/**
 * The name (see [`Definition::name`]).
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
maxTtl: string, 
/**
 * User-password only: the caller confirmed that leases reset a real account's password.
 */
acknowledgePasswordReset: boolean, 
/**
 * Access-token only: the client ID.
 */
clientId: string | null, };

export type Definition = { 
/**
 * Unique name (letters, digits, `-`, `_`, `.`; 1–64 characters).
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
 * The target's display name when known (app or user), for the screen.
 */
targetName: string | null, 
/**
 * Access-token only: the client (application) ID whose secret (in the keychain) gets the token.
 */
clientId: string | null, 
/**
 * The tenant it belongs to, recorded when it was defined; `None` for a definition written
 * before definitions were bound to a tenant (unbound: see `Leases::bind`).
 */
tenant: TenantBinding | null, 
/**
 * The default lease TTL, seconds.
 */
ttlSecs: number, 
/**
 * The longest a lease may live from its issue, renewals included, seconds.
 */
maxTtlSecs: number, 
/**
 * When it was defined.
 */
createdAt: string, };

export type DirectoryRef = { 
/**
 * Object ID.
 */
id: string, 
/**
 * Display name, when known.
 */
displayName: string | null, 
/**
 * Its kind.
 */
kind: MemberKind, 
/**
 * User principal name (users).
 */
userPrincipalName: string | null, };

export type ErrorCode = "config" | "invalid_input" | "keychain" | "network" | "identity" | "sign_in_cancelled" | "sign_in_timeout" | "not_signed_in" | "graph" | "storage" | "wrong_tenant" | "store_moved" | "not_leader" | "cancelled" | "missing_scope" | "missing_role" | "claims_required" | "internal";

export type ExpiringCredential = { 
/**
 * The owning object's ID.
 */
objectId: string, 
/**
 * Its application (client) ID.
 */
appId: string, 
/**
 * Its display name.
 */
displayName: string, 
/**
 * `application` or `servicePrincipal`.
 */
objectType: ObjectType, 
/**
 * `password` or `certificate`.
 */
credentialType: CredentialType, 
/**
 * The key ID (of a pair: see [`crate::cache::twins`]).
 */
keyId: string, 
/**
 * Every key ID the row stands for.
 */
keyIds: Array<string>, 
/**
 * The credential's own display name.
 */
credentialName: string | null, 
/**
 * Starts.
 */
start: string | null, 
/**
 * Ends.
 */
end: string, 
/**
 * Whole days left, rounded down (negative once expired).
 */
daysLeft: number, 
/**
 * Expired, expiring or ok.
 */
status: ExpiryStatus, 
/**
 * The smallest window it is in.
 */
window: number | null, 
/**
 * `Sign`, `Verify` or `Sign+Verify`.
 */
usage: string | null, 
/**
 * The object's owners; `None` while they have not been loaded.
 */
owners: Array<Owner> | null, };

export type ExpiryChart = { 
/**
 * Twelve calendar months (UTC), the current one first (from now to the next month's start).
 */
months: Array<number>, 
/**
 * Ending after the twelfth month.
 */
afterMonths: number, 
/**
 * Fifty-two weeks from now.
 */
weeks: Array<number>, 
/**
 * Ending after the fifty-second week.
 */
afterWeeks: number, };

export type ExpiryStatus = "expired" | "expiring" | "ok";

export type ExpirySummary = { 
/**
 * Credentials in the report.
 */
total: number, 
/**
 * Of which expired.
 */
expired: number, 
/**
 * Per window, ascending: credentials not expired that end within it (cumulative).
 */
within: Array<WindowCount>, 
/**
 * Expiries over the next twelve months.
 */
chart: ExpiryChart, };

export type ExportFormat = "csv" | "json" | "notify";

export type ExportResult = { 
/**
 * The file.
 */
path: string, 
/**
 * Credentials in it.
 */
count: number, };

export type Freshness = "fresh" | "stale" | "empty";

export type GroupPage = { 
/**
 * The page: its groups, where it starts, how many groups match in all, where the next starts.
 */
groups: ListPage<GroupRow>, 
/**
 * Freshness.
 */
cache: CacheState, };

export type GroupRef = { 
/**
 * Object ID.
 */
id: string, 
/**
 * Display name, when known.
 */
displayName: string | null, };

export type GroupRow = { 
/**
 * Object ID.
 */
id: string, 
/**
 * Display name.
 */
displayName: string | null, 
/**
 * Description.
 */
description: string | null, 
/**
 * Mail address.
 */
mail: string | null, 
/**
 * Security-enabled.
 */
securityEnabled: boolean, 
/**
 * Mail-enabled.
 */
mailEnabled: boolean, 
/**
 * `Unified`, `DynamicMembership`, …
 */
groupTypes: Array<string>, 
/**
 * Dynamic membership rule.
 */
membershipRule: string | null, 
/**
 * Direct members.
 */
directMembers: number, };

export type GroupWithDepth = { 
/**
 * The group.
 */
group: GroupRef, 
/**
 * 1: directly; n: through n-1 nested groups (the shortest way).
 */
depth: number, };

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
overageEndpoint: string | null, 
/**
 * The explanation shown to the admin; empty when there is nothing to say.
 */
explanation: string, };

export type GroupsOverview = { 
/**
 * The cache policy.
 */
policy: CachePolicy, 
/**
 * The statistics.
 */
stats: GroupsStats, 
/**
 * The cache's freshness (never refreshed by this call).
 */
cache: CacheState, };

export type GroupsStats = { 
/**
 * Groups cached.
 */
groups: number, 
/**
 * Users cached (names for the member lists).
 */
users: number, 
/**
 * Direct memberships cached.
 */
memberships: number, 
/**
 * The database on disk, its write-ahead log included (the whole `cache.sqlite`, shared with other screens).
 */
sizeBytes: number, 
/**
 * When the last sync finished.
 */
lastSyncAt: string | null, 
/**
 * How long it took.
 */
lastSyncDurationMs: number | null, 
/**
 * How many Graph requests it used.
 */
lastSyncRequests: number | null, 
/**
 * Whether it was a full sync.
 */
lastSyncFull: boolean | null, 
/**
 * Why it fell back to a full sync, when it did.
 */
lastSyncFallback: string | null, 
/**
 * Reads served from the cache.
 */
hits: number, 
/**
 * Reads that refreshed the cache first.
 */
misses: number, };

export type GroupsSyncPhase = "groups" | "users" | "members" | "names" | "saving";

export type GroupsSyncProgress = { 
/**
 * The current step.
 */
phase: GroupsSyncPhase, 
/**
 * Delta pages read so far (groups and users).
 */
pages: number, 
/**
 * Group entries read so far.
 */
groups: number, 
/**
 * Membership changes read so far.
 */
memberships: number, 
/**
 * Graph requests so far.
 */
requests: number, 
/**
 * Resource units Graph reported spent since the sync began, by the account's client (which
 * a refresh of another screen shares: Graph's budget is per app and tenant).
 */
units: number, 
/**
 * Requests are held back now, waiting for Graph's budget to come back (the client paces
 * itself below Graph's limit instead of being refused): the sync is not stuck.
 */
waitingForBudget: boolean, };

export type GroupsSyncSummary = { 
/**
 * A full sync (first one, asked for, or fallen back to).
 */
full: boolean, 
/**
 * Why an incremental refresh became a full one (an expired or refused delta link, or a
 * cache of another tenant).
 */
fellBack: string | null, 
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
 * Changes applied: groups, users and memberships added, changed or removed (a full sync
 * counts everything it wrote).
 */
changes: number, 
/**
 * Graph requests used.
 */
requests: number, 
/**
 * Wall time.
 */
durationMs: number, 
/**
 * The cache's new "as of".
 */
asOf: string, 
/**
 * How Graph was read.
 */
method: SyncMethod, 
/**
 * Whether a full sync by listings continued one that an earlier run left unfinished.
 */
resumed: boolean, };

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
directoryRoles: Array<NamedId>, 
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
keysFrom: string | null, };

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
correlationId: string | null, 
/**
 * Microsoft Graph's `request-id` when Graph answered with the error, for a support ticket.
 */
requestId: string | null, 
/**
 * The `client-request-id` Entra Desk sent with that Graph request.
 */
clientRequestId: string | null, 
/**
 * With `missing_scope`: the delegated scopes a new sign-in asks for ("Grant access").
 */
scopesToGrant: Array<string> | null, 
/**
 * With `claims_required`: the claims request (JSON) of Graph's claims challenge, which
 * "Sign in again" sends back (`step_up`). Not shown to the person. Absent otherwise.
 */
claimsChallenge?: string, };

export type IssueRequest = { 
/**
 * The definition's name.
 */
definition: string, 
/**
 * The TTL as the admin wrote it (`null` or empty: the definition's); refused above its max TTL.
 */
ttl: string | null, 
/**
 * App-secret: wait until Entra accepts the new secret (AADSTS7000215 while it propagates).
 */
waitUntilUsable: boolean, };

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
 * When the secret itself stops working, if not with the lease: an access token's own
 * expiry (Entra honours a token until then, whatever becomes of the lease).
 */
secretExpiresAt: string | null, 
/**
 * App-secret with `waitUntilUsable`: how long until a token could be obtained with it, ms.
 */
usableAfterMs: number | null, 
/**
 * Set when the lease was issued but something after it did not work (e.g. the wait timed out).
 */
warning: string | null, };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type LeaderInfo = { 
/**
 * Who: `account@host:pid`.
 */
member: string, 
/**
 * Since when this member leads (this term).
 */
since: string, 
/**
 * When its term ends unless renewed.
 */
until: string, };

export type Lease = { 
/**
 * The lease ID (a UUID; also in the credential's marker).
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
 * The tenant its credential lives in (its definition's); `None` for a lease issued before
 * leases were bound to a tenant (unbound: see `Leases::bind`).
 */
tenant: TenantBinding | null, 
/**
 * Its status.
 */
status: LeaseStatus, 
/**
 * When it was issued (the intent's time for a pending lease).
 */
issuedAt: string, 
/**
 * When it expires (renewals move it, never past `max_expires_at`).
 */
expiresAt: string, 
/**
 * Issue time + max TTL (an app secret's `endDateTime` in Entra).
 */
maxExpiresAt: string, 
/**
 * The last renewal, if any.
 */
renewedAt: string | null, 
/**
 * When it was revoked, expired or abandoned.
 */
endedAt: string | null, 
/**
 * App-secret: the credential's key ID.
 */
keyId: string | null, 
/**
 * App-secret: the secret's first characters, as Graph shows them.
 */
hint: string | null, 
/**
 * App-secret: the credential's display name (the marker).
 */
marker: string | null, 
/**
 * Failed revocation attempts so far.
 */
revokeAttempts: number, 
/**
 * When the next revocation attempt is due (revoke-failed).
 */
nextAttemptAt: string | null, 
/**
 * The last failure, in words (revoke-failed; or why it was abandoned).
 */
lastError: string | null, 
/**
 * A remark, e.g. "adopted by reconciliation: its secret was never shown".
 */
note: string | null, 
/**
 * Who issued it: the Entra account's user name (`None` for a lease issued before this
 * was recorded; its audit line still names the actor).
 */
issuedBy: string | null, };

export type LeaseCounts = { 
/**
 * Every lease.
 */
total: number, 
/**
 * Leases not yet over (`LeaseState::Live`): what a copied store leaves to the original.
 */
live: number, 
/**
 * Pending or revoke-failed: what needs the admin's attention.
 */
attention: number, 
/**
 * Leases recorded before leases were bound to a tenant (see `Leases::bind`).
 */
unbound: number, 
/**
 * Live leases by definition name (definitions without one are left out): a definition is
 * removed only once this is zero.
 */
liveByDefinition: Record<string, number>, };

export type LeaseKind = "appSecret" | "userPassword" | "accessToken";

export type LeaseState = "all" | "live" | "ended";

export type LeaseStatus = "pending" | "active" | "revoking" | "revokeFailed" | "revoked" | "expired" | "abandoned";

export type LeaseToken = { 
/**
 * The access token.
 */
token: string, 
/**
 * When Entra stops honouring it.
 */
expiresAt: string, };

export type LeasesOverview = { 
/**
 * This store's ID (the middle of every marker).
 */
storeId: string, 
/**
 * How many leases the store holds: in all, live, needing attention, unbound, live by definition.
 */
counts: LeaseCounts, 
/**
 * Definitions by name.
 */
definitions: Array<Definition>, 
/**
 * The store's time the countdowns are relative to (the screen corrects for its own clock).
 */
now: string, 
/**
 * The last maintenance (sweep + reconciliation) run, if any.
 */
lastMaintenance: MaintenanceRun | null, 
/**
 * Set when the store is not where it was made (a moved or copied data folder): why, and
 * what to do. Until the admin answers (`Leases::relocate`), nothing acts in a tenant.
 */
displaced: string | null, 
/**
 * The store shown: this desktop's file, or the team's database.
 */
store: StoreDescription, 
/**
 * The team store's maintenance leader, when someone holds it (`None` for a local store).
 */
leader: LeaderInfo | null, };

export type LeasesQuery = { 
/**
 * Live, ended or every lease.
 */
state: LeaseState, 
/**
 * Only leases this account issued (its user name, compared case-insensitively): "Mine".
 */
issuedBy?: string, 
/**
 * Only leases of this definition (its exact name).
 */
definition?: string, 
/**
 * Keep only rows whose text (names, IDs — each list says which) contains this,
 * case-insensitively. Empty or absent: every row.
 */
search?: string, 
/**
 * The sort key (each list names its own; absent: the list's default order).
 */
sort?: string, 
/**
 * Sort descending instead of ascending.
 */
descending: boolean, 
/**
 * The row position to start at (0: the first row); a page's `next` is the next one.
 */
start: number, 
/**
 * Rows wanted (absent or 0: [`DEFAULT_PAGE_ROWS`]; at most [`MAX_PAGE_ROWS`]).
 */
limit?: number, };

export type ListPage<T> = { 
/**
 * The rows, in the list's order.
 */
items: Array<T>, 
/**
 * The position of the first row (the query's `start`).
 */
start: number, 
/**
 * How many rows the query matches in all.
 */
total: number, 
/**
 * Where the next page starts, or `None` on the last page.
 */
next: number | null, };

export type ListQuery = { 
/**
 * Keep only rows whose text (names, IDs — each list says which) contains this,
 * case-insensitively. Empty or absent: every row.
 */
search?: string, 
/**
 * The sort key (each list names its own; absent: the list's default order).
 */
sort?: string, 
/**
 * Sort descending instead of ascending.
 */
descending: boolean, 
/**
 * The row position to start at (0: the first row); a page's `next` is the next one.
 */
start: number, 
/**
 * Rows wanted (absent or 0: [`DEFAULT_PAGE_ROWS`]; at most [`MAX_PAGE_ROWS`]).
 */
limit?: number, };

export type MaintenanceRun = { 
/**
 * When it ended.
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

export type MemberKind = "user" | "group" | "servicePrincipal" | "device" | "other";

export type MemberOfPage = { 
/**
 * The user.
 */
user: DirectoryRef, 
/**
 * Whether nested memberships are included.
 */
transitive: boolean, 
/**
 * The page: its groups, where it starts, how many groups match in all, where the next starts.
 */
groups: ListPage<GroupWithDepth>, 
/**
 * Freshness.
 */
cache: CacheState, };

export type MemberPage = { 
/**
 * The group.
 */
group: GroupRef, 
/**
 * Whether nested members are included.
 */
transitive: boolean, 
/**
 * The page: its members, where it starts, how many members match in all, where the next starts.
 */
members: ListPage<MemberRow>, 
/**
 * Freshness.
 */
cache: CacheState, };

export type MemberRow = { 
/**
 * The member.
 */
member: DirectoryRef, 
/**
 * 1: a direct member; n: through n-1 nested groups (the shortest way).
 */
depth: number, 
/**
 * Transitive lists: the group it is directly in (one of them, on a shortest way).
 */
via: GroupRef | null, };

export type NamedId = { 
/**
 * The object or template ID.
 */
id: string, 
/**
 * The display name, when known.
 */
name: string | null, };

export type ObjectType = "application" | "servicePrincipal";

export type Owner = { 
/**
 * The owner's object ID.
 */
id: string, 
/**
 * `user`, `servicePrincipal`, `group` or another directory object type.
 */
ownerType: string, 
/**
 * Display name.
 */
displayName: string | null, 
/**
 * User principal name (users).
 */
userPrincipalName: string | null, 
/**
 * Mail address.
 */
mail: string | null, };

export type Preferences = { 
/**
 * The screen shown last; reopened at start.
 */
lastScreen: Screen | null, 
/**
 * The account used last; signed in silently at start when its refresh token is still good.
 */
lastAccountId: string | null, };

export type Profile = { 
/**
 * The profile's name (also its file name).
 */
name: string, 
/**
 * Tenant ID; fills `{TenantId}` elsewhere. Default: none.
 */
tenantId: string | null, 
/**
 * The API's client ID (accepted as audience, also as `api://…`). Default: none.
 */
clientId: string | null, 
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
metadataAddress: string | null, 
/**
 * Required claims, `claim;claim=value`. Default: [`DEFAULT_REQUIRED_CLAIMS`].
 */
requiredClaims: string | null, 
/**
 * Clock skew `hh:mm:ss`. Default: [`DEFAULT_CLOCK_SKEW`].
 */
clockSkew: string, 
/**
 * JWKS cache duration `hh:mm:ss`; `00:00:00` disables the cache. Default: [`DEFAULT_JWKS_CACHE`].
 */
jwksCacheDuration: string, };

export type ReconcileReport = { 
/**
 * App registrations whose credentials were listed.
 */
targets: number, 
/**
 * Credentials seen on them.
 */
credentialsSeen: number, 
/**
 * Credentials not carrying this store's marker (left alone).
 */
foreign: number, 
/**
 * Credentials of ours removed (no committed lease, or the lease is over).
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
 * Leases and definitions of other tenants (or unbound), left for an account of their own.
 */
otherTenants: number, 
/**
 * Problems that need another run (e.g. a target that could not be read), in words.
 */
errors: Array<string>, 
/**
 * Graph requests made.
 */
requests: number, 
/**
 * Wall time, ms.
 */
durationMs: number, };

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
publicClient: Array<string>, };

export type Registered = { 
/**
 * The registration made or found.
 */
registration: Registration, 
/**
 * The authority to sign in at with its client ID: the account's own, or Entra's for the tenant.
 */
authority: string, };

export type Registration = { 
/**
 * Application (client) ID: what Entra Desk signs in with from now on.
 */
clientId: string, 
/**
 * The application object's ID.
 */
objectId: string, 
/**
 * Its service principal's object ID.
 */
servicePrincipalId: string, 
/**
 * The tenant it is in.
 */
tenantId: string, 
/**
 * True when made now; false when an earlier registration (carrying the tag) was found.
 */
created: boolean, 
/**
 * What was added to a registration found that an earlier version made, named for people
 * (empty when it was made now or lacked nothing): the delegated permissions by their
 * `value` (`GroupMember.Read.All`; [`Registration::permissions_added`]), then
 * [`upgrade::ADDED_REDIRECT_URI`] and [`upgrade::ADDED_PUBLIC_CLIENT_FLOWS`].
 */
updated: Array<string>, };

export type Relocation = "moved" | "copied";

export type Removed = { 
/**
 * Its application (client) ID.
 */
clientId: string, 
/**
 * Its application object's ID.
 */
objectId: string, 
/**
 * The tenant it was in.
 */
tenantId: string, 
/**
 * True when its client ID was saved for the tenant and has been forgotten.
 */
forgotten: boolean, 
/**
 * Remembered accounts that signed in through it: they cannot renew their session now, and
 * must sign in again through another registration.
 */
accountsToSignInAgain: Array<string>, };

export type ResolvedNames = { 
/**
 * In the asked order; `display_name` is `None` for an ID the cache does not know.
 */
names: Array<GroupRef>, 
/**
 * When the cache was last synced.
 */
asOf: string | null, };

export type RotatedSecret = { 
/**
 * The new credential's key ID.
 */
keyId: string, 
/**
 * The new secret's value: shown once, never stored by Entra Desk.
 */
secretText: string, 
/**
 * When it ends.
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

export type Screen = "apps" | "credentials" | "groups" | "leases" | "jwt";

export type SetupProgress = { "stage": "searching" } | { "stage": "readingPermissions" } | { "stage": "updating", 
/**
 * What is added, named as [`Registration::updated`] names it.
 */
adding: Array<string>, } | { "stage": "creatingApplication" } | { "stage": "creatingServicePrincipal" } | { "stage": "replicating", 
/**
 * Seconds waited so far.
 */
waitedSeconds: number, } | { "stage": "saving" };

export type SetupSource = { "kind": "account", 
/**
 * The account's ID.
 */
accountId: string, } | { "kind": "azureCli", 
/**
 * The tenant ID or domain to ask `az` for.
 */
tenantId: string | null, };

export type SignInProgress = { "step": "discoveringProvider" } | { "step": "waitingForBrowser", 
/**
 * The authorize URL (carries state, nonce and PKCE challenge; none of them is a secret on its own).
 */
authorizeUrl: string, } | { "step": "redeemingCode" } | { "step": "done" };

export type SignInStatus = { 
/**
 * Entra Desk's version, e.g. `0.1.0`.
 */
version: string, 
/**
 * The default tenant.
 */
defaultTenant: DefaultTenant, 
/**
 * Remembered accounts, most recently used first.
 */
accounts: Array<Account>, 
/**
 * The UI preferences saved by the last run.
 */
preferences: Preferences, };

export type SignInTarget = { "kind": "demo" } | { "kind": "tenant", 
/**
 * Authority or issuer URL.
 */
authority: string, 
/**
 * Application (client) ID.
 */
clientId: string, 
/**
 * Extra scopes; `openid profile offline_access` are always asked for.
 */
scopes: Array<string> | null, };

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

export type SignedInUser = { 
/**
 * The remembered account.
 */
account: Account, 
/**
 * Graph's display name (or the account's, for apps).
 */
displayName: string | null, 
/**
 * The user principal name.
 */
userPrincipalName: string | null, 
/**
 * The mail address.
 */
mail: string | null, 
/**
 * The job title.
 */
jobTitle: string | null, 
/**
 * The tenant's display name from `/organization` (best effort for people).
 */
organization: string | null, };

export type StoreCheck = { 
/**
 * `host:port/database`.
 */
location: string, 
/**
 * The server's version (`server_version`).
 */
serverVersion: string, 
/**
 * Who the database says we are (`session_user`).
 */
databaseUser: string, 
/**
 * Whether the connection is encrypted (TLS, certificate and host name verified).
 */
tls: boolean, 
/**
 * The store's schema version, and the newest this build knows.
 */
schemaVersion: number, 
/**
 * Whether this user may write leases (a member or the owner), not only read them.
 */
mayWrite: boolean, 
/**
 * The store's ID (the middle of every marker its leases carry).
 */
storeId: string, };

export type StoreDescription = { 
/**
 * Local or team.
 */
kind: StoreKind, 
/**
 * The file's path, or `host:port/database` (never a user's password).
 */
location: string, };

export type StoreKind = "local" | "team";

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
tokensRefreshed: number, 
/**
 * Due leases of other tenants (or unbound), left for an account of their own tenant.
 */
otherTenants: number, };

export type SyncMethod = "incremental" | "deltaWalk" | "listings";

export type SyncProgress = { "stage": "page", 
/**
 * `applications` or `servicePrincipals`.
 */
collection: string, 
/**
 * Items so far.
 */
items: number, } | { "stage": "listReady", 
/**
 * Objects in the cache.
 */
rows: number, } | { "stage": "owners", 
/**
 * Objects whose owners are loaded.
 */
done: number, 
/**
 * Objects whose owners are being loaded.
 */
total: number, } | { "stage": "throttled", 
/**
 * Seconds.
 */
seconds: number, } | { "stage": "retrying", 
/**
 * The attempt about to be made.
 */
attempt: number, 
/**
 * Why, e.g. `HTTP 503`.
 */
reason: string, };

export type SyncSummary = { 
/**
 * A full read (first time, asked for, or the delta link was refused) or a delta.
 */
full: boolean, 
/**
 * Objects written (a full read counts every object).
 */
changed: number, 
/**
 * Objects removed from the cache.
 */
removed: number, 
/**
 * HTTP requests sent to Graph (a `$batch` counts once; retries count).
 */
requests: number, 
/**
 * Wall time.
 */
durationMs: number, 
/**
 * The cache's new "as of" time.
 */
asOf: string, };

export type TenantBinding = { 
/**
 * The tenant ID (a GUID for Entra; any provider's `tid`).
 */
tenantId: string, 
/**
 * The authority the defining account signed in with (e.g.
 * `https://login.microsoftonline.com/<tenant>/v2.0`): its cloud must match too.
 */
authority: string, };

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

export type TokenKind = { 
/**
 * v1 or v2.
 */
version: TokenVersion, 
/**
 * Access or ID token.
 */
tokenUse: TokenUse, 
/**
 * Delegated or app-only.
 */
actor: Actor, 
/**
 * The header carries a `nonce`: a Microsoft Graph (or other Microsoft first-party) access token.
 */
graphNonce: boolean, 
/**
 * A one-line summary: "v1 access token, app-only (Microsoft Graph)".
 */
summary: string, };

export type TokenUse = "access" | "id" | "unknown";

export type TokenVersion = "v1" | "v2" | "unknown";

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
 * Whether the user is in it, directly or through nested groups.
 */
member: boolean, 
/**
 * The shortest chain: from the group that directly contains the user to the asked group
 * (one element for a direct membership); empty when not a member.
 */
chain: Array<GroupRef>, 
/**
 * Freshness.
 */
cache: CacheState, };

export type WindowCount = { 
/**
 * The window, in days.
 */
days: number, 
/**
 * Credentials not expired that end within it.
 */
count: number, };

/** A JWT validation profile's defaults: `entra_jwt::Profile::default()`. */
export const DEFAULT_JWT_PROFILE: Profile = {"name":"","tenantId":null,"clientId":null,"audience":null,"issuer":"https://sts.windows.net/{TenantId}/","authority":"https://login.microsoftonline.com/{TenantId}/","metadataAddress":null,"requiredClaims":"tid={TenantId}","clockSkew":"00:05:00","jwksCacheDuration":"01:00:00"};

/** Every command: its arguments (as the UI sends them) and its result. Generated from entra_ipc::commands. */
export interface Commands {
  signin_status: { args: Record<string, never>; result: SignInStatus };
  sign_in: { args: { target: SignInTarget; onProgress: Channel<SignInProgress> }; result: Account };
  grant_scopes: { args: { accountId: string; scopes: Array<string>; onProgress: Channel<SignInProgress> }; result: Account };
  step_up: { args: { accountId: string; claims: string; onProgress: Channel<SignInProgress> }; result: Account };
  cancel_sign_in: { args: Record<string, never>; result: boolean };
  setup_register: { args: { source: SetupSource; onProgress: Channel<SetupProgress> }; result: Registered };
  setup_commands: { args: Record<string, never>; result: string };
  setup_remove: { args: { source: SetupSource; application: string | null }; result: Removed };
  resume_account: { args: { accountId: string }; result: SignedInUser };
  sign_out: { args: { accountId: string }; result: void };
  save_preferences: { args: { preferences: Preferences }; result: void };
  keychain_warning: { args: { accountId: string }; result: string | null };
  apps_list: { args: { query: AppsQuery }; result: AppsPage };
  apps_refresh: { args: { accountId: string; full: boolean; onProgress: Channel<SyncProgress> }; result: SyncSummary };
  apps_cancel_refresh: { args: Record<string, never>; result: boolean };
  apps_detail: { args: { id: string }; result: AppDetail };
  apps_open_in_portal: { args: { id: string }; result: void };
  credentials_list: { args: { query: CredentialsQuery }; result: CredentialsPage };
  credentials_export: { args: { windows: Array<number> | null; format: ExportFormat }; result: ExportResult | null };
  credentials_rotate: { args: { accountId: string; objectId: string; objectType: ObjectType; lifetimeDays: number }; result: RotatedSecret };
  credentials_remove: { args: { accountId: string; objectId: string; objectType: ObjectType; keyId: string }; result: void };
  credentials_crossings: { args: { windows: Array<number> | null }; result: Array<Crossing> };
  groups_overview: { args: Record<string, never>; result: GroupsOverview };
  groups_set_policy: { args: { duration: string }; result: CachePolicy };
  groups_refresh: { args: { accountId: string; full: boolean; onProgress: Channel<GroupsSyncProgress> }; result: GroupsSyncSummary };
  groups_cancel_refresh: { args: Record<string, never>; result: boolean };
  groups_clear: { args: Record<string, never>; result: void };
  groups_list: { args: { accountId: string | null; query: ListQuery }; result: GroupPage };
  groups_members: { args: { accountId: string | null; groupId: string; transitive: boolean; query: ListQuery }; result: MemberPage };
  groups_member_of: { args: { accountId: string | null; userId: string; transitive: boolean; query: ListQuery }; result: MemberOfPage };
  groups_why: { args: { accountId: string | null; userId: string; groupId: string }; result: WhyAnswer };
  groups_search_users: { args: { query: string }; result: Array<DirectoryRef> };
  groups_resolve: { args: { ids: Array<string> }; result: ResolvedNames };
  leases_overview: { args: Record<string, never>; result: LeasesOverview };
  leases_list: { args: { query: LeasesQuery }; result: ListPage<Lease> };
  leases_define: { args: { accountId: string | null; request: DefineRequest; clientSecret: string | null }; result: Definition };
  leases_remove_definition: { args: { name: string }; result: void };
  leases_issue: { args: { accountId: string; request: IssueRequest }; result: IssuedLease };
  leases_renew: { args: { leaseId: string; ttl: string | null }; result: Lease };
  leases_revoke: { args: { accountId: string; leaseId: string }; result: Lease };
  leases_reconcile: { args: { accountId: string }; result: ReconcileReport };
  leases_bind: { args: { accountId: string }; result: BindReport };
  leases_relocate: { args: { decision: Relocation }; result: LeasesOverview };
  leases_check_store: { args: { url: string; password: string | null }; result: StoreCheck };
  leases_use_store: { args: { url: string | null; password: string | null }; result: LeasesOverview };
  leases_audit: { args: { query: AuditQuery }; result: ListPage<AuditEntry> };
  leases_export_audit: { args: { format: AuditFormat }; result: string | null };
  leases_access_token: { args: { accountId: string; leaseId: string }; result: LeaseToken };
  jwt_inspect: { args: { token: string; profile: string | null; fetchKeys: boolean }; result: Inspection };
  jwt_inspect_current: { args: { accountId: string; profile: string | null; fetchKeys: boolean }; result: CurrentTokenInspection };
  jwt_profiles: { args: Record<string, never>; result: Array<Profile> };
  jwt_save_profile: { args: { profile: Profile }; result: void };
  jwt_delete_profile: { args: { name: string }; result: void };
  jwt_import_profile: { args: { name: string; text: string }; result: ImportReport };
}
