//! The membership graph, walked in the store or, in a process that keeps it, in the nesting
//! held in memory ([`Nesting`]): no copy of the cache's users or memberships is kept. Each
//! answer runs inside one read transaction (one snapshot) and reads only what it needs:
//!
//! - a user's groups and the "why" chain walk *up*, breadth-first: in the store, one indexed
//!   query per group reached (`group_members_by_member`); with the nesting, one query for the
//!   user's direct groups and the rest in numbers. Through deep nesting a user can be in
//!   thousands of groups, so a user's groups are answered a page at a time, names read for the
//!   page (with the nesting) or for all (in the store);
//! - a group's transitive members walk *down* the nested groups only (the partial index
//!   `group_members_nested`, or the nesting, so a group's users are never read for the walk),
//!   then SQLite lists, searches, sorts and pages the members of the groups found
//!   ([`entra_store::queries::groups::member_page`]).
//!
//! Breadth-first, so depths and chains are the shortest; a node is visited once, so a cycle
//! (A ⊃ B ⊃ C ⊃ A) ends the walk instead of looping. Among members at the same depth, `via` is
//! the group reached first (groups reached in ID order level by level), as before.

use super::nesting::{GroupNo, Nesting};
use super::{DirectoryRef, GroupRef, GroupRow, GroupWithDepth, MemberKind, MemberRow};
use crate::{Error, Result};
use entra_store::queries::groups::{self as q, GroupListing, GroupName, GroupOrder, MemberOrder, ObjectRecord, Window};
use entra_store::Connection;
use std::collections::{HashMap, HashSet, VecDeque};

type StoreResult<T> = entra_store::Result<T>;

/// `user`, `group`, … → the kind.
pub(crate) fn kind_of(text: &str) -> MemberKind {
    match text.to_ascii_lowercase().as_str() {
        "user" => MemberKind::User,
        "group" => MemberKind::Group,
        "serviceprincipal" => MemberKind::ServicePrincipal,
        "device" => MemberKind::Device,
        _ => MemberKind::Other,
    }
}

fn no_group(id: &str) -> Error {
    Error::invalid_input(format!("No group `{id}` in the group cache: check the ID, or refresh the cache (it may be new, or deleted since)"))
}

fn no_object(id: &str) -> Error {
    Error::invalid_input(format!(
        "No user or other directory object `{id}` in the group cache: check the ID, or refresh the cache (it may be new, or deleted since)"
    ))
}

fn directory_ref(o: ObjectRecord) -> DirectoryRef {
    DirectoryRef { kind: kind_of(&o.kind), id: o.id, display_name: o.display_name, user_principal_name: o.user_principal_name }
}

fn group_ref(g: GroupName) -> GroupRef {
    GroupRef { id: g.id, display_name: g.display_name }
}

/// Breadth-first from `start` along `edges`: each node reached with its depth and the node it
/// was reached from, in the order reached. `start` itself is left out (also when a cycle leads
/// back to it); without `transitive`, only the first level.
fn walk(start: &str, transitive: bool, mut edges: impl FnMut(&str) -> StoreResult<Vec<String>>) -> StoreResult<Vec<(String, u32, String)>> {
    let mut seen: HashSet<String> = HashSet::from([start.to_string()]);
    let mut out = Vec::new();
    let mut queue = VecDeque::from([(start.to_string(), 0u32)]);
    while let Some((node, depth)) = queue.pop_front() {
        if depth >= 1 && !transitive {
            break;
        }
        for next in edges(&node)? {
            if seen.insert(next.clone()) {
                out.push((next.clone(), depth + 1, node.clone()));
                queue.push_back((next, depth + 1));
            }
        }
    }
    Ok(out)
}

/// The sort key of a group by name as SQLite's `NOCASE` orders the group list (no name first,
/// then ASCII letters case-folded, then ID), so the store's walk and [`Nesting`]'s ranks agree.
fn by_name(name: &Option<String>, id: &str) -> (bool, String, String) {
    (name.is_some(), name.as_deref().unwrap_or_default().to_ascii_lowercase(), id.to_string())
}

