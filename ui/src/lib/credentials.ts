// The Credential expiry screen's logic: expiry windows typed by the user,
// bucketing into windows, filters, the chart's bins, and the clipboard that
// clears itself after a rotated secret was copied. Pure (the clipboard class
// takes its clipboard and timers as arguments); tested in credentials.test.ts.
import type { ExpiringCredential, Crossing, ObjectType, Owner } from "./bindings";

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

/** The bucket a credential falls in: expired, the smallest window holding it, or null (later). */
export type Bucket = "expired" | number | null;

export function bucketOf(row: Pick<ExpiringCredential, "status" | "daysLeft">, windows: readonly number[]): Bucket {
  if (row.status === "expired") return "expired";
  const d = days(row.daysLeft)!;
  for (const w of windows) if (d <= w) return w;
  return null;
}

export interface WindowCounts {
  expired: number;
  /** Per window, credentials whose smallest window it is (not cumulative). */
  windows: Array<{ days: number; count: number }>;
  later: number;
}

export function windowCounts(rows: readonly ExpiringCredential[], windows: readonly number[]): WindowCounts {
  const per = new Map<number, number>(windows.map((w) => [w, 0]));
  let expired = 0;
  let later = 0;
  for (const r of rows) {
    const b = bucketOf(r, windows);
    if (b === "expired") expired++;
    else if (b === null) later++;
    else per.set(b, (per.get(b) ?? 0) + 1);
  }
  return { expired, windows: windows.map((w) => ({ days: w, count: per.get(w) ?? 0 })), later };
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

export const NO_CREDENTIAL_FILTERS: CredentialFilters = { query: "", kind: null, objectType: null, owner: "", window: null };

export function ownerNames(owners: Owner[] | null): string {
  if (owners === null) return "loading…";
  if (owners.length === 0) return "no owner";
  return owners.map((o) => o.displayName ?? o.userPrincipalName ?? o.mail ?? o.id).join(", ");
}

/** Lowercase search keys computed once per report, so typing only scans. */
export class CredentialIndex {
  readonly rows: readonly ExpiringCredential[];
  private readonly text: string[];
  private readonly owners: (string | null)[];

  constructor(rows: readonly ExpiringCredential[]) {
    this.rows = rows;
    this.text = rows.map((r) => `${r.displayName}\u0000${r.appId}\u0000${r.credentialName ?? ""}\u0000${r.keyId}`.toLowerCase());
    this.owners = rows.map((r) =>
      r.owners === null ? null : r.owners.map((o) => `${o.displayName ?? ""}\u0000${o.userPrincipalName ?? ""}\u0000${o.mail ?? ""}`).join("\u0001").toLowerCase(),
    );
  }

  select(filters: CredentialFilters): ExpiringCredential[] {
    const q = filters.query.trim().toLowerCase();
    const owner = filters.owner.trim().toLowerCase();
    const out: ExpiringCredential[] = [];
    for (let i = 0; i < this.rows.length; i++) {
      const r = this.rows[i]!;
      if (filters.kind !== null && r.credentialType !== filters.kind) continue;
      if (filters.objectType !== null && r.objectType !== filters.objectType) continue;
      if (filters.window === "expired" && r.status !== "expired") continue;
      if (typeof filters.window === "number" && (r.status === "expired" || days(r.daysLeft)! > filters.window)) continue;
      if (owner !== "") {
        const o = this.owners[i];
        if (o === null || o === undefined) continue;
        if (owner === "none" ? o !== "" : !o.includes(owner)) continue;
      }
      if (q !== "" && !this.text[i]!.includes(q)) continue;
      out.push(r);
    }
    return out;
  }
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
 * Bins for the expiry chart: one "Expired" bar, then one per week (52) or
 * calendar month (12, UTC, the current one first) of the next twelve months.
 */
export function expiryBins(rows: readonly Pick<ExpiringCredential, "end" | "status">[], now: number, unit: "week" | "month"): ChartData {
  const starts: number[] = [];
  const labels: Array<{ label: string; title: string }> = [];
  const base = new Date(now);
  if (unit === "month") {
    for (let m = 0; m <= 12; m++) {
      const t = m === 0 ? now : Date.UTC(base.getUTCFullYear(), base.getUTCMonth() + m, 1);
      starts.push(t);
      if (m < 12) {
        const d = new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth() + m, 1));
        const name = `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
        labels.push({ label: d.getUTCMonth() === 0 || m === 0 ? name : MONTHS[d.getUTCMonth()]!, title: name });
      }
    }
  } else {
    for (let w = 0; w <= 52; w++) starts.push(now + w * 7 * DAY_MS);
    for (let w = 0; w < 52; w++) labels.push({ label: w % 4 === 0 ? dayLabel(starts[w]!) : "", title: `Week of ${dayLabel(starts[w]!)}` });
  }
  const counts = new Array<number>(labels.length).fill(0);
  let expired = 0;
  let later = 0;
  const last = starts[starts.length - 1]!;
  for (const r of rows) {
    const t = Date.parse(r.end);
    if (r.status === "expired" || t < now) {
      expired++;
      continue;
    }
    if (t >= last) {
      later++;
      continue;
    }
    // Binary search for the bin: starts[k] <= t < starts[k + 1].
    let lo = 0;
    let hi = starts.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= t) lo = mid;
      else hi = mid;
    }
    counts[lo]!++;
  }
  const bins: ChartBin[] = [
    { label: "Expired", title: "Already expired", count: expired, expired: true },
    ...labels.map((l, i) => ({ label: l.label, title: l.title, count: counts[i]!, expired: false })),
  ];
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
  | { kind: "cleared" }
  | { kind: "failed"; message: string };

export interface ClipboardLike {
  writeText(text: string): Promise<void>;
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

/**
 * Copies a value to the clipboard and writes an empty string over it after
 * `seconds`, with a countdown. It never keeps the value: after `copy` returns,
 * only the deadline is held, so closing the dialog forgets the secret while
 * the clear still happens on time.
 */
export class SelfClearingClipboard {
  private handle: unknown = null;
  private deadline = 0;
  private listeners = new Set<(s: ClipboardState) => void>();
  state: ClipboardState = { kind: "idle" };

  constructor(
    private readonly clipboard: () => ClipboardLike | null,
    private readonly seconds = CLIPBOARD_CLEAR_SECONDS,
    private readonly timers: Timers = realTimers,
  ) {}

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
    if (!clipboard) {
      this.set({ kind: "failed", message: "This window has no access to the clipboard: select the value and copy it by hand, then clear the clipboard yourself." });
      return false;
    }
    try {
      await clipboard.writeText(text);
    } catch (e) {
      this.set({ kind: "failed", message: `The clipboard could not be written (${e instanceof Error ? e.message : String(e)}): select the value and copy it by hand, then clear the clipboard yourself.` });
      return false;
    }
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

  /** Clears the clipboard now (an empty string), ending any countdown. */
  async clearNow(): Promise<void> {
    this.stop();
    const clipboard = this.clipboard();
    try {
      if (!clipboard) throw new Error("no clipboard access");
      await clipboard.writeText("");
      this.set({ kind: "cleared" });
    } catch (e) {
      this.set({ kind: "failed", message: `The clipboard could not be cleared (${e instanceof Error ? e.message : String(e)}): it may still hold the secret. Copy something else to overwrite it.` });
    }
  }
}

/** The app's one self-clearing clipboard, over `navigator.clipboard`. */
let shared: SelfClearingClipboard | null = null;
export function secretClipboard(): SelfClearingClipboard {
  shared ??= new SelfClearingClipboard(() => (typeof navigator !== "undefined" && navigator.clipboard ? navigator.clipboard : null));
  return shared;
}
