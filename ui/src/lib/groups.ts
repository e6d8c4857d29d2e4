// The Group caches screen's logic: the saved cache duration explained (the
// core reads the field's text), the freshness badge, statistics as words, sync progress,
// the questions the group and member lists ask the core (which searches, sorts and
// counts them, a page at a time: lib/paged.ts) and their count lines, filtering a
// user's groups, and the "why" path. Pure; tested in groups.test.ts.
import type { ListFilter } from "./api/groups";
import type {
  CacheState,
  DirectoryRef,
  GroupRef,
  GroupRow,
  GroupsStats,
  GroupsSyncProgress,
  GroupsSyncSummary,
  MemberKind,
  MemberRow,
  WhyAnswer,
} from "./bindings";
import { durationWords, relativeTime } from "./time";

// ---- the cache duration ---------------------------------------------------------------------

/**
 * The saved cache duration explained (`secs` comes from the core: the field's text is sent as typed and the core
 * reads it, `00:30:00` or `30m` alike); 0 is the cache turned off.
 */
export function describeDuration(secs: number): string {
  if (secs <= 0) return "Cache off: every read goes to Graph.";
  return `Reads within ${durationWords(secs)} of the last sync come from the cache; older ones refresh first (a delta).`;
}

// ---- freshness and statistics ---------------------------------------------------------------

export interface Badge {
  label: string;
  /** The CSS class of the badge: ok, warn or bad. */
  cls: "ok" | "warn" | "bad";
  /** The longer explanation (a tooltip and the screen-reader text). */
  title: string;
}

/** The fresh / stale / empty badge every view shows beside its "as of" time. */
export function freshnessBadge(cache: CacheState): Badge {
  switch (cache.freshness) {
    case "fresh":
      return { label: "Fresh", cls: "ok", title: cache.refreshed ? "Refreshed from Graph for this view." : "Within the cache duration." };
    case "stale":
      return {
        label: "Stale",
        cls: "warn",
        title: cache.staleReason ? `Older than the cache duration: ${cache.staleReason}` : "Older than the cache duration. Refresh to bring it up to date.",
      };
    default:
      return { label: "Empty", cls: "bad", title: "The cache was never synced. Press Refresh now to read the tenant's groups from Graph." };
  }
}

/** Bytes in KiB/MiB/GiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Milliseconds as "850 ms", "2.4 s", "3 min 5 s". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)} min ${total % 60} s`;
}

/** A number with thousands separators, stable across locales in tests. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export interface StatLine {
  id: string;
  label: string;
  value: string;
}

/** The statistics panel's lines, in order. */
export function statLines(s: GroupsStats, now: number): StatLine[] {
  const reads = s.hits + s.misses;
  const hitRate = reads > 0 ? ` (${Math.round((s.hits / reads) * 100)}% hits)` : "";
  const kind = s.lastSyncFull === null ? "—" : s.lastSyncFull ? "Full" : "Incremental (delta)";
  return [
    { id: "groups", label: "Groups", value: count(s.groups) },
    { id: "users", label: "Users", value: count(s.users) },
    { id: "memberships", label: "Direct memberships", value: count(s.memberships) },
    { id: "size", label: "Size on disk", value: formatBytes(s.sizeBytes) },
    { id: "last-sync", label: "Last sync", value: s.lastSyncAt ? `${new Date(s.lastSyncAt).toLocaleString()} (${relativeTime(s.lastSyncAt, now)})` : "never" },
    { id: "duration", label: "Took", value: s.lastSyncDurationMs === null ? "—" : formatMs(s.lastSyncDurationMs) },
    { id: "requests", label: "Requests", value: s.lastSyncRequests === null ? "—" : count(s.lastSyncRequests) },
    { id: "kind", label: "Kind", value: kind },
    { id: "fallback", label: "Fell back to full", value: s.lastSyncFallback ?? "no" },
    { id: "hits", label: "Hits / misses", value: `${count(s.hits)} / ${count(s.misses)}${hitRate}` },
  ];
}

// ---- sync progress and outcome --------------------------------------------------------------

const PHASES: Record<GroupsSyncProgress["phase"], string> = {
  groups: "Reading groups and members",
  users: "Reading users",
  members: "Reading each group's members",
  names: "Resolving names",
  saving: "Saving",
};

export function describeSyncProgress(p: GroupsSyncProgress | null): string {
  if (!p) return "Starting…";
  // Resource units are Graph's budget (per app and tenant): said once there are some, and a wait
  // for the budget is said as such, so a sync that holds back does not look stuck.
  const units = p.units > 0 ? `, ${count(p.units)} resource units` : "";
  const waiting = p.waitingForBudget ? " (waiting for Graph's budget to come back)" : "";
  return `${PHASES[p.phase]}: ${count(p.groups)} groups, ${count(p.memberships)} memberships, ${count(p.pages)} pages, ${count(p.requests)} requests${units}${waiting}`;
}

export function describeSummary(s: GroupsSyncSummary): string {
  const kind = s.method === "listings" ? "Full sync (listings)" : s.method === "deltaWalk" ? "Full sync (delta walk)" : s.full ? "Full sync" : "Incremental sync";
  const fell = (s.fellBack ? ` It fell back to a full sync: ${s.fellBack}.` : "") + (s.resumed ? " It continued a sync that had been interrupted." : "");
  return `${kind} done: ${count(s.changes)} changes, ${count(s.groups)} groups, ${count(s.memberships)} memberships, ${count(s.requests)} requests, ${formatMs(s.durationMs)}.${fell}`;
}

