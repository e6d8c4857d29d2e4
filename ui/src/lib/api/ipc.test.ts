// The API layer against Tauri's IPC mocks: the right command names and
// argument shapes go out, and every failure comes back as an IpcFailure.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { IpcFailure, toFailure } from "./ipc";
import { appStatus, cancelSignIn, resumeAccount, savePreferences, signOut } from "./signin";
import type { AppStatus } from "../bindings";

const status: AppStatus = {
  version: "0.1.0",
  default_tenant: { kind: "demo", authority: "http://127.0.0.1:1/t", client_id: "c", demo_username: "admin@demo" },
  accounts: [],
  preferences: { last_screen: null, last_account_id: null },
};

describe("session API", () => {
  const calls: Array<{ cmd: string; args: unknown }> = [];
  beforeEach(() => {
    calls.length = 0;
  });
  afterEach(() => clearMocks());

  it("calls app_status and returns its value", async () => {
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "app_status") return status;
      return undefined;
    });
    await expect(appStatus()).resolves.toEqual(status);
    expect(calls.map((c) => c.cmd)).toEqual(["app_status"]);
  });

  it("sends camelCase argument names the Rust commands expect", async () => {
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      return null;
    });
    await signOut("oid.tid");
    await savePreferences({ last_screen: "jwt", last_account_id: "oid.tid" });
    await cancelSignIn();
    expect(calls).toEqual([
      { cmd: "sign_out", args: { accountId: "oid.tid" } },
      { cmd: "save_preferences", args: { preferences: { last_screen: "jwt", last_account_id: "oid.tid" } } },
      { cmd: "cancel_sign_in", args: {} },
    ]);
  });

  it("turns the backend's {code, message} into an IpcFailure", async () => {
    mockIPC(() => {
      throw { code: "not_signed_in", message: "Sign in again", aadsts: 700082, correlation_id: "abc" };
    });
    const failure = await resumeAccount("x").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IpcFailure);
    expect(failure).toMatchObject({ code: "not_signed_in", message: "Sign in again", aadsts: 700082, correlationId: "abc" });
  });

  it("keeps Graph's request-id and client-request-id", async () => {
    mockIPC(() => {
      throw { code: "graph", message: "Graph refused", aadsts: null, correlation_id: null, request_id: "r-1", client_request_id: "c-1" };
    });
    const failure = await signOut("x").catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "graph", requestId: "r-1", clientRequestId: "c-1" });
  });

  it("wraps a plain-string rejection (unknown or forbidden command) as internal", () => {
    const failure = toFailure("command foo not allowed by ACL");
    expect(failure.code).toBe("internal");
    expect(failure.message).toContain("command foo not allowed by ACL");
  });
});
