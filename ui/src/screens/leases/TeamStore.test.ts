// The Leases screen with a team store, in jsdom over mocked IPC: the store bar
// says which store (and for a team store who maintains it, or that nobody
// does); the team store dialog refuses a URL with a password in it or of
// another scheme, tests the connection and shows what it found (or the core's
// message), switches with the URL and the typed password and then forgets the
// password, and goes back to this desktop's store; the table says who issued
// each lease and, in a team store, keeps the signed-in account's on "Mine"
// (asked of the store: `issuedBy` in the query; revoke stays on a teammate's lease); the audit log names the database user;
// a `leases-changed` event reads the store again, once per burst, and not
// after the screen is gone.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type { AuditEntry } from "../../lib/bindings";
import { $, CHECK, LEADER, TEAM_STORE, backend, button, lease, open, settle, type } from "./testing";

const NOW = "2026-03-01T12:00:00.000Z";
const URL_OK = "postgres://entra_desk@db.example.com/leases?sslmode=verify-full";
const PASSWORD = "hunter2-Pa55";

const rows = (root: ParentNode) => [...root.querySelectorAll<HTMLElement>("[data-testid=leases-row]")];
const overviews = (calls: Array<{ cmd: string }>) => calls.filter((c) => c.cmd === "leases_overview").length;
const dialogOf = (root: ParentNode) => root.querySelector<HTMLElement>("[data-testid=team-store-dialog]");
const input = (root: ParentNode, selector: string) => $(root, selector) as HTMLInputElement;

/** The backend on a team store, `leader` maintaining it (or nobody). */
function teamBackend(leader = true) {
  const b = backend(NOW);
  b.state.store = TEAM_STORE;
  b.state.leader = leader ? LEADER : null;
  return b;
}

async function openDialog(target: HTMLElement) {
  $(target, "#use-team-store").click();
  await settle();
  return dialogOf(target)!;
}

