//! `hotswap publish m.wasm [--glue m.js] --name N --version V (--registry DIR | --oci URL)`:
//! the same rules
//! ([`crate::registry::publish::publish`]) against a registry folder ([`registry`]) or an OCI
//! registry's tags ([`oci`]).

pub mod component;
pub mod oci;
pub mod registry;

use std::path::Path;

use super::Report;
use crate::exit::{Exit, Failure};
use crate::registry::publish::{Previous, VersionSection};
use crate::registry::PackageName;
use crate::sign::Signer;

/// Where a module is published: `--registry DIR` or `--oci URL`.
#[derive(Debug, Clone, Copy)]
pub enum Destination<'a> {
    /// A registry folder.
    Folder(&'a Path),
    /// An OCI registry repository, as `--oci` spells it.
    Oci(&'a str),
}

/// Publishes the module in `path` as `name@version` to `to`, with the wasm-bindgen glue in
/// `glue`; a component goes to [`component::run`], transpiled with the `jco` program. With
/// `signer` every kind is signed the same way: the JSON gains `"signature"` (the `.sig` file,
/// or the cosign tag's reference) and the human output a row.
///
/// # Errors
/// As [`registry::run`], [`oci::run`] or [`component::run`].
pub fn run(
    path: &Path,
    glue: Option<&Path>,
    name: &PackageName,
    version: &semver::Version,
    to: Destination<'_>,
    jco: Option<&Path>,
    signer: Option<&Signer>,
) -> Result<Report, Failure> {
    let report = publish(path, glue, name, version, to, jco, signer)?;
    Ok(match signer {
        Some(_) => with_signature(report, name, version, to),
        None => report,
    })
}

/// The report of a signed publish, naming where its signature is.
fn with_signature(
    mut report: Report,
    name: &PackageName,
    version: &semver::Version,
    to: Destination<'_>,
) -> Report {
    let at = match to {
        Destination::Folder(dir) => Some(
            crate::registry::Registry::at(dir)
                .signature_path(name, version)
                .display()
                .to_string(),
        ),
        Destination::Oci(url) => {
            let digest = report.json["manifest_digest"].as_str();
            let digest = digest.and_then(|d| d.parse::<wasm_hotswap::digest::Digest>().ok());
            let target = crate::oci::Target::parse(url, name).ok();
            target.zip(digest).map(|(target, digest)| {
                let tag = wasm_hotswap::signature::signature_tag(&digest);
                target.reference(&tag)
            })
        }
    };
    if let Some(at) = at {
        report
            .human
            .push_str(&crate::table::columns(0, &[("signature", &at)]));
        report.json["signature"] = serde_json::Value::String(at);
    }
    report
}

fn publish(
    path: &Path,
    glue: Option<&Path>,
    name: &PackageName,
    version: &semver::Version,
    to: Destination<'_>,
    jco: Option<&Path>,
    signer: Option<&Signer>,
) -> Result<Report, Failure> {
    if let Some(found) = crate::component::read_if_component(path)? {
        if let Some(glue) = glue {
            return Err(glue_with_component(path, glue));
        }
        return component::run(found, name, version, to, jco, signer);
    }
    match to {
        Destination::Folder(dir) => registry::run(path, glue, name, version, dir, signer),
        Destination::Oci(url) => oci::run(path, glue, name, version, url, signer),
    }
}

/// `INVALID_GUEST` (exit 2): `--glue` given with the component in `path`.
pub(crate) fn glue_with_component(path: &Path, glue: &Path) -> Failure {
    Failure::new(
        Exit::InvalidInput,
        "INVALID_GUEST",
        format!(
            "{}: --glue {} was given, but this is a component, whose JS publish writes itself \
             with jco; publish it without --glue",
            path.display(),
            glue.display()
        ),
    )
}

/// The rows both publish commands end with: what happened to the `version` section, and the
/// version the rules compared against.
pub(crate) fn outcome_rows(
    section: &VersionSection,
    previous: Option<&Previous>,
) -> [(&'static str, String); 2] {
    [
        (
            "version",
            match section {
                VersionSection::Present => "section present, equal to --version".to_string(),
                VersionSection::Written => "section written".to_string(),
            },
        ),
        (
            "previous",
            match previous {
                Some(p) => format!(
                    "{}: {} change, {} bump, ok",
                    p.version, p.severity, p.declared
                ),
                None => "none (first version)".to_string(),
            },
        ),
    ]
}
