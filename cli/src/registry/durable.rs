//! Crash-safe file writes: a temp file in the same directory, fsync, rename, fsync the
//! directory. A reader sees the old file or the new one, never a part of either.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Writes `bytes` to `path` atomically and durably.
///
/// 1. creates a fresh temp file beside `path` (so the rename stays on one file system);
/// 2. writes and fsyncs it;
/// 3. calls `before_rename`: a failure injected there (tests do) or anywhere before leaves
///    `path` as it was;
/// 4. renames it over `path`, which POSIX makes atomic;
/// 5. fsyncs the directory, so the rename itself survives a power loss.
///
/// On an error the temp file is removed, best effort.
///
/// # Errors
/// The first I/O error, or the one `before_rename` returns.
pub fn write_atomically(
    path: &Path,
    bytes: &[u8],
    before_rename: &dyn Fn() -> io::Result<()>,
) -> io::Result<()> {
    let dir = parent(path);
    fs::create_dir_all(dir)?;
    let temp = temp_path(path);
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        before_rename()?;
        fs::rename(&temp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Fsyncs a directory so that the entries created or renamed in it are durable.
///
/// # Errors
/// The I/O error of opening or syncing it.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let file = path
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy());
    // A leading dot and a `.tmp-` infix: never a valid blob or index name.
    parent(path).join(format!(".{file}.tmp-{}-{nanos}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_before_the_rename_leaves_the_old_file_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.json");
        write_atomically(&path, b"old", &|| Ok(())).unwrap();
        let failed = write_atomically(&path, b"new", &|| Err(io::Error::other("injected")));
        assert!(failed.is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomically(&path, b"new", &|| Ok(())).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }
}
