// The Leases screen's two lists (the lease table, the audit log) read a page at a time as they
// scroll: `GrowingList` holds the rows loaded so far, the query's total and where the next page
// starts; `more` appends the next page, `refresh` reads the loaded rows again from the top (a
// poll, a change: the place is kept), `reset` starts a new query. An answer to an older query or
// read is dropped, and a row that moved down into the next page meanwhile is not shown twice.
// `whenVisible` asks for more when the end of a list scrolls into view. `leaseQuery` and
// `auditQuery` turn the screen's filters into the commands' queries.
//
// It speaks the shape every paged command shares (`ListQuery` in: `start`, `limit`; `ListPage`
// out), so the screen can move to the shared source (ui/src/lib/paged.ts) once there is one: a
// `Fetch` is all it needs. Tested in paging.test.ts.
import type { AuditAction, AuditQuery, LeaseState, LeasesQuery, ListPage } from "../../lib/bindings";
import type { LeaseFilter } from "../../lib/leases";

/** Rows a page asks for. */
export const PAGE_ROWS = 100;
/** The most rows one call returns (the core's `MAX_PAGE_ROWS`): a longer refresh reads several pages. */
export const MAX_PAGE_ROWS = 1000;

/** Reads rows `start`… of the current query, at most `limit`. */
export type Fetch<T> = (start: number, limit: number) => Promise<ListPage<T>>;

/** What a list has loaded. */
export interface Loaded<T> {
  items: readonly T[];
  /** How many rows the query keeps in all; null until its first page arrived. */
  total: number | null;
  /** Where the next page starts; null once every row is loaded. */
  next: number | null;
  /** A page is on its way. */
  loading: boolean;
}

export function nothingLoaded<T>(): Loaded<T> {
  return { items: [], total: null, next: null, loading: false };
}

export class GrowingList<T> {
  private generation = 0;
  private fetching = false;
  private state: Loaded<T> = nothingLoaded();

  constructor(
    private fetch: Fetch<T>,
    private readonly key: (row: T) => string,
    private readonly onchange: (loaded: Loaded<T>) => void,
    private readonly onerror: (e: unknown) => void,
    private readonly pageRows = PAGE_ROWS,
  ) {}

  get loaded(): Loaded<T> {
    return this.state;
  }

  private set(state: Loaded<T>) {
    this.state = state;
    this.onchange(state);
  }

  /** A new query (`fetch`): forgets the rows and reads its first page. */
  reset(fetch: Fetch<T>): Promise<void> {
    this.fetch = fetch;
    this.set(nothingLoaded());
    return this.reread(this.pageRows);
  }

  /** Reads the loaded rows again from the top (at least a page), so a poll shows what changed without losing the place. */
  refresh(): Promise<void> {
    return this.reread(Math.max(this.pageRows, this.state.items.length));
  }

  /** The next page, appended; nothing once everything is loaded or while another read is on its way. */
  async more(): Promise<void> {
    const start = this.state.next;
    if (start === null || this.fetching) return;
    const mine = ++this.generation;
    this.fetching = true;
    this.set({ ...this.state, loading: true });
    try {
      const page = await this.fetch(start, this.pageRows);
      if (mine !== this.generation) return;
      // Rows added above since the last read push rows already shown into this page: keep the first of each.
      const seen = new Set(this.state.items.map(this.key));
      const fresh = page.items.filter((row) => !seen.has(this.key(row)));
      this.set({ items: [...this.state.items, ...fresh], total: page.total, next: page.next, loading: false });
    } catch (e) {
      if (mine !== this.generation) return;
      this.set({ ...this.state, loading: false });
      this.onerror(e);
    } finally {
      if (mine === this.generation) this.fetching = false;
    }
  }

  /** Reads `rows` rows from the top, in pages of at most `MAX_PAGE_ROWS`, and replaces what was loaded. */
  private async reread(rows: number): Promise<void> {
    const mine = ++this.generation;
    this.fetching = true;
    this.set({ ...this.state, loading: true });
    try {
      const items: T[] = [];
      let total = 0;
      let next: number | null = 0;
      while (next !== null && items.length < rows) {
        const page: ListPage<T> = await this.fetch(next, Math.min(MAX_PAGE_ROWS, rows - items.length));
        if (mine !== this.generation) return;
        items.push(...page.items);
        total = page.total;
        next = page.items.length === 0 ? null : page.next;
      }
      const seen = new Set<string>();
      const unique = items.filter((row) => !seen.has(this.key(row)) && (seen.add(this.key(row)), true));
      this.set({ items: unique, total, next, loading: false });
    } catch (e) {
      if (mine !== this.generation) return;
      this.set({ ...this.state, loading: false });
      this.onerror(e);
    } finally {
      if (mine === this.generation) this.fetching = false;
    }
  }
}

