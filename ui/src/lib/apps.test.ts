import { describe, expect, it } from "vitest";
import type { AppRow } from "./bindings";
import { syntheticInventory } from "./perf";
import { AppIndex, NO_FILTERS, REFRESH_START, describeProgress, foldProgress, progressFraction, type AppFilters, type SortKey } from "./apps";

const inventory = syntheticInventory;

const f = (extra: Partial<AppFilters>): AppFilters => ({ ...NO_FILTERS, ...extra });

describe("AppIndex", () => {
  const rows = inventory(500);
  const index = new AppIndex(rows);

  it("searches name and appId, case-insensitive, ignoring surrounding blanks", () => {
    const hits = index.select(f({ query: "  PAYROLL " }), { key: "name", dir: 1 });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((r) => r.displayName.toLowerCase().includes("payroll"))).toBe(true);
    expect(hits.length).toBe(rows.filter((r) => r.displayName.toLowerCase().includes("payroll")).length);
    const byAppId = index.select(f({ query: rows[123]!.appId.toUpperCase() }), { key: "name", dir: 1 });
    expect(byAppId.map((r) => r.id)).toEqual(["obj-123"]);
  });

  it("does not match across the name/appId boundary", () => {
    const r = rows[7]!;
    const across = `${r.displayName.slice(-2)}${r.appId.slice(0, 2)}`.toLowerCase();
    const hits = index.select(f({ query: across }), { key: "name", dir: 1 });
    expect(hits.some((h) => h.id === r.id && !`${h.displayName}${h.appId}`.toLowerCase().includes(across))).toBe(false);
  });

  it("filters by audience, type, expired credentials and no owner", () => {
    const sort = { key: "name" as const, dir: 1 as const };
    expect(index.select(f({ audience: "AzureADMyOrg" }), sort).every((r) => r.signInAudience === "AzureADMyOrg")).toBe(true);
    expect(index.select(f({ objectType: "servicePrincipal" }), sort).every((r) => r.objectType === "servicePrincipal")).toBe(true);
    const expired = index.select(f({ expired: true }), sort);
    expect(expired.length).toBe(rows.filter((r) => r.expiredCount > 0).length);
    const orphans = index.select(f({ noOwner: true }), sort);
    expect(orphans.length).toBeGreaterThan(0);
    expect(orphans.every((r) => r.owners !== null && r.owners.length === 0)).toBe(true);
    const both = index.select(f({ expired: true, noOwner: true }), sort);
    expect(both.every((r) => r.expiredCount > 0 && r.owners?.length === 0)).toBe(true);
  });

  it("sorts every column both ways, blanks last", () => {
    const keys: SortKey[] = ["name", "type", "appId", "audience", "created", "credentials", "nextExpiry"];
    for (const key of keys) {
      for (const dir of [1, -1] as const) {
        const out = index.select(NO_FILTERS, { key, dir });
        expect(out.length).toBe(rows.length);
        const val = (r: AppRow): string | number | null =>
          key === "name" ? r.displayName.toLowerCase()
          : key === "type" ? (r.objectType === "application" ? 0 : 1)
          : key === "appId" ? r.appId.toLowerCase()
          : key === "audience" ? r.signInAudience
          : key === "created" ? (r.created ? Date.parse(r.created) : null)
          : key === "credentials" ? r.credentialCount
          : r.nextExpiry ? Date.parse(r.nextExpiry) : null;
        const vals = out.map(val);
        const firstBlank = vals.indexOf(null);
        if (firstBlank >= 0) expect(vals.slice(firstBlank).every((v) => v === null)).toBe(true);
        const present = firstBlank >= 0 ? vals.slice(0, firstBlank) : vals;
        for (let i = 1; i < present.length; i++) {
          const [a, b] = [present[i - 1]!, present[i]!];
          if (dir === 1) expect(a <= b, `${key} asc at ${i}: ${a} > ${b}`).toBe(true);
          else expect(a >= b, `${key} desc at ${i}: ${a} < ${b}`).toBe(true);
        }
      }
    }
  });

  it("keeps the filter result in sort order and caches the order", () => {
    const sort = { key: "created" as const, dir: -1 as const };
    const order = index.order(sort);
    expect(index.order(sort)).toBe(order);
    const hits = index.query(f({ query: "sales" }), sort);
    const pos = new Map(Array.from(order).map((i, k) => [i, k]));
    for (let k = 1; k < hits.length; k++) expect(pos.get(hits[k]!)! > pos.get(hits[k - 1]!)!).toBe(true);
  });

  it("warms the orders of every column, one per scheduled step", () => {
    const fresh = new AppIndex(rows);
    const queue: Array<() => void> = [];
    fresh.warm((fn) => queue.push(fn));
    let steps = 0;
    while (queue.length > 0) {
      queue.shift()!();
      steps++;
    }
    expect(steps).toBe(8); // 7 columns, then the step that finds nothing left
    const cached = fresh.order({ key: "audience", dir: 1 });
    expect(fresh.order({ key: "audience", dir: 1 })).toBe(cached);
  });

  it("treats rows whose owners are still loading as unknown, not ownerless", () => {
    const loading = new AppIndex([{ ...rows[0]!, owners: null }]);
    expect(loading.select(f({ noOwner: true }), { key: "name", dir: 1 })).toEqual([]);
  });

  it("filters and sorts 10,000 rows within a frame (measured, reported; only correctness asserted)", () => {
    const big = inventory(10_000);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const time = (fn: () => void) => {
      const t = performance.now();
      fn();
      return performance.now() - t;
    };
    // Warm the JIT on another inventory, as a running app would be after its first load.
    const warm = new AppIndex(inventory(10_000));
    for (const key of ["name", "created", "appId"] as const) warm.query(f({ query: "pay" }), { key, dir: 1 });

    // Once per data load: the index, then the first (name) order.
    const builds: number[] = [];
    const nameSorts: number[] = [];
    const dateSorts: number[] = [];
    const stringSorts: number[] = [];
    let idx = new AppIndex(big);
    let firstSort: number[] = [];
    for (let round = 0; round < 5; round++) {
      builds.push(time(() => (idx = new AppIndex(big))));
      nameSorts.push(time(() => (firstSort = idx.query(NO_FILTERS, { key: "name", dir: 1 }))));
      // A click on another column before idle warming got to it: sort + filter.
      dateSorts.push(time(() => idx.query(f({ query: "contoso" }), { key: "created", dir: 1 })));
      stringSorts.push(time(() => idx.query(f({ query: "contoso" }), { key: "appId", dir: 1 })));
    }

    // A typing session, repeated: each keystroke filters the cached order again.
    const typed = ["p", "pa", "pay", "payr", "payro", "payrol", "payroll", "payroll 1"];
    const keystrokes: number[] = [];
    let last: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const q of typed) keystrokes.push(time(() => (last = idx.query(f({ query: q, expired: q.length > 6 }), { key: "name", dir: 1 }))));
    }

    // Header clicks once the orders were warmed in idle time: direction flips and column changes.
    idx.warm((fn) => fn());
    const clicks: number[] = [];
    let desc: number[] = [];
    for (const key of ["created", "nextExpiry", "credentials", "type", "audience", "appId", "name"] as const) {
      for (const dir of [1, -1] as const) clicks.push(time(() => (desc = idx.query(f({ query: "contoso" }), { key, dir }))));
    }

    console.info(
      `[perf] 10,000 rows, medians: index build ${median(builds).toFixed(2)} ms and first sort by name ${median(nameSorts).toFixed(2)} ms (once per data load); ` +
        `keystroke (filter over the cached order) ${median(keystrokes).toFixed(2)} ms (worst ${Math.max(...keystrokes).toFixed(2)}); ` +
        `header click after idle warming ${median(clicks).toFixed(2)} ms (worst ${Math.max(...clicks).toFixed(2)}); ` +
        `header click on a column not warmed yet: created ${median(dateSorts).toFixed(2)} ms (packed numeric sort), appId ${median(stringSorts).toFixed(2)} ms (string comparator)`,
    );
    expect(firstSort.length).toBe(10_000);
    expect(last.length).toBeGreaterThan(0);
    expect(last.every((i) => big[i]!.displayName.toLowerCase().includes("payroll 1") && big[i]!.expiredCount > 0)).toBe(true);
    expect(desc.every((i) => big[i]!.displayName.toLowerCase().includes("contoso"))).toBe(true);
  });
});

describe("refresh progress", () => {
  it("folds the channel's messages into one line", () => {
    let s = REFRESH_START;
    s = foldProgress(s, { stage: "page", collection: "applications", items: 100 });
    s = foldProgress(s, { stage: "page", collection: "servicePrincipals", items: 40 });
    expect(describeProgress(s)).toBe("Reading: 100 app registrations, 40 service principals");
    expect(progressFraction(s)).toBeNull();
    s = foldProgress(s, { stage: "throttled", seconds: 3 });
    expect(describeProgress(s)).toContain("waiting 3 s");
    s = foldProgress(s, { stage: "listReady", rows: 140 });
    expect(describeProgress(s)).toBe("List ready (140 rows) · owners…");
    s = foldProgress(s, { stage: "owners", done: 70, total: 140 });
    s = foldProgress(s, { stage: "retrying", attempt: 2, reason: "HTTP 503" });
    expect(describeProgress(s)).toBe("List ready (140 rows) · owners 70/140 · retrying (attempt 2: HTTP 503)");
    expect(progressFraction(s)).toBe(0.75);
  });
});
