// The error banner over mocked IPC: a missing permission offers "Grant access" as the signed-in
// account, which asks for exactly the scopes the error named; other errors offer nothing of the kind.
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
