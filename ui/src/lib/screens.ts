// The five screens, their order, and the keyboard shortcuts that move between them.
// Pure logic, tested in screens.test.ts.
import type { Screen } from "./bindings";

export interface ScreenInfo {
  id: Screen;
  label: string;
  /** One line shown under the title. */
  summary: string;
}

export const SCREENS: readonly ScreenInfo[] = [
  { id: "apps", label: "App registrations", summary: "Every app registration and service principal of the tenant." },
  { id: "credentials", label: "Credential expiry", summary: "Client secrets and certificates, expired or expiring, with rotation." },
  { id: "groups", label: "Group caches", summary: "A local, delta-synced cache of groups and memberships." },
  { id: "leases", label: "Leases", summary: "Short-lived credentials with a TTL: renew, revoke, audit." },
  { id: "jwt", label: "JWT inspector", summary: "Decode and validate tokens offline." },
];

export const DEFAULT_SCREEN: Screen = "apps";

export function screenInfo(id: Screen): ScreenInfo {
  return SCREENS.find((s) => s.id === id) ?? SCREENS[0]!;
}

/** The screen `step` places after `current`, wrapping around. */
export function stepScreen(current: Screen, step: 1 | -1): Screen {
  const index = SCREENS.findIndex((s) => s.id === current);
  const next = (index + step + SCREENS.length) % SCREENS.length;
  return SCREENS[next]!.id;
}

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/**
 * The screen a key press asks for, or null. Ctrl (or ⌘) + 1…5 jumps to a screen;
 * Ctrl + PageDown / PageUp (and Ctrl + Tab / Ctrl + Shift + Tab) step through them.
 */
export function screenForKey(current: Screen, e: KeyLike): Screen | null {
  const mod = e.ctrlKey || e.metaKey;
  if (!mod || e.altKey) return null;
  if (/^[1-9]$/.test(e.key)) {
    const target = SCREENS[Number(e.key) - 1];
    return target ? target.id : null;
  }
  if (e.key === "PageDown" || (e.key === "Tab" && !e.shiftKey)) return stepScreen(current, 1);
  if (e.key === "PageUp" || (e.key === "Tab" && e.shiftKey)) return stepScreen(current, -1);
  return null;
}
