//! The static registry's index: a package name and a semver range become one immutable,
//! content-addressed version, read from the package's `index.json`.
//!
//! The static registry is a folder of files that any web server or CDN can serve:
//!
//! ```text
//! <registry>/packages/<name>/index.json    every published version; revalidated (no-cache)
//! <registry>/blobs/sha256/<64 hex>         the module bytes, and a wasm-bindgen guest's JS
//!                                          glue; immutable, named by their SHA-256
//! ```
//!
//! `index.json` is `{"name": "acme/counter", "versions": [{"version": "1.2.0", "digest":
//! "sha256:…", "size": 1234, "yanked": false, "published": "2026-05-20T10:00:00Z"}, …]}`,
//! sorted by semver precedence. A wasm-bindgen guest's entry also names its glue, the `.js`
//! that `wasm-bindgen --target web` wrote: `"glue": {"digest": "sha256:…", "size": 5678}`,
//! a blob of the same store; the field is omitted for other modules, and indexes without it
//! read as before. A component's entry has the component's digest and size (its identity),
//! the JS `jco transpile --instantiation async` wrote as its glue, and every core module that
//! JS instantiates, by the name it asks `getCoreModule` for:
//!
//! ```json
//! {"version": "1.1.0", "digest": "sha256:…", "size": 42920,
//!  "glue": {"digest": "sha256:…", "size": 121813, "kind": "jco"},
//!  "cores": [{"name": "counter.core.wasm", "digest": "sha256:…", "size": 35831}, …]}
//! ```
//!
//! The blobs a version names are fetched and verified by digest like any other module, so a
//! registry that serves a wrong blob is caught (`HASH_MISMATCH`).

use std::fmt;
use std::str::FromStr;

use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::registry::invalid_index;

/// A package's `index.json`.
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
    pub version: Version,
    /// `sha256:<64 hex>` of the blob.
    pub digest: String,
    /// Size of the blob in bytes.
    pub size: u64,
    /// A guest's JS glue, without which its module cannot be instantiated: a wasm-bindgen
    /// guest's `--target web` glue, or a component's transpiled JS (`kind: "jco"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glue: Option<Glue>,
    /// A component's core modules, which its transpiled JS instantiates: every one that
    /// `jco transpile` wrote, by the name the JS asks for it (`getCoreModule(name)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cores: Vec<Core>,
    /// Withdrawn: never chosen by a range, still fetchable by an exact version.
    #[serde(default)]
    pub yanked: bool,
    /// When it was published, RFC 3339 in UTC.
    #[serde(default)]
    pub published: String,
}

impl Entry {
    /// A component's entry (glue of kind `jco`) names at least one core module, each once and
    /// with a well-formed digest; any other entry names none.
    ///
    /// # Errors
    /// What is wrong, naming the field.
    pub fn validate_cores(&self) -> std::result::Result<(), String> {
        let component = self.glue.as_ref().is_some_and(|g| g.kind == GlueKind::Jco);
        match (component, self.cores.is_empty()) {
            (true, true) => return Err("the component's entry names no core modules (`cores`): its transpiled JS cannot be instantiated without them".into()),
            (false, false) => return Err("`cores` is only for a component, whose `glue.kind` is `jco`".into()),
            _ => {}
        }
        for (i, core) in self.cores.iter().enumerate() {
            core.digest
                .parse::<Digest>()
                .map_err(|e| format!("`cores[{i}].digest`: {e}"))?;
            if core.name.is_empty() || self.cores[..i].iter().any(|c| c.name == core.name) {
                return Err(format!(
                    "`cores[{i}].name` `{}` is empty or named twice",
                    core.name
                ));
            }
        }
        Ok(())
    }
}

/// The JS glue of a guest, stored as a blob like the module ([`blob_path`]): the `.js` file
/// `wasm-bindgen --target web` wrote for the module, the JS `jco transpile
/// --instantiation async` wrote for a component, or the `.js` file `asc --bindings raw`
/// wrote for an AssemblyScript module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Glue {
    /// `sha256:<64 hex>` of the glue's bytes.
    pub digest: String,
    /// Size of the glue in bytes.
    pub size: u64,
    /// Which toolchain wrote it; omitted for wasm-bindgen's, so indexes written before
    /// components read as before.
    #[serde(default, skip_serializing_if = "GlueKind::is_wasm_bindgen")]
    pub kind: GlueKind,
}

