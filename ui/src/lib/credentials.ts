// The Credential expiry screen's logic: expiry windows typed by the user, the
// screen's filters as the core's query (the core searches, filters, sorts and
// counts the report; the screen reads a page at a time, lib/paged.ts), the
// chart's bars from the core's counts, and the clipboard that clears itself
// after a secret was copied (and on exit). Pure (the clipboard class takes its
// clipboard and timers as arguments, the exit hook its signals); tested in
// credentials.test.ts.
import { isTauri } from "@tauri-apps/api/core";
import { getCurrentWindow } from "@tauri-apps/api/window";
import type { Crossing, ExpiryChart, ObjectType, Owner } from "./bindings";
import type { CredentialsFilter } from "./api/credentials";

export const DEFAULT_WINDOWS: readonly number[] = [7, 30, 90];
/** The longest window accepted, in days (ten years). The server checks too. */
export const MAX_WINDOW_DAYS = 3650;
export const MAX_WINDOWS = 6;
/** Lifetimes offered for a new client secret, in days. */
export const LIFETIMES: readonly number[] = [30, 90, 180, 365];
/** Seconds after which a copied secret is cleared from the clipboard. */
export const CLIPBOARD_CLEAR_SECONDS = 60;

/** Whole days left, or null when unknown. */
export function days(value: number | null): number | null {
  return value;
}

export type WindowsParse = { ok: true; windows: number[] } | { ok: false; error: string };

/** "7, 30, 90" → [7, 30, 90]: whole days 1…3650, at most 6, sorted, without duplicates. */
export function parseWindows(text: string): WindowsParse {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== "");
  if (parts.length === 0) return { ok: false, error: "Give at least one window, in days, e.g. 7, 30, 90." };
  const out = new Set<number>();
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return { ok: false, error: `“${p}” is not a whole number of days. Write windows like 7, 30, 90.` };
    const n = Number(p);
    if (n < 1 || n > MAX_WINDOW_DAYS) return { ok: false, error: `${n} days is out of range: each window is 1 to ${MAX_WINDOW_DAYS} days.` };
    out.add(n);
  }
  if (out.size > MAX_WINDOWS) return { ok: false, error: `At most ${MAX_WINDOWS} windows.` };
  return { ok: true, windows: [...out].sort((a, b) => a - b) };
}

export function formatWindows(windows: readonly number[]): string {
  return windows.join(", ");
}

export interface CredentialFilters {
  /** App name, appId, credential name or key ID, case-insensitive. */
  query: string;
  kind: "password" | "certificate" | null;
  objectType: ObjectType | null;
  /** Owner name, UPN or mail, case-insensitive; "none" alone means "no owner". */
  owner: string;
  /** "expired", or "within N days" (not expired, cumulative), or null for all. */
  window: "expired" | number | null;
}

/** The columns the core sorts by (entra_core::credentials::CREDENTIALS_SORT_KEYS). */
export type CredentialSortKey = "end" | "app" | "type" | "kind" | "name";

/** The core's query for the screen's filters, windows (null: the defaults) and sort. */
export function credentialsQuery(filters: CredentialFilters, windows: readonly number[] | null, sort: { key: CredentialSortKey; dir: 1 | -1 }): CredentialsFilter {
  const search = filters.query.trim();
  const owner = filters.owner.trim();
  return {
    ...(windows === null ? {} : { windows: [...windows] }),
    ...(search === "" ? {} : { search }),
    sort: sort.key,
    descending: sort.dir === -1,
    ...(filters.kind === null ? {} : { kind: filters.kind }),
    ...(filters.objectType === null ? {} : { objectType: filters.objectType }),
    ...(owner === "" ? {} : { owner }),
    expired: filters.window === "expired",
    ...(typeof filters.window === "number" ? { within: filters.window } : {}),
    summary: false,
  };
}

export const NO_CREDENTIAL_FILTERS: CredentialFilters = { query: "", kind: null, objectType: null, owner: "", window: null };

export function ownerNames(owners: Owner[] | null): string {
  if (owners === null) return "loading…";
  if (owners.length === 0) return "no owner";
  return owners.map((o) => o.displayName ?? o.userPrincipalName ?? o.mail ?? o.id).join(", ");
}

export interface ChartBin {
  /** Short label under the bar. */
  label: string;
  /** Long label for assistive technology and the tooltip. */
  title: string;
  count: number;
  expired: boolean;
}

