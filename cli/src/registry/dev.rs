//! Dev versions: publishing a module or a component that changed as the next version the
//! semver rule allows, for `hotswap serve --watch` and `hotswap publish --next`.

use std::path::Path;

use semver::Version;
use wasm_hotswap::bump::smallest_allowed;
use wasm_hotswap::diff::{diff, Severity};
use wasm_hotswap::digest::Digest;

use super::publish::{publish, Published, Request};
use super::publish_component;
use super::{PackageName, Registry};
use crate::component::Component;
use crate::exit::{Exit, Failure};
use crate::glue::Glue;
use crate::metadata;
use crate::module::Module;

/// The version a package's first dev publish gets when the module has no `version` section.
pub const FIRST: Version = Version::new(0, 1, 0);

/// Publishes `module` (with the `glue` of a wasm-bindgen module) as the next dev version of
/// `name`, or returns `None` when it is the newest published version already (the same bytes
/// once its `version` section is set to that version's, and the same glue, as when a file is
/// saved again unchanged).
///
/// The version, always without prerelease or build metadata:
/// 1. the first version of a package is the module's own `version` section without its
///    prerelease and build parts (`1.2.0-dev+5 => 1.2.0`), or [`FIRST`] without one;
/// 2. after that, the smallest version after the newest published one (yanked or not) that
///    the change allows ([`smallest_allowed`] on [`diff`]'s severity, of what the app reaches:
///    [`Module::compared`]): `1.2.0` then `1.2.1` for an unchanged interface (or only new
///    glue), `1.3.0` for an added export, `2.0.0` for a removed one.
///
/// The module's `version` section is replaced by that version (wasm-metadata writes it as
/// `wasm-tools metadata add --version` does) and [`publish`] stores it, with all its rules.
///
/// # Errors
/// [`publish`]'s; `REGISTRY_CORRUPT` for a newest version whose blob is missing or wrong;
/// `NO_NEXT_VERSION` (exit 1) when a number that must grow is at `u64::MAX`.
pub fn publish_next(
    registry: &Registry,
    name: &PackageName,
    module: &Module,
    glue: Option<&Glue>,
) -> Result<Option<Published>, Failure> {
    let newest = registry.read_index(name)?.and_then(|i| i.newest().cloned());
    let version = match &newest {
        None => first(module.interface.version.as_ref()),
        Some(newest) => {
            let glue_digest = glue.map(|g| g.digest.to_string());
            if versioned(module, &newest.version)?.digest.to_string() == newest.digest
                && glue_digest.as_ref() == newest.glue.as_ref().map(|g| &g.digest)
            {
                return Ok(None);
            }
            let old = registry.read_module(newest)?;
            let severity = diff(&old.compared(), &module.compared()).severity();
            after(&newest.version, severity)?
        }
    };
    let request = Request {
        module: versioned(module, &version)?,
        glue: glue.cloned(),
        name: name.clone(),
        version,
        registry: registry.clone(),
    };
    publish(&request, None).map(Some)
}

/// Publishes `component` as the next dev version of `name`, transpiled with the `jco`
/// program ([`publish_component::publish`], with all its rules), or returns `None` when it is
/// the newest published version already (the same bytes once its `version` section is set to
/// that version's).
///
/// The version follows [`publish_next`]'s rule, the change judged as `hotswap publish` judges
/// a component's ([`publish_component::change`]: the rules of `wasm-tools component
/// semver-check`): the component's own `version` section without prerelease and build for a
/// package's first (or [`FIRST`]); then `1.2.1` for the same world, `1.3.0` for an export
/// added, `2.0.0` for one removed or changed, and `2.0.0` after a core module (a component
/// is not a drop-in module).
/// A `version` section the component has is replaced by that version.
///
/// # Errors
/// [`publish_component::publish`]'s (`JCO_NOT_FOUND`, `TRANSPILE_FAILED`, …);
/// `REGISTRY_CORRUPT` for a newest version whose blob is missing or wrong; `NO_NEXT_VERSION`.
pub fn publish_next_component(
    registry: &Registry,
    name: &PackageName,
    component: &Component,
    jco: Option<&Path>,
) -> Result<Option<publish_component::Published>, Failure> {
    let newest = registry.read_index(name)?.and_then(|i| i.newest().cloned());
    let version_of_first = first(component.version.as_ref());
    let component = unversioned(component)?;
    let version = match &newest {
        None => version_of_first,
        Some(newest) => {
            // The bytes the publish would store as the newest version: written as
            // `Component::versioned` writes a missing section.
            let same = metadata::with_version(&component.path, &component.bytes, &newest.version)?;
            if Digest::of(&same).to_string() == newest.digest {
                return Ok(None);
            }
            let old = registry.read_blob_of(newest)?;
            let severity = publish_component::change(&newest.version, &old, &component)?.severity();
            after(&newest.version, severity)?
        }
    };
    let request = publish_component::Request {
        component,
        name: name.clone(),
        version,
        registry: registry.clone(),
        jco: jco.map(Path::to_path_buf),
    };
    publish_component::publish(&request, None).map(Some)
}

/// A package's first dev version: the guest's own `version` without its prerelease and
/// build parts (`1.2.0-dev+5 => 1.2.0`), or [`FIRST`].
fn first(own: Option<&Version>) -> Version {
    own.map_or(FIRST, |v| Version::new(v.major, v.minor, v.patch))
}

/// The smallest version after `newest` that a `severity` change allows.
///
/// # Errors
/// `NO_NEXT_VERSION` (exit 1) when a number that must grow is at `u64::MAX`.
fn after(newest: &Version, severity: Severity) -> Result<Version, Failure> {
    smallest_allowed(newest, severity).ok_or_else(|| {
        Failure::new(
            Exit::Refused,
            "NO_NEXT_VERSION",
            format!("no version after {newest} allows a {severity} change"),
        )
    })
}

/// `component` without its top-level `version` section, which the publish then writes: the
/// dev version replaces whatever the build wrote. A custom section is no part of the
/// component's type, so its world is the one already decoded.
fn unversioned(component: &Component) -> Result<Component, Failure> {
    if component.version.is_none() {
        return Ok(component.clone());
    }
    let bytes = metadata::without_version(&component.path, &component.bytes)?;
    Ok(Component {
        digest: Digest::of(&bytes),
        bytes,
        version: None,
        ..component.clone()
    })
}

/// `module` with its `version` section set to `version`, replacing one it has.
fn versioned(module: &Module, version: &Version) -> Result<Module, Failure> {
    if module.interface.version.as_ref() == Some(version) {
        return Ok(module.clone());
    }
    let bytes = match module.interface.version {
        Some(_) => metadata::without_version(&module.path, &module.bytes)?,
        None => module.bytes.clone(),
    };
    let bytes = metadata::with_version(&module.path, &bytes, version)?;
    Module::from_bytes(&module.path, bytes)
}
