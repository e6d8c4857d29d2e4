import { afterEach, describe, expect, it, vi } from "vitest";
import type { ExpiringCredential, Owner } from "./bindings";
import {
  NO_CREDENTIAL_FILTERS,
  CLIPBOARD_READ_TIMEOUT_MS,
  SelfClearingClipboard,
  credentialsQuery,
  crossingsSummary,
  expiryBins,
  installClearOnExit,
  parseWindows,
  type ClipboardLike,
  type ClipboardState,
  type ExitSignals,
  type Timers,
} from "./credentials";

const NOW = Date.parse("2025-06-15T12:00:00Z");
const owner = (name: string, upn: string): Owner => ({ id: upn, ownerType: "user", displayName: name, userPrincipalName: upn, mail: upn });

function row(daysLeft: number, extra: Partial<ExpiringCredential> = {}): ExpiringCredential {
  const end = new Date(NOW + daysLeft * 86_400_000 + 3_600_000).toISOString();
  return {
    objectId: "o1",
    appId: "11111111-0000-0000-0000-000000000000",
    displayName: "Payroll API",
    objectType: "application",
    credentialType: "password",
    keyId: `k${daysLeft}`,
    keyIds: [`k${daysLeft}`],
    credentialName: "prod secret",
    start: null,
    end,
    daysLeft: daysLeft,
    status: daysLeft < 0 ? "expired" : daysLeft <= 90 ? "expiring" : "ok",
    window: null,
    usage: null,
    owners: [owner("Adele Vance", "adele@contoso.com")],
    ...extra,
  };
}

describe("parseWindows", () => {
  it("accepts commas, spaces and semicolons; sorts and de-duplicates", () => {
    expect(parseWindows("30, 7 ;90 7")).toEqual({ ok: true, windows: [7, 30, 90] });
    expect(parseWindows(" 14 ")).toEqual({ ok: true, windows: [14] });
  });
  it("says what is wrong with bad input", () => {
    const bad = (t: string) => {
      const r = parseWindows(t);
      return r.ok ? "" : r.error;
    };
    expect(bad("")).toContain("at least one");
    expect(bad("7, x")).toContain("“x” is not a whole number");
    expect(bad("7.5")).toContain("not a whole number");
    expect(bad("-3")).toContain("not a whole number");
    expect(bad("0")).toContain("out of range");
    expect(bad("4000")).toContain("out of range");
    expect(bad("1 2 3 4 5 6 7")).toContain("At most 6");
  });
});

describe("credentialsQuery", () => {
  const by = { key: "end" as const, dir: 1 as const };
  it("asks the core for everything by default", () => {
    expect(credentialsQuery(NO_CREDENTIAL_FILTERS, null, by)).toEqual({ sort: "end", descending: false, expired: false, summary: false });
  });
  it("passes the filters, windows and sort as the core reads them", () => {
    const filters = { query: "  hr por ", kind: "certificate" as const, objectType: "servicePrincipal" as const, owner: " none ", window: 30 };
    expect(credentialsQuery(filters, [7, 30], { key: "app", dir: -1 })).toEqual({
      windows: [7, 30],
      search: "hr por",
      sort: "app",
      descending: true,
      kind: "certificate",
      objectType: "servicePrincipal",
      owner: "none",
      expired: false,
      within: 30,
      summary: false,
    });
    expect(credentialsQuery({ ...NO_CREDENTIAL_FILTERS, window: "expired" }, null, by)).toMatchObject({ expired: true });
    expect(credentialsQuery({ ...NO_CREDENTIAL_FILTERS, window: "expired" }, null, by)).not.toHaveProperty("within");
  });
});

describe("expiryBins", () => {
  const counts = { months: [1, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0], afterMonths: 1, weeks: [0, 2, 1, ...new Array<number>(49).fill(0)], afterWeeks: 4 };
  it("puts expired credentials in their own bar and the rest by calendar month, labelled from now", () => {
    const chart = expiryBins(counts, 2, NOW, "month");
    expect(chart.bins).toHaveLength(13);
    expect(chart.bins[0]).toMatchObject({ label: "Expired", count: 2, expired: true });
    expect(chart.bins[1]).toMatchObject({ title: "Jun 2025", label: "Jun 2025", count: 1 });
    expect(chart.bins[2]).toMatchObject({ title: "Jul 2025", label: "Jul", count: 2 });
    expect(chart.bins[8]).toMatchObject({ title: "Jan 2026", label: "Jan 2026", count: 3 });
    expect(chart.later).toBe(1);
    expect(chart.max).toBe(3);
  });
  it("bins by week", () => {
    const chart = expiryBins(counts, 0, NOW, "week");
    expect(chart.bins).toHaveLength(53);
    expect(chart.bins[2]!.count).toBe(2);
    expect(chart.bins[3]!.count).toBe(1);
    expect(chart.later).toBe(4);
    expect(chart.bins[1]!.title).toBe("Week of Jun 15");
    expect(chart.bins[2]!.label).toBe("");
  });
});

