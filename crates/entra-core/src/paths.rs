//! Where Entra Desk keeps its files: the per-user data folder.
//!
//! Settings, the non-secret account list, caches and databases live in the
//! OS's per-user data folder (`~/.local/share/entra-desk` on Linux), or in
//! `ENTRA_DESK_DATA_DIR` when it is set (tests give each run its own).
//! Secrets never live here: they go to the OS keychain.

use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// The environment variable that overrides the data folder.
pub const DATA_DIR_ENV: &str = "ENTRA_DESK_DATA_DIR";

/// The data folder: `ENTRA_DESK_DATA_DIR` if set and not empty, else the OS per-user data folder.
pub fn data_dir() -> Result<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => dirs::data_dir().map(|d| d.join("entra-desk")).ok_or_else(|| {
            Error::storage(format!(
                "Cannot find the per-user data folder on this system: set {DATA_DIR_ENV} to a writable folder"
            ))
        }),
    }
}

/// Creates `dir` (and its parents) if missing, with owner-only permissions on Unix.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::storage(format!("Cannot create the folder {}: {e}; check its permissions or set {DATA_DIR_ENV}", dir.display()))
            .with_source(e)
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Best effort: the folder holds no secrets, but account names and tenant IDs are nobody else's business.
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// Writes `contents` to `path` atomically, so a crash never leaves half a file and a reader
/// sees the old file or the new one: a temporary file in the same folder with a name no other
/// writer can pick (process id and random bits), created exclusively (so a symlink planted at
/// that name is refused, never followed) and owner-only on Unix, flushed to disk, renamed over
/// `path`, and the folder flushed so the rename itself survives a power cut.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    ensure_dir(dir)?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{file_name}.{}.{:016x}.tmp", std::process::id(), rand::random::<u64>()));
    let fail = |e: std::io::Error| {
        Error::storage(format!("Cannot write {}: {e}; check free space and permissions", path.display())).with_source(e)
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|mut file| {
        file.write_all(contents)?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    sync_dir(dir);
    Ok(())
}

/// Flushes a folder's entries (a rename) to disk. Best effort: not every platform can open a folder.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Runs `f` holding an exclusive lock on `<path>.lock`, shared by every process using the data
/// folder (the app and `entractl`), so that two read-modify-write cycles of `path` never
/// interleave and lose an update. The lock is released when `f` returns (or the process dies).
pub fn with_file_lock<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    ensure_dir(dir)?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let lock_path = dir.join(format!(".{file_name}.lock"));
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let fail = |e: std::io::Error| {
        Error::storage(format!("Cannot lock {} ({e}): check the folder's permissions", lock_path.display())).with_source(e)
    };
    let lock = options.open(&lock_path).map_err(fail)?;
    lock.lock().map_err(fail)?;
    let result = f();
    // Dropping the file releases the lock too; unlocking first says so to the reader.
    let _ = lock.unlock();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_creates_parents_and_replaces() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("a/b/settings.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_owner_only_and_folders_0700() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("data/accounts.json");
        write_atomic(&path, b"{}").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_in_the_folder_is_never_written_through() {
        // An attacker who can write the folder plants symlinks at every name the old,
        // predictable scheme would use; the target must stay untouched.
        let root = tempfile::tempdir().unwrap();
        let victim = root.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let path = root.path().join("settings.json");
        std::os::unix::fs::symlink(&victim, root.path().join(format!(".settings.json.{}.tmp", std::process::id()))).unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }

    #[test]
    fn the_file_lock_serialises_threads_too() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("counter");
        std::fs::write(&path, b"0").unwrap();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for _ in 0..25 {
                        with_file_lock(&path, || {
                            let n: u32 = std::fs::read_to_string(&path).unwrap().parse().unwrap();
                            std::thread::yield_now();
                            write_atomic(&path, (n + 1).to_string().as_bytes())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "100");
    }
}
