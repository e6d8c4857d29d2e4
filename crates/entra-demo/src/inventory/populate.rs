//! Generation of the users Graph lists, devices and groups with their direct
//! members, from the seed: the special shapes of [`GroupFixture`] (a nested
//! chain G1 ⊃ … ⊃ G5 with a user directly in G5 only, a 3-group cycle, a
//! group with more than 10,000 members, the demo admin in several groups, a
//! user in more than 200 groups) and ordinary groups of users, devices,
//! service principals and (older) groups. Ordinary groups only nest groups
//! created before them, so the seeded cycle is the only one.
//!
//! Fast on purpose (the app starts the demo tenant in-process): one ChaCha8
//! stream, no hashing in the member loops (duplicates are caught with stamp
//! arrays), one sort per list.

use super::catalog::{DEPARTMENTS, GIVEN, JOBS, PURPOSES, SURNAMES};
use super::groups::{Device, Group, GroupFixture, Member, Person};
use super::{Inventory, Meta};
use crate::directory::{Directory, DOMAIN};
use chrono::{DateTime, Duration, Utc};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// Sizes of the groups side (`DemoOptions::{users, groups, group_memberships}`).
#[derive(Debug, Clone, Copy)]
pub struct GroupSizes {
    /// Users in total (the directory's count towards it).
    pub users: usize,
    /// Groups in total (at least the 9 special ones).
    pub groups: usize,
    /// Direct memberships in total; `None`: about 15 per ordinary group plus the special ones.
    pub memberships: Option<usize>,
}

/// Members of the large group, when there are enough users.
const LARGE: usize = 10_050;
/// Groups the overage user is directly in (a token carries at most 200 group ids).
const OVERAGE: usize = 210;
/// Average direct members of an ordinary group when no total is asked for.
const AVERAGE: usize = 15;

fn guid(rng: &mut ChaCha8Rng) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

fn meta(id: String, created: DateTime<Utc>) -> Meta {
    Meta { id, created, changed: 0, removed: None, owners: Vec::new() }
}

/// Offices and phone numbers generated users share (borrowed: no allocation per user).
const OFFICES: &[&str] = &["18/2111", "131/1104", "20/1109", "24/1106", "36/2121", "19/3123", "32/1101", "12/1110"];
const PHONES: &[&str] = &["+1 425 555 0109", "+1 858 555 0110", "+1 262 555 0106", "+1 954 555 0118", "+1 205 555 0108", "+1 913 555 0101"];

/// The directory's users and generated ones up to `total`, sorted by id, and
/// the nested user's id. Ids are drawn and sorted first, so the big
/// structs are built once, in place.
fn people(rng: &mut ChaCha8Rng, dir: &Directory, total: usize) -> (Vec<Person>, String) {
    let generated = total.saturating_sub(dir.users.len()).max(1);
    // (id, Some(directory index) | None for the k-th generated user, by draw order)
    let mut ids: Vec<(String, Option<usize>)> = dir.users.iter().enumerate().map(|(i, u)| (u.oid.clone(), Some(i))).collect();
    ids.extend((0..generated).map(|_| (guid(rng), None)));
    let nested_id = ids[dir.users.len()].0.clone();
    ids.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let lower = |names: &[&str]| names.iter().map(|n| n.to_lowercase()).collect::<Vec<_>>();
    let (given_lc, surname_lc) = (lower(GIVEN), lower(SURNAMES));
    let mut serial = 0;
    let out = ids
        .into_iter()
        .map(|(id, from_dir)| match from_dir {
            Some(i) => {
                let u = &dir.users[i];
                Person {
                    meta: meta(id, dir.created),
                    display_name: u.display_name.clone(),
                    given_name: u.given_name.clone().into(),
                    surname: u.surname.clone().into(),
                    upn: u.upn.clone(),
                    job_title: u.job_title.clone().into(),
                    office_location: u.office_location.clone().into(),
                    business_phone: u.business_phones.first().cloned().unwrap_or_default().into(),
                    department: "IT",
                }
            }
            None if id == nested_id => generated_person(rng, id, dir, "Nadia", "Nested", "nadia.nested".to_string()),
            None => {
                serial += 1;
                let (g, s) = (rng.gen_range(0..GIVEN.len()), rng.gen_range(0..SURNAMES.len()));
                let local = format!("{}.{}.{serial}", given_lc[g], surname_lc[s]);
                generated_person(rng, id, dir, GIVEN[g], SURNAMES[s], local)
            }
        })
        .collect();
    (out, nested_id)
}

