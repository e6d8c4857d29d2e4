// The set-up assistant over mocked IPC: it registers as a signed-in person (never an app) or as
// the Azure CLI's sign-in, says each stage, offers "Sign in with it" at the authority and client ID
// it was given, says when it found the registration made before (and what it added to one an earlier
// version made), shows the Azure CLI commands, puts
// a failure in the error banner and a cancel nowhere near one. On the sign-in screen, "Sign in with
// it" signs in through the screen's own sign-in.
import { afterEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import { Channel } from "@tauri-apps/api/core";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import SetupAssistant from "./SetupAssistant.svelte";
import SignIn from "./SignIn.svelte";
import type { Registered, SetupProgress, SignInStatus } from "../../lib/bindings";
import { demoAccount } from "../../lib/testing";

const registered = (created: boolean, updated: string[] = []): Registered => ({
  registration: { clientId: "new-client", objectId: "app-obj", servicePrincipalId: "sp-obj", tenantId: "tid", created, updated },
  authority: "http://x/tid",
});
const failure = (code: string, message: string) => ({ code, message, aadsts: null, correlationId: null, requestId: null, clientRequestId: null, scopesToGrant: null });

/** Sends `messages` down a channel as the Rust side does (`{message, index}`). */
function send(channel: Channel<SetupProgress>, messages: SetupProgress[]) {
  const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, data: unknown): void } }).__TAURI_INTERNALS__;
  messages.forEach((message, index) => internals.runCallback(channel.id, { message, index }));
}

