// The one door to the Rust side. Components never call `invoke` directly:
// they call the typed functions in lib/api/*, which call `call` here. The
// command map (`Commands`) is generated from the Rust declarations in
// crates/entra-ipc/src/commands.rs, so a typo'd command name or a renamed
// argument is a compile error, and every failure arrives as an `IpcFailure`
// with the stable `{code, message}` shape.
import { invoke } from "@tauri-apps/api/core";
import type { Commands, ErrorCode, IpcError } from "../bindings";

export type { Commands };

/** A command failed: `code` is stable, `message` says what to do. */
export class IpcFailure extends Error {
  readonly code: ErrorCode;
  readonly aadsts: number | null;
  readonly correlationId: string | null;
  /** Microsoft Graph's request-id, when Graph answered with the error (for a support ticket). */
  readonly requestId: string | null;
  /** The client-request-id Entra Desk sent with that Graph request. */
  readonly clientRequestId: string | null;
  /** With `missing_scope`: the permissions "Grant access" asks for. */
  readonly scopesToGrant: string[] | null;
  /** With `claims_required`: the claims request "Sign in again" sends (never shown). */
  readonly claimsChallenge: string | null;

  constructor(error: IpcError) {
    super(error.message);
    this.name = "IpcFailure";
    this.code = error.code;
    this.aadsts = error.aadsts;
    this.correlationId = error.correlationId;
    this.requestId = error.requestId ?? null;
    this.clientRequestId = error.clientRequestId ?? null;
    this.scopesToGrant = error.scopesToGrant ?? null;
    this.claimsChallenge = error.claimsChallenge ?? null;
  }
}

function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns whatever `invoke` rejected with into an `IpcFailure`. */
export function toFailure(raw: unknown): IpcFailure {
  if (raw instanceof IpcFailure) return raw;
  if (isIpcError(raw)) return new IpcFailure(raw);
  // Tauri itself rejects with a plain string when a command is missing or not permitted.
  const message = typeof raw === "string" ? raw : raw instanceof Error ? raw.message : JSON.stringify(raw);
  return new IpcFailure({
    code: "internal",
    message: `The app's backend refused the request: ${message}. Restart Entra Desk; if it persists, report it.`,
    aadsts: null,
    correlationId: null,
    requestId: null,
    clientRequestId: null,
    scopesToGrant: null,
  });
}

/** Calls a command of the generated `Commands` map with its typed arguments. */
export async function call<K extends keyof Commands>(
  command: K,
  args: Commands[K]["args"],
): Promise<Commands[K]["result"]> {
  try {
    return (await invoke(command, args as Record<string, unknown>)) as Commands[K]["result"];
  } catch (raw) {
    throw toFailure(raw);
  }
}
