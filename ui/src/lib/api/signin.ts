// Sign-in commands: status, sign-in with progress, accounts, the signed-in user.
// Mirrors src-tauri/src/commands/signin.rs and entra_core::signin.
import { Channel } from "@tauri-apps/api/core";
import { call } from "./ipc";
import type {
  Account,
  SignInStatus,
  Preferences,
  Registered,
  Removed,
  SetupProgress,
  SetupSource,
  SignedInUser,
  SignInProgress,
  SignInTarget,
} from "../bindings";

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

/**
 * The set-up assistant: registers Entra Desk in the tenant of `source` (an account signed in here,
 * or the Azure CLI's sign-in), or finds the registration made before; `onProgress` hears each
 * stage. Resolves to the registration and the authority to sign in at with its client ID.
 * Grants nothing: the sign-in that follows asks for consent. `cancelSignIn` cancels it.
 */
export function setupRegister(source: SetupSource, onProgress: (p: SetupProgress) => void): Promise<Registered> {
  const channel = new Channel<SetupProgress>();
  channel.onmessage = onProgress;
  return call("setup_register", { source, onProgress: channel });
}

/** The same registration as Azure CLI commands, for an admin who prefers to run them. */
export function setupCommands(): Promise<string> {
  return call("setup_commands", {});
}

/** Cancels a sign-in (or a set-up registration) in progress; resolves to whether one was running. */
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

/**
 * "Remove this registration": deletes the registration the assistant made (only one carrying its
 * tag; `application` its client or object ID) as `source`, and forgets its client ID.
 */
export function setupRemove(source: SetupSource, application: string | null): Promise<Removed> {
  return call("setup_remove", { source, application });
}

/**
 * "Sign in again" after a claims challenge: signs the account's person in again sending `claims`
 * (an error's `claimsChallenge`: a Conditional Access policy of the tenant wants a stronger
 * sign-in). Resolves to the account, whose next Graph call uses the new token.
 */
export function stepUp(accountId: string, claims: string, onProgress: (p: SignInProgress) => void): Promise<Account> {
  const channel = new Channel<SignInProgress>();
  channel.onmessage = onProgress;
  return call("step_up", { accountId, claims, onProgress: channel });
}
