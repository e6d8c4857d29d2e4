// The Group caches API layer against Tauri's IPC mocks: command names,
// camelCase argument shapes (null account = cache only), the progress
// channel, and failures as IpcFailure.
import { afterEach, describe, expect, it } from "vitest";
import { Channel } from "@tauri-apps/api/core";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { IpcFailure } from "./ipc";
import { cancelGroupsRefresh, clearGroups, groupMembers, groupsOverview, listGroups, memberOf, refreshGroups, resolveGroupNames, searchUsers, setCachePolicy, whyMember } from "./groups";
import type { GroupsSyncProgress } from "../bindings";

describe("groups API", () => {
  afterEach(() => clearMocks());

  it("sends each command with the arguments the Rust side declares", async () => {
    const calls: Array<{ cmd: string; args: unknown }> = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      return cmd === "groups_search_users" ? [] : cmd === "groups_cancel_refresh" ? false : null;
    });
    await groupsOverview();
    await setCachePolicy("00:10:00");
    await expect(cancelGroupsRefresh()).resolves.toBe(false);
    await clearGroups();
    await listGroups(null, { search: "fin", sort: "members", descending: true, start: 100, limit: 100 });
    await groupMembers("oid.tid", "g1", true, { descending: false, start: 0 });
    await memberOf(null, "u1", false, { start: 0, limit: 50, descending: false });
    await whyMember("oid.tid", "u1", "g1");
    await searchUsers("nina");
    await resolveGroupNames(["g1", "g2"]);
    expect(calls).toEqual([
      { cmd: "groups_overview", args: {} },
      { cmd: "groups_set_policy", args: { duration: "00:10:00" } },
      { cmd: "groups_cancel_refresh", args: {} },
      { cmd: "groups_clear", args: {} },
      { cmd: "groups_list", args: { accountId: null, query: { search: "fin", sort: "members", descending: true, start: 100, limit: 100 } } },
      { cmd: "groups_members", args: { accountId: "oid.tid", groupId: "g1", transitive: true, query: { descending: false, start: 0 } } },
      { cmd: "groups_member_of", args: { accountId: null, userId: "u1", transitive: false, query: { start: 0, limit: 50, descending: false } } },
      { cmd: "groups_why", args: { accountId: "oid.tid", userId: "u1", groupId: "g1" } },
      { cmd: "groups_search_users", args: { query: "nina" } },
      { cmd: "groups_resolve", args: { ids: ["g1", "g2"] } },
    ]);
  });

  it("streams sync progress over a channel, and turns a refusal into an IpcFailure", async () => {
    const heard: GroupsSyncProgress[] = [];
    mockIPC((cmd, args) => {
      const a = args as { accountId: string; full: boolean; onProgress: Channel<GroupsSyncProgress> };
      expect(a.onProgress).toBeInstanceOf(Channel);
      const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, data: unknown): void } }).__TAURI_INTERNALS__;
      const messages: GroupsSyncProgress[] = [
        { phase: "groups", pages: 1, groups: 200, memberships: 500, requests: 1, units: 0, waitingForBudget: false },
        { phase: "saving", pages: 3, groups: 400, memberships: 900, requests: 4, units: 0, waitingForBudget: false },
      ];
      messages.forEach((message, index) => internals.runCallback(a.onProgress.id, { message, index }));
      internals.runCallback(a.onProgress.id, { end: true, index: messages.length });
      if (a.full) throw { code: "invalid_input", message: "bad", aadsts: null, correlationId: null, requestId: null, clientRequestId: null };
      return { full: false, fellBack: null, groups: 400, users: 10, memberships: 900, changes: 1, requests: 1, durationMs: 5, asOf: "2025-06-01T12:00:00Z" };
    });
    await expect(refreshGroups("oid.tid", false, (p) => heard.push(p))).resolves.toMatchObject({ requests: 1 });
    expect(heard.map((p) => p.phase)).toEqual(["groups", "saving"]);
    const failure = await refreshGroups("oid.tid", true, () => {}).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IpcFailure);
  });
});
