// JWT inspector commands. Mirrors src-tauri/src/commands/jwt.rs and entra_core::jwt.
import { call } from "./ipc";
import type { CurrentTokenInspection, ImportReport, Inspection, Profile } from "../bindings";

/** Decodes and validates a pasted token. Keys are fetched over the network only when `fetchKeys` is true. */
export function inspectToken(token: string, profile: string | null, fetchKeys: boolean): Promise<Inspection> {
  return call("jwt_inspect", { token, profile, fetchKeys });
}

/** Inspects the signed-in account's own access token; the token comes back to be shown. */
export function inspectCurrentToken(accountId: string, profile: string | null, fetchKeys: boolean): Promise<CurrentTokenInspection> {
  return call("jwt_inspect_current", { accountId, profile, fetchKeys });
}

export function listProfiles(): Promise<Profile[]> {
  return call("jwt_profiles", {});
}

export function saveProfile(profile: Profile): Promise<void> {
  return call("jwt_save_profile", { profile });
}

export function deleteProfile(name: string): Promise<void> {
  return call("jwt_delete_profile", { name });
}

/** Reads a settings block into a profile without saving it. */
export function importProfile(name: string, text: string): Promise<ImportReport> {
  return call("jwt_import_profile", { name, text });
}
