import { describe, expect, it } from "vitest";
import { SCREENS, screenForKey, stepScreen } from "./screens";

const key = (k: string, extra: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...extra,
});

describe("screens", () => {
  it("lists the five screens in navigation order", () => {
    expect(SCREENS.map((s) => s.id)).toEqual(["apps", "credentials", "groups", "leases", "jwt"]);
  });

  it("steps forward and backward with wrap-around", () => {
    expect(stepScreen("apps", 1)).toBe("credentials");
    expect(stepScreen("jwt", 1)).toBe("apps");
    expect(stepScreen("apps", -1)).toBe("jwt");
  });

  it("maps Ctrl/⌘ + digit to a screen and ignores plain digits", () => {
    expect(screenForKey("apps", key("5", { ctrlKey: true }))).toBe("jwt");
    expect(screenForKey("apps", key("2", { metaKey: true }))).toBe("credentials");
    expect(screenForKey("apps", key("2"))).toBeNull();
    expect(screenForKey("apps", key("9", { ctrlKey: true }))).toBeNull();
    expect(screenForKey("apps", key("2", { ctrlKey: true, altKey: true }))).toBeNull();
  });

  it("maps Ctrl + PageDown/PageUp and Ctrl + (Shift +) Tab to next/previous", () => {
    expect(screenForKey("groups", key("PageDown", { ctrlKey: true }))).toBe("leases");
    expect(screenForKey("groups", key("PageUp", { ctrlKey: true }))).toBe("credentials");
    expect(screenForKey("groups", key("Tab", { ctrlKey: true }))).toBe("leases");
    expect(screenForKey("groups", key("Tab", { ctrlKey: true, shiftKey: true }))).toBe("credentials");
  });
});
