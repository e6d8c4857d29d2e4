// The rotation dialog over mocked IPC: the secret is shown once and copied,
// the clipboard clear is scheduled, and each failure says what state is left.
import { afterEach, describe, expect, it, vi } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import RotateDialog from "./RotateDialog.svelte";
import type { ExpiringCredential } from "../../lib/bindings";

const old: ExpiringCredential = {
  objectId: "obj-1",
  appId: "app-1",
  displayName: "Payroll API",
  objectType: "application",
  credentialType: "password",
  keyId: "old-key",
  keyIds: ["old-key"],
  credentialName: "prod",
  start: null,
  end: "2025-01-01T00:00:00Z",
  daysLeft: -30,
  status: "expired",
  window: null,
  usage: null,
  owners: [],
};
const SECRET = "abc8Q~0123456789012345678901234567890123";
const graphError = { code: "graph", message: "Graph refused", aadsts: null, correlationId: null, requestId: "r-1", clientRequestId: null };

async function settle() {
  for (let i = 0; i < 5; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

function click(root: HTMLElement, testid: string) {
  const el = root.querySelector<HTMLElement>(`[data-testid=${testid}]`);
  if (!el) throw new Error(`no ${testid}`);
  el.click();
}

describe("RotateDialog", () => {
  afterEach(() => {
    clearMocks();
    vi.unstubAllGlobals();
  });

  it("adds a secret, shows it once, copies it, and keeps the new one when removing the old fails", async () => {
    const calls: Array<{ cmd: string; args: unknown }> = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      if (cmd === "credentials_rotate") return { keyId: "new-key", secretText: SECRET, end: "2026-01-01T00:00:00Z", hint: "abc" };
      if (cmd === "credentials_remove") throw graphError;
      return null;
    });
    const writes: string[] = [];
    vi.stubGlobal("navigator", { clipboard: { writeText: async (t: string) => void writes.push(t) } });
    const changed = vi.fn();
    const target = document.createElement("div");
    document.body.append(target);
    const dialog = mount(RotateDialog, { target, props: { accountId: "oid.tid", credential: old, onclose: () => {}, onchanged: changed } });
    await settle();

    click(target, "rotate-lifetime-90");
    click(target, "rotate-confirm");
    await settle();
    expect(calls[0]).toEqual({ cmd: "credentials_rotate", args: { accountId: "oid.tid", objectId: "obj-1", objectType: "application", lifetimeDays: 90 } });
    expect(target.querySelector<HTMLInputElement>("[data-testid=rotated-secret]")!.value).toBe(SECRET);
    expect(changed).toHaveBeenCalledTimes(1);

    click(target, "copy-secret");
    await settle();
    expect(writes).toEqual([SECRET]);
    expect(target.querySelector("[data-testid=clipboard-countdown]")!.textContent).toBe("60");

    click(target, "remove-old-secret");
    await settle();
    click(target, "remove-old-confirm");
    await settle();
    expect(calls[1]).toEqual({ cmd: "credentials_remove", args: { accountId: "oid.tid", objectId: "obj-1", objectType: "application", keyId: "old-key" } });
    expect(target.querySelector("[data-testid=rotate-state]")!.textContent).toContain("was added and works; the old secret is still there");
    expect(target.querySelector("[data-testid=error-request-id]")!.textContent).toContain("r-1");
    // Still shown (the admin may not have copied it yet), and removal can be retried.
    expect(target.querySelector<HTMLInputElement>("[data-testid=rotated-secret]")!.value).toBe(SECRET);
    expect(target.querySelector("[data-testid=remove-old-secret]")).not.toBeNull();

    unmount(dialog);
    expect(document.body.innerHTML).not.toContain(SECRET);
    target.remove();
  });

  it("says nothing was added when Graph refuses the new secret", async () => {
    mockIPC(() => {
      throw graphError;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const dialog = mount(RotateDialog, { target, props: { accountId: "a", credential: old, onclose: () => {}, onchanged: () => {} } });
    await settle();
    click(target, "rotate-confirm");
    await settle();
    expect(target.querySelector("[data-testid=rotate-state]")!.textContent).toBe("No secret was added; the old secret is unchanged and still works.");
    expect(target.querySelector("[data-testid=rotated-secret]")).toBeNull();
    expect(target.querySelector("[data-testid=rotate-confirm]")).not.toBeNull();
    unmount(dialog);
    target.remove();
  });

  it("is sure nothing was added when a directory role is missing", async () => {
    mockIPC(() => {
      throw { ...graphError, code: "missing_role", message: "No secret was created: this needs Application Administrator. Nothing was changed" };
    });
    const target = document.createElement("div");
    document.body.append(target);
    const dialog = mount(RotateDialog, { target, props: { accountId: "a", credential: old, onclose: () => {}, onchanged: () => {} } });
    await settle();
    click(target, "rotate-confirm");
    await settle();
    expect(target.querySelector("[data-testid=error-banner]")!.textContent).toContain("A directory role is missing");
    expect(target.querySelector("[data-testid=rotate-state]")!.textContent).toBe("No secret was added; the old secret is unchanged and still works.");
    unmount(dialog);
    target.remove();
  });

  it("is unsure, and says so, when the network failed mid-way", async () => {
    mockIPC(() => {
      throw { ...graphError, code: "network", requestId: null };
    });
    const target = document.createElement("div");
    document.body.append(target);
    const dialog = mount(RotateDialog, { target, props: { accountId: "a", credential: old, onclose: () => {}, onchanged: () => {} } });
    await settle();
    click(target, "rotate-confirm");
    await settle();
    expect(target.querySelector("[data-testid=rotate-state]")!.textContent).toContain("may or may not have added");
    unmount(dialog);
    target.remove();
  });
});
