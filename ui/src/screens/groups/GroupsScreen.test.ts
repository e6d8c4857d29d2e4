// The Group caches screen in jsdom over mocked IPC standing in for the core: an
// empty cache is read without a sync behind the admin's back; the groups cross
// a page at a time (the first page shown, only a window of it in the DOM); a
// search and a sort are asked of the core, not done in TypeScript; a group's
// transitive members — searched and sorted by the core too — show depth and
// "via"; "why" draws the path or says "not a member"; a bad duration is sent as
// typed and the core's refusal shown in place; Rebuild and Clear ask first.
import { afterEach, describe, expect, it } from "vitest";
import { mount, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import GroupsScreen from "./GroupsScreen.svelte";
import TokenGroups from "../jwt/TokenGroups.svelte";
import type { CacheState, GroupPage, GroupRow, GroupsOverview, Inspection, ListQuery, MemberPage, MemberRow, SignedInUser, WhyAnswer } from "../../lib/bindings";
import { byTestid, cutPage as cut, demoUser, settle, typeInto, withoutLayout } from "../../lib/testing";

const user = demoUser();

const fresh: CacheState = { asOf: "2025-06-01T12:00:00Z", freshness: "fresh", staleReason: null, refreshed: false };
const empty: CacheState = { asOf: null, freshness: "empty", staleReason: null, refreshed: false };

function overview(cache: CacheState): GroupsOverview {
  return {
    policy: { durationSecs: 1800, duration: "00:30:00", enabled: true },
    stats: { groups: cache.freshness === "empty" ? 0 : 6, users: 0, memberships: 0, sizeBytes: 0, lastSyncAt: cache.asOf, lastSyncDurationMs: null, lastSyncRequests: null, lastSyncFull: null, lastSyncFallback: null, hits: 0, misses: 0 },
    cache,
  };
}

const g = (n: number): GroupRow => ({ id: `g${n}`, displayName: `Nested level ${n}`, description: null, mail: null, securityEnabled: true, mailEnabled: false, groupTypes: [], membershipRule: null, directMembers: n });
const groups: GroupRow[] = [g(1), g(2), g(3), g(4), g(5), { ...g(9), displayName: "Finance" }];
const nina = { id: "u-nina", displayName: "Nina Nested", kind: "user" as const, userPrincipalName: "nina@demo" };
const ref = (n: number) => ({ id: `g${n}`, displayName: `Nested level ${n}` });

/** The core's `groups_list` over `all`: words of the name (or the ID), sorted by name or member count, one page. */
function groupsAnswer(all: GroupRow[], cache: CacheState, q: ListQuery): GroupPage {
  const words = (q.search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const name = (r: GroupRow) => (r.displayName ?? r.id).toLowerCase();
  const rows = all.filter((r) => r.id === q.search || words.every((w) => name(r).split(" ").some((x) => x.startsWith(w))));
  rows.sort((a, b) => (q.sort === "members" ? a.directMembers - b.directMembers : 0) || name(a).localeCompare(name(b)));
  if (q.descending) rows.reverse();
  return { groups: cut(rows, q), cache };
}

/** The core's `groups_members` of g1: the direct member g2, and Nina through G5 when transitive; searched, sorted by depth or name. */
function membersAnswer(transitive: boolean, q: ListQuery): MemberPage {
  const all: MemberRow[] = [{ member: { id: "g2", displayName: "Nested level 2", kind: "group", userPrincipalName: null }, depth: 1, via: null }];
  if (transitive) all.push({ member: nina, depth: 5, via: ref(5) });
  const rows = all.filter((r) => !q.search || (r.member.displayName ?? "").toLowerCase().includes(q.search.toLowerCase()));
  if (q.sort === "name") rows.sort((a, b) => (a.member.displayName ?? "").localeCompare(b.member.displayName ?? ""));
  if (q.descending) rows.reverse();
  return { group: ref(1), transitive, members: cut(rows, q), cache: fresh };
}

withoutLayout();
const $ = byTestid;
const type = typeInto;

describe("GroupsScreen", () => {
  afterEach(() => clearMocks());

  it("reads an empty cache without syncing, then lists, searches, sorts, opens transitive members and explains why", async () => {
    let state = empty;
    const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
    const asked = (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args);
    mockIPC((cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      if (cmd === "groups_overview") return overview(state);
      if (cmd === "groups_list") return groupsAnswer(state === empty ? [] : groups, state, args.query as ListQuery);
      if (cmd === "groups_members") return membersAnswer(args.transitive as boolean, args.query as ListQuery);
      if (cmd === "groups_why") return { user: nina, group: ref(1), member: true, chain: [ref(5), ref(4), ref(3), ref(2), ref(1)], cache: fresh } satisfies WhyAnswer;
      return null;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(GroupsScreen, { target, props: { user } });
    await settle();

    // Empty: the first page from the cache only (no account: no sync behind the admin's back), and it says so.
    expect(asked("groups_list")).toEqual([{ accountId: null, query: { sort: "name", descending: false, start: 0, limit: 100 } }]);
    expect($(target, "groups-cache-badge").textContent).toBe("Empty");
    expect($(target, "groups-cache-as-of").textContent).toBe("never synced");
    expect($(target, "groups-empty").textContent).toContain("Refresh now");

    // Synced (as if by Refresh now): the first page read through the policy.
    state = fresh;
    unmount(screen);
    calls.length = 0;
    const again = mount(GroupsScreen, { target, props: { user } });
    await settle();
    expect(asked("groups_list")).toEqual([{ accountId: "oid.tid", query: { sort: "name", descending: false, start: 0, limit: 100 } }]);
    expect($(target, "groups-cache-badge").textContent).toBe("Fresh");
    expect($(target, "groups-table").dataset.rows).toBe("6");
    expect($(target, "groups-count").textContent).toBe("6 groups");

    // A search is the core's: asked once after the pause (the cache only), the rows are its answer.
    type($(target, "groups-search"), "nested");
    await settle();
    type($(target, "groups-search"), "nested level 1");
    await settle();
    expect(asked("groups_list"), "nothing asked while typing").toHaveLength(1);
    expect($(target, "groups-table").dataset.rows, "the old rows stay until the core answers").toBe("6");
    await new Promise((r) => setTimeout(r, 250));
    await settle();
    expect(asked("groups_list").slice(1)).toEqual([{ accountId: null, query: { search: "nested level 1", sort: "name", descending: false, start: 0, limit: 100 } }]);
    expect($(target, "groups-table").dataset.rows).toBe("1");
    expect($(target, "groups-count").textContent).toBe("1 of 6");

    // A sort is the core's too: a click on "Direct members" asks for that order, a second click reverses it.
    type($(target, "groups-search"), "");
    await new Promise((r) => setTimeout(r, 250));
    await settle();
    $(target, "groups-table-sort-members").click();
    await settle();
    expect(asked("groups_list").at(-1)).toEqual({ accountId: null, query: { sort: "members", descending: false, start: 0, limit: 100 } });
    $(target, "groups-table-sort-members").click();
    await settle();
    expect(asked("groups_list").at(-1)).toEqual({ accountId: null, query: { sort: "members", descending: true, start: 0, limit: 100 } });
    const names = () => [...target.querySelectorAll<HTMLElement>("[data-testid=groups-row-name]")].map((e) => e.textContent);
    expect(names()).toEqual(["Finance", "Nested level 5", "Nested level 4", "Nested level 3", "Nested level 2", "Nested level 1"]);
    expect($(target, "groups-table").querySelector("[aria-sort=descending]")!.textContent).toContain("Direct members");

    // A group's members: the first page through the policy, direct, by depth.
    target.querySelector<HTMLElement>("[data-testid=groups-row-name][data-id=g1]")!.parentElement!.click();
    await settle();
    expect($(target, "groups-members-title").textContent).toBe("Nested level 1");
    expect(asked("groups_members")).toEqual([{ accountId: "oid.tid", groupId: "g1", transitive: false, query: { sort: "depth", descending: false, start: 0, limit: 100 } }]);
    expect($(target, "groups-members-count").textContent).toBe("1 direct members");

    $(target, "groups-members-transitive").click();
    await settle();
    expect(asked("groups_members").at(-1)).toMatchObject({ accountId: "oid.tid", transitive: true });
    expect($(target, "groups-members-count").dataset.transitive).toBe("true");
    const depths = () => [...target.querySelectorAll<HTMLElement>("[data-testid=groups-member-depth]")].map((e) => e.textContent);
    expect(depths()).toEqual(["direct", "depth 5 · via Nested level 5"]);

    // Searching and sorting the members are the core's, from the cache the opening read checked.
    $(target, "groups-members-table-sort-name").click();
    await settle();
    expect(asked("groups_members").at(-1)).toEqual({ accountId: null, groupId: "g1", transitive: true, query: { sort: "name", descending: false, start: 0, limit: 100 } });
    $(target, "groups-members-table-sort-name").click();
    await settle();
    expect(asked("groups_members").at(-1)).toMatchObject({ query: { sort: "name", descending: true } });
    expect(depths(), "Nina before Nested level 2").toEqual(["depth 5 · via Nested level 5", "direct"]);
    type($(target, "groups-members-search"), "nina");
    await new Promise((r) => setTimeout(r, 250));
    await settle();
    expect(asked("groups_members").at(-1)).toMatchObject({ accountId: null, query: { search: "nina", sort: "name", descending: true } });
    expect(depths()).toEqual(["depth 5 · via Nested level 5"]);
    expect($(target, "groups-members-count").textContent).toBe("1 member matches (direct and nested)");

    $(target, "groups-member-why").click();
    await settle();
    expect(calls.find((c) => c.cmd === "groups_why")!.args).toEqual({ accountId: "oid.tid", userId: "u-nina", groupId: "g1" });
    const nodes = [...target.querySelectorAll<HTMLElement>("[data-testid=groups-why-node]")].map((e) => e.dataset.id);
    expect(nodes).toEqual(["u-nina", "g5", "g4", "g3", "g2", "g1"]);
    expect($(target, "groups-why").dataset.member).toBe("true");
    unmount(again);
    target.remove();
  });

  it("shows the first page of 100,000 groups, only a window of it in the DOM, and reads the rest as it scrolls", async () => {
    const all = Array.from({ length: 100_000 }, (_, i) => ({ ...g(i), displayName: `Group ${String(i).padStart(6, "0")}` }));
    const queries: ListQuery[] = [];
    mockIPC((cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      if (cmd === "groups_overview") return overview(fresh);
      if (cmd === "groups_list") {
        queries.push(args.query as ListQuery);
        return groupsAnswer(all, fresh, args.query as ListQuery);
      }
      return null;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(GroupsScreen, { target, props: { user } });
    await settle();
    expect(queries.map((q) => [q.start, q.limit])).toEqual([[0, 100]]);
    const table = $(target, "groups-table");
    expect(table.dataset.rows).toBe("100000");
    expect($(target, "groups-count").textContent).toBe("100,000 groups");
    const rendered = target.querySelectorAll("[data-testid=groups-row]");
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(40);
    expect(rendered[0]!.textContent).toContain("Group 000000");

    // End: the last row's page is asked for, and the last row drawn.
    table.dispatchEvent(new KeyboardEvent("keydown", { key: "End", bubbles: true }));
    await settle();
    expect(queries.at(-1)).toMatchObject({ start: 99_900, limit: 100 });
    expect(target.querySelector("[data-testid=groups-row-name][data-id=g99999]")).not.toBeNull();
    unmount(screen);
    target.remove();
  });

  it("shows the core's refusal of a bad duration in place, explains 00:00:00, and asks before Rebuild and Clear", async () => {
    const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
    // The core reads the duration (entra_core::duration); this mock stands in for it.
    const refusal = "'30 minutes fast' is not a duration ('fast' is not a unit): write a number and a unit (s, m, h, d, w), e.g. 30s, 15m, 1h30m, 7d or 2w, or hh:mm:ss as Entra does, e.g. 00:30:00";
    let policy = overview(fresh).policy;
    mockIPC((cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      if (cmd === "groups_overview") return { ...overview(fresh), policy };
      if (cmd === "groups_list") return groupsAnswer(groups, fresh, args.query as ListQuery);
      if (cmd === "groups_set_policy") {
        if (args.duration !== "00:00:00") throw { code: "invalid_input", message: refusal, aadsts: null, correlationId: null, requestId: null, clientRequestId: null };
        policy = { durationSecs: 0, duration: "00:00:00", enabled: false };
        return policy;
      }
      return null;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(GroupsScreen, { target, props: { user } });
    await settle();

    const field = $(target, "groups-duration") as HTMLInputElement;
    expect(field.value).toBe("00:30:00");
    expect($(target, "groups-duration-explain").textContent).toContain("Reads within 30 minutes");
    type(field, " 30 minutes fast ");
    await settle();
    $(target, "groups-duration-apply").click();
    await settle();
    expect(calls.find((c) => c.cmd === "groups_set_policy")!.args).toEqual({ duration: "30 minutes fast" });
    expect($(target, "groups-duration-error").textContent).toBe(refusal);
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect($(target, "groups-policy-now").textContent).toBe("00:30:00");

    type(field, "00:00:00");
    await settle();
    expect(target.querySelector("[data-testid=groups-duration-error]")).toBeNull();
    $(target, "groups-duration-apply").click();
    await settle();
    expect(calls.filter((c) => c.cmd === "groups_set_policy").at(-1)!.args).toEqual({ duration: "00:00:00" });
    expect($(target, "groups-duration-saved")).toBeTruthy();
    expect($(target, "groups-duration-explain").textContent).toContain("Cache off: every read goes to Graph.");

    $(target, "groups-rebuild").click();
    await settle();
    expect($(target, "groups-confirm").textContent).toContain("Rebuild reads every group");
    expect(calls.some((c) => c.cmd === "groups_refresh")).toBe(false);
    $(target, "groups-confirm-cancel").click();
    await settle();
    expect(target.querySelector("[data-testid=groups-confirm]")).toBeNull();

    $(target, "groups-clear").click();
    await settle();
    $(target, "groups-clear-confirm").click();
    await settle();
    expect(calls.some((c) => c.cmd === "groups_clear")).toBe(true);
    expect($(target, "groups-outcome").textContent).toContain("cleared");
    unmount(screen);
    target.remove();
  });
});

describe("TokenGroups (JWT inspector)", () => {
  afterEach(() => clearMocks());

  function inspection(payload: Inspection["payload"], overage: boolean): Inspection {
    return { payload, groups: { groups: [], overage, overageEndpoint: null, explanation: overage ? "Groups overage: …" : "" } } as unknown as Inspection;
  }

  it("names the groups claim's IDs from the cache", async () => {
    const calls: Array<{ cmd: string; args: unknown }> = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "groups_resolve") return { names: [{ id: "g1", displayName: "Nested level 1" }, { id: "gx", displayName: null }], asOf: "2025-06-01T12:00:00Z" };
      return null;
    });
    const target = document.createElement("div");
    const c = mount(TokenGroups, { target, props: { inspection: inspection({ oid: "u-nina", groups: ["g1", "gx"] }, false) } });
    await settle();
    expect(calls).toEqual([{ cmd: "groups_resolve", args: { ids: ["g1", "gx"] } }]);
    const names = [...target.querySelectorAll("[data-testid=jwt-group-name]")].map((e) => e.textContent);
    expect(names).toEqual(["Nested level 1", "not in the group cache"]);
    unmount(c);
  });

  it("lists an overage token's groups from the cache only, and says where they came from", async () => {
    const calls: Array<{ cmd: string; args: unknown }> = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "groups_member_of") return { user: nina, transitive: true, groups: { items: [{ group: ref(5), depth: 1 }, { group: ref(1), depth: 5 }], start: 0, total: 1204, next: 2 }, cache: fresh };
      return null;
    });
    const target = document.createElement("div");
    const c = mount(TokenGroups, { target, props: { inspection: inspection({ oid: "u-nina", _claim_names: { groups: "src1" }, _claim_sources: { src1: { endpoint: "x" } } }, true) } });
    await settle();
    expect(calls).toEqual([{ cmd: "groups_member_of", args: { accountId: null, userId: "u-nina", transitive: true, query: { start: 0, limit: 1000, descending: false } } }]);
    expect(target.querySelectorAll("[data-testid=jwt-overage-group]").length).toBe(2);
    expect(target.querySelector("[data-testid=jwt-overage-more]")!.textContent).toBe("The first 2 of 1,204 groups, by depth then name: the Group caches screen lists them all.");
    expect(target.querySelector("[data-testid=jwt-overage-source]")!.textContent).toMatch(/^From the local group cache, as of .*; the token itself carries no groups because of the overage/);
    unmount(c);
  });
});
