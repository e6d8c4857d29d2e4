import { afterEach, describe, expect, it, vi } from "vitest";
import type { Definition, Lease, MaintenanceRun, ReconcileReport, StoreCheck } from "./bindings";
import {
  EMPTY_DEFINE_FORM,
  auditActor,
  canRenew,
  canRevoke,
  checkDefineForm,
  checkStoreUrl,
  clockOffset,
  debounce,
  formatCountdown,
  leaseCountdown,
  leaderText,
  maintenanceSummary,
  mineOnly,
  msUntil,
  reconcileSummary,
  renewalPreview,
  statusBadge,
  storeCheckFacts,
  storeLabel,
  targetLabel,
  tokenExpiryLine,
  whenShort,
} from "./leases";
import { demoTenant } from "./testing";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const lease = (over: Partial<Lease> = {}): Lease => ({
  id: "5d1c1c3e-0000-4000-8000-000000000001",
  definition: "ci-deploy",
  kind: "appSecret",
  target: "11111111-2222-3333-4444-555555555555",
  tenant: demoTenant(),
  status: "active",
  issuedBy: "admin@demo",
  issuedAt: "2026-03-01T11:00:00Z",
  expiresAt: "2026-03-01T13:00:00Z",
  maxExpiresAt: "2026-03-02T11:00:00Z",
  renewedAt: null,
  endedAt: null,
  keyId: "k-1",
  hint: "abc",
  marker: "entra-desk:store:5d1c1c3e",
  revokeAttempts: 0,
  nextAttemptAt: null,
  lastError: null,
  note: null,
  ...over,
});
const definition = (over: Partial<Definition> = {}): Definition => ({
  name: "ci-deploy",
  kind: "appSecret",
  target: "11111111-2222-3333-4444-555555555555",
  targetName: "Payroll API",
  clientId: null,
  tenant: demoTenant(),
  ttlSecs: 3600,
  maxTtlSecs: 86_400,
  createdAt: "2026-03-01T10:00:00Z",
  ...over,
});

describe("the clock", () => {
  it("corrects countdowns by how far the store's clock is from this machine's", () => {
    // The store says 12:00:00; this machine says 11:59:50: it is 10 s behind.
    const offset = clockOffset("2026-03-01T12:00:00.000Z", T0 - 10_000);
    expect(offset).toBe(10_000);
    // One local second later, an expiry at 12:00:05 is 4 s away on the store's clock.
    expect(msUntil("2026-03-01T12:00:05Z", T0 - 9_000, offset)).toBe(4_000);
    expect(clockOffset("not a time", T0)).toBe(0);
    expect(msUntil("nope", T0, 0)).toBeNull();
  });
});

describe("countdowns", () => {
  it("count down in the largest units that matter", () => {
    expect(formatCountdown(42_900)).toBe("42s");
    expect(formatCountdown(14 * 60_000 + 5_000)).toBe("14m 05s");
    expect(formatCountdown(3_723_000)).toBe("1h 02m 03s");
    expect(formatCountdown(7 * 86_400_000 - 60_000)).toBe("6d 23h 59m");
    expect(formatCountdown(0)).toBe("0s");
    expect(formatCountdown(-5_000)).toBe("0s");
  });

  it("run to the lease's expiry, say when it is due, and stop for an ended lease", () => {
    const active = lease();
    const one = leaseCountdown(active, T0, 0);
    expect(one).toEqual({ text: "1h 00m 00s", secondsLeft: 3600, state: "running" });
    const later = leaseCountdown(active, T0 + 1000, 0);
    expect(later.secondsLeft).toBe(3599);
    expect(later.text).toBe("59m 59s");
    // The same local time with the store's clock 2 h ahead: already due.
    expect(leaseCountdown(active, T0, 2 * 3_600_000)).toMatchObject({ secondsLeft: 0, state: "due" });
    expect(leaseCountdown(lease({ status: "revoked" }), T0, 0)).toEqual({ text: "—", secondsLeft: null, state: "ended" });
  });
});

