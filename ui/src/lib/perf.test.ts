import { afterEach, describe, expect, it, vi } from "vitest";
import { AppIndex, NO_FILTERS, type SortKey } from "./apps";
import { benchmarkFilterSort, syntheticInventory } from "./perf";

// Timings are numbers for the benchmark (tests/e2e/tests/apps.rs), not pass/fail: a wall-clock
// threshold here would be flaky, and "≥ 0" checks nothing. These tests count instead: what the
// benchmark's arithmetic gives on a clock the test drives, and how many rows each step sorts.

const KEYS: SortKey[] = ["name", "created", "nextExpiry", "credentials", "type", "appId", "audience"];

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `fn` and returns how many elements it sorted (plain and typed arrays, all sorts together). */
function rowsSorted(fn: () => void): number {
  const typedArrayPrototype = Object.getPrototypeOf(Float64Array.prototype) as { sort: (this: ArrayLike<number>, ...args: unknown[]) => unknown };
  const plain = vi.spyOn(Array.prototype, "sort");
  const typed = vi.spyOn(typedArrayPrototype, "sort");
  try {
    fn();
    const contexts = [...plain.mock.contexts, ...typed.mock.contexts] as ArrayLike<unknown>[];
    return contexts.reduce((sum, array) => sum + array.length, 0);
  } finally {
    plain.mockRestore();
    typed.mockRestore();
  }
}

describe("the webview benchmark", () => {
  it("builds a deterministic inventory", () => {
    const rows = syntheticInventory(50);
    expect(rows).toEqual(syntheticInventory(50));
    expect(new Set(rows.map((r) => r.id)).size).toBe(50);
  });

  it("reports each step per call, timing only the step", () => {
    // A clock that moves 1 ms per filter + sort and not otherwise: every number the benchmark
    // reports is then the count of queries per timed call, which is 1 for each step.
    let now = 0;
    vi.spyOn(performance, "now").mockImplementation(() => now);
    const query = AppIndex.prototype.query;
    vi.spyOn(AppIndex.prototype, "query").mockImplementation(function (this: AppIndex, ...args: Parameters<AppIndex["query"]>) {
      now += 1;
      return query.apply(this, args);
    });
    const b = benchmarkFilterSort(300);
    expect(b.rows).toBe(300);
    expect(b.indexMs).toBe(0);
    expect(Object.keys(b.firstSortMs).sort()).toEqual([...KEYS].sort());
    for (const key of KEYS) expect(b.firstSortMs[key], key).toBe(1);
    expect(b.keystrokeMs).toBe(1);
    expect(b.worstFilterSortMs).toBe(1);
  });
});

describe("the work a filter and sort does (what the benchmark times)", () => {
  const n = 2_000;
  const rows = syntheticInventory(n);

  it("sorts by a column once: the next query, a keystroke and the reverse order sort nothing", () => {
    for (const key of KEYS) {
      const index = new AppIndex(rows);
      const first = rowsSorted(() => index.query(NO_FILTERS, { key, dir: 1 }));
      // At least the rows themselves; at most twice (numeric columns break ties by name rank).
      expect(first, key).toBeGreaterThanOrEqual(n);
      expect(first, key).toBeLessThanOrEqual(2 * n + 10);
      expect(rowsSorted(() => index.query(NO_FILTERS, { key, dir: 1 })), key).toBe(0);
      for (const q of ["p", "pa", "pay", "payroll", "contoso 1"]) {
        expect(rowsSorted(() => index.query({ ...NO_FILTERS, query: q }, { key, dir: 1 })), `${key} ${q}`).toBe(0);
      }
      expect(rowsSorted(() => index.query({ ...NO_FILTERS, expired: true, noOwner: true }, { key, dir: 1 })), key).toBe(0);
      expect(rowsSorted(() => index.query(NO_FILTERS, { key, dir: -1 })), `${key} descending`).toBe(0);
    }
  });

  it("the counter sees a sort", () => {
    expect(rowsSorted(() => [3, 1, 2].sort())).toBe(3);
    expect(rowsSorted(() => new Float64Array([2, 1]).sort())).toBe(2);
    expect(rowsSorted(() => [3, 1, 2].map((x) => x))).toBe(0);
  });
});
