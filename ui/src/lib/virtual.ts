// Virtual scrolling math for fixed-height rows: which rows to render for a
// scroll position, where to scroll to keep a row in view, and how the arrow
// keys move a selection; and `Rows`, what a VirtualTable shows (an array, or
// a paged list from lib/paged.ts). Pure; tested in virtual.test.ts.
//
// A list's natural height is rows × rowHeight, but a browser lays out only so
// much: WebKit's layout units end at 2^25 px (about 33.5 M px; Chromium's are
// similar), so a million rows of 32 px (32 M px) would be cut short or not
// drawn. Past `MAX_SCROLL_HEIGHT` the scrollable content stays at that height
// and a scroll position maps proportionally onto the natural one
// (`scrollScale`): the scrollbar's end is the last row, the rows are drawn
// where the natural position puts them, and scrolling to a row goes to the
// scaled position. A wheel step then moves `ratio` times as many rows.

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
  /** Height of the scrollable content, px: all rows, or `MAX_SCROLL_HEIGHT` when they are taller. */
  total: number;
}

/** The tallest content a table gives its scrollbar, px: well below what WebKit and Chromium lay out. */
export const MAX_SCROLL_HEIGHT = 8_000_000;

/** How a list's natural height maps onto the scrollable content. */
export interface ScrollScale {
  /** The content's height, px: the natural height (rows × rowHeight), or the cap when that is taller. */
  total: number;
  /** Natural px per scrolled px: 1, or more when the content is capped (the scroll ranges map end to end). */
  ratio: number;
}

/** The scale of a list of `count` rows in a viewport `viewport` px high, its content at most `maxHeight` px. */
export function scrollScale(viewport: number, rowHeight: number, count: number, maxHeight = MAX_SCROLL_HEIGHT): ScrollScale {
  const natural = Math.max(0, count * rowHeight);
  if (natural <= maxHeight || maxHeight <= viewport) return { total: natural, ratio: 1 };
  // Scroll range [0, maxHeight − viewport] onto [0, natural − viewport]: the bottom is the last row.
  return { total: maxHeight, ratio: (natural - viewport) / (maxHeight - viewport) };
}

/** The row under the viewport's top edge at `scrollTop` (clamped to the scroll range). */
export function rowAt(scrollTop: number, viewport: number, rowHeight: number, count: number, maxHeight = MAX_SCROLL_HEIGHT): number {
  if (count <= 0 || rowHeight <= 0) return 0;
  const { total, ratio } = scrollScale(viewport, rowHeight, count, maxHeight);
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, total - viewport));
  return Math.min(count - 1, Math.floor((top * ratio) / rowHeight));
}

/** The rows to render: those in the viewport plus `overscan` on each side. */
export function virtualWindow(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 8, maxHeight = MAX_SCROLL_HEIGHT): VirtualWindow {
  const { total, ratio } = scrollScale(viewport, rowHeight, count, maxHeight);
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, total };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, total - viewport));
  const natural = top * ratio;
  const first = rowAt(top, viewport, rowHeight, count, maxHeight);
  const visible = Math.ceil(Math.max(viewport, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  // Row i sits at its natural place (i × rowHeight) moved by what the scale skips above the viewport (top − natural).
  return { start, end, offset: start * rowHeight + top - natural, total };
}

/**
 * The scrollTop that keeps row `index` of `count` fully visible, changing as little as possible.
 * On capped content the answer is a whole pixel rounded towards the row, so a browser that keeps
 * whole pixels still shows all of it (the viewport must be taller than a row plus `ratio`).
 */
export function scrollToRow(index: number, scrollTop: number, viewport: number, rowHeight: number, count: number, maxHeight = MAX_SCROLL_HEIGHT): number {
  const { total, ratio } = scrollScale(viewport, rowHeight, count, maxHeight);
  const natural = scrollTop * ratio;
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  // Dividing leaves float error (7,999,400.0000001 for the last row): not worth a pixel more.
  const down = (px: number) => (ratio === 1 ? px : Math.floor(px / ratio + 1e-7));
  const up = (px: number) => (ratio === 1 ? px : Math.ceil(px / ratio - 1e-7));
  const clamp = (t: number) => Math.min(Math.max(0, t), Math.max(0, total - viewport));
  if (top < natural) return clamp(down(top));
  if (bottom > natural + viewport) return clamp(up(bottom - viewport));
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
