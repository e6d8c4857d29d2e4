//! The group cache's reads at tenant scale: served by SQLite in place (migration
//! `0004_groups_search`) against the in-memory index every process used to build from the
//! whole cache (`old_index.rs`), in the same run, on the same file.
//!
//! ```text
//! cargo run --release -p entra-core --example groups_reads_bench
//! cargo run --release -p entra-core --example groups_reads_bench -- --users 1000000 --groups 100000 --memberships 5000000
//! cargo run --release -p entra-core --example groups_reads_bench -- --cache /tmp/bench/cache.sqlite   # keep (or reuse) the file
//! ```
//!
//! The parent fills a cache file through entra-store (`replace_all`: groups, memberships, names,
//! then the search index and member counts) with generated users, groups — 20 large ones, a
//! forest of nested groups with a few cycles — and memberships, then runs each way in a fresh
//! child process of its own, so each one's peak RSS (`VmHWM`) is its own:
//!
//! - **one shot**: what `entractl groups member-of USER --transitive --offline` does: open the
//!   cache and answer one user's transitive groups (the old way: load everything, build, look up);
//! - **member-of** and **why** over `--lookups` random users (why: to the user's deepest
//!   group, or a random group for users in none), p50/p99. New: the whole service call
//!   (`Groups::member_of`/`why`: the policy check and the hit counter's write included); old: the
//!   lookup in the built index;
//! - **search**: a keystroke of the user picker, a 1–4 letter prefix of a word of a random
//!   user's name (`search_users(prefix, 50)`), p50/p99;
//! - **list page**: 100 groups at a random position, by name or by member count, a quarter of
//!   them searched (old: the whole sorted list, which its `list` returned, then the slice);
//! - **members**: pages of the largest group's members and of a top group's transitive members.
//!
//! Numbers, not pass/fail.

mod old_index;

use entra_core::groups::Groups;
use entra_core::paging::ListQuery;
use entra_core::Desk;
use entra_store::queries::groups::{self as q, GroupRecord, Membership, NameRecord, SyncRecord};
use entra_store::Store;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const FIRST: &[&str] = &[
    "John", "Mary", "Ahmed", "Li", "Sofia", "Lucas", "Emma", "Noah", "Olivia", "Liam", "Ava", "Mateo", "Mia", "Elijah", "Zoë", "James",
    "Amelia", "Hiro", "Priya", "Chen", "Fatima", "Omar", "Ingrid", "Björn", "Aisha", "Diego", "Camila", "Yuki", "Anna", "Pierre",
    "Giulia", "Marco", "Sven", "Nadia", "Ravi", "Kofi", "Amara", "Tomás", "Élodie", "Jakub", "Zofia", "Ivan", "Olga", "Mehmet",
];
const LAST: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez",
    "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres",
    "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Dubois", "Lefèvre", "Rossi", "Russo",
    "Kowalski", "Nowak", "Andersson", "Johansson", "Larsen", "Nielsen", "Tanaka", "Suzuki", "Kim", "Park", "Wang", "Zhang", "Singh",
];
const DEPTS: &[&str] = &[
    "Sales", "Finance", "Engineering", "Marketing", "Legal", "Support", "Research", "Operations", "Security", "Design", "Data",
    "Platform", "Mobile", "Cloud", "Identity", "Payroll", "Procurement", "Facilities", "Training", "Quality",
];
const KINDS: &[&str] = &["Team", "Project", "Guild", "Council", "Squad", "Chapter", "Leads", "Readers", "Admins", "Contractors"];
const REGIONS: &[&str] = &["EMEA", "Americas", "APAC", "Paris", "London", "Seattle", "Tokyo", "Berlin", "Sydney", "Toronto"];

/// splitmix64: a deterministic generator, the same in the parent and the children.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn guid(kind: u64, i: usize) -> String {
    let mut r = Rng(kind << 48 ^ i as u64);
    let (a, b) = (r.next(), r.next());
    format!("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff, (b >> 48) & 0x3fff | 0x8000, b & 0xffff_ffff_ffff)
}

fn user_name(i: usize) -> (String, String) {
    let mut r = Rng(0xA11CE ^ i as u64);
    let (first, last) = (FIRST[r.below(FIRST.len())], LAST[r.below(LAST.len())]);
    (format!("{first} {last}"), format!("{}.{}{i}@contoso.com", first.to_lowercase(), last.to_lowercase()))
}

fn group_name(i: usize) -> String {
    if i < 20 {
        return format!("All {} {}", DEPTS[i], REGIONS[i % REGIONS.len()]);
    }
    let mut r = Rng(0x6A0 ^ i as u64);
    format!("{} {} {} {i}", DEPTS[r.below(DEPTS.len())], REGIONS[r.below(REGIONS.len())], KINDS[r.below(KINDS.len())])
}

