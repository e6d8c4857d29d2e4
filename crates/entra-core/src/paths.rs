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

/// Creates `dir` (and its parents) if missing, owner-only on Unix (`entra_files`).
pub fn ensure_dir(dir: &Path) -> Result<()> {
    entra_files::ensure_private_dir(dir).map_err(|e| {
        Error::storage(format!("Cannot create the folder {}: {e}; check its permissions or set {DATA_DIR_ENV}", dir.display()))
            .with_source(e)
    })
}

/// Writes `contents` to `path` atomically and owner-only, creating the folder if needed
/// (the policy is `entra_files::write_atomic`'s: a crash never leaves half a file, and a
/// symlink planted in the folder is never written through).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    ensure_dir(path.parent().unwrap_or_else(|| Path::new(".")))?;
    entra_files::write_atomic(path, contents)
        .map_err(|e| Error::storage(format!("Cannot write {}: {e}; check free space and permissions", path.display())).with_source(e))
}

/// Writes an export the user asked for to `path`, atomically and owner-only (it may list
/// credentials and owners), into a folder that is the user's, not ours: the Downloads folder
/// (or whatever `XDG_DOWNLOAD_DIR` names, even `$HOME`), or one a save dialog chose. Unlike
/// [`write_atomic`], the folder is only created when missing, never made owner-only, and may
/// belong to someone else as long as we may write in it: an export never changes its folder.
pub fn write_export(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or_else(|| Path::new("."));
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::storage(format!("Cannot create the folder {} for the export: {e}; choose another folder", dir.display())).with_source(e))?;
    }
    entra_files::write_atomic(path, contents)
        .map_err(|e| Error::storage(format!("Cannot write the export {}: {e}; check free space and that you may write in {}, or choose another folder", path.display(), dir.display())).with_source(e))
}

/// Runs `f` holding the cross-process lock of `path` (`entra_files::with_lock`), so that the
/// app and `entractl` never interleave read-modify-write cycles of the same file.
pub fn with_file_lock<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    ensure_dir(path.parent().unwrap_or_else(|| Path::new(".")))?;
    let lock = entra_files::lock_path(path);
    entra_files::with_lock(path, f)
        .map_err(|e| Error::storage(format!("Cannot lock {} ({e}): check the folder's permissions", lock.display())).with_source(e))?
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
    fn an_export_never_changes_its_folder() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        // A Downloads folder as the desktop made it (0755), and one that is $HOME-like (0751).
        for mode in [0o755, 0o751] {
            let downloads = root.path().join(format!("Downloads-{mode:o}"));
            std::fs::create_dir(&downloads).unwrap();
            std::fs::set_permissions(&downloads, std::fs::Permissions::from_mode(mode)).unwrap();
            let file = downloads.join("entra-credentials.csv");
            write_export(&file, b"a,b").unwrap();
            assert_eq!(std::fs::metadata(&downloads).unwrap().permissions().mode() & 0o777, mode, "the folder keeps its mode");
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600, "the export is the user's alone");
            assert_eq!(std::fs::read(&file).unwrap(), b"a,b");
        }
        // A missing folder is made; a folder we may not write in is an error that says what to do.
        write_export(&root.path().join("new/sub/x.json"), b"{}").unwrap();
        let locked = root.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(locked.join("probe"), b"").is_err() {
            // (Root writes anywhere: only checked where the mode is honoured.)
            let err = write_export(&locked.join("x.csv"), b"a").unwrap_err();
            assert!(err.message().contains("choose another folder"), "{}", err.message());
            assert_eq!(std::fs::metadata(&locked).unwrap().permissions().mode() & 0o777, 0o555);
        }
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
}
