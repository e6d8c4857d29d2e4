import { describe, expect, it } from "vitest";
import { bindSummary, cloudOf, isAccountsTenant, tenantTag, unboundCounts, unboundText } from "./leaseTenant";
import { demoAccount, demoTenant } from "./testing";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER = "0d2a5a5e-1111-4222-8333-444455556666";
const entra = demoAccount({ tenantId: TENANT, authority: `https://login.microsoftonline.com/${TENANT}/v2.0` });

describe("which tenant is the signed-in account's", () => {
  it("compares clouds as the core does: host and port, except on loopback", () => {
    // The same cases as entra_core::leases::tenant's test.
    expect(cloudOf("https://login.microsoftonline.com/t/v2.0")).toBe(cloudOf("https://LOGIN.microsoftonline.com:443/other"));
    expect(cloudOf("https://login.microsoftonline.com/t")).not.toBe(cloudOf("https://login.microsoftonline.us/t"));
    expect(cloudOf("https://idp.example:8443/t")).not.toBe(cloudOf("https://idp.example/t"));
    expect(cloudOf("http://127.0.0.1:41234/t/v2.0")).toBe(cloudOf("http://127.0.0.1:50000/t/v2.0"));
    expect(cloudOf("http://127.0.0.1:41234/t")).not.toBe(cloudOf("https://127.0.0.1:41234/t"));
    expect(cloudOf("not a url")).toBeNull();
  });

  it("needs the same tenant ID (any case) and the same cloud; an unbound record is nobody's", () => {
    expect(isAccountsTenant({ tenantId: TENANT.toUpperCase(), authority: `https://login.microsoftonline.com/${TENANT}` }, entra)).toBe(true);
    expect(isAccountsTenant({ tenantId: OTHER, authority: `https://login.microsoftonline.com/${OTHER}` }, entra)).toBe(false);
    expect(isAccountsTenant({ tenantId: TENANT, authority: `https://login.microsoftonline.us/${TENANT}` }, entra)).toBe(false);
    expect(isAccountsTenant(null, entra)).toBe(false);
    expect(isAccountsTenant(demoTenant(), demoAccount())).toBe(true);
  });
});

describe("tenant tags", () => {
  it("shorten the tenant ID, keep it whole in the title, and say why another tenant's record is left alone", () => {
    const mine = tenantTag({ tenantId: TENANT, authority: entra.authority }, entra);
    expect(mine).toMatchObject({ text: "72f988bf…", state: "mine", hint: null });
    expect(mine.title).toBe(`Tenant ${TENANT} (${entra.authority})`);
    const other = tenantTag({ tenantId: OTHER, authority: `https://login.microsoftonline.com/${OTHER}` }, entra);
    expect(other).toMatchObject({ text: "0d2a5a5e…", state: "other" });
    expect(other.hint).toContain(`Belongs to tenant ${OTHER}`);
    expect(other.hint).toContain(`(${TENANT}): sign in to it`);
    // Same tenant ID in another cloud: the hint names the cloud, or it would read as the same tenant.
    expect(tenantTag({ tenantId: TENANT, authority: `https://login.microsoftonline.us/${TENANT}` }, entra).hint).toContain("at https://login.microsoftonline.us/");
    const unbound = tenantTag(null, entra);
    expect(unbound).toMatchObject({ text: "unbound", state: "unbound" });
    expect(unbound.hint).toContain("nothing acts on it until you bind it");
  });
});

describe("the bind banner's words", () => {
  it("count the unbound records and say what a bind did", () => {
    const counts = unboundCounts([{ tenant: null }, { tenant: demoTenant() }], [{ tenant: null }, { tenant: null }, { tenant: demoTenant() }]);
    expect(counts).toEqual({ definitions: 1, leases: 2 });
    expect(unboundText(counts)).toBe("1 definition and 2 leases were recorded before Entra Desk bound leases to their tenant; nothing acts on them until you bind them.");
    expect(unboundText({ definitions: 0, leases: 1 })).toBe("1 lease was recorded before Entra Desk bound leases to their tenant; nothing acts on it until you bind it.");
    expect(unboundText({ definitions: 3, leases: 0 })).toContain("3 definitions were recorded");
    expect(bindSummary({ tenant: demoTenant(), definitions: 1, leases: 2 })).toBe("Bound 1 definition and 2 leases to tenant tid (http://x/tid).");
  });
});
