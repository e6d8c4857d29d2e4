// The one door to the Rust side. Components never call `invoke` directly:
// they call the typed functions in lib/api/*, which call `call` here, so a
// typo'd command name or a wrong argument is a compile error, and every
// failure arrives as an `IpcFailure` with the stable `{code, message}` shape.
import { invoke } from "@tauri-apps/api/core";
import type { IpcError, IpcErrorCode } from "../bindings";

/** A command failed: `code` is stable, `message` says what to do. */
export class IpcFailure extends Error {
  readonly code: IpcErrorCode;
  readonly aadsts: number | null;
  readonly correlationId: string | null;

  constructor(error: IpcError) {
    super(error.message);
    this.name = "IpcFailure";
    this.code = error.code;
    this.aadsts = error.aadsts;
    this.correlationId = error.correlation_id;
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
    correlation_id: null,
  });
}

/** Calls a command of the `Commands` map with its typed arguments. */
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

// The command surface, mirrored from src-tauri/src/commands. Types come from the generated bindings.
import type {
  AppStatus,
  AccountSummary,
  CurrentTokenInspection,
  ImportReport,
  Inspection,
  Preferences,
  Profile,
  SignedInUser,
  SignInTarget,
  SignInProgress,
} from "../bindings";
import type { Channel } from "@tauri-apps/api/core";

export interface Commands {
  app_status: { args: Record<string, never>; result: AppStatus };
  sign_in: { args: { target: SignInTarget; onProgress: Channel<SignInProgress> }; result: AccountSummary };
  cancel_sign_in: { args: Record<string, never>; result: boolean };
  resume_account: { args: { accountId: string }; result: SignedInUser };
  sign_out: { args: { accountId: string }; result: void };
  save_preferences: { args: { preferences: Preferences }; result: void };
  jwt_inspect: { args: { token: string; profile: string | null; fetchKeys: boolean }; result: Inspection };
  jwt_inspect_current: { args: { accountId: string; profile: string | null; fetchKeys: boolean }; result: CurrentTokenInspection };
  jwt_profiles: { args: Record<string, never>; result: Profile[] };
  jwt_save_profile: { args: { profile: Profile }; result: void };
  jwt_delete_profile: { args: { name: string }; result: void };
  jwt_import_profile: { args: { name: string; text: string }; result: ImportReport };
}
