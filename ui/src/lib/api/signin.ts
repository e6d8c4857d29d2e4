// Sign-in commands: status, sign-in with progress, accounts, the signed-in user.
// Mirrors src-tauri/src/commands/signin.rs and entra_core::signin.
import { Channel } from "@tauri-apps/api/core";
import { call } from "./ipc";
import type { Account, SignInStatus, Preferences, SignedInUser, SignInProgress, SignInTarget } from "../bindings";

export function signinStatus(): Promise<SignInStatus> {
  return call("signin_status", {});
}

/** Signs in through the system browser; `onProgress` hears each step. */
export function signIn(target: SignInTarget, onProgress: (p: SignInProgress) => void): Promise<Account> {
  const channel = new Channel<SignInProgress>();
  channel.onmessage = onProgress;
  return call("sign_in", { target, onProgress: channel });
}

/**
 * "Grant access": signs the account in again asking for `scopes` too (incremental consent: the
 * provider asks only for what is new). Resolves to the account, which asks for them from now on.
 */
export function grantScopes(accountId: string, scopes: string[], onProgress: (p: SignInProgress) => void): Promise<Account> {
  const channel = new Channel<SignInProgress>();
  channel.onmessage = onProgress;
  return call("grant_scopes", { accountId, scopes, onProgress: channel });
}

/** Cancels a sign-in in progress; resolves to whether one was running. */
export function cancelSignIn(): Promise<boolean> {
  return call("cancel_sign_in", {});
}

/** Signs in silently with the account's refresh token from the keychain, and returns who it is. */
export function resumeAccount(accountId: string): Promise<SignedInUser> {
  return call("resume_account", { accountId });
}

/** Forgets the account and deletes its keychain entries. */
export function signOut(accountId: string): Promise<void> {
  return call("sign_out", { accountId });
}

export function savePreferences(preferences: Preferences): Promise<void> {
  return call("save_preferences", { preferences });
}

/** Why the account's session will not survive a restart (the keychain refused its renewed token), or null. */
export function keychainWarning(accountId: string): Promise<string | null> {
  return call("keychain_warning", { accountId });
}
