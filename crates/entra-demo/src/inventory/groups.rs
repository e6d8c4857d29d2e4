//! The groups side of the inventory: users (as Graph sees them), devices and
//! groups with their direct members, plus the membership writes
//! (add/remove a member, create/delete a group).
//!
//! Like applications, every list is kept sorted by object id and deleted
//! groups stay as tombstones, so delta can report them. Members are indices
//! ([`Member`]) into `people`, `groups`, `sps` or `devices`; a reverse index
//! (`Parents`) answers memberOf without a scan. Inserting a group (POST
//! /groups) shifts the group indices after it, which `insert_group` rewrites
//! everywhere (rare, and linear in the memberships).
//!
//! Each membership change takes a tenant-wide sequence number and is logged on
//! the group (`log`), so a delta round can report exactly the members added
//! and removed since its token (see `graph::groups_delta`).

use super::{Inventory, Meta, Removal};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};

/// A direct member: an index into the list of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Member {
    User(u32),
    Group(u32),
    Sp(u32),
    Device(u32),
}

impl Member {
    pub fn odata_type(self) -> &'static str {
        match self {
            Member::User(_) => "#microsoft.graph.user",
            Member::Group(_) => "#microsoft.graph.group",
            Member::Sp(_) => "#microsoft.graph.servicePrincipal",
            Member::Device(_) => "#microsoft.graph.device",
        }
    }
}

/// A user as Graph lists it (the directory's users plus generated ones).
#[derive(Debug, Clone)]
pub struct Person {
    pub meta: Meta,
    pub display_name: String,
    /// Borrowed from the name tables for generated users (fewer allocations at start-up).
    pub given_name: Cow<'static, str>,
    pub surname: Cow<'static, str>,
    pub upn: String,
    pub job_title: Cow<'static, str>,
    pub office_location: Cow<'static, str>,
    pub business_phone: Cow<'static, str>,
    pub department: &'static str,
}

/// A registered device (members of kind `#microsoft.graph.device`).
#[derive(Debug, Clone)]
pub struct Device {
    pub meta: Meta,
    pub device_id: String,
    pub display_name: String,
    pub operating_system: &'static str,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub meta: Meta,
    pub display_name: String,
    pub description: Option<String>,
    pub mail_nickname: String,
    /// `{mailNickname}@{domain}` when mail-enabled.
    pub mail: Option<String>,
    pub mail_enabled: bool,
    pub security_enabled: bool,
    pub group_types: Vec<String>,
    pub membership_rule: Option<String>,
    pub visibility: Option<&'static str>,
    /// Direct members, in the order they were added.
    pub members: Vec<Member>,
    /// Membership changes after seeding: (sequence number, member, added?).
    pub log: Vec<(u64, Member, bool)>,
    /// The sequence number of its creation (0 for seeded groups).
    pub created_seq: u64,
}

impl Group {
    pub fn is_unified(&self) -> bool {
        self.group_types.iter().any(|t| t.eq_ignore_ascii_case("Unified"))
    }
    pub fn is_dynamic(&self) -> bool {
        self.group_types.iter().any(|t| t.eq_ignore_ascii_case("DynamicMembership"))
    }

    /// The net membership changes in `(since, upto]`, in first-change order:
    /// (member, added?). A group created in that window reports all its members.
    pub fn changes(&self, since: u64, upto: u64) -> Vec<(Member, bool)> {
        if self.created_seq > since {
            return self.members.iter().map(|m| (*m, true)).collect();
        }
        // Per member: was it there at `since` (the opposite of its first change) and is it at `upto`?
        let mut order: Vec<Member> = Vec::new();
        let mut state: HashMap<Member, (bool, bool)> = HashMap::new();
        for &(_, m, added) in self.log.iter().filter(|(s, _, _)| *s > since && *s <= upto) {
            state
                .entry(m)
                .and_modify(|e| e.1 = added)
                .or_insert_with(|| {
                    order.push(m);
                    (!added, added)
                });
        }
        order.into_iter().filter_map(|m| state.get(&m).filter(|(was, now)| was != now).map(|(_, now)| (m, *now))).collect()
    }
}

/// Reverse index: for each object, the (live) groups it is directly in.
#[derive(Debug, Default)]
pub struct Parents {
    pub users: Vec<Vec<u32>>,
    pub groups: Vec<Vec<u32>>,
    pub sps: Vec<Vec<u32>>,
    pub devices: Vec<Vec<u32>>,
}

