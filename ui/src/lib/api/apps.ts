// App registrations commands: the cached inventory a page at a time, a refresh
// from Graph with progress, one object's detail, and opening it in the Entra
// admin center. Mirrors src-tauri/src/commands/apps.rs and entra_core::apps.
import { Channel } from "@tauri-apps/api/core";
import { call } from "./ipc";
import type { AppDetail, AppsPage, AppsQuery, SyncProgress, SyncSummary } from "../bindings";

/** The query without its page: what a screen changes (lib/paged.ts adds `start` and `limit`). */
export type AppsFilter = Omit<AppsQuery, "start" | "limit">;

/** Everything, by name: the query a screen starts with. */
export const ALL_APPS: AppsFilter = { expired: false, noOwner: false, descending: false };

/**
 * One page of the inventory from the local cache (never waits on the network),
 * searched, filtered and sorted by the core; with the cache's "as of" and stale state.
 */
export function listApps(query: AppsQuery): Promise<AppsPage> {
  return call("apps_list", { query });
}

/** Syncs the cache with Graph (`full`: read everything again, else a delta); `onProgress` hears each step. */
export function refreshApps(accountId: string, full: boolean, onProgress: (p: SyncProgress) => void): Promise<SyncSummary> {
  const channel = new Channel<SyncProgress>();
  channel.onmessage = onProgress;
  return call("apps_refresh", { accountId, full, onProgress: channel });
}

/** Cancels a refresh in progress; resolves to whether one was running. */
export function cancelRefresh(): Promise<boolean> {
  return call("apps_cancel_refresh", {});
}

/** Everything the detail pane shows about one object (from the cache). */
export function appDetail(id: string): Promise<AppDetail> {
  return call("apps_detail", { id });
}

/** Opens the object's page of the Entra admin center in the system browser. */
export function openInPortal(id: string): Promise<void> {
  return call("apps_open_in_portal", { id });
}
