//! Folding the pages of one delta round into the round's net effect: the last word on each
//! group, user and membership wins, in Graph's order. A large group split over pages merges
//! (each slice adds its members), a replayed entry changes nothing, an entry that carries only
//! some properties keeps the others.

use entra_graph::models::{short_type, DeltaEntry, Group, GroupDelta, UserDelta};
use entra_store::queries::groups::{GroupRecord, Membership, NameRecord};
use std::collections::HashMap;

/// The properties a group row keeps, as Graph names them.
const GROUP_PROPERTIES: &[&str] = &["displayName", "description", "mail", "securityEnabled", "mailEnabled", "groupTypes", "membershipRule"];

/// A group's last word in the round.
enum GroupWord {
    Changed { group: Box<Group>, present: Vec<String> },
    Removed,
}

/// What the `/groups/delta` pages of one round say.
#[derive(Default)]
pub(super) struct GroupsRound {
    words: HashMap<String, GroupWord>,
    order: Vec<String>,
    /// group → member → `Some(type)` added, `None` removed.
    members: HashMap<String, HashMap<String, Option<String>>>,
    /// Entries read (for progress).
    pub(super) entries: u64,
    /// `members@delta` references read (for progress).
    pub(super) references: u64,
}

impl GroupsRound {
    /// Folds one page's entries in.
    pub(super) fn add(&mut self, entries: Vec<DeltaEntry<GroupDelta>>) {
        for entry in entries {
            self.entries += 1;
            match entry {
                DeltaEntry::Removed { id, .. } if !id.is_empty() => {
                    self.remember(&id);
                    self.words.insert(id.clone(), GroupWord::Removed);
                    self.members.remove(&id);
                }
                DeltaEntry::Removed { .. } => {}
                DeltaEntry::Changed(delta) => self.add_changed(delta),
            }
        }
    }

    fn remember(&mut self, id: &str) {
        if !self.words.contains_key(id) {
            self.order.push(id.to_string());
        }
    }

    fn add_changed(&mut self, delta: GroupDelta) {
        let GroupDelta { group, present, members } = delta;
        if group.id.is_empty() {
            return; // Nothing to key it on (a `$select` without id); Graph always sends it with ours.
        }
        let id = group.id.clone();
        self.remember(&id);
        match self.words.get_mut(&id) {
            Some(GroupWord::Changed { group: known, present: known_present }) => {
                merge(known, &group, &present);
                for p in present {
                    if !known_present.contains(&p) {
                        known_present.push(p);
                    }
                }
            }
            _ => {
                self.words.insert(id.clone(), GroupWord::Changed { group: Box::new(group), present });
            }
        }
        if let Some(refs) = members {
            let slot = self.members.entry(id).or_default();
            for r in refs {
                self.references += 1;
                let word = (!r.removed).then(|| r.kind().to_string());
                slot.insert(r.id, word);
            }
        }
    }

    /// Groups whose entries left some of the row's properties out (fill them from the cache).
    pub(super) fn partial_groups(&self) -> Vec<String> {
        self.words
            .iter()
            .filter_map(|(id, w)| match w {
                GroupWord::Changed { present, .. } if GROUP_PROPERTIES.iter().any(|p| !present.iter().any(|q| q == p)) => Some(id.clone()),
                _ => None,
            })
            .collect()
    }

