// The App registrations screen's logic: the screen's filters and sort as the
// core's query (`appsQuery`: the core searches, filters and sorts the cache and
// sends a page at a time, lib/paged.ts), the refresh progress as words, and
// "as of" times. Pure; tested in apps.test.ts.
//
// `AppIndex` below is the in-memory filter and sort the screen used before it
// was paged; it stays only for the webview benchmark hook (lib/perf.ts,
// `window.__entraDeskBench`, which tests/e2e/tests/apps.rs prints).
//
// How the 16 ms budget is met: everything that depends only on the data is
// computed once per data load (`AppIndex` constructor: a lowercase haystack of
// name + appId per row, numeric dates, owner flags), and each sort order is
// computed at most once per data load and cached. A keystroke in the search
// box then costs one linear pass over the cached order with `String#includes`
// and a few flag checks — no sorting, no lowercasing, no date parsing.
import type { AppRow, ObjectType, SyncProgress } from "./bindings";
import type { AppsFilter } from "./api/apps";

export type SortKey = "name" | "type" | "appId" | "audience" | "created" | "credentials" | "nextExpiry";
export type SortDir = 1 | -1;
export interface SortSpec {
  key: SortKey;
  dir: SortDir;
}

export interface AppFilters {
  /** Search text: matches the display name or the appId, case-insensitive. */
  query: string;
  /** Only this sign-in audience (null: any). */
  audience: string | null;
  /** Only app registrations or only service principals (null: both). */
  objectType: ObjectType | null;
  /** Only objects with at least one expired credential. */
  expired: boolean;
  /** Only objects known to have no owner (rows whose owners are still loading are left out). */
  noOwner: boolean;
}

export const NO_FILTERS: AppFilters = { query: "", audience: null, objectType: null, expired: false, noOwner: false };

export const AUDIENCES: ReadonlyArray<{ id: string; label: string }> = [
  { id: "AzureADMyOrg", label: "My organization" },
  { id: "AzureADMultipleOrgs", label: "Any organization" },
  { id: "AzureADandPersonalMicrosoftAccount", label: "Any org + personal" },
  { id: "PersonalMicrosoftAccount", label: "Personal accounts" },
];

/** The core's query for the screen's filters and sort (entra_core::apps::AppsQuery; its sort keys are the column ids). */
export function appsQuery(filters: AppFilters, sort: SortSpec): AppsFilter {
  const search = filters.query.trim();
  return {
    ...(search === "" ? {} : { search }),
    sort: sort.key,
    descending: sort.dir === -1,
    ...(filters.objectType === null ? {} : { objectType: filters.objectType }),
    ...(filters.audience === null ? {} : { audience: filters.audience }),
    expired: filters.expired,
    noOwner: filters.noOwner,
  };
}

export function audienceLabel(audience: string | null): string {
  if (!audience) return "—";
  return AUDIENCES.find((a) => a.id === audience)?.label ?? audience;
}

export function typeLabel(type: ObjectType): string {
  return type === "application" ? "App registration" : "Service principal";
}

/** Parses an RFC 3339 time to milliseconds; NaN for null or garbage. */
function time(value: string | null): number {
  return value ? Date.parse(value) : Number.NaN;
}

/** An index over one data load: precomputed keys, cached sort orders. */
export class AppIndex {
  readonly rows: readonly AppRow[];
  private readonly haystack: string[];
  private readonly nameKey: string[];
  private readonly appIdKey: string[];
  private readonly audience: (string | null)[];
  private readonly created: Float64Array;
  private readonly nextExpiry: Float64Array;
  private readonly credentials: Int32Array;
  private readonly expired: Uint8Array;
  private readonly noOwner: Uint8Array;
  private readonly isApp: Uint8Array;
  private readonly orders = new Map<string, Uint32Array>();

