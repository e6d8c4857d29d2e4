// The App registrations table's speed, measured inside the real webview: a
// deterministic synthetic inventory of any size, and `benchmarkFilterSort`,
// which the end-to-end test calls through `window.__entraDeskBench` to time
// filtering and sorting 10,000 rows in WebKit itself (the one-frame,
// 16 ms budget). Vitest uses the same inventory. Nothing in the app calls it.
import type { AppRow, ObjectType } from "./bindings";
import { AppIndex, NO_FILTERS, type SortKey } from "./apps";

const AUD = ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount", null];
const WORDS = ["Payroll", "Contoso", "Billing", "Intranet", "Fabrikam", "HR", "Sales", "Graph", "Portal", "Worker"];

/** A deterministic pseudo-random inventory of `n` rows. */
export function syntheticInventory(n: number): AppRow[] {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const rows: AppRow[] = [];
  for (let i = 0; i < n; i++) {
    const type: ObjectType = i % 3 === 0 ? "servicePrincipal" : "application";
    const hex = ((i * 2654435761) >>> 0).toString(16).padStart(8, "0");
    const creds = Math.floor(rand() * 4);
    const expired = creds > 0 && rand() < 0.2 ? 1 : 0;
    rows.push({
      id: `obj-${i}`,
      objectType: type,
      appId: `${hex}-0000-4000-8000-${String(i).padStart(12, "0")}`,
      displayName: `${WORDS[Math.floor(rand() * 10)]} ${WORDS[Math.floor(rand() * 10)]} ${i}`,
      signInAudience: AUD[Math.floor(rand() * AUD.length)] ?? null,
      created: rand() < 0.05 ? null : new Date(Date.UTC(2020, 0, 1) + Math.floor(rand() * 1.5e11)).toISOString(),
      credentialCount: creds,
      expiredCount: expired,
      nextExpiry: creds > expired ? new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 3e10)).toISOString() : null,
      owners: rand() < 0.1 ? null : rand() < 0.15 ? [] : [{ id: "u", ownerType: "user", displayName: "Adele", userPrincipalName: null, mail: null }],
    });
  }
  return rows;
}

/** Milliseconds per call of `fn`, averaged over `times` calls (WebKit's clock is coarse: one call may read 0). */
function timeEach(times: number, fn: () => void): number {
  const start = performance.now();
  for (let i = 0; i < times; i++) fn();
  return (performance.now() - start) / times;
}

/** What one benchmark run measured, in milliseconds. */
export interface FilterSortBenchmark {
  rows: number;
  /** Building the index once per data load. */
  indexMs: number;
  /** First sort by each key (computed once, then cached). */
  firstSortMs: Record<string, number>;
  /** A search keystroke over the cached order (mean of the typed prefixes). */
  keystrokeMs: number;
  /** The slowest single filter + sort of the set below. */
  worstFilterSortMs: number;
}

/** Times index, first sorts, keystrokes and combined filters on a synthetic inventory of `n` rows. */
export function benchmarkFilterSort(n: number): FilterSortBenchmark {
  const rows = syntheticInventory(n);
  let index = new AppIndex(rows);
  const indexMs = timeEach(5, () => (index = new AppIndex(rows)));
  const firstSortMs: Record<string, number> = {};
  const keys: SortKey[] = ["name", "created", "nextExpiry", "credentials", "type", "appId", "audience"];
  for (const key of keys) {
    // A fresh index each time, so each timing is a first (uncached) sort.
    const fresh = keys.map(() => new AppIndex(rows));
    let k = 0;
    firstSortMs[key] = timeEach(fresh.length, () => fresh[k++]!.query(NO_FILTERS, { key, dir: 1 }));
  }
  const prefixes = ["p", "pa", "pay", "payr", "payro", "payrol", "payroll", "payroll 1"];
  const keystrokeMs = prefixes.reduce((sum, q) => sum + timeEach(20, () => index.query({ ...NO_FILTERS, query: q }, { key: "name", dir: 1 })), 0) / prefixes.length;
  const combos = [
    { ...NO_FILTERS, query: "contoso" },
    { ...NO_FILTERS, expired: true },
    { ...NO_FILTERS, noOwner: true, objectType: "application" as const },
    { ...NO_FILTERS, audience: "AzureADMyOrg", query: "sales" },
  ];
  let worstFilterSortMs = 0;
  for (const filters of combos) {
    for (const key of keys) {
      for (const dir of [1, -1] as const) {
        worstFilterSortMs = Math.max(worstFilterSortMs, timeEach(5, () => index.query(filters, { key, dir })));
      }
    }
  }
  return { rows: n, indexMs, firstSortMs, keystrokeMs, worstFilterSortMs };
}

declare global {
  interface Window {
    /** For the end-to-end test only: runs `benchmarkFilterSort` in the real webview. */
    __entraDeskBench?: (n: number) => FilterSortBenchmark;
  }
}

/** Makes the benchmark reachable from WebDriver. */
export function installBenchmarkHook(): void {
  if (typeof window !== "undefined") window.__entraDeskBench = benchmarkFilterSort;
}
