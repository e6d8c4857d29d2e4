//! Registering and removing app registrations and service principals: the
//! inventory side of `POST /applications`, `POST /servicePrincipals` and the
//! deletes.
//!
//! The lists stay sorted by object id (the order directory lists come back in),
//! so a new object is inserted in place and every index that points past it is
//! moved along: service-principal indices live in owners ([`OwnerRef::Sp`]), in
//! group members and their change logs ([`Member::Sp`]) and in the reverse
//! membership index; application indices only in the lookup maps. Inserting is
//! linear in the tenant's size, which is fine for a write.
//!
//! Removing follows Entra: a deleted object goes to deleted items (`changed`)
//! and leaves every group it was in; deleting an application also deletes its
//! service principal in this (its home) tenant.

use super::generate::sp_for;
use super::{Application, Inventory, Member, OwnerRef, Removal, ServicePrincipal};
use chrono::{DateTime, Utc};

impl Inventory {
    /// Adds a new application (its `meta.changed` is set here); returns its index.
    pub fn insert_app(&mut self, mut app: Application) -> usize {
        app.meta.changed = self.next_seq();
        let p = self.apps.partition_point(|a| a.meta.id.to_ascii_lowercase() < app.meta.id.to_ascii_lowercase());
        for i in self.app_index.values_mut().chain(self.app_by_app_id.values_mut()) {
            if *i >= p {
                *i += 1;
            }
        }
        self.app_index.insert(app.meta.id.to_ascii_lowercase(), p);
        self.app_by_app_id.insert(app.app_id.to_ascii_lowercase(), p);
        self.apps.insert(p, app);
        p
    }

    /// The service principal of application `app` in this tenant, created at `now` with object
    /// id `id` and `owners` (not yet inserted).
    pub fn service_principal_for(&self, app: usize, id: String, now: DateTime<Utc>, tenant: &str, owners: Vec<OwnerRef>) -> ServicePrincipal {
        let mut sp = sp_for(&self.apps[app], id, tenant);
        sp.meta.created = now;
        sp.meta.owners = owners;
        sp
    }

    /// Adds a new service principal (its `meta.changed` is set here); returns its index.
    pub fn insert_sp(&mut self, mut sp: ServicePrincipal) -> usize {
        sp.meta.changed = self.next_seq();
        let p = self.sps.partition_point(|s| s.meta.id.to_ascii_lowercase() < sp.meta.id.to_ascii_lowercase());
        let shift = |i: &mut usize| {
            if *i >= p {
                *i += 1;
            }
        };
        for i in self.sp_index.values_mut().chain(self.sp_by_app_id.values_mut()) {
            shift(i);
        }
        // The new object's own owners were resolved against the list before it is inserted too.
        let owners = self.apps.iter_mut().map(|a| &mut a.meta.owners).chain(self.sps.iter_mut().map(|s| &mut s.meta.owners)).chain([&mut sp.meta.owners]);
        for owner in owners.flatten() {
            if let OwnerRef::Sp(i) = owner {
                shift(i);
            }
        }
        let shift_member = |m: &mut Member| {
            if let Member::Sp(i) = m {
                if *i as usize >= p {
                    *i += 1;
                }
            }
        };
        for g in &mut self.groups {
            g.members.iter_mut().for_each(shift_member);
            g.log.iter_mut().for_each(|(_, m, _)| shift_member(m));
        }
        if self.parents.sps.len() >= p {
            self.parents.sps.insert(p, Vec::new());
        }
        self.sp_index.insert(sp.meta.id.to_ascii_lowercase(), p);
        // The live one wins over a deleted service principal of the same app.
        self.sp_by_app_id.insert(sp.app_id.to_ascii_lowercase(), p);
        self.sps.insert(p, sp);
        p
    }

    /// Soft-deletes application `i` and its service principal, as Entra does.
    pub fn remove_app(&mut self, i: usize, now: DateTime<Utc>) {
        let seq = self.next_seq();
        let meta = &mut self.apps[i].meta;
        meta.removed = Some((Removal::Changed, now));
        meta.changed = seq;
        if let Some(sp) = self.sp_by_app_id(&self.apps[i].app_id.clone()) {
            self.remove_sp(sp, now);
        }
    }

