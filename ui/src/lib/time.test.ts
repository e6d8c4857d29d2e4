import { describe, expect, it } from "vitest";
import { asOfText, durationWords, relativeTime, shortDate } from "./time";

describe("as of", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");
  it("says never synced, or the time and how long ago", () => {
    expect(asOfText(null, now)).toBe("never synced");
    expect(asOfText("2025-06-01T11:57:00Z", now)).toContain("3 min ago");
    expect(relativeTime("2025-06-01T11:59:50Z", now)).toBe("just now");
    expect(relativeTime("2025-05-29T12:00:00Z", now)).toBe("3 days ago");
    expect(relativeTime("2025-06-01T14:00:00Z", now)).toBe("in 2 h");
  });
});

describe("short dates", () => {
  it("cuts an RFC 3339 time to its UTC date, and says when there is none", () => {
    expect(shortDate("2025-03-01T23:30:00Z")).toBe("2025-03-01");
    expect(shortDate(null)).toBe("—");
    expect(shortDate("not a date")).toBe("not a date");
  });
});

describe("durations in words", () => {
  it("names each unit once, largest first, and leaves out what is zero", () => {
    expect(durationWords(5400)).toBe("1 hour 30 minutes");
    expect(durationWords(86_401)).toBe("1 day 1 second");
    expect(durationWords(7 * 86_400)).toBe("7 days");
    expect(durationWords(0)).toBe("0 seconds");
  });
});
