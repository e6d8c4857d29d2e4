//! Who owns an in-flight intent or revocation, written with the record so that reconciliation in
//! another process never decides a record whose Graph call is still running, yet decides at once
//! (without waiting out [`super::INTENT_GRACE`]) one whose owner is provably dead.
//!
//! The owner is `host:machine-id:boot-id:pid-ns:pid:starttime` (`-` for a part that cannot be read:
//! off Linux, all but host and pid). A bare `host:pid`, as earlier versions wrote, was ambiguous:
//! a process in another PID namespace (a container or a Flatpak sandbox sharing the host name) is
//! missing from our `/proc` while it runs, and a PID reused after its owner died looks alive. So a
//! PID is looked up in our `/proc` only if the record comes from this kernel boot (boot ID) and our
//! PID namespace, and our `/proc` shows that namespace; the start time (field 22 of
//! `/proc/<pid>/stat`, clock ticks since boot) tells the owner from a later process with its PID.
//! Every doubt answers [`Owner::MaybeAlive`]: waiting out the grace period is always safe.

/// This process, as an intent's owner.
pub(crate) fn this_process() -> String {
    Identity::ours().to_text()
}

/// Who recorded an intent or a revocation that has not finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// This process (its in-flight set says whether the call is still running).
    ThisProcess,
    /// A process of this host that no longer exists: its call will never finish.
    Gone,
    /// Another host's process, one that still runs, or one we cannot check: judged only after
    /// [`super::INTENT_GRACE`].
    MaybeAlive,
}

/// Who `owner` (written by [`this_process`]) is. Same host, boot and PID namespace: ours with our
/// start time is [`Owner::ThisProcess`]; a PID missing from `/proc`, or there with another start
/// time (reused), is [`Owner::Gone`]; one there with the recorded start time is still running.
/// Unparsable text, unknown parts, another host or namespace are [`Owner::MaybeAlive`], and so is
/// the legacy `host:pid`: it does not say which PID namespace wrote it, so judging its PID in our
/// `/proc` is the very defect fixed here; such a record (left by an upgrade) waits out the grace
/// period once.
pub(crate) fn owner(owner: Option<&str>) -> Owner {
    owner.and_then(Identity::parse).map_or(Owner::MaybeAlive, |theirs| judge(&theirs, &Identity::ours()))
}

/// A process, unambiguously; `None` for a part that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    host: String,
    machine: Option<String>,
    boot: Option<String>,
    pid_ns: Option<u64>,
    pid: u32,
    start: Option<u64>,
}

impl Identity {
    fn ours() -> Identity {
        let linux = cfg!(any(target_os = "linux", target_os = "android"));
        let read = |path: &str| linux.then(|| std::fs::read_to_string(path).ok()).flatten();
        Identity {
            host: host_name(),
            machine: read("/etc/machine-id").or_else(|| read("/var/lib/dbus/machine-id")).and_then(app_machine_id),
            boot: read("/proc/sys/kernel/random/boot_id").and_then(|b| boot_id(b.trim())),
            pid_ns: linux.then(pid_namespace).flatten(),
            pid: std::process::id(),
            start: read("/proc/self/stat").and_then(|s| stat_start(&s)),
        }
    }

    fn to_text(&self) -> String {
        fn part<T: ToString>(value: &Option<T>) -> String {
            value.as_ref().map_or_else(|| "-".to_string(), T::to_string)
        }
        let Identity { host, machine, boot, pid_ns, pid, start } = self;
        format!("{host}:{}:{}:{}:{pid}:{}", part(machine), part(boot), part(pid_ns), part(start))
    }

    /// From the right, so that a host name with a colon survives; `None` for anything odd.
    fn parse(text: &str) -> Option<Identity> {
        /// `Some(None)` for `-`, `None` for a part that is neither `-` nor valid.
        fn part<T>(text: &str, valid: impl Fn(&str) -> Option<T>) -> Option<Option<T>> {
            (text == "-").then_some(None).or_else(|| valid(text).map(Some))
        }
        let number = |s: &str| s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse::<u64>().ok()).flatten();
        let mut parts = text.rsplitn(6, ':');
        let start = part(parts.next()?, number)?;
        let pid = number(parts.next()?).and_then(|p| u32::try_from(p).ok())?;
        let pid_ns = part(parts.next()?, number)?;
        let boot = part(parts.next()?, boot_id)?;
        let machine = part(parts.next()?, machine_id)?;
        let host = parts.next()?.to_string();
        Some(Identity { host, machine, boot, pid_ns, pid, start })
    }
}

