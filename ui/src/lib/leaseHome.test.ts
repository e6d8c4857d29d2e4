import { describe, expect, it } from "vitest";
import { liveLeases, relocateConsequence, relocateSummary } from "./leaseHome";

describe("a moved or copied lease store", () => {
  it("counts as live only the leases that are not final", () => {
    const statuses = ["pending", "active", "revoking", "revokeFailed", "revoked", "expired", "abandoned"] as const;
    expect(liveLeases(statuses.map((status) => ({ status })))).toBe(4);
    expect(liveLeases([])).toBe(0);
  });

  it("says in one sentence what each answer does", () => {
    expect(relocateConsequence("moved", 3)).toBe("This becomes the store; the old folder must not be used any more.");
    expect(relocateConsequence("copied", 3)).toBe("This copy gets a new store ID and leaves its 3 live leases to the original.");
    expect(relocateConsequence("copied", 1)).toBe("This copy gets a new store ID and leaves its 1 live lease to the original.");
    expect(relocateConsequence("copied", 0)).toBe("This copy gets a new store ID and leaves every lease it held to the original (none is live).");
  });

  it("sums up the answer, with a copy's new store ID", () => {
    expect(relocateSummary("moved", { storeId: "store-1" })).toBe("Recorded as moved.");
    expect(relocateSummary("copied", { storeId: "5f0c" })).toBe("This copy is now store 5f0c; the original keeps its leases.");
  });
});