  constructor(rows: readonly AppRow[]) {
    this.rows = rows;
    const n = rows.length;
    this.haystack = new Array<string>(n);
    this.nameKey = new Array<string>(n);
    this.appIdKey = new Array<string>(n);
    this.audience = new Array<string | null>(n);
    this.created = new Float64Array(n);
    this.nextExpiry = new Float64Array(n);
    this.credentials = new Int32Array(n);
    this.expired = new Uint8Array(n);
    this.noOwner = new Uint8Array(n);
    this.isApp = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const name = r.displayName.toLowerCase();
      const appId = r.appId.toLowerCase();
      this.nameKey[i] = name;
      this.appIdKey[i] = appId;
      // A separator no search text contains, so a query never matches across the two fields.
      this.haystack[i] = `${name}\u0000${appId}`;
      this.audience[i] = r.signInAudience;
      this.created[i] = time(r.created);
      this.nextExpiry[i] = time(r.nextExpiry);
      this.credentials[i] = r.credentialCount;
      this.expired[i] = r.expiredCount > 0 ? 1 : 0;
      this.noOwner[i] = r.owners !== null && r.owners.length === 0 ? 1 : 0;
      this.isApp[i] = r.objectType === "application" ? 1 : 0;
    }
  }

  get size(): number {
    return this.rows.length;
  }

  /** Row indices in `sort` order; computed once per key and direction, then cached. */
  order(sort: SortSpec): Uint32Array {
    const cacheKey = `${sort.key}:${sort.dir}`;
    const cached = this.orders.get(cacheKey);
    if (cached) return cached;
    let order: Uint32Array;
    if (sort.dir === -1) {
      // Descending is the ascending order reversed (blanks stay last): O(n) once the ascending one exists.
      order = this.reverseKeepingBlanksLast(this.order({ key: sort.key, dir: 1 }), sort.key);
    } else {
      const packed = this.packedKey(sort.key);
      if (packed) {
        order = this.packedOrder(packed);
      } else {
        // A plain array sorts faster with a comparator than a typed array does in V8.
        const indices = new Array<number>(this.rows.length);
        for (let i = 0; i < indices.length; i++) indices[i] = i;
        indices.sort(this.comparator(sort.key));
        order = Uint32Array.from(indices);
      }
    }
    this.orders.set(cacheKey, order);
    return order;
  }

  /** The descending order from the ascending one in O(n): blanks (missing dates) stay last. */
  private reverseKeepingBlanksLast(ascending: Uint32Array, key: SortKey): Uint32Array {
    const blank = (i: number) => (key === "created" ? Number.isNaN(this.created[i]!) : key === "nextExpiry" ? Number.isNaN(this.nextExpiry[i]!) : key === "audience" ? this.audience[i] === null : false);
    const out = new Uint32Array(ascending.length);
    let k = 0;
    for (let j = ascending.length - 1; j >= 0; j--) if (!blank(ascending[j]!)) out[k++] = ascending[j]!;
    for (let j = 0; j < ascending.length; j++) if (blank(ascending[j]!)) out[k++] = ascending[j]!;
    return out;
  }

  private rankCache: Uint32Array | null = null;
  /** Each row's position in name order. */
  private nameRank(): Uint32Array {
    if (this.rankCache) return this.rankCache;
    const order = this.order({ key: "name", dir: 1 });
    const rank = new Uint32Array(order.length);
    for (let k = 0; k < order.length; k++) rank[order[k]!] = k;
    this.rankCache = rank;
    return rank;
  }

  /**
   * Computes the orders not cached yet, one per call of `schedule` (e.g. an
   * idle callback), so a click on any column header finds its order ready.
   */
  warm(schedule: (fn: () => void) => void, keys: readonly SortKey[] = ["name", "created", "nextExpiry", "credentials", "type", "appId", "audience"]): void {
    const todo = keys.filter((k) => !this.orders.has(`${k}:1`));
    const step = () => {
      const key = todo.shift();
      if (key === undefined) return;
      this.order({ key, dir: 1 });
      schedule(step);
    };
    schedule(step);
  }

  /** The numeric key of a column sorted by packing (NaN = blank), or null for the string columns. */
  private packedKey(key: SortKey): ArrayLike<number> | null {
    const n = this.rows.length;
    switch (key) {
      case "created":
      case "nextExpiry": {
        // Whole seconds: ties within a second fall back to name order.
        const ms = key === "created" ? this.created : this.nextExpiry;
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = Math.floor(ms[i]! / 1000);
        return out;
      }
      case "credentials":
        return this.credentials;
      case "type": {
        // App registrations first when ascending.
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = 1 - this.isApp[i]!;
        return out;
      }
      case "audience": {
        const distinct = [...new Set(this.audience.filter((a): a is string => a !== null))].sort();
        const code = new Map(distinct.map((a, k) => [a, k]));
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const a = this.audience[i];
          out[i] = a === null || a === undefined ? Number.NaN : code.get(a)!;
        }
        return out;
      }
      default:
        return null;
    }
  }

  /**
   * Sorts by a numeric key with ties in name order, without a comparator:
   * each row becomes one float, key × 2^b + name rank (exact below 2^53 for
   * keys up to ~10^9 and a few hundred thousand rows), and a Float64Array
   * sorts those natively — several times faster than a comparator sort.
   * Blanks (NaN) get a key past the largest, so they come last.
   */
  private packedOrder(values: ArrayLike<number>): Uint32Array {
    const n = this.rows.length;
    const byName = this.order({ key: "name", dir: 1 });
    const rank = this.nameRank();
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v > max) max = v;
    }
    const blank = (max === Number.NEGATIVE_INFINITY ? 0 : max) + 1;
    const m = 2 ** Math.max(1, Math.ceil(Math.log2(n + 1)));
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      packed[i] = (Number.isNaN(v) ? blank : v) * m + rank[i]!;
    }
    packed.sort();
    const out = new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      const p = packed[k]!;
      out[k] = byName[((p % m) + m) % m]!;
    }
    return out;
  }

  private comparator(key: SortKey): (a: number, b: number) => number {
    if (key === "name") {
      return (a: number, b: number) => {
        const x = this.nameKey[a]!;
        const y = this.nameKey[b]!;
        return x < y ? -1 : x > y ? 1 : a - b;
      };
    }
    // Ties are broken by name through its rank: an integer compare instead of a string one.
    const rank = this.nameRank();
    const byName = (a: number, b: number) => rank[a]! - rank[b]!;
    const strings = (keys: (string | null)[]) => (a: number, b: number) => {
      const x = keys[a];
      const y = keys[b];
      if (x === y) return byName(a, b);
      if (x === null || x === undefined) return 1; // blanks last in either direction
      if (y === null || y === undefined) return -1;
      return x < y ? -1 : 1;
    };
    const numbers = (keys: Float64Array | Int32Array | Uint8Array) => (a: number, b: number) => {
      const x = keys[a]!;
      const y = keys[b]!;
      const xn = Number.isNaN(x);
      const yn = Number.isNaN(y);
      if (xn || yn) return xn && yn ? byName(a, b) : xn ? 1 : -1;
      return x === y ? byName(a, b) : x - y;
    };
    switch (key) {
      case "appId":
        return strings(this.appIdKey);
      case "audience":
        return strings(this.audience);
      case "type":
        // App registrations first when ascending.
        return (a, b) => (this.isApp[a] === this.isApp[b] ? byName(a, b) : this.isApp[b]! - this.isApp[a]!);
      case "created":
        return numbers(this.created);
      case "credentials":
        return numbers(this.credentials);
      case "nextExpiry":
        return numbers(this.nextExpiry);
    }
  }

  /** Row indices that pass `filters`, in `sort` order: one linear pass over the cached order. */
  query(filters: AppFilters, sort: SortSpec): number[] {
    const order = this.order(sort);
    const q = filters.query.trim().toLowerCase();
    const { audience, objectType, expired, noOwner } = filters;
    const wantApp = objectType === null ? -1 : objectType === "application" ? 1 : 0;
    const out: number[] = [];
    const haystack = this.haystack;
    for (let j = 0; j < order.length; j++) {
      const i = order[j]!;
      if (expired && this.expired[i] === 0) continue;
      if (noOwner && this.noOwner[i] === 0) continue;
      if (wantApp !== -1 && this.isApp[i] !== wantApp) continue;
      if (audience !== null && this.audience[i] !== audience) continue;
      if (q !== "" && !haystack[i]!.includes(q)) continue;
      out.push(i);
    }
    return out;
  }

  /** The rows that pass, in order. */
  select(filters: AppFilters, sort: SortSpec): AppRow[] {
    return this.query(filters, sort).map((i) => this.rows[i]!);
  }
}

