//! Publishing a module: the rules that may refuse it, then the blob, then the index.

use std::io;
use std::path::PathBuf;

use semver::Version;
use serde::Serialize;
use wasm_hotswap::bump::{self, Bump};
use wasm_hotswap::diff::{diff, Severity};
use wasm_hotswap::guest::Kind;
use wasm_hotswap::registry::index::{Glue as IndexGlue, GlueKind};

use super::{Entry, PackageName, Registry};
use crate::exit::{Exit, Failure};
use crate::glue::{guest, Glue};
use crate::metadata;
use crate::module::Module;

/// What to publish, and where.
#[derive(Debug, Clone)]
pub struct Request {
    /// The module as read from its file.
    pub module: Module,
    /// A wasm-bindgen module's JS glue (`--glue`).
    pub glue: Option<Glue>,
    /// The package name.
    pub name: PackageName,
    /// The version to publish it as.
    pub version: Version,
    /// The registry folder.
    pub registry: Registry,
}

/// Where a publish stops on purpose, to prove what a crash at that point leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailPoint {
    /// After the blob is durable, before the index is touched.
    AfterBlob,
    /// After the new index is written and fsynced to its temp file, before the rename.
    BeforeIndexRename,
}

/// Whether the `version` section was already in the module or written by `publish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionSection {
    /// The module carried it, with the same version.
    Present,
    /// `publish` added it with wasm-metadata.
    Written,
}

/// The version published before, and how the new one compares with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Previous {
    /// The highest version published before.
    pub version: Version,
    /// The interface change from it.
    pub severity: Severity,
    /// The bump the new version declares.
    pub declared: Bump,
}

/// A successful publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    /// The package name.
    pub name: String,
    /// The version published.
    pub version: Version,
    /// Digest of the stored bytes (with their `version` section).
    pub digest: String,
    /// Size of the stored bytes.
    pub size: u64,
    /// Where the blob is.
    pub blob: PathBuf,
    /// Whether the blob was already there, so that nothing was written for it.
    pub blob_existed: bool,
    /// The JS glue stored with a wasm-bindgen module.
    pub glue: Option<PublishedGlue>,
    /// Where the index is.
    pub index: PathBuf,
    /// Whether the version section was present or written.
    pub version_section: VersionSection,
    /// The version before, if any.
    pub previous: Option<Previous>,
}

/// A module's glue (wasm-bindgen's or AssemblyScript's), stored as a blob beside the module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedGlue {
    /// Digest of the glue, which the index entry names (`glue.digest`).
    pub digest: String,
    /// Its size.
    pub size: u64,
    /// Which toolchain wrote it (`glue.kind` of the entry): `wasm-bindgen` or
    /// `assemblyscript`.
    pub kind: GlueKind,
    /// Where its blob is.
    pub blob: PathBuf,
    /// Whether the blob was already there.
    pub blob_existed: bool,
}

/// Publishes `request.module` as `request.name@request.version`.
///
/// Steps, each of which may refuse (exit 1) before anything is written:
/// 1. The module must come with glue exactly when wasm-bindgen wrote it (AssemblyScript's
///    raw bindings may come with any other core module), and satisfy its kind's guest
///    contract ([`guest`]: `INVALID_GUEST`, exit 2).
/// 2. A `version` section present must equal `--version` (`VERSION_MISMATCH`); a missing one
///    is written with wasm-metadata.
/// 3. The version must be greater, by semver precedence, than every published one, yanked
///    or not (`VERSION_NOT_GREATER`).
/// 4. The bump from the highest published version must be as large as the interface change
///    needs ([`bump::check`] on [`diff`]'s severity, between what the app reaches of each:
///    [`Module::compared`]), else `SEMVER_VIOLATION` naming each item that needs more.
///
/// Then the blobs are stored, the glue's first (each skipped if it exists with the same
/// bytes), and the index replaced atomically; its entry names the glue (`glue.digest`, and
/// `glue.kind` `assemblyscript` for AssemblyScript's). `fail_at` stops the publish at a [`FailPoint`] with an I/O error, for tests.
///
/// # Errors
/// The refusals above; `IO_ERROR` (exit 3); `REGISTRY_CORRUPT` (exit 2).
pub fn publish(request: &Request, fail_at: Option<FailPoint>) -> Result<Published, Failure> {
    let Request {
        module,
        glue,
        name,
        version,
        registry,
    } = request;
    let kind = guest(module, glue.as_ref())?.kind;

    let (module, version_section) = versioned(module, version)?;
    let index = registry.read_index(name)?;
    let mut index = index.unwrap_or_else(|| super::Index::empty(name));

    let previous = match index.newest() {
        Some(newest) => Some(check_against(registry, newest, &module, version, kind)?),
        None => None,
    };

    let glue = match glue {
        Some(glue) => {
            let (blob, blob_existed) = registry.put_blob(&glue.bytes)?;
            Some(PublishedGlue {
                digest: glue.digest.to_string(),
                size: glue.bytes.len() as u64,
                kind: glue.kind,
                blob,
                blob_existed,
            })
        }
        None => None,
    };
    let (blob, blob_existed) = registry.put_blob(&module.bytes)?;
    let injected = |at: FailPoint| {
        if fail_at == Some(at) {
            Err(io::Error::other(format!("failure injected at {at:?}")))
        } else {
            Ok(())
        }
    };
    injected(FailPoint::AfterBlob).map_err(|e| Failure::io("publishing", &blob, &e))?;

    let entry = Entry {
        version: version.clone(),
        digest: module.digest.to_string(),
        size: module.bytes.len() as u64,
        glue: glue.as_ref().map(|g| IndexGlue {
            digest: g.digest.clone(),
            size: g.size,
            kind: g.kind,
        }),
        cores: Vec::new(),
        yanked: false,
        published: now_rfc3339(),
    };
    // Signed (with `--sign`) before the index names it.
    index.insert(registry.signed(name, entry)?);
    let index_path =
        registry.write_index(&index, name, &|| injected(FailPoint::BeforeIndexRename))?;
    Ok(Published {
        name: name.to_string(),
        version: version.clone(),
        digest: module.digest.to_string(),
        size: module.bytes.len() as u64,
        blob,
        blob_existed,
        glue,
        index: index_path,
        version_section,
        previous,
    })
}

