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
import type { AuditEntry, Definition, IssuedLease, Lease, LeasesOverview } from "../../lib/bindings";
import { demoUser } from "../../lib/testing";

const user = demoUser();

const APP = "11111111-2222-3333-4444-555555555555";
const SECRET = "abc8Q~0123456789012345678901234567890123";
const definition: Definition = { name: "ci-deploy", kind: "appSecret", target: APP, targetName: "Payroll API", clientId: null, ttlSecs: 3600, maxTtlSecs: 86_400, createdAt: "2026-03-01T10:00:00Z" };

function lease(over: Partial<Lease>): Lease {
  return {
    id: "aaaaaaaa-0000-4000-8000-000000000001",
    definition: "ci-deploy",
    kind: "appSecret",
    target: APP,
    status: "active",
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
        return { storeId: "store-1", leases: state.leases, definitions: state.definitions, now, lastMaintenance: null } satisfies LeasesOverview;
      case "leases_audit":
        return state.audit;
      case "apps_list":
        return { rows: [{ id: APP, objectType: "application", appId: "c-1", displayName: "Payroll API", signInAudience: null, created: null, credentialCount: 0, expiredCount: 0, nextExpiry: null, owners: [] }], asOf: null, stale: false };
      case "leases_issue": {
        const issued = lease({});
        state.leases = [issued];
        state.audit = [{ seq: 1, at: now, action: "issued", leaseId: issued.id, definition: "ci-deploy", target: APP, actor: "admin@demo", detail: "issued app secret", requestId: "req-1" }];
        return { lease: issued, secret: SECRET, usableAfterMs: null, warning: null } satisfies IssuedLease;
      }
      case "leases_renew":
        // The core reads the TTL (entra_core::duration) and refuses one above the max TTL; this stands in for it.
        if (args.ttl === "2d") throw { code: "invalid_input", message: "A TTL of 2d is above the max TTL of 'ci-deploy' (1d): ask for less. The lease was not changed", aadsts: null, correlationId: null, requestId: null, clientRequestId: null };
        return state.leases[0];
      case "leases_revoke":
        state.leases = [lease({ status: "revoked", endedAt: now })];
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
    // The definition's durations as the core read them (seconds), in words.
    expect($(target, "[data-testid=leases-definition][data-name=ci-deploy]").textContent).toContain("TTL 1 hour · max 1 day");

    type($(target, "leases-issue-ttl"), "30m");
    $(target, "leases-issue").click();
    await settle();
    expect(calls.find((c) => c.cmd === "leases_issue")!.args).toEqual({ accountId: "oid.tid", request: { definition: "ci-deploy", ttl: "30m", waitUntilUsable: false } });
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
    state.leases = [lease({ status: "revokeFailed", revokeAttempts: 4, lastError: "Graph answered 503: Service Unavailable", nextAttemptAt: "2026-03-01T12:08:00Z" })];
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
    choose($(target, "leases-define-kind"), "userPassword");
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
    expect(first.args).toMatchObject({ accountId: "oid.tid", clientSecret: null, request: { name: "break-glass", kind: "userPassword", acknowledgePasswordReset: true } });

    type($(target, "leases-define-name"), "graph-token");
    choose($(target, "leases-define-kind"), "accessToken");
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
    expect(second.args.request).toMatchObject({ kind: "accessToken", clientId: "77777777-2222-3333-4444-555555555555" });
    // The secret field is emptied after the attempt.
    expect(target.querySelector<HTMLInputElement>("[data-testid=leases-define-client-secret]")?.value ?? "").toBe("");
    unmount(screen);
    target.remove();
  });
});
