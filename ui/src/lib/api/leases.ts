// Leases commands: the overview (definitions, the lease counts, the last maintenance
// run), the lease list a page at a time, defining and removing dynamic secrets, issuing, renewing, revoking,
// reconciling, binding unbound records to a tenant, the admin's answer for a
// store found where it was not made (moved or copied), the audit log (a page at a time) and its
// export, and an access-token lease's token; which store the screen uses (this desktop's file or a team's
// PostgreSQL store: testing a connection, switching) and the `leases-changed` event that says the team store
// changed. Mirrors src-tauri/src/commands/leases.rs and entra_core::leases.
//
// A team store's password goes one way only: typed by the admin, sent with `checkLeaseStore` or `useLeaseStore`,
// kept by the core in the OS keychain. Nothing here logs or returns it.
//
// Two calls return a secret, each only because the admin asked: `issueLease`
// (the new secret, shown once) and `leaseAccessToken` ("show token").
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { call } from "./ipc";
import type {
  AuditEntry,
  AuditFormat,
  AuditQuery,
  BindReport,
  DefineRequest,
  Definition,
  IssueRequest,
  IssuedLease,
  Lease,
  LeaseToken,
  LeasesOverview,
  LeasesQuery,
  ListPage,
  ReconcileReport,
  Relocation,
  StoreCheck,
} from "../bindings";

/** Definitions, the lease counts and the last maintenance run, from the store only (never the network). */
export function leasesOverview(): Promise<LeasesOverview> {
  return call("leases_overview", {});
}

/**
 * One page of the leases: searched, filtered (live or ended, whose, which definition) and sorted by the store, with
 * how many the query keeps in all and where the next page starts.
 */
export function leasesPage(query: LeasesQuery): Promise<ListPage<Lease>> {
  return call("leases_list", { query });
}

/**
 * Defines a dynamic secret. `clientSecret` (access-token definitions only) goes to the OS keychain and is never
 * sent back; `accountId` lets the core look up the target's name.
 */
export function defineLease(accountId: string | null, request: DefineRequest, clientSecret: string | null): Promise<Definition> {
  return call("leases_define", { accountId, request, clientSecret });
}

/** Removes a definition; refused while it has live leases. */
export function removeDefinition(name: string): Promise<void> {
  return call("leases_remove_definition", { name });
}

/** Issues a lease; its secret comes back this once and is never stored. */
export function issueLease(accountId: string, request: IssueRequest): Promise<IssuedLease> {
  return call("leases_issue", { accountId, request });
}

/** Extends a lease by `ttl` (null: the definition's TTL), never past its max TTL. */
export function renewLease(leaseId: string, ttl: string | null): Promise<Lease> {
  return call("leases_renew", { leaseId, ttl });
}

/** Revokes a lease (removes the secret, resets the password, or forgets the token). */
export function revokeLease(accountId: string, leaseId: string): Promise<Lease> {
  return call("leases_revoke", { accountId, leaseId });
}

/** Lists the targets' credentials and settles what the store and Entra disagree on (only this store's markers). */
export function reconcileLeases(accountId: string): Promise<ReconcileReport> {
  return call("leases_reconcile", { accountId });
}

/**
 * Binds every unbound definition and lease (recorded before Entra Desk bound them to a tenant) to the tenant of
 * `accountId`, with an audit line. Only on the admin's explicit request: nothing else can tell where they were made.
 */
export function bindLeases(accountId: string): Promise<BindReport> {
  return call("leases_bind", { accountId });
}

/**
 * Records the admin's answer for a displaced store (`LeasesOverview.displaced`: its data folder was moved or
 * copied): `moved` keeps it the same store; `copied` gives this copy a new store ID and leaves every lease it held
 * to the original. Resolves to the overview afterwards (`displaced` null, and after `copied` the new `storeId`).
 */
export function relocateLeaseStore(decision: Relocation): Promise<LeasesOverview> {
  return call("leases_relocate", { decision });
}

/** One page of the audit log, newest first (by lease, action or text), with how many lines the query keeps in all. */
export function leaseAuditPage(query: AuditQuery): Promise<ListPage<AuditEntry>> {
  return call("leases_audit", { query });
}

/** Writes the whole audit log (JSON lines or CSV) to the file the admin picks in the save dialog; its path, or null if cancelled. */
export function exportLeaseAudit(format: AuditFormat): Promise<string | null> {
  return call("leases_export_audit", { format });
}

/** An access-token lease's current token and its own expiry: only on an explicit "show token". */
export function leaseAccessToken(accountId: string, leaseId: string): Promise<LeaseToken> {
  return call("leases_access_token", { accountId, leaseId });
}

/**
 * Connects to a team store and reports what it found (server, database user, TLS, schema version, whether this user
 * may write, the store's ID) without switching to it. `password` null: none typed (Entra sign-in with `auth=entra`
 * in the URL, a trusted local socket, or the one the keychain already holds for this address).
 */
export function checkLeaseStore(url: string, password: string | null): Promise<StoreCheck> {
  return call("leases_check_store", { url, password });
}

/**
 * Switches the Leases screen to the team store at `url` (its password, when typed, goes to the OS keychain, never
 * to settings), or with `url` null back to this desktop's own store. Resolves to the overview of the store now used.
 */
export function useLeaseStore(url: string | null, password: string | null): Promise<LeasesOverview> {
  return call("leases_use_store", { url, password });
}

/** The event the core emits when the team store changed (a teammate or this app), or after reconnecting to it. */
export const LEASES_CHANGED = "leases-changed";

/** Calls `fn` on every `leases-changed` event (it has no payload); resolves to the function that stops listening. */
export function onLeasesChanged(fn: () => void): Promise<UnlistenFn> {
  return listen(LEASES_CHANGED, () => fn());
}
