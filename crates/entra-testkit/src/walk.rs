//! The recursive file walker every on-disk check uses: each regular file under a folder, at any
//! depth, whatever its name or content (SQLite databases and their `-wal`/`-shm` files included).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Every regular file under `dir`, at any depth, sorted by path.
///
/// - Symbolic links are neither followed nor listed: what a link points at is not in the folder,
///   and a link planted there must not make a scan read, or loop through, files elsewhere.
/// - Sockets, FIFOs and devices are not listed either: nothing writes data into them, and reading
///   a FIFO would block.
/// - A file or folder that disappears during the walk is skipped (SQLite removes its `-wal` and
///   `-shm` when the last connection closes, the app may be running). Any other error panics and
///   names the path: a folder the walk cannot read would let a check pass without reading it.
///
/// Panics when `dir` itself cannot be listed (missing, or not a folder).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    files_under_except(dir, |_| false)
}

/// [`files_under`], without descending into the folders for which `skip` (given the folder's
/// path) returns true, e.g. `target/` and `node_modules/` in a walk over the repository.
pub fn files_under_except(dir: &Path, skip: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound && folder != dir => continue,
            Err(e) => panic!("cannot list {}: {e}", folder.display()),
        };
        for entry in entries {
            let entry = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", folder.display()));
            // `DirEntry::file_type` does not follow a symbolic link: a link is reported as a link.
            let kind = match entry.file_type() {
                Ok(kind) => kind,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => panic!("cannot read the type of {}: {e}", entry.path().display()),
            };
            let path = entry.path();
            if kind.is_dir() {
                if !skip(&path) {
                    folders.push(path);
                }
            } else if kind.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_files_at_every_depth_with_any_name_sorted() {
        let root = tempfile::tempdir().unwrap();
        let deep = root.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(root.path().join("empty")).unwrap();
        for name in ["cache.sqlite", "cache.sqlite-wal", "cache.sqlite-shm", ".accounts.json.lock"] {
            std::fs::write(root.path().join(name), [0u8, 1, 2]).unwrap();
        }
        std::fs::write(deep.join("key.json"), b"{}").unwrap();
        let names: Vec<String> =
            files_under(root.path()).iter().map(|p| p.strip_prefix(root.path()).unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, [".accounts.json.lock", "a/b/c/key.json", "cache.sqlite", "cache.sqlite-shm", "cache.sqlite-wal"]);
    }

    #[test]
    fn skips_the_folders_asked() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("target/debug")).unwrap();
        std::fs::create_dir_all(root.path().join("src")).unwrap();
        std::fs::write(root.path().join("target/debug/big.rs"), b"").unwrap();
        std::fs::write(root.path().join("src/lib.rs"), b"").unwrap();
        let files = files_under_except(root.path(), |p| p.ends_with("target"));
        assert_eq!(files, [root.path().join("src/lib.rs")]);
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_neither_followed_nor_listed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("elsewhere.txt"), b"not ours").unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("ours.txt"), b"ours").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("linked-folder")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("elsewhere.txt"), root.path().join("linked-file")).unwrap();
        // A loop: followed, it would never end.
        std::os::unix::fs::symlink(root.path(), root.path().join("loop")).unwrap();
        assert_eq!(files_under(root.path()), [root.path().join("ours.txt")]);
    }

    #[test]
    #[should_panic(expected = "cannot list")]
    fn a_missing_folder_is_an_error_not_an_empty_list() {
        let root = tempfile::tempdir().unwrap();
        files_under(&root.path().join("never-created"));
    }
}
