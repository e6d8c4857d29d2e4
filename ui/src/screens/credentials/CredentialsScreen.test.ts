// The Credential expiry screen in jsdom over mocked IPC standing in for the
// core: the report arrives a page at a time, the chips and the chart show the
// core's counts (asked once, not with every page), a chip and a column
// header are asked of the core, and new windows bring new chips.
import { afterEach, describe, expect, it } from "vitest";
import { flushSync, mount, tick, unmount } from "svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import CredentialsScreen from "./CredentialsScreen.svelte";
import type { CredentialsPage, CredentialsQuery, ExpiringCredential } from "../../lib/bindings";
import { demoUser } from "../../lib/testing";

const NOW = "2026-03-01T12:00:00Z";

function rows(n: number): ExpiringCredential[] {
  return Array.from({ length: n }, (_, i) => {
    const daysLeft = i - 50;
    return {
      objectId: `obj-${i}`,
      appId: `app-${i}`,
      displayName: `App ${i}`,
      objectType: "application",
      credentialType: "password",
      keyId: `key-${i}`,
      keyIds: [`key-${i}`],
      credentialName: "secret",
      start: null,
      end: new Date(Date.parse(NOW) + daysLeft * 86_400_000 + 3_600_000).toISOString(),
      daysLeft,
      status: daysLeft < 0 ? "expired" : daysLeft <= 90 ? "expiring" : "ok",
      window: null,
      usage: null,
      owners: [],
    };
  });
}

/** The core's `credentials_list` over `all`: the expired filter, one page, and the summary when asked. */
function answer(all: ExpiringCredential[], query: CredentialsQuery): CredentialsPage {
  const windows = query.windows ?? [7, 30, 90];
  const matches = all.filter((r) => (!query.expired || r.status === "expired") && (query.within === undefined || (r.daysLeft >= 0 && r.daysLeft < query.within)));
  const items = matches.slice(query.start, query.start + (query.limit ?? 100));
  const expired = all.filter((r) => r.status === "expired").length;
  const summary = query.summary
    ? {
        total: all.length,
        expired,
        within: windows.map((days) => ({ days, count: all.filter((r) => r.daysLeft >= 0 && r.daysLeft < days).length })),
        chart: { months: new Array<number>(12).fill(1), afterMonths: 0, weeks: new Array<number>(52).fill(0), afterWeeks: 0 },
      }
    : null;
  const end = query.start + items.length;
  return { items, start: query.start, total: matches.length, next: end < matches.length ? end : null, windows, asOf: NOW, now: NOW, summary };
}

async function settle() {
  for (let i = 0; i < 5; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;

describe("CredentialsScreen", () => {
  afterEach(() => clearMocks());

  it("pages the report, counts it once, and asks the core for chips, sorts and windows", async () => {
    const all = rows(5000);
    const asked: CredentialsQuery[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== "credentials_list") return null;
      const query = (args as { query: CredentialsQuery }).query;
      asked.push(query);
      return answer(all, query);
    });
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(CredentialsScreen, { target, props: { user: demoUser() } });
    await settle();
    const $ = (testid: string) => target.querySelector<HTMLElement>(`[data-testid=${testid}]`)!;

    expect(asked.filter((q) => q.summary)).toHaveLength(1);
    expect(asked.filter((q) => !q.summary).map((q) => [q.start, q.limit])).toEqual([[0, 100]]);
    expect($("credentials-table").dataset.rows).toBe("5000");
    expect(target.querySelectorAll("[data-testid=credentials-row]").length).toBeLessThan(40);
    expect($("credentials-filter-expired").textContent).toBe("Expired (50)");
    expect($("credentials-filter-30").textContent).toBe("Within 30 days (30)");
    expect(target.querySelectorAll("[data-testid=chart-bar]")).toHaveLength(13);
    expect(($("credentials-windows") as HTMLInputElement).value).toBe("7, 30, 90");

    $("credentials-filter-expired").click();
    await settle();
    expect(asked.at(-1)).toMatchObject({ expired: true, start: 0, summary: false });
    expect($("credentials-table").dataset.rows).toBe("50");
    $("credentials-table-sort-app").click();
    await settle();
    expect(asked.at(-1)).toMatchObject({ sort: "app", descending: false, expired: true });

    const windows = $("credentials-windows") as HTMLInputElement;
    windows.value = "180 7";
    windows.dispatchEvent(new Event("input", { bubbles: true }));
    $("credentials-windows-apply").click();
    await settle();
    expect($("credentials-filter-180").textContent).toBe("Within 180 days (180)");
    expect(asked.filter((q) => q.summary)).toHaveLength(2);
    expect(asked.at(-1)!.windows ?? asked.at(-2)!.windows).toEqual([7, 180]);
    expect(asked.filter((q) => !q.summary).length, "pages are never asked to count the report").toBeGreaterThan(2);
    unmount(screen);
    target.remove();
  });

  it("exports where the save dialog said, and reports nothing when it was cancelled", async () => {
    const all = rows(10);
    let answer_: { path: string; count: number } | null = { path: "/home/admin/Downloads/expiry.csv", count: 10 };
    const exports: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "credentials_list") return answer(all, (args as { query: CredentialsQuery }).query);
      if (cmd === "credentials_export") {
        // The core opens the dialog: the webview sends only the format and windows, never a path.
        exports.push(args);
        return answer_;
      }
      return null;
    });
    const target = document.createElement("div");
    document.body.append(target);
    const screen = mount(CredentialsScreen, { target, props: { user: demoUser() } });
    await settle();
    const $ = (testid: string) => target.querySelector<HTMLElement>(`[data-testid=${testid}]`);

    $("credentials-export-csv")!.click();
    await settle();
    expect(exports).toEqual([{ windows: null, format: "csv" }]);
    expect($("credentials-export-path")!.textContent).toBe("/home/admin/Downloads/expiry.csv");

    answer_ = null;
    $("credentials-export-json")!.click();
    await settle();
    expect($("credentials-export-result"), "a cancelled export reports no file").toBeNull();
    expect($("error-banner"), "and is no error").toBeNull();
    unmount(screen);
    target.remove();
  });
});
