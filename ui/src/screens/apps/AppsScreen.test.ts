// The App registrations screen in jsdom over mocked IPC standing in for the
// core: the cached list renders at once, one page of the 10,000 rows crosses
// IPC and only a window of it is in the DOM, the search is asked of the core
// after a pause, and the keyboard opens a detail.
import { afterEach, describe, expect, it } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import AppsScreen from "./AppsScreen.svelte";
import type { AppDetail, AppRow, AppsPage, AppsQuery } from "../../lib/bindings";
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

/** The core's `apps_list` over `all`: the search (name or appId, without case), then one page. */
function answer(all: AppRow[], query: AppsQuery): AppsPage {
  const text = query.search?.toLowerCase() ?? "";
  const matches = all.filter((r) => r.displayName.toLowerCase().includes(text) || r.appId.includes(text));
  const items = matches.slice(query.start, query.start + (query.limit ?? 100));
  const end = query.start + items.length;
  return { items, start: query.start, total: matches.length, next: end < matches.length ? end : null, objects: all.length, asOf: null, stale: true };
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

  it("shows the cache at once, a page at a time, searchable, with a detail on Enter", async () => {
    const all = rows(10_000);
    const calls: string[] = [];
    const asked: AppsQuery[] = [];
    mockIPC((cmd, args) => {
      calls.push(cmd);
      if (cmd === "apps_list") {
        const query = (args as { query: AppsQuery }).query;
        asked.push(query);
        return answer(all, query);
      }
      if (cmd === "apps_detail") {
        const row = all.find((r) => r.id === (args as { id: string }).id)!;
        return { row, credentials: [], redirectUris: { web: [], spa: [], publicClient: [] }, apiPermissions: [], publisherDomain: null, servicePrincipalType: null, portalUrl: "https://entra.microsoft.com/x" } satisfies AppDetail;
      }
      return null;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(AppsScreen, { target, props: { user } });
    await settle();

    expect(calls).toEqual(["apps_list"]);
    expect(asked).toEqual([{ sort: "name", descending: false, expired: false, noOwner: false, start: 0, limit: 100 }]);
    expect(target.querySelector("[data-testid=apps-as-of]")!.textContent).toBe("never synced");
    expect(target.querySelector("[data-testid=apps-stale]")).not.toBeNull();
    const table = target.querySelector<HTMLElement>("[data-testid=apps-table]")!;
    expect(table.dataset.rows).toBe("10000");
    const rendered = target.querySelectorAll("[data-testid=apps-row]").length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(40);
    expect(window.__entraDeskPerf?.rows).toBe(10_000);

    const search = target.querySelector<HTMLInputElement>("[data-testid=apps-search]")!;
    for (const typed of ["P", "PAY", "PAYROLL"]) {
      search.value = typed;
      search.dispatchEvent(new Event("input", { bubbles: true }));
      await settle();
    }
    expect(table.dataset.rows, "the old rows stay until the core answers").toBe("10000");
    expect(asked).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 250));
    await settle();
    expect(asked.slice(1).map((q) => q.search), "one question after the pause, not one per keystroke").toEqual(["PAYROLL"]);
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