describe("statuses and actions", () => {
  it("make a failing revocation clear: attempts, last error, next attempt", () => {
    const failing = lease({ status: "revokeFailed", revokeAttempts: 3, lastError: "Graph answered 503 Service Unavailable", nextAttemptAt: "2026-03-01T12:05:00Z" });
    const b = statusBadge(failing, T0, 0);
    expect(b.text).toBe("Revoke failing");
    expect(b.cls).toBe("bad");
    expect(b.detail).toContain("3 failed attempts");
    expect(b.detail).toContain("503 Service Unavailable");
    expect(b.detail).toBe(
      "3 failed attempts; next attempt in 5m 00s (12:05:00 UTC). It is retried until it succeeds; the secret still works meanwhile. Last error: Graph answered 503 Service Unavailable",
    );
    expect(statusBadge(lease({ status: "revokeFailed", revokeAttempts: 1 }), T0, 0).detail).toContain("1 failed attempt. It is retried");
    expect(statusBadge(failing, T0 + 6 * 60_000, 0).detail).toContain("next attempt due now (12:05:00 UTC)");
  });

  it("badge an active lease past its expiry as expiring, and the rest plainly", () => {
    expect(statusBadge(lease(), T0, 0)).toMatchObject({ text: "Active", cls: "ok" });
    expect(statusBadge(lease({ expiresAt: "2026-03-01T11:59:00Z" }), T0, 0)).toMatchObject({ text: "Expiring", cls: "warn" });
    expect(statusBadge(lease({ status: "pending" }), T0, 0).cls).toBe("warn");
    expect(statusBadge(lease({ status: "revoked" }), T0, 0)).toMatchObject({ text: "Revoked", cls: "" });
  });

  it("renew only a live lease short of its max, revoke a live or failing one", () => {
    expect(canRenew(lease(), T0, 0)).toBe(true);
    expect(canRenew(lease({ expiresAt: "2026-03-02T11:00:00Z" }), T0, 0)).toBe(false);
    expect(canRenew(lease({ status: "revokeFailed" }), T0, 0)).toBe(false);
    // Past its expiry on the store's clock: the sweeper's, not renewable.
    expect(canRenew(lease(), T0, 2 * 3_600_000)).toBe(false);
    expect(canRevoke(lease())).toBe(true);
    expect(canRevoke(lease({ status: "revokeFailed" }))).toBe(true);
    expect(canRevoke(lease({ status: "expired" }))).toBe(false);
    expect(canRevoke(lease({ status: "pending" }))).toBe(false);
  });

  it("preview a renewal, capped at the max", () => {
    expect(renewalPreview(lease(), 3600, T0, 0)).toEqual({ at: T0 + 3_600_000, capped: false });
    expect(renewalPreview(lease(), 7 * 86_400, T0, 0)).toEqual({ at: Date.parse("2026-03-02T11:00:00Z"), capped: true });
  });

  it("name the target when a definition knows it", () => {
    expect(targetLabel(lease(), [definition()])).toEqual({ name: "Payroll API", id: lease().target });
    expect(targetLabel(lease({ definition: "gone" }), [definition({ name: "other" })]).name).toBe("Payroll API");
    expect(targetLabel(lease(), [definition({ targetName: null })]).name).toBeNull();
  });
});

describe("times in cells", () => {
  it("show the time of day for today and the date with minutes otherwise", () => {
    expect(whenShort("2026-03-01T06:07:18Z", T0)).toBe("06:07:18");
    expect(whenShort("2026-03-02T11:00:00Z", T0)).toBe("2026-03-02 11:00");
    expect(whenShort(null, T0)).toBe("—");
    expect(whenShort("soon", T0)).toBe("soon");
  });
});

describe("the define form", () => {
  const ok = { ...EMPTY_DEFINE_FORM, name: "ci-deploy", target: "11111111-2222-3333-4444-555555555555" };

  it("accepts a complete app-secret definition", () => {
    expect(checkDefineForm(ok)).toEqual({});
  });

  it("names every problem by field", () => {
    const p = checkDefineForm({ ...ok, name: "has space", target: "Payroll API" });
    expect(Object.keys(p).sort()).toEqual(["name", "target"]);
    expect(p.target).toContain("object ID");
  });

  it("leaves the durations to the core, which reads them", () => {
    for (const [ttl, maxTtl] of [["2d", "1d"], ["1y", ""], ["00:30:00", "1 hour 30 minutes"]]) {
      expect(checkDefineForm({ ...ok, ttl: ttl!, maxTtl: maxTtl! }), `${ttl} / ${maxTtl}`).toEqual({});
    }
  });

  it("asks for the explicit tick before a user-password definition", () => {
    const form = { ...ok, kind: "userPassword" as const };
    expect(checkDefineForm(form).acknowledge).toContain("real account");
    expect(checkDefineForm({ ...form, acknowledge: true })).toEqual({});
  });

  it("asks for a scope and a client ID for an access-token definition (the secret may already be in the keychain)", () => {
    const form = { ...ok, kind: "accessToken" as const, target: "https://graph.microsoft.com/.default" };
    expect(Object.keys(checkDefineForm(form)).sort()).toEqual(["clientId"]);
    expect(checkDefineForm({ ...form, clientId: "11111111-2222-3333-4444-555555555555", clientSecret: "s3cr3t" })).toEqual({});
    expect(checkDefineForm({ ...form, target: "User.Read", clientId: "11111111-2222-3333-4444-555555555555", clientSecret: "x" }).target).toContain("/.default");
  });
});

