// The Leases screen's paged lists: the first page, the next ones appended (a row pushed down into
// the next page by a newer one shown once), a read again from the top keeping as many rows as
// were loaded (in several calls past the core's page limit), an older answer dropped when a newer
// query or read went out, a failure reported and the rows kept; and the queries the filters make.
import { describe, expect, it } from "vitest";
import type { ListPage } from "../../lib/bindings";
import { GrowingList, MAX_PAGE_ROWS, NO_AUDIT_FILTERS, NO_LEASE_FILTERS, auditQuery, leaseQuery, narrowed, nextSort, type LeaseFilters, type Loaded } from "./paging";

/** A list of `n` rows "r0"… (or another prefix) served in pages, each call recorded; `rows` may change between calls. */
function server(n: number, prefix = "r") {
  const state = { rows: Array.from({ length: n }, (_, i) => `${prefix}${i}`), calls: [] as Array<[number, number]>, fail: false };
  const fetch = async (start: number, limit: number): Promise<ListPage<string>> => {
    state.calls.push([start, limit]);
    if (state.fail) throw new Error("the store is gone");
    const items = state.rows.slice(start, start + limit);
    const end = start + items.length;
    return { items, start, total: state.rows.length, next: end < state.rows.length ? end : null };
  };
  return { state, fetch };
}

function list(fetch: (start: number, limit: number) => Promise<ListPage<string>>, pageRows = 10) {
  const seen: Array<Loaded<string>> = [];
  const errors: unknown[] = [];
  const l = new GrowingList<string>(fetch, (r) => r, (s) => seen.push(s), (e) => errors.push(e), pageRows);
  return { l, seen, errors };
}

describe("GrowingList", () => {
  it("reads the first page, appends the next ones, and stops at the end", async () => {
    const { state, fetch } = server(25);
    const { l } = list(fetch);
    await l.reset(fetch);
    expect(l.loaded).toMatchObject({ total: 25, next: 10, loading: false });
    expect(l.loaded.items).toEqual(state.rows.slice(0, 10));
    await l.more();
    await l.more();
    expect(l.loaded.items).toEqual(state.rows);
    expect(l.loaded.next).toBeNull();
    await l.more();
    expect(state.calls).toEqual([[0, 10], [10, 10], [20, 10]]);
  });

  it("shows a row pushed down into the next page by a newer one once", async () => {
    const { state, fetch } = server(20);
    const { l } = list(fetch);
    await l.reset(fetch);
    state.rows.unshift("new");
    await l.more();
    // r9 was the last row of the first page; the newer row pushed it to the top of the second.
    expect(l.loaded.items).toEqual([...Array.from({ length: 10 }, (_, i) => `r${i}`), ...Array.from({ length: 9 }, (_, i) => `r${i + 10}`)]);
    expect(new Set(l.loaded.items).size).toBe(l.loaded.items.length);
  });

  it("reads the loaded rows again from the top, in several calls past the core's page limit", async () => {
    const { state, fetch } = server(2500);
    const { l } = list(fetch, 100);
    await l.reset(fetch);
    for (let i = 0; i < 11; i++) await l.more();
    expect(l.loaded.items).toHaveLength(1200);
    state.calls.length = 0;
    state.rows[5] = "changed";
    await l.refresh();
    expect(state.calls).toEqual([[0, MAX_PAGE_ROWS], [1000, 200]]);
    expect(l.loaded.items).toHaveLength(1200);
    expect(l.loaded.items[5]).toBe("changed");
    expect(l.loaded.next).toBe(1200);
  });

  it("drops the answer of an older query or read", async () => {
    const { fetch } = server(30);
    const gates: Array<() => void> = [];
    // Pages past the first (or every page, with `all`) wait until the test opens their gate.
    const gated = (all: boolean) => async (start: number, limit: number) => {
      if (all || start > 0) await new Promise<void>((r) => gates.push(r));
      return fetch(start, limit);
    };
    const { l } = list(fetch);
    await l.reset(gated(false));
    const pending = l.more();
    // A new query goes out while the old query's second page is on its way, and is answered first.
    const other = server(3, "o");
    await l.reset(other.fetch);
    expect(l.loaded.items).toEqual(["o0", "o1", "o2"]);
    gates.shift()!();
    await pending;
    expect(l.loaded.items).toEqual(["o0", "o1", "o2"]);
    // An older query's first page too.
    const first = l.reset(gated(true));
    const second = l.reset(other.fetch);
    await second;
    gates.shift()!();
    await first;
    expect(l.loaded).toMatchObject({ items: ["o0", "o1", "o2"], total: 3, next: null, loading: false });
  });

  it("reports a failure and keeps the rows it had", async () => {
    const { state, fetch } = server(30);
    const { l, errors } = list(fetch);
    await l.reset(fetch);
    state.fail = true;
    await l.more();
    await l.refresh();
    expect(errors).toHaveLength(2);
    expect(l.loaded).toMatchObject({ total: 30, next: 10, loading: false });
    expect(l.loaded.items).toHaveLength(10);
    state.fail = false;
    await l.more();
    expect(l.loaded.items).toHaveLength(20);
  });
});

describe("the screen's queries", () => {
  it("turns a column around on a second click, and starts another newest first or ascending", () => {
    expect(nextSort(null, "issued")).toEqual({ key: "issued", descending: false });
    expect(nextSort(null, "expires")).toEqual({ key: "expires", descending: false });
    expect(nextSort({ key: "expires", descending: false }, "expires")).toEqual({ key: "expires", descending: true });
    expect(nextSort({ key: "expires", descending: true }, "issued")).toEqual({ key: "issued", descending: true });
    expect(nextSort({ key: "issued", descending: true }, "issuedBy")).toEqual({ key: "issuedBy", descending: false });
  });

  it("sends only the filters that keep something, and Mine only where it applies", () => {
    expect(leaseQuery(NO_LEASE_FILTERS, "admin@demo", 0, 100)).toEqual({ state: "all", descending: false, start: 0, limit: 100 });
    const f: LeaseFilters = { search: "  payroll ", state: "live", definition: "ci", whose: "mine", sort: null };
    expect(leaseQuery(f, "admin@demo", 200, 100)).toEqual({ state: "live", descending: false, start: 200, limit: 100, search: "payroll", definition: "ci", issuedBy: "admin@demo" });
    expect(leaseQuery({ ...f, sort: { key: "expires", descending: true } }, null, 0, 100)).toMatchObject({ sort: "expires", descending: true });
    expect(leaseQuery(f, null, 0, 100).issuedBy).toBeUndefined();
    expect(narrowed(NO_LEASE_FILTERS)).toBe(false);
    expect(narrowed({ ...NO_LEASE_FILTERS, whose: "mine" })).toBe(false);
    expect(narrowed({ ...NO_LEASE_FILTERS, search: " x " })).toBe(true);
    expect(narrowed({ ...NO_LEASE_FILTERS, sort: { key: "expires", descending: false } })).toBe(false);
    expect(auditQuery(NO_AUDIT_FILTERS, 0, 100)).toEqual({ descending: false, start: 0, limit: 100 });
    expect(auditQuery({ search: "req-1", action: "revoked", leaseId: "l-1" }, 100, 100)).toEqual({ descending: false, start: 100, limit: 100, search: "req-1", action: "revoked", leaseId: "l-1" });
  });
});
