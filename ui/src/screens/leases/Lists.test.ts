// The Leases screen's lists a page at a time, in jsdom over mocked IPC: the table shows the first
// page of many leases and reads the next on "Show more" (the end scrolling into view does the same
// in the app), a poll reads the loaded rows again without losing them, the search (after a pause
// in typing), the state, the definition and a column's order go to the store as the query, and
// the empty table says whether a filter or the store is empty; the header's attention count and
// the definitions' live counts come from the overview's counts, which carry no lease; the audit
// log pages the same way and is filtered by action, by text and by one lease.
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import type { AuditEntry, LeasesQuery } from "../../lib/bindings";
import { $, backend, choose, definition, lease, open, settle, type } from "./testing";

const NOW = "2026-03-01T12:00:00.000Z";
const rows = (root: ParentNode) => [...root.querySelectorAll<HTMLElement>("[data-testid=leases-row]")];
const auditRows = (root: ParentNode) => [...root.querySelectorAll<HTMLElement>("[data-testid=leases-audit-row]")];
const id = (i: number) => `aaaaaaaa-0000-4000-8000-${String(i).padStart(12, "0")}`;

/** A store of `n` leases (every fifth revoked, every seventh of "nightly") and two audit lines each. */
function bigStore(n: number) {
  const b = backend(NOW);
  b.state.definitions = [definition, { ...definition, name: "nightly" }];
  b.state.leases = Array.from({ length: n }, (_, i) =>
    lease({ id: id(i), status: i % 5 === 0 ? "revoked" : i % 11 === 0 ? "revokeFailed" : "active", definition: i % 7 === 0 ? "nightly" : "ci-deploy" }),
  );
  b.state.audit = Array.from({ length: 2 * n }, (_, k): AuditEntry => {
    const seq = 2 * n - k;
    return { seq, at: NOW, action: seq % 2 === 0 ? "issued" : "intent", leaseId: id(Math.floor((seq - 1) / 2)), definition: "ci-deploy", target: null, actor: "admin@demo", detail: `line ${seq}`, requestId: null, databaseUser: null };
  });
  return b;
}

const queries = (calls: Array<{ cmd: string; args: Record<string, unknown> }>, cmd = "leases_list") =>
  calls.filter((c) => c.cmd === cmd).map((c) => c.args.query as LeasesQuery);