describe("maintenance and reconciliation lines", () => {
  const report: ReconcileReport = { targets: 2, credentialsSeen: 7, foreign: 4, removed: 1, adopted: 1, abandoned: 0, closed: 0, otherTenants: 0, errors: [], requests: 3, durationMs: 41 };

  it("say what reconciliation saw and did", () => {
    expect(reconcileSummary(report)).toBe("2 targets, 7 credentials (4 not ours, left alone): removed 1, adopted 1. 3 Graph requests, 41 ms.");
    expect(reconcileSummary({ ...report, removed: 0, adopted: 0, errors: ["app X could not be read"] })).toContain("nothing to fix. 3 Graph requests, 41 ms. 1 problem: app X could not be read");
  });

  it("say when maintenance last ran and why it did not finish", () => {
    expect(maintenanceSummary(null, T0, 0)).toContain("Not run yet");
    const run: MaintenanceRun = { at: "2026-03-01T11:58:00Z", sweep: { expired: 1, recovered: 0, failing: 2, tokensRefreshed: 0, otherTenants: 0 }, reconcile: null, error: "not signed in" };
    expect(maintenanceSummary(run, T0, 0)).toBe("2 min ago: 1 expired lease revoked, 2 still failing. Did not finish: not signed in");
    expect(maintenanceSummary({ ...run, sweep: { expired: 0, recovered: 0, failing: 0, tokensRefreshed: 0, otherTenants: 0 }, reconcile: report, error: null }, T0, 0)).toContain("nothing to sweep; reconciled: 2 targets");
  });

  it("say how many records of another tenant (or unbound) a run left alone, only when there are some", () => {
    const run: MaintenanceRun = { at: "2026-03-01T11:58:00Z", sweep: { expired: 1, recovered: 0, failing: 0, tokensRefreshed: 0, otherTenants: 3 }, reconcile: null, error: null };
    expect(maintenanceSummary(run, T0, 0)).toBe("2 min ago: 1 expired lease revoked, 3 of another tenant (or unbound) left alone.");
    const quiet = { ...run, sweep: { ...run.sweep, expired: 0, otherTenants: 2 }, reconcile: { ...report, removed: 0, adopted: 0, otherTenants: 5 } };
    expect(maintenanceSummary(quiet, T0, 0)).toBe(
      "2 min ago: nothing to sweep, 2 of another tenant (or unbound) left alone; reconciled: 2 targets, 7 credentials (4 not ours, left alone): nothing to fix, 5 of another tenant (or unbound) left alone. 3 Graph requests, 41 ms.",
    );
    expect(maintenanceSummary({ ...run, sweep: { ...run.sweep, otherTenants: 0 } }, T0, 0)).not.toContain("another tenant");
    expect(reconcileSummary(report)).not.toContain("another tenant");
  });
});

