// The Leases screen's logic: the clock the countdowns run on (the store's
// "now" corrected by this machine's clock), countdowns, status badges with
// the clear states of a failing revocation, what a row may do, the define
// form's checks (not its durations: the TTLs are sent as typed and the core
// reads them, `15m`, `1h30m`, `7d`), and the maintenance and reconciliation lines; and for a team
// store: the store bar's lines, the team store URL's check, whose leases "Mine" keeps, the audit
// line's actor with its database user, and the debounce of the `leases-changed` event. Pure (the
// debounce aside, which only holds a timer); tested in leases.test.ts.
import type { AuditAction, AuditEntry, Definition, LeaderInfo, Lease, LeaseKind, LeaseStatus, MaintenanceRun, ReconcileReport, StoreCheck, StoreDescription } from "./bindings";
import { relativeTime } from "./time";

// ---- the clock ------------------------------------------------------------------------------

/**
 * How far the store's clock is ahead of this machine's, in ms: the overview's `now` minus the local time it
 * arrived at. Countdowns use `Date.now() + offset`, so they agree with the sweeper even when the clocks differ.
 */
export function clockOffset(serverNow: string, localNow: number): number {
  const t = Date.parse(serverNow);
  return Number.isNaN(t) ? 0 : t - localNow;
}

/** Milliseconds from the corrected now to `iso` (negative once passed); null when `iso` is not a time. */
export function msUntil(iso: string, localNow: number, offset: number): number | null {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t - (localNow + offset);
}

// ---- countdowns -----------------------------------------------------------------------------

/**
 * A countdown: `42s`, `14m 05s`, `1h 02m 03s`, `6d 23h 59m`. Negative or zero is `0s` (the expiry has passed;
 * the sweeper revokes the lease within a minute).
 */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (d > 0) return `${d}d ${h}h ${two(m)}m`;
  if (h > 0) return `${h}h ${two(m)}m ${two(s)}s`;
  if (m > 0) return `${m}m ${two(s)}s`;
  return `${s}s`;
}

/**
 * What an access token's own expiry means beside its lease's: the token is honoured by Entra until its own `exp`,
 * which may be after the lease ends (revoking forgets the token; Entra still accepts it until then) or before
 * (Entra Desk fetches a fresh one ahead of it while the lease lives).
 */
export function tokenExpiryLine(tokenExpiresAt: string, lease: Pick<Lease, "expiresAt">, localNow: number, offset: number): string {
  const left = msUntil(tokenExpiresAt, localNow, offset);
  const when = `${tokenExpiresAt}${left !== null ? (left > 0 ? ` (in ${formatCountdown(left)})` : " (passed)") : ""}`;
  const token = Date.parse(tokenExpiresAt);
  const ends = Date.parse(lease.expiresAt);
  if (!Number.isNaN(token) && !Number.isNaN(ends) && token > ends) {
    return `The token is valid at Entra until ${when}, after the lease ends at ${lease.expiresAt}: revoking or expiry forgets it here, but whoever holds a copy can use it until then.`;
  }
  return `The token is valid at Entra until ${when}; Entra Desk fetches a fresh one ahead of that while the lease lives (it ends at ${lease.expiresAt}).`;
}

export interface Countdown {
  /** What the cell shows. */
  text: string;
  /** Whole seconds left (0 once passed); null for a lease that has ended. */
  secondsLeft: number | null;
  /** `running` until the expiry, `due` once passed and not yet swept, `ended` for a final lease. */
  state: "running" | "due" | "ended";
}

/** The countdown of a lease to its expiry, on the corrected clock. */
export function leaseCountdown(lease: Pick<Lease, "status" | "expiresAt">, localNow: number, offset: number): Countdown {
  if (isFinal(lease.status)) return { text: "—", secondsLeft: null, state: "ended" };
  const ms = msUntil(lease.expiresAt, localNow, offset);
  if (ms === null) return { text: lease.expiresAt, secondsLeft: null, state: "running" };
  if (ms <= 0) return { text: "expired, revoking soon", secondsLeft: 0, state: "due" };
  return { text: formatCountdown(ms), secondsLeft: Math.floor(ms / 1000), state: "running" };
}

// ---- statuses and actions --------------------------------------------------------------------

/** True once nothing more will happen to the lease (as the core's `LeaseStatus::is_final`). */
export function isFinal(status: LeaseStatus): boolean {
  return status === "revoked" || status === "expired" || status === "abandoned";
}

export const KIND_LABEL: Record<LeaseKind, string> = {
  "appSecret": "App secret",
  "userPassword": "User password",
  "accessToken": "Access token",
};

export interface StatusBadge {
  text: string;
  /** The badge class: `ok`, `warn`, `bad` or `` (plain). */
  cls: "ok" | "warn" | "bad" | "";
  /** A sentence under the badge, for states that need one (a failing revocation, a pending intent). */
  detail: string | null;
}

