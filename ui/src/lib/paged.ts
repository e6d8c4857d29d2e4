// A paged source: the rows of a list that the core searches, filters and
// sorts (a query in, one `ListPage` out; entra_core::paging), fetched a page
// at a time as a VirtualTable scrolls, so a screen of 50,000 rows holds a few
// hundred. Pure TypeScript (no Svelte, no IPC: the screen passes its API
// call); tested in paged.test.ts.
//
// Use (App registrations, Credential expiry and Group caches do; Leases can):
//
//   const source = new PagedSource<Q, T, P>({
//     fetch: (query, start, limit) => listApps({ ...query, start, limit }),
//     pageRows: 100,    // rows a fetch asks for (the core allows up to 1000)
//     keepPages: 8,     // pages kept; the least recently seen go first, never one in view
//     debounceMs: 200,  // the wait after the last keystroke (setQuery(q, { debounce: true }))
//   });
//   source.subscribe((view) => (rows = view));  // at once, then on every change
//   source.setQuery(query);                     // a filter or sort changed: at once
//   source.setQuery(query, { debounce: true }); // the search box changed: after the pause
//   <VirtualTable items={rows} onwindow={(start, end) => source.show(start, end)} … />
//   source.reload();                            // the data changed: same query, same place
//   source.dispose();                           // on unmount (drops every listener too)
//
// - Q is the screen's query without `start` and `limit` (those are the
//   source's). T is a row. P is the command's answer: a `ListPage<T>`
//   (`items`, `start`, `total`, `next`) and whatever the screen shows beside
//   it ("as of", counts…), which the view keeps as `latest`.
// - The view (`PagedView`) is a `Rows<T>` for VirtualTable: `length` is the
//   number of matches, `at(i)` a row or undefined while its page is on its
//   way (the table draws a placeholder), `findIndex` looks in loaded rows.
//   Besides: `latest` (the last answer), `settled` (the rows answer the
//   current query), `loading`, `error` (the last failure, until a success)
//   and `answerMs` (how long the answer that settled the current query took).
// - A new query keeps the old rows on screen until its first page arrives,
//   then replaces them at once (no blank flash, no rows of two queries mixed);
//   answers to an older query, or to an older `reload`, are dropped.
// - `show(start, end)` takes the table's window (lib/virtual.ts's
//   `virtualWindow`, reported by VirtualTable's `onwindow`) and fetches only
//   the pages covering it that are neither kept nor on their way.
// - If the list changes between two pages (the total moves: a refresh wrote
//   the cache), the kept pages are dropped and the ones in view fetched again.
import type { Rows } from "./virtual";

/** A page as the core sends it (`ListPage<T>`): the rows, where they start, the matches in all. */
export interface PageAnswer<T> {
  items: T[];
  start: number;
  total: number;
  next: number | null;
}

/** Timers, injectable for tests. */
export interface PagedTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface PagedOptions<Q, P> {
  /** Asks the core for `limit` rows of `query` from row `start`. */
  fetch: (query: Q, start: number, limit: number) => Promise<P>;
  pageRows?: number;
  keepPages?: number;
  debounceMs?: number;
  timers?: PagedTimers;
}

/** What the screen draws: see the header comment. */
export interface PagedView<T, P> extends Rows<T> {
  readonly latest: P | null;
  readonly settled: boolean;
  readonly loading: boolean;
  readonly error: unknown;
  readonly answerMs: number | null;
}

const realTimers: PagedTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};

/** The pages (of `rows` rows) covering rows `start` (inclusive) to `end` (exclusive) of `total`. */
export function pagesCovering(start: number, end: number, rows: number, total: number): number[] {
  const last = Math.min(end, total) - 1;
  if (last < 0 || start > last) return [];
  const out: number[] = [];
  for (let p = Math.floor(Math.max(0, start) / rows); p <= Math.floor(last / rows); p++) out.push(p);
  return out;
}