#[derive(Clone, Copy)]
struct Size {
    users: usize,
    groups: usize,
    memberships: usize,
    lookups: usize,
}

fn args() -> (Size, Option<(String, PathBuf)>, Option<PathBuf>) {
    let mut size = Size { users: 200_000, groups: 20_000, memberships: 1_000_000, lookups: 1000 };
    let (mut child, mut cache) = (None, None);
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < argv.len() {
        let number = || argv[i + 1].parse::<usize>().unwrap_or_else(|_| panic!("{} needs a number", argv[i]));
        match argv[i].as_str() {
            "--users" => size.users = number(),
            "--groups" => size.groups = number(),
            "--memberships" => size.memberships = number(),
            "--lookups" => size.lookups = number(),
            "--cache" => cache = Some(PathBuf::from(&argv[i + 1])),
            "--child" => child = Some((argv[i + 1].clone(), PathBuf::from(argv.get(i + 2).expect("--child WAY PATH")))),
            other => panic!("unknown argument {other}"),
        }
        i += if argv[i] == "--child" { 3 } else { 2 };
    }
    (size, child, cache)
}

/// Groups (20 large, a forest of nested ones, a few cycles), users and memberships.
fn generate(size: Size) -> (Vec<GroupRecord>, Vec<Membership>, Vec<NameRecord>) {
    let groups: Vec<GroupRecord> = (0..size.groups)
        .map(|i| {
            let name = group_name(i);
            let mail = (i % 3 == 0).then(|| format!("{}@contoso.com", name.to_lowercase().replace(' ', ".")));
            GroupRecord { id: guid(1, i), display_name: Some(name), mail, security_enabled: true, mail_enabled: i % 3 == 0, ..Default::default() }
        })
        .collect();
    let mut names: Vec<NameRecord> = (0..size.users)
        .map(|i| {
            let (display, upn) = user_name(i);
            let mail = (i % 5 != 0).then(|| upn.clone());
            NameRecord { id: guid(2, i), kind: "user".into(), display_name: Some(display), user_principal_name: Some(upn), mail }
        })
        .collect();
    let sps = size.users / 200;
    names.extend((0..sps).map(|i| NameRecord { id: guid(3, i), kind: "servicePrincipal".into(), display_name: Some(format!("App {i}")), ..Default::default() }));
    let mut r = Rng(42);
    let mut seen: HashSet<(u32, u32, u8)> = HashSet::new();
    let mut memberships = Vec::with_capacity(size.memberships);
    let mut add = |g: usize, m: usize, kind: u8, out: &mut Vec<Membership>| {
        if seen.insert((g as u32, m as u32, kind)) {
            let (member_id, member_type) = match kind {
                0 => (guid(2, m), "user"),
                1 => (guid(1, m), "group"),
                _ => (guid(3, m), "servicePrincipal"),
            };
            out.push(Membership { group_id: guid(1, g), member_id, member_type: member_type.into() });
        }
    };
    for g in 20..size.groups {
        if r.unit() < 0.12 {
            add(r.below(g), g, 1, &mut memberships);
        }
    }
    for _ in 0..40 {
        let (a, b) = (20 + r.below(size.groups - 20), 20 + r.below(size.groups - 20));
        add(a.max(b), a.min(b), 1, &mut memberships);
    }
    for _ in 0..sps * 3 {
        add(r.below(size.groups), r.below(sps.max(1)), 2, &mut memberships);
    }
    while memberships.len() < size.memberships {
        let g = if r.unit() < 0.15 { r.below(20) } else { 20 + ((size.groups - 20) as f64 * r.unit().powf(1.5)) as usize };
        add(g.min(size.groups - 1), r.below(size.users), 0, &mut memberships);
    }
    // As a sync writes them: group by group.
    memberships.sort_by(|a, b| (&a.group_id, &a.member_id).cmp(&(&b.group_id, &b.member_id)));
    (groups, memberships, names)
}

