//! Entra Desk's one policy for the files it writes, shared by the core (settings, accounts,
//! exports), the JWT inspector (profiles, the key cache), the demo tenant (its state) and the
//! store (its SQLite files).
//!
//! - [`write_atomic`]: a crash never leaves half a file, and a reader sees the old file or
//!   the new one. The bytes go to a temporary file in the same folder whose name no other
//!   writer can pick (process id and 64 random bits), created exclusively (`O_EXCL`: a
//!   symlink planted at that name is refused, never followed) and owner-only (0600 on Unix),
//!   flushed to disk, then renamed over the target (which replaces a symlink there itself,
//!   never its target), and the folder is flushed so the rename survives a power cut.
//! - [`ensure_private_dir`]: folders are created owner-only (0700 on Unix).
//! - [`create_private_file`]: a file another library writes itself (SQLite) exists owner-only
//!   before that library opens it.
//! - [`with_lock`]: an exclusive lock on `.<name>.lock` beside a file, shared by every
//!   process (the app and `entractl`), around a read-modify-write.
//!
//! A leaf crate: plain `std::io` errors; each caller adds the message and fix that fit its
//! context.

#![deny(missing_docs)]

use std::io::{self, Write};
use std::path::Path;

/// Creates `dir` and its parents if missing, and makes `dir` owner-only (0700) on Unix.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Creates `path` empty and owner-only (0600 on Unix) when it does not exist, and makes an
/// existing file owner-only; never truncates it. For a file another library opens and writes
/// itself, such as a SQLite database (whose `-wal` and `-shm` files take the database's mode):
/// its first byte is private, never readable by others even for a moment. On Windows the file
/// inherits the ACL of the user's profile folder.
pub fn create_private_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// Writes `contents` to `path` atomically, owner-only. See the crate doc. The folder must exist.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{}.{:016x}.tmp", std::process::id(), rand::random::<u64>()));
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
        return Err(e);
    }
    sync_dir(dir);
    Ok(())
}

/// Flushes a folder's entries (the rename) to disk. Best effort: not every platform can open a folder.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The lock file beside `path`: `.<name>.lock`.
pub fn lock_path(path: &Path) -> std::path::PathBuf {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    dir.join(format!(".{name}.lock"))
}

/// Runs `f` holding an exclusive lock on [`lock_path`]`(path)`, so that read-modify-write
/// cycles of `path` by several processes never interleave. Released when `f` returns (or the
/// process dies). `Err` only when the lock itself cannot be taken; `f`'s own result is returned
/// inside `Ok`.
pub fn with_lock<T>(path: &Path, f: impl FnOnce() -> T) -> io::Result<T> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let lock = options.open(lock_path(path))?;
    lock.lock()?;
    let result = f();
    // Dropping the file releases the lock too; unlocking first says so to the reader.
    let _ = lock.unlock();
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_atomic_replaces_and_leaves_no_temporary_file() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("settings.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1, "no temporary file left behind");
    }

    #[cfg(unix)]
    #[test]
    fn files_are_0600_folders_0700_and_planted_symlinks_are_never_followed() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        ensure_private_dir(&dir).unwrap();
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        let victim = root.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let path = dir.join("state.json");
        // At the target's own name, and at the temporary names older schemes used.
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("state.tmp")).unwrap();
        std::os::unix::fs::symlink(&victim, dir.join(format!(".state.json.{}.tmp", std::process::id()))).unwrap();
        write_atomic(&path, b"{}").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!std::fs::symlink_metadata(&path).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn create_private_file_makes_a_new_or_existing_file_0600_and_keeps_its_bytes() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let new = root.path().join("cache.sqlite");
        create_private_file(&new).unwrap();
        assert_eq!(std::fs::metadata(&new).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read(&new).unwrap(), b"");
        let old = root.path().join("leases.sqlite");
        std::fs::write(&old, b"SQLite format 3\0").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        create_private_file(&old).unwrap();
        assert_eq!(std::fs::metadata(&old).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read(&old).unwrap(), b"SQLite format 3\0", "never truncated");
    }

    #[test]
    fn the_lock_serialises_read_modify_write() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("counter");
        std::fs::write(&path, b"0").unwrap();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for _ in 0..25 {
                        with_lock(&path, || {
                            let n: u32 = std::fs::read_to_string(&path).unwrap().parse().unwrap();
                            std::thread::yield_now();
                            write_atomic(&path, (n + 1).to_string().as_bytes()).unwrap();
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
