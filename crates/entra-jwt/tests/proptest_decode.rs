//! Decoding and validating never panic: arbitrary strings, arbitrary segments, mutated real tokens.
mod common;

use common::*;
use entra_jwt::{decode, inspect, NoGroupNames};
use proptest::prelude::*;

fn inspect_any(input: &str) {
    let keys = real_keys();
    if let Ok(ins) = inspect(input, &settings(), Some(&keys), &NoGroupNames, at(1_730_750_000)) {
        let _ = serde_json::to_string(&ins).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,300}") {
        let _ = decode(&s);
        inspect_any(&s);
    }

    #[test]
    fn arbitrary_segments_never_panic(a in "[A-Za-z0-9_=-]{0,80}", b in "[A-Za-z0-9_=-]{0,80}", c in "[A-Za-z0-9_=-]{0,80}") {
        inspect_any(&format!("{a}.{b}.{c}"));
    }

    #[test]
    fn json_segments_never_panic(h in any::<std::collections::HashMap<String, i64>>(), p in ".{0,60}") {
        use base64::Engine;
        let e = |s: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let header = serde_json::to_vec(&h).unwrap();
        inspect_any(&format!("{}.{}.c2ln", e(&header), e(p.as_bytes())));
    }

    #[test]
    fn mutated_real_tokens_never_panic(which in 0usize..4, edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let (_, token, _) = real_tokens().swap_remove(which);
        let mut bytes = token.into_bytes();
        for (i, b) in edits {
            let at = i.index(bytes.len());
            bytes[at] = b;
        }
        let s = String::from_utf8_lossy(&bytes).to_string();
        inspect_any(&s);
    }

    #[test]
    fn mutated_claims_never_panic(which in 0usize..4, cut in 0usize..2000) {
        // Truncation at any point.
        let (_, token, _) = real_tokens().swap_remove(which);
        let cut = cut.min(token.len());
        inspect_any(&token[..cut]);
    }
}

/// A long random loop (run with `--ignored`), the stand-in figure when cargo-fuzz is unavailable.
#[test]
#[ignore]
fn long_random_loop() {
    use proptest::test_runner::{Config, TestRunner};
    let runs: u32 = std::env::var("ENTRA_JWT_RANDOM_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let mut runner = TestRunner::new(Config { cases: runs, failure_persistence: None, ..Config::default() });
    let tokens: Vec<String> = real_tokens().into_iter().map(|t| t.1).collect();
    let started = std::time::Instant::now();
    runner
        .run(&(0usize..4, prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6), ".{0,40}"), |(w, edits, junk)| {
            let mut bytes = tokens[w].clone().into_bytes();
            for (i, b) in edits {
                let at = i.index(bytes.len());
                bytes[at] = b;
            }
            inspect_any(&String::from_utf8_lossy(&bytes));
            inspect_any(&junk);
            Ok(())
        })
        .unwrap();
    eprintln!("{runs} random inputs in {:.1?}", started.elapsed());
}
