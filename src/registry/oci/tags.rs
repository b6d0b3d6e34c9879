//! Tags as versions: which tag a range selects, and the newest one.

use semver::Version;

use crate::error::Result;
use crate::registry::index::{Entry, Index, Wanted};

/// The version `wanted` selects among a repository's `tags`, by [`Wanted::select`]'s rule
/// (the highest match; prereleases only for a range that names one). Tags that are not
/// semantic versions (`latest`, `v1.2.0`, `main`) are ignored. Returns the version and the
/// tag it was listed as.
///
/// - tags `1.0.0 1.2.0 latest 2.0.0-rc.1`, `^1` => `1.2.0`; `>=2.0.0-rc.1` => `2.0.0-rc.1`
///
/// # Errors
/// [`Error::NoMatchingVersion`](crate::error::Error::NoMatchingVersion) naming the repository,
/// what was asked and the versions found.
pub fn select_tag<'a>(
    repository: &str,
    tags: &'a [String],
    wanted: &Wanted,
) -> Result<(Version, &'a str)> {
    // The index format's selection rule, on an index of the tags (OCI tags have no digest
    // until their manifest is read, and no yank flag).
    let mut index = Index {
        name: repository.to_string(),
        versions: Vec::new(),
    };
    for tag in tags {
        if let Ok(version) = Version::parse(tag) {
            index.insert(Entry {
                version,
                digest: String::new(),
                size: 0,
                glue: None,
                cores: Vec::new(),
                yanked: false,
                published: String::new(),
            });
        }
    }
    let version = index.resolve(wanted)?.version.clone();
    let tag = tags
        .iter()
        .find(|tag| Version::parse(tag).ok().as_ref() == Some(&version))
        .expect("the selected version came from a tag");
    Ok((version, tag))
}

/// The highest semver tag by precedence, prerelease or not: what a new version must exceed.
pub fn newest_tag(tags: &[String]) -> Option<Version> {
    tags.iter()
        .filter_map(|tag| Version::parse(tag).ok())
        .max_by(|a, b| a.cmp_precedence(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_select_by_the_index_rule_ignoring_non_versions() {
        let tags: Vec<String> = ["1.0.0", "latest", "1.2.0", "v1.3.0", "2.0.0-rc.1", "main"]
            .map(String::from)
            .to_vec();
        let table = [
            ("^1", Some("1.2.0")),
            ("~1.0", Some("1.0.0")),
            (">=2.0.0-rc.1", Some("2.0.0-rc.1")),
            ("*", Some("1.2.0")),
            ("^2", None),
        ];
        for (range, expected) in table {
            let wanted = Wanted::range(range, "range").unwrap();
            let got = select_tag("acme/counter", &tags, &wanted)
                .ok()
                .map(|(v, tag)| {
                    assert_eq!(v.to_string(), tag);
                    v.to_string()
                });
            assert_eq!(got.as_deref(), expected, "{range}");
        }
        let err = select_tag(
            "acme/counter",
            &tags,
            &Wanted::range("^3", "range").unwrap(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "NO_MATCHING_VERSION");
        assert_eq!(
            err.to_string(),
            "no version of `acme/counter` matches `^3`; published: 1.0.0, 1.2.0, 2.0.0-rc.1"
        );
        let exact = Wanted::version("1.0.0", "version").unwrap();
        assert_eq!(select_tag("x", &tags, &exact).unwrap().1, "1.0.0");
        assert_eq!(newest_tag(&tags).unwrap().to_string(), "2.0.0-rc.1");
        assert_eq!(newest_tag(&["latest".to_string()]), None);
    }
}
