// A user's groups in jsdom over mocked IPC standing in for the core: picking a
// user reads the first page through the cache policy; the count, the filter and
// the sort are the core's (asked of it, from the cache the first read checked),
// and Direct/Transitive reads through the policy again.
import { afterEach, describe, expect, it } from "vitest";
import { mount, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import UsersPane from "./UsersPane.svelte";
import type { CacheState, GroupWithDepth, ListQuery, MemberOfPage } from "../../lib/bindings";
import { byTestid, cutPage as cut, settle, typeInto, withoutLayout } from "../../lib/testing";

const fresh: CacheState = { asOf: "2025-06-01T12:00:00Z", freshness: "fresh", staleReason: null, refreshed: false };
const nina = { id: "u-nina", displayName: "Nina Nested", kind: "user" as const, userPrincipalName: "nina@demo" };
const level = (n: number, depth: number): GroupWithDepth => ({ group: { id: `g${n}`, displayName: `Nested level ${n}` }, depth });

/** The core's `groups_member_of` for Nina: G5 directly, G4…G1 through it; filtered by words, sorted by depth or name. */
function memberOfAnswer(transitive: boolean, q: ListQuery): MemberOfPage {
  const all = transitive ? [level(5, 1), level(4, 2), level(3, 3), level(2, 4), level(1, 5)] : [level(5, 1)];
  const words = (q.search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const rows = all.filter((g) => words.every((w) => (g.group.displayName ?? "").toLowerCase().split(" ").some((x) => x.startsWith(w))));
  if (q.sort === "name") rows.sort((a, b) => (a.group.displayName ?? "").localeCompare(b.group.displayName ?? ""));
  if (q.descending) rows.reverse();
  return { user: nina, transitive, groups: cut(rows, q), cache: fresh };
}

withoutLayout();
const $ = byTestid;
const type = typeInto;

describe("UsersPane", () => {
  afterEach(() => clearMocks());

  it("pages a user's groups from the core: the count, the filter and the sort are asked of it", async () => {
    const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
    const asked = () => calls.filter((c) => c.cmd === "groups_member_of").map((c) => c.args);
    mockIPC((cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      if (cmd === "groups_search_users") return [nina];
      if (cmd === "groups_member_of") return memberOfAnswer(args.transitive as boolean, args.query as ListQuery);
      return null;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const reads: CacheState[] = [];
    const pane = mount(UsersPane, { target, props: { accountId: "oid.tid", now: Date.parse("2025-06-01T12:05:00Z"), reload: 0, onread: (c: CacheState) => reads.push(c) } });
    type($(target, "groups-user-search"), "nina");
    await new Promise((r) => setTimeout(r, 200));
    await settle();
    $(target, "groups-user-result").click();
    await settle();

    // Picked: the first page through the policy (the account), transitive, by depth.
    expect(asked()).toEqual([{ accountId: "oid.tid", userId: "u-nina", transitive: true, query: { sort: "depth", descending: false, start: 0, limit: 100 } }]);
    expect($(target, "groups-user-count").textContent).toBe("5 groups, directly or through nesting");
    const names = () => [...target.querySelectorAll<HTMLElement>("[data-testid=groups-user-group-name]")].map((e) => e.textContent);
    expect(names()).toEqual(["Nested level 5", "Nested level 4", "Nested level 3", "Nested level 2", "Nested level 1"]);
    expect(reads).toHaveLength(1);

    // The filter is the core's, from the cache the first read checked (no account), after a pause.
    type($(target, "groups-user-filter"), "level 3");
    await new Promise((r) => setTimeout(r, 250));
    await settle();
    expect(asked().at(-1)).toEqual({ accountId: null, userId: "u-nina", transitive: true, query: { search: "level 3", sort: "depth", descending: false, start: 0, limit: 100 } });
    expect(names()).toEqual(["Nested level 3"]);
    expect($(target, "groups-user-count").textContent).toBe("1 group matches (direct and nested)");

    // So is the sort: by name, then reversed.
    type($(target, "groups-user-filter"), "");
    await new Promise((r) => setTimeout(r, 250));
    await settle();
    $(target, "groups-user-groups-sort-name").click();
    await settle();
    expect(asked().at(-1)).toEqual({ accountId: null, userId: "u-nina", transitive: true, query: { sort: "name", descending: false, start: 0, limit: 100 } });
    expect(names()).toEqual(["Nested level 1", "Nested level 2", "Nested level 3", "Nested level 4", "Nested level 5"]);
    $(target, "groups-user-groups-sort-name").click();
    await settle();
    expect(asked().at(-1)).toMatchObject({ query: { sort: "name", descending: true } });

    // Direct: read through the policy again.
    $(target, "groups-user-direct").click();
    await settle();
    expect(asked().at(-1)).toEqual({ accountId: "oid.tid", userId: "u-nina", transitive: false, query: { sort: "name", descending: true, start: 0, limit: 100 } });
    expect($(target, "groups-user-count").textContent).toBe("1 direct group");
    unmount(pane);
    target.remove();
  });
});
