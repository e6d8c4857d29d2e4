// Group caches commands: the cache policy and statistics, a sync with Graph's
// delta query (progress, cancel), clearing the cache, and the reads: groups
// and a group's members a page at a time (searched and sorted by the core),
// a user's groups, "why", user search and group names for other screens.
// Mirrors src-tauri/src/commands/groups.rs and entra_core::groups.
//
// Reads take the signed-in account's id when there is one: then the cache
// policy applies (past the duration, a delta refresh runs first). With `null`
// they read the cache only, which works offline.
import { Channel } from "@tauri-apps/api/core";
import { call } from "./ipc";
import type {
  CachePolicy,
  DirectoryRef,
  GroupPage,
  GroupsOverview,
  GroupsSyncProgress,
  GroupsSyncSummary,
  ListQuery,
  MemberOfPage,
  MemberPage,
  ResolvedNames,
  WhyAnswer,
} from "../bindings";

/** The policy, the statistics and the cache's state: the cache only, never the network. */
export function groupsOverview(): Promise<GroupsOverview> {
  return call("groups_overview", {});
}

/** Sets the cache duration, sent as typed (`00:30:00`, `30m`; zero turns the cache off). The core reads it; bad text fails with `invalid_input` and a message naming the forms. */
export function setCachePolicy(duration: string): Promise<CachePolicy> {
  return call("groups_set_policy", { duration });
}

/** Syncs the cache with Graph: a delta (`full` false) or everything again; `onProgress` hears each page. */
export function refreshGroups(accountId: string, full: boolean, onProgress: (p: GroupsSyncProgress) => void): Promise<GroupsSyncSummary> {
  const channel = new Channel<GroupsSyncProgress>();
  channel.onmessage = onProgress;
  return call("groups_refresh", { accountId, full, onProgress: channel });
}

/** Cancels a sync in progress (the previous cache stays intact); resolves to whether one was running. */
export function cancelGroupsRefresh(): Promise<boolean> {
  return call("groups_cancel_refresh", {});
}

/** Empties the cache (groups, memberships, users, the delta links and the statistics). */
export function clearGroups(): Promise<void> {
  return call("groups_clear", {});
}

/** A list's question without its page: what a screen changes (lib/paged.ts adds `start` and `limit`). */
export type ListFilter = Omit<ListQuery, "start" | "limit">;

/** The sort keys of the group list (`name` is the default; both tie on name, then ID). */
export type GroupSortKey = "name" | "members";

/** The sort keys of a group's members (`depth` is the default: depth, then name, then ID). */
export type MemberSortKey = "depth" | "name";

/**
 * One page of the cached groups: the search (words of the name or mail, or the ID) and the sort
 * (`GroupSortKey`) run in the core, which says how many groups match in all.
 */
export function listGroups(accountId: string | null, query: ListQuery): Promise<GroupPage> {
  return call("groups_list", { accountId, query });
}

/** One page of a group's members, direct or transitive (with depth and "via"), searched and sorted (`MemberSortKey`) by the core. */
export function groupMembers(accountId: string | null, groupId: string, transitive: boolean, query: ListQuery): Promise<MemberPage> {
  return call("groups_members", { accountId, groupId, transitive, query });
}

/** The sort keys of a user's groups (`depth` is the default: depth, then name, then ID). */
export type MemberOfSortKey = "depth" | "name";

/** One page of the groups a user is in, direct or transitive (with depth), searched and sorted (`MemberOfSortKey`) by the core. */
export function memberOf(accountId: string | null, userId: string, transitive: boolean, query: ListQuery): Promise<MemberOfPage> {
  return call("groups_member_of", { accountId, userId, transitive, query });
}

/** Why a user is in a group: the chain of nested groups, or "not a member". */
export function whyMember(accountId: string | null, userId: string, groupId: string): Promise<WhyAnswer> {
  return call("groups_why", { accountId, userId, groupId });
}

/** Users in the cache whose name or UPN matches (the user picker). Cache only. */
export function searchUsers(query: string): Promise<DirectoryRef[]> {
  return call("groups_search_users", { query });
}

/** Group IDs to names from the cache, in the asked order (the JWT inspector). Cache only: no network. */
export function resolveGroupNames(ids: string[]): Promise<ResolvedNames> {
  return call("groups_resolve", { ids });
}
