// The JWT inspector's reading of a token's groups: the IDs its `groups` claim lists, or that
// they were left out (an overage), and where the inspector then takes names from (the local
// group cache). Lives with the JWT screen; the group cache's own helpers are lib/groups.ts.

import { asOfText } from "../../lib/time";

type Json = number | string | boolean | Json[] | { [key: string]: Json } | null;

export interface TokenGroups {
  /** Group IDs the token's `groups` claim lists (empty when it has none). */
  ids: string[];
  /** True when the token says the groups were left out: `hasgroups`, or `_claim_names.groups` (pointing into `_claim_sources`). */
  overage: boolean;
  /** Which claim said so, for the sentence the inspector shows. */
  overageClaim: "hasgroups" | "_claim_names" | null;
  /** The principal's object ID (`oid`), whose groups the cache can list. */
  oid: string | null;
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * What a token's payload says about groups: the IDs it lists, or that there
 * were too many (a groups overage: `hasgroups: true` in the implicit flow, or
 * `_claim_names: {groups: "src1"}` with `_claim_sources` instead of `groups`).
 */
export function tokenGroups(payload: { [key: string]: Json } | null | undefined): TokenGroups {
  const p = payload ?? {};
  const raw = p["groups"];
  const ids = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === "string") : [];
  const names = p["_claim_names"];
  const fromClaimNames = isObject(names) && typeof names["groups"] === "string";
  const has = p["hasgroups"];
  // As entra_jwt reads it: `true`, or any text but "false".
  const hasgroups = has === true || (typeof has === "string" && has.toLowerCase() !== "false");
  const oid = typeof p["oid"] === "string" && p["oid"] !== "" ? (p["oid"] as string) : null;
  return { ids, overage: fromClaimNames || hasgroups, overageClaim: fromClaimNames ? "_claim_names" : hasgroups ? "hasgroups" : null, oid };
}

/** Where the overage list comes from, said plainly. */
export function overageSource(asOf: string | null, claim: TokenGroups["overageClaim"], now: number): string {
  const why = claim === "hasgroups" ? "hasgroups" : "_claim_names/_claim_sources";
  return `From the local group cache, ${asOfText(asOf, now)}; the token itself carries no groups because of the overage (${why}).`;
}
