//! `hotswap publish m.wasm --name N --version V --registry DIR`: into a registry folder
//! ([`crate::registry`]).

use std::path::Path;

use serde_json::json;

use super::outcome_rows;
use crate::commands::Report;
use crate::exit::{Exit, Failure};
use crate::glue::Glue;
use crate::module::Module;
use crate::registry::dev::publish_next;
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
/// newest published version, which is then not published again.
///
/// JSON: [`run`]'s, or `{"name", "version", "unchanged": true}` with the newest version.
///
/// # Errors
/// As [`publish_next`], and those of reading the module.
pub fn run_next(
    path: &Path,
    glue: Option<&Path>,
    name: &PackageName,
    registry: &Path,
    signer: Option<&Signer>,
) -> Result<Report, Failure> {
    let module = Module::read(path)?;
    let glue = glue.map(Glue::read).transpose()?;
    let registry = Registry::at(registry).signed_by(signer.cloned());
    if let Some(done) = publish_next(&registry, name, &module, glue.as_ref())? {
        return Ok(published(&done));
    }
    let newest = registry
        .read_index(name)?
        .and_then(|i| i.newest().map(|e| e.version.to_string()))
        .unwrap_or_default();
    Ok(Report {
        json: json!({ "name": name.as_str(), "version": newest, "unchanged": true }),
        human: columns(
            0,
            &[("unchanged", format!("{name}@{newest} is this module"))],
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