describe("the team store", () => {
  it("names the store in the bar: this desktop's file, or the team's host:port/database", () => {
    expect(storeLabel({ kind: "local", location: "/home/a/leases.sqlite" })).toBe("This desktop's store · /home/a/leases.sqlite");
    expect(storeLabel({ kind: "team", location: "db:5432/leases" })).toBe("Team store · db:5432/leases");
  });

  it("says who maintains the team store until when, on the store's clock, or that nobody does", () => {
    const leader = { member: "alice@ws:1", since: "2026-03-01T11:00:00Z", until: "2026-03-01T12:01:30Z" };
    expect(leaderText(leader, T0, 0)).toBe("Maintained by alice@ws:1 · until 12:01:30 UTC");
    expect(leaderText({ ...leader, until: "2026-03-02T00:30:00Z" }, T0, 0)).toBe("Maintained by alice@ws:1 · until 2026-03-02 00:30 UTC");
    expect(leaderText(null, T0, 0)).toBe("No maintainer right now — expired leases wait for a member to take over");
  });

  it("accepts postgres:// and postgresql:// URLs without a password", () => {
    for (const url of [
      "postgres://entra_desk@db.example.com/leases?sslmode=verify-full",
      "postgresql://entra_desk@db.example.com:5432/leases?sslmode=verify-full&auth=entra",
      " POSTGRES://db.example.com/leases ",
      "postgres://entra_desk@[2001:db8::1]:5432/leases",
      "postgres://%2Fvar%2Frun%2Fpostgresql/leases",
      "postgres://u@h/db?sslmode=verify-full&application_name=a:b@c",
    ]) {
      expect(checkStoreUrl(url), url).toBeNull();
    }
  });

  it("refuses an empty URL, another scheme, and a password in the URL, never repeating it", () => {
    expect(checkStoreUrl("  ")).toContain("Enter the team store's URL");
    for (const url of ["mysql://db/leases", "db.example.com/leases", "postgres:/db/leases", "http://postgres://db"]) {
      expect(checkStoreUrl(url), url).toContain("starts with postgres:// or postgresql://");
    }
    for (const url of ["postgres://entra_desk:s3cr3t@db.example.com/leases", "postgresql://u:s3cr3t@h:5432/db", "postgres://u:@h/db", "postgres://h/db?sslmode=require&password=s3cr3t", "postgres://h/db?sslpassword=s3cr3t"]) {
      const problem = checkStoreUrl(url);
      expect(problem, url).toContain("type it in the Password field");
      expect(problem, url).not.toContain("s3cr3t");
    }
  });

  it("lists a connection test's findings, flagging no TLS and read-only", () => {
    const check: StoreCheck = { location: "db:5432/leases", serverVersion: "16.4", databaseUser: "entra_desk", tls: true, schemaVersion: 7, mayWrite: true, storeId: "s-1" };
    expect(storeCheckFacts(check).map((f) => [f.label, f.value])).toEqual([
      ["Server", "db:5432/leases · PostgreSQL 16.4"],
      ["Database user", "entra_desk"],
      ["TLS", "yes (certificate and host name verified)"],
      ["Schema version", "7"],
      ["May write leases", "yes"],
      ["Store ID", "s-1"],
    ]);
    expect(storeCheckFacts(check).some((f) => f.warn)).toBe(false);
    const weak = storeCheckFacts({ ...check, tls: false, mayWrite: false }).filter((f) => f.warn).map((f) => f.label);
    expect(weak).toEqual(["TLS", "May write leases"]);
  });

  it("keeps the signed-in account's leases on Mine, whatever the case of the user name", () => {
    const leases = [lease({ id: "1", issuedBy: "Admin@Demo" }), lease({ id: "2", issuedBy: "bob@demo" }), lease({ id: "3", issuedBy: null })];
    expect(mineOnly(leases, "admin@demo").map((l) => l.id)).toEqual(["1"]);
    expect(mineOnly(leases, "carol@demo")).toEqual([]);
  });

  it("names the database user in an audit line's who, when the store recorded one", () => {
    expect(auditActor({ actor: "bob@demo", databaseUser: "entra_bob" })).toBe("bob@demo (db: entra_bob)");
    expect(auditActor({ actor: "sweeper", databaseUser: null })).toBe("sweeper");
  });

  describe("debounce", () => {
    afterEach(() => vi.useRealTimers());

    it("runs once, after the last call of a burst, and not at all once cancelled", () => {
      vi.useFakeTimers();
      const fn = vi.fn();
      const d = debounce(fn, 250);
      d.call();
      vi.advanceTimersByTime(200);
      d.call();
      vi.advanceTimersByTime(200);
      expect(fn).not.toHaveBeenCalled();
      vi.advanceTimersByTime(50);
      expect(fn).toHaveBeenCalledTimes(1);
      d.call();
      d.cancel();
      vi.advanceTimersByTime(1000);
      expect(fn).toHaveBeenCalledTimes(1);
    });
  });
});

describe("tokenExpiryLine", () => {
  it("says when a token outlives its lease, and that revoking does not end it at Entra", () => {
    const line = tokenExpiryLine("2026-03-01T13:00:00Z", lease({ expiresAt: "2026-03-01T12:30:00Z" }), T0, 0);
    expect(line).toContain("valid at Entra until 2026-03-01T13:00:00Z (in 1h 00m 00s)");
    expect(line).toContain("after the lease ends at 2026-03-01T12:30:00Z");
    expect(line).toContain("use it until then");
  });

  it("says a token that ends before its lease is refreshed, on the corrected clock", () => {
    const line = tokenExpiryLine("2026-03-01T12:10:00Z", lease({ expiresAt: "2026-03-01T16:00:00Z" }), T0 - 60_000, 60_000);
    expect(line).toContain("until 2026-03-01T12:10:00Z (in 10m 00s)");
    expect(line).toContain("fetches a fresh one");
  });

  it("says when the token's own expiry has passed", () => {
    expect(tokenExpiryLine("2026-03-01T11:00:00Z", lease({ expiresAt: "2026-03-01T16:00:00Z" }), T0, 0)).toContain("(passed)");
  });
});
