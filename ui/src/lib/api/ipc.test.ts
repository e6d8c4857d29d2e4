// The API layer against Tauri's IPC mocks: the right command names and
// argument shapes go out, and every failure comes back as an IpcFailure.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { IpcFailure, toFailure } from "./ipc";
import { signinStatus, cancelSignIn, resumeAccount, savePreferences, signOut } from "./signin";
import type { SignInStatus } from "../bindings";

const status: SignInStatus = {
  version: "0.1.0",
  defaultTenant: { demo: true, authority: null, clientId: null, demoUsername: "admin@demo" },
  accounts: [],
  preferences: { lastScreen: null, lastAccountId: null },
};

describe("session API", () => {
  const calls: Array<{ cmd: string; args: unknown }> = [];
  beforeEach(() => {
    calls.length = 0;
  });
  afterEach(() => clearMocks());

  it("calls signin_status and returns its value", async () => {
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "signin_status") return status;
      return undefined;
    });
    await expect(signinStatus()).resolves.toEqual(status);
    expect(calls.map((c) => c.cmd)).toEqual(["signin_status"]);
  });

  it("sends camelCase argument names the Rust commands expect", async () => {
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      return null;
    });
    await signOut("oid.tid");
    await savePreferences({ lastScreen: "jwt", lastAccountId: "oid.tid" });
    await cancelSignIn();
    expect(calls).toEqual([
      { cmd: "sign_out", args: { accountId: "oid.tid" } },
      { cmd: "save_preferences", args: { preferences: { lastScreen: "jwt", lastAccountId: "oid.tid" } } },
      { cmd: "cancel_sign_in", args: {} },
    ]);
  });

  it("turns the backend's {code, message} into an IpcFailure", async () => {
    mockIPC(() => {
      throw { code: "not_signed_in", message: "Sign in again", aadsts: 700082, correlationId: "abc" };
    });
    const failure = await resumeAccount("x").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IpcFailure);
    expect(failure).toMatchObject({ code: "not_signed_in", message: "Sign in again", aadsts: 700082, correlationId: "abc" });
  });

  it("keeps Graph's request-id and client-request-id", async () => {
    mockIPC(() => {
      throw { code: "graph", message: "Graph refused", aadsts: null, correlationId: null, requestId: "r-1", clientRequestId: "c-1" };
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
