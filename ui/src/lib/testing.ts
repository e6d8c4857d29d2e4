// Fixtures shared by the UI's unit tests (not shipped: only test files import it). One signed-in
// demo user, shaped exactly as the core's `SignedInUser`, so a change of that type fails here once
// instead of in every screen's test. Its tenant, as a lease definition or lease bound to it records it.

import type { Account, SignedInUser, TenantBinding } from "./bindings";

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
