//! The benchmarks' view of the app's processes in `/proc`: the tree under a process, one
//! by its binary's name, and the proportional set size (PSS) of a tree, so libraries shared
//! between the app and its WebKit processes are not counted twice.

use std::path::Path;

/// Every process under `pid`, at any depth.
pub fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else { return out };
    for entry in entries.flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else { continue };
        // The parent PID is the second field after the parenthesised command name.
        let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)).and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(child);
            out.extend(children_of(child));
        }
    }
    out
}

/// The PSS of one process, KiB (0 when it is gone).
pub fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Pss:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// The PSS of `pid` and every process under it, KiB.
pub fn tree_pss_kib(pid: u32) -> u64 {
    pss_kib(pid) + children_of(pid).into_iter().map(pss_kib).sum::<u64>()
}

/// The process under `under` running `binary` (matched on its name, which `comm` cuts at 15 bytes).
pub fn process_named(under: u32, binary: &Path) -> Option<u32> {
    let name = binary.file_name()?.to_string_lossy().into_owned();
    children_of(under).into_iter().find(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).map(|c| name.starts_with(c.trim())).unwrap_or(false))
}