declare global {
  interface Window {
    /**
     * A hook for the end-to-end benchmark (tests/e2e/tests/apps.rs): the App
     * registrations screen writes how long its last filter + sort took, in
     * milliseconds (performance.now()), after every search keystroke, filter
     * or sort change. Read-only for the tests; nothing in the app reads it.
     */
    __entraDeskPerf?: { lastFilterSortMs: number; rows: number; shown: number };
  }
}

/** Records the last filter + sort time on `window.__entraDeskPerf` (see its comment). */
export function recordFilterSort(ms: number, rows: number, shown: number): void {
  if (typeof window !== "undefined") window.__entraDeskPerf = { lastFilterSortMs: ms, rows, shown };
}

/** A refresh's progress, folded from the channel's messages. */
export interface RefreshState {
  applications: number;
  servicePrincipals: number;
  listReady: number | null;
  owners: { done: number; total: number } | null;
  throttled: number | null;
  retry: { attempt: number; reason: string } | null;
}

export const REFRESH_START: RefreshState = { applications: 0, servicePrincipals: 0, listReady: null, owners: null, throttled: null, retry: null };

export function foldProgress(state: RefreshState, p: SyncProgress): RefreshState {
  switch (p.stage) {
    case "page":
      return p.collection === "servicePrincipals"
        ? { ...state, servicePrincipals: p.items, throttled: null, retry: null }
        : { ...state, applications: p.items, throttled: null, retry: null };
    case "listReady":
      return { ...state, listReady: p.rows, throttled: null, retry: null };
    case "owners":
      return { ...state, owners: { done: p.done, total: p.total }, throttled: null, retry: null };
    case "throttled":
      return { ...state, throttled: p.seconds };
    case "retrying":
      return { ...state, retry: { attempt: p.attempt, reason: p.reason } };
  }
}

/** One line for the progress bar. */
export function describeProgress(s: RefreshState): string {
  const parts: string[] = [];
  if (s.listReady === null) {
    parts.push(`Reading: ${s.applications} app registrations, ${s.servicePrincipals} service principals`);
  } else {
    parts.push(`List ready (${s.listReady} rows)`);
    parts.push(s.owners ? `owners ${s.owners.done}/${s.owners.total}` : "owners…");
  }
  if (s.throttled !== null) parts.push(`Graph is throttling: waiting ${s.throttled} s`);
  if (s.retry) parts.push(`retrying (attempt ${s.retry.attempt}: ${s.retry.reason})`);
  return parts.join(" · ");
}

/** A fraction for the progress bar, or null while it can't be known. */
export function progressFraction(s: RefreshState): number | null {
  if (s.owners && s.owners.total > 0) return 0.5 + 0.5 * Math.min(1, s.owners.done / s.owners.total);
  if (s.listReady !== null) return 0.5;
  return null;
}