// ---- names and kinds ------------------------------------------------------------------------

export function groupName(g: GroupRef | GroupRow): string {
  return g.displayName ?? g.id;
}

export function memberName(m: DirectoryRef): string {
  return m.displayName ?? m.userPrincipalName ?? m.id;
}

const KINDS: Record<MemberKind, string> = { user: "User", group: "Group", servicePrincipal: "Service principal", device: "Device", other: "Other" };
export function memberKindLabel(kind: MemberKind): string {
  return KINDS[kind];
}

/** "Microsoft 365", "Security", "Mail-enabled security", "Distribution", with "dynamic" when it has a rule. */
export function groupTypeLabel(g: Pick<GroupRow, "groupTypes" | "securityEnabled" | "mailEnabled" | "membershipRule">): string {
  let label: string;
  if (g.groupTypes.includes("Unified")) label = "Microsoft 365";
  else if (g.securityEnabled && g.mailEnabled) label = "Mail-enabled security";
  else if (g.securityEnabled) label = "Security";
  else if (g.mailEnabled) label = "Distribution";
  else label = "Other";
  return g.groupTypes.includes("DynamicMembership") || g.membershipRule ? `${label}, dynamic` : label;
}

// ---- the paged lists ------------------------------------------------------------------------

/** A list's sort: one of its keys (the core's: lib/api/groups.ts), ascending (1) or descending (-1). */
export interface ListSort<K extends string> {
  key: K;
  dir: 1 | -1;
}

/** The core's question for a search box and a sort (entra_core::paging::ListQuery without its page). */
export function listFilter<K extends string>(search: string, sort: ListSort<K>): ListFilter {
  const text = search.trim();
  return { ...(text === "" ? {} : { search: text }), sort: sort.key, descending: sort.dir === -1 };
}

/** The sort after a click on the header of `key`: the same column turns around, another starts ascending. */
export function nextSort<K extends string>(sort: ListSort<K>, key: K): ListSort<K> {
  return sort.key === key ? { key, dir: sort.dir === 1 ? -1 : 1 } : { key, dir: 1 };
}

/** The group list's count line: every group, or the matches of a search out of the groups cached (when known). */
export function groupsCountText(matches: number, searched: boolean, cached: number | null): string {
  if (!searched) return `${count(matches)} groups`;
  return cached === null ? `${count(matches)} match` : `${count(matches)} of ${count(cached)}`;
}

/** The members' count line: how many there are, or how many match the search. */
export function membersCountText(matches: number, transitive: boolean, searched: boolean): string {
  if (searched) return `${count(matches)} ${matches === 1 ? "member matches" : "members match"}${transitive ? " (direct and nested)" : ""}`;
  return `${count(matches)} ${transitive ? "members in all, directly or through nested groups" : "direct members"}`;
}

// ---- a user's groups ------------------------------------------------------------------------

/** The count line of a user's groups: how many, or how many match the filter. */
export function memberOfCountText(matches: number, transitive: boolean, searched: boolean): string {
  if (searched) return `${count(matches)} ${matches === 1 ? "group matches" : "groups match"}${transitive ? " (direct and nested)" : ""}`;
  return `${count(matches)} ${transitive ? (matches === 1 ? "group, directly or through nesting" : "groups, directly or through nesting") : matches === 1 ? "direct group" : "direct groups"}`;
}

/** "direct" or "depth 3 · via Finance EU". */
export function depthText(row: Pick<MemberRow, "depth" | "via">): string {
  if (row.depth <= 1) return "direct";
  return row.via ? `depth ${row.depth} · via ${groupName(row.via)}` : `depth ${row.depth}`;
}

// ---- "why is U in G" ------------------------------------------------------------------------

export type PathNode = { kind: "user"; id: string; name: string } | { kind: "group"; id: string; name: string; target: boolean; direct: boolean };

export type WhyView =
  | { member: true; path: PathNode[]; sentence: string }
  | { member: false; path: []; sentence: string };

/**
 * The "why" answer as a path to draw: the user, then the group that directly
 * contains them, then each enclosing group, ending at the asked group
 * (`user → G5 → G4 → … → G1`). Not a member: no path, and a sentence saying so.
 */
export function whyPath(answer: WhyAnswer): WhyView {
  const user = memberName(answer.user);
  const target = groupName(answer.group);
  if (!answer.member || answer.chain.length === 0) {
    return { member: false, path: [], sentence: `${user} is not a member of ${target}, directly or through nested groups.` };
  }
  const chain = [...answer.chain];
  // The chain ends at the asked group; be robust to a core that leaves it off.
  if (chain[chain.length - 1]!.id !== answer.group.id) chain.push(answer.group);
  const path: PathNode[] = [{ kind: "user", id: answer.user.id, name: user }];
  chain.forEach((g, i) => path.push({ kind: "group", id: g.id, name: groupName(g), target: i === chain.length - 1, direct: i === 0 }));
  const sentence =
    chain.length === 1
      ? `${user} is a direct member of ${target}.`
      : `${user} is in ${target} through ${chain.length - 1} nested group${chain.length === 2 ? "" : "s"}, directly in ${groupName(chain[0]!)}.`;
  return { member: true, path, sentence };
}