class View<T, P> implements PagedView<T, P> {
  constructor(
    private readonly pages: ReadonlyMap<number, readonly T[]>,
    private readonly rows: number,
    readonly length: number,
    readonly latest: P | null,
    readonly settled: boolean,
    readonly loading: boolean,
    readonly error: unknown,
    readonly answerMs: number | null,
  ) {}

  at(index: number): T | undefined {
    if (index < 0 || index >= this.length) return undefined;
    return this.pages.get(Math.floor(index / this.rows))?.[index % this.rows];
  }

  findIndex(predicate: (row: T) => boolean): number {
    for (const page of [...this.pages.keys()].sort((a, b) => a - b)) {
      const k = this.pages.get(page)!.findIndex(predicate);
      if (k >= 0) return page * this.rows + k;
    }
    return -1;
  }
}

/** A question being asked: its pages for the rows in view, swapped in together once all have answered. */
interface Switch<P> {
  generation: number;
  waiting: Set<number>;
  answers: Map<number, P>;
  startedAt: number;
}

export class PagedSource<Q, T, P extends PageAnswer<T>> {
  private readonly rows: number;
  private readonly keep: number;
  private readonly debounceMs: number;
  private readonly timers: PagedTimers;
  private readonly listeners = new Set<(view: PagedView<T, P>) => void>();

  private query: Q | null = null;
  private queryText: string | null = null;
  /** Bumped by every new question (setQuery, reload): answers to older ones are dropped. */
  private generation = 0;
  private switching: Switch<P> | null = null;
  private inflight = new Set<number>();
  private pending: { query: Q; handle: unknown } | null = null;
  private disposed = false;

  // What the view shows: the rows of the last settled question.
  private shownGeneration = -1;
  private total = 0;
  private pages = new Map<number, T[]>();
  private seen = new Map<number, number>();
  private tick = 0;
  private latest: P | null = null;
  private error: unknown = null;
  private answerMs: number | null = null;
  private window = { start: 0, end: 0 };
  private current: PagedView<T, P>;

  constructor(private readonly options: PagedOptions<Q, P>) {
    this.rows = Math.max(1, options.pageRows ?? 100);
    this.keep = Math.max(2, options.keepPages ?? 8);
    this.debounceMs = options.debounceMs ?? 200;
    this.timers = options.timers ?? realTimers;
    this.current = this.snapshot();
  }

  /** The view now. */
  get view(): PagedView<T, P> {
    return this.current;
  }

  /** Calls `fn` with the view now and after every change; returns the unsubscribe. */
  subscribe(fn: (view: PagedView<T, P>) => void): () => void {
    this.listeners.add(fn);
    fn(this.current);
    return () => this.listeners.delete(fn);
  }

  /** Asks a new question (back to the first row); with `debounce`, after `debounceMs` of quiet. Asking the question already asked does nothing. */
  setQuery(query: Q, options: { debounce?: boolean } = {}): void {
    if (this.disposed) return;
    if (this.pending) this.timers.clearTimeout(this.pending.handle);
    this.pending = null;
    if (JSON.stringify(query) === this.queryText) {
      this.emit();
      return;
    }
    if (options.debounce && this.debounceMs > 0) {
      const handle = this.timers.setTimeout(() => {
        this.pending = null;
        this.ask(query, true);
      }, this.debounceMs);
      this.pending = { query, handle };
      this.emit();
      return;
    }
    this.ask(query, true);
  }

  /** Asks the current question again (the data changed), for the rows in view; they stay on screen until the answers arrive. */
  reload(): void {
    if (this.disposed || this.query === null) return;
    if (this.pending) return; // a question is about to be asked anyway
    this.ask(this.query, false);
  }

  /** The rows in view: fetches the pages covering them that are neither kept nor on their way. */
  show(start: number, end: number): void {
    this.window = { start, end };
    for (const page of pagesCovering(start, end, this.rows, this.total)) this.seen.set(page, ++this.tick);
    if (!this.switching) this.fetchMissing();
  }