export interface ChartData {
  bins: ChartBin[];
  /** Credentials ending after the last bin. */
  later: number;
  max: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY_MS = 86_400_000;

function dayLabel(t: number): string {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

/**
 * Bars for the expiry chart from the core's counts (`ExpirySummary`): one
 * "Expired" bar, then one per week (52, from now) or calendar month (12, UTC,
 * the current one first) of the next twelve months, labelled from `now`.
 */
export function expiryBins(counts: ExpiryChart, expired: number, now: number, unit: "week" | "month"): ChartData {
  const labels: Array<{ label: string; title: string }> = [];
  const base = new Date(now);
  if (unit === "month") {
    for (let m = 0; m < 12; m++) {
      const d = new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth() + m, 1));
      const name = `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
      labels.push({ label: d.getUTCMonth() === 0 || m === 0 ? name : MONTHS[d.getUTCMonth()]!, title: name });
    }
  } else {
    for (let w = 0; w < 52; w++) {
      const start = now + w * 7 * DAY_MS;
      labels.push({ label: w % 4 === 0 ? dayLabel(start) : "", title: `Week of ${dayLabel(start)}` });
    }
  }
  const values = unit === "month" ? counts.months : counts.weeks;
  const bins: ChartBin[] = [
    { label: "Expired", title: "Already expired", count: expired, expired: true },
    ...labels.map((l, i) => ({ label: l.label, title: l.title, count: values[i] ?? 0, expired: false })),
  ];
  const later = unit === "month" ? counts.afterMonths : counts.afterWeeks;
  return { bins, later, max: Math.max(1, ...bins.map((b) => b.count)) };
}

/** One sentence for the crossings notice. */
export function crossingsSummary(crossings: readonly Crossing[]): string {
  const expired = crossings.filter((c) => c.nowIn === 0).length;
  const byWindow = new Map<number, number>();
  for (const c of crossings) if (c.nowIn > 0) byWindow.set(c.nowIn, (byWindow.get(c.nowIn) ?? 0) + 1);
  const parts: string[] = [];
  if (expired > 0) parts.push(`${expired} expired`);
  for (const [w, n] of [...byWindow].sort((a, b) => a[0] - b[0])) parts.push(`${n} now within ${w} days`);
  const total = crossings.length;
  return `${total} credential${total === 1 ? "" : "s"} crossed an expiry window since the last check: ${parts.join(", ")}.`;
}

/** What the self-clearing clipboard is doing. */
export type ClipboardState =
  | { kind: "idle" }
  | { kind: "counting"; secondsLeft: number }
  /** Cleared; `message` says whether it was checked first. */
  | { kind: "cleared"; message: string }
  /** Not cleared: something else was copied since, so the secret is no longer on it. */
  | { kind: "left"; message: string }
  | { kind: "failed"; message: string };

export interface ClipboardLike {
  writeText(text: string): Promise<void>;
  /** Optional: without it (or when it throws) the clipboard is cleared unchecked. */
  readText?(): Promise<string>;
}

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  now(): number;
}

const realTimers: Timers = {
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
  now: () => Date.now(),
};

/** How long reading the clipboard may take before it counts as unreadable (some webviews ask the user). */
export const CLIPBOARD_READ_TIMEOUT_MS = 2000;
/** How long closing the window waits for the clear before it closes anyway. */
export const CLIPBOARD_EXIT_TIMEOUT_MS = 3000;

const CLEARED = "The clipboard was cleared.";
const LEFT = "The clipboard was left alone: something else was copied since, so the secret is no longer on it.";

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Copies a value to the clipboard and, after `seconds` (with a countdown),
 * writes an empty string over it — but only if the clipboard still holds that
 * value, so whatever the user copied since is left alone. When the clipboard
 * can't be read it is cleared anyway: a secret left behind is worse.
 *
 * The value is held (in a private field, never logged or serialised) only
 * while the countdown runs, for that comparison; it is dropped as soon as the
 * countdown ends, however it ends.
 */
export class SelfClearingClipboard {
  private handle: unknown = null;
  private deadline = 0;
  /** Bumped by every copy and clear, so a slow clear never acts on a newer copy. */
  private generation = 0;
  /** The value we copied, only while counting. Private (#) so JSON/Object.values never see it. */
  #held: string | null = null;
  private listeners = new Set<(s: ClipboardState) => void>();
  state: ClipboardState = { kind: "idle" };

  constructor(
    private readonly clipboard: () => ClipboardLike | null,
    private readonly seconds = CLIPBOARD_CLEAR_SECONDS,
    private readonly timers: Timers = realTimers,
  ) {}

  /** True while a copied value is counting down (and so held). */
  get holding(): boolean {
    return this.#held !== null;
  }

  subscribe(fn: (s: ClipboardState) => void): () => void {
    this.listeners.add(fn);
    fn(this.state);
    return () => this.listeners.delete(fn);
  }

  private set(state: ClipboardState) {
    this.state = state;
    for (const fn of this.listeners) fn(state);
  }

  /** Writes `text`; on success starts the countdown and resolves true, else says why and resolves false. */
  async copy(text: string): Promise<boolean> {
    const clipboard = this.clipboard();
    this.stop();
    this.#held = null;
    const generation = ++this.generation;
    if (!clipboard) {
      this.set({ kind: "failed", message: "This window has no access to the clipboard: select the value and copy it by hand, then clear the clipboard yourself." });
      return false;
    }
    try {
      await clipboard.writeText(text);
    } catch (e) {
      this.set({ kind: "failed", message: `The clipboard could not be written (${reason(e)}): select the value and copy it by hand, then clear the clipboard yourself.` });
      return false;
    }
    if (generation !== this.generation) return true; // A newer copy or a clear took over meanwhile.
    this.#held = text;
    this.deadline = this.timers.now() + this.seconds * 1000;
    this.set({ kind: "counting", secondsLeft: this.seconds });
    this.handle = this.timers.setInterval(() => this.tick(), 1000);
    return true;
  }

  private tick() {
    const left = Math.ceil((this.deadline - this.timers.now()) / 1000);
    if (left <= 0) void this.clearNow();
    else this.set({ kind: "counting", secondsLeft: left });
  }

  private stop() {
    if (this.handle !== null) this.timers.clearInterval(this.handle);
    this.handle = null;
  }

  /** Resolves with `promise`, or rejects after `ms` (the timer is a one-shot interval). */
  private within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const h = this.timers.setInterval(() => {
        this.timers.clearInterval(h);
        reject(new Error(`${what} took longer than ${ms / 1000} s`));
      }, ms);
      promise.then(
        (v) => {
          this.timers.clearInterval(h);
          resolve(v);
        },
        (e: unknown) => {
          this.timers.clearInterval(h);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  /**
   * Ends the countdown: clears the clipboard if it still holds the value we
   * copied (or can't be read), leaves it alone if it holds something else.
   * Does nothing when no countdown runs.
   */
  async clearNow(): Promise<void> {
    this.stop();
    const ours = this.#held;
    this.#held = null;
    if (ours === null) return;
    const generation = ++this.generation;
    const clipboard = this.clipboard();
    if (!clipboard) {
      this.set({ kind: "failed", message: "The clipboard could not be cleared (no clipboard access): it may still hold the secret. Copy something else to overwrite it." });
      return;
    }
    let unread: string | null = null;
    try {
      if (!clipboard.readText) throw new Error("reading is not supported here");
      const current = await this.within(clipboard.readText(), CLIPBOARD_READ_TIMEOUT_MS, "reading it");
      if (generation !== this.generation) return;
      if (current !== ours) {
        this.set({ kind: "left", message: LEFT });
        return;
      }
    } catch (e) {
      if (generation !== this.generation) return;
      unread = reason(e);
    }
    try {
      await clipboard.writeText("");
      if (generation !== this.generation) return;
      this.set({
        kind: "cleared",
        message:
          unread === null
            ? CLEARED
            : `The clipboard was cleared without checking it first (it could not be read: ${unread}), so anything copied since was cleared too.`,
      });
    } catch (e) {
      this.set({ kind: "failed", message: `The clipboard could not be cleared (${reason(e)}): it may still hold the secret. Copy something else to overwrite it.` });
    }
  }

  /**
   * For the window closing: clears an active countdown's value now (as
   * `clearNow`), giving up after CLIPBOARD_EXIT_TIMEOUT_MS so closing never
   * hangs. Does nothing when idle; never throws.
   */
  async clearOnExit(): Promise<void> {
    if (this.#held === null) return;
    try {
      await this.within(this.clearNow(), CLIPBOARD_EXIT_TIMEOUT_MS, "clearing the clipboard");
    } catch {
      // Closing goes ahead; the state already says what is known.
    }
  }
}

/** The two signals that the app is going away. */
export interface ExitSignals {
  /** The window is closing: the handler is awaited before the close proceeds. */
  onCloseRequested(handler: () => Promise<void>): Promise<unknown>;
  /** Best effort (the page may be gone before an async clear ends): `pagehide`. */
  onPageHide(handler: () => void): void;
}

/** Clears `clip`'s active countdown when the app exits. Never throws. */
export function installClearOnExit(clip: SelfClearingClipboard, signals: ExitSignals): void {
  try {
    signals.onCloseRequested(() => clip.clearOnExit()).catch(() => {
      // No close hook (e.g. the permission is missing): pagehide still tries.
    });
  } catch {
    // Same: the fallback below still runs.
  }
  try {
    signals.onPageHide(() => void clip.clearOnExit());
  } catch {
    // Nothing more can be done here; the countdown still clears on time while the app runs.
  }
}

/** Tauri's close-requested (when running in Tauri) and the page's `pagehide`. */
function appExitSignals(): ExitSignals {
  return {
    async onCloseRequested(handler) {
      if (!isTauri()) return; // vite dev, tests: no Tauri window.
      // The handler is awaited, then the API destroys the window (core:window:allow-destroy).
      return getCurrentWindow().onCloseRequested(async () => {
        await handler();
      });
    },
    onPageHide(handler) {
      if (typeof window !== "undefined") window.addEventListener("pagehide", handler);
    },
  };
}

/** The app's one self-clearing clipboard, over `navigator.clipboard`, cleared on exit too. */
let shared: SelfClearingClipboard | null = null;
export function secretClipboard(): SelfClearingClipboard {
  if (!shared) {
    shared = new SelfClearingClipboard(() => (typeof navigator !== "undefined" && navigator.clipboard ? navigator.clipboard : null));
    installClearOnExit(shared, appExitSignals());
  }
  return shared;
}
