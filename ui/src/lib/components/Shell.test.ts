// The signed-in frame shows the session warning (the keychain refused a renewed token) when
// the core reports one for this account, and nothing otherwise.
import { afterEach, describe, expect, it } from "vitest";
import { createRawSnippet, flushSync, mount, tick, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import Shell from "./Shell.svelte";
import type { SignedInUser } from "../bindings";
import { demoUser } from "../testing";

const user = demoUser();

async function settle() {
  for (let i = 0; i < 4; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

function render(warning: string | null) {
  const asked: unknown[] = [];
  mockIPC((cmd, args) => {
    if (cmd === "keychain_warning") {
      asked.push(args);
      return warning;
    }
    throw new Error(`unexpected ${cmd}`);
  });
  const target = document.createElement("div");
  document.body.appendChild(target);
  const children = createRawSnippet(() => ({ render: () => "<p>screen</p>" }));
  const shell = mount(Shell, { target, props: { user, screen: "apps", onnavigate: () => {}, onsignout: () => {}, onswitchaccount: () => {}, children } });
  return { target, shell, asked };
}

describe("Shell session warning", () => {
  afterEach(() => {
    clearMocks();
    document.body.innerHTML = "";
  });

  it("shows the core's warning for the signed-in account", async () => {
    const { target, shell, asked } = render("The OS keychain could not store admin@demo's renewed session. The next start will ask you to sign in again.");
    await settle();
    expect(asked[0]).toMatchObject({ accountId: "oid.tid" });
    expect(target.querySelector('[data-testid="session-warning"]')?.textContent).toContain("next start will ask you to sign in again");
    unmount(shell);
  });

  it("shows nothing when the session is safe", async () => {
    const { target, shell } = render(null);
    await settle();
    expect(target.querySelector('[data-testid="session-warning"]')).toBeNull();
    unmount(shell);
  });
});