  /** Stops: no more fetches or updates (answers still on their way are ignored). */
  dispose(): void {
    this.disposed = true;
    if (this.pending) this.timers.clearTimeout(this.pending.handle);
    this.pending = null;
    this.listeners.clear();
  }

  private ask(query: Q, toTop: boolean): void {
    this.query = query;
    this.queryText = JSON.stringify(query);
    const generation = ++this.generation;
    this.inflight.clear();
    if (toTop) this.window = { start: 0, end: this.window.end - this.window.start };
    // The total to come is unknown: ask for the window's first page at least, even when the window
    // is empty (a list that had no rows reports none in view, and would otherwise never be asked).
    const end = Math.max(this.window.end, this.window.start + 1);
    const wanted = pagesCovering(this.window.start, end, this.rows, Number.MAX_SAFE_INTEGER).slice(0, 2);
    this.switching = { generation, waiting: new Set(wanted), answers: new Map(), startedAt: this.timers.now() };
    for (const page of wanted) this.fetch(page, generation);
    this.emit();
  }

  private fetchMissing(): void {
    if (this.query === null || this.shownGeneration !== this.generation) return;
    for (const page of pagesCovering(this.window.start, this.window.end, this.rows, this.total)) {
      if (!this.pages.has(page) && !this.inflight.has(page)) this.fetch(page, this.generation);
    }
  }

  private fetch(page: number, generation: number): void {
    const query = this.query!;
    this.inflight.add(page);
    this.options.fetch(query, page * this.rows, this.rows).then(
      (answer) => this.answered(generation, page, answer),
      (error: unknown) => this.failed(generation, page, error),
    );
  }

  private answered(generation: number, page: number, answer: P): void {
    if (this.disposed || generation !== this.generation) return;
    this.inflight.delete(page);
    this.error = null;
    const s = this.switching;
    if (s && s.generation === generation) {
      s.answers.set(page, answer);
      s.waiting.delete(page);
      if (s.waiting.size > 0) return;
      // Every page of the new question is here: show them instead of the old rows, at once.
      this.switching = null;
      this.shownGeneration = generation;
      this.pages = new Map();
      this.seen = new Map();
      for (const [p, a] of s.answers) this.keepPage(p, a.items);
      this.total = answer.total;
      this.latest = answer;
      this.answerMs = this.timers.now() - s.startedAt;
    } else {
      if (answer.total !== this.total) {
        // The list changed between two pages: the kept ones may not fit it any more.
        this.pages = new Map();
        this.seen = new Map();
        this.total = answer.total;
      }
      this.keepPage(page, answer.items);
      this.latest = answer;
    }
    this.fetchMissing();
    this.emit();
  }

  private failed(generation: number, page: number, error: unknown): void {
    if (this.disposed || generation !== this.generation) return;
    this.inflight.delete(page);
    this.error = error;
    // A new question that failed leaves the old rows on screen, unsettled, until the next one.
    if (this.switching?.generation === generation) this.switching = null;
    this.emit();
  }

  private keepPage(page: number, items: T[]): void {
    this.pages.set(page, items);
    this.seen.set(page, ++this.tick);
    if (this.pages.size <= this.keep) return;
    const inView = new Set(pagesCovering(this.window.start, this.window.end, this.rows, this.total));
    const oldest = [...this.pages.keys()].filter((p) => !inView.has(p)).sort((a, b) => (this.seen.get(a) ?? 0) - (this.seen.get(b) ?? 0));
    for (const p of oldest.slice(0, this.pages.size - this.keep)) {
      this.pages.delete(p);
      this.seen.delete(p);
    }
  }

  private snapshot(): PagedView<T, P> {
    const settled = this.shownGeneration === this.generation && this.switching === null && this.pending === null;
    const loading = this.inflight.size > 0 || this.pending !== null;
    return new View<T, P>(new Map(this.pages), this.rows, this.total, this.latest, settled, loading, this.error, this.answerMs);
  }

  private emit(): void {
    this.current = this.snapshot();
    for (const fn of this.listeners) fn(this.current);
  }
}
