// The App registrations screen in jsdom over mocked IPC: the cached list
// renders at once, only a window of the 10,000 rows is in the DOM, search
// narrows it, and the keyboard opens a detail.
import { afterEach, describe, expect, it } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import AppsScreen from "./AppsScreen.svelte";
import type { AppDetail, AppInventory, AppRow, SignedInUser } from "../../lib/bindings";
import { demoUser } from "../../lib/testing";

const user = demoUser();

function rows(n: number): AppRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `obj-${i}`,
    objectType: i % 2 ? "servicePrincipal" : "application",
    appId: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
    displayName: i === 4242 ? "Payroll Exporter" : `App ${i}`,
    signInAudience: "AzureADMyOrg",
    created: "2024-01-01T00:00:00Z",
    credentialCount: 1,
    expiredCount: 0,
    nextExpiry: "2030-01-01T00:00:00Z",
    owners: null,
  }));
}

async function settle() {
  for (let i = 0; i < 5; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

// jsdom has no layout: no ResizeObserver (bind:clientHeight), every height is 0.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;

describe("AppsScreen", () => {
  afterEach(() => clearMocks());

  it("shows the cache at once, virtualized, searchable, with a detail on Enter", async () => {
    const inventory: AppInventory = { rows: rows(10_000), asOf: null, stale: true };
    const calls: string[] = [];
    mockIPC((cmd, args) => {
      calls.push(cmd);
      if (cmd === "apps_list") return inventory;
      if (cmd === "apps_detail") {
        const row = inventory.rows.find((r) => r.id === (args as { id: string }).id)!;
        return { row, credentials: [], redirectUris: { web: [], spa: [], publicClient: [] }, apiPermissions: [], publisherDomain: null, servicePrincipalType: null, portalUrl: "https://entra.microsoft.com/x" } satisfies AppDetail;
      }
      return null;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(AppsScreen, { target, props: { user } });
    await settle();

    expect(calls).toEqual(["apps_list"]);
    expect(target.querySelector("[data-testid=apps-as-of]")!.textContent).toBe("never synced");
    expect(target.querySelector("[data-testid=apps-stale]")).not.toBeNull();
    const table = target.querySelector<HTMLElement>("[data-testid=apps-table]")!;
    expect(table.dataset.rows).toBe("10000");
    const rendered = target.querySelectorAll("[data-testid=apps-row]").length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(40);
    expect(window.__entraDeskPerf?.rows).toBe(10_000);

    const search = target.querySelector<HTMLInputElement>("[data-testid=apps-search]")!;
    search.value = "PAYROLL";
    search.dispatchEvent(new Event("input", { bubbles: true }));
    await settle();
    expect(table.dataset.rows).toBe("1");
    expect(window.__entraDeskPerf?.shown).toBe(1);

    table.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    await settle();
    expect(target.querySelector("[data-testid=apps-row][aria-selected=true]")).not.toBeNull();
    table.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await settle();
    expect(calls).toContain("apps_detail");
    expect(target.querySelector("[data-testid=apps-detail-name]")!.textContent).toBe("Payroll Exporter");
    expect(target.querySelector("[data-testid=apps-portal-link]")).not.toBeNull();
    expect(target.querySelector("[data-testid=apps-detail-owners-loading]")!.textContent).toBe("loading…");
    unmount(screen);
    target.remove();
  });
});
