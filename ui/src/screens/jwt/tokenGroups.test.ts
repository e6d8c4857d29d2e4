import { describe, expect, it } from "vitest";
import { overageSource, tokenGroups } from "./tokenGroups";

describe("groups in a token", () => {
  it("reads the groups claim", () => {
    expect(tokenGroups({ oid: "o1", groups: ["a", "b", 3] })).toEqual({ ids: ["a", "b"], overage: false, overageClaim: null, oid: "o1" });
    expect(tokenGroups({})).toEqual({ ids: [], overage: false, overageClaim: null, oid: null });
    expect(tokenGroups(null)).toMatchObject({ overage: false });
  });

  it("detects an overage by _claim_names/_claim_sources", () => {
    const t = tokenGroups({ oid: "o2", _claim_names: { groups: "src1" }, _claim_sources: { src1: { endpoint: "https://graph.windows.net/t/users/o2/getMemberObjects" } } });
    expect(t).toEqual({ ids: [], overage: true, overageClaim: "_claim_names", oid: "o2" });
  });

  it("detects an overage by hasgroups (implicit flow), but not hasgroups false or other claim names", () => {
    expect(tokenGroups({ oid: "o3", hasgroups: true })).toMatchObject({ overage: true, overageClaim: "hasgroups" });
    expect(tokenGroups({ oid: "o3", hasgroups: "true" })).toMatchObject({ overage: true });
    expect(tokenGroups({ oid: "o3", hasgroups: false })).toMatchObject({ overage: false });
    expect(tokenGroups({ oid: "o3", _claim_names: { roles: "src1" } })).toMatchObject({ overage: false });
    expect(tokenGroups({ oid: "", hasgroups: true })).toMatchObject({ overage: true, oid: null });
  });

  it("says where the overage list came from", () => {
    const text = overageSource("2025-06-01T12:00:00Z", "hasgroups", Date.parse("2025-06-01T12:00:10Z"));
    expect(text).toMatch(/^From the local group cache, as of .+ \(just now\); the token itself carries no groups because of the overage \(hasgroups\)\.$/);
    expect(overageSource(null, "_claim_names", 0)).toContain("never synced");
  });
});
