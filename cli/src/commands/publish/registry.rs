//! `hotswap publish m.wasm --name N --version V --registry DIR`: into a registry folder
//! ([`crate::registry`]).

use std::path::Path;

use serde_json::json;

use super::outcome_rows;
use crate::commands::Report;
use crate::exit::{Exit, Failure};
use crate::module::Module;
use crate::registry::publish::{publish, Request};
use crate::registry::{PackageName, Registry};
use crate::table::columns;

/// Publishes the module in `path`; the rules are [`publish`]'s.
///
/// JSON: `{"name", "version", "digest", "size", "blob", "blob_existed", "index",
/// "version_section": "present" | "written", "previous": {"version", "severity", "declared"}
/// | null}`.
///
/// # Errors
/// As [`publish`], and those of reading the module.
pub fn run(
    path: &Path,
    name: &PackageName,
    version: &semver::Version,
    registry: &Path,
) -> Result<Report, Failure> {
    let request = Request {
        module: Module::read(path)?,
        name: name.clone(),
        version: version.clone(),
        registry: Registry::at(registry),
    };
    let done = publish(&request, None)?;
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
        ("index", done.index.display().to_string()),
    ];
    rows.extend(outcome_rows(&done.version_section, done.previous.as_ref()));
    Ok(Report {
        json: json!(done),
        human: columns(0, &rows),
        exit: Exit::Success,
    })
}
