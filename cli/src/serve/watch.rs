//! Noticing changes by polling file metadata: watched modules to publish, and package indexes
//! that another `hotswap publish` rewrote.
//!
//! Polling a handful of paths every [`POLL`] costs nothing measurable, needs no platform API,
//! and sees every way a file gets replaced: written in place, truncated and rewritten, or
//! renamed over (what editors and build tools do), where an inotify watch on the file itself
//! would follow the old inode.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use wasm_hotswap::registry::index::Index;

use super::events::{Announcement, Hub};

/// How often the watched files are looked at.
pub const POLL: Duration = Duration::from_millis(20);
/// How long a changed file must stay unchanged before it is read: the writer is done.
pub const SETTLE: Duration = Duration::from_millis(50);

/// What identifies one state of a file: a rewrite changes at least one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified_ns: i128,
    changed_ns: i128,
    inode: u64,
}

impl Stamp {
    /// The stamp of the file at `path`, or `None` when there is none.
    pub fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Some(Stamp {
            len: meta.len(),
            modified_ns: ns(meta.mtime(), meta.mtime_nsec()),
            changed_ns: ns(meta.ctime(), meta.ctime_nsec()),
            inode: meta.ino(),
        })
    }
}

/// One watched file: reports its bytes once after each change, when the change has settled.
#[derive(Debug)]
pub struct Watched {
    /// The file.
    pub path: PathBuf,
    seen: Option<Stamp>,
    pending: Option<(Stamp, Instant)>,
}

impl Watched {
    /// Watches `path`; a file already there counts as changed, so it is published at start
    /// (a dev publish skips it when it is the newest version already).
    pub fn new(path: PathBuf) -> Watched {
        Watched {
            path,
            seen: None,
            pending: None,
        }
    }

    /// Whether the file changed and has not yet stayed unchanged for [`SETTLE`].
    pub fn settling(&self) -> bool {
        self.pending.is_some()
    }

    /// Looks at the file at time `now`. Returns its bytes when it changed and then stayed
    /// unchanged for [`SETTLE`]; a file that changes while it is read is looked at again later.
    pub fn poll(&mut self, now: Instant) -> Option<Vec<u8>> {
        let stamp = Stamp::of(&self.path);
        let Some(current) = stamp else {
            // Gone (or between an unlink and a rename): whatever comes next is a change.
            self.seen = None;
            self.pending = None;
            return None;
        };
        if self.seen == Some(current) {
            self.pending = None;
            return None;
        }
        match self.pending {
            Some((pending, since)) if pending == current => {
                if now.duration_since(since) < SETTLE {
                    return None;
                }
                let bytes = std::fs::read(&self.path).ok()?;
                if Stamp::of(&self.path) != Some(current) {
                    self.pending = None;
                    return None;
                }
                self.seen = Some(current);
                self.pending = None;
                Some(bytes)
            }
            _ => {
                self.pending = Some((current, now));
                None
            }
        }
    }
}

/// Every `index.json` below `root/packages`, and the stamps they had when last read.
#[derive(Debug, Default)]
pub struct Indexes {
    stamps: HashMap<PathBuf, Stamp>,
}

impl Indexes {
    /// Reads the indexes that changed since the last call and hands their versions to `hub`:
    /// announced, or only remembered when `announce` is false (the first scan, at start).
    /// Unreadable indexes are skipped; the next change is read again.
    pub fn scan(&mut self, root: &Path, hub: &Hub, announce: bool) {
        let mut found = Vec::new();
        find_indexes(&root.join("packages"), 0, &mut found);
        for path in found {
            let stamp = Stamp::of(&path);
            if stamp.is_none() || self.stamps.get(&path) == stamp.as_ref() {
                continue;
            }
            let Some(index) = std::fs::read(&path)
                .ok()
                .and_then(|text| serde_json::from_slice::<Index>(&text).ok())
            else {
                continue;
            };
            if let Some(stamp) = stamp {
                self.stamps.insert(path, stamp);
            }
            for entry in index.versions {
                let version = entry.version.to_string();
                if announce {
                    hub.announce(&Announcement {
                        name: index.name.clone(),
                        version,
                        digest: entry.digest,
                    });
                } else {
                    hub.remember(&index.name, &version);
                }
            }
        }
    }
}

/// `packages/<name>/index.json` or `packages/<namespace>/<name>/index.json`.
fn find_indexes(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        if path.is_dir() && depth < 2 {
            find_indexes(&path, depth + 1, out);
        } else if depth > 0 && entry.file_name() == "index.json" {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_reported_once_after_it_settles() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.wasm");
        let mut watched = Watched::new(path.clone());
        let t0 = Instant::now();
        assert_eq!(watched.poll(t0), None, "no file yet");
        std::fs::write(&path, b"one").unwrap();
        assert_eq!(watched.poll(t0), None, "just changed");
        assert_eq!(watched.poll(t0 + SETTLE / 2), None, "not settled");
        assert_eq!(watched.poll(t0 + SETTLE).as_deref(), Some(&b"one"[..]));
        assert_eq!(watched.poll(t0 + SETTLE * 3), None, "reported already");

        std::fs::write(&path, b"two!").unwrap();
        let t1 = t0 + SETTLE * 4;
        assert_eq!(watched.poll(t1), None);
        std::fs::write(&path, b"three").unwrap();
        assert_eq!(watched.poll(t1 + SETTLE), None, "changed again: wait again");
        assert_eq!(
            watched.poll(t1 + SETTLE * 2).as_deref(),
            Some(&b"three"[..])
        );
    }

    #[test]
    fn a_file_renamed_over_the_watched_one_is_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.wasm");
        std::fs::write(&path, b"same").unwrap();
        let mut watched = Watched::new(path.clone());
        let t0 = Instant::now();
        watched.poll(t0);
        assert!(watched.poll(t0 + SETTLE).is_some(), "there at start");
        let temp = dir.path().join("m.wasm.tmp");
        std::fs::write(&temp, b"same").unwrap();
        std::fs::rename(&temp, &path).unwrap();
        watched.poll(t0 + SETTLE * 2);
        assert!(watched.poll(t0 + SETTLE * 3).is_some());
    }
}