fn judge(theirs: &Identity, ours: &Identity) -> Owner {
    if theirs.host != ours.host {
        return Owner::MaybeAlive;
    }
    // Off Linux only host and pid are known (as before); on Linux boot and namespace must match.
    if (&theirs.boot, theirs.pid_ns, theirs.pid, theirs.start) == (&ours.boot, ours.pid_ns, ours.pid, ours.start) {
        return Owner::ThisProcess;
    }
    let (Some(their_boot), Some(our_boot)) = (&theirs.boot, &ours.boot) else {
        return Owner::MaybeAlive;
    };
    if their_boot != our_boot {
        // Another boot ID is another kernel: this machine before a reboot (no process survives
        // one), or another machine or VM of the same host name sharing the store through a shared
        // folder, whose process may run. Neither the host name (clones, "localhost") nor the PID
        // namespace (a boot's first one always has the same inode) tells them apart; the machine
        // ID (/etc/machine-id, one per installation) does. Left: two live clones with one machine
        // ID and host name sharing the file, over a network folder SQLite's locking does not support.
        let same_machine = theirs.machine.is_some() && theirs.machine == ours.machine;
        return if same_machine { Owner::Gone } else { Owner::MaybeAlive };
    }
    // Same kernel: our /proc speaks for the owner's PID only in its namespace, if it is mounted
    // for ours (not the host's /proc bind-mounted into a container) and shows every process.
    let same_ns = theirs.pid_ns.is_some() && theirs.pid_ns == ours.pid_ns;
    let Some(their_start) = theirs.start.filter(|_| same_ns && proc_is_ours()) else {
        return Owner::MaybeAlive;
    };
    match std::fs::read_to_string(format!("/proc/{}/stat", theirs.pid)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !pids_hidden() => Owner::Gone,
        Ok(stat) if stat_start(&stat).is_some_and(|start| start != their_start) => Owner::Gone,
        // A process killed but not yet waited for by its parent (a zombie) keeps its stat, start
        // time and all, yet runs no code any more: it finishes nothing it started.
        Ok(stat) if stat_state(&stat) == Some('Z') => Owner::Gone,
        _ => Owner::MaybeAlive,
    }
}

/// Field 3 (state: `R`, `S`, `Z` for a zombie…) of `/proc/<pid>/stat`.
fn stat_state(stat: &str) -> Option<char> {
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_ascii_whitespace().next()?.chars().next()
}

pub(crate) fn host_name() -> String {
    let named = std::fs::read_to_string("/proc/sys/kernel/hostname").ok().or_else(|| std::env::var("HOSTNAME").ok());
    let name = named.or_else(|| std::env::var("COMPUTERNAME").ok()).map(|h| h.trim().to_string()).filter(|h| !h.is_empty());
    name.unwrap_or_else(|| "localhost".to_string())
}

/// A boot ID: a UUID (no colon, lower case as the kernel writes it).
fn boot_id(text: &str) -> Option<String> {
    let uuid = text.len() == 36 && text.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    uuid.then(|| text.to_ascii_lowercase())
}

/// A machine ID: 32 hex digits.
fn machine_id(text: &str) -> Option<String> {
    (text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())).then(|| text.to_ascii_lowercase())
}

/// The machine ID as this app's own, since systemd asks that the raw ID not be spread: a label and
/// the ID, hashed (SHA-256, the first 16 bytes in hex).
fn app_machine_id(raw: String) -> Option<String> {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(format!("entra-desk lease owner:{}", machine_id(raw.trim())?));
    Some(hex::encode(&digest[..16]))
}

/// Our PID namespace: the inode in the link target `pid:[4026531836]`.
fn pid_namespace() -> Option<u64> {
    let target = std::fs::read_link("/proc/self/ns/pid").ok()?;
    target.to_str()?.strip_prefix("pid:[")?.strip_suffix(']')?.parse().ok()
}