/// Which toolchain wrote a guest's glue, and so how the runtime runs it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GlueKind {
    /// `wasm-bindgen --target web`: an ES module whose `initSync({ module })` instantiates the
    /// `_bg.wasm`.
    #[default]
    WasmBindgen,
    /// `jco transpile --instantiation async`: an ES module whose `instantiate(getCoreModule,
    /// imports)` instantiates a component from its core modules ([`Entry::cores`]).
    Jco,
    /// `asc --bindings raw`: AssemblyScript's raw bindings, an ES module whose
    /// `instantiate(module, imports)` instantiates the module and lifts its exports.
    #[serde(rename = "assemblyscript")]
    AssemblyScript,
}

impl GlueKind {
    /// Whether it is [`GlueKind::WasmBindgen`], the default.
    pub fn is_wasm_bindgen(&self) -> bool {
        *self == GlueKind::WasmBindgen
    }
}

/// One of a component's core modules, stored as a blob ([`blob_path`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Core {
    /// The file name the transpiled JS asks `getCoreModule` for (`counter.core.wasm`).
    pub name: String,
    /// `sha256:<64 hex>` of the core module's bytes.
    pub digest: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Index {
    /// An index with no versions.
    pub fn empty(name: &PackageName) -> Self {
        Index {
            name: name.to_string(),
            versions: Vec::new(),
        }
    }

    /// Checks what deserialization cannot: the index is the one asked for, every digest (the
    /// module's, the glue's and the core modules') is well-formed, a component's entry names
    /// its core modules ([`Entry::validate_cores`]), no version appears twice.
    ///
    /// # Errors
    /// [`Error::InvalidIndex`] naming the index and the entry at fault.
    pub fn validate(&self, expected_name: &PackageName, url: &str) -> Result<()> {
        let invalid = |reason: String| invalid_index(url, reason);
        if self.name != expected_name.as_str() {
            return Err(invalid(format!(
                "it is the index of `{}`, not of `{expected_name}`",
                self.name
            )));
        }
        for (i, entry) in self.versions.iter().enumerate() {
            entry
                .digest
                .parse::<Digest>()
                .map_err(|e| invalid(format!("version {}: {e}", entry.version)))?;
            if let Some(glue) = &entry.glue {
                glue.digest.parse::<Digest>().map_err(|e| {
                    invalid(format!("version {}: `glue.digest`: {e}", entry.version))
                })?;
            }
            entry
                .validate_cores()
                .map_err(|e| invalid(format!("version {}: {e}", entry.version)))?;
            if self.versions[..i]
                .iter()
                .any(|other| other.version == entry.version)
            {
                return Err(invalid(format!("version {} appears twice", entry.version)));
            }
        }
        Ok(())
    }

    /// The version with the highest precedence, yanked or not.
    pub fn newest(&self) -> Option<&Entry> {
        self.versions
            .iter()
            .max_by(|a, b| a.version.cmp_precedence(&b.version))
    }

    /// Adds `entry`, keeping the list sorted by precedence.
    pub fn insert(&mut self, entry: Entry) {
        self.versions.push(entry);
        self.versions
            .sort_by(|a, b| a.version.cmp_precedence(&b.version));
    }

    /// The version `wanted` selects ([`Wanted::select`]).
    ///
    /// # Errors
    /// [`Error::NoMatchingVersion`] naming the package, what was asked and what there is.
    pub fn resolve(&self, wanted: &Wanted) -> Result<&Entry> {
        wanted.select(self).ok_or_else(|| Error::NoMatchingVersion {
            name: self.name.clone(),
            wanted: wanted.to_string(),
            available: self
                .versions
                .iter()
                .map(|e| format!("{}{}", e.version, if e.yanked { " (yanked)" } else { "" }))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

/// What a host asks a registry for: an exact version or a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    /// `=1.2.3`, or `1.2.3` given as a version to swap to.
    Exact(Version),
    /// A semver range: `^1.2`, `~1.2.3`, `>=1.0.0, <2.0.0`, `*`.
    Range(VersionReq),
}

impl Wanted {
    /// A range, as a `range` option: npm/Cargo syntax, where a bare `1.2.3` means `^1.2.3`.
    ///
    /// # Errors
    /// [`Error::InvalidOptions`] naming the option.
    pub fn range(text: &str, option: &'static str) -> Result<Wanted> {
        VersionReq::parse(text)
            .map(Wanted::Range)
            .map_err(|e| Error::InvalidOptions {
                option,
                reason: format!("`{text}` is not a semver range: {e}"),
            })
    }

    /// A version to swap to: a bare `1.2.3` is that version exactly; anything else a range.
    ///
    /// # Errors
    /// [`Error::InvalidOptions`] naming the option.
    pub fn version(text: &str, option: &'static str) -> Result<Wanted> {
        match Version::parse(text) {
            Ok(version) => Ok(Wanted::Exact(version)),
            Err(_) => Wanted::range(text, option),
        }
    }

    /// The highest version of `index` this selects:
    ///
    /// - a range never selects a yanked version, and matches prereleases by semver's usual rule:
    ///   `^1.2` selects `1.3.0` but not `1.4.0-rc.1`; `>=1.4.0-rc.1` selects `1.4.0-rc.2`
    ///   (a prerelease matches only a comparator naming a prerelease of the same
    ///   `major.minor.patch`);
    /// - an exact version selects itself, even yanked (someone pinned it on purpose).
    pub fn select<'a>(&self, index: &'a Index) -> Option<&'a Entry> {
        let matching = index.versions.iter().filter(|e| match self {
            Wanted::Exact(version) => e.version == *version,
            Wanted::Range(req) => !e.yanked && req.matches(&e.version),
        });
        matching.max_by(|a, b| a.version.cmp_precedence(&b.version))
    }
}

impl fmt::Display for Wanted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Wanted::Exact(version) => write!(f, "={version}"),
            Wanted::Range(req) => write!(f, "{req}"),
        }
    }
}

