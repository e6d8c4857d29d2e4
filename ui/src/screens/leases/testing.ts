// Fixtures shared by the Leases screen's tests (not shipped: only test files import it): the signed-in
// demo user, a definition and leases, a tiny backend over mocked IPC (the overview with its counts, the
// lease list and the audit log a page at a time — filtered and cut as the core does —, the
// calls the screen makes, recorded; this desktop's store or a team store with its leader; the
// connection test and the switch; Tauri's events mocked, so a test can `emit` `leases-changed`), and
// the DOM helpers (`$` takes a test ID, or a selector starting with `[`, `#` or `.`, or one with a space).
import { flushSync, mount, tick, unmount } from "svelte";
import { mockIPC } from "@tauri-apps/api/mocks";
import LeasesScreen from "./LeasesScreen.svelte";
import type { AuditEntry, AuditQuery, BindReport, Definition, IssuedLease, LeaderInfo, Lease, LeaseCounts, LeaseToken, LeasesOverview, LeasesQuery, ListPage, MaintenanceRun, StoreCheck, StoreDescription } from "../../lib/bindings";
import { isFinal } from "../../lib/leases";
import { demoTenant, demoUser } from "../../lib/testing";

export const user = demoUser();
export const LOCAL_STORE: StoreDescription = { kind: "local", location: "/home/admin/.local/share/entra-desk/leases.sqlite" };
export const TEAM_STORE: StoreDescription = { kind: "team", location: "db.example.com:5432/leases" };
export const LEADER: LeaderInfo = { member: "alice@contoso.com@ws-17:4242", since: "2026-03-01T11:00:00Z", until: "2026-03-01T12:01:30Z" };
/** What the mocked core answers to a connection test. */
export const CHECK: StoreCheck = { location: "db.example.com:5432/leases", serverVersion: "16.4", databaseUser: "entra_desk", tls: true, schemaVersion: 7, mayWrite: true, storeId: "5eam5t0re0000000000000000000000a" };

export const APP = "11111111-2222-3333-4444-555555555555";
export const SECRET = "abc8Q~0123456789012345678901234567890123";
export const TOKEN = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2ln";
export const definition: Definition = { name: "ci-deploy", kind: "appSecret", target: APP, targetName: "Payroll API", clientId: null, tenant: demoTenant(), ttlSecs: 3600, maxTtlSecs: 86_400, createdAt: "2026-03-01T10:00:00Z" };

export function lease(over: Partial<Lease>): Lease {
  return {
    id: "aaaaaaaa-0000-4000-8000-000000000001",
    definition: "ci-deploy",
    kind: "appSecret",
    target: APP,
    tenant: demoTenant(),
    status: "active",
    issuedBy: "admin@demo",
    issuedAt: "2026-03-01T12:00:00Z",
    expiresAt: "2026-03-01T13:00:00Z",
    maxExpiresAt: "2026-03-02T12:00:00Z",
    renewedAt: null,
    endedAt: null,
    keyId: "key-1",
    hint: "abc",
    marker: "entra-desk:store-1:aaaaaaaa-0000-4000-8000-000000000001",
    revokeAttempts: 0,
    nextAttemptAt: null,
    lastError: null,
    note: null,
    ...over,
  };
}

