import { describe, expect, it } from "vitest";
import { moveSelection, scrollToRow, virtualWindow } from "./virtual";

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
    expect(scrollToRow(5, 300, 300, 30)).toBe(150);
    expect(scrollToRow(20, 0, 300, 30)).toBe(330);
    expect(scrollToRow(12, 300, 300, 30)).toBe(300);
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