/// The group `id` (trimmed) by name, or the "no group" error.
fn group(conn: &Connection, id: &str) -> StoreResult<Result<GroupName>> {
    let id = id.trim();
    Ok(q::group_names(conn, &[id.to_string()])?.pop().flatten().ok_or_else(|| no_group(id)))
}

/// One page of groups (see [`q::group_page`]) and how many match.
pub(crate) fn groups(conn: &Connection, search: Option<&str>, order: GroupOrder, descending: bool, window: Window) -> StoreResult<(Vec<GroupRow>, u64)> {
    let (rows, total) = q::group_page(conn, search, order, descending, window)?;
    let rows = rows
        .into_iter()
        .map(|GroupListing { group: g, direct_members }| GroupRow {
            id: g.id,
            display_name: g.display_name,
            description: g.description,
            mail: g.mail,
            security_enabled: g.security_enabled,
            mail_enabled: g.mail_enabled,
            group_types: g.group_types,
            membership_rule: g.membership_rule,
            direct_members: u32::try_from(direct_members).unwrap_or(u32::MAX),
        })
        .collect();
    Ok((rows, total))
}

/// What a member list asks for, besides the group.
pub(crate) struct MemberQuery {
    pub(crate) transitive: bool,
    pub(crate) search: Option<String>,
    pub(crate) order: MemberOrder,
    pub(crate) descending: bool,
    pub(crate) window: Window,
}

/// One page of a group's members: direct (depth 1), or every nested one at its shortest depth
/// with the group it was found in; and how many there are in all.
pub(crate) fn members(conn: &Connection, group_id: &str, query: &MemberQuery, nesting: Option<&Nesting>) -> StoreResult<Result<(GroupRef, Vec<MemberRow>, u64)>> {
    let group = match group(conn, group_id)? {
        Ok(group) => group,
        Err(e) => return Ok(Err(e)),
    };
    let mut groups = vec![(group.id.clone(), 0)];
    if query.transitive {
        match nesting.and_then(|n| Some((n, n.number(&group.id)?))) {
            Some((n, start)) => groups.extend(n.down_from(start).into_iter().map(|(g, depth)| (n.id(g).to_string(), depth))),
            None => groups.extend(walk(&group.id, true, |g| q::nested_groups(conn, g))?.into_iter().map(|(id, depth, _)| (id, depth))),
        }
    }
    let (rows, total) = q::member_page(conn, &groups, &group.id, query.search.as_deref(), query.order, query.descending, query.window)?;
    let rows = rows
        .into_iter()
        .map(|row| MemberRow { member: directory_ref(row.member), depth: row.depth, via: query.transitive.then(|| group_ref(row.via)) })
        .collect();
    Ok(Ok((group_ref(group), rows, total)))
}

/// The groups `object` reaches, each at its shortest depth (see [`walk`] and
/// [`Nesting::up_from`]: the same groups and depths either way).
fn reached<'n>(conn: &Connection, object: &str, transitive: bool, nesting: Option<&'n Nesting>) -> StoreResult<Reached<'n>> {
    let Some(n) = nesting else {
        return Ok(Reached::Ids(walk(object, transitive, |id| q::parents(conn, id))?.into_iter().map(|(g, depth, _)| (g, depth)).collect()));
    };
    let direct: Vec<GroupNo> = q::parents(conn, object)?.iter().filter_map(|g| n.number(g)).collect();
    Ok(Reached::Numbers(n, n.up_from(&direct, n.number(object), transitive)))
}

/// Groups reached, by ID (the store's walk) or by number (the nesting in memory).
enum Reached<'n> {
    Ids(Vec<(String, u32)>),
    Numbers(&'n Nesting, Vec<(GroupNo, u32)>),
}

/// How [`member_of_page`] orders a user's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberOfOrder {
    /// By depth, then name, then ID.
    Depth,
    /// By name, then ID.
    Name,
}

/// The groups an object is in, directly (depth 1) or through nested groups: the whole list,
/// by depth then name.
pub(crate) fn member_of(conn: &Connection, object_id: &str, transitive: bool, nesting: Option<&Nesting>) -> StoreResult<Result<(DirectoryRef, Vec<GroupWithDepth>)>> {
    let all = MemberOfQuery { transitive, search: None, order: MemberOfOrder::Depth, descending: false, window: Window::default() };
    Ok(member_of_page(conn, object_id, &all, nesting)?.map(|(object, groups, _)| (object, groups)))
}

