// Virtual scrolling math for fixed-height rows: which rows to render for a
// scroll position, where to scroll to keep a row in view, and how the arrow
// keys move a selection; and `Rows`, what a VirtualTable shows (an array, or
// a paged list from lib/paged.ts). Pure; tested in virtual.test.ts.

/**
 * The rows a VirtualTable shows: an array, or a list whose rows arrive a page
 * at a time as they come into view (`PagedSource`'s view in lib/paged.ts).
 * Every `ReadonlyArray` is one.
 */
export interface Rows<T> {
  /** How many rows the list has (loaded or not): the scrollbar's extent. */
  readonly length: number;
  /** The row at `index`, or undefined while its page has not arrived. */
  at(index: number): T | undefined;
  /** The index of the first loaded row `predicate` accepts, or -1. */
  findIndex(predicate: (row: T) => boolean): number;
}

export interface VirtualWindow {
  /** First rendered row (inclusive). */
  start: number;
  /** Last rendered row (exclusive). */
  end: number;
  /** Offset of the first rendered row from the top of the content, px. */
  offset: number;
  /** Height of all rows, px (the scrollable content). */
  total: number;
}

/** The rows to render: those in the viewport plus `overscan` on each side. */
export function virtualWindow(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 8): VirtualWindow {
  const total = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, total };
  const maxTop = Math.max(0, total - viewport);
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(viewport, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offset: start * rowHeight, total };
}

/** The scrollTop that keeps row `index` fully visible, changing as little as possible. */
export function scrollToRow(index: number, scrollTop: number, viewport: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport);
  return scrollTop;
}

/**
 * The selection after a navigation key, or null when the key is not one.
 * `current` -1 means nothing is selected; `page` is the number of rows a page holds.
 */
export function moveSelection(current: number, key: string, count: number, page: number): number | null {
  if (count === 0) return null;
  const clamp = (i: number) => Math.min(count - 1, Math.max(0, i));
  switch (key) {
    case "ArrowDown":
      return current < 0 ? 0 : clamp(current + 1);
    case "ArrowUp":
      return current < 0 ? 0 : clamp(current - 1);
    case "PageDown":
      return clamp((current < 0 ? 0 : current) + Math.max(1, page - 1));
    case "PageUp":
      return clamp((current < 0 ? 0 : current) - Math.max(1, page - 1));
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

/** A column of a VirtualTable. */
export interface Column {
  id: string;
  label: string;
  /** A CSS grid track, e.g. `minmax(14rem, 2fr)` or `8rem`. */
  width: string;
  sortable?: boolean;
  /** Right-align (numbers). */
  numeric?: boolean;
}
