import { describe, expect, it } from "vitest";
import { blankProfile, cleanToken, normaliseProfile, segments } from "./jwt";

describe("cleanToken", () => {
  it("strips whitespace, a Bearer prefix, quotes and line breaks", () => {
    expect(cleanToken("  Bearer aaa.bbb.ccc \n")).toBe("aaa.bbb.ccc");
    expect(cleanToken('"aaa.bbb.ccc"')).toBe("aaa.bbb.ccc");
    expect(cleanToken("aaa.\nbbb.\r\nccc")).toBe("aaa.bbb.ccc");
    expect(cleanToken("bearer   x.y.z")).toBe("x.y.z");
  });
});

describe("segments", () => {
  it("labels header, payload and signature", () => {
    expect(segments("a.b.c").map((s) => s.kind)).toEqual(["header", "payload", "signature"]);
  });
  it("labels the parts of a five-part JWE beyond the third as extra", () => {
    expect(segments("a.b.c.d.e").map((s) => s.kind)).toEqual(["header", "payload", "signature", "extra", "extra"]);
  });
  it("is empty for an empty token and keeps empty parts", () => {
    expect(segments("")).toEqual([]);
    expect(segments("a..c")[1]).toEqual({ kind: "payload", text: "" });
  });
});

describe("profiles", () => {
  it("turns blank fields into null and keeps the documented defaults", () => {
    const p = normaliseProfile({ ...blankProfile(" api "), audience: "  ", clockSkew: " ", tenantId: " t " });
    expect(p.name).toBe("api");
    expect(p.audience).toBeNull();
    expect(p.tenantId).toBe("t");
    expect(p.clockSkew).toBe("00:05:00");
    expect(p.jwksCacheDuration).toBe("01:00:00");
  });
});