describe("the Leases screen's lists", () => {
  afterEach(() => {
    clearMocks();
    vi.useRealTimers();
  });

  it("shows a page of the leases, reads the next on demand, and keeps them on a read again", async () => {
    const { calls } = bigStore(130);
    const { target, done } = open();
    await settle();
    expect(calls.find((c) => c.cmd === "leases_overview")).toBeDefined();
    expect(rows(target)).toHaveLength(100);
    expect($(target, "leases-table").dataset.total).toBe("130");
    expect($(target, "leases-matched").textContent).toBe("130 leases");
    expect($(target, "leases-more").textContent).toContain("100 of 130 shown");
    expect(queries(calls)[0]).toEqual({ state: "all", descending: false, start: 0, limit: 100 });

    $(target, "leases-more").click();
    await settle();
    expect(queries(calls).at(-1)).toMatchObject({ start: 100, limit: 100 });
    expect(rows(target)).toHaveLength(130);
    expect(target.querySelector("[data-testid=leases-more]")).toBeNull();

    // Something changed (an action, a poll, a teammate): the 130 rows are read again from the top.
    $(target, "leases-reconcile").click();
    await settle();
    expect(queries(calls).at(-1)).toMatchObject({ start: 0, limit: 130 });
    expect(rows(target)).toHaveLength(130);
    done();
  }, 20_000);

  it("takes the counts from the overview: the attention badge and each definition's live leases", async () => {
    bigStore(250);
    const { target, done } = open();
    await settle();
    // Only the first page is loaded, yet the counts are the store's.
    expect($(target, "leases-attention").textContent).toContain("18 need attention");
    const live = (name: string) => $(target, `[data-testid=leases-definition][data-name=${name}]`).textContent;
    expect(live("ci-deploy")).toContain("172 live");
    expect(live("nightly")).toContain("28 live");
    done();
  }, 20_000);

  it("asks the store for the search after a pause in typing, and for a state or definition at once", async () => {
    const { calls } = bigStore(250);
    const { target, done } = open();
    await settle();
    type($(target, "leases-search"), "0000000001");
    type($(target, "leases-search"), "00000000012");
    await settle();
    expect(queries(calls).some((q) => q.search !== undefined)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    await settle();
    expect(queries(calls).filter((q) => q.search !== undefined)).toEqual([{ state: "all", descending: false, start: 0, limit: 100, search: "00000000012" }]);
    expect(rows(target).map((r) => r.dataset.leaseId)).toEqual([id(12), id(120), id(121), id(122), id(123), id(124), id(125), id(126), id(127), id(128), id(129)]);

    choose($(target, "leases-state"), "ended");
    await settle();
    expect(queries(calls).at(-1)).toMatchObject({ state: "ended", search: "00000000012", start: 0 });
    expect(rows(target).map((r) => r.dataset.leaseId)).toEqual([id(120), id(125)]);
    choose($(target, "leases-definition-filter"), "nightly");
    await settle();
    expect(queries(calls).at(-1)).toMatchObject({ state: "ended", definition: "nightly" });
    expect(rows(target)).toHaveLength(0);
    expect($(target, "leases-empty").textContent).toBe("No lease matches the search and filters.");
    expect($(target, "leases-matched").textContent).toBe("0 leases");
    done();
  }, 20_000);

  it("sorts by a column's header in the store: a second click turns it around", async () => {
    const { calls } = bigStore(30);
    const { target, done } = open();
    await settle();
    const th = (key: string) => $(target, `leases-sort-${key}`).closest("th")!;
    expect(th("issued").getAttribute("aria-sort")).toBe("descending");
    expect(th("expires").getAttribute("aria-sort")).toBe("none");
    $(target, "leases-sort-expires").click();
    await settle();
    expect(queries(calls).at(-1)).toMatchObject({ sort: "expires", descending: false, start: 0 });
    expect(th("expires").getAttribute("aria-sort")).toBe("ascending");
    expect(th("issued").getAttribute("aria-sort")).toBe("none");
    $(target, "leases-sort-expires").click();
    await settle();
    expect(queries(calls).at(-1)).toMatchObject({ sort: "expires", descending: true });
    expect(th("expires").getAttribute("aria-sort")).toBe("descending");
    // The column's name stays its text (the arrow is only on the sorted one).
    expect(th("issuedBy").textContent).toBe("Issued by");
    done();
  }, 20_000);

  it("says the store is empty when it is, and waits for the first page before saying anything", async () => {
    backend(NOW);
    const { target, done } = open();
    expect(target.querySelector("[data-testid=leases-empty]")).toBeNull();
    await settle();
    expect($(target, "leases-empty").textContent).toContain("No lease yet");
    expect(target.querySelector("[data-testid=leases-loading]")).toBeNull();
    done();
  });

  it("pages the audit log and filters it by action, by text and by one lease", async () => {
    const { calls } = bigStore(120);
    const { target, done } = open();
    await settle();
    expect(auditRows(target)).toHaveLength(100);
    expect($(target, "leases-audit-table").dataset.total).toBe("240");
    $(target, "leases-audit-more").click();
    await settle();
    expect(auditRows(target)).toHaveLength(200);
    expect(calls.filter((c) => c.cmd === "leases_audit").at(-1)!.args.query).toEqual({ descending: false, start: 100, limit: 100 });

    choose($(target, "leases-audit-action"), "intent");
    await settle();
    expect(calls.filter((c) => c.cmd === "leases_audit").at(-1)!.args.query).toEqual({ descending: false, start: 0, limit: 100, action: "intent" });
    expect(auditRows(target).every((r) => r.dataset.action === "intent")).toBe(true);
    expect($(target, "leases-audit-table").dataset.total).toBe("120");

    // A lease's ID in a line keeps that lease's lines.
    ($(target, "leases-audit-lease") as HTMLButtonElement).click();
    await settle();
    expect(calls.filter((c) => c.cmd === "leases_audit").at(-1)!.args.query).toMatchObject({ action: "intent", leaseId: id(119) });
    expect(auditRows(target).map((r) => r.dataset.leaseId)).toEqual([id(119)]);
    expect($(target, "leases-audit-lease-filter").textContent).toContain("lease");
    $(target, "[data-testid=leases-audit-lease-filter] button").click();
    choose($(target, "leases-audit-action"), "");
    await settle();
    type($(target, "leases-audit-search"), "line 7");
    await new Promise((r) => setTimeout(r, 300));
    await settle();
    expect(auditRows(target).map((r) => r.textContent).every((t) => t!.includes("line 7"))).toBe(true);
    expect(auditRows(target)).toHaveLength(11);
    type($(target, "leases-audit-search"), "no such line");
    await new Promise((r) => setTimeout(r, 300));
    await settle();
    expect($(target, "leases-audit-empty").textContent).toBe("No line matches.");
    done();
  }, 20_000);
});
