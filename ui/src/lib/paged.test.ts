import { describe, expect, it } from "vitest";
import { PagedSource, pagesCovering, type PageAnswer, type PagedTimers, type PagedView } from "./paged";

interface Q {
  search: string;
}
type Row = { id: string };
type Answer = PageAnswer<Row> & { asOf: string };

/** A fetch whose answers the test gives, one call at a time, over a list of `size(query)` rows. */
function core(size: (q: Q) => number = () => 1000) {
  const calls: Array<{ query: Q; start: number; limit: number; answer: (total?: number) => void; fail: (e: unknown) => void }> = [];
  const fetch = (query: Q, start: number, limit: number) =>
    new Promise<Answer>((resolve, reject) => {
      calls.push({
        query,
        start,
        limit,
        fail: reject,
        answer: (total = size(query)) => {
          const items = Array.from({ length: Math.max(0, Math.min(limit, total - start)) }, (_, i) => ({ id: `${query.search}-${start + i}` }));
          resolve({ items, start, total, next: start + items.length < total ? start + items.length : null, asOf: "now" });
        },
      });
    });
  return { calls, fetch };
}

/** Timers the test moves by hand. */
function clock() {
  let now = 0;
  let next = 1;
  const waiting = new Map<number, { at: number; fn: () => void }>();
  const timers: PagedTimers = {
    setTimeout: (fn, ms) => {
      waiting.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout: (h) => waiting.delete(h as number),
    now: () => now,
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [h, t] of [...waiting]) {
      if (t.at <= now) {
        waiting.delete(h);
        t.fn();
      }
    }
  };
  return { timers, advance };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function source(c = core(), t = clock(), keepPages = 4) {
  const s = new PagedSource<Q, Row, Answer>({ fetch: c.fetch, pageRows: 100, keepPages, debounceMs: 200, timers: t.timers });
  let view: PagedView<Row, Answer> = s.view;
  s.subscribe((v) => (view = v));
  return { s, c, t, view: () => view };
}

describe("pagesCovering", () => {
  it("names the pages of a window, within the total", () => {
    expect(pagesCovering(0, 30, 100, 1000)).toEqual([0]);
    expect(pagesCovering(90, 130, 100, 1000)).toEqual([0, 1]);
    expect(pagesCovering(990, 1030, 100, 1000)).toEqual([9]);
    expect(pagesCovering(0, 30, 100, 0)).toEqual([]);
    expect(pagesCovering(2000, 2030, 100, 1000)).toEqual([]);
  });
});

describe("PagedSource", () => {
  it("asks for the first page, then only the missing pages of what is in view", async () => {
    const { s, c, view } = source();
    expect(view().length).toBe(0);
    s.setQuery({ search: "a" });
    expect(c.calls.map((x) => [x.start, x.limit])).toEqual([[0, 100]]);
    expect(view().loading).toBe(true);
    c.calls[0]!.answer();
    await flush();
    expect(view().settled).toBe(true);
    expect(view().length).toBe(1000);
    expect(view().at(5)).toEqual({ id: "a-5" });
    expect(view().at(150)).toBeUndefined();
    expect(view().latest?.asOf).toBe("now");
    expect(view().answerMs).toBe(0);

    s.show(480, 530);
    s.show(485, 535);
    expect(c.calls.map((x) => x.start), "pages 4 and 5, once each").toEqual([0, 400, 500]);
    c.calls[2]!.answer();
    await flush();
    expect(view().at(520)).toEqual({ id: "a-520" });
    expect(view().at(450)).toBeUndefined();
    expect(view().findIndex((r) => r.id === "a-520")).toBe(520);
    s.show(0, 30);
    expect(c.calls, "page 0 is kept").toHaveLength(3);
  });

  it("keeps the old rows until a new question's first page, and drops answers to older questions", async () => {
    const { s, c, view } = source(core((q) => (q.search === "b" ? 7 : 1000)));
    s.setQuery({ search: "a" });
    c.calls[0]!.answer();
    await flush();
    s.show(300, 330);
    s.setQuery({ search: "b" });
    s.setQuery({ search: "c" });
    expect(view().settled).toBe(false);
    expect(view().at(3), "still the old rows").toEqual({ id: "a-3" });
    expect(c.calls.map((x) => [x.query.search, x.start]), "a new question starts at the top").toEqual([["a", 0], ["a", 300], ["b", 0], ["c", 0]]);
    c.calls[1]!.answer();
    c.calls[2]!.answer();
    await flush();
    expect(view().at(3), "answers to older questions are dropped").toEqual({ id: "a-3" });
    expect(view().length).toBe(1000);
    c.calls[3]!.answer();
    await flush();
    expect(view().settled).toBe(true);
    expect(view().at(3)).toEqual({ id: "c-3" });
    expect(view().at(300)).toBeUndefined();
  });

  it("waits for a pause in typing, and asks a question already asked only once", async () => {
    const { s, c, t, view } = source();
    s.setQuery({ search: "" });
    c.calls[0]!.answer();
    await flush();
    for (const typed of ["p", "pa", "pay"]) {
      s.setQuery({ search: typed }, { debounce: true });
      t.advance(150);
    }
    expect(c.calls).toHaveLength(1);
    expect(view().loading && !view().settled).toBe(true);
    t.advance(60);
    expect(c.calls.map((x) => x.query.search)).toEqual(["", "pay"]);
    s.setQuery({ search: "pay" });
    s.setQuery({ search: "pa" }, { debounce: true });
    s.setQuery({ search: "pay" }, { debounce: true });
    t.advance(1000);
    expect(c.calls, "back to the question on its way: nothing new to ask").toHaveLength(2);
  });

  it("reloads the rows in view, keeping them until the answer", async () => {
    const { s, c, view } = source();
    s.setQuery({ search: "a" });
    c.calls[0]!.answer();
    await flush();
    s.show(520, 550);
    c.calls[1]!.answer();
    await flush();
    s.reload();
    expect(c.calls[2]!.start).toBe(500);
    expect(view().at(530)).toEqual({ id: "a-530" });
    c.calls[2]!.answer(900);
    await flush();
    expect(view().length).toBe(900);
    expect(view().at(5), "pages of before the reload are gone").toBeUndefined();
    expect(view().at(530)).toEqual({ id: "a-530" });
  });

  it("reloads a list that was empty (no rows in view) and shows what it holds now", async () => {
    let size = 0;
    const { s, c, view } = source(core(() => size));
    s.setQuery({ search: "" });
    c.calls[0]!.answer();
    await flush();
    expect(view().settled && view().length === 0).toBe(true);
    s.show(0, 0); // what a table with no rows reports
    size = 450;
    s.reload();
    expect(c.calls.map((x) => x.start), "the first page is asked for all the same").toEqual([0, 0]);
    c.calls[1]!.answer();
    await flush();
    expect(view().settled).toBe(true);
    expect(view().length).toBe(450);
    expect(view().at(0)).toEqual({ id: "-0" });
    s.show(0, 0);
    s.setQuery({ search: "x" });
    expect(c.calls.at(-1)!.start, "a new question from an empty window too").toBe(0);
  });

  it("keeps a few pages, never one in view, and starts over when the total moves", async () => {
    const { s, c, view } = source(core(), clock(), 3);
    s.setQuery({ search: "a" });
    c.calls[0]!.answer();
    await flush();
    for (const start of [100, 200, 300, 400]) {
      s.show(start, start + 30);
      c.calls.at(-1)!.answer();
      await flush();
    }
    const kept = [0, 100, 200, 300, 400].filter((i) => view().at(i) !== undefined);
    expect(kept).toEqual([200, 300, 400]);
    s.show(0, 30);
    expect(c.calls.at(-1)!.start, "a dropped page is asked again").toBe(0);
    c.calls.at(-1)!.answer(999);
    await flush();
    expect(view().length).toBe(999);
    expect([0, 200, 300, 400].filter((i) => view().at(i) !== undefined), "the list changed: other pages dropped").toEqual([0]);
  });

  it("says when a page failed, until the next answer", async () => {
    const { s, c, view } = source();
    s.setQuery({ search: "a" });
    c.calls[0]!.fail(new Error("gone"));
    await flush();
    expect(view().error).toBeInstanceOf(Error);
    expect(view().settled).toBe(false);
    s.reload();
    c.calls[1]!.answer();
    await flush();
    expect(view().error).toBeNull();
    expect(view().settled).toBe(true);
    s.setQuery({ search: "c" }); // on its way when the screen goes
    const seen: unknown[] = [];
    s.subscribe((v) => seen.push(v));
    s.dispose();
    c.calls[2]!.answer();
    await flush();
    s.setQuery({ search: "b" });
    s.reload();
    expect(c.calls, "nothing after dispose").toHaveLength(3);
    expect(seen, "no view reaches a listener after dispose (the screens only dispose on unmount)").toHaveLength(1);
  });
});