    /// Soft-deletes service principal `i`: it leaves its groups and goes to deleted items.
    pub fn remove_sp(&mut self, i: usize, now: DateTime<Utc>) {
        self.leave_all_groups(Member::Sp(i as u32));
        let seq = self.next_seq();
        let meta = &mut self.sps[i].meta;
        meta.removed = Some((Removal::Changed, now));
        meta.changed = seq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Directory;
    use crate::inventory::{generate, populate, GroupSizes};

    fn tenant() -> (Inventory, Directory) {
        let now = Utc::now();
        let mut dir = Directory::new(3, now).unwrap();
        let mut inv = generate(3, now, 60, &mut dir);
        populate(3, now, GroupSizes { users: 120, groups: 60, memberships: Some(2_000) }, &dir, &mut inv);
        (inv, dir)
    }

    #[test]
    fn inserting_keeps_order_and_every_reference() {
        let (mut inv, dir) = tenant();
        let before: Vec<Vec<String>> = inv.groups.iter().map(|g| g.members.iter().map(|m| inv.member_id(*m).to_string()).collect()).collect();
        let owners: Vec<Vec<String>> =
            inv.apps.iter().map(|a| a.meta.owners.iter().filter_map(|o| if let OwnerRef::Sp(i) = o { Some(inv.sps[*i].meta.id.clone()) } else { None }).collect()).collect();
        assert!(inv.groups.iter().any(|g| g.members.iter().any(|m| matches!(m, Member::Sp(_)))), "the fixture has service principals in groups");
        let app = inv.apps.iter().position(|a| inv.sp_by_app_id(&a.app_id).is_none()).unwrap_or(0);
        let now = Utc::now();
        // Ids sorting first, in the middle and last.
        for id in ["00000000-0000-4000-8000-000000000001", "7fffffff-0000-4000-8000-000000000001", "ffffffff-0000-4000-8000-000000000001"] {
            let sp = inv.service_principal_for(app, id.to_string(), now, &dir.tenant_id, Vec::new());
            let p = inv.insert_sp(sp);
            assert_eq!(inv.sps[p].meta.id, id);
            assert_eq!(inv.sp(id), Some(p));
        }
        assert!(inv.sps.windows(2).all(|w| w[0].meta.id < w[1].meta.id));
        let after: Vec<Vec<String>> = inv.groups.iter().map(|g| g.members.iter().map(|m| inv.member_id(*m).to_string()).collect()).collect();
        assert_eq!(before, after, "group members still name the same objects");
        let owners_after: Vec<Vec<String>> =
            inv.apps.iter().map(|a| a.meta.owners.iter().filter_map(|o| if let OwnerRef::Sp(i) = o { Some(inv.sps[*i].meta.id.clone()) } else { None }).collect()).collect();
        assert_eq!(owners, owners_after);
        for (i, sp) in inv.sps.iter().enumerate() {
            assert_eq!(inv.sp(&sp.meta.id), Some(i));
            for g in inv.parents.of(Member::Sp(i as u32)) {
                assert!(inv.groups[*g as usize].members.contains(&Member::Sp(i as u32)));
            }
        }
    }

    #[test]
    fn deleting_an_app_deletes_its_service_principal_and_its_memberships() {
        let (mut inv, _) = tenant();
        let (g, sp) = inv
            .groups
            .iter()
            .enumerate()
            .find_map(|(g, group)| group.members.iter().find_map(|m| if let Member::Sp(i) = m { Some((g, *i as usize)) } else { None }))
            .expect("a service principal in a group");
        let Some(app) = inv.app_by_app_id(&inv.sps[sp].app_id.clone()) else {
            // A first-party service principal: delete it on its own.
            inv.remove_sp(sp, Utc::now());
            assert!(!inv.groups[g].members.contains(&Member::Sp(sp as u32)));
            return;
        };
        inv.remove_app(app, Utc::now());
        assert!(inv.app(&inv.apps[app].meta.id.clone()).is_none());
        assert!(inv.sp(&inv.sps[sp].meta.id.clone()).is_none());
        assert!(!inv.groups[g].members.contains(&Member::Sp(sp as u32)));
        assert!(inv.parents.of(Member::Sp(sp as u32)).is_empty());
    }
}