/** What `whenVisible` watches: what to call, and how many rows the list shows (a change looks again). */
export interface Watch {
  onvisible: () => void;
  rows: number;
}

/**
 * A Svelte action: calls `onvisible` when `node` (the end of a list) comes within `margin` of the viewport, and again
 * after each page while it is still in view, so the next page is read before it is needed. Without
 * IntersectionObserver (tests) it does nothing: the list's "Show more" button does the same on a click.
 */
export function whenVisible(node: Element, watch: Watch, margin = "300px") {
  let current = watch;
  if (typeof IntersectionObserver === "undefined") return { update: (next: Watch) => void (current = next), destroy: () => {} };
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) current.onvisible();
  }, { rootMargin: margin });
  observer.observe(node);
  return {
    update(next: Watch) {
      const grew = next.rows !== current.rows;
      current = next;
      // Observing again reports where the node is now: still in view after a page, ask for the next one.
      if (grew) {
        observer.unobserve(node);
        observer.observe(node);
      }
    },
    destroy: () => observer.disconnect(),
  };
}

// ---- the screen's queries ------------------------------------------------------------------

/** The lease table's sort keys (the core's `LEASE_SORT_KEYS`). */
export type LeaseSortKey = "issued" | "expires" | "definition" | "issuedBy";

/** An order the admin chose by a column's header; none: newest first. */
export interface LeaseSort {
  key: LeaseSortKey;
  descending: boolean;
}

/** The order after a click on `key`'s header: the same column turns around; another starts newest first (issued) or ascending. */
export function nextSort(current: LeaseSort | null, key: LeaseSortKey): LeaseSort {
  const now = current ?? { key: "issued", descending: true };
  return now.key === key ? { key, descending: !now.descending } : { key, descending: key === "issued" };
}

/** What the lease table is filtered by, and its order. */
export interface LeaseFilters {
  /** Text in the lease's ID, definition, target (or its name), key ID or issuer. */
  search: string;
  state: LeaseState;
  /** One definition's leases, or every definition's. */
  definition: string | null;
  /** "Mine" keeps the signed-in account's (a team store only). */
  whose: LeaseFilter;
  /** A column's order; null: newest first. */
  sort: LeaseSort | null;
}

export const NO_LEASE_FILTERS: LeaseFilters = { search: "", state: "all", definition: null, whose: "everyone", sort: null };

/** The page of the lease table's filters at `start`, in its order. `me`: whose "Mine" is (null: no such filter). */
export function leaseQuery(f: LeaseFilters, me: string | null, start: number, limit: number): LeasesQuery {
  const query: LeasesQuery = { state: f.state, descending: f.sort?.descending ?? false, start, limit };
  if (f.sort !== null) query.sort = f.sort.key;
  const search = f.search.trim();
  if (search !== "") query.search = search;
  if (f.definition !== null) query.definition = f.definition;
  if (f.whose === "mine" && me !== null) query.issuedBy = me;
  return query;
}

/** Whether the filters keep fewer than every lease, "Mine" (and the order) aside. */
export function narrowed(f: LeaseFilters): boolean {
  return f.search.trim() !== "" || f.state !== "all" || f.definition !== null;
}

/** What the audit log is filtered by. */
export interface AuditFilters {
  /** Text in the line's detail, actor, lease, definition, target or request-id. */
  search: string;
  action: AuditAction | null;
  /** One lease's lines. */
  leaseId: string | null;
}

export const NO_AUDIT_FILTERS: AuditFilters = { search: "", action: null, leaseId: null };

/** The page of the audit log's filters at `start`, newest first. */
export function auditQuery(f: AuditFilters, start: number, limit: number): AuditQuery {
  const query: AuditQuery = { descending: false, start, limit };
  const search = f.search.trim();
  if (search !== "") query.search = search;
  if (f.action !== null) query.action = f.action;
  if (f.leaseId !== null) query.leaseId = f.leaseId;
  return query;
}
