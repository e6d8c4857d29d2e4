import { describe, expect, it } from "vitest";
import type { CacheState, GroupRow, MemberRow, WhyAnswer } from "./bindings";
import {
  depthText,
  describeDuration,
  describeSummary,
  describeSyncProgress,
  formatBytes,
  formatMs,
  freshnessBadge,
  groupTypeLabel,
  groupsCountText,
  listFilter,
  memberOfCountText,
  membersCountText,
  nextSort,
  statLines,
  whyPath,
} from "./groups";

const cache = (over: Partial<CacheState> = {}): CacheState => ({ asOf: "2025-06-01T12:00:00Z", freshness: "fresh", staleReason: null, refreshed: false, ...over });

function group(id: string, name: string | null, extra: Partial<GroupRow> = {}): GroupRow {
  return { id, displayName: name, description: null, mail: null, securityEnabled: true, mailEnabled: false, groupTypes: [], membershipRule: null, directMembers: 0, ...extra };
}

function member(id: string, name: string, depth: number, via: string | null = null, kind: MemberRow["member"]["kind"] = "user"): MemberRow {
  return { member: { id, displayName: name, kind, userPrincipalName: `${id}@demo` }, depth, via: via ? { id: `g-${via}`, displayName: via } : null };
}

describe("the cache duration", () => {
  it("explains the saved duration, and zero as the cache off", () => {
    expect(describeDuration(0)).toBe("Cache off: every read goes to Graph.");
    expect(describeDuration(1800)).toContain("30 minutes");
    expect(describeDuration(5401)).toContain("1 hour 30 minutes 1 second");
  });
});

describe("freshness and statistics", () => {
  it("badges fresh, stale (with the reason) and empty", () => {
    expect(freshnessBadge(cache())).toMatchObject({ label: "Fresh", cls: "ok" });
    expect(freshnessBadge(cache({ freshness: "stale", staleReason: "Graph could not be reached" }))).toMatchObject({ label: "Stale", cls: "warn", title: expect.stringContaining("Graph could not be reached") });
    expect(freshnessBadge(cache({ freshness: "empty", asOf: null }))).toMatchObject({ label: "Empty", cls: "bad" });
  });

  it("formats sizes and times", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(50 * 1024 * 1024)).toBe("50 MiB");
    expect(formatMs(850)).toBe("850 ms");
    expect(formatMs(2400)).toBe("2.4 s");
    expect(formatMs(185_000)).toBe("3 min 5 s");
  });

  it("lists every statistic the issue names", () => {
    const lines = statLines(
      { groups: 400, users: 12000, memberships: 25000, sizeBytes: 3 * 1024 * 1024, lastSyncAt: "2025-06-01T12:00:00Z", lastSyncDurationMs: 2400, lastSyncRequests: 7, lastSyncFull: false, lastSyncFallback: null, hits: 3, misses: 1 },
      Date.parse("2025-06-01T12:10:00Z"),
    );
    const byId = Object.fromEntries(lines.map((l) => [l.id, l.value]));
    expect(byId).toMatchObject({ groups: "400", users: "12,000", memberships: "25,000", size: "3.0 MiB", duration: "2.4 s", requests: "7", kind: "Incremental (delta)", fallback: "no", hits: "3 / 1 (75% hits)" });
    expect(byId["last-sync"]).toContain("10 min ago");
  });

  it("describes progress and the outcome, fallback included", () => {
    expect(describeSyncProgress(null)).toBe("Starting…");
    expect(describeSyncProgress({ phase: "groups", pages: 3, groups: 600, memberships: 1500, requests: 3, units: 0, waitingForBudget: false })).toBe("Reading groups and members: 600 groups, 1,500 memberships, 3 pages, 3 requests");
    expect(describeSyncProgress({ phase: "members", pages: 40, groups: 0, memberships: 20000, requests: 41, units: 8400, waitingForBudget: true })).toBe(
      "Reading each group's members: 0 groups, 20,000 memberships, 40 pages, 41 requests, 8,400 resource units (waiting for Graph's budget to come back)",
    );
    const text = describeSummary({ full: true, fellBack: "the delta link expired (410)", groups: 400, users: 10, memberships: 900, changes: 1310, requests: 9, durationMs: 1200, asOf: "2025-06-01T12:00:00Z", method: "deltaWalk", resumed: false });
    expect(text).toContain("Full sync (delta walk) done");
    expect(text).toContain("fell back to a full sync: the delta link expired (410)");
    expect(text).not.toContain("interrupted");
    expect(describeSyncProgress({ phase: "members", pages: 40, groups: 900, memberships: 30000, requests: 5, units: 0, waitingForBudget: false })).toContain("Reading each group's members");
    const listed = describeSummary({ full: true, fellBack: null, groups: 100000, users: 1000000, memberships: 5000000, changes: 6100000, requests: 5400, durationMs: 290000, asOf: "2025-06-01T12:00:00Z", method: "listings", resumed: true });
    expect(listed).toContain("Full sync (listings) done");
    expect(listed).toContain("continued a sync that had been interrupted");
  });
});

