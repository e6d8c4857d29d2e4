//! Files in the demo tenant's state folder (key generation, refresh grants, the certificate
//! client's PEM files, the CA): the folder is owner-only and every file is written through
//! `entra_files` (atomic, owner-only, never through a planted symlink). The folder may be a
//! shared temporary one, hence the care.

use anyhow::Context;
use std::path::Path;

/// Creates `dir` (and parents), owner-only (0700) on Unix.
pub fn ensure_private_dir(dir: &Path) -> anyhow::Result<()> {
    entra_files::ensure_private_dir(dir).with_context(|| format!("cannot create the state folder {}", dir.display()))
}

/// Writes `bytes` to `path` atomically, owner-only (0600 on Unix).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    entra_files::write_atomic(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
