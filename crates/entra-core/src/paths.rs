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

/// Writes `contents` to `path` atomically (temp file in the same folder, then rename), so a crash never leaves half a file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    ensure_dir(dir)?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let fail = |e: std::io::Error| {
        Error::storage(format!("Cannot write {}: {e}; check free space and permissions", path.display())).with_source(e)
    };
    std::fs::write(&tmp, contents).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
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
}
