// Credential expiry commands: the expiry report a page at a time, exports,
// rotating a client secret, removing an old one, and the window crossings
// since the last run. Mirrors src-tauri/src/commands/credentials.rs and
// entra_core::credentials.
import { call } from "./ipc";
import type { CredentialsPage, CredentialsQuery, Crossing, ExportFormat, ExportResult, ObjectType, RotatedSecret } from "../bindings";

/** The query without its page: what a screen changes (lib/paged.ts adds `start` and `limit`). */
export type CredentialsFilter = Omit<CredentialsQuery, "start" | "limit">;

/**
 * One page of the expiry report of the cached inventory, searched, filtered and
 * sorted by the core; `windows` in days (absent: 7, 30, 90); with `summary`,
 * also the whole report's window counts and chart.
 */
export function listCredentials(query: CredentialsQuery): Promise<CredentialsPage> {
  return call("credentials_list", { query });
}

/**
 * Writes the report (CSV, JSON, or "who to notify" grouped by owner) to the file the admin picks in the system's save
 * dialog (the core opens it; this side never names a path); resolves to where it went, or null when they cancelled.
 */
export function exportCredentials(windows: number[] | null, format: ExportFormat): Promise<ExportResult | null> {
  return call("credentials_export", { windows, format });
}

/** Adds a client secret that lives `lifetimeDays`; the value comes back once and is never stored. */
export function rotateSecret(accountId: string, objectId: string, objectType: ObjectType, lifetimeDays: number): Promise<RotatedSecret> {
  return call("credentials_rotate", { accountId, objectId, objectType, lifetimeDays });
}

/** Removes one client secret (by key ID) from the object. */
export function removeSecret(accountId: string, objectId: string, objectType: ObjectType, keyId: string): Promise<void> {
  return call("credentials_remove", { accountId, objectId, objectType, keyId });
}

/** Credentials that moved into a tighter window (or expired) since the last time this was asked. */
export function credentialCrossings(windows: number[] | null): Promise<Crossing[]> {
  return call("credentials_crossings", { windows });
}
