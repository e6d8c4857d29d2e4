// Generated from crates/entra-ipc by `UPDATE_BINDINGS=1 cargo test -p entra-ipc`. Do not edit.

export type IpcErrorCode = "config" | "invalid_input" | "keychain" | "network" | "identity" | "sign_in_cancelled" | "sign_in_timeout" | "not_signed_in" | "graph" | "storage" | "internal";

export type IpcError = { 
/**
 * What kind of failure, for the UI to branch on.
 */
code: IpcErrorCode, 
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
correlation_id: string | null, };

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

export type TenantSummary = { kind: TenantKind, 
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
username: string, display_name: string | null, tenant_id: string, authority: string, kind: AccountKind, 
/**
 * When the account was last used, RFC 3339.
 */
last_used: string | null, };

export type SignInTarget = { "kind": "demo" } | { "kind": "tenant", authority: string, client_id: string, 
/**
 * Extra scopes; `openid profile offline_access` are always asked for.
 */
scopes: Array<string> | null, };

export type SignInProgress = { "stage": "discovering" } | { "stage": "waiting_for_browser", authorize_url: string, } | { "stage": "redeeming" } | { "stage": "done" };

export type SignedInUser = { account: AccountSummary, display_name: string | null, user_principal_name: string | null, mail: string | null, job_title: string | null, 
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