export async function settle() {
  for (let i = 0; i < 6; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

export function $(root: ParentNode, selector: string): HTMLElement {
  const el = root.querySelector<HTMLElement>(/^[[#.]/.test(selector) || selector.includes(" ") ? selector : `[data-testid=${selector}]`);
  if (!el) throw new Error(`no ${selector}`);
  return el;
}

export function type(el: HTMLElement, value: string) {
  (el as HTMLInputElement).value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

export function choose(el: HTMLElement, value: string) {
  (el as HTMLSelectElement).value = value;
  el.dispatchEvent(new Event("change", { bubbles: true }));
}

export function open() {
  const target = document.createElement("div");
  document.body.append(target);
  const screen = mount(LeasesScreen, { target, props: { user } });
  return { target, done: () => { unmount(screen); target.remove(); } };
}

export const button = (root: ParentNode, selector: string) => $(root, selector) as HTMLButtonElement;

/** `rows` cut as the core cuts a page (`ListQuery::cut`: at most `limit`, default 100). */
export function cut<T>(rows: T[], start: number, limit: number | undefined): ListPage<T> {
  const items = rows.slice(start, start + (limit || 100));
  const end = start + items.length;
  return { items, start, total: rows.length, next: end < rows.length && items.length > 0 ? end : null };
}

/** The counts the core puts in the overview. */
export function countsOf(leases: Lease[]): LeaseCounts {
  const liveByDefinition: Record<string, number> = {};
  for (const l of leases.filter((l) => !isFinal(l.status))) liveByDefinition[l.definition] = (liveByDefinition[l.definition] ?? 0) + 1;
  return {
    total: leases.length,
    live: leases.filter((l) => !isFinal(l.status)).length,
    attention: leases.filter((l) => l.status === "pending" || l.status === "revokeFailed").length,
    unbound: leases.filter((l) => !l.tenant).length,
    liveByDefinition,
  };
}

/** The leases `q` keeps, as the core's SQL filters them (case-insensitive "contains" and "Mine"). */
function leasesOf(leases: Lease[], definitions: Definition[], q: LeasesQuery): Lease[] {
  const text = q.search?.trim().toLowerCase() ?? "";
  const named = (l: Lease) => definitions.some((d) => d.target === l.target && (d.targetName ?? "").toLowerCase().includes(text));
  return leases.filter(
    (l) =>
      (q.state === "all" || (q.state === "live") === !isFinal(l.status)) &&
      (q.issuedBy === undefined || l.issuedBy?.toLowerCase() === q.issuedBy.toLowerCase()) &&
      (q.definition === undefined || l.definition === q.definition) &&
      (text === "" || [l.id, l.definition, l.target, l.keyId, l.issuedBy].some((v) => v?.toLowerCase().includes(text)) || named(l)),
  );
}

/** The audit lines `q` keeps, newest first as the store holds them. */
function auditOf(lines: AuditEntry[], q: AuditQuery): AuditEntry[] {
  const text = q.search?.trim().toLowerCase() ?? "";
  return lines.filter(
    (e) =>
      (q.leaseId === undefined || e.leaseId === q.leaseId) &&
      (q.action === undefined || e.action === q.action) &&
      (text === "" || [e.detail, e.actor, e.leaseId, e.definition, e.target, e.requestId].some((v) => v?.toLowerCase().includes(text))),
  );
}

/** A tiny backend: the overview, the lease list and the audit log (paged), and the calls the screen makes, recorded. */
export function backend(now: string) {
  const state = {
    store: LOCAL_STORE,
    leader: null as LeaderInfo | null,
    /** The core's refusal of a connection test or a switch (its message, as the core words it). */
    storeRefusal: null as string | null,
    storeId: "store-1",
    leases: [] as Lease[],
    definitions: [definition],
    audit: [] as AuditEntry[],
    lastMaintenance: null as MaintenanceRun | null,
    issueRefusal: null as string | null,
    displaced: null as string | null,
    /** Found displaced only when something next acts in a tenant (as the core finds it: once per process). */
    displacedOnIssue: null as string | null,
  };
  const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
  const overview = (): LeasesOverview => ({ storeId: state.storeId, counts: countsOf(state.leases), definitions: state.definitions, now, lastMaintenance: state.lastMaintenance, displaced: state.displaced, store: state.store, leader: state.leader });
  const refuse = (message: string) => ({ code: "network", message, aadsts: null, correlationId: null, requestId: null, clientRequestId: null });
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    switch (cmd) {
      case "leases_overview":
        return overview();
      case "leases_check_store":
        if (state.storeRefusal) throw refuse(state.storeRefusal);
        return CHECK;
      case "leases_use_store":
        if (state.storeRefusal) throw refuse(state.storeRefusal);
        // As the core: the team store at the URL (shown by host:port/database), or back to this desktop's file.
        state.store = args.url === null ? LOCAL_STORE : TEAM_STORE;
        state.leader = args.url === null ? null : LEADER;
        return overview();
      case "leases_list": {
        const q = args.query as LeasesQuery;
        return cut(leasesOf(state.leases, state.definitions, q), q.start, q.limit);
      }
      case "leases_audit": {
        const q = args.query as AuditQuery;
        return cut(auditOf(state.audit, q), q.start, q.limit);
      }
      case "apps_list":
        return { items: [{ id: APP, objectType: "application", appId: "c-1", displayName: "Payroll API", signInAudience: null, created: null, credentialCount: 0, expiredCount: 0, nextExpiry: null, owners: [] }], start: 0, total: 1, next: null, objects: 1, asOf: null, stale: false };
      case "leases_issue": {
        if (state.displacedOnIssue) {
          state.displaced = state.displacedOnIssue;
          throw { code: "store_moved", message: state.displacedOnIssue, aadsts: null, correlationId: null, requestId: null, clientRequestId: null };
        }
        if (state.issueRefusal) throw { code: "wrong_tenant", message: state.issueRefusal, aadsts: null, correlationId: null, requestId: null, clientRequestId: null };
        const issued = lease({});
        state.leases = [issued];
        state.audit = [{ seq: 1, at: now, action: "issued", leaseId: issued.id, definition: "ci-deploy", target: APP, actor: "admin@demo", detail: "issued app secret", requestId: "req-1", databaseUser: null }];
        return { lease: issued, secret: SECRET, secretExpiresAt: null, usableAfterMs: null, warning: null } satisfies IssuedLease;
      }
      case "leases_access_token":
        // As the core: the token kept for the lease, with its own expiry (an hour after its issue at Entra).
        return { token: TOKEN, expiresAt: "2026-03-01T13:00:00Z" } satisfies LeaseToken;
      case "leases_renew":
        // The core reads the TTL (entra_core::duration) and refuses one above the max TTL; this stands in for it.
        if (args.ttl === "2d") throw { code: "invalid_input", message: "A TTL of 2d is above the max TTL of 'ci-deploy' (1d): ask for less. The lease was not changed", aadsts: null, correlationId: null, requestId: null, clientRequestId: null };
        return state.leases[0];
      case "leases_revoke":
        state.leases = [lease({ status: "revoked", endedAt: now })];
        return state.leases[0];
      case "leases_bind": {
        // As the core: every unbound definition and lease gets the signed-in account's tenant.
        const tenant = demoTenant();
        const report: BindReport = { tenant, definitions: state.definitions.filter((d) => !d.tenant).length, leases: state.leases.filter((l) => !l.tenant).length };
        state.definitions = state.definitions.map((d) => ({ ...d, tenant: d.tenant ?? tenant }));
        state.leases = state.leases.map((l) => ({ ...l, tenant: l.tenant ?? tenant }));
        return report;
      }
      case "leases_relocate":
        // As the core: no longer displaced; a copy gets a store ID of its own.
        state.displaced = null;
        if (args.decision === "copied") state.storeId = "7e57c0de5f0c4d2b9a1e3c5d7f9b1a2c";
        return overview();
      case "leases_define":
        return { ...definition, name: (args.request as { name: string }).name };
      case "leases_export_audit":
        return "/home/admin/Downloads/entra-leases-audit-20260301-120000.csv";
      default:
        return null;
    }
  }, { shouldMockEvents: true });
  return { state, calls };
}