describe("the Leases screen with a team store", () => {
  afterEach(() => clearMocks());

  describe("the store bar", () => {
    it("names this desktop's store, offers a team store, and has no maintainer line or filter", async () => {
      backend(NOW);
      const { target, done } = open();
      await settle();
      const bar = $(target, "#store-bar");
      expect($(bar, "leases-store-label").textContent).toBe("This desktop's store · /home/admin/.local/share/entra-desk/leases.sqlite");
      expect(bar.querySelector("[data-testid=leases-store-leader]")).toBeNull();
      expect($(bar, "#use-team-store").textContent).toBe("Use a team store…");
      expect(target.querySelector("#leases-filter-mine")).toBeNull();
      expect(target.querySelector("#leases-filter-everyone")).toBeNull();
      done();
    });

    it("names the team store by host:port/database and its maintainer until when", async () => {
      teamBackend();
      const { target, done } = open();
      await settle();
      const bar = $(target, "#store-bar");
      expect(bar.dataset.kind).toBe("team");
      expect($(bar, "leases-store-label").textContent).toBe("Team store · db.example.com:5432/leases");
      expect($(bar, "leases-store-leader").textContent!.trim()).toBe("Maintained by alice@contoso.com@ws-17:4242 · until 12:01:30 UTC");
      expect($(bar, "#use-team-store").textContent).toBe("Change store…");
      done();
    });

    it("says when nobody maintains the team store", async () => {
      teamBackend(false);
      const { target, done } = open();
      await settle();
      expect($(target, "leases-store-leader").textContent!.trim()).toBe("No maintainer right now — expired leases wait for a member to take over");
      done();
    });
  });

  describe("the team store dialog", () => {
    it("refuses a URL with a password in it, or of another scheme, before calling the core", async () => {
      const { calls } = backend(NOW);
      const { target, done } = open();
      await settle();
      const dialog = await openDialog(target);
      expect(input(dialog, "#team-store-url").placeholder).toBe(URL_OK);
      const pw = input(dialog, "#team-store-password");
      expect(pw.type).toBe("password");
      expect(pw.getAttribute("autocomplete")).toBe("off");
      expect(dialog.textContent).toContain("Kept in the OS keychain, never in settings");
      expect(dialog.textContent).toContain("&auth=entra");

      for (const url of [`postgres://entra_desk:${PASSWORD}@db.example.com/leases`, `postgresql://db.example.com/leases?sslmode=verify-full&password=${PASSWORD}`]) {
        type($(dialog, "#team-store-url"), url);
        $(dialog, "#team-store-test").click();
        await settle();
        const problem = $(dialog, "team-store-url-problem").textContent!;
        expect(problem, url).toContain("type it in the Password field");
        expect(problem, url).not.toContain(PASSWORD);
        $(dialog, "#team-store-use").click();
        await settle();
      }
      type($(dialog, "#team-store-url"), "mysql://db.example.com/leases");
      $(dialog, "#team-store-use").click();
      await settle();
      expect($(dialog, "team-store-url-problem").textContent).toContain("starts with postgres:// or postgresql://");
      expect(input(dialog, "#team-store-url").getAttribute("aria-invalid")).toBe("true");
      expect(calls.filter((c) => c.cmd === "leases_check_store" || c.cmd === "leases_use_store")).toEqual([]);
      // This desktop's store is in use: nothing to go back to.
      expect(dialog.querySelector("#team-store-local")).toBeNull();
      done();
    });

    it("tests the connection, shows what it found, and forgets the password", async () => {
      const { calls } = backend(NOW);
      const { target, done } = open();
      await settle();
      const dialog = await openDialog(target);
      type($(dialog, "#team-store-url"), ` ${URL_OK} `);
      type($(dialog, "#team-store-password"), PASSWORD);
      $(dialog, "#team-store-test").click();
      await settle();
      expect(calls.filter((c) => c.cmd === "leases_check_store").map((c) => c.args)).toEqual([{ url: URL_OK, password: PASSWORD }]);
      const fact = (label: string) => $(dialog, `[data-testid=team-store-check-fact][data-label="${label}"]`).textContent;
      expect(fact("Server")).toBe(`${CHECK.location} · PostgreSQL 16.4`);
      expect(fact("Database user")).toBe("entra_desk");
      expect(fact("TLS")).toContain("yes");
      expect(fact("Schema version")).toBe("7");
      expect(fact("May write leases")).toBe("yes");
      expect(fact("Store ID")).toBe(CHECK.storeId);
      expect(input(dialog, "#team-store-password").value).toBe("");
      expect(target.innerHTML).not.toContain(PASSWORD);
      // Testing does not switch.
      expect(calls.some((c) => c.cmd === "leases_use_store")).toBe(false);
      expect($(target, "leases-store-label").textContent).toContain("This desktop's store");

      // Without a password typed, none is sent.
      $(dialog, "#team-store-test").click();
      await settle();
      expect(calls.filter((c) => c.cmd === "leases_check_store").at(-1)!.args).toEqual({ url: URL_OK, password: null });
      done();
    });

    it("shows the core's refusal of a test with its message, and forgets the password", async () => {
      const { state } = backend(NOW);
      const message = "PostgreSQL at db.example.com:5432 refused the password of entra_desk: check it and try again";
      state.storeRefusal = message;
      const { target, done } = open();
      await settle();
      const dialog = await openDialog(target);
      type($(dialog, "#team-store-url"), URL_OK);
      type($(dialog, "#team-store-password"), PASSWORD);
      $(dialog, "#team-store-test").click();
      await settle();
      expect($(dialog, "error-message").textContent).toBe(message);
      expect(dialog.querySelector("[data-testid=team-store-check]")).toBeNull();
      expect(input(dialog, "#team-store-password").value).toBe("");
      done();
    });

    it("uses the store with the URL and the password, replaces the overview, and forgets the password", async () => {
      const { calls } = backend(NOW);
      const { target, done } = open();
      await settle();
      let dialog = await openDialog(target);
      type($(dialog, "#team-store-url"), URL_OK);
      type($(dialog, "#team-store-password"), PASSWORD);
      $(dialog, "#team-store-use").click();
      await settle();
      expect(calls.filter((c) => c.cmd === "leases_use_store").map((c) => c.args)).toEqual([{ url: URL_OK, password: PASSWORD }]);
      expect(dialogOf(target)).toBeNull();
      expect($(target, "leases-store-label").textContent).toBe("Team store · db.example.com:5432/leases");
      expect($(target, "leases-store-leader").textContent).toContain("Maintained by alice@contoso.com@ws-17:4242");
      expect(target.innerHTML).not.toContain(PASSWORD);

      // Reopened, nothing of the password is left; from a team store, back to this desktop's.
      dialog = await openDialog(target);
      expect(input(dialog, "#team-store-password").value).toBe("");
      $(dialog, "#team-store-local").click();
      await settle();
      expect(calls.filter((c) => c.cmd === "leases_use_store").at(-1)!.args).toEqual({ url: null, password: null });
      expect(dialogOf(target)).toBeNull();
      expect($(target, "leases-store-label").textContent).toContain("This desktop's store");
      done();
    });

    it("keeps the dialog open with the core's message when the switch fails, the password gone", async () => {
      const { state } = backend(NOW);
      state.storeRefusal = "The team store at db.example.com:5432/leases has schema version 9; this Entra Desk knows up to 7: update Entra Desk";
      const { target, done } = open();
      await settle();
      const dialog = await openDialog(target);
      type($(dialog, "#team-store-url"), URL_OK);
      type($(dialog, "#team-store-password"), PASSWORD);
      $(dialog, "#team-store-use").click();
      await settle();
      expect($(dialog, "error-message").textContent).toBe(state.storeRefusal);
      expect(dialogOf(target)).not.toBeNull();
      expect(input(dialog, "#team-store-password").value).toBe("");
      expect($(target, "leases-store-label").textContent).toContain("This desktop's store");
      done();
    });
  });

  describe("the lease table and audit log", () => {
    const BOB = "aaaaaaaa-0000-4000-8000-00000000000b";
    const OLD = "aaaaaaaa-0000-4000-8000-00000000000c";

    function teamLeases() {
      const b = teamBackend();
      b.state.leases = [lease({}), lease({ id: BOB, issuedBy: "bob@contoso.com" }), lease({ id: OLD, issuedBy: null })];
      return b;
    }

    it("says who issued each lease", async () => {
      teamLeases();
      const { target, done } = open();
      await settle();
      expect(rows(target).map((r) => $(r, "leases-issued-by").textContent)).toEqual(["admin@demo", "bob@contoso.com", "—"]);
      expect([...target.querySelectorAll("[data-testid=leases-table] th")].map((th) => th.textContent)).toContain("Issued by");
      done();
    });

    it("shows everyone's leases in a team store until Mine is chosen (the store filters), and keeps revoke on a teammate's", async () => {
      const { calls } = teamLeases();
      const lastQuery = () => calls.filter((c) => c.cmd === "leases_list").at(-1)!.args.query as Record<string, unknown>;
      const { target, done } = open();
      await settle();
      const mine = button(target, "#leases-filter-mine");
      const everyone = button(target, "#leases-filter-everyone");
      expect($(target, "leases-filter").getAttribute("role")).toBe("group");
      expect(everyone.getAttribute("aria-pressed")).toBe("true");
      expect(mine.getAttribute("aria-pressed")).toBe("false");
      expect(rows(target).map((r) => r.dataset.leaseId)).toHaveLength(3);
      const bob = $(target, `[data-testid=leases-row][data-lease-id="${BOB}"]`);
      expect(button(bob, "leases-revoke").disabled).toBe(false);

      expect(lastQuery().issuedBy).toBeUndefined();
      mine.click();
      await settle();
      expect(mine.getAttribute("aria-pressed")).toBe("true");
      expect(lastQuery()).toMatchObject({ issuedBy: "admin@demo", start: 0 });
      expect(rows(target).map((r) => r.dataset.leaseId)).toEqual(["aaaaaaaa-0000-4000-8000-000000000001"]);
      everyone.click();
      await settle();
      expect(lastQuery().issuedBy).toBeUndefined();
      expect(rows(target)).toHaveLength(3);
      done();
    });

    it("says so when none of the team's leases is the signed-in account's", async () => {
      const { state } = teamBackend();
      state.leases = [lease({ issuedBy: "bob@contoso.com" })];
      const { target, done } = open();
      await settle();
      button(target, "#leases-filter-mine").click();
      await settle();
      expect(rows(target)).toHaveLength(0);
      expect($(target, "leases-empty").textContent).toBe("None of the team's 1 lease was issued by admin@demo.");
      done();
    });

    it("names the database user that wrote an audit line", async () => {
      const { state } = teamBackend();
      const line = (seq: number, databaseUser: string | null): AuditEntry => ({ seq, at: NOW, action: "revoked", leaseId: null, definition: "ci-deploy", target: null, actor: "bob@contoso.com", detail: "revoked", requestId: null, databaseUser });
      state.audit = [line(2, "entra_desk_bob"), line(1, null)];
      const { target, done } = open();
      await settle();
      expect([...target.querySelectorAll("[data-testid=leases-audit-actor]")].map((td) => td.textContent)).toEqual(["bob@contoso.com (db: entra_desk_bob)", "bob@contoso.com"]);
      done();
    });
  });

  describe("live updates", () => {
    it("reads the store again once per burst of leases-changed, and stops listening when the screen goes", async () => {
      const { state, calls } = teamBackend();
      const { target, done } = open();
      await settle();
      const before = overviews(calls);
      expect(rows(target)).toHaveLength(0);

      // A teammate issues a lease; the core announces it (several times: a burst is one read).
      state.leases = [lease({ issuedBy: "bob@contoso.com" })];
      await emit("leases-changed");
      await emit("leases-changed");
      await emit("leases-changed");
      await settle();
      expect(overviews(calls)).toBe(before);
      await new Promise((r) => setTimeout(r, 300));
      await settle();
      expect(overviews(calls)).toBe(before + 1);
      expect(calls.filter((c) => c.cmd === "leases_audit")).toHaveLength(before + 1);
      expect(rows(target)).toHaveLength(1);
      expect($(target, "leases-issued-by").textContent).toBe("bob@contoso.com");

      done();
      await emit("leases-changed");
      await new Promise((r) => setTimeout(r, 300));
      expect(overviews(calls)).toBe(before + 1);
    });
  });
});
