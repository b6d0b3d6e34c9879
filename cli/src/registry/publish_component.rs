//! Publishing a component: the rules that may refuse it, the transpile, then the blobs (the
//! core modules, the JS, the component), then the index.

use std::path::{Path, PathBuf};

use semver::Version;
use serde::Serialize;
use wasm_hotswap::diff::{Diff, Severity};
use wasm_hotswap::registry::index::{Core, Glue as IndexGlue, GlueKind};

use super::publish::{check_greater, judge, now_rfc3339, FailPoint, Previous, VersionSection};
use super::{Entry, Index, PackageName, Registry};
use crate::component::{diff::diff, Component};
use crate::exit::Failure;
use crate::jco::{self, Transpiled};

/// A component to publish, and where.
#[derive(Debug, Clone)]
pub struct Request {
    /// The component as read from its file.
    pub component: Component,
    /// The package name.
    pub name: PackageName,
    /// The version to publish it as.
    pub version: Version,
    /// The registry folder.
    pub registry: Registry,
    /// The `jco` program ([`jco::locate`]).
    pub jco: Option<PathBuf>,
}

/// One stored blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stored {
    /// The file name jco gave it (for a core module, the name the JS asks for).
    pub name: String,
    /// Its digest, which the index entry names.
    pub digest: String,
    /// Its size.
    pub size: u64,
    /// Where its blob is.
    pub blob: PathBuf,
    /// Whether the blob was already there.
    pub blob_existed: bool,
}

/// A successful publish of a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    /// The package name.
    pub name: String,
    /// The version published.
    pub version: Version,
    /// Always `component`.
    pub kind: &'static str,
    /// Digest of the component's stored bytes (with their `version` section).
    pub digest: String,
    /// Their size.
    pub size: u64,
    /// Where the component's blob is.
    pub blob: PathBuf,
    /// Whether it was already there.
    pub blob_existed: bool,
    /// The JS jco wrote (`glue` in the index, `kind: "jco"`).
    pub glue: Stored,
    /// The core modules jco wrote (`cores` in the index).
    pub cores: Vec<Stored>,
    /// Where the index is.
    pub index: PathBuf,
    /// Whether the version section was present or written.
    pub version_section: VersionSection,
    /// The version before, if any.
    pub previous: Option<Previous>,
}

/// A component checked against the rules and transpiled: what both publishes store.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The component with its `version` section.
    pub component: Component,
    /// Whether the section was there.
    pub version_section: VersionSection,
    /// What jco wrote for it.
    pub transpiled: Transpiled,
}

