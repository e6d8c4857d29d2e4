//! The nesting of groups held in memory, for a process that answers many reads (the app): for
//! each group, the groups it is directly in and the groups directly in it, as numbers, and its
//! place in name order. No user and no user's membership is held: about 80 bytes a group and 8
//! a nested membership (some 9 MB for the demo tenant's 100,000 groups and 181,000 nestings).
//!
//! Why: walked in the store, a user's transitive groups cost one indexed query per group
//! reached, and through deep nesting a user can be in thousands of groups (tens of
//! milliseconds a read). Here the walk and the sort by depth and name touch only numbers; the
//! store is read for the user's direct groups and for the names of the page shown.
//!
//! It is built from the cache in one read ([`q::nesting_rows`]) and built again when the
//! cache's version ([`q::version`]) changes: a sync by this process or by another (`entractl`
//! writing the same file). A process that answers once (`entractl`) walks the store instead
//! (`index`), which gives the same answers (tested side by side).

use entra_store::queries::groups::{self as q, NestingRows};
use entra_store::Connection;
use std::sync::{Arc, Mutex};

type StoreResult<T> = entra_store::Result<T>;

/// One group's number: its place among the cache's group IDs, sorted.
pub(crate) type GroupNo = u32;

/// Lists of numbers for each group, packed: group `g`'s are `items[start[g]..start[g + 1]]`.
#[derive(Debug, Default)]
struct Adjacency {
    start: Vec<u32>,
    items: Vec<GroupNo>,
}

impl Adjacency {
    /// From `(from, to)` pairs, each list in the order the pairs come.
    fn new(groups: usize, pairs: impl Iterator<Item = (GroupNo, GroupNo)> + Clone) -> Adjacency {
        let mut start = vec![0u32; groups + 1];
        for (from, _) in pairs.clone() {
            start[from as usize + 1] += 1;
        }
        for g in 0..groups {
            start[g + 1] += start[g];
        }
        let mut fill = start.clone();
        let mut items = vec![0; start[groups] as usize];
        for (from, to) in pairs {
            items[fill[from as usize] as usize] = to;
            fill[from as usize] += 1;
        }
        Adjacency { start, items }
    }

    fn of(&self, g: GroupNo) -> &[GroupNo] {
        &self.items[self.start[g as usize] as usize..self.start[g as usize + 1] as usize]
    }
}

/// The nesting of the cache's groups at one version. See the module doc.
#[derive(Debug)]
pub(crate) struct Nesting {
    version: i64,
    ids: Vec<Box<str>>,
    rank: Vec<u32>,
    /// The groups each group is directly in, by number.
    up: Adjacency,
    /// The groups directly in each group, by number.
    down: Adjacency,
}

impl Nesting {
    /// The nesting of `rows`, read at `version`.
    pub(crate) fn new(rows: NestingRows, version: i64) -> Nesting {
        let n = rows.ids.len();
        // `edges` come by group then member: each list below is in number (= ID) order, the
        // order the store's walk reads them in.
        let down = Adjacency::new(n, rows.edges.iter().map(|&(g, m)| (g, m)));
        let up = Adjacency::new(n, rows.edges.iter().map(|&(g, m)| (m, g)));
        Nesting { version, ids: rows.ids.into_iter().map(String::into_boxed_str).collect(), rank: rows.rank, up, down }
    }

    /// The number of group `id`, if the cache holds it.
    pub(crate) fn number(&self, id: &str) -> Option<GroupNo> {
        self.ids.binary_search_by(|x| (**x).cmp(id)).ok().map(|i| i as GroupNo)
    }

    /// The ID of group `g`.
    pub(crate) fn id(&self, g: GroupNo) -> &str {
        &self.ids[g as usize]
    }

    /// The place of group `g` in name order (the group list's: case-insensitive, then ID).
    pub(crate) fn rank(&self, g: GroupNo) -> u32 {
        self.rank[g as usize]
    }

    /// Breadth-first up from `direct` (the groups an object is directly in, at depth 1, in ID
    /// order), each group once at its shortest depth, in the order reached; `object` (when the
    /// object is itself a group) is left out. Without `transitive`, only `direct`.
    pub(crate) fn up_from(&self, direct: &[GroupNo], object: Option<GroupNo>, transitive: bool) -> Vec<(GroupNo, u32)> {
        self.walk(&self.up, direct, object, transitive, None).into_iter().map(|r| (r.group, r.depth)).collect()
    }

    /// The shortest chain of groups from one of `direct` up to `target` (as the store's "why"
    /// finds it: breadth-first, parents in ID order, the first way found), or `None`.
    pub(crate) fn chain(&self, direct: &[GroupNo], object: Option<GroupNo>, target: GroupNo) -> Option<Vec<GroupNo>> {
        let reached = self.walk(&self.up, direct, object, true, Some(target));
        reached.last().filter(|r| r.group == target)?;
        let mut at = Some(reached.len() - 1);
        let mut chain = Vec::new();
        while let Some(i) = at {
            chain.push(reached[i].group);
            at = reached[i].from;
        }
        chain.reverse();
        Some(chain)
    }