/// Field 22 (starttime) of `/proc/<pid>/stat`. Field 2 (comm, in parentheses) may hold spaces and
/// parentheses itself, so the fields are counted after the last `)`, where field 3 begins.
fn stat_start(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_ascii_whitespace().nth(22 - 3)?.parse().ok()
}

/// Whether `/proc` is mounted for our PID namespace: its `self` is our PID.
fn proc_is_ours() -> bool {
    let target = std::fs::read_link("/proc/self").ok();
    target.and_then(|t| t.to_str()?.parse::<u32>().ok()) == Some(std::process::id())
}

/// Whether `/proc` may hide other users' processes (`hidepid=`), or we cannot tell: then a
/// missing PID proves nothing.
fn pids_hidden() -> bool {
    // `id parent dev root mountpoint options [tags] - fstype source superoptions`; the last mount
    // on /proc is the one we see.
    let proc_options = |mounts: String| {
        let line = mounts.lines().rfind(|l| l.split(' ').nth(4) == Some("/proc"))?;
        Some(line.split_once(" - ")?.1.split(' ').nth(2)?.to_string())
    };
    let Some(options) = std::fs::read_to_string("/proc/self/mountinfo").ok().and_then(proc_options) else { return true };
    options.split(',').any(|o| o.strip_prefix("hidepid=").is_some_and(|v| v != "0" && v != "off"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command};

    /// The record `child` would write (read before it is waited for: a zombie keeps its stat).
    fn record_of(child: &Child) -> String {
        let start = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).ok().and_then(|s| stat_start(&s));
        Identity { pid: child.id(), start, ..Identity::ours() }.to_text()
    }

    fn judged(identity: Identity) -> Owner {
        owner(Some(&identity.to_text()))
    }

    #[test]
    fn this_process_is_this_process_and_round_trips() {
        let ours = Identity::ours();
        assert_eq!(Identity::parse(&this_process()), Some(ours.clone()));
        assert_eq!(owner(Some(&this_process())), Owner::ThisProcess);
        let raw = std::fs::read_to_string("/etc/machine-id").map(|m| m.trim().to_string());
        assert!(!raw.is_ok_and(|m| !m.is_empty() && this_process().contains(&m)), "the machine ID is recorded hashed");
        if cfg!(target_os = "linux") {
            assert!(ours.boot.is_some() && ours.pid_ns.is_some() && ours.start.is_some(), "{ours:?}");
            assert!(proc_is_ours() && !pids_hidden(), "these tests need a /proc of our namespace showing all PIDs");
        }
        let colons = Identity { host: "fe80::1".into(), ..ours };
        assert_eq!(Identity::parse(&colons.to_text()), Some(colons));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_exited_child_is_gone_and_a_running_one_maybe_alive_until_killed() {
        let mut done = Command::new("true").spawn().unwrap();
        let record = record_of(&done);
        done.wait().unwrap();
        assert_eq!(owner(Some(&record)), Owner::Gone, "{record}");
        let mut running = Command::new("sleep").arg("5").spawn().unwrap();
        let record = record_of(&running);
        assert_eq!(owner(Some(&record)), Owner::MaybeAlive, "{record}");
        running.kill().unwrap();
        // Killed, not yet waited for: a zombie, which runs nothing any more.
        while std::fs::read_to_string(format!("/proc/{}/stat", running.id())).ok().and_then(|s| stat_state(&s)) != Some('Z') {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(owner(Some(&record)), Owner::Gone, "a zombie: {record}");
        running.wait().unwrap();
        assert_eq!(owner(Some(&record)), Owner::Gone, "{record}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_reused_pid_is_gone() {
        let ours = Identity::ours();
        assert_eq!(judged(Identity { start: ours.start.map(|s| s + 1), ..ours }), Owner::Gone, "our PID, an earlier owner");
        let mut running = Command::new("sleep").arg("5").spawn().unwrap();
        let live = Identity::parse(&record_of(&running)).unwrap();
        assert_eq!(judged(Identity { start: live.start.map(|s| s.saturating_sub(1)), ..live }), Owner::Gone);
        running.kill().unwrap();
        running.wait().unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn another_namespace_host_or_unknown_part_is_never_judged_by_our_proc() {
        let mut done = Command::new("true").spawn().unwrap();
        let gone = Identity::parse(&record_of(&done)).unwrap();
        done.wait().unwrap();
        assert_eq!(judged(gone.clone()), Owner::Gone);
        let ns = gone.pid_ns.unwrap();
        assert_eq!(judged(Identity { pid_ns: Some(ns + 1), ..gone.clone() }), Owner::MaybeAlive, "a container's PID");
        assert_eq!(judged(Identity { host: "elsewhere".into(), ..gone.clone() }), Owner::MaybeAlive);
        assert_eq!(judged(Identity { pid_ns: None, ..gone.clone() }), Owner::MaybeAlive);
        assert_eq!(judged(Identity { start: None, ..gone.clone() }), Owner::MaybeAlive);
        assert_eq!(judged(Identity { boot: None, ..gone.clone() }), Owner::MaybeAlive);
        let ours = Identity::ours();
        assert_eq!(judged(Identity { pid_ns: Some(ns + 1), ..ours }), Owner::MaybeAlive, "our PID in a container");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn another_boot_of_this_machine_is_gone_of_another_machine_maybe_alive() {
        let ours = Identity::ours();
        let before = Identity { boot: Some("00000000-0000-4000-8000-000000000000".into()), ..ours.clone() };
        let with = |machine: Option<&str>, i: &Identity| Identity { machine: machine.map(String::from), ..i.clone() };
        let (one, two) = (Some("0123456789abcdef0123456789abcdef"), Some("fedcba9876543210fedcba9876543210"));
        assert_eq!(judge(&with(one, &before), &with(one, &ours)), Owner::Gone, "this machine before a reboot");
        assert_eq!(judge(&with(two, &before), &with(one, &ours)), Owner::MaybeAlive, "another machine of that host name");
        assert_eq!(judge(&with(None, &before), &with(None, &ours)), Owner::MaybeAlive, "no machine ID to tell");
        if ours.machine.is_some() {
            assert_eq!(judged(before), Owner::Gone);
        }
    }

    #[test]
    fn the_legacy_host_pid_and_garbage_wait_out_the_grace_period() {
        let host = host_name();
        let ours = Identity::ours();
        for legacy in [format!("{host}:{}", std::process::id()), format!("{host}:999999"), format!("{host}:1")] {
            assert_eq!(owner(Some(&legacy)), Owner::MaybeAlive, "{legacy}");
        }
        let unknown = Identity { boot: None, pid_ns: None, start: None, pid: 999_999, ..ours.clone() };
        let wrong_pid = ours.to_text().replacen(&format!(":{}:", ours.pid), ":-1:", 1);
        let built =
            [unknown.to_text(), wrong_pid, format!("{host}:-:-:-:99999999999:-"), format!("{}:1", ours.to_text()), "x:".repeat(9999)];
        let fixed = ["", ":", "::::::", "garbage", "host:", "a:b:c:d:e:f", "\u{0}:\n:é:🦀:1:2"];
        for text in fixed.into_iter().chain(built.iter().map(String::as_str)) {
            assert_eq!(owner(Some(text)), Owner::MaybeAlive, "{text:?}");
        }
        assert_eq!(owner(None), Owner::MaybeAlive);
    }

    #[test]
    fn stat_start_counts_after_the_last_parenthesis() {
        let tail = (3..=21).map(|f| f.to_string()).collect::<Vec<_>>().join(" ");
        assert_eq!(stat_start(&format!("42 (x) 3 4 (y)) {tail} 12345 6 7\n")), Some(12345));
        assert_eq!(stat_start(&format!("42 (x) {tail} 12345")), Some(12345));
        for odd in ["", "42 (x", "42 (x) S 1 2", &format!("42 (x) {tail} -5"), &format!("42 (x) {tail} 1.5"), "42 (x)"] {
            assert_eq!(stat_start(odd), None, "{odd:?}");
        }
    }
}