describe("crossingsSummary", () => {
  it("says how many expired and how many entered each window", () => {
    const c = (n: number) => ({ credential: row(n), nowIn: n < 0 ? 0 : n <= 7 ? 7 : 30, wasIn: null });
    expect(crossingsSummary([c(-1), c(3), c(4), c(20)])).toBe(
      "4 credentials crossed an expiry window since the last check: 1 expired, 2 now within 7 days, 1 now within 30 days.",
    );
  });
});

describe("SelfClearingClipboard", () => {
  type Read = "echo" | "throws" | "none" | (() => Promise<string>);
  /** A fake clipboard: `content` is what it holds; `read` says how readText behaves. */
  function setup(write: (t: string) => Promise<void>, read: Read = "echo") {
    vi.useFakeTimers();
    const writes: string[] = [];
    const reads = { count: 0 };
    const board = { content: "" };
    const timers: Timers = {
      setInterval: (fn, ms) => setInterval(fn, ms),
      clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
      now: () => Date.now(),
    };
    const fake: ClipboardLike = {
      writeText: (t) =>
        write(t).then(() => {
          writes.push(t);
          board.content = t;
        }),
    };
    if (read === "echo") fake.readText = async () => (reads.count++, board.content);
    if (read === "throws") fake.readText = async () => {
      reads.count++;
      throw new Error("read denied");
    };
    if (typeof read === "function") fake.readText = read;
    const clip = new SelfClearingClipboard(() => fake, 60, timers);
    const states: ClipboardState[] = [];
    clip.subscribe((s) => states.push(s));
    return { clip, writes, states, board, reads };
  }
  afterEach(() => void vi.useRealTimers());

  it("copies, counts down, and after 60 s clears the clipboard when it still holds our value", async () => {
    const { clip, writes, states, reads } = setup(async () => {});
    expect(await clip.copy("abc8Q~secret")).toBe(true);
    expect(writes).toEqual(["abc8Q~secret"]);
    expect(clip.state).toEqual({ kind: "counting", secondsLeft: 60 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(clip.state).toEqual({ kind: "counting", secondsLeft: 50 });
    await vi.advanceTimersByTimeAsync(50_000);
    expect(reads.count).toBe(1);
    expect(writes).toEqual(["abc8Q~secret", ""]);
    expect(clip.state).toEqual({ kind: "cleared", message: "The clipboard was cleared." });
    expect(states.filter((s) => s.kind === "counting")).toHaveLength(60);
  });

  it("leaves the clipboard alone, and says so, when something else was copied since", async () => {
    const { clip, writes, board } = setup(async () => {});
    await clip.copy("abc8Q~secret");
    await vi.advanceTimersByTimeAsync(20_000);
    board.content = "the user's own text";
    await vi.advanceTimersByTimeAsync(40_000);
    expect(writes).toEqual(["abc8Q~secret"]);
    expect(board.content).toBe("the user's own text");
    expect(clip.state.kind).toBe("left");
    expect(clip.state.kind === "left" && clip.state.message).toContain("something else was copied since");
    expect(clip.holding).toBe(false);
    // And says it without naming either value.
    expect(JSON.stringify(clip.state)).not.toContain("abc8Q~");
    expect(JSON.stringify(clip.state)).not.toContain("own text");
  });

  it("clears anyway, and says so, when the clipboard can't be read", async () => {
    for (const read of ["throws", "none"] as const) {
      const { clip, writes } = setup(async () => {}, read);
      await clip.copy("abc8Q~secret");
      await vi.advanceTimersByTimeAsync(60_000);
      expect(writes).toEqual(["abc8Q~secret", ""]);
      expect(clip.state.kind).toBe("cleared");
      const message = clip.state.kind === "cleared" ? clip.state.message : "";
      expect(message).toContain("without checking it first");
      expect(message).toContain(read === "throws" ? "read denied" : "not supported");
    }
  });

  it("clears anyway when reading never answers", async () => {
    const { clip, writes } = setup(async () => {}, () => new Promise<string>(() => {}));
    await clip.copy("abc8Q~secret");
    await vi.advanceTimersByTimeAsync(60_000 + CLIPBOARD_READ_TIMEOUT_MS);
    expect(writes).toEqual(["abc8Q~secret", ""]);
    expect(clip.state.kind === "cleared" && clip.state.message).toContain("took longer than");
  });

  it("holds the value only while counting, out of sight, and drops it after", async () => {
    const { clip } = setup(async () => {});
    await clip.copy("abc8Q~secret");
    expect(clip.holding).toBe(true);
    expect(JSON.stringify(clip)).not.toContain("secret");
    expect(Object.values(clip).some((v) => typeof v === "string" && v.includes("secret"))).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(clip.holding).toBe(false);
  });

  it("restarts the countdown on a second copy and clears at once on request", async () => {
    const { clip, writes } = setup(async () => {});
    await clip.copy("one");
    await vi.advanceTimersByTimeAsync(30_000);
    await clip.copy("one");
    await vi.advanceTimersByTimeAsync(45_000);
    expect(clip.state).toEqual({ kind: "counting", secondsLeft: 15 });
    await clip.clearNow();
    expect(writes).toEqual(["one", "one", ""]);
    expect(clip.holding).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(writes).toHaveLength(3);
  });

  it("a copy made while a clear is reading wins: the new countdown runs on", async () => {
    let release: (v: string) => void = () => {};
    const { clip, writes } = setup(async () => {}, () => new Promise<string>((r) => (release = r)));
    await clip.copy("old");
    await vi.advanceTimersByTimeAsync(60_000); // The clear is now waiting on readText.
    await clip.copy("new");
    release("new");
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual(["old", "new"]);
    expect(clip.state).toEqual({ kind: "counting", secondsLeft: 60 });
    expect(clip.holding).toBe(true);
  });

  it("says so when the clipboard can't be written, and starts no countdown", async () => {
    const { clip, writes } = setup(async () => {
      throw new Error("denied");
    });
    expect(await clip.copy("x")).toBe(false);
    expect(clip.state.kind).toBe("failed");
    expect(clip.state.kind === "failed" && clip.state.message).toContain("denied");
    expect(clip.holding).toBe(false);
    await vi.advanceTimersByTimeAsync(61_000);
    expect(writes).toEqual([]);
  });

  it("says so when there is no clipboard at all", async () => {
    const clip = new SelfClearingClipboard(() => null);
    expect(await clip.copy("x")).toBe(false);
    expect(clip.state.kind === "failed" && clip.state.message).toContain("copy it by hand");
  });
});

describe("clearing on exit", () => {
  function signals() {
    let close: (() => Promise<void>) | null = null;
    let pagehide: (() => void) | null = null;
    const s: ExitSignals = {
      onCloseRequested: async (h) => void (close = h),
      onPageHide: (h) => void (pagehide = h),
    };
    return { s, close: () => close!(), pagehide: () => pagehide!() };
  }
  function clipboard(read: "echo" | "throws" = "echo") {
    const board = { content: "", writes: [] as string[], reads: 0 };
    const fake: ClipboardLike = {
      writeText: async (t) => void (board.writes.push(t), (board.content = t)),
      readText: async () => {
        board.reads++;
        if (read === "throws") throw new Error("read denied");
        return board.content;
      },
    };
    return { board, clip: new SelfClearingClipboard(() => fake) };
  }

  it("clears an active countdown's value before the window closes", async () => {
    const { board, clip } = clipboard();
    const sig = signals();
    installClearOnExit(clip, sig.s);
    await clip.copy("abc8Q~secret");
    await sig.close();
    expect(board.writes).toEqual(["abc8Q~secret", ""]);
    expect(clip.state.kind).toBe("cleared");
    expect(clip.holding).toBe(false);
    // The pagehide that follows the close finds nothing left to do.
    sig.pagehide();
    await Promise.resolve();
    expect(board.writes).toHaveLength(2);
  });

  it("leaves something copied since alone on exit, and clears when it can't read", async () => {
    const a = clipboard();
    const sig = signals();
    installClearOnExit(a.clip, sig.s);
    await a.clip.copy("abc8Q~secret");
    a.board.content = "mine";
    await sig.close();
    expect(a.board.writes).toEqual(["abc8Q~secret"]);
    expect(a.clip.state.kind).toBe("left");

    const b = clipboard("throws");
    const sig2 = signals();
    installClearOnExit(b.clip, sig2.s);
    await b.clip.copy("abc8Q~secret");
    await sig2.close();
    expect(b.board.writes).toEqual(["abc8Q~secret", ""]);
  });

  it("pagehide clears as a fallback", async () => {
    const { board, clip } = clipboard();
    const sig = signals();
    installClearOnExit(clip, sig.s);
    await clip.copy("abc8Q~secret");
    sig.pagehide();
    await vi.waitFor(() => expect(board.writes).toEqual(["abc8Q~secret", ""]));
  });

  it("does nothing when idle", async () => {
    const { board, clip } = clipboard();
    const sig = signals();
    installClearOnExit(clip, sig.s);
    await sig.close();
    sig.pagehide();
    await Promise.resolve();
    expect(board).toEqual({ content: "", writes: [], reads: 0 });
    expect(clip.state).toEqual({ kind: "idle" });
  });

  it("never throws when there is no window to hook (outside Tauri)", () => {
    const { clip } = clipboard();
    expect(() =>
      installClearOnExit(clip, {
        onCloseRequested: () => Promise.reject(new Error("no Tauri")),
        onPageHide: () => {
          throw new Error("no window");
        },
      }),
    ).not.toThrow();
  });
});
