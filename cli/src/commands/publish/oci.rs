//! `hotswap publish m.wasm --name N --version V --oci URL`: to an OCI registry ([`crate::oci`]).

use std::path::Path;

use serde_json::json;

use super::outcome_rows;
use crate::commands::Report;
use crate::exit::{Exit, Failure};
use crate::glue::Glue;
use crate::module::Module;
use crate::oci::client::Client;
use crate::oci::push::{push, Request};
use crate::oci::Target;
use crate::registry::PackageName;
use crate::sign::Signer;
use crate::table::columns;

/// Pushes the module in `path`, with the wasm-bindgen glue in `glue`, to the registry `oci`
/// names; the rules are [`push`]'s.
///
/// JSON: `{"name", "repository", "reference", "version", "digest", "size",
/// "manifest_digest", "config_digest", "layer_existed", "glue": {"digest", "size",
/// "media_type", "layer_existed"} | null, "version_section":
/// "present" | "written", "previous": {"version", "severity", "declared"} | null}`.
///
/// # Errors
/// As [`push`], those of reading the module, and `USAGE` for a malformed `--oci`.
pub fn run(
    path: &Path,
    glue: Option<&Path>,
    name: &PackageName,
    version: &semver::Version,
    oci: &str,
    signer: Option<&Signer>,
) -> Result<Report, Failure> {
    let request = Request {
        target: Target::parse(oci, name)?.signed_by(signer.cloned()),
        module: Module::read(path)?,
        glue: glue.map(Glue::read).transpose()?,
        name: name.clone(),
        version: version.clone(),
    };
    let done = push(&request, &Client::new())?;
    let mut rows = vec![
        ("published", format!("{}@{}", done.name, done.version)),
        ("reference", done.reference.clone()),
        ("digest", done.digest.clone()),
        ("size", format!("{} bytes", done.size)),
        (
            "layer",
            if done.layer_existed {
                "already in the registry".to_string()
            } else {
                "uploaded".to_string()
            },
        ),
    ];
    if let Some(glue) = &done.glue {
        rows.push((
            "glue layer",
            format!(
                "{} ({} bytes, {}), {}",
                glue.digest,
                glue.size,
                glue.media_type,
                if glue.layer_existed {
                    "already in the registry"
                } else {
                    "uploaded"
                }
            ),
        ));
    }
    rows.extend([
        ("manifest", done.manifest_digest.clone()),
        ("config", done.config_digest.clone()),
    ]);
    rows.extend(outcome_rows(&done.version_section, done.previous.as_ref()));
    Ok(Report {
        json: json!(done),
        human: columns(0, &rows),
        exit: Exit::Success,
    })
}