    /// Breadth-first down from group `start` through the groups nested in it: each once at its
    /// shortest depth, in the order reached (as the store's walk); `start` left out.
    pub(crate) fn down_from(&self, start: GroupNo) -> Vec<(GroupNo, u32)> {
        self.walk(&self.down, self.down.of(start), Some(start), true, None).into_iter().map(|r| (r.group, r.depth)).collect()
    }

    /// The one breadth-first walk along `edges`: from `first` (depth 1, in their order), each
    /// group once at its shortest depth, in the order reached, with where it was reached from;
    /// `object` is never reached; without `transitive` only `first`; it stops on reaching `until`.
    fn walk(&self, edges: &Adjacency, first: &[GroupNo], object: Option<GroupNo>, transitive: bool, until: Option<GroupNo>) -> Vec<Reached> {
        let mut seen = vec![false; self.ids.len()];
        if let Some(o) = object {
            seen[o as usize] = true;
        }
        let mut out = Vec::new();
        for &g in first {
            if !std::mem::replace(&mut seen[g as usize], true) {
                out.push(Reached { group: g, depth: 1, from: None });
                if until == Some(g) {
                    return out;
                }
            }
        }
        if !transitive {
            return out;
        }
        let mut at = 0;
        while at < out.len() {
            let Reached { group, depth, .. } = out[at];
            for &next in edges.of(group) {
                if !std::mem::replace(&mut seen[next as usize], true) {
                    out.push(Reached { group: next, depth: depth + 1, from: Some(at) });
                    if until == Some(next) {
                        return out;
                    }
                }
            }
            at += 1;
        }
        out
    }
}

/// A group a walk reached: its depth, and the position in the walk's result of the group it was
/// reached from (`None` for the first ones).
#[derive(Debug, Clone, Copy)]
struct Reached {
    group: GroupNo,
    depth: u32,
    from: Option<usize>,
}

/// Where a process keeps its [`Nesting`]: the current one, built when first asked for and
/// again after the cache's version changed.
#[derive(Debug, Default)]
pub(crate) struct NestingSlot(Mutex<Option<Arc<Nesting>>>);

impl NestingSlot {
    /// The nesting as of the snapshot `conn` reads (call it inside the read that uses it).
    pub(crate) fn current(&self, conn: &Connection) -> StoreResult<Arc<Nesting>> {
        let version = q::version(conn)?;
        // Held while building: a second reader would only build the same thing.
        let mut slot = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(n) = slot.as_ref().filter(|n| n.version == version) {
            return Ok(n.clone());
        }
        let started = std::time::Instant::now();
        let built = Arc::new(Nesting::new(q::nesting_rows(conn)?, version));
        tracing::debug!(groups = built.ids.len(), nested = built.down.items.len(), ms = started.elapsed().as_millis() as u64, "group nesting built");
        *slot = Some(built.clone());
        Ok(built)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 0 ⊃ 1 ⊃ 2, 0 ⊃ 2; 3 ⊃ 4 ⊃ 3 (a cycle).
    fn sample() -> Nesting {
        let rows = NestingRows {
            ids: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
            rank: vec![4, 3, 2, 1, 0],
            edges: vec![(0, 1), (0, 2), (1, 2), (3, 4), (4, 3)],
        };
        Nesting::new(rows, 7)
    }

    #[test]
    fn walks_up_and_down_at_the_shortest_depth_once_each() {
        let n = sample();
        assert_eq!(n.up_from(&[2], None, true), [(2, 1), (0, 2), (1, 2)]);
        assert_eq!(n.up_from(&[2], None, false), [(2, 1)]);
        assert_eq!(n.up_from(&[4], Some(3), true), [(4, 1)], "the group asked about is not its own ancestor");
        assert_eq!(n.down_from(0), [(1, 1), (2, 1)]);
        assert_eq!(n.down_from(3), [(4, 1)]);
        assert_eq!((n.number("c"), n.number("zz"), n.id(1), n.rank(0)), (Some(2), None, "b", 4));
    }

    #[test]
    fn the_chain_is_the_shortest_way_up() {
        let n = sample();
        assert_eq!(n.chain(&[2], None, 0), Some(vec![2, 0]));
        assert_eq!(n.chain(&[2], None, 2), Some(vec![2]));
        assert_eq!(n.chain(&[1], None, 0), Some(vec![1, 0]));
        assert_eq!(n.chain(&[2], None, 3), None);
        assert_eq!(n.chain(&[4], Some(3), 3), None, "a cycle does not lead back to the object");
    }
}
