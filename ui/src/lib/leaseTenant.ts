// Which tenant a lease definition or a lease belongs to, as the Leases screen
// shows it: whether it is the signed-in account's tenant (so Issue, Revoke and
// "show token" would be accepted), the compact label and the hint for one
// that is not, and the words of the "bind the unbound records" banner. Pure;
// tested in leaseTenant.test.ts.
//
// "Same tenant" mirrors the core's check (entra_core::leases::tenant): the same
// tenant ID (case-insensitive) *and* the same cloud (the authority's scheme,
// host and port, the port left out on loopback, where the demo tenant moves
// when its port is taken). The core checks again and its `wrong_tenant`
// message wins; mirroring it only keeps the screen from offering what the core
// would refuse.
import type { Account, BindReport, Definition, Lease, TenantBinding } from "./bindings";
import { shortId } from "./leases";

type Signed = Pick<Account, "tenantId" | "authority">;

const DEFAULT_PORT: Record<string, string> = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443", "ftp:": "21" };
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** The cloud an authority names (scheme, host and port; no port on loopback); null when it is not a URL with a host. */
export function cloudOf(authority: string): string | null {
  let url: URL;
  try {
    url = new URL(authority);
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase();
  if (host === "") return null;
  if (LOOPBACK.has(host)) return `${url.protocol}//${host}`;
  const port = url.port !== "" ? url.port : DEFAULT_PORT[url.protocol];
  return port === undefined ? null : `${url.protocol}//${host}:${port}`;
}

/** Whether `binding` is the signed-in account's tenant (an unbound record is nobody's). */
export function isAccountsTenant(binding: TenantBinding | null, account: Signed): boolean {
  if (!binding) return false;
  const cloud = cloudOf(binding.authority);
  return binding.tenantId.toLowerCase() === account.tenantId.toLowerCase() && cloud !== null && cloud === cloudOf(account.authority);
}

export interface TenantTag {
  /** What a narrow cell shows: the tenant ID shortened, or `unbound`. */
  text: string;
  /** The whole tenant ID and authority, for the title. */
  title: string;
  /** `mine`: the signed-in account's tenant; `other`: another one; `unbound`: recorded before binding existed. */
  state: "mine" | "other" | "unbound";
  /** Why Issue, Revoke and "show token" are off, for a record that is not the signed-in tenant's; null for one that is. */
  hint: string | null;
}

/** How a definition or lease shows its tenant, against the signed-in account's. */
export function tenantTag(binding: TenantBinding | null, account: Signed): TenantTag {
  if (!binding) {
    return {
      text: "unbound",
      title: "Recorded before Entra Desk bound leases to their tenant: not known which tenant it belongs to",
      state: "unbound",
      hint: "Recorded before Entra Desk bound leases to their tenant: nothing acts on it until you bind it (see the banner above).",
    };
  }
  const title = `Tenant ${binding.tenantId} (${binding.authority})`;
  if (isAccountsTenant(binding, account)) return { text: shortId(binding.tenantId), title, state: "mine", hint: null };
  const cloud = binding.tenantId.toLowerCase() === account.tenantId.toLowerCase() ? ` at ${binding.authority}` : "";
  return {
    text: shortId(binding.tenantId),
    title,
    state: "other",
    hint: `Belongs to tenant ${binding.tenantId}${cloud}, not the signed-in account's (${account.tenantId}): sign in to it to issue, revoke or show a token.`,
  };
}

/** How many definitions and leases are unbound. */
export function unboundCounts(definitions: readonly Pick<Definition, "tenant">[], leases: readonly Pick<Lease, "tenant">[]): { definitions: number; leases: number } {
  return { definitions: definitions.filter((d) => !d.tenant).length, leases: leases.filter((l) => !l.tenant).length };
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The signed-in tenant in words: `Contoso (tenant 72f9…)`, or the tenant ID alone without an organization name. */
export function tenantName(account: Signed, organization: string | null): string {
  return organization ? `${organization} (tenant ${account.tenantId})` : `tenant ${account.tenantId}`;
}

/** The banner's first sentence, for `counts` unbound records (a count of zero left out). */
export function unboundText(counts: { definitions: number; leases: number }): string {
  const what = [
    counts.definitions ? count(counts.definitions, "definition", "definitions") : null,
    counts.leases ? count(counts.leases, "lease", "leases") : null,
  ].filter((x) => x !== null);
  const one = counts.definitions + counts.leases === 1;
  return `${what.join(" and ")} ${one ? "was" : "were"} recorded before Entra Desk bound leases to their tenant; nothing acts on ${one ? "it" : "them"} until you bind ${one ? "it" : "them"}.`;
}

/** What a bind did, in one line. */
export function bindSummary(report: BindReport): string {
  const what = `${count(report.definitions, "definition", "definitions")} and ${count(report.leases, "lease", "leases")}`;
  return `Bound ${what} to tenant ${report.tenant.tenantId} (${report.tenant.authority}).`;
}