impl Parents {
    pub fn of(&self, m: Member) -> &[u32] {
        let list = match m {
            Member::User(i) => self.users.get(i as usize),
            Member::Group(i) => self.groups.get(i as usize),
            Member::Sp(i) => self.sps.get(i as usize),
            Member::Device(i) => self.devices.get(i as usize),
        };
        list.map(Vec::as_slice).unwrap_or_default()
    }
    fn of_mut(&mut self, m: Member) -> &mut Vec<u32> {
        let (lists, i) = match m {
            Member::User(i) => (&mut self.users, i),
            Member::Group(i) => (&mut self.groups, i),
            Member::Sp(i) => (&mut self.sps, i),
            Member::Device(i) => (&mut self.devices, i),
        };
        let i = i as usize;
        if lists.len() <= i {
            lists.resize_with(i + 1, Vec::new);
        }
        &mut lists[i]
    }
}

/// The seeded shapes tests and benchmarks rely on (`DemoTenant::group_fixture`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupFixture {
    /// The nested chain, outermost (G1) to innermost (G5): each contains the next.
    pub nested_chain: Vec<String>,
    /// A user directly in G5 only (in no other group).
    pub nested_user: String,
    /// Three groups A ⊃ B ⊃ C ⊃ A.
    pub cycle: Vec<String>,
    /// The group with more than 10,000 members (all users when there are fewer).
    pub large_group: String,
    pub large_group_members: usize,
    /// The demo admin (the signed-in demo user), in several groups including G5.
    pub admin_user: String,
    /// A user directly in more than 200 groups (a token groups overage), when there are that many groups.
    pub overage_user: Option<String>,
}

/// Why a membership write was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembershipError {
    GroupNotFound,
    MemberNotFound,
    AlreadyMember,
    NotMember,
    OwnGroup,
}

/// Binary search of a list sorted by id (ids are lower-case GUIDs).
fn find_sorted<T>(list: &[T], id_of: impl Fn(&T) -> &String, id: &str) -> Option<usize> {
    let wanted = id.to_ascii_lowercase();
    list.binary_search_by(|x| id_of(x).as_str().cmp(wanted.as_str())).ok()
}

impl Inventory {
    /// A live group by object id. The lists are sorted by (lower-case) id, so
    /// lookups are binary searches: no index to build at start-up.
    pub fn group(&self, id: &str) -> Option<usize> {
        find_sorted(&self.groups, |g| &g.meta.id, id).filter(|&i| self.groups[i].meta.removed.is_none())
    }
    pub fn person(&self, id: &str) -> Option<usize> {
        find_sorted(&self.people, |p| &p.meta.id, id)
    }
    pub fn device(&self, id: &str) -> Option<usize> {
        find_sorted(&self.devices, |d| &d.meta.id, id)
    }

    /// Any live user, group, service principal or device by id.
    pub fn object(&self, id: &str) -> Option<Member> {
        let i = |x: usize| x as u32;
        self.person(id)
            .map(|x| Member::User(i(x)))
            .or_else(|| self.group(id).map(|x| Member::Group(i(x))))
            .or_else(|| self.sp(id).map(|x| Member::Sp(i(x))))
            .or_else(|| self.device(id).map(|x| Member::Device(i(x))))
    }

    pub fn member_id(&self, m: Member) -> &str {
        match m {
            Member::User(i) => &self.people[i as usize].meta.id,
            Member::Group(i) => &self.groups[i as usize].meta.id,
            Member::Sp(i) => &self.sps[i as usize].meta.id,
            Member::Device(i) => &self.devices[i as usize].meta.id,
        }
    }

    /// Builds the reverse index (after generation).
    pub(super) fn index_groups(&mut self) {
        let mut parents = Parents {
            users: vec![Vec::new(); self.people.len()],
            groups: vec![Vec::new(); self.groups.len()],
            sps: vec![Vec::new(); self.sps.len()],
            devices: vec![Vec::new(); self.devices.len()],
        };
        for (g, group) in self.groups.iter().enumerate() {
            if group.meta.removed.is_none() {
                for m in &group.members {
                    parents.of_mut(*m).push(g as u32);
                }
            }
        }
        self.parents = parents;
    }

    /// `POST /groups/{g}/members/$ref`.
    pub fn add_member(&mut self, group_id: &str, member_id: &str) -> Result<(), MembershipError> {
        let g = self.group(group_id).ok_or(MembershipError::GroupNotFound)?;
        let m = self.object(member_id).ok_or(MembershipError::MemberNotFound)?;
        if m == Member::Group(g as u32) {
            return Err(MembershipError::OwnGroup);
        }
        if self.groups[g].members.contains(&m) {
            return Err(MembershipError::AlreadyMember);
        }
        let seq = self.next_seq();
        let group = &mut self.groups[g];
        group.members.push(m);
        group.log.push((seq, m, true));
        group.meta.changed = seq;
        self.parents.of_mut(m).push(g as u32);
        Ok(())
    }