/// The module with its `version` section equal to `version`, writing it if missing (the
/// `VERSION_MISMATCH` refusal and the wasm-metadata write of [`publish`]'s step 2).
///
/// # Errors
/// `VERSION_MISMATCH` (exit 1), `INVALID_METADATA` (exit 2).
pub fn versioned(module: &Module, version: &Version) -> Result<(Module, VersionSection), Failure> {
    match &module.interface.version {
        Some(present) if present == version => Ok((module.clone(), VersionSection::Present)),
        Some(present) => Err(Failure::new(
            Exit::Refused,
            "VERSION_MISMATCH",
            format!(
                "{}: section `version` says {present}, but --version is {version}; \
                 rebuild the module or publish it as {present}",
                module.path.display()
            ),
        )),
        None => {
            let bytes = metadata::with_version(&module.path, &module.bytes, version)?;
            let written = Module::from_bytes(&module.path, bytes)?;
            // The core must read back exactly what wasm-metadata wrote.
            if written.interface.version.as_ref() != Some(version) {
                return Err(Failure::new(
                    Exit::InvalidInput,
                    "INVALID_METADATA",
                    format!(
                        "{}: after writing version {version}, the module reads as {:?}",
                        module.path.display(),
                        written.interface.version
                    ),
                ));
            }
            Ok((written, VersionSection::Written))
        }
    }
}

/// Refuses `version` unless it is greater than `newest` by a large enough bump.
fn check_against(
    registry: &Registry,
    newest: &Entry,
    module: &Module,
    version: &Version,
    kind: Kind,
) -> Result<Previous, Failure> {
    check_greater(&newest.version, version)?;
    let (old_path, old_bytes) = registry.read_blob_of(newest)?;
    if crate::component::is_component(&old_bytes) {
        return Err(Failure::new(
            Exit::Refused,
            "SEMVER_VIOLATION",
            format!(
                "{}, the newest published version, is a component (`{}`): a core module after \
                 it is a breaking change of guest kind, which this publish does not make",
                newest.version,
                old_path.display()
            ),
        ));
    }
    let old = Module::from_bytes(&old_path, old_bytes)?;
    check_bump(&newest.version, &old, module, version, kind)
}

/// [`publish`]'s step 3: `version` must be greater than `newest`, the highest published.
///
/// # Errors
/// `VERSION_NOT_GREATER` (exit 1).
pub fn check_greater(newest: &Version, version: &Version) -> Result<(), Failure> {
    if version.cmp_precedence(newest) != std::cmp::Ordering::Greater {
        return Err(Failure::new(
            Exit::Refused,
            "VERSION_NOT_GREATER",
            format!("version {version} is not greater than {newest}, the newest published version"),
        ));
    }
    Ok(())
}

/// [`publish`]'s step 4: the bump from `newest` (whose module is `old`) to `version` must be
/// as large as the interface change from `old` to `module` needs, comparing what the app
/// reaches of each ([`Module::compared`]; for a module published with AssemblyScript's glue,
/// `kind`, what its bindings give the app, as the runtime's gate compares it).
///
/// # Errors
/// `SEMVER_VIOLATION` (exit 1) naming each item that needs more.
pub fn check_bump(
    newest: &Version,
    old: &Module,
    module: &Module,
    version: &Version,
    kind: Kind,
) -> Result<Previous, Failure> {
    // The module alone does not say it is AssemblyScript's: only its glue does.
    let change = match kind {
        Kind::AssemblyScript => diff(
            &kind.compared(&old.interface),
            &kind.compared(&module.interface),
        ),
        _ => diff(&old.compared(), &module.compared()),
    };
    judge(newest, version, &change, "change")
}

/// The bump from `newest` to `version` against `change` (the interface `change`, or the
/// `WIT change` of a component: `what` names it in the message).
///
/// # Errors
/// `SEMVER_VIOLATION` (exit 1) naming each item that needs more than the declared bump.
pub(crate) fn judge(
    newest: &Version,
    version: &Version,
    change: &wasm_hotswap::diff::Diff,
    what: &str,
) -> Result<Previous, Failure> {
    let severity = change.severity();
    match bump::check(newest, version, severity) {
        Ok(declared) => Ok(Previous {
            version: newest.clone(),
            severity,
            declared,
        }),
        Err((declared, needed)) => Err(Failure {
            items: change
                .changes
                .iter()
                .filter(|c| bump::required(c.severity) > declared)
                .map(|c| format!("{} ({}): {c}", c.severity, bump::required(c.severity)))
                .collect(),
            ..Failure::new(
                Exit::Refused,
                "SEMVER_VIOLATION",
                format!(
                    "{newest} => {version} is a {declared} bump, but the {what} from {newest} \
                     is {severity} and needs {needed}; the smallest version it allows is {}",
                    bump::smallest_allowed(newest, severity)
                        .map_or("none".to_string(), |v| v.to_string())
                ),
            )
        }),
    }
}

pub(crate) fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}
