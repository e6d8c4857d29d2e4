// The error banner over mocked IPC: a missing permission offers "Grant access" as the signed-in
// account, which asks for exactly the scopes the error named; a claims challenge offers "Sign in
// again", which sends exactly its claims (never shown); other errors offer nothing of the kind.
import { afterEach, describe, expect, it } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import ErrorBanner from "./ErrorBanner.svelte";
import { IpcFailure } from "../api/ipc";
import { session } from "../session.svelte";
import { demoAccount } from "../testing";

async function settle() {
  for (let i = 0; i < 5; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

const failure = (code: "missing_scope" | "missing_role", scopes: string[] | null) =>
  new IpcFailure({ code, message: "This sign-in has not been granted GroupMember.Read.All", aadsts: null, correlationId: null, requestId: "r-1", clientRequestId: null, scopesToGrant: scopes });

describe("ErrorBanner", () => {
  afterEach(() => {
    clearMocks();
    session.accountId = null;
  });

  it("grants a missing scope as the signed-in account, then says to try again", async () => {
    session.accountId = "oid.tid";
    const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === "grant_scopes") return demoAccount({ scopes: ["User.Read", "GroupMember.Read.All"] });
      return null;
    });
    const target = document.createElement("div");
    const banner = mount(ErrorBanner, { target, props: { error: failure("missing_scope", ["GroupMember.Read.All", "User.Read.All"]) } });
    flushSync();
    expect(target.textContent).toContain("A permission is missing");
    const button = target.querySelector<HTMLButtonElement>("[data-testid=grant-access]")!;
    expect(button.textContent).toContain("GroupMember.Read.All, User.Read.All");
    button.click();
    await settle();
    const grant = calls.find((c) => c.cmd === "grant_scopes")!;
    expect(grant.args.accountId).toBe("oid.tid");
    expect(grant.args.scopes).toEqual(["GroupMember.Read.All", "User.Read.All"]);
    expect(target.querySelector("[data-testid=access-granted]")?.textContent).toContain("try again");
    expect(target.querySelector("[data-testid=grant-access]")).toBeNull();
    unmount(banner);
  });

  it("shows why a grant failed and keeps the button", async () => {
    session.accountId = "oid.tid";
    mockIPC((cmd) => {
      if (cmd === "grant_scopes") throw { code: "sign_in_cancelled", message: "The sign-in was cancelled", aadsts: null, correlationId: null, requestId: null, clientRequestId: null, scopesToGrant: null };
      return null;
    });
    const target = document.createElement("div");
    const banner = mount(ErrorBanner, { target, props: { error: failure("missing_scope", ["GroupMember.Read.All"]) } });
    flushSync();
    target.querySelector<HTMLButtonElement>("[data-testid=grant-access]")!.click();
    await settle();
    expect(target.querySelector("[data-testid=grant-error]")?.textContent).toContain("cancelled");
    expect(target.querySelector("[data-testid=grant-access]")).not.toBeNull();
    unmount(banner);
  });

  it("signs in again with a claims challenge's claims, never showing them, then says to try again", async () => {
    session.accountId = "oid.tid";
    const claims = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
    const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === "step_up") return demoAccount({ stepUpClaims: claims });
      return null;
    });
    const target = document.createElement("div");
    const error = new IpcFailure({ code: "claims_required", message: "A Conditional Access policy of your tenant wants a stronger sign-in for this operation.", aadsts: null, correlationId: null, requestId: "r-2", clientRequestId: null, scopesToGrant: null, claimsChallenge: claims });
    const banner = mount(ErrorBanner, { target, props: { error } });
    flushSync();
    expect(target.textContent).toContain("A stronger sign-in is needed");
    expect(target.textContent).not.toContain("acrs");
    expect(target.querySelector("[data-testid=grant-access]")).toBeNull();
    const button = target.querySelector<HTMLButtonElement>("[data-testid=sign-in-again]")!;
    expect(button.textContent).toContain("Sign in again");
    button.click();
    await settle();
    const stepUp = calls.find((c) => c.cmd === "step_up")!;
    expect(stepUp.args.accountId).toBe("oid.tid");
    expect(stepUp.args.claims).toBe(claims);
    expect(calls.some((c) => c.cmd === "grant_scopes")).toBe(false);
    expect(target.querySelector("[data-testid=signed-in-again]")?.textContent).toContain("try again");
    expect(target.querySelector("[data-testid=sign-in-again]")).toBeNull();
    unmount(banner);
  });

  it("shows why signing in again failed and keeps the button; offers nothing without the claims or an account", async () => {
    session.accountId = "oid.tid";
    mockIPC((cmd) => {
      if (cmd === "step_up") throw { code: "sign_in_cancelled", message: "The sign-in was cancelled", aadsts: null, correlationId: null, requestId: null, clientRequestId: null, scopesToGrant: null };
      return null;
    });
    const target = document.createElement("div");
    const challenged = (claimsChallenge?: string) =>
      new IpcFailure({ code: "claims_required", message: "Sign in again", aadsts: null, correlationId: null, requestId: null, clientRequestId: null, scopesToGrant: null, claimsChallenge });
    let banner = mount(ErrorBanner, { target, props: { error: challenged('{"access_token":{}}') } });
    flushSync();
    target.querySelector<HTMLButtonElement>("[data-testid=sign-in-again]")!.click();
    await settle();
    expect(target.querySelector("[data-testid=grant-error]")?.textContent).toContain("cancelled");
    expect(target.querySelector("[data-testid=sign-in-again]")).not.toBeNull();
    unmount(banner);
    banner = mount(ErrorBanner, { target, props: { error: challenged() } });
    flushSync();
    expect(target.querySelector("[data-testid=sign-in-again]")).toBeNull();
    unmount(banner);
    session.accountId = null;
    banner = mount(ErrorBanner, { target, props: { error: challenged('{"access_token":{}}') } });
    flushSync();
    expect(target.querySelector("[data-testid=sign-in-again]")).toBeNull();
    unmount(banner);
  });

  it("offers no grant for a missing role, nor without a signed-in account", () => {
    session.accountId = "oid.tid";
    const target = document.createElement("div");
    let banner = mount(ErrorBanner, { target, props: { error: failure("missing_role", null) } });
    flushSync();
    expect(target.textContent).toContain("A directory role is missing");
    expect(target.querySelector("[data-testid=grant-access]")).toBeNull();
    unmount(banner);
    session.accountId = null;
    banner = mount(ErrorBanner, { target, props: { error: failure("missing_scope", ["GroupMember.Read.All"]) } });
    flushSync();
    expect(target.querySelector("[data-testid=grant-access]")).toBeNull();
    unmount(banner);
  });
});