    /// `DELETE /groups/{g}/members/{m}/$ref`.
    pub fn remove_member(&mut self, group_id: &str, member_id: &str) -> Result<(), MembershipError> {
        let g = self.group(group_id).ok_or(MembershipError::GroupNotFound)?;
        let m = self.object(member_id).ok_or(MembershipError::NotMember)?;
        let pos = self.groups[g].members.iter().position(|x| *x == m).ok_or(MembershipError::NotMember)?;
        let seq = self.next_seq();
        let group = &mut self.groups[g];
        group.members.remove(pos);
        group.log.push((seq, m, false));
        group.meta.changed = seq;
        self.parents.of_mut(m).retain(|x| *x != g as u32);
        Ok(())
    }

    /// `POST /groups`: inserts in id order, shifting later group indices everywhere.
    pub fn insert_group(&mut self, mut group: Group) -> usize {
        let seq = self.next_seq();
        group.meta.changed = seq;
        group.created_seq = seq;
        let p = self.groups.partition_point(|x| x.meta.id < group.meta.id);
        let shift = |m: &mut Member| {
            if let Member::Group(i) = m {
                if *i as usize >= p {
                    *i += 1;
                }
            }
        };
        for g in &mut self.groups {
            g.members.iter_mut().for_each(shift);
            g.log.iter_mut().for_each(|(_, m, _)| shift(m));
        }
        let lists = [&mut self.parents.users, &mut self.parents.groups, &mut self.parents.sps, &mut self.parents.devices];
        for list in lists {
            for parents in list.iter_mut() {
                parents.iter_mut().filter(|i| **i as usize >= p).for_each(|i| *i += 1);
            }
        }
        self.parents.groups.insert(p.min(self.parents.groups.len()), Vec::new());
        let members = group.members.clone();
        self.groups.insert(p, group);
        for m in members {
            self.parents.of_mut(m).push(p as u32);
        }
        p
    }

    /// `DELETE /groups/{id}`: a Microsoft 365 group goes to deleted items
    /// (`changed`), any other group is deleted for good (`deleted`), as in Entra.
    /// It leaves the groups it was in (each logs the removal).
    pub fn delete_group(&mut self, id: &str, now: DateTime<Utc>) -> Option<()> {
        let g = self.group(id)?;
        self.leave_all_groups(Member::Group(g as u32));
        for m in self.groups[g].members.clone() {
            self.parents.of_mut(m).retain(|x| *x != g as u32);
        }
        let seq = self.next_seq();
        let group = &mut self.groups[g];
        let how = if group.is_unified() { Removal::Changed } else { Removal::Deleted };
        group.meta.removed = Some((how, now));
        group.meta.changed = seq;
        Some(())
    }

    /// Takes `me` out of every group it is directly in, each removal logged (an object leaving
    /// the directory leaves its groups, as in Entra).
    pub(super) fn leave_all_groups(&mut self, me: Member) {
        for parent in std::mem::take(self.parents.of_mut(me)) {
            let seq = self.next_seq();
            let pg = &mut self.groups[parent as usize];
            pg.members.retain(|m| *m != me);
            pg.log.push((seq, me, false));
            pg.meta.changed = seq;
        }
    }

    /// Group `g`'s direct members as they were at sequence `upto` (later
    /// changes undone), sorted by id: a list that stays the same while a delta
    /// round pages through it, whatever changes meanwhile (those belong to
    /// the next round).
    pub fn members_at(&self, g: usize, upto: u64) -> Vec<Member> {
        let group = &self.groups[g];
        let mut members = group.members.clone();
        for &(_, m, added) in group.log.iter().rev().take_while(|(s, _, _)| *s > upto) {
            if added {
                members.retain(|x| *x != m);
            } else if !members.contains(&m) {
                members.push(m);
            }
        }
        members.sort_by(|a, b| self.member_id(*a).cmp(self.member_id(*b)));
        members
    }

    /// Every object reachable below group `g` (each once, breadth first, the
    /// group itself excluded even inside a cycle), with the group it was found in.
    pub fn transitive_members(&self, g: usize) -> Vec<(Member, u32)> {
        let mut seen: HashSet<Member> = HashSet::from([Member::Group(g as u32)]);
        let mut out = Vec::new();
        let mut queue = VecDeque::from([g as u32]);
        while let Some(x) = queue.pop_front() {
            for &m in &self.groups[x as usize].members {
                if seen.insert(m) {
                    out.push((m, x));
                    if let Member::Group(sub) = m {
                        queue.push_back(sub);
                    }
                }
            }
        }
        out
    }

    /// Every group above `m` (each once, breadth first; `m` itself excluded).
    pub fn transitive_member_of(&self, m: Member) -> Vec<u32> {
        let mut seen: HashSet<u32> = HashSet::new();
        if let Member::Group(g) = m {
            seen.insert(g);
        }
        let mut out = Vec::new();
        let mut queue = VecDeque::from([m]);
        while let Some(x) = queue.pop_front() {
            for &p in self.parents.of(x) {
                if seen.insert(p) {
                    out.push(p);
                    queue.push_back(Member::Group(p));
                }
            }
        }
        out
    }
}
