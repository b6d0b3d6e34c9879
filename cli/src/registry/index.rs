//! A package's `index.json`: every published version, sorted by semver precedence.

use serde::{Deserialize, Serialize};

/// `packages/<name>/index.json`.
///
/// ```json
/// {"name": "acme/counter", "versions": [
///   {"version": "1.2.0", "digest": "sha256:…", "size": 1234, "yanked": false,
///    "published": "2026-05-20T10:00:00Z"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// The package name.
    pub name: String,
    /// Its versions, ascending by semver precedence.
    pub versions: Vec<Entry>,
}

/// One published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The version, equal to the module's `version` section.
    pub version: semver::Version,
    /// `sha256:<64 hex>` of the blob.
    pub digest: String,
    /// Size of the blob in bytes.
    pub size: u64,
    /// Whether the version was withdrawn. Publishing never yanks; the field is for tools
    /// and resolvers.
    pub yanked: bool,
    /// When it was published, RFC 3339 in UTC.
    pub published: String,
}

impl Index {
    /// An index with no versions.
    pub fn empty(name: &str) -> Self {
        Index {
            name: name.to_string(),
            versions: Vec::new(),
        }
    }

    /// The version with the highest semver precedence, yanked or not.
    pub fn newest(&self) -> Option<&Entry> {
        self.versions
            .iter()
            .max_by(|a, b| a.version.cmp_precedence(&b.version))
    }

    /// Adds `entry` and keeps the list sorted by precedence.
    pub fn insert(&mut self, entry: Entry) {
        self.versions.push(entry);
        self.versions
            .sort_by(|a, b| a.version.cmp_precedence(&b.version));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(version: &str) -> Entry {
        Entry {
            version: version.parse().unwrap(),
            digest: String::new(),
            size: 0,
            yanked: false,
            published: String::new(),
        }
    }

    #[test]
    fn versions_are_kept_in_semver_order_not_text_order() {
        let mut index = Index::empty("counter");
        for v in ["1.10.0", "1.2.0", "1.10.0-rc.1", "0.9.0"] {
            index.insert(entry(v));
        }
        let order: Vec<String> = index
            .versions
            .iter()
            .map(|e| e.version.to_string())
            .collect();
        assert_eq!(order, ["0.9.0", "1.2.0", "1.10.0-rc.1", "1.10.0"]);
        assert_eq!(index.newest().unwrap().version.to_string(), "1.10.0");
    }
}
