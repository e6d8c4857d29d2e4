// Pure helpers of the JWT inspector screen (tested in jwt.test.ts).
import { DEFAULT_JWT_PROFILE, type Profile } from "./bindings";

export type SegmentKind = "header" | "payload" | "signature" | "extra";

export interface Segment {
  kind: SegmentKind;
  text: string;
}

/** What the user pasted, without surrounding whitespace, quotes or a "Bearer " prefix. */
export function cleanToken(raw: string): string {
  let t = raw.trim();
  if (/^bearer\s+/i.test(t)) t = t.replace(/^bearer\s+/i, "");
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) t = t.slice(1, -1);
  return t.replace(/\s+/g, "");
}

/**
 * The token's dot-separated parts, labelled for colour coding: header, payload,
 * signature, and "extra" for anything past three (a JWE has five).
 */
export function segments(token: string): Segment[] {
  if (token === "") return [];
  const kinds: SegmentKind[] = ["header", "payload", "signature"];
  return token.split(".").map((text, i) => ({ kind: kinds[i] ?? "extra", text }));
}

/** A new profile with the defaults, which come from the Rust side (`entra_jwt::Profile::default()`) through the bindings. */
export function blankProfile(name: string): Profile {
  return { ...DEFAULT_JWT_PROFILE, name };
}

/** Empty text fields become null, so "not set" is never an empty string. */
export function normaliseProfile(p: Profile): Profile {
  const opt = (v: string | null) => (v && v.trim() !== "" ? v.trim() : null);
  return {
    ...p,
    name: p.name.trim(),
    tenantId: opt(p.tenantId),
    clientId: opt(p.clientId),
    audience: opt(p.audience),
    issuer: opt(p.issuer),
    authority: opt(p.authority),
    metadataAddress: opt(p.metadataAddress),
    requiredClaims: opt(p.requiredClaims),
    clockSkew: p.clockSkew.trim() || DEFAULT_JWT_PROFILE.clockSkew,
    jwksCacheDuration: p.jwksCacheDuration.trim() || DEFAULT_JWT_PROFILE.jwksCacheDuration,
  };
}
