// The Leases screen in jsdom over mocked IPC: a lease is issued from a
// definition and its secret shown once, then gone once dismissed; the
// countdown runs on the store's clock; renew sends the optional TTL; revoke
// asks first; a failing revocation shows its attempts, last error and next
// attempt; the define form insists on the tick for user passwords and sends an
// access-token client secret as its own argument; the audit log exports.
import { afterEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import LeasesScreen from "./LeasesScreen.svelte";
import type { AuditEntry, Definition, IssuedLease, Lease, LeasesOverview, SignedInUser } from "../../lib/bindings";

const user = {
  account: { id: "oid.tid", username: "admin@demo", display_name: "Demo Admin", tenant_id: "tid", authority: "http://x", kind: "interactive", last_used: null },
  display_name: "Demo Admin",
  user_principal_name: "admin@demo",
  mail: null,
  job_title: null,
  organization: "Demo",
} satisfies SignedInUser;

const APP = "11111111-2222-3333-4444-555555555555";
const SECRET = "abc8Q~0123456789012345678901234567890123";
const definition: Definition = { name: "ci-deploy", kind: "app-secret", target: APP, target_name: "Payroll API", client_id: null, ttl_secs: 3600, max_ttl_secs: 86_400, ttl: "1h", max_ttl: "1d", created_at: "2026-03-01T10:00:00Z" };

function lease(over: Partial<Lease>): Lease {
  return {
    id: "aaaaaaaa-0000-4000-8000-000000000001",
    definition: "ci-deploy",
    kind: "app-secret",
    target: APP,
    status: "active",
    issued_at: "2026-03-01T12:00:00Z",
    expires_at: "2026-03-01T13:00:00Z",
    max_expires_at: "2026-03-02T12:00:00Z",
    renewed_at: null,
    ended_at: null,
    key_id: "key-1",
    hint: "abc",
    marker: "entra-desk:store-1:aaaaaaaa-0000-4000-8000-000000000001",
    revoke_attempts: 0,
    next_attempt_at: null,
    last_error: null,
    note: null,
    ...over,
  };
}

async function settle() {
  for (let i = 0; i < 6; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

function $(root: ParentNode, selector: string): HTMLElement {
  const el = root.querySelector<HTMLElement>(selector.startsWith("[") || selector.includes(" ") ? selector : `[data-testid=${selector}]`);
  if (!el) throw new Error(`no ${selector}`);
  return el;
}

function type(el: HTMLElement, value: string) {
  (el as HTMLInputElement).value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

function choose(el: HTMLElement, value: string) {
  (el as HTMLSelectElement).value = value;
  el.dispatchEvent(new Event("change", { bubbles: true }));
}

/** A tiny backend: the overview, audit and the calls the screen makes, recorded. */
function backend(now: string) {
  const state = { leases: [] as Lease[], definitions: [definition], audit: [] as AuditEntry[] };
  const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    switch (cmd) {
      case "leases_overview":
        return { store_id: "store-1", leases: state.leases, definitions: state.definitions, now, last_maintenance: null } satisfies LeasesOverview;
      case "leases_audit":
        return state.audit;
      case "apps_list":
        return { rows: [{ id: APP, object_type: "application", app_id: "c-1", display_name: "Payroll API", sign_in_audience: null, created: null, credential_count: 0, expired_count: 0, next_expiry: null, owners: [] }], as_of: null, stale: false };
      case "leases_issue": {
        const issued = lease({});
        state.leases = [issued];
        state.audit = [{ seq: 1, at: now, action: "issued", lease_id: issued.id, definition: "ci-deploy", target: APP, actor: "admin@demo", detail: "issued app secret", request_id: "req-1" }];
        return { lease: issued, secret: SECRET, usable_after_ms: null, warning: null } satisfies IssuedLease;
      }
      case "leases_renew":
        // The core reads the TTL (entra_core::duration) and refuses one above the max TTL; this stands in for it.
        if (args.ttl === "2d") throw { code: "invalid_input", message: "A TTL of 2d is above the max TTL of 'ci-deploy' (1d): ask for less. The lease was not changed", aadsts: null, correlationId: null, requestId: null, clientRequestId: null };
        return state.leases[0];
      case "leases_revoke":
        state.leases = [lease({ status: "revoked", ended_at: now })];
        return state.leases[0];
      case "leases_define":
        return { ...definition, name: (args.request as { name: string }).name };
      case "leases_export_audit":
        return "/home/admin/Downloads/entra-leases-audit-20260301-120000.csv";
      default:
        return null;
    }
  });
  return { state, calls };
}

describe("LeasesScreen", () => {
  afterEach(() => {
    clearMocks();
    vi.useRealTimers();
  });

  it("issues a lease, shows its secret once, counts down on the store's clock, renews and revokes", async () => {
    // The store's clock is 12:00:00; this machine's too (fake timers), so one tick is one second off the countdown.
    vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
    vi.setSystemTime(new Date("2026-03-01T12:00:00Z"));
    const { calls } = backend("2026-03-01T12:00:00.000Z");
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(LeasesScreen, { target, props: { user } });
    await settle();
    expect($(target, "leases-empty").textContent).toContain("No lease yet");
    expect($(target, "[data-testid=leases-definition][data-name=ci-deploy]").textContent).toContain("Payroll API");

    type($(target, "leases-issue-ttl"), "30m");
    $(target, "leases-issue").click();
    await settle();
    expect(calls.find((c) => c.cmd === "leases_issue")!.args).toEqual({ accountId: "oid.tid", request: { definition: "ci-deploy", ttl: "30m", wait_until_usable: false } });
    expect(($(target, "leases-secret-value") as HTMLInputElement).value).toBe(SECRET);
    expect($(target, "leases-secret-once").textContent).toContain("it will not be shown again");

    const countdown = () => $(target, "leases-countdown");
    expect(countdown().textContent).toBe("1h 00m 00s");
    vi.advanceTimersByTime(3000);
    flushSync();
    expect(countdown().dataset.secondsLeft).toBe("3597");
    expect($(target, "leases-target-name").textContent).toBe("Payroll API");

    $(target, "leases-secret-dismiss").click();
    await settle();
    expect(target.querySelector("[data-testid=leases-secret]")).toBeNull();
    expect(target.innerHTML).not.toContain(SECRET);

    $(target, "leases-renew").click();
    await settle();
    expect($(target, "leases-renew-preview").textContent).toContain("New expiry in 1h 00m 00s");
    type($(target, "leases-renew-ttl"), "2d");
    await settle();
    expect($(target, "leases-renew-preview").textContent).toContain("New expiry: 2d from now, at the latest");
    $(target, "leases-renew-confirm").click();
    await settle();
    expect(calls.find((c) => c.cmd === "leases_renew")!.args).toEqual({ leaseId: "aaaaaaaa-0000-4000-8000-000000000001", ttl: "2d" });
    expect($(target, "leases-renew-preview").textContent).toContain("above the max TTL of 'ci-deploy' (1d)");
    expect($(target, "leases-renew-ttl").getAttribute("aria-invalid")).toBe("true");
    expect(target.querySelector("[data-testid=error-banner]")).toBeNull();
    type($(target, "leases-renew-ttl"), " 2h ");
    await settle();
    expect($(target, "leases-renew-preview").textContent).toContain("New expiry: 2h from now");
    $(target, "leases-renew-confirm").click();
    await settle();
    expect(calls.filter((c) => c.cmd === "leases_renew").at(-1)!.args).toEqual({ leaseId: "aaaaaaaa-0000-4000-8000-000000000001", ttl: "2h" });

    $(target, "leases-revoke").click();
    await settle();
    expect(calls.some((c) => c.cmd === "leases_revoke")).toBe(false);
    $(target, "leases-revoke-confirm").click();
    await settle();
    expect(calls.find((c) => c.cmd === "leases_revoke")!.args).toEqual({ accountId: "oid.tid", leaseId: "aaaaaaaa-0000-4000-8000-000000000001" });
    expect($(target, "leases-row").dataset.status).toBe("revoked");
    expect(countdown().textContent).toBe("—");

    $(target, "leases-audit-export-csv").click();
    await settle();
    expect(calls.find((c) => c.cmd === "leases_export_audit")!.args).toEqual({ format: "csv" });
    expect($(target, "leases-audit-export-path").textContent).toContain("entra-leases-audit");
    unmount(screen);
    target.remove();
  });

  it("spells out a failing revocation", async () => {
    const { state } = backend("2026-03-01T12:00:00.000Z");
    state.leases = [lease({ status: "revoke-failed", revoke_attempts: 4, last_error: "Graph answered 503: Service Unavailable", next_attempt_at: "2026-03-01T12:08:00Z" })];
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(LeasesScreen, { target, props: { user } });
    await settle();
    expect($(target, "leases-status").textContent).toBe("Revoke failing");
    const detail = $(target, "leases-status-detail").textContent!;
    expect(detail).toContain("4 failed attempts");
    expect(detail).toContain("503: Service Unavailable");
    expect(detail).toContain("next attempt");
    expect($(target, "leases-revoke").textContent).toContain("Retry revoke");
    expect($(target, "leases-attention").textContent).toContain("1 needs attention");
    unmount(screen);
    target.remove();
  });

  it("defines user-password leases only after the tick, and sends an access-token secret on its own", async () => {
    const { calls } = backend("2026-03-01T12:00:00.000Z");
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(LeasesScreen, { target, props: { user } });
    await settle();
    // The cached apps are offered as app-secret targets.
    expect($(target, "leases-target-options").querySelector("option")!.getAttribute("value")).toBe(APP);

    type($(target, "leases-define-name"), "break-glass");
    choose($(target, "leases-define-kind"), "user-password");
    await settle();
    type($(target, "leases-define-target"), "99999999-2222-3333-4444-555555555555");
    expect($(target, "leases-define-warning").textContent).toContain("real account's password");
    $(target, "leases-define-submit").click();
    await settle();
    expect(calls.some((c) => c.cmd === "leases_define")).toBe(false);
    expect($(target, "leases-define-form").textContent).toContain("Tick the box");
    ($(target, "leases-define-ack") as HTMLInputElement).click();
    await settle();
    $(target, "leases-define-submit").click();
    await settle();
    const first = calls.find((c) => c.cmd === "leases_define")!;
    expect(first.args).toMatchObject({ accountId: "oid.tid", clientSecret: null, request: { name: "break-glass", kind: "user-password", acknowledge_password_reset: true } });

    type($(target, "leases-define-name"), "graph-token");
    choose($(target, "leases-define-kind"), "access-token");
    await settle();
    type($(target, "leases-define-target"), "https://graph.microsoft.com/.default");
    type($(target, "leases-define-client-id"), "77777777-2222-3333-4444-555555555555");
    type($(target, "leases-define-client-secret"), "client-s3cret");
    await settle();
    $(target, "leases-define-submit").click();
    await settle();
    const second = calls.filter((c) => c.cmd === "leases_define")[1]!;
    expect(second.args.clientSecret).toBe("client-s3cret");
    expect(JSON.stringify(second.args.request)).not.toContain("client-s3cret");
    expect(second.args.request).toMatchObject({ kind: "access-token", client_id: "77777777-2222-3333-4444-555555555555" });
    // The secret field is emptied after the attempt.
    expect(target.querySelector<HTMLInputElement>("[data-testid=leases-define-client-secret]")?.value ?? "").toBe("");
    unmount(screen);
    target.remove();
  });
});