/// A valid package name: `name` or `namespace/name`, each part matching
/// `[a-z0-9]([a-z0-9-_.]*[a-z0-9])?` and at most 255 bytes long (it becomes a directory and a
/// URL path, so nothing in it can climb out of `packages/`).
///
/// - `counter`, `acme/counter`, `my-app.core_2` => ok
/// - `Counter`, `-counter`, `counter-`, `a/b/c`, `/counter`, `acme/`, `..`, `` => refused
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageName(String);

impl PackageName {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The parts (`namespace`, `name`), which become nested directories under `packages/`.
    pub fn parts(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// The index's path below the registry root: `packages/<name>/index.json`.
    pub fn index_path(&self) -> String {
        format!("packages/{}/index.json", self.0)
    }
}

/// The path of a blob below the registry root: `blobs/sha256/<64 hex>`.
pub fn blob_path(digest: &Digest) -> String {
    let text = digest.to_string();
    format!("blobs/sha256/{}", &text[Digest::PREFIX.len()..])
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for PackageName {
    type Err = Error;

    /// Validates a package name.
    ///
    /// # Errors
    /// [`Error::InvalidOptions`] for `name`, naming the name and the part at fault.
    fn from_str(text: &str) -> Result<Self> {
        let refuse = |problem: String| {
            Error::InvalidOptions {
            option: "name",
            reason: format!(
                "package name `{text}`: {problem}; a package name is lowercase `[a-z0-9]([a-z0-9-_.]*[a-z0-9])?`, optionally with one `namespace/` prefix of the same form"
            ),
        }
        };
        let parts: Vec<&str> = text.split('/').collect();
        if parts.len() > 2 {
            return Err(refuse("it has more than one `/`".into()));
        }
        let edge = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        let inner = |c: char| edge(c) || matches!(c, '-' | '_' | '.');
        for part in parts {
            let problem = if part.is_empty() {
                Some("a part is empty".to_string())
            } else if part.len() > 255 {
                Some(format!(
                    "a part is {} bytes long, more than 255",
                    part.len()
                ))
            } else if !part.starts_with(edge) || !part.ends_with(edge) {
                Some(format!(
                    "`{part}` must start and end with a lowercase letter or a digit"
                ))
            } else {
                part.chars()
                    .find(|&c| !inner(c))
                    .map(|c| format!("`{part}` contains `{c}`"))
            };
            if let Some(problem) = problem {
                return Err(refuse(problem));
            }
        }
        Ok(PackageName(text.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn index(versions: &[(&str, bool)]) -> Index {
        let mut index = Index::empty(&"acme/counter".parse().unwrap());
        for (version, yanked) in versions {
            index.insert(Entry {
                version: version.parse().unwrap(),
                digest: D.into(),
                size: 0,
                glue: None,
                cores: Vec::new(),
                yanked: *yanked,
                published: String::new(),
            });
        }
        index
    }

    #[test]
    fn ranges_select_the_highest_non_yanked_match_with_semvers_prerelease_rule() {
        let idx = index(&[
            ("1.0.0", false),
            ("1.2.0", false),
            ("1.3.0", true),
            ("1.4.0-rc.1", false),
            ("1.4.0-rc.2", false),
            ("2.0.0", false),
        ]);
        let table = [
            ("^1", Some("1.2.0")),
            ("^1.0.0", Some("1.2.0")),
            ("~1.0", Some("1.0.0")),
            (">=1.4.0-rc.1", Some("2.0.0")),
            (">=1.4.0-rc.1, <2", Some("1.4.0-rc.2")),
            ("=1.3.0", None),
            ("*", Some("2.0.0")),
            ("^3", None),
        ];
        for (range, expected) in table {
            let wanted = Wanted::range(range, "range").unwrap();
            let got = wanted.select(&idx).map(|e| e.version.to_string());
            assert_eq!(got.as_deref(), expected, "{range}");
        }
    }

    #[test]
    fn an_exact_version_selects_itself_even_yanked() {
        let idx = index(&[("1.2.0", false), ("1.3.0", true)]);
        let wanted = Wanted::version("1.3.0", "version").unwrap();
        assert_eq!(wanted, Wanted::Exact("1.3.0".parse().unwrap()));
        assert_eq!(idx.resolve(&wanted).unwrap().version.to_string(), "1.3.0");
        assert!(matches!(
            Wanted::version("^1.2", "version").unwrap(),
            Wanted::Range(_)
        ));
    }

    #[test]
    fn no_match_names_the_package_the_range_and_what_exists() {
        let idx = index(&[("1.2.0", false), ("1.3.0", true)]);
        let err = idx
            .resolve(&Wanted::range("^2", "range").unwrap())
            .unwrap_err();
        assert_eq!(err.code(), "NO_MATCHING_VERSION");
        assert_eq!(
            err.to_string(),
            "no version of `acme/counter` matches `^2`; published: 1.2.0, 1.3.0 (yanked)"
        );
    }

    #[test]
    fn bad_ranges_are_invalid_options() {
        let err = Wanted::range("one point oh", "range").unwrap_err();
        assert_eq!(err.code(), "INVALID_OPTIONS");
        assert!(err.to_string().contains("`range`"), "{err}");
    }

    #[test]
    fn validation_catches_a_wrong_name_a_bad_digest_and_a_duplicate() {
        let name: PackageName = "acme/counter".parse().unwrap();
        assert!(index(&[("1.0.0", false)]).validate(&name, "u").is_ok());
        let err = index(&[])
            .validate(
                &"other".parse().unwrap(),
                "https://r/packages/other/index.json",
            )
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_INDEX");
        assert!(
            err.to_string()
                .contains("https://r/packages/other/index.json"),
            "{err}"
        );
        let mut bad = index(&[("1.0.0", false)]);
        bad.versions[0].digest = "sha256:nope".into();
        assert!(bad
            .validate(&name, "u")
            .unwrap_err()
            .to_string()
            .contains("version 1.0.0"));
        let mut bad_glue = index(&[("1.0.0", false)]);
        bad_glue.versions[0].glue = Some(Glue {
            digest: "sha256:nope".into(),
            size: 3,
            kind: Default::default(),
        });
        let err = bad_glue.validate(&name, "u").unwrap_err().to_string();
        assert!(err.contains("version 1.0.0: `glue.digest`"), "{err}");
        let mut twice = index(&[("1.0.0", false)]);
        twice.versions.push(twice.versions[0].clone());
        assert!(twice
            .validate(&name, "u")
            .unwrap_err()
            .to_string()
            .contains("appears twice"));
    }

    #[test]
    fn package_names_follow_the_documented_rule() {
        for ok in ["counter", "acme/counter", "my-app.core_2", "a", "0"] {
            assert!(ok.parse::<PackageName>().is_ok(), "{ok}");
        }
        for bad in [
            "Counter", "-counter", "counter-", "a/b/c", "/counter", "acme/", "..", "", "a b",
            "a%2f",
        ] {
            let err = bad.parse::<PackageName>().unwrap_err();
            assert_eq!(err.code(), "INVALID_OPTIONS", "{bad}");
            assert!(
                err.to_string().contains(&format!("`{bad}`")),
                "{bad}: {err}"
            );
        }
        assert_eq!(
            "acme/counter".parse::<PackageName>().unwrap().index_path(),
            "packages/acme/counter/index.json"
        );
        assert_eq!(
            blob_path(&D.parse().unwrap()),
            "blobs/sha256/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn index_json_round_trips_and_defaults_missing_flags() {
        let text = format!(
            r#"{{"name":"counter","versions":[{{"version":"1.0.0","digest":"{D}","size":7}}]}}"#
        );
        let idx: Index = serde_json::from_str(&text).unwrap();
        assert!(!idx.versions[0].yanked);
        assert_eq!(idx.versions[0].glue, None);
        let back: Index = serde_json::from_str(&serde_json::to_string(&idx).unwrap()).unwrap();
        assert_eq!(back, idx);
        assert!(!serde_json::to_string(&idx).unwrap().contains("glue"));
    }

    #[test]
    fn a_wasm_bindgen_entry_names_its_glue_and_round_trips() {
        let text = format!(
            r#"{{"name":"notes","versions":[{{"version":"1.0.0","digest":"{D}","size":7,"glue":{{"digest":"{D}","size":9}}}}]}}"#
        );
        let idx: Index = serde_json::from_str(&text).unwrap();
        let glue = idx.versions[0].glue.clone().unwrap();
        assert_eq!((glue.digest.as_str(), glue.size), (D, 9));
        idx.validate(&"notes".parse().unwrap(), "u").unwrap();
        let json = serde_json::to_value(&idx).unwrap();
        assert_eq!(json["versions"][0]["glue"]["digest"], D);
        assert_eq!(json["versions"][0]["glue"]["size"], 9);
    }

    #[test]
    fn a_components_entry_names_its_js_and_cores_and_reads_back() {
        let name: PackageName = "acme/counter".parse().unwrap();
        let mut idx = index(&[("1.0.0", false)]);
        idx.versions[0].glue = Some(Glue {
            digest: format!("sha256:{}", "7".repeat(64)),
            size: 10,
            kind: GlueKind::Jco,
        });
        idx.versions[0].cores = vec![Core {
            name: "counter.core.wasm".into(),
            digest: format!("sha256:{}", "8".repeat(64)),
            size: 20,
        }];
        idx.validate(&name, "u").unwrap();
        let json = serde_json::to_string(&idx).unwrap();
        assert!(json.contains(r#""kind":"jco""#), "{json}");
        assert!(
            json.contains(r#""cores":[{"name":"counter.core.wasm""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Index>(&json).unwrap(), idx);

        let mut wasm_bindgen = index(&[("1.0.0", false)]);
        wasm_bindgen.versions[0].glue = Some(Glue {
            digest: format!("sha256:{}", "7".repeat(64)),
            size: 10,
            kind: GlueKind::WasmBindgen,
        });
        let json = serde_json::to_string(&wasm_bindgen).unwrap();
        assert!(!json.contains("kind") && !json.contains("cores"), "{json}");
    }

    #[test]
    fn an_assemblyscript_entry_names_its_glue_kind_and_round_trips_without_cores() {
        let name: PackageName = "acme/counter".parse().unwrap();
        let mut idx = index(&[("1.0.0", false)]);
        idx.versions[0].glue = Some(Glue {
            digest: format!("sha256:{}", "7".repeat(64)),
            size: 10,
            kind: GlueKind::AssemblyScript,
        });
        idx.validate(&name, "u").unwrap();
        let json = serde_json::to_string(&idx).unwrap();
        assert!(json.contains(r#""kind":"assemblyscript""#), "{json}");
        assert!(!json.contains("cores"), "{json}");
        assert_eq!(serde_json::from_str::<Index>(&json).unwrap(), idx);
        idx.versions[0].cores = vec![Core {
            name: "a.wasm".into(),
            digest: format!("sha256:{}", "8".repeat(64)),
            size: 1,
        }];
        let err = idx.validate(&name, "u").unwrap_err().to_string();
        assert!(err.contains("`cores` is only for a component"), "{err}");
    }

    #[test]
    fn a_components_entry_without_cores_is_an_invalid_index() {
        let name: PackageName = "acme/counter".parse().unwrap();
        let mut idx = index(&[("1.0.0", false)]);
        idx.versions[0].glue = Some(Glue {
            digest: format!("sha256:{}", "7".repeat(64)),
            size: 10,
            kind: GlueKind::Jco,
        });
        let err = idx.validate(&name, "u").unwrap_err();
        assert_eq!(err.code(), "INVALID_INDEX");
        assert!(
            err.to_string()
                .contains("version 1.0.0: the component's entry names no core modules"),
            "{err}"
        );
        idx.versions[0].cores = vec![
            Core {
                name: "a.wasm".into(),
                digest: format!("sha256:{}", "8".repeat(64)),
                size: 1,
            },
            Core {
                name: "a.wasm".into(),
                digest: format!("sha256:{}", "9".repeat(64)),
                size: 1,
            },
        ];
        let err = idx.validate(&name, "u").unwrap_err().to_string();
        assert!(err.contains("`cores[1].name` `a.wasm`"), "{err}");
    }
}
