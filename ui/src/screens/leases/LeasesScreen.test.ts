// The Leases screen in jsdom over mocked IPC: a lease is issued from a
// definition and its secret shown once, then gone once dismissed; the
// countdown runs on the store's clock; renew sends the optional TTL; revoke
// asks first; a failing revocation shows its attempts, last error and next
// attempt; the define form insists on the tick for user passwords and sends an
// access-token client secret as its own argument; the audit log exports.
// Tenants: records of another tenant say so and cannot be issued or revoked
// here; unbound ones get a banner that binds them after a confirmation; a
// `wrong_tenant` refusal shows its message; maintenance counts what it left alone.
// A store found where it was not made gets a banner that records it as moved or
// copied after a confirmation; until then nothing that acts in a tenant is offered.
// The shared fixtures (the backend, the DOM helpers) are in ./testing.ts; the team store's bar, dialog,
// filter, column and live updates are tested in TeamStore.test.ts.
import { afterEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, unmount } from "svelte";
import { clearMocks } from "@tauri-apps/api/mocks";
import LeasesScreen from "./LeasesScreen.svelte";
import type { TenantBinding } from "../../lib/bindings";
import { demoTenant } from "../../lib/testing";
import { $, APP, SECRET, TOKEN, backend, button, choose, definition, lease, open, settle, type, user } from "./testing";

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
    expect(target.querySelector("[data-testid=leases-displaced]")).toBeNull();
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

  it("shows an access token with its own expiry, not its lease's", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
    vi.setSystemTime(new Date("2026-03-01T12:00:00Z"));
    const { state, calls } = backend("2026-03-01T12:00:00.000Z");
    const scope = "https://graph.microsoft.com/.default";
    state.definitions = [{ ...definition, name: "ci-token", kind: "accessToken", target: scope, targetName: null, clientId: APP }];
    // A 30-minute lease whose token Entra honours for an hour.
    state.leases = [lease({ definition: "ci-token", kind: "accessToken", target: scope, expiresAt: "2026-03-01T12:30:00Z", keyId: null, hint: null, marker: null })];
    const { target, done } = open();
    await settle();
    $(target, "leases-show-token").click();
    await settle();
    expect(calls.find((c) => c.cmd === "leases_access_token")!.args).toEqual({ accountId: "oid.tid", leaseId: state.leases[0]!.id });
    expect(($(target, "leases-token-value") as HTMLInputElement).value).toBe(TOKEN);
    const panel = $(target, "leases-token").textContent!;
    expect(panel).toContain("valid at Entra until 2026-03-01T13:00:00Z (in 1h 00m 00s)");
    expect(panel).toContain("after the lease ends at 2026-03-01T12:30:00Z");
    $(target, "leases-token-dismiss").click();
    await settle();
    expect(target.innerHTML).not.toContain(TOKEN);
    done();
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

  describe("tenants", () => {
    const OTHER = "0d2a5a5e-1111-4222-8333-444455556666";
    const other: TenantBinding = { tenantId: OTHER, authority: `https://login.microsoftonline.com/${OTHER}/v2.0` };
    const SECOND = "aaaaaaaa-0000-4000-8000-000000000002";

    it("binds unbound records to the signed-in tenant only after a confirmation, then reloads and says what it did", async () => {
      const { state, calls } = backend("2026-03-01T12:00:00.000Z");
      state.definitions = [{ ...definition, tenant: null }];
      state.leases = [lease({ tenant: null })];
      const { target, done } = open();
      await settle();
      const banner = $(target, "leases-unbound");
      expect(banner.textContent).toContain("1 definition and 1 lease were recorded before Entra Desk bound leases to their tenant; nothing acts on them until you bind them.");
      expect(banner.textContent).toContain("Bind them to Demo (tenant tid) only if that is where they were made.");
      // Until bound, nothing acts on them from here either.
      expect(button(target, "leases-issue").disabled).toBe(true);
      expect(button(target, "leases-revoke").disabled).toBe(true);
      expect($(target, "leases-tenant").dataset.state).toBe("unbound");
      expect($(target, "leases-definition-tenant-hint").textContent).toContain("nothing acts on it until you bind it");
      expect($(target, "leases-tenant-hint").textContent).toContain("nothing acts on it until you bind it");

      $(target, "leases-bind").click();
      await settle();
      expect(calls.some((c) => c.cmd === "leases_bind")).toBe(false);
      const overviews = calls.filter((c) => c.cmd === "leases_overview").length;
      $(target, "leases-bind-confirm").click();
      await settle();
      expect(calls.filter((c) => c.cmd === "leases_bind").map((c) => c.args)).toEqual([{ accountId: "oid.tid" }]);
      expect(calls.filter((c) => c.cmd === "leases_overview").length).toBeGreaterThan(overviews);
      expect($(target, "leases-bind-report").textContent).toContain("Bound 1 definition and 1 lease to tenant tid (http://x/tid).");
      expect(target.querySelector("[data-testid=leases-unbound]")).toBeNull();
      expect($(target, "leases-tenant").dataset.state).toBe("mine");
      expect(button(target, "leases-issue").disabled).toBe(false);
      expect(button(target, "leases-revoke").disabled).toBe(false);
      expect(target.querySelector("[data-testid=leases-tenant-hint]")).toBeNull();
      done();
    });

    it("marks definitions and leases of another tenant and turns off what the core would refuse", async () => {
      const { state } = backend("2026-03-01T12:00:00.000Z");
      state.definitions = [definition, { ...definition, name: "other-ci", tenant: other }];
      state.leases = [lease({ definition: "other-ci", tenant: other }), lease({ id: SECOND }), lease({ id: "aaaaaaaa-0000-4000-8000-000000000003", tenant: other, status: "revoked" })];
      const { target, done } = open();
      await settle();
      expect(target.querySelector("[data-testid=leases-unbound]")).toBeNull();

      const theirs = $(target, "[data-testid=leases-definition][data-name=other-ci]");
      const tag = $(theirs, "leases-definition-tenant");
      expect(tag.dataset.state).toBe("other");
      expect(tag.textContent).toBe("tenant 0d2a5a5e…");
      expect(tag.title).toContain(OTHER);
      expect(button(theirs, "leases-issue").disabled).toBe(true);
      expect(button(theirs, "leases-issue").title).toContain(`Belongs to tenant ${OTHER}`);
      expect($(theirs, "leases-definition-tenant-hint").textContent).toContain(`Belongs to tenant ${OTHER}, not the signed-in account's (tid): sign in to it`);
      const ours = $(target, "[data-testid=leases-definition][data-name=ci-deploy]");
      expect($(ours, "leases-definition-tenant").dataset.state).toBe("mine");
      expect(button(ours, "leases-issue").disabled).toBe(false);
      expect(ours.querySelector("[data-testid=leases-definition-tenant-hint]")).toBeNull();

      const row = (id: string) => $(target, `[data-testid=leases-row][data-lease-id="${id}"]`);
      expect($(row("aaaaaaaa-0000-4000-8000-000000000001"), "leases-tenant").dataset.state).toBe("other");
      expect($(row("aaaaaaaa-0000-4000-8000-000000000001"), "leases-tenant").title).toBe(`Tenant ${OTHER} (${other.authority})`);
      expect(button(row("aaaaaaaa-0000-4000-8000-000000000001"), "leases-revoke").disabled).toBe(true);
      expect($(target, "[data-testid=leases-detail][data-lease-id=aaaaaaaa-0000-4000-8000-000000000001]").textContent).toContain(`Belongs to tenant ${OTHER}`);
      expect(button(row(SECOND), "leases-revoke").disabled).toBe(false);
      expect($(row(SECOND), "leases-tenant").textContent).toContain("tenant tid");
      // Only live leases need the hint: an ended one of another tenant has nothing left to do.
      expect(target.querySelectorAll("[data-testid=leases-tenant-hint]")).toHaveLength(1);
      done();
    });

    it("shows the core's wrong_tenant refusal with its message, in the banner", async () => {
      const { state } = backend("2026-03-01T12:00:00.000Z");
      const message = "The dynamic secret 'ci-deploy' belongs to tenant t1 (https://a/t1), but you are signed in to tenant tid (http://x/tid): sign in to its tenant and try again. Nothing was changed";
      state.issueRefusal = message;
      const { target, done } = open();
      await settle();
      $(target, "leases-issue").click();
      await settle();
      expect($(target, "error-message").textContent).toBe(message);
      expect(target.querySelector("[data-testid=leases-issue-problem]")).toBeNull();
      expect(target.querySelector("[data-testid=leases-secret]")).toBeNull();
      done();
    });

    it("counts in the maintenance line what a run left to another tenant", async () => {
      const { state } = backend("2026-03-01T12:00:00.000Z");
      state.lastMaintenance = { at: "2026-03-01T11:59:00Z", sweep: { expired: 0, recovered: 0, failing: 0, tokensRefreshed: 0, otherTenants: 2 }, reconcile: null, error: null };
      const { target, done } = open();
      await settle();
      expect($(target, "leases-maintenance").textContent).toContain("nothing to sweep, 2 of another tenant (or unbound) left alone.");
      done();
    });
  });

  describe("a store moved or copied", () => {
    const MESSAGE = "The lease store /home/admin/.local/share/entra-desk/leases.db was moved or copied (it was made at /mnt/old/leases.db, on host old-pc). Until you say which, Entra Desk neither issues, revokes, sweeps nor reconciles with it";
    const HINT = "The lease store was moved or copied: answer above first";

    /** Issue, Revoke, Show token and Reconcile: what acts in a tenant. */
    const actions = ["leases-issue", "leases-revoke", "leases-show-token", "leases-reconcile"];

    function displacedStore() {
      const b = backend("2026-03-01T12:00:00.000Z");
      b.state.displaced = MESSAGE;
      b.state.definitions = [definition, { ...definition, name: "graph-token", kind: "accessToken", target: "https://graph.microsoft.com/.default" }];
      b.state.leases = [
        lease({}),
        lease({ id: "aaaaaaaa-0000-4000-8000-000000000002", definition: "graph-token", kind: "accessToken", target: "https://graph.microsoft.com/.default" }),
        lease({ id: "aaaaaaaa-0000-4000-8000-000000000003", status: "revoked", endedAt: "2026-03-01T11:00:00Z" }),
      ];
      return b;
    }

    it("shows the core's explanation and turns off what acts in a tenant until moved is confirmed", async () => {
      const { calls } = displacedStore();
      const { target, done } = open();
      await settle();
      expect($(target, "leases-displaced-text").textContent).toBe(MESSAGE);
      for (const a of actions) {
        expect(button(target, a).disabled, a).toBe(true);
        expect(button(target, a).title, a).toBe(HINT);
      }
      // Renewing stays: it changes only the store.
      expect(button(target, "leases-renew").disabled).toBe(false);

      // Each answer restates its consequence first; Cancel asks nothing.
      $(target, "leases-relocate-copied").click();
      await settle();
      expect($(target, "leases-relocate-consequence").textContent).toBe("This copy gets a new store ID and leaves its 2 live leases to the original.");
      $(target, "[role=alertdialog] button").click();
      await settle();
      expect(target.querySelector("[data-testid=leases-relocate-consequence]")).toBeNull();
      $(target, "leases-relocate-moved").click();
      await settle();
      expect($(target, "leases-relocate-consequence").textContent).toBe("This becomes the store; the old folder must not be used any more.");
      expect(calls.some((c) => c.cmd === "leases_relocate")).toBe(false);

      $(target, "leases-relocate-confirm").click();
      await settle();
      expect(calls.filter((c) => c.cmd === "leases_relocate").map((c) => c.args)).toEqual([{ decision: "moved" }]);
      expect(target.querySelector("[data-testid=leases-displaced]")).toBeNull();
      expect($(target, "leases-relocate-report").textContent).toContain("Recorded as moved.");
      expect(target.textContent).toContain("store store-1");
      for (const a of actions) {
        expect(button(target, a).disabled, a).toBe(false);
        expect(button(target, a).title, a).not.toBe(HINT);
      }
      $(target, "[data-testid=leases-relocate-report] button").click();
      await settle();
      expect(target.querySelector("[data-testid=leases-relocate-report]")).toBeNull();
      done();
    });

    it("gives a copy its new store ID and says so", async () => {
      const { calls } = displacedStore();
      const { target, done } = open();
      await settle();
      $(target, "leases-relocate-copied").click();
      await settle();
      $(target, "leases-relocate-confirm").click();
      await settle();
      expect(calls.filter((c) => c.cmd === "leases_relocate").map((c) => c.args)).toEqual([{ decision: "copied" }]);
      expect(target.querySelector("[data-testid=leases-displaced]")).toBeNull();
      expect($(target, "leases-relocate-report").textContent).toContain("This copy is now store 7e57c0de5f0c4d2b9a1e3c5d7f9b1a2c; the original keeps its leases.");
      expect(target.textContent).toContain("store 7e57c0de5f0c4d2b9a1e3c5d7f9b1a2c");
      done();
    });

    it("asks as soon as issuing is refused with store_moved (the screen reads the store again after every action)", async () => {
      const { state } = backend("2026-03-01T12:00:00.000Z");
      state.displacedOnIssue = MESSAGE;
      const { target, done } = open();
      await settle();
      expect(target.querySelector("[data-testid=leases-displaced]")).toBeNull();
      $(target, "leases-issue").click();
      await settle();
      expect($(target, "error-message").textContent).toBe(MESSAGE);
      expect($(target, "leases-displaced-text").textContent).toBe(MESSAGE);
      expect(button(target, "leases-issue").disabled).toBe(true);
      done();
    });
  });
});
