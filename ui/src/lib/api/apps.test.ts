// The App registrations and Credential expiry API layers against Tauri's IPC
// mocks: command names, camelCase argument shapes, the progress channel, and
// failures as IpcFailure.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Channel } from "@tauri-apps/api/core";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { IpcFailure } from "./ipc";
import { appDetail, cancelRefresh, listApps, openInPortal, refreshApps } from "./apps";
import { credentialCrossings, exportCredentials, listCredentials, removeSecret, rotateSecret } from "./credentials";
import type { AppsPage, SyncProgress, SyncSummary } from "../bindings";

const page: AppsPage = { items: [], start: 0, total: 0, next: null, objects: 0, asOf: null, stale: true };
const summary = { full: true, changed: 3, removed: 0, requests: 4, durationMs: 120, asOf: "2025-06-01T12:00:00Z" } as unknown as SyncSummary;

/** Sends `messages` down a channel as the Rust side does (`{message, index}` then `{end}`). */
function send(channel: Channel<SyncProgress>, messages: SyncProgress[]) {
  const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, data: unknown): void } }).__TAURI_INTERNALS__;
  messages.forEach((message, index) => internals.runCallback(channel.id, { message, index }));
  internals.runCallback(channel.id, { end: true, index: messages.length });
}

describe("apps API", () => {
  const calls: Array<{ cmd: string; args: unknown }> = [];
  beforeEach(() => {
    calls.length = 0;
  });
  afterEach(() => clearMocks());

  it("lists a page from the cache, and asks for the detail and the portal by id", async () => {
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "apps_list") return page;
      if (cmd === "apps_cancel_refresh") return true;
      return null;
    });
    const query = { search: "pay", sort: "nextExpiry", descending: true, objectType: "application" as const, expired: true, noOwner: false, start: 200, limit: 100 };
    await expect(listApps(query)).resolves.toEqual(page);
    await appDetail("obj-1");
    await openInPortal("obj-1");
    await expect(cancelRefresh()).resolves.toBe(true);
    expect(calls).toEqual([
      { cmd: "apps_list", args: { query } },
      { cmd: "apps_detail", args: { id: "obj-1" } },
      { cmd: "apps_open_in_portal", args: { id: "obj-1" } },
      { cmd: "apps_cancel_refresh", args: {} },
    ]);
  });

  it("refreshes with a progress channel and delivers its messages in order", async () => {
    const heard: SyncProgress[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      const a = args as { accountId: string; full: boolean; onProgress: Channel<SyncProgress> };
      expect(a.onProgress).toBeInstanceOf(Channel);
      send(a.onProgress, [
        { stage: "page", collection: "applications", items: 100 },
        { stage: "listReady", rows: 100 },
        { stage: "owners", done: 100, total: 100 },
      ]);
      return summary;
    });
    await expect(refreshApps("oid.tid", true, (p) => heard.push(p))).resolves.toEqual(summary);
    expect(calls[0]).toMatchObject({ cmd: "apps_refresh", args: { accountId: "oid.tid", full: true } });
    expect(heard.map((p) => p.stage)).toEqual(["page", "listReady", "owners"]);
  });

  it("turns a cancelled or refused refresh into an IpcFailure with Graph's ids", async () => {
    mockIPC(() => {
      throw { code: "graph", message: "Graph refused: Authorization_RequestDenied", aadsts: null, correlationId: null, requestId: "r-9", clientRequestId: "c-9" };
    });
    const failure = await refreshApps("x", false, () => {}).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IpcFailure);
    expect(failure).toMatchObject({ code: "graph", requestId: "r-9", clientRequestId: "c-9" });
  });
});

describe("credentials API", () => {
  const calls: Array<{ cmd: string; args: unknown }> = [];
  beforeEach(() => {
    calls.length = 0;
  });
  afterEach(() => clearMocks());

  it("sends windows, formats, object types and key ids as the Rust commands expect", async () => {
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "credentials_list") return { items: [], start: 0, total: 0, next: null, windows: [7, 30, 90], asOf: null, now: "2026-01-01T00:00:00Z", summary: null };
      if (cmd === "credentials_export") return { path: "/tmp/x.csv", count: 0 };
      if (cmd === "credentials_rotate") return { keyId: "new", secretText: "abc8Q~x", end: "2026-01-01T00:00:00Z", hint: "abc" };
      if (cmd === "credentials_crossings") return [];
      return null;
    });
    await listCredentials({ expired: false, summary: true, descending: false, start: 0, limit: 1 });
    await listCredentials({ windows: [7, 14], within: 14, owner: "none", sort: "app", expired: false, summary: false, descending: true, start: 100 });
    await expect(exportCredentials([7], "notify")).resolves.toEqual({ path: "/tmp/x.csv", count: 0 });
    await expect(rotateSecret("oid.tid", "obj", "servicePrincipal", 90)).resolves.toMatchObject({ keyId: "new" });
    await removeSecret("oid.tid", "obj", "application", "old-key");
    await credentialCrossings(null);
    expect(calls).toEqual([
      { cmd: "credentials_list", args: { query: { expired: false, summary: true, descending: false, start: 0, limit: 1 } } },
      { cmd: "credentials_list", args: { query: { windows: [7, 14], within: 14, owner: "none", sort: "app", expired: false, summary: false, descending: true, start: 100 } } },
      { cmd: "credentials_export", args: { windows: [7], format: "notify" } },
      { cmd: "credentials_rotate", args: { accountId: "oid.tid", objectId: "obj", objectType: "servicePrincipal", lifetimeDays: 90 } },
      { cmd: "credentials_remove", args: { accountId: "oid.tid", objectId: "obj", objectType: "application", keyId: "old-key" } },
      { cmd: "credentials_crossings", args: { windows: null } },
    ]);
  });

  it("reports an invalid window from the server as invalid_input", async () => {
    mockIPC(() => {
      throw { code: "invalid_input", message: "Windows are 1 to 3650 days", aadsts: null, correlationId: null, requestId: null, clientRequestId: null };
    });
    await expect(listCredentials({ windows: [0], expired: false, summary: false, descending: false, start: 0 })).rejects.toMatchObject({ code: "invalid_input" });
  });
});
