//! `hotswap publish m.wasm --name N --version V --registry DIR`: into a registry folder
//! ([`crate::registry`]).

use std::path::Path;

use serde_json::json;

use super::outcome_rows;
use crate::commands::Report;
use crate::exit::{Exit, Failure};
use crate::glue::Glue;
use crate::module::Module;
use crate::registry::dev::{publish_next, publish_next_component};
use crate::registry::publish::{publish, Published, Request};
use crate::registry::{PackageName, Registry};
use crate::sign::Signer;
use crate::table::columns;
use wasm_hotswap::registry::index::GlueKind;

/// Publishes the module in `path`, with the glue in `glue` (wasm-bindgen's, or
/// AssemblyScript's raw bindings, told apart by their text); the rules are [`publish`]'s.
///
/// JSON: `{"name", "version", "digest", "size", "blob", "blob_existed", "glue": {"digest",
/// "size", "kind", "blob", "blob_existed"} | null, "index",
/// "version_section": "present" | "written", "previous": {"version", "severity", "declared"}
/// | null}`.
///
/// # Errors
/// As [`publish`], and those of reading the module.
pub fn run(
    path: &Path,
    glue: Option<&Path>,
    name: &PackageName,
    version: &semver::Version,
    registry: &Path,
    signer: Option<&Signer>,
) -> Result<Report, Failure> {
    let request = Request {
        module: Module::read(path)?,
        glue: glue.map(Glue::read).transpose()?,
        name: name.clone(),
        version: version.clone(),
        registry: Registry::at(registry).signed_by(signer.cloned()),
    };
    Ok(published(&publish(&request, None)?))
}

/// `hotswap publish m.wasm --next --registry DIR`: publishes the module as the next dev
/// version ([`publish_next`]: the rule of `serve --watch`), or reports that it equals the
/// newest published version, which is then not published again. A component is published
/// by the same rule ([`publish_next_component`]), transpiled with the `jco` program.
///
/// JSON: [`run`]'s (a component's: [`super::component::run`]'s), or `{"name", "version",
/// "unchanged": true}` with the newest version.
///
/// # Errors
/// As [`publish_next`] or [`publish_next_component`], and those of reading the guest;
/// `INVALID_GUEST` (exit 2) for `--glue` with a component.
pub fn run_next(
    path: &Path,
    glue: Option<&Path>,
    name: &PackageName,
    registry: &Path,
    jco: Option<&Path>,
    signer: Option<&Signer>,
) -> Result<Report, Failure> {
    let registry = Registry::at(registry).signed_by(signer.cloned());
    if let Some(found) = crate::component::read_if_component(path)? {
        if let Some(glue) = glue {
            return Err(super::glue_with_component(path, glue));
        }
        if let Some(done) = publish_next_component(&registry, name, &found, jco)? {
            return Ok(super::component::published(&done));
        }
        return unchanged(&registry, name, "component");
    }
    let module = Module::read(path)?;
    let glue = glue.map(Glue::read).transpose()?;
    if let Some(done) = publish_next(&registry, name, &module, glue.as_ref())? {
        return Ok(published(&done));
    }
    unchanged(&registry, name, "module")
}

/// The report of a `--next` publish that found the newest version equal to the guest, a
/// `kind`.
fn unchanged(registry: &Registry, name: &PackageName, kind: &str) -> Result<Report, Failure> {
    let newest = registry
        .read_index(name)?
        .and_then(|i| i.newest().map(|e| e.version.to_string()))
        .unwrap_or_default();
    Ok(Report {
        json: json!({ "name": name.as_str(), "version": newest, "unchanged": true }),
        human: columns(
            0,
            &[("unchanged", format!("{name}@{newest} is this {kind}"))],
        ),
        exit: Exit::Success,
    })
}

fn published(done: &Published) -> Report {
    let mut rows = vec![
        ("published", format!("{}@{}", done.name, done.version)),
        ("digest", done.digest.clone()),
        ("size", format!("{} bytes", done.size)),
        (
            "blob",
            format!(
                "{}{}",
                done.blob.display(),
                if done.blob_existed {
                    " (already there)"
                } else {
                    ""
                }
            ),
        ),
    ];
    if let Some(glue) = &done.glue {
        let kind = match glue.kind {
            GlueKind::AssemblyScript => ", asc --bindings raw",
            _ => "",
        };
        rows.push((
            "glue",
            format!("{} ({} bytes{kind})", glue.digest, glue.size),
        ));
        rows.push((
            "glue blob",
            format!(
                "{}{}",
                glue.blob.display(),
                if glue.blob_existed {
                    " (already there)"
                } else {
                    ""
                }
            ),
        ));
    }
    rows.push(("index", done.index.display().to_string()));
    rows.extend(outcome_rows(&done.version_section, done.previous.as_ref()));
    Report {
        json: json!(done),
        human: columns(0, &rows),
        exit: Exit::Success,
    }
}
