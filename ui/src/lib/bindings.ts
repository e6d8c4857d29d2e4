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
 * The authority URL, e.g. `https://login.microsoftonline.com/<tenant>`.
 */
authority: string, 
/**
 * The application (client) ID used to sign in.
 */
client_id: string, 
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
  jwt_inspect: { args: { token: string; profile: string | null; fetchKeys: boolean }; result: Inspection };
  jwt_inspect_current: { args: { accountId: string; profile: string | null; fetchKeys: boolean }; result: CurrentTokenInspection };
  jwt_profiles: { args: Record<string, never>; result: Array<Profile> };
  jwt_save_profile: { args: { profile: Profile }; result: void };
  jwt_delete_profile: { args: { name: string }; result: void };
  jwt_import_profile: { args: { name: string; text: string }; result: ImportReport };
}
