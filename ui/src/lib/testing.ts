// Fixtures shared by the UI's unit tests (not shipped: only test files import it). One signed-in
// demo user, shaped exactly as the core's `SignedInUser`, so a change of that type fails here once
// instead of in every screen's test. Its tenant, as a lease definition or lease bound to it records it.

import { flushSync, tick } from "svelte";
import type { Account, ListPage, ListQuery, SignedInUser, TenantBinding } from "./bindings";

/** Lets mocked IPC answers and the effects they start run to the end (`rounds` turns of the event loop). */
export async function settle(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await tick();
    await new Promise((r) => setTimeout(r, 0));
  }
  flushSync();
}

/** jsdom has no layout: no ResizeObserver (bind:clientHeight), every height is 0. Call once per test file. */
export function withoutLayout(): void {
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
}

/** The element with `data-testid` under `root`; throws when there is none. */
export function byTestid(root: HTMLElement, testid: string): HTMLElement {
  const el = root.querySelector<HTMLElement>(`[data-testid=${testid}]`);
  if (!el) throw new Error(`no ${testid}`);
  return el;
}

/** Types `value` into an input as a person would (one input event). */
export function typeInto(el: HTMLElement, value: string): void {
  (el as HTMLInputElement).value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

/** One page of `rows` for `q`, as the core cuts it (`entra_core::paging`). */
export function cutPage<T>(rows: T[], q: ListQuery): ListPage<T> {
  const items = rows.slice(q.start, q.start + (q.limit ?? 100));
  const end = q.start + items.length;
  return { items, start: q.start, total: rows.length, next: end < rows.length ? end : null };
}

/** The demo tenant's admin, as `entra_core::accounts::Account` serialises it. */
export function demoAccount(over: Partial<Account> = {}): Account {
  return {
    id: "oid.tid",
    username: "admin@demo",
    displayName: "Demo Admin",
    tenantId: "tid",
    authority: "http://x/tid",
    metadataUrl: null,
    clientId: "client",
    scopes: ["User.Read"],
    kind: "interactive",
    graphUrl: "http://x/graph",
    caCert: null,
    appCredential: null,
    lastUsed: "2026-03-01T10:00:00Z",
    demoTenant: true,
    ...over,
  };
}

/** The signed-in demo admin, as `resume_account` returns it. */
export function demoUser(over: Partial<SignedInUser> = {}): SignedInUser {
  return {
    account: demoAccount(),
    displayName: "Demo Admin",
    userPrincipalName: "admin@demo",
    mail: null,
    jobTitle: null,
    organization: "Demo",
    ...over,
  };
}

/** The demo admin's tenant, as a definition or lease defined with that account is bound to it. */
export function demoTenant(over: Partial<TenantBinding> = {}): TenantBinding {
  const { tenantId, authority } = demoAccount();
  return { tenantId, authority, ...over };
}