async function settle() {
  for (let i = 0; i < 5; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

function el<T extends HTMLElement = HTMLElement>(root: HTMLElement, testid: string): T {
  const found = root.querySelector<T>(`[data-testid=${testid}]`);
  if (!found) throw new Error(`no ${testid}`);
  return found;
}

/** A command answer the test settles by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("SetupAssistant", () => {
  afterEach(() => {
    clearMocks();
    vi.unstubAllGlobals();
    document.body.innerHTML = "";
  });

  it("registers as a signed-in person, says each stage, and offers sign-in at the authority and client ID it was given", async () => {
    const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
    const answer = deferred<Registered>();
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === "setup_register") {
        send((args as { onProgress: Channel<SetupProgress> }).onProgress, [{ stage: "searching" }, { stage: "creatingApplication" }]);
        return answer.promise;
      }
      return null;
    });
    const onsignin = vi.fn();
    const appOnly = demoAccount({ id: "app:c.tid", username: "c", displayName: null, kind: "appOnly" });
    const other = demoAccount({ id: "oid2.tid", username: "adele@demo", displayName: "Adele" });
    const target = document.createElement("div");
    document.body.append(target);
    const assistant = mount(SetupAssistant, { target, props: { accounts: [appOnly, demoAccount(), other], onsignin } });
    flushSync();

    // Only people may register: the app-only account is not offered; the first person is chosen.
    const select = el<HTMLSelectElement>(target, "setup-account");
    expect([...select.options].map((o) => o.value)).toEqual(["oid.tid", "oid2.tid"]);
    expect(select.value).toBe("oid.tid");
    expect(target.textContent).toContain("grants nothing");

    el(target, "setup-register-account").click();
    await settle();
    expect(calls[0]!.cmd).toBe("setup_register");
    expect(calls[0]!.args.source).toEqual({ kind: "account", accountId: "oid.tid" });
    expect(calls[0]!.args.onProgress).toBeInstanceOf(Channel);
    expect(el(target, "setup-stage").dataset.stage).toBe("creatingApplication");
    expect(el(target, "setup-stage").textContent).toContain("Creating the app registration");
    expect(target.querySelector("[data-testid=setup-cancel]")).not.toBeNull();

    answer.resolve(registered(true));
    await settle();
    expect(target.querySelector("[data-testid=setup-stage]")).toBeNull();
    const result = el(target, "setup-result").textContent!.replace(/\s+/g, " ");
    expect(result).toContain("Entra Desk is registered in tenant tid (client ID new-client)");
    expect(result).not.toContain("found the registration made before");
    expect(el(target, "setup-client-id").textContent).toBe("new-client");

    el(target, "setup-sign-in").click();
    expect(onsignin).toHaveBeenCalledWith({ kind: "tenant", authority: "http://x/tid", clientId: "new-client", scopes: null });
    expect(target.querySelector("[data-testid=error-banner]")).toBeNull();
    unmount(assistant);
  });

  it("says what it added to a registration an earlier version made, and that consent comes with a sign-in", async () => {
    const answer = deferred<Registered>();
    mockIPC((cmd, args) => {
      if (cmd !== "setup_register") return null;
      send((args as { onProgress: Channel<SetupProgress> }).onProgress, [{ stage: "searching" }, { stage: "updating", adding: ["GroupMember.ReadWrite.All", "User.ReadWrite.All"] }]);
      return answer.promise;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const assistant = mount(SetupAssistant, { target, props: { accounts: [demoAccount()], onsignin: () => {} } });
    flushSync();
    el(target, "setup-register-account").click();
    await settle();
    expect(el(target, "setup-stage").dataset.stage).toBe("updating");
    expect(el(target, "setup-stage").textContent).toContain("Adding what this version needs to the registration: GroupMember.ReadWrite.All, User.ReadWrite.All");

    answer.resolve(registered(false, ["GroupMember.ReadWrite.All", "User.ReadWrite.All"]));
    await settle();
    const updated = el(target, "setup-updated").textContent!.replace(/\s+/g, " ");
    expect(updated).toContain("added what it lacked: GroupMember.ReadWrite.All, User.ReadWrite.All.");
    expect(updated).toContain("asks you to consent");
    unmount(assistant);

    // Nothing added: nothing said about it.
    mockIPC((cmd) => (cmd === "setup_register" ? registered(false) : null));
    const again = mount(SetupAssistant, { target, props: { accounts: [demoAccount()], onsignin: () => {} } });
    flushSync();
    el(target, "setup-register-account").click();
    await settle();
    expect(target.querySelector("[data-testid=setup-result]")).not.toBeNull();
    expect(target.querySelector("[data-testid=setup-updated]")).toBeNull();
    unmount(again);
  });

  it("registers with the Azure CLI for the tenant typed, and says when it found the registration made before", async () => {
    const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === "setup_register") return registered(false);
      return null;
    });
    const target = document.createElement("div");
    // Attached: a form submits only from the document.
    document.body.append(target);
    const assistant = mount(SetupAssistant, { target, props: { accounts: [], onsignin: () => {} } });
    flushSync();
    // No person signed in here: the choice of account is not offered.
    expect(target.querySelector("[data-testid=setup-account]")).toBeNull();
    expect(target.querySelector("[data-testid=setup-register-account]")).toBeNull();

    const input = el<HTMLInputElement>(target, "setup-azure-cli-tenant");
    input.value = " contoso.onmicrosoft.com ";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    el(target, "setup-register-azure-cli").click();
    await settle();
    expect(calls[0]!.args.source).toEqual({ kind: "azureCli", tenantId: "contoso.onmicrosoft.com" });
    expect(el(target, "setup-result").textContent!.replace(/\s+/g, " ")).toContain("(client ID new-client) (found the registration made before)");
    expect(el(target, "setup-result").dataset.created).toBe("false");
    unmount(assistant);

    // Without a tenant: az's own default.
    calls.length = 0;
    const again = mount(SetupAssistant, { target, props: { accounts: [], onsignin: () => {} } });
    flushSync();
    el(target, "setup-register-azure-cli").click();
    await settle();
    expect(calls[0]!.args.source).toEqual({ kind: "azureCli", tenantId: null });
    unmount(again);
  });

  it("removes the registration it made, as the same source, after a confirmation", async () => {
    const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === "setup_register") return registered(true);
      if (cmd === "setup_remove") return { clientId: "new-client", objectId: "app-obj", tenantId: "tid", forgotten: true, accountsToSignInAgain: ["oid.tid"] };
      return null;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const assistant = mount(SetupAssistant, { target, props: { accounts: [demoAccount()], onsignin: () => {} } });
    flushSync();
    el(target, "setup-register-account").click();
    await settle();
    el(target, "setup-remove").click();
    flushSync();
    expect(calls.some((c) => c.cmd === "setup_remove")).toBe(false);
    expect(el(target, "setup-remove-confirm").textContent).toContain("new-client");
    el(target, "setup-remove-yes").click();
    await settle();
    const remove = calls.find((c) => c.cmd === "setup_remove")!;
    expect(remove.args).toEqual({ source: { kind: "account", accountId: "oid.tid" }, application: "new-client" });
    expect(target.querySelector("[data-testid=setup-result]")).toBeNull();
    const said = el(target, "setup-removed").textContent!.replace(/\s+/g, " ");
    expect(said).toContain("Removed the registration new-client from tenant tid and forgot its client ID.");
    expect(said).toContain("Sign in again through another registration as: oid.tid.");
    unmount(assistant);
  });

  it("shows the Azure CLI commands and copies them", async () => {
    const script = "#!/bin/sh\naz ad app create --display-name 'Entra Desk' --sign-in-audience AzureADMyOrg\n";
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      if (cmd === "setup_commands") return script;
      return null;
    });
    const writes: string[] = [];
    vi.stubGlobal("navigator", { clipboard: { writeText: async (t: string) => void writes.push(t) } });
    const target = document.createElement("div");
    const assistant = mount(SetupAssistant, { target, props: { accounts: [demoAccount()], onsignin: () => {} } });
    flushSync();
    expect(target.querySelector("[data-testid=setup-commands]")).toBeNull();
    el(target, "setup-show-commands").click();
    await settle();
    const pre = el(target, "setup-commands");
    expect(pre.tagName).toBe("PRE");
    expect(pre.textContent).toBe(script);
    el(target, "setup-copy-commands").click();
    await settle();
    expect(writes).toEqual([script]);
    expect(el(target, "setup-copy-commands").textContent).toBe("Copied");
    // Hidden and shown again: asked for once.
    el(target, "setup-show-commands").click();
    flushSync();
    expect(target.querySelector("[data-testid=setup-commands]")).toBeNull();
    el(target, "setup-show-commands").click();
    await settle();
    expect(el(target, "setup-commands").textContent).toBe(script);
    expect(calls.filter((c) => c === "setup_commands")).toHaveLength(1);
    unmount(assistant);
  });

  it("shows a failure in the error banner and offers the options again", async () => {
    mockIPC((cmd) => {
      if (cmd === "setup_register") {
        throw { ...failure("missing_role", "No app registration was created: this needs Application Developer, Application Administrator, or Global Administrator"), requestId: "r-1" };
      }
      return null;
    });
    const target = document.createElement("div");
    const assistant = mount(SetupAssistant, { target, props: { accounts: [demoAccount()], onsignin: () => {} } });
    flushSync();
    el(target, "setup-register-account").click();
    await settle();
    const banner = el(target, "error-banner");
    expect(banner.textContent).toContain("A directory role is missing");
    expect(el(target, "error-message").textContent).toContain("Application Administrator");
    expect(target.querySelector("[data-testid=setup-result]")).toBeNull();
    expect(target.querySelector("[data-testid=setup-register-account]")).not.toBeNull();
    expect(target.querySelector("[data-testid=setup-cancelled]")).toBeNull();
    unmount(assistant);
  });

  it("cancels through cancel_sign_in, silently", async () => {
    const calls: string[] = [];
    const answer = deferred<Registered>();
    mockIPC((cmd) => {
      calls.push(cmd);
      if (cmd === "setup_register") return answer.promise;
      if (cmd === "cancel_sign_in") {
        answer.reject(failure("cancelled", "The set-up was cancelled: run it again to finish (it finds the registration by its tag)"));
        return true;
      }
      return null;
    });
    const target = document.createElement("div");
    const assistant = mount(SetupAssistant, { target, props: { accounts: [demoAccount()], onsignin: () => {} } });
    flushSync();
    el(target, "setup-register-account").click();
    await settle();
    expect(el(target, "setup-stage").dataset.stage).toBe("starting");
    el(target, "setup-cancel").click();
    await settle();
    expect(calls).toEqual(["setup_register", "cancel_sign_in"]);
    expect(target.querySelector("[data-testid=error-banner]")).toBeNull();
    expect(target.querySelector("[data-testid=setup-stage]")).toBeNull();
    expect(target.querySelector("[data-testid=setup-cancelled]")).not.toBeNull();
    expect(target.querySelector("[data-testid=setup-register-account]")).not.toBeNull();
    unmount(assistant);
  });
});

describe("SignIn with the set-up assistant", () => {
  afterEach(() => clearMocks());

  it("opens from its link and signs in to the new registration through the screen's own sign-in", async () => {
    const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      if (cmd === "setup_register") return registered(true);
      if (cmd === "sign_in") throw failure("sign_in_cancelled", "The sign-in was cancelled");
      return null;
    });
    const status: SignInStatus = {
      version: "0.1.0",
      defaultTenant: { demo: true, authority: null, clientId: null, demoUsername: "admin@demo" },
      accounts: [demoAccount()],
      preferences: { lastScreen: null, lastAccountId: null },
    };
    const target = document.createElement("div");
    const screen = mount(SignIn, { target, props: { status, onsignedin: () => {}, onaccountsChanged: () => {} } });
    flushSync();
    expect(target.querySelector("[data-testid=setup-assistant]")).toBeNull();
    const link = el(target, "open-setup");
    expect(link.textContent).toContain("No client ID yet? Register Entra Desk in your tenant…");
    link.click();
    flushSync();
    el(target, "setup-register-account").click();
    await settle();
    el(target, "setup-sign-in").click();
    await settle();
    const signIn = calls.find((c) => c.cmd === "sign_in")!;
    expect(signIn.args.target).toEqual({ kind: "tenant", authority: "http://x/tid", clientId: "new-client", scopes: null });
    // The sign-in was cancelled: no banner, and the assistant still shows what it registered.
    expect(target.querySelector("[data-testid=error-banner]")).toBeNull();
    expect(el(target, "setup-client-id").textContent).toBe("new-client");
    unmount(screen);
  });
});