/// Publishes `request.component` as `request.name@request.version`.
///
/// Steps, each of which may refuse before anything is written:
/// 1. A `version` section at the component's top level must equal `--version`
///    (`VERSION_MISMATCH`); a missing one is written with wasm-metadata
///    ([`Component::versioned`]).
/// 2. The version must be greater than every published one (`VERSION_NOT_GREATER`).
/// 3. The bump from the highest published version must be as large as the WIT change needs,
///    by the rules of `wasm-tools component semver-check` ([`diff`]), else
///    `SEMVER_VIOLATION` naming each WIT item that needs more. A highest version that is a
///    core module counts as a breaking change: a component is not a drop-in module.
/// 4. jco transpiles the versioned bytes ([`jco::transpile`]; `JCO_NOT_FOUND`,
///    `TRANSPILE_FAILED`).
///
/// Then the blobs are stored (each skipped if it exists with the same bytes) through the
/// crash-safe writer: the core modules, the JS, the component; then the index is replaced
/// atomically. A crash before the index leaves the previous index, naming only blobs that
/// exist. The entry is `{"version", "digest", "size"` (the component's), `"glue": {"digest",
/// "size", "kind": "jco"}, "cores": [{"name", "digest", "size"}], …}`.
///
/// # Errors
/// The refusals above; `IO_ERROR` (exit 3); `REGISTRY_CORRUPT` (exit 2).
pub fn publish(request: &Request, fail_at: Option<FailPoint>) -> Result<Published, Failure> {
    let Request {
        component,
        name,
        version,
        registry,
        jco,
    } = request;
    let (component, version_section) = component.versioned(version)?;
    let mut index = registry
        .read_index(name)?
        .unwrap_or_else(|| Index::empty(name));
    let previous = match index.newest() {
        Some(newest) => {
            check_greater(&newest.version, version)?;
            let old = registry.read_blob_of(newest)?;
            Some(check_bump(&newest.version, &old, &component, version)?)
        }
        None => None,
    };
    let prepared = transpile(component, version_section, name, jco.as_deref())?;

    let store = |file: &jco::File| -> Result<Stored, Failure> {
        let (blob, blob_existed) = registry.put_blob(&file.bytes)?;
        Ok(Stored {
            name: file.name.clone(),
            digest: file.digest.to_string(),
            size: file.bytes.len() as u64,
            blob,
            blob_existed,
        })
    };
    let cores = prepared
        .transpiled
        .cores
        .iter()
        .map(store)
        .collect::<Result<Vec<_>, _>>()?;
    let glue = store(&prepared.transpiled.js)?;
    let component = &prepared.component;
    let (blob, blob_existed) = registry.put_blob(&component.bytes)?;
    if fail_at == Some(FailPoint::AfterBlob) {
        let e = std::io::Error::other("failure injected at AfterBlob");
        return Err(Failure::io("publishing", &blob, &e));
    }

    let entry = Entry {
        version: version.clone(),
        digest: component.digest.to_string(),
        size: component.bytes.len() as u64,
        glue: Some(IndexGlue {
            digest: glue.digest.clone(),
            size: glue.size,
            kind: GlueKind::Jco,
        }),
        cores: cores
            .iter()
            .map(|c| Core {
                name: c.name.clone(),
                digest: c.digest.clone(),
                size: c.size,
            })
            .collect(),
        yanked: false,
        published: now_rfc3339(),
    };
    // Signed (with `--sign`) before the index names it.
    index.insert(registry.signed(name, entry)?);
    let injected = || match fail_at {
        Some(FailPoint::BeforeIndexRename) => Err(std::io::Error::other(
            "failure injected at BeforeIndexRename",
        )),
        _ => Ok(()),
    };
    let index_path = registry.write_index(&index, name, &injected)?;
    Ok(Published {
        name: name.to_string(),
        version: version.clone(),
        kind: "component",
        digest: component.digest.to_string(),
        size: component.bytes.len() as u64,
        blob,
        blob_existed,
        glue,
        cores,
        index: index_path,
        version_section,
        previous,
    })
}

/// Step 4 of [`publish`], shared with the OCI push: jco found and run on the versioned
/// component, named after the package's last part (`acme/counter` => `counter.js`,
/// `counter.core.wasm`).
///
/// # Errors
/// `JCO_NOT_FOUND`, `TRANSPILE_FAILED`, `IO_ERROR`.
pub fn transpile(
    component: Component,
    version_section: VersionSection,
    name: &PackageName,
    jco: Option<&Path>,
) -> Result<Prepared, Failure> {
    let program = jco::locate(jco)?;
    let stem = name.parts().last().unwrap_or("component");
    let transpiled = jco::transpile(&program, &component.path, &component.bytes, stem)?;
    Ok(Prepared {
        component,
        version_section,
        transpiled,
    })
}

/// Step 3 of [`publish`]: the bump from `newest` (whose published bytes are `old`) to
/// `version` must cover the WIT change to `component`.
///
/// # Errors
/// `SEMVER_VIOLATION` (exit 1) naming each WIT item that needs more; the errors of reading
/// `old` as a component.
pub fn check_bump(
    newest: &Version,
    old: &(PathBuf, Vec<u8>),
    component: &Component,
    version: &Version,
) -> Result<Previous, Failure> {
    judge(
        newest,
        version,
        &change(newest, old, component)?,
        "WIT change",
    )
}

/// The change from `newest` (whose published bytes are `old`) to `component`: the WIT change
/// ([`diff`]) when `newest` is a component, a breaking change of the guest kind when it is a
/// core module. What [`check_bump`] judges and the dev version
/// ([`super::dev::publish_next_component`]) follows.
///
/// # Errors
/// The errors of reading `old` as a component.
pub fn change(
    newest: &Version,
    old: &(PathBuf, Vec<u8>),
    component: &Component,
) -> Result<Diff, Failure> {
    let (old_path, old_bytes) = old;
    if !crate::component::is_component(old_bytes) {
        return Ok(Diff {
            changes: vec![wasm_hotswap::diff::Change {
                severity: Severity::Breaking,
                item: "guest kind".into(),
                detail: format!("{newest} is a core module, this version a component"),
            }],
        });
    }
    let old = Component::from_bytes(old_path, old_bytes.clone())?;
    Ok(diff(&old.world, &component.world))
}