/// What a page of a user's groups asks for.
pub(crate) struct MemberOfQuery {
    pub(crate) transitive: bool,
    pub(crate) search: Option<String>,
    pub(crate) order: MemberOfOrder,
    pub(crate) descending: bool,
    pub(crate) window: Window,
}

/// One page of the groups an object is in (see [`member_of`]), searched (groups whose words or
/// ID match, as the group list searches) and ordered; and how many match in all. Names are
/// read for the page's groups only when the nesting is in memory (its ranks order by name).
pub(crate) fn member_of_page(
    conn: &Connection,
    object_id: &str,
    query: &MemberOfQuery,
    nesting: Option<&Nesting>,
) -> StoreResult<Result<(DirectoryRef, Vec<GroupWithDepth>, u64)>> {
    let id = object_id.trim();
    let Some(object) = q::object(conn, id)? else { return Ok(Err(no_object(id))) };
    let wanted = match query.search.as_deref() {
        Some(text) => q::matching_groups(conn, text)?,
        None => None,
    };
    let keep = |g: &str| wanted.as_ref().is_none_or(|w| w.binary_search_by(|x| x.as_str().cmp(g)).is_ok());
    let (mut rows, total) = match reached(conn, id, query.transitive, nesting)? {
        Reached::Numbers(n, found) => {
            let mut found: Vec<(GroupNo, u32)> = found.into_iter().filter(|&(g, _)| keep(n.id(g))).collect();
            match query.order {
                MemberOfOrder::Depth => found.sort_unstable_by_key(|&(g, depth)| (depth, n.rank(g))),
                MemberOfOrder::Name => found.sort_unstable_by_key(|&(g, _)| n.rank(g)),
            }
            if query.descending {
                found.reverse();
            }
            let total = found.len() as u64;
            let page: Vec<(String, u32)> = cut(found, query.window).into_iter().map(|(g, depth)| (n.id(g).to_string(), depth)).collect();
            (named(conn, page)?, total)
        }
        Reached::Ids(found) => {
            let found: Vec<(String, u32)> = found.into_iter().filter(|(g, _)| keep(g)).collect();
            let mut all = named(conn, found)?;
            match query.order {
                MemberOfOrder::Depth => all.sort_by_cached_key(|g| (g.depth, by_name(&g.group.display_name, &g.group.id))),
                MemberOfOrder::Name => all.sort_by_cached_key(|g| by_name(&g.group.display_name, &g.group.id)),
            }
            if query.descending {
                all.reverse();
            }
            let total = all.len() as u64;
            (cut(all, query.window), total)
        }
    };
    rows.shrink_to_fit();
    Ok(Ok((directory_ref(object), rows, total)))
}

/// The rows of `window` (all of them when it has no size).
fn cut<T>(rows: Vec<T>, window: Window) -> Vec<T> {
    let start = usize::try_from(window.start).unwrap_or(usize::MAX);
    let take = window.rows.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    rows.into_iter().skip(start).take(take).collect()
}

/// Groups with their depths, named from the store.
fn named(conn: &Connection, groups: Vec<(String, u32)>) -> StoreResult<Vec<GroupWithDepth>> {
    let ids: Vec<String> = groups.iter().map(|(g, _)| g.clone()).collect();
    let names = q::group_names(conn, &ids)?;
    Ok(groups.into_iter().zip(names).map(|((id, depth), name)| GroupWithDepth { group: GroupRef { display_name: name.and_then(|n| n.display_name), id }, depth }).collect())
}

/// The shortest chain of groups from one directly containing the object up to the group
/// (empty when the object is not in it).
pub(crate) fn why(conn: &Connection, object_id: &str, group_id: &str, nesting: Option<&Nesting>) -> StoreResult<Result<(DirectoryRef, GroupRef, Vec<GroupRef>)>> {
    let user = object_id.trim();
    let Some(object) = q::object(conn, user)? else { return Ok(Err(no_object(user))) };
    let group = match group(conn, group_id)? {
        Ok(group) => group,
        Err(e) => return Ok(Err(e)),
    };
    let ids = match nesting.and_then(|n| Some((n, n.number(&group.id)?))) {
        Some((n, target)) => {
            let direct: Vec<GroupNo> = q::parents(conn, user)?.iter().filter_map(|g| n.number(g)).collect();
            n.chain(&direct, n.number(user), target).unwrap_or_default().into_iter().map(|g| n.id(g).to_string()).collect()
        }
        None => chain_in_store(conn, user, &group.id)?,
    };
    let chain = q::group_names(conn, &ids)?.into_iter().zip(&ids).map(|(name, id)| GroupRef { id: id.clone(), display_name: name.and_then(|n| n.display_name) }).collect();
    Ok(Ok((directory_ref(object), group_ref(group), chain)))
}