/** The status badge of a lease, with the clear words a failing revocation needs. */
export function statusBadge(lease: Lease, localNow: number, offset: number): StatusBadge {
  switch (lease.status) {
    case "active": {
      const ms = msUntil(lease.expiresAt, localNow, offset);
      if (ms !== null && ms <= 0) return { text: "Expiring", cls: "warn", detail: "Past its expiry: the sweeper revokes it within a minute while Entra Desk runs." };
      return { text: "Active", cls: "ok", detail: null };
    }
    case "pending":
      return { text: "Pending", cls: "warn", detail: "The intent is recorded; reconciliation will find out whether Entra made the credential." };
    case "revoking":
      return { text: "Revoking", cls: "warn", detail: null };
    case "revokeFailed": {
      const attempts = `${lease.revokeAttempts} failed attempt${lease.revokeAttempts === 1 ? "" : "s"}`;
      const next = nextAttemptText(lease.nextAttemptAt, localNow, offset);
      const error = lease.lastError ? ` Last error: ${lease.lastError}` : "";
      return { text: "Revoke failing", cls: "bad", detail: `${attempts}${next ? `; next attempt ${next}` : ""}. It is retried until it succeeds; the secret still works meanwhile.${error}` };
    }
    case "revoked":
      return { text: "Revoked", cls: "", detail: null };
    case "expired":
      return { text: "Expired", cls: "", detail: null };
    case "abandoned":
      return { text: "Abandoned", cls: "", detail: lease.lastError };
  }
}

/** When the next revocation attempt is due: `in 29s (06:12:00 UTC)`, or `due now (…)`; null without one. */
export function nextAttemptText(iso: string | null, localNow: number, offset: number): string | null {
  if (!iso) return null;
  const ms = msUntil(iso, localNow, offset);
  if (ms === null) return iso;
  const at = whenShort(iso, localNow + offset);
  return ms > 0 ? `in ${formatCountdown(ms)} (${at} UTC)` : `due now (${at} UTC)`;
}

/** A lease can be renewed while active, not yet expired on the store's clock, and short of its max TTL. */
export function canRenew(lease: Pick<Lease, "status" | "expiresAt" | "maxExpiresAt">, localNow: number, offset: number): boolean {
  const left = msUntil(lease.expiresAt, localNow, offset);
  return lease.status === "active" && left !== null && left > 0 && Date.parse(lease.expiresAt) < Date.parse(lease.maxExpiresAt);
}

/** A lease can be revoked while it lives, or retried at once while its revocation fails. */
export function canRevoke(lease: Pick<Lease, "status">): boolean {
  return lease.status === "active" || lease.status === "revokeFailed" || lease.status === "revoking";
}

/** Where a renewal by `ttlSecs` would put the expiry: from now, never past the max (and whether it was capped). */
export function renewalPreview(lease: Pick<Lease, "maxExpiresAt">, ttlSecs: number, localNow: number, offset: number): { at: number; capped: boolean } {
  const wanted = localNow + offset + ttlSecs * 1000;
  const max = Date.parse(lease.maxExpiresAt);
  return wanted > max ? { at: max, capped: true } : { at: wanted, capped: false };
}

/** The target as the table shows it: its name when a definition knows it, else the object ID or scope. */
export function targetLabel(lease: Pick<Lease, "target" | "definition">, definitions: readonly Definition[]): { name: string | null; id: string } {
  const own = definitions.find((d) => d.name === lease.definition && d.target === lease.target);
  const named = own?.targetName ? own : definitions.find((d) => d.target === lease.target && d.targetName);
  return { name: named?.targetName ?? null, id: lease.target };
}

/** Leases that are neither ended nor fine: what the screen's header counts. */
export function attentionCount(leases: readonly Pick<Lease, "status">[]): number {
  return leases.filter((l) => l.status === "revokeFailed" || l.status === "pending").length;
}

// ---- the define form ------------------------------------------------------------------------

export interface DefineForm {
  name: string;
  kind: LeaseKind;
  target: string;
  ttl: string;
  maxTtl: string;
  acknowledge: boolean;
  clientId: string;
  clientSecret: string;
}

export const EMPTY_DEFINE_FORM: DefineForm = { name: "", kind: "appSecret", target: "", ttl: "1h", maxTtl: "24h", acknowledge: false, clientId: "", clientSecret: "" };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the target field asks for, per kind. */
export const TARGET_HELP: Record<LeaseKind, string> = {
  "appSecret": "The app registration's object ID (not its client ID). Pick one of the cached apps or paste it.",
  "userPassword": "The user's object ID.",
  "accessToken": "The scope, e.g. https://graph.microsoft.com/.default",
};