    /// Non-user, non-group members added in this round (to name through `getByIds`).
    pub(super) fn added_others(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .members
            .values()
            .flat_map(|m| m.iter())
            .filter(|(_, word)| word.as_deref().is_some_and(|k| k != "user" && k != "group"))
            .map(|(id, _)| id.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The round's net effect: groups to write (merged over `known` rows for missing
    /// properties), groups removed, memberships added, memberships removed.
    pub(super) fn finish(self, known: &HashMap<String, GroupRecord>) -> Finished {
        let mut out = Finished::default();
        for id in self.order {
            match self.words.get(&id) {
                Some(GroupWord::Changed { group, present }) => {
                    let mut record = known.get(&id).cloned().unwrap_or_else(|| GroupRecord { id: id.clone(), ..Default::default() });
                    apply(&mut record, group, present);
                    out.groups.push(record);
                }
                Some(GroupWord::Removed) => out.removed_groups.push(id),
                None => {}
            }
        }
        for (group_id, members) in self.members {
            for (member_id, word) in members {
                match word {
                    Some(member_type) => out.added.push(Membership { group_id: group_id.clone(), member_id, member_type }),
                    None => out.removed.push((group_id.clone(), member_id)),
                }
            }
        }
        out
    }
}

/// A groups round's net effect.
#[derive(Default)]
pub(super) struct Finished {
    pub(super) groups: Vec<GroupRecord>,
    pub(super) removed_groups: Vec<String>,
    pub(super) added: Vec<Membership>,
    pub(super) removed: Vec<(String, String)>,
}

fn merge(into: &mut Group, from: &Group, present: &[String]) {
    let has = |p: &str| present.iter().any(|q| q == p);
    if has("displayName") {
        into.display_name = from.display_name.clone();
    }
    if has("description") {
        into.description = from.description.clone();
    }
    if has("mail") {
        into.mail = from.mail.clone();
    }
    if has("securityEnabled") {
        into.security_enabled = from.security_enabled;
    }
    if has("mailEnabled") {
        into.mail_enabled = from.mail_enabled;
    }
    if has("groupTypes") {
        into.group_types = from.group_types.clone();
    }
    if has("membershipRule") {
        into.membership_rule = from.membership_rule.clone();
    }
}

fn apply(record: &mut GroupRecord, group: &Group, present: &[String]) {
    let has = |p: &str| present.iter().any(|q| q == p);
    if has("displayName") {
        record.display_name = group.display_name.clone();
    }
    if has("description") {
        record.description = group.description.clone();
    }
    if has("mail") {
        record.mail = group.mail.clone();
    }
    if has("securityEnabled") {
        record.security_enabled = group.security_enabled.unwrap_or(false);
    }
    if has("mailEnabled") {
        record.mail_enabled = group.mail_enabled.unwrap_or(false);
    }
    if has("groupTypes") {
        record.group_types = group.group_types.clone();
    }
    if has("membershipRule") {
        record.membership_rule = group.membership_rule.clone();
    }
}

/// What the `/users/delta` pages of one round say: the last word on each user.
#[derive(Default)]
pub(super) struct UsersRound {
    /// `Some(name)` changed, `None` removed; in first-seen order.
    words: HashMap<String, Option<(NameRecord, Vec<String>)>>,
    order: Vec<String>,
    /// Entries read (for progress).
    pub(super) entries: u64,
}

impl UsersRound {
    /// Folds one page's entries in.
    pub(super) fn add(&mut self, entries: Vec<DeltaEntry<UserDelta>>) {
        for entry in entries {
            self.entries += 1;
            let (id, word) = match entry {
                DeltaEntry::Removed { id, .. } => (id, None),
                DeltaEntry::Changed(UserDelta { user, present }) => {
                    let record = NameRecord {
                        id: user.id.clone(),
                        kind: "user".into(),
                        display_name: user.display_name,
                        user_principal_name: user.user_principal_name,
                        mail: user.mail,
                    };
                    (user.id, Some((record, present)))
                }
            };
            if id.is_empty() {
                continue;
            }
            if !self.words.contains_key(&id) {
                self.order.push(id.clone());
            }
            match (self.words.get_mut(&id), word) {
                (Some(Some((known, known_present))), Some((record, present))) => {
                    merge_name(known, &record, &present);
                    known_present.extend(present);
                }
                (_, word) => {
                    self.words.insert(id, word);
                }
            }
        }
    }

    /// The round's net effect: names to write (missing properties from `known`), users removed.
    pub(super) fn finish(self, known: impl Fn(&str) -> Option<NameRecord>) -> (Vec<NameRecord>, Vec<String>) {
        let (mut names, mut removed) = (Vec::new(), Vec::new());
        for id in self.order {
            match self.words.get(&id) {
                Some(Some((record, present))) => {
                    let mut full = known(&id).unwrap_or_else(|| NameRecord { id: id.clone(), kind: "user".into(), ..Default::default() });
                    full.kind = "user".into();
                    merge_name(&mut full, record, present);
                    names.push(full);
                }
                Some(None) => removed.push(id),
                None => {}
            }
        }
        (names, removed)
    }
}

fn merge_name(into: &mut NameRecord, from: &NameRecord, present: &[String]) {
    let has = |p: &str| present.iter().any(|q| q == p);
    if has("displayName") {
        into.display_name = from.display_name.clone();
    }
    if has("userPrincipalName") {
        into.user_principal_name = from.user_principal_name.clone();
    }
    if has("mail") {
        into.mail = from.mail.clone();
    }
}

/// A `getByIds` answer as a name row.
pub(super) fn name_of(object: &entra_graph::models::DirectoryObject) -> NameRecord {
    let user_principal_name = match object {
        entra_graph::models::DirectoryObject::User(u) => u.user_principal_name.clone(),
        _ => None,
    };
    NameRecord {
        id: object.id().to_string(),
        kind: short_type(object.odata_type()).to_string(),
        display_name: object.display_name().map(String::from),
        user_principal_name,
        mail: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(json: &str) -> Vec<DeltaEntry<GroupDelta>> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn split_groups_merge_replays_are_harmless_and_the_last_word_wins() {
        let mut round = GroupsRound::default();
        round.add(page(r##"[{"id":"g","displayName":"G","description":null,"mail":null,"securityEnabled":true,"mailEnabled":false,"groupTypes":[],"membershipRule":null,
            "members@delta":[{"@odata.type":"#microsoft.graph.user","id":"u1"},{"@odata.type":"#microsoft.graph.servicePrincipal","id":"sp"}]}]"##));
        round.add(page(r##"[{"id":"g","members@delta":[{"@odata.type":"#microsoft.graph.user","id":"u2"},{"@odata.type":"#microsoft.graph.user","id":"u1"}]},
            {"id":"h","displayName":"H","members@delta":[{"@odata.type":"#microsoft.graph.user","id":"u1","@removed":{"reason":"deleted"}}]},
            {"id":"gone","@removed":{"reason":"changed"}}]"##));
        assert_eq!(round.added_others(), ["sp"]);
        assert_eq!(round.partial_groups(), ["h"]);
        let known = HashMap::from([("h".to_string(), GroupRecord { id: "h".into(), description: Some("kept".into()), ..Default::default() })]);
        let done = round.finish(&known);
        assert_eq!(done.groups.len(), 2);
        assert_eq!(done.groups[0].display_name.as_deref(), Some("G"), "the second slice carried no name and did not erase it");
        assert!(done.groups[0].security_enabled);
        assert_eq!(done.groups[1].description.as_deref(), Some("kept"));
        assert_eq!(done.removed_groups, ["gone"]);
        let mut added: Vec<_> = done.added.iter().map(|m| (m.group_id.as_str(), m.member_id.as_str(), m.member_type.as_str())).collect();
        added.sort();
        assert_eq!(added, [("g", "sp", "servicePrincipal"), ("g", "u1", "user"), ("g", "u2", "user")]);
        assert_eq!(done.removed, [("h".to_string(), "u1".to_string())]);
    }
}