/// [`why`]'s chain walked in the store: breadth-first up from `user`, one query per group.
fn chain_in_store(conn: &Connection, user: &str, target: &str) -> StoreResult<Vec<String>> {
    let mut from: HashMap<String, String> = HashMap::new();
    let mut queue = VecDeque::from([user.to_string()]);
    let mut reached = false;
    'search: while let Some(node) = queue.pop_front() {
        for parent in q::parents(conn, &node)? {
            if parent == user || from.contains_key(&parent) {
                continue;
            }
            from.insert(parent.clone(), node.clone());
            if parent == target {
                reached = true;
                break 'search;
            }
            queue.push_back(parent);
        }
    }
    let mut ids = Vec::new();
    if reached {
        let mut at = target.to_string();
        while at != user {
            let next = from.get(&at).cloned().unwrap_or_else(|| user.to_string());
            ids.push(at);
            at = next;
        }
        ids.reverse();
    }
    Ok(ids)
}

/// Users whose words or ID match `query` (see [`q::search_users`]), by name; at most `limit`.
pub(crate) fn search_users(conn: &Connection, query: &str, limit: usize) -> StoreResult<Vec<DirectoryRef>> {
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    Ok(q::search_users(conn, query, limit)?.into_iter().map(directory_ref).collect())
}