/** The form's problems, by field (empty when it may be sent); not the durations, which only the core reads. The core checks again; its message wins. */
export function checkDefineForm(form: DefineForm): Partial<Record<keyof DefineForm, string>> {
  const problems: Partial<Record<keyof DefineForm, string>> = {};
  const name = form.name.trim();
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
    problems.name = name === "" ? "Give the definition a name." : "A name has 1–64 letters, digits, “-”, “_” or “.”.";
  }
  const target = form.target.trim();
  if (target === "") problems.target = `The target is empty. ${TARGET_HELP[form.kind]}`;
  else if (form.kind !== "accessToken" && !GUID.test(target)) problems.target = `“${target}” is not an object ID. ${TARGET_HELP[form.kind]}`;
  else if (form.kind === "accessToken" && !target.endsWith("/.default")) problems.target = `App-only tokens are for a resource's “/.default” scope. ${TARGET_HELP[form.kind]}`;
  // The TTL and max TTL are sent as typed: the core reads them (entra_core::duration) and its message says what is wrong.
  if (form.kind === "userPassword" && !form.acknowledge) {
    problems.acknowledge = "Tick the box: each lease resets this real account's password.";
  }
  if (form.kind === "accessToken") {
    if (!GUID.test(form.clientId.trim())) problems.clientId = "The client (application) ID of the app whose secret gets the tokens.";
    // An empty secret is refused by the core with a message naming the field (each definition keeps its own).
  }
  return problems;
}

// ---- maintenance, reconciliation, audit -----------------------------------------------------

/** The reconciliation's outcome in one line. */
export function reconcileSummary(r: ReconcileReport): string {
  const did = [
    r.removed ? `removed ${r.removed}` : null,
    r.adopted ? `adopted ${r.adopted}` : null,
    r.abandoned ? `closed ${r.abandoned} unfinished intent${r.abandoned === 1 ? "" : "s"}` : null,
    r.closed ? `closed ${r.closed} lease${r.closed === 1 ? "" : "s"} whose credential was gone` : null,
  ].filter((x): x is string => x !== null);
  const seen = `${r.targets} target${r.targets === 1 ? "" : "s"}, ${r.credentialsSeen} credential${r.credentialsSeen === 1 ? "" : "s"} (${r.foreign} not ours, left alone)`;
  const outcome = [did.length ? did.join(", ") : "nothing to fix", otherTenantsText(r.otherTenants)].filter((x) => x !== null).join(", ");
  const errors = r.errors.length ? ` ${r.errors.length} problem${r.errors.length === 1 ? "" : "s"}: ${r.errors.join("; ")}` : "";
  return `${seen}: ${outcome}. ${r.requests} Graph request${r.requests === 1 ? "" : "s"}, ${r.durationMs} ms.${errors}`;
}

/**
 * What a run left to an account of another tenant (records of another tenant, or unbound ones): null for none.
 * The core acts on a lease only with an account of its own tenant, so these wait for one (or for a bind).
 */
function otherTenantsText(n: number): string | null {
  return n > 0 ? `${n} of another tenant (or unbound) left alone` : null;
}

/** The last maintenance run in one line. */
export function maintenanceSummary(run: MaintenanceRun | null, localNow: number, offset: number): string {
  if (!run) return "Not run yet: it runs once an account is signed in, then every minute.";
  const when = relativeTime(run.at, localNow + offset);
  const s = run.sweep;
  const sweep = [
    s.expired ? `${s.expired} expired lease${s.expired === 1 ? "" : "s"} revoked` : null,
    s.recovered ? `${s.recovered} failed revocation${s.recovered === 1 ? "" : "s"} recovered` : null,
    s.failing ? `${s.failing} still failing` : null,
    s.tokensRefreshed ? `${s.tokensRefreshed} token${s.tokensRefreshed === 1 ? "" : "s"} refreshed` : null,
  ].filter((x): x is string => x !== null);
  const parts = [[sweep.length ? sweep.join(", ") : "nothing to sweep", otherTenantsText(s.otherTenants)].filter((x) => x !== null).join(", ")];
  if (run.reconcile) parts.push(`reconciled: ${reconcileSummary(run.reconcile)}`);
  const error = run.error ? ` Did not finish: ${run.error}` : "";
  // The reconciliation line ends with its own full stop.
  return `${when}: ${parts.join("; ").replace(/\.$/, "")}.${error}`;
}

export const ACTION_LABEL: Record<AuditAction, string> = {
  defined: "Defined",
  undefined: "Removed definition",
  intent: "Intent",
  issued: "Issued",
  "issueFailed": "Issue failed",
  renewed: "Renewed",
  revoked: "Revoked",
  "revokeFailed": "Revoke failed",
  expired: "Expired",
  reconciled: "Reconciled",
  bound: "Bound to tenant",
  relocated: "Store relocated",
};

