//! `hotswap publish c.component.wasm --name N --version V (--registry DIR | --oci URL)`: a
//! component, transpiled with jco ([`crate::jco`]) and stored with its JS and core modules
//! ([`crate::registry::publish_component`], [`crate::oci::push_component`]).

use std::path::Path;

use serde_json::json;

use super::{outcome_rows, Destination};
use crate::commands::Report;
use crate::component::Component;
use crate::exit::{Exit, Failure};
use crate::oci::client::Client;
use crate::oci::{push_component, Target};
use crate::registry::{publish_component, PackageName, Registry};
use crate::sign::Signer;
use crate::table::columns;

/// Publishes `component` as `name@version` to `to`.
///
/// JSON, to a folder: `{"name", "version", "kind": "component", "digest", "size", "blob",
/// "blob_existed", "glue": {"name", "digest", "size", "blob", "blob_existed"}, "cores":
/// [the same, per core module], "index", "version_section", "previous"}`. To an OCI registry:
/// `{"name", "repository", "reference", "version", "kind": "component", "manifest_digest",
/// "config_digest", "layers": [{"name", "media_type", "digest", "size", "layer_existed"}],
/// "version_section", "previous"}`.
///
/// # Errors
/// As [`publish_component::publish`] or [`push_component::push`].
pub fn run(
    component: Component,
    name: &PackageName,
    version: &semver::Version,
    to: Destination<'_>,
    jco: Option<&Path>,
    signer: Option<&Signer>,
) -> Result<Report, Failure> {
    let jco = jco.map(Path::to_path_buf);
    match to {
        Destination::Folder(dir) => {
            let request = publish_component::Request {
                component,
                name: name.clone(),
                version: version.clone(),
                registry: Registry::at(dir).signed_by(signer.cloned()),
                jco,
            };
            Ok(published(&publish_component::publish(&request, None)?))
        }
        Destination::Oci(url) => {
            let request = push_component::Request {
                target: Target::parse(url, name)?.signed_by(signer.cloned()),
                component,
                name: name.clone(),
                version: version.clone(),
                jco,
            };
            let done = push_component::push(&request, &Client::new())?;
            let mut rows = vec![
                (
                    "published",
                    format!("{}@{} (component)", done.name, done.version),
                ),
                ("reference", done.reference.clone()),
            ];
            for layer in &done.layers {
                rows.push((
                    "layer",
                    format!(
                        "{} {} {} ({} bytes), {}",
                        layer.media_type,
                        layer.name,
                        layer.digest,
                        layer.size,
                        if layer.layer_existed {
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
    }
}

/// The report of a component published into a registry folder: [`run`]'s JSON and rows.
pub(crate) fn published(done: &publish_component::Published) -> Report {
    let existed = |e: bool| if e { " (already there)" } else { "" };
    let mut rows = vec![
        (
            "published",
            format!("{}@{} (component)", done.name, done.version),
        ),
        ("digest", done.digest.clone()),
        ("size", format!("{} bytes", done.size)),
        (
            "blob",
            format!("{}{}", done.blob.display(), existed(done.blob_existed)),
        ),
        (
            "glue",
            format!(
                "{} {} ({} bytes, jco){}",
                done.glue.name,
                done.glue.digest,
                done.glue.size,
                existed(done.glue.blob_existed)
            ),
        ),
    ];
    for core in &done.cores {
        rows.push((
            "core",
            format!(
                "{} {} ({} bytes){}",
                core.name,
                core.digest,
                core.size,
                existed(core.blob_existed)
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