/// Group IDs to references, in the asked order; unknown ones without a name.
pub(crate) fn resolve(conn: &Connection, ids: &[String]) -> StoreResult<Vec<GroupRef>> {
    let names = q::group_names(conn, ids)?;
    Ok(ids.iter().zip(names).map(|(id, name)| name.map(group_ref).unwrap_or_else(|| GroupRef { id: id.clone(), display_name: None })).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use entra_store::queries::groups::{GroupRecord, Membership, NameRecord};
    use entra_store::Store;

    fn g(id: &str) -> GroupRecord {
        GroupRecord { id: id.into(), display_name: Some(format!("Group {id}")), ..Default::default() }
    }
    fn m(group: &str, member: &str, kind: &str) -> Membership {
        Membership { group_id: group.into(), member_id: member.into(), member_type: kind.into() }
    }
    fn ids(chain: &[GroupRef]) -> Vec<&str> {
        chain.iter().map(|g| g.id.as_str()).collect()
    }

    /// g1 ⊃ g2 ⊃ g3 ⊃ g4 ⊃ g5 ∋ u; a ⊃ b ⊃ c ⊃ a ∋ v; g3 ∋ w; c ∋ g5 (a shortcut).
    fn sample() -> Store {
        let groups = ["g1", "g2", "g3", "g4", "g5", "a", "b", "c"].map(g).to_vec();
        let memberships = vec![
            m("g1", "g2", "group"),
            m("g2", "g3", "group"),
            m("g3", "g4", "group"),
            m("g4", "g5", "group"),
            m("g5", "u", "user"),
            m("g3", "w", "user"),
            m("a", "b", "group"),
            m("b", "c", "group"),
            m("c", "a", "group"),
            m("a", "v", "user"),
            m("c", "g5", "group"),
            m("nowhere", "x", "user"),
        ];
        let names = vec![NameRecord { id: "u".into(), kind: "user".into(), display_name: Some("Una".into()), ..Default::default() }];
        let store = Store::open_in_memory().unwrap();
        store.write(|tx| entra_store::queries::groups::replace_all(tx, &groups, &memberships, &names).map(drop)).unwrap();
        store
    }

    fn read<T>(store: &Store, f: impl FnOnce(&Connection) -> StoreResult<Result<T>>) -> Result<T> {
        store.read(f).unwrap()
    }

    /// The nesting in memory, as the app keeps it.
    fn nesting(store: &Store) -> std::sync::Arc<Nesting> {
        let slot = super::super::nesting::NestingSlot::default();
        store.read(|c| slot.current(c)).unwrap()
    }

    fn all(transitive: bool) -> MemberQuery {
        MemberQuery { transitive, search: None, order: MemberOrder::Depth, descending: false, window: Window::default() }
    }

    #[test]
    fn transitive_member_of_walks_nesting_and_cycles_at_shortest_depth() {
        let store = sample();
        let n = nesting(&store);
        for nesting in [None, Some(&*n)] {
        let (user, direct) = read(&store, |c| member_of(c, "u", false, nesting)).unwrap();
        assert_eq!(user.display_name.as_deref(), Some("Una"));
        assert_eq!(direct.iter().map(|g| g.group.id.as_str()).collect::<Vec<_>>(), ["g5"]);
        let (_, all) = read(&store, |c| member_of(c, "u", true, nesting)).unwrap();
        let depths: HashMap<&str, u32> = all.iter().map(|g| (g.group.id.as_str(), g.depth)).collect();
        assert_eq!(depths, HashMap::from([("g5", 1), ("g4", 2), ("c", 2), ("g3", 3), ("b", 3), ("g2", 4), ("a", 4), ("g1", 5)]));
        let (_, v) = read(&store, |c| member_of(c, "v", true, nesting)).unwrap();
        assert_eq!(v.len(), 3, "a, and through the cycle b and c, each once");
        let (_, of_a) = read(&store, |c| member_of(c, "a", true, nesting)).unwrap();
        assert_eq!(of_a.iter().map(|g| (g.group.id.as_str(), g.depth)).collect::<Vec<_>>(), [("c", 1), ("b", 2)], "a group is not its own ancestor");
        }
    }

    #[test]
    fn why_is_the_shortest_chain_from_the_direct_group_up() {
        let store = sample();
        let n = nesting(&store);
        for nesting in [None, Some(&*n)] {
        let why = |user: &str, group: &str| read(&store, |c| why(c, user, group, nesting));
        assert_eq!(ids(&why("u", "g1").unwrap().2), ["g5", "g4", "g3", "g2", "g1"]);
        assert_eq!(ids(&why("u", "g5").unwrap().2), ["g5"]);
        assert_eq!(ids(&why("u", "a").unwrap().2), ["g5", "c", "b", "a"]);
        assert_eq!(ids(&why("v", "c").unwrap().2), ["a", "c"]);
        assert!(why("w", "g5").unwrap().2.is_empty());
        assert_eq!(why("nobody", "g1").unwrap_err().code(), crate::ErrorCode::InvalidInput);
        assert!(why("u", "nowhere").unwrap_err().message().contains("`nowhere`"));
        }
    }

    #[test]
    fn transitive_members_name_the_group_they_are_in() {
        let store = sample();
        let n = nesting(&store);
        for nesting in [None, Some(&*n)] {
        let (_, direct, total) = read(&store, |c| members(c, "g3", &all(false), nesting)).unwrap();
        assert_eq!(direct.iter().map(|r| (r.member.id.as_str(), r.depth)).collect::<Vec<_>>(), [("w", 1), ("g4", 1)], "by name: w has none");
        assert_eq!(total, 2);
        let (_, rows, _) = read(&store, |c| members(c, "g3", &all(true), nesting)).unwrap();
        let u = rows.iter().find(|r| r.member.id == "u").unwrap();
        assert_eq!((u.depth, u.via.as_ref().unwrap().id.as_str()), (3, "g5"));
        let (_, cycle, _) = read(&store, |c| members(c, "a", &all(true), nesting)).unwrap();
        assert!(cycle.iter().all(|r| r.member.id != "a"), "a group is not its own member");
        assert!(cycle.iter().any(|r| r.member.id == "u"));
        let (rows, total) = store.read(|c| groups(c, None, GroupOrder::Name, false, Window::default())).unwrap();
        assert_eq!((rows.len(), total), (8, 8));
        assert_eq!(rows.iter().find(|r| r.id == "g3").unwrap().direct_members, 2);
        }
    }
}
