//! The in-memory index the group cache's reads used before migration `0004_groups_search`,
//! kept here unchanged but for its imports and visibility, so the benchmark measures the naive
//! way beside the new one in the same run: load every group, membership and name, build the
//! graph, then look up. (Copied from `crates/entra-core/src/groups/index.rs` as of the commit
//! before the change; its unit tests stay in the history.)
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use entra_core::groups::{DirectoryRef, GroupRef, GroupRow, GroupWithDepth, MemberKind, MemberRow};
use entra_core::{Error, Result};
use entra_store::queries::groups::{GroupRecord, Membership, NameRecord};
use std::collections::{HashMap, VecDeque};

struct Node {
    id: String,
    kind: MemberKind,
    display_name: Option<String>,
    user_principal_name: Option<String>,
}

/// See the module doc.
pub struct Index {
    as_of: Option<DateTime<Utc>>,
    nodes: Vec<Node>,
    by_id: HashMap<String, u32>,
    /// Group properties, by node.
    groups: HashMap<u32, GroupRecord>,
    /// Direct members of each node (empty for non-groups).
    members: Vec<Vec<u32>>,
    /// The groups each node is directly in.
    parents: Vec<Vec<u32>>,
    /// Users, by display name, for search.
    users: Vec<u32>,
}

/// `user`, `group`, … → the kind.
pub fn kind_of(text: &str) -> MemberKind {
    match text.to_ascii_lowercase().as_str() {
        "user" => MemberKind::User,
        "group" => MemberKind::Group,
        "serviceprincipal" => MemberKind::ServicePrincipal,
        "device" => MemberKind::Device,
        _ => MemberKind::Other,
    }
}

fn name_key(name: &Option<String>, id: &str) -> (String, String) {
    (name.as_deref().unwrap_or_default().to_lowercase(), id.to_string())
}

impl Index {
    /// An index over the cache's rows.
    pub fn build(as_of: Option<DateTime<Utc>>, groups: Vec<GroupRecord>, memberships: Vec<Membership>, names: Vec<NameRecord>) -> Index {
        let mut index = Index {
            as_of,
            nodes: Vec::with_capacity(groups.len() + names.len()),
            by_id: HashMap::with_capacity(groups.len() + names.len()),
            groups: HashMap::with_capacity(groups.len()),
            members: Vec::new(),
            parents: Vec::new(),
            users: Vec::new(),
        };
        for g in groups {
            let n = index.node(&g.id, MemberKind::Group);
            index.nodes[n as usize].display_name = g.display_name.clone();
            index.groups.insert(n, g);
        }
        for name in names {
            let n = index.node(&name.id, kind_of(&name.kind));
            let node = &mut index.nodes[n as usize];
            if node.kind != MemberKind::Group {
                node.kind = kind_of(&name.kind);
                node.display_name = name.display_name;
                node.user_principal_name = name.user_principal_name;
            }
        }
        index.members = vec![Vec::new(); index.nodes.len()];
        index.parents = vec![Vec::new(); index.nodes.len()];
        for m in memberships {
            let Some(&g) = index.by_id.get(&m.group_id) else { continue };
            let n = index.node(&m.member_id, kind_of(&m.member_type));
            if index.members.len() < index.nodes.len() {
                index.members.push(Vec::new());
                index.parents.push(Vec::new());
            }
            index.members[g as usize].push(n);
            index.parents[n as usize].push(g);
        }
        let mut users: Vec<u32> = (0..index.nodes.len() as u32).filter(|&n| index.nodes[n as usize].kind == MemberKind::User).collect();
        users.sort_by_cached_key(|&n| name_key(&index.nodes[n as usize].display_name, &index.nodes[n as usize].id));
        index.users = users;
        index
    }

    fn node(&mut self, id: &str, kind: MemberKind) -> u32 {
        if let Some(&n) = self.by_id.get(id) {
            return n;
        }
        let n = self.nodes.len() as u32;
        self.nodes.push(Node { id: id.to_string(), kind, display_name: None, user_principal_name: None });
        self.by_id.insert(id.to_string(), n);
        n
    }

    /// When the cache it was built from was synced.
    pub fn as_of(&self) -> Option<DateTime<Utc>> {
        self.as_of
    }

    /// Whether the cache holds a name for `id` (a group, or a named member).
    pub fn has_name(&self, id: &str) -> bool {
        self.by_id.get(id).is_some_and(|&n| self.nodes[n as usize].display_name.is_some())
    }

    /// The cached name record of a non-group object, if any.
    pub fn name_record(&self, id: &str) -> Option<NameRecord> {
        let node = &self.nodes[*self.by_id.get(id)? as usize];
        (node.kind != MemberKind::Group).then(|| NameRecord {
            id: node.id.clone(),
            kind: kind_text(node.kind).to_string(),
            display_name: node.display_name.clone(),
            user_principal_name: node.user_principal_name.clone(),
            mail: None,
        })
    }

    fn directory_ref(&self, n: u32) -> DirectoryRef {
        let node = &self.nodes[n as usize];
        DirectoryRef { id: node.id.clone(), display_name: node.display_name.clone(), kind: node.kind, user_principal_name: node.user_principal_name.clone() }
    }

    fn group_ref(&self, n: u32) -> GroupRef {
        let node = &self.nodes[n as usize];
        GroupRef { id: node.id.clone(), display_name: node.display_name.clone() }
    }

    /// The group's reference, its name `None` when the cache does not know it.
    pub fn group_ref_or_unknown(&self, id: &str) -> GroupRef {
        match self.by_id.get(id) {
            Some(&n) if self.groups.contains_key(&n) => self.group_ref(n),
            _ => GroupRef { id: id.to_string(), display_name: None },
        }
    }