/** The badge class of an audit line. */
export function actionClass(action: AuditAction): "ok" | "warn" | "bad" | "" {
  if (action === "issueFailed" || action === "revokeFailed") return "bad";
  if (action === "issued" || action === "renewed") return "ok";
  if (action === "reconciled" || action === "expired") return "warn";
  return "";
}

/**
 * A time for a narrow cell, in UTC as the other screens show times: `06:07:18` on the day of `now`, else
 * `2026-12-01 18:30`. Leases live minutes to days, so the date alone says too little.
 */
export function whenShort(iso: string | null, now: number): string {
  if (!iso) return "—";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const text = t.toISOString();
  return text.slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? text.slice(11, 19) : `${text.slice(0, 10)} ${text.slice(11, 16)}`;
}

/** The first characters of an ID, for narrow cells (the whole ID goes in the title). */
export function shortId(id: string | null): string {
  if (!id) return "—";
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

// ---- the team store ---------------------------------------------------------------------------

/** The store bar's first line: which store the screen shows. */
export function storeLabel(store: StoreDescription): string {
  return store.kind === "team" ? `Team store · ${store.location}` : `This desktop's store · ${store.location}`;
}

/** Who runs the team store's maintenance (sweep, retries, reconciliation), and until when its term runs. */
export function leaderText(leader: LeaderInfo | null, localNow: number, offset: number): string {
  if (!leader) return "No maintainer right now — expired leases wait for a member to take over";
  return `Maintained by ${leader.member} · until ${whenShort(leader.until, localNow + offset)} UTC`;
}

/**
 * What is wrong with a team store URL, in one sentence, or null when it may be sent (the core checks it again and
 * its message wins). A password in the URL is refused: it would end up in settings; the password field puts it in
 * the OS keychain instead. The message never repeats the URL, so it never repeats a password either.
 */
export function checkStoreUrl(url: string): string | null {
  const text = url.trim();
  if (text === "") return "Enter the team store's URL, e.g. postgres://entra_desk@db.example.com/leases?sslmode=verify-full.";
  const scheme = /^(postgres|postgresql):\/\//i.exec(text);
  if (!scheme) return "A team store URL starts with postgres:// or postgresql://, e.g. postgres://entra_desk@db.example.com/leases?sslmode=verify-full.";
  const rest = text.slice(scheme[0].length);
  const authority = rest.split(/[/?#]/, 1)[0] ?? "";
  const at = authority.lastIndexOf("@");
  const userinfo = at < 0 ? "" : authority.slice(0, at);
  const query = rest.includes("?") ? rest.slice(rest.indexOf("?") + 1).split("#", 1)[0]! : "";
  const inQuery = query.split("&").some((pair) => /^(ssl)?password=/i.test(pair));
  if (userinfo.includes(":") || inQuery) {
    return "The URL contains a password: remove it from the URL and type it in the Password field, which keeps it in the OS keychain (never in settings).";
  }
  return null;
}

/** A connection test's findings, label and value, in the order the dialog lists them. */
export function storeCheckFacts(check: StoreCheck): Array<{ label: string; value: string; warn: boolean }> {
  return [
    { label: "Server", value: `${check.location} · PostgreSQL ${check.serverVersion}`, warn: false },
    { label: "Database user", value: check.databaseUser, warn: false },
    { label: "TLS", value: check.tls ? "yes (certificate and host name verified)" : "no: the connection is not encrypted", warn: !check.tls },
    { label: "Schema version", value: String(check.schemaVersion), warn: false },
    { label: "May write leases", value: check.mayWrite ? "yes" : "no: this user may only read the team's leases", warn: !check.mayWrite },
    { label: "Store ID", value: check.storeId, warn: false },
  ];
}

/** Whose leases the table shows in a team store. */
export type LeaseFilter = "everyone" | "mine";

/** Leases the signed-in account issued (user names compare case-insensitively, as Entra's do). */
export function mineOnly<L extends Pick<Lease, "issuedBy">>(leases: readonly L[], username: string): L[] {
  const me = username.toLowerCase();
  return leases.filter((l) => l.issuedBy !== null && l.issuedBy.toLowerCase() === me);
}

/** The audit line's "who": the Entra account, and in a team store the database user that wrote the line. */
export function auditActor(entry: Pick<AuditEntry, "actor" | "databaseUser">): string {
  return entry.databaseUser ? `${entry.actor} (db: ${entry.databaseUser})` : entry.actor;
}

/**
 * `fn` run once, `ms` after the last of a burst of calls (a teammate's bulk change announces itself many times);
 * `cancel` drops a pending run (the screen is gone).
 */
export function debounce(fn: () => void, ms: number): { call: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return {
    call: () => {
      cancel();
      timer = setTimeout(() => {
        timer = null;
        fn();
      }, ms);
    },
    cancel,
  };
}
