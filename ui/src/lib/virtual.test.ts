import { describe, expect, it } from "vitest";
import { MAX_SCROLL_HEIGHT, moveSelection, rowAt, scrollScale, scrollToRow, virtualWindow } from "./virtual";

describe("virtualWindow", () => {
  it("renders only the visible rows plus overscan", () => {
    const w = virtualWindow(0, 300, 30, 10_000, 5);
    expect(w).toEqual({ start: 0, end: 16, offset: 0, total: 300_000 });
    const mid = virtualWindow(30_000, 300, 30, 10_000, 5);
    expect(mid.start).toBe(995);
    expect(mid.end).toBe(1016);
    expect(mid.offset).toBe(995 * 30);
    expect(mid.end - mid.start).toBeLessThan(30);
  });

  it("clamps at the end and for a scroll position past the content", () => {
    const w = virtualWindow(1e9, 300, 30, 100, 5);
    expect(w.end).toBe(100);
    expect(w.start).toBe(100 - 10 - 5);
  });

  it("is empty for no rows and shows everything for few rows", () => {
    expect(virtualWindow(0, 300, 30, 0)).toEqual({ start: 0, end: 0, offset: 0, total: 0 });
    expect(virtualWindow(0, 300, 30, 3)).toMatchObject({ start: 0, end: 3 });
  });

  it("still renders rows before the viewport has been measured", () => {
    expect(virtualWindow(0, 0, 30, 50, 2).end).toBeGreaterThan(0);
  });
});

describe("scrollToRow", () => {
  it("scrolls up or down just enough, and not at all when visible", () => {
    expect(scrollToRow(5, 300, 300, 30, 100)).toBe(150);
    expect(scrollToRow(20, 0, 300, 30, 100)).toBe(330);
    expect(scrollToRow(12, 300, 300, 30, 100)).toBe(300);
  });
});

// A million rows of 34 px (VirtualTable's default height) are 34 M px: more than WebKit lays out
// (its layout units end at 2^25 px, about 33.5 M; Chromium's likewise), so the content is capped
// and scroll positions are scaled. Without the cap the first two tests fail.
describe("a list taller than a browser lays out", () => {
  const BROWSER_MAX = 2 ** 25;
  const rows = 1_000_000;
  const rh = 34;
  const viewport = 600;

  /** Where row `i` is drawn, relative to the viewport's top, at `scrollTop`; null when it is not rendered. */
  function drawnAt(i: number, scrollTop: number): number | null {
    const w = virtualWindow(scrollTop, viewport, rh, rows);
    if (i < w.start || i >= w.end) return null;
    return w.offset + (i - w.start) * rh - scrollTop;
  }

  it("keeps its content within the cap, and the end of the scrollbar shows the last row", () => {
    const w = virtualWindow(1e12, viewport, rh, rows);
    expect(w.total).toBeLessThan(BROWSER_MAX);
    expect(w.total).toBe(MAX_SCROLL_HEIGHT);
    const maxTop = w.total - viewport;
    expect(virtualWindow(maxTop, viewport, rh, rows).end).toBe(rows);
    expect(drawnAt(rows - 1, maxTop), "the last row's bottom is the viewport's bottom").toBeCloseTo(viewport - rh, 6);
    expect(rowAt(maxTop, viewport, rh, rows)).toBe(rows - Math.ceil(viewport / rh));
  });

  it("draws under the viewport's top the row rowAt names, all the way down", () => {
    const { total, ratio } = scrollScale(viewport, rh, rows);
    expect(total).toBeLessThan(BROWSER_MAX);
    expect(ratio).toBeGreaterThan(1);
    for (const top of [0, 7, 12_345, 1_000_000.5, total / 3, total - viewport - 3, total - viewport]) {
      const i = rowAt(top, viewport, rh, rows);
      const y = drawnAt(i, top)!;
      expect(y, `row ${i} at scrollTop ${top}`).toBeLessThanOrEqual(1e-6);
      expect(y).toBeGreaterThan(-rh);
    }
  });

  it("scrolls to any row, from above or below, and shows it whole (Home, End, the arrows)", () => {
    const maxTop = MAX_SCROLL_HEIGHT - viewport;
    expect(scrollToRow(rows - 1, 0, viewport, rh, rows), "End: the last row is at the scrollbar's end, within what a browser lays out").toBe(maxTop);
    for (const i of [0, 1, 18, 250_000, 500_001, 999_000, rows - 2, rows - 1]) {
      for (const from of [0, maxTop]) {
        const top = scrollToRow(i, from, viewport, rh, rows);
        expect(Number.isInteger(top), "a whole pixel, as a browser may keep").toBe(true);
        expect(top).toBeGreaterThanOrEqual(0);
        expect(top).toBeLessThanOrEqual(maxTop);
        const y = drawnAt(i, top);
        expect(y, `row ${i} from ${from}`).not.toBeNull();
        expect(y!).toBeGreaterThanOrEqual(-1e-6);
        expect(y!).toBeLessThanOrEqual(viewport - rh + 1e-6);
        // Once in view, the row stays where it is.
        expect(scrollToRow(i, top, viewport, rh, rows)).toBe(top);
      }
    }
    // Scrolled up to a row, that row is the one under the viewport's top (or the one before, by less than a pixel of scroll).
    const up = scrollToRow(123_456, maxTop, viewport, rh, rows);
    expect([123_455, 123_456]).toContain(rowAt(up, viewport, rh, rows));
  });

  it("leaves lists below the cap as they were", () => {
    expect(scrollScale(viewport, rh, 200_000)).toEqual({ total: 6_800_000, ratio: 1 });
    expect(virtualWindow(34_000, viewport, rh, 200_000, 0)).toEqual({ start: 1000, end: 1000 + Math.ceil(viewport / rh) + 1, offset: 34_000, total: 6_800_000 });
  });
});

describe("moveSelection", () => {
  it("moves with the arrows, pages, Home and End, within bounds", () => {
    expect(moveSelection(-1, "ArrowDown", 10, 5)).toBe(0);
    expect(moveSelection(3, "ArrowDown", 10, 5)).toBe(4);
    expect(moveSelection(9, "ArrowDown", 10, 5)).toBe(9);
    expect(moveSelection(0, "ArrowUp", 10, 5)).toBe(0);
    expect(moveSelection(2, "PageDown", 10, 5)).toBe(6);
    expect(moveSelection(2, "PageUp", 10, 5)).toBe(0);
    expect(moveSelection(4, "Home", 10, 5)).toBe(0);
    expect(moveSelection(4, "End", 10, 5)).toBe(9);
  });
  it("ignores other keys and empty tables", () => {
    expect(moveSelection(1, "a", 10, 5)).toBeNull();
    expect(moveSelection(-1, "ArrowDown", 0, 5)).toBeNull();
  });
});