fn fill(path: &Path, size: Size) {
    let started = Instant::now();
    let (groups, memberships, names) = generate(size);
    let generated = started.elapsed();
    let store = Store::open(path).unwrap();
    let started = Instant::now();
    let record = SyncRecord {
        scope: "bench".into(),
        groups_delta_link: None,
        users_delta_link: None,
        as_of: chrono::Utc::now(),
        full: true,
        requests: 0,
        duration_ms: 0,
        fallback: None,
    };
    store.write(|tx| q::replace_all(tx, &groups, &memberships, &names).and_then(|_| q::set_sync(tx, &record))).unwrap();
    let written = started.elapsed();
    let started = Instant::now();
    store.write(q::rebuild_search).unwrap();
    println!(
        "filled: {} groups, {} users (+{} service principals), {} memberships; generated in {:.1} s, written in {:.1} s \
         (replace_all, the search index and counts included; rebuild_search alone: {:.1} s)",
        groups.len(),
        size.users,
        names.len() - size.users,
        memberships.len(),
        generated.as_secs_f64(),
        written.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    kb / 1024.0
}

fn pct(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let show = |d: Duration| if us(d) >= 10_000.0 { format!("{:.1} ms", us(d) / 1000.0) } else { format!("{:.0} µs", us(d)) };
    format!("p50 {:>9}, p99 {:>9}", show(at(50)), show(at(99)))
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let out = f();
    (out, started.elapsed())
}

/// The lookups both ways make, drawn the same way in each child.
struct Work {
    users: Vec<String>,
    keystrokes: Vec<String>,
    lists: Vec<ListQuery>,
}

fn work(size: Size) -> Work {
    let mut r = Rng(7);
    let picked: Vec<usize> = (0..size.lookups).map(|_| r.below(size.users)).collect();
    let keystrokes = picked
        .iter()
        .map(|&i| {
            let (name, _) = user_name(i);
            let words: Vec<&str> = name.split(' ').collect();
            let word: Vec<char> = words[r.below(words.len())].to_lowercase().chars().collect();
            word[..1 + r.below(word.len().min(4))].iter().collect()
        })
        .collect();
    let lists = (0..size.lookups)
        .map(|_| {
            let search = (r.below(4) == 0).then(|| {
                let word = DEPTS[r.below(DEPTS.len())].to_lowercase();
                word[..2 + r.below(3)].to_string()
            });
            let start = if search.is_some() { 0 } else { r.below(size.groups.saturating_sub(100).max(1)) as u64 };
            let sort = Some(if r.below(2) == 0 { "name" } else { "members" }.to_string());
            ListQuery { search, sort, descending: r.below(2) == 0, start, limit: Some(100) }
        })
        .collect();
    Work { users: picked.iter().map(|&i| guid(2, i)).collect(), keystrokes, lists }
}

async fn new_way(path: &Path, size: Size) {
    let w = work(size);
    let started = Instant::now();
    let data_dir = path.parent().unwrap();
    let groups = Groups::new(Desk::open(data_dir).unwrap(), entra_core::cache::open(data_dir).unwrap());
    let first = groups.member_of(None, &w.users[0], true).await.unwrap();
    println!("[new] one shot: open + transitive member-of ({} groups): {:.1} ms", first.groups.len(), started.elapsed().as_secs_f64() * 1e3);
    let (mut member_of, mut why, mut found) = (Vec::new(), Vec::new(), 0usize);
    let mut targets = Vec::new();
    for user in &w.users {
        let started = Instant::now();
        let answer = groups.member_of(None, user, true).await.unwrap();
        member_of.push(started.elapsed());
        found += answer.groups.len();
        targets.push(answer.groups.last().map(|g| g.group.id.clone()).unwrap_or_else(|| guid(1, user.len() * 7 % size.groups)));
    }
    let mut members = 0;
    for (user, group) in w.users.iter().zip(&targets) {
        let started = Instant::now();
        let answer = groups.why(None, user, group).await.unwrap();
        why.push(started.elapsed());
        members += answer.member as usize;
    }
    println!("[new] member-of, transitive: {} ({} users, {:.1} groups each)", pct(member_of), w.users.len(), found as f64 / w.users.len() as f64);
    let store = groups.store();
    let walks: Vec<Duration> = w.users.iter().map(|user| timed(|| store.read(|c| walk_up(c, user))).1).collect();
    println!("[new]   the same, the store's walk alone (no policy check, no hit counter, no thread hop): {}", pct(walks));
    println!("[new] why:                   {} ({members} of {} chains found)", pct(why), w.users.len());
    let mut search = Vec::new();
    for text in &w.keystrokes {
        let started = Instant::now();
        groups.search_users(text, 50).await.unwrap();
        search.push(started.elapsed());
    }
    println!("[new] search keystroke:      {} (word prefixes of 1-4 letters, 50 users)", pct(search));
    let mut lists = Vec::new();
    for query in &w.lists {
        let started = Instant::now();
        groups.list_page(None, query).await.unwrap();
        lists.push(started.elapsed());
    }
    println!("[new] list page (100 rows):  {} (by name or members, a quarter searched)", pct(lists));
    let largest = groups.list_page(None, &ListQuery { sort: Some("members".into()), descending: true, limit: Some(1), ..Default::default() }).await.unwrap();
    let largest = &largest.groups.items[0];
    for (transitive, at) in [(false, 0), (false, largest.direct_members as u64 / 2), (true, 0)] {
        let query = ListQuery { start: at, limit: Some(100), ..Default::default() };
        let started = Instant::now();
        let page = groups.members_page(None, &largest.id, transitive, &query).await.unwrap();
        let took = started.elapsed();
        println!(
            "[new] members page of the largest group ({}, {} members, row {at}): {:.1} ms",
            if transitive { "transitive" } else { "direct" },
            page.members.total,
            took.as_secs_f64() * 1e3
        );
    }
    println!("[new] peak RSS (VmHWM): {:.0} MB", peak_rss_mb());
}

/// What `Groups::member_of` reads, without the service around it: the object, its groups
/// breadth-first up the `group_members_by_member` index, their names.
fn walk_up(conn: &entra_store::Connection, user: &str) -> entra_store::Result<usize> {
    q::object(conn, user)?;
    let mut seen: HashSet<String> = HashSet::from([user.to_string()]);
    let mut queue = std::collections::VecDeque::from([user.to_string()]);
    let mut found = Vec::new();
    while let Some(node) = queue.pop_front() {
        for parent in q::parents(conn, &node)? {
            if seen.insert(parent.clone()) {
                found.push(parent.clone());
                queue.push_back(parent);
            }
        }
    }
    Ok(q::group_names(conn, &found)?.len())
}

fn old_way(path: &Path, size: Size) {
    let w = work(size);
    let started = Instant::now();
    let store = Store::open(path).unwrap();
    let (loaded, load) = timed(|| store.read(|c| Ok((q::state(c)?.sync.map(|s| s.as_of), q::groups(c)?, q::memberships(c)?, q::names(c)?))).unwrap());
    let (index, build) = timed(|| old_index::Index::build(loaded.0, loaded.1, loaded.2, loaded.3));
    let first = index.member_of(&w.users[0], true).unwrap();
    println!(
        "[old] one shot: open + load + build + transitive member-of ({} groups): {:.1} ms (load {:.0} ms, build {:.0} ms)",
        first.1.len(),
        started.elapsed().as_secs_f64() * 1e3,
        load.as_secs_f64() * 1e3,
        build.as_secs_f64() * 1e3
    );
    let (mut member_of, mut why, mut targets) = (Vec::new(), Vec::new(), Vec::new());
    for user in &w.users {
        let (answer, took) = timed(|| index.member_of(user, true).unwrap());
        member_of.push(took);
        targets.push(answer.1.last().map(|g| g.group.id.clone()).unwrap_or_else(|| guid(1, user.len() * 7 % size.groups)));
    }
    let mut members = 0;
    for (user, group) in w.users.iter().zip(&targets) {
        let (answer, took) = timed(|| index.why(user, group).unwrap());
        why.push(took);
        members += !answer.2.is_empty() as usize;
    }
    println!("[old] member-of, transitive: {}", pct(member_of));
    println!("[old] why:                   {} ({members} of {} chains found)", pct(why), w.users.len());
    let search: Vec<Duration> = w.keystrokes.iter().map(|text| timed(|| index.search_users(text, 50)).1).collect();
    println!("[old] search keystroke:      {} (substring of name, UPN or ID)", pct(search));
    let lists: Vec<Duration> = w
        .lists
        .iter()
        .map(|query| timed(|| index.group_rows().into_iter().skip(query.start as usize).take(100).count()).1)
        .collect();
    println!("[old] list (whole, sorted, then 100 rows): {}", pct(lists));
    let mut rows = index.group_rows();
    rows.sort_by_key(|r| std::cmp::Reverse(r.direct_members));
    for transitive in [false, true] {
        let (members, took) = timed(|| index.members(&rows[0].id, transitive).unwrap().1.len());
        println!("[old] members of the largest group ({}, {members}): {:.1} ms", if transitive { "transitive" } else { "direct" }, took.as_secs_f64() * 1e3);
    }
    println!("[old] peak RSS (VmHWM): {:.0} MB", peak_rss_mb());
}

fn main() {
    let (size, child, cache) = args();
    if let Some((way, path)) = child {
        match way.as_str() {
            "new" => tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(new_way(&path, size)),
            "old" => old_way(&path, size),
            other => panic!("unknown way {other}"),
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = cache.unwrap_or_else(|| dir.path().join(entra_core::cache::CACHE_FILE));
    if path.exists() {
        println!("reusing {} (its sizes must be the ones given)", path.display());
    } else {
        fill(&path, size);
    }
    let bytes: u64 = ["", "-wal"].iter().map(|s| std::fs::metadata(format!("{}{s}", path.display())).map(|m| m.len()).unwrap_or(0)).sum();
    println!("cache file: {:.0} MB", bytes as f64 / (1 << 20) as f64);
    for way in ["new", "old"] {
        let exe = std::env::current_exe().unwrap();
        let sizes = ["--users", &size.users.to_string(), "--groups", &size.groups.to_string(), "--memberships", &size.memberships.to_string()]
            .map(String::from);
        let status = std::process::Command::new(exe)
            .args(sizes)
            .args(["--lookups".to_string(), size.lookups.to_string(), "--child".into(), way.into(), path.display().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "the {way} child failed");
    }
}