describe("the paged lists and a user's groups", () => {
  it("asks the core: the search trimmed (left out when blank), the sort key and its direction", () => {
    expect(listFilter("  fin team ", { key: "name", dir: 1 })).toEqual({ search: "fin team", sort: "name", descending: false });
    expect(listFilter("   ", { key: "members", dir: -1 })).toEqual({ sort: "members", descending: true });
    expect(nextSort({ key: "name", dir: 1 }, "name")).toEqual({ key: "name", dir: -1 });
    expect(nextSort({ key: "name", dir: -1 }, "name")).toEqual({ key: "name", dir: 1 });
    expect(nextSort({ key: "depth", dir: -1 }, "name")).toEqual({ key: "name", dir: 1 });
  });

  it("counts what the core matched", () => {
    expect(groupsCountText(400, false, 400)).toBe("400 groups");
    expect(groupsCountText(3, true, 1200)).toBe("3 of 1,200");
    expect(groupsCountText(3, true, null)).toBe("3 match");
    expect(membersCountText(12_000, false, false)).toBe("12,000 direct members");
    expect(membersCountText(7, true, false)).toBe("7 members in all, directly or through nested groups");
    expect(membersCountText(1, true, true)).toBe("1 member matches (direct and nested)");
    expect(membersCountText(0, false, true)).toBe("0 members match");
  });

  it("says how a member is in the group", () => {
    expect(depthText(member("u3", "Zoe", 3, "Level 3"))).toBe("depth 3 · via Level 3");
    expect(depthText(member("u1", "Adam", 1))).toBe("direct");
    expect(depthText({ depth: 2, via: null })).toBe("depth 2");
  });

  it("counts a user's groups, or the matches of the filter", () => {
    expect(memberOfCountText(1_204, true, false)).toBe("1,204 groups, directly or through nesting");
    expect(memberOfCountText(1, false, false)).toBe("1 direct group");
    expect(memberOfCountText(3, true, true)).toBe("3 groups match (direct and nested)");
    expect(memberOfCountText(1, false, true)).toBe("1 group matches");
  });

  it("labels group types", () => {
    expect(groupTypeLabel(group("a", "a", { groupTypes: ["Unified"], mailEnabled: true }))).toBe("Microsoft 365");
    expect(groupTypeLabel(group("a", "a"))).toBe("Security");
    expect(groupTypeLabel(group("a", "a", { mailEnabled: true }))).toBe("Mail-enabled security");
    expect(groupTypeLabel(group("a", "a", { securityEnabled: false, mailEnabled: true }))).toBe("Distribution");
    expect(groupTypeLabel(group("a", "a", { groupTypes: ["DynamicMembership"], membershipRule: "user.department -eq \"x\"" }))).toBe("Security, dynamic");
  });
});

describe("why is U in G", () => {
  const user = { id: "u", displayName: "Nina Nested", kind: "user" as const, userPrincipalName: "nina@demo" };
  const g = (n: number) => ({ id: `g${n}`, displayName: `Level ${n}` });

  it("draws user → G5 → … → G1 from the chain", () => {
    const answer: WhyAnswer = { user, group: g(1), member: true, chain: [g(5), g(4), g(3), g(2), g(1)], cache: cache() };
    const view = whyPath(answer);
    expect(view.member).toBe(true);
    expect(view.path.map((n) => n.name)).toEqual(["Nina Nested", "Level 5", "Level 4", "Level 3", "Level 2", "Level 1"]);
    expect(view.path[0]!.kind).toBe("user");
    expect(view.path[1]).toMatchObject({ kind: "group", direct: true, target: false });
    expect(view.path[5]).toMatchObject({ kind: "group", direct: false, target: true });
    expect(view.sentence).toBe("Nina Nested is in Level 1 through 4 nested groups, directly in Level 5.");
  });

  it("says a direct membership plainly, and appends the asked group if the chain leaves it off", () => {
    expect(whyPath({ user, group: g(5), member: true, chain: [g(5)], cache: cache() }).sentence).toBe("Nina Nested is a direct member of Level 5.");
    const view = whyPath({ user, group: g(1), member: true, chain: [g(2)], cache: cache() });
    expect(view.path.map((n) => n.id)).toEqual(["u", "g2", "g1"]);
  });

  it("has a clear not-a-member state", () => {
    const view = whyPath({ user, group: g(9), member: false, chain: [], cache: cache() });
    expect(view).toEqual({ member: false, path: [], sentence: "Nina Nested is not a member of Level 9, directly or through nested groups." });
  });
});