    fn group_node(&self, id: &str) -> Result<u32> {
        match self.by_id.get(id.trim()) {
            Some(&n) if self.groups.contains_key(&n) => Ok(n),
            _ => Err(Error::invalid_input(format!(
                "No group `{id}` in the group cache: check the ID, or refresh the cache (it may be new, or deleted since)"
            ))),
        }
    }

    fn object_node(&self, id: &str) -> Result<u32> {
        self.by_id.get(id.trim()).copied().ok_or_else(|| {
            Error::invalid_input(format!(
                "No user or other directory object `{id}` in the group cache: check the ID, or refresh the cache (it may be new, or deleted since)"
            ))
        })
    }

    /// Every group, by display name.
    pub fn group_rows(&self) -> Vec<GroupRow> {
        let mut rows: Vec<(u32, &GroupRecord)> = self.groups.iter().map(|(&n, g)| (n, g)).collect();
        rows.sort_by_cached_key(|(_, g)| name_key(&g.display_name, &g.id));
        rows.into_iter()
            .map(|(n, g)| GroupRow {
                id: g.id.clone(),
                display_name: g.display_name.clone(),
                description: g.description.clone(),
                mail: g.mail.clone(),
                security_enabled: g.security_enabled,
                mail_enabled: g.mail_enabled,
                group_types: g.group_types.clone(),
                membership_rule: g.membership_rule.clone(),
                direct_members: self.members[n as usize].len() as u32,
            })
            .collect()
    }

    /// Breadth-first from `start` along `edges`: each reached node with its depth and the node
    /// it was reached from. `start` itself is left out (also when a cycle leads back to it).
    fn walk(&self, start: u32, edges: &[Vec<u32>], transitive: bool) -> Vec<(u32, u32, u32)> {
        let mut seen: HashMap<u32, ()> = HashMap::from([(start, ())]);
        let mut out = Vec::new();
        let mut queue = VecDeque::from([(start, 0u32)]);
        while let Some((n, depth)) = queue.pop_front() {
            if depth >= 1 && !transitive {
                break;
            }
            for &next in &edges[n as usize] {
                if seen.insert(next, ()).is_none() {
                    out.push((next, depth + 1, n));
                    queue.push_back((next, depth + 1));
                }
            }
        }
        out
    }

    fn sort_key(&self, n: u32, depth: u32) -> (u32, String, String) {
        let node = &self.nodes[n as usize];
        let (name, id) = name_key(&node.display_name, &node.id);
        (depth, name, id)
    }

    /// A group's members: direct (depth 1) or every nested one at its shortest depth, with the
    /// group it was found in.
    pub fn members(&self, group_id: &str, transitive: bool) -> Result<(GroupRef, Vec<MemberRow>)> {
        let g = self.group_node(group_id)?;
        let mut found = self.walk(g, &self.members, transitive);
        found.sort_by_cached_key(|&(n, depth, _)| self.sort_key(n, depth));
        let rows = found
            .into_iter()
            .map(|(n, depth, via)| MemberRow { member: self.directory_ref(n), depth, via: transitive.then(|| self.group_ref(via)) })
            .collect();
        Ok((self.group_ref(g), rows))
    }

    /// The groups an object is in: directly (depth 1) or through nested groups.
    pub fn member_of(&self, object_id: &str, transitive: bool) -> Result<(DirectoryRef, Vec<GroupWithDepth>)> {
        let u = self.object_node(object_id)?;
        let mut found = self.walk(u, &self.parents, transitive);
        found.sort_by_cached_key(|&(n, depth, _)| self.sort_key(n, depth));
        Ok((self.directory_ref(u), found.into_iter().map(|(n, depth, _)| GroupWithDepth { group: self.group_ref(n), depth }).collect()))
    }

    /// The shortest chain of groups from one directly containing the object up to the group
    /// (empty when the object is not in it).
    pub fn why(&self, object_id: &str, group_id: &str) -> Result<(DirectoryRef, GroupRef, Vec<GroupRef>)> {
        let u = self.object_node(object_id)?;
        let g = self.group_node(group_id)?;
        let mut from: HashMap<u32, u32> = HashMap::new();
        let mut queue = VecDeque::from([u]);
        let mut reached = false;
        'search: while let Some(n) = queue.pop_front() {
            for &parent in &self.parents[n as usize] {
                if parent == u || from.contains_key(&parent) {
                    continue;
                }
                from.insert(parent, n);
                if parent == g {
                    reached = true;
                    break 'search;
                }
                queue.push_back(parent);
            }
        }
        let mut chain = Vec::new();
        if reached {
            let mut at = g;
            while at != u {
                chain.push(self.group_ref(at));
                at = from[&at];
            }
            chain.reverse();
        }
        Ok((self.directory_ref(u), self.group_ref(g), chain))
    }

    /// Users whose name, UPN or ID contains `query` (case-insensitive), by name.
    pub fn search_users(&self, query: &str, limit: usize) -> Vec<DirectoryRef> {
        let q = query.trim().to_lowercase();
        let matches = |n: &u32| {
            let node = &self.nodes[*n as usize];
            q.is_empty()
                || node.id.contains(&q)
                || node.display_name.as_deref().is_some_and(|s| s.to_lowercase().contains(&q))
                || node.user_principal_name.as_deref().is_some_and(|s| s.to_lowercase().contains(&q))
        };
        self.users.iter().filter(|n| matches(n)).take(limit).map(|&n| self.directory_ref(n)).collect()
    }
}

/// The stored text of a kind.
pub fn kind_text(kind: MemberKind) -> &'static str {
    match kind {
        MemberKind::User => "user",
        MemberKind::Group => "group",
        MemberKind::ServicePrincipal => "servicePrincipal",
        MemberKind::Device => "device",
        MemberKind::Other => "other",
    }
}

