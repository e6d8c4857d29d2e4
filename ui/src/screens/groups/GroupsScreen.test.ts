// The Group caches screen in jsdom over mocked IPC: an empty cache is read
// without a sync behind the admin's back; the list is searchable; a group's
// transitive members show depth and "via"; "why" draws the path or says "not
// a member"; a bad duration is sent as typed and the core's refusal shown in place; Rebuild and Clear ask first.
import { afterEach, describe, expect, it } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import GroupsScreen from "./GroupsScreen.svelte";
import TokenGroups from "../jwt/TokenGroups.svelte";
import type { CacheState, GroupRow, GroupsOverview, Inspection, MemberList, SignedInUser, WhyAnswer } from "../../lib/bindings";
import { demoUser } from "../../lib/testing";

const user = demoUser();

const fresh: CacheState = { asOf: "2025-06-01T12:00:00Z", freshness: "fresh", staleReason: null, refreshed: false };
const empty: CacheState = { asOf: null, freshness: "empty", staleReason: null, refreshed: false };

function overview(cache: CacheState): GroupsOverview {
  return {
    policy: { durationSecs: 1800, duration: "00:30:00", enabled: true },
    stats: { groups: 0, users: 0, memberships: 0, sizeBytes: 0, lastSyncAt: cache.asOf, lastSyncDurationMs: null, lastSyncRequests: null, lastSyncFull: null, lastSyncFallback: null, hits: 0, misses: 0 },
    cache,
  };
}

const g = (n: number): GroupRow => ({ id: `g${n}`, displayName: `Nested level ${n}`, description: null, mail: null, securityEnabled: true, mailEnabled: false, groupTypes: [], membershipRule: null, directMembers: 1 });
const groups: GroupRow[] = [g(1), g(2), g(3), g(4), g(5), { ...g(9), displayName: "Finance" }];
const nina = { id: "u-nina", displayName: "Nina Nested", kind: "user" as const, userPrincipalName: "nina@demo" };
const ref = (n: number) => ({ id: `g${n}`, displayName: `Nested level ${n}` });

async function settle() {
  for (let i = 0; i < 6; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;

function $(root: HTMLElement, testid: string): HTMLElement {
  const el = root.querySelector<HTMLElement>(`[data-testid=${testid}]`);
  if (!el) throw new Error(`no ${testid}`);
  return el;
}

function type(el: HTMLElement, value: string) {
  (el as HTMLInputElement).value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

describe("GroupsScreen", () => {
  afterEach(() => clearMocks());

  it("reads an empty cache without syncing, then lists, searches, opens transitive members and explains why", async () => {
    let state = empty;
    const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
    mockIPC((cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      if (cmd === "groups_overview") return overview(state);
      if (cmd === "groups_list") return { groups: state === empty ? [] : groups, cache: state };
      if (cmd === "groups_members") {
        const transitive = args.transitive as boolean;
        const members: MemberList["members"] = transitive
          ? [{ member: { id: "g2", displayName: "Nested level 2", kind: "group", userPrincipalName: null }, depth: 1, via: null }, { member: nina, depth: 5, via: ref(5) }]
          : [{ member: { id: "g2", displayName: "Nested level 2", kind: "group", userPrincipalName: null }, depth: 1, via: null }];
        return { group: ref(1), transitive, members, cache: fresh } satisfies MemberList;
      }
      if (cmd === "groups_why") return { user: nina, group: ref(1), member: true, chain: [ref(5), ref(4), ref(3), ref(2), ref(1)], cache: fresh } satisfies WhyAnswer;
      return null;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(GroupsScreen, { target, props: { user } });
    await settle();

    // Empty: listed from the cache only (no account: no sync behind the admin's back), and it says so.
    expect(calls.find((c) => c.cmd === "groups_list")!.args).toEqual({ accountId: null });
    expect($(target, "groups-cache-badge").textContent).toBe("Empty");
    expect($(target, "groups-cache-as-of").textContent).toBe("never synced");
    expect($(target, "groups-empty").textContent).toContain("Refresh now");

    // Synced (as if by Refresh now): read again through the policy.
    state = fresh;
    unmount(screen);
    calls.length = 0;
    const again = mount(GroupsScreen, { target, props: { user } });
    await settle();
    expect(calls.find((c) => c.cmd === "groups_list")!.args).toEqual({ accountId: "oid.tid" });
    expect($(target, "groups-cache-badge").textContent).toBe("Fresh");
    expect($(target, "groups-table").dataset.rows).toBe("6");

    type($(target, "groups-search"), "nested level 1");
    await settle();
    expect($(target, "groups-table").dataset.rows).toBe("1");
    $(target, "groups-row").click();
    await settle();
    expect($(target, "groups-members-title").textContent).toBe("Nested level 1");
    expect(calls.filter((c) => c.cmd === "groups_members").at(-1)!.args).toEqual({ accountId: "oid.tid", groupId: "g1", transitive: false });

    $(target, "groups-members-transitive").click();
    await settle();
    expect(calls.filter((c) => c.cmd === "groups_members").at(-1)!.args).toMatchObject({ transitive: true });
    const depths = [...target.querySelectorAll<HTMLElement>("[data-testid=groups-member-depth]")].map((e) => e.textContent);
    expect(depths).toEqual(["direct", "depth 5 · via Nested level 5"]);

    $(target, "groups-member-why").click();
    await settle();
    expect(calls.find((c) => c.cmd === "groups_why")!.args).toEqual({ accountId: "oid.tid", userId: "u-nina", groupId: "g1" });
    const nodes = [...target.querySelectorAll<HTMLElement>("[data-testid=groups-why-node]")].map((e) => e.dataset.id);
    expect(nodes).toEqual(["u-nina", "g5", "g4", "g3", "g2", "g1"]);
    expect($(target, "groups-why").dataset.member).toBe("true");
    unmount(again);
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
      if (cmd === "groups_list") return { groups, cache: fresh };
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
      if (cmd === "groups_member_of") return { user: nina, transitive: true, groups: [{ group: ref(5), depth: 1 }, { group: ref(1), depth: 5 }], cache: fresh };
      return null;
    });
    const target = document.createElement("div");
    const c = mount(TokenGroups, { target, props: { inspection: inspection({ oid: "u-nina", _claim_names: { groups: "src1" }, _claim_sources: { src1: { endpoint: "x" } } }, true) } });
    await settle();
    expect(calls).toEqual([{ cmd: "groups_member_of", args: { accountId: null, userId: "u-nina", transitive: true } }]);
    expect(target.querySelectorAll("[data-testid=jwt-overage-group]").length).toBe(2);
    expect(target.querySelector("[data-testid=jwt-overage-source]")!.textContent).toMatch(/^From the local group cache, as of .*; the token itself carries no groups because of the overage/);
    unmount(c);
  });
});
