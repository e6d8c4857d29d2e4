import { describe, expect, it } from "vitest";
import { benchmarkFilterSort, syntheticInventory } from "./perf";

describe("the webview benchmark", () => {
  it("builds a deterministic inventory and times every step", () => {
    expect(syntheticInventory(50)).toEqual(syntheticInventory(50));
    const b = benchmarkFilterSort(2_000);
    expect(b.rows).toBe(2_000);
    expect(Object.keys(b.firstSortMs).sort()).toEqual(["appId", "audience", "created", "credentials", "name", "nextExpiry", "type"]);
    for (const v of [b.indexMs, b.keystrokeMs, b.worstFilterSortMs, ...Object.values(b.firstSortMs)]) expect(v).toBeGreaterThanOrEqual(0);
  });
});
