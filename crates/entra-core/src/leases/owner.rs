//! Who owns an in-flight intent or revocation: `host:pid`, written with the record, so that
//! reconciliation in another process never decides a record whose Graph call is still running.

/// This process, as an intent's owner: `host:pid`.
pub(crate) fn this_process() -> String {
    format!("{}:{}", host_name(), std::process::id())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
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

/// Who `owner` (`host:pid`) is.
pub(crate) fn owner(owner: Option<&str>) -> Owner {
    let Some((host, pid)) = owner.and_then(|o| o.rsplit_once(':')) else {
        return Owner::MaybeAlive;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return Owner::MaybeAlive;
    };
    if host != host_name() {
        return Owner::MaybeAlive;
    }
    if pid == std::process::id() {
        return Owner::ThisProcess;
    }
    // Linux only: elsewhere we cannot tell cheaply, and waiting out the grace period is safe.
    let proc = std::path::Path::new("/proc");
    if proc.join("self").exists() && !proc.join(pid.to_string()).exists() {
        Owner::Gone
    } else {
        Owner::MaybeAlive
    }
}