fn generated_person(rng: &mut ChaCha8Rng, id: String, dir: &Directory, given: &'static str, surname: &'static str, local: String) -> Person {
    Person {
        meta: meta(id, dir.created - Duration::days(rng.gen_range(1..2_000))),
        display_name: format!("{given} {surname}"),
        given_name: given.into(),
        surname: surname.into(),
        upn: format!("{local}@{DOMAIN}"),
        job_title: JOBS[rng.gen_range(0..JOBS.len())].into(),
        office_location: OFFICES[rng.gen_range(0..OFFICES.len())].into(),
        business_phone: PHONES[rng.gen_range(0..PHONES.len())].into(),
        department: DEPARTMENTS[rng.gen_range(0..DEPARTMENTS.len())],
    }
}

fn devices(rng: &mut ChaCha8Rng, n: usize, now: DateTime<Utc>) -> Vec<Device> {
    const OS: &[&str] = &["Windows", "Windows", "Windows", "MacMDM", "iOS", "Android", "Linux"];
    let mut out: Vec<Device> = (0..n)
        .map(|i| {
            let os = OS[rng.gen_range(0..OS.len())];
            let prefix = match os {
                "Windows" => "DESKTOP",
                "MacMDM" => "MAC",
                "Linux" => "LNX",
                _ => "PHONE",
            };
            Device { meta: meta(guid(rng), now - Duration::days(rng.gen_range(1..900))), device_id: guid(rng), display_name: format!("{prefix}-{i:05}"), operating_system: os }
        })
        .collect();
    out.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Tag {
    Chain(usize),
    Cycle(usize),
    Large,
    Ordinary(usize),
}

fn group(rng: &mut ChaCha8Rng, tag: Tag, now: DateTime<Utc>) -> Group {
    let (name, description) = match tag {
        Tag::Chain(k) => (format!("Engineering Level {}", k + 1), format!("Nested chain level {} of 5", k + 1)),
        Tag::Cycle(k) => (format!("Cycle {}", ["A", "B", "C"][k]), "Part of a circular nesting A ⊃ B ⊃ C ⊃ A".to_string()),
        Tag::Large => ("All Employees".to_string(), "Every employee of the demo tenant".to_string()),
        Tag::Ordinary(_) => {
            let (d, p) = (DEPARTMENTS[rng.gen_range(0..DEPARTMENTS.len())], PURPOSES[rng.gen_range(0..PURPOSES.len())]);
            let role = ["Team", "Admins", "Readers", "Owners", "Project", "Users"][rng.gen_range(0..6)];
            (format!("{d} {p} {role}"), format!("{role} of {d} {p}"))
        }
    };
    let n = match tag {
        Tag::Chain(k) => 9_000 + k,
        Tag::Cycle(k) => 9_100 + k,
        Tag::Large => 9_200,
        Tag::Ordinary(k) => k,
    };
    let slug: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_lowercase();
    // Security groups, Microsoft 365 (Unified) groups, distribution lists, mail-enabled security and dynamic groups.
    let kind = if matches!(tag, Tag::Ordinary(_)) { rng.gen_range(0..20) } else { 0 };
    let (mail_enabled, security_enabled, group_types, rule): (bool, bool, Vec<String>, Option<String>) = match kind {
        0..=10 => (false, true, vec![], None),
        11..=15 => (true, false, vec!["Unified".into()], None),
        16 => (true, false, vec![], None),
        17 => (true, true, vec![], None),
        _ => (false, true, vec!["DynamicMembership".into()], Some(format!("user.department -eq \"{}\"", DEPARTMENTS[n % DEPARTMENTS.len()]))),
    };
    Group {
        meta: meta(guid(rng), now - Duration::days(rng.gen_range(1..1_500))),
        display_name: name,
        description: Some(description),
        mail: mail_enabled.then(|| format!("{slug}{n}@{DOMAIN}")),
        mail_nickname: format!("{slug}{n}"),
        mail_enabled,
        security_enabled,
        visibility: group_types.iter().any(|t| t == "Unified").then_some("Private"),
        group_types,
        membership_rule: rule,
        members: Vec::new(),
        log: Vec::new(),
        created_seq: 0,
    }
}

/// Picks members without repeats within one group: `stamp[i] == mark` means taken.
struct Picker {
    stamps: [Vec<u32>; 4],
    mark: u32,
}

impl Picker {
    fn take(&mut self, m: Member) -> bool {
        let (k, i) = match m {
            Member::User(i) => (0, i),
            Member::Group(i) => (1, i),
            Member::Sp(i) => (2, i),
            Member::Device(i) => (3, i),
        };
        let slot = &mut self.stamps[k][i as usize];
        if *slot == self.mark {
            return false;
        }
        *slot = self.mark;
        true
    }
    fn next_group(&mut self) {
        self.mark += 1;
    }
}

/// Generates people, devices and groups into `inv` (whose service principals exist).
pub fn populate(seed: u64, now: DateTime<Utc>, sizes: GroupSizes, dir: &Directory, inv: &mut Inventory) {
    let mut rng = ChaCha8Rng::from_seed(Sha256::digest(format!("entra-demo/groups/{seed}").as_bytes()).into());
    let (people, nested_id) = people(&mut rng, dir, sizes.users);
    let admin_id = dir.admin().oid.clone();
    let position = |id: &str| people.binary_search_by(|p| p.meta.id.as_str().cmp(id)).unwrap_or(0) as u32;
    let (admin, nested) = (position(&admin_id), position(&nested_id));
    let devices = devices(&mut rng, (people.len() / 20).clamp(10, 2_000), now);

    let ordinary = sizes.groups.saturating_sub(9);
    let tags: Vec<Tag> = (0..5).map(Tag::Chain).chain((0..3).map(Tag::Cycle)).chain([Tag::Large]).chain((0..ordinary).map(Tag::Ordinary)).collect();
    let mut tagged: Vec<(Group, Tag)> = tags.into_iter().map(|t| (group(&mut rng, t, now), t)).collect();
    tagged.sort_by(|a, b| a.0.meta.id.cmp(&b.0.meta.id));
    let at = |t: Tag| tagged.iter().position(|(_, x)| *x == t).unwrap_or(0) as u32;
    let chain: Vec<u32> = (0..5).map(|k| at(Tag::Chain(k))).collect();
    let cycle: Vec<u32> = (0..3).map(|k| at(Tag::Cycle(k))).collect();
    let large = at(Tag::Large);
    let mut ordinal = vec![0u32; ordinary];
    for (i, (_, t)) in tagged.iter().enumerate() {
        if let Tag::Ordinary(k) = t {
            ordinal[*k] = i as u32;
        }
    }
    let (mut groups, _): (Vec<Group>, Vec<Tag>) = tagged.into_iter().unzip();

    let n_people = people.len() as u32;
    let mut picker = Picker { stamps: [vec![0; people.len()], vec![0; groups.len()], vec![0; inv.sps.len()], vec![0; devices.len()]], mark: 0 };
    let random_user = |rng: &mut ChaCha8Rng| loop {
        let u = rng.gen_range(0..n_people);
        if u != nested || n_people == 1 {
            break u;
        }
    };
    let mut fill = |groups: &mut Vec<Group>, g: u32, fixed: &[Member], extra_users: usize, rng: &mut ChaCha8Rng| {
        picker.next_group();
        let members = &mut groups[g as usize].members;
        for m in fixed {
            if picker.take(*m) {
                members.push(*m);
            }
        }
        for _ in 0..extra_users * 3 {
            if members.len() >= fixed.len() + extra_users {
                break;
            }
            let m = Member::User(random_user(rng));
            if picker.take(m) {
                members.push(m);
            }
        }
    };
    for k in 0..5 {
        let mut fixed = Vec::new();
        if k < 4 {
            fixed.push(Member::Group(chain[k + 1]));
        } else {
            fixed.extend([Member::User(nested), Member::User(admin)]);
        }
        fill(&mut groups, chain[k], &fixed, 3, &mut rng);
    }
    for k in 0..3 {
        let mut fixed = vec![Member::Group(cycle[(k + 1) % 3])];
        if k == 0 {
            fixed.push(Member::User(admin));
        }
        fill(&mut groups, cycle[k], &fixed, 3, &mut rng);
    }
    let everyone: Vec<Member> = (0..n_people).filter(|u| *u != nested).take(LARGE).map(Member::User).collect();
    fill(&mut groups, large, &everyone, 0, &mut rng);
    let special: usize = groups.iter().map(|g| g.members.len()).sum();

    // The overage user (the first generated one that is neither admin nor nested) in 210 groups.
    let overage = (ordinary >= OVERAGE && n_people > 2).then(|| (0..n_people).find(|u| *u != admin && *u != nested).unwrap_or(0));
    let admin_groups = ordinary.min(3);
    let target = sizes.memberships.map(|t| t.saturating_sub(special)).unwrap_or(ordinary * AVERAGE);
    let avg = target.checked_div(ordinary).map_or(0, |a| a.max(1));
    let mut size: Vec<usize> = (0..ordinary).map(|_| rng.gen_range(avg.div_ceil(2).max(1)..=avg + avg / 2)).collect();
    // Bring the total to the target (within what the pools allow).
    let cap = people.len() - 1 + devices.len() + inv.sps.len();
    let mut total: usize = size.iter().sum();
    let mut k = 0;
    while ordinary > 0 && total != target {
        let s = &mut size[k % ordinary];
        if total < target && *s < cap {
            *s += 1;
            total += 1;
        } else if total > target && *s > 1 {
            *s -= 1;
            total -= 1;
        } else if k > 4 * ordinary + target {
            break;
        }
        k += 1;
    }
    for (k, &g) in ordinal.iter().enumerate() {
        picker.next_group();
        let mut members: Vec<Member> = Vec::with_capacity(size[k] + 2);
        let mut fixed = Vec::new();
        if k < admin_groups {
            fixed.push(Member::User(admin));
        }
        if let Some(u) = overage.filter(|_| k < OVERAGE) {
            fixed.push(Member::User(u));
        }
        for m in fixed {
            if picker.take(m) {
                members.push(m);
            }
        }
        let dynamic = groups[g as usize].is_dynamic();
        let mut tries = 0;
        while members.len() < size[k] && tries < size[k] * 4 {
            tries += 1;
            let r: u32 = rng.gen_range(0..100);
            let m = match r {
                _ if dynamic => Member::User(random_user(&mut rng)),
                0..=85 => Member::User(random_user(&mut rng)),
                86..=90 if !devices.is_empty() => Member::Device(rng.gen_range(0..devices.len() as u32)),
                91..=95 if !inv.sps.is_empty() => Member::Sp(rng.gen_range(0..inv.sps.len() as u32)),
                _ if k > 0 => Member::Group(ordinal[rng.gen_range(0..k)]),
                _ => Member::User(random_user(&mut rng)),
            };
            if picker.take(m) {
                members.push(m);
            }
        }
        groups[g as usize].members = members;
    }

    let id = |i: u32| groups[i as usize].meta.id.clone();
    inv.fixture = GroupFixture {
        nested_chain: chain.iter().map(|g| id(*g)).collect(),
        nested_user: nested_id,
        cycle: cycle.iter().map(|g| id(*g)).collect(),
        large_group: id(large),
        large_group_members: groups[large as usize].members.len(),
        admin_user: admin_id,
        overage_user: overage.map(|u| people[u as usize].meta.id.clone()),
    };
    inv.people = people;
    inv.devices = devices;
    inv.groups = groups;
    inv.index_groups();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(sizes: GroupSizes) -> Inventory {
        let now = Utc::now();
        let mut dir = Directory::new(3, now).unwrap();
        let mut inv = super::super::generate(3, now, 30, &mut dir);
        populate(3, now, sizes, &dir, &mut inv);
        inv
    }

    #[test]
    fn the_special_shapes_are_there_and_reproducible() {
        let inv = build(GroupSizes { users: 10_200, groups: 400, memberships: None });
        let fx = &inv.fixture;
        assert_eq!(inv.people.len(), 10_200);
        assert_eq!(inv.groups.len(), 400);
        assert!(inv.groups.windows(2).all(|w| w[0].meta.id < w[1].meta.id) && inv.people.windows(2).all(|w| w[0].meta.id < w[1].meta.id));
        let g = |id: &str| inv.group(id).unwrap();
        for k in 0..4 {
            assert!(inv.groups[g(&fx.nested_chain[k])].members.contains(&Member::Group(g(&fx.nested_chain[k + 1]) as u32)));
        }
        let nested = Member::User(inv.person(&fx.nested_user).unwrap() as u32);
        assert_eq!(inv.parents.of(nested), [g(&fx.nested_chain[4]) as u32]);
        assert_eq!(inv.transitive_member_of(nested).len(), 5);
        for k in 0..3 {
            assert!(inv.groups[g(&fx.cycle[k])].members.contains(&Member::Group(g(&fx.cycle[(k + 1) % 3]) as u32)));
        }
        assert!(fx.large_group_members > 10_000);
        let overage = Member::User(inv.person(fx.overage_user.as_deref().unwrap()).unwrap() as u32);
        assert!(inv.parents.of(overage).len() > 200);
        let admin = Member::User(inv.person(&fx.admin_user).unwrap() as u32);
        assert!(inv.parents.of(admin).len() >= 5);
        for kind in ["#microsoft.graph.device", "#microsoft.graph.servicePrincipal", "#microsoft.graph.group"] {
            assert!(inv.groups.iter().flat_map(|g| &g.members).any(|m| m.odata_type() == kind), "{kind}");
        }
        let again = build(GroupSizes { users: 10_200, groups: 400, memberships: None });
        assert_eq!(again.fixture, inv.fixture);
        assert_eq!(again.groups[100].members, inv.groups[100].members);
    }

    #[test]
    fn the_membership_total_follows_the_ask_and_small_tenants_work() {
        let inv = build(GroupSizes { users: 12_000, groups: 1_000, memberships: Some(40_000) });
        let total: usize = inv.groups.iter().map(|g| g.members.len()).sum();
        assert!((39_000..=40_000).contains(&total), "{total}");
        let tiny = build(GroupSizes { users: 0, groups: 0, memberships: None });
        assert_eq!(tiny.groups.len(), 9);
        assert_eq!(tiny.fixture.large_group_members, tiny.people.len() - 1);
        assert!(tiny.fixture.overage_user.is_none());
    }
}
