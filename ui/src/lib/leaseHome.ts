// Where the lease store lives, as the Leases screen shows it (mirrors
// entra_core::leases::home): a store found where it was not made (a moved or
// copied data folder) neither issues, revokes, sweeps nor reconciles until the
// admin says whether it was moved or copied. This module has the words of that
// banner's confirmations and of its one-line result, and the reason the
// actions are off meanwhile. Pure; tested in leaseHome.test.ts.
import type { Lease, LeasesOverview, Relocation } from "./bindings";
import { isFinal } from "./leases";

/** Why Issue, Revoke, Reconcile and "show token" are off while the store is displaced. */
export const DISPLACED_HINT = "The lease store was moved or copied: answer above first";

/** The leases a copy would leave to the original: every one not yet final (revoked, expired or abandoned). */
export function liveLeases(leases: readonly Pick<Lease, "status">[]): number {
  return leases.filter((l) => !isFinal(l.status)).length;
}

/** What answering `decision` does, in one sentence; `live`: the store's live leases (see `liveLeases`). */
export function relocateConsequence(decision: Relocation, live: number): string {
  if (decision === "moved") return "This becomes the store; the old folder must not be used any more.";
  // A lease issued before the copy is the original's either way; the count only says how many still matter.
  if (live === 0) return "This copy gets a new store ID and leaves every lease it held to the original (none is live).";
  return `This copy gets a new store ID and leaves its ${live} live lease${live === 1 ? "" : "s"} to the original.`;
}

/** What the answer did, in one line, from the overview it came back with. */
export function relocateSummary(decision: Relocation, after: Pick<LeasesOverview, "storeId">): string {
  if (decision === "moved") return "Recorded as moved.";
  return `This copy is now store ${after.storeId}; the original keeps its leases.`;
}
