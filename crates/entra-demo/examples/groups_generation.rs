//! Times the demo tenant's groups generation (`inventory::populate`) at the
//! defaults and at the benchmark's size (5,000 groups, 100,000 memberships),
//! so the in-process start-up cost stays visible:
//! `cargo run --release -p entra-demo --example groups_generation`.

use entra_demo::directory::Directory;
use entra_demo::inventory::{generate, populate, GroupSizes};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let cases = [
        ("defaults (12,000 users, 400 groups)", GroupSizes { users: entra_demo::DEFAULT_USERS, groups: entra_demo::DEFAULT_GROUPS, memberships: None }),
        ("benchmark (12,000 users, 5,000 groups, 100,000 memberships)", GroupSizes { users: entra_demo::DEFAULT_USERS, groups: 5_000, memberships: Some(100_000) }),
    ];
    for (name, sizes) in cases {
        let mut best = f64::MAX;
        let mut memberships = 0;
        for _ in 0..5 {
            let mut dir = Directory::new(1, now)?;
            let mut inv = generate(1, now, entra_demo::DEFAULT_APPS, &mut dir);
            let started = Instant::now();
            populate(1, now, sizes, &dir, &mut inv);
            best = best.min(started.elapsed().as_secs_f64() * 1000.0);
            memberships = inv.groups.iter().map(|g| g.members.len()).sum();
        }
        println!("{name}: {memberships} memberships, best of 5: {best:.1} ms");
    }
    Ok(())
}
