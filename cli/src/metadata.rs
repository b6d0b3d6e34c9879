//! The standard metadata sections, read and written with the `wasm-metadata` crate, the same
//! code `wasm-tools metadata show` and `wasm-tools metadata add` run.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use wasm_metadata::{AddMetadata, AddMetadataField, Payload};

use crate::exit::{Exit, Failure};

/// The metadata fields other than `version` (which the core reads), where present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Metadata {
    /// The module name, from the `name` section.
    pub name: Option<String>,
    /// The `producers` section: field (`language`, `processed-by`, `sdk`) => tool => version.
    pub producers: BTreeMap<String, BTreeMap<String, String>>,
    /// The `authors` section.
    pub authors: Option<String>,
    /// The `description` section.
    pub description: Option<String>,
    /// The `licenses` section, an SPDX expression.
    pub licenses: Option<String>,
    /// The `source` section, a URL.
    pub source: Option<String>,
    /// The `homepage` section, a URL.
    pub homepage: Option<String>,
    /// The `revision` section, a source control revision.
    pub revision: Option<String>,
}

impl Metadata {
    /// `(label, value)` for each field present, in display order.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(name) = &self.name {
            out.push(("name", name.clone()));
        }
        if !self.producers.is_empty() {
            let shown: Vec<String> = self
                .producers
                .iter()
                .map(|(field, tools)| {
                    let tools: Vec<String> = tools
                        .iter()
                        .map(|(tool, version)| format!("{tool} {version}").trim_end().to_string())
                        .collect();
                    format!("{field}: {}", tools.join(", "))
                })
                .collect();
            out.push(("producers", shown.join("; ")));
        }
        let texts = [
            ("authors", &self.authors),
            ("description", &self.description),
            ("licenses", &self.licenses),
            ("source", &self.source),
            ("homepage", &self.homepage),
            ("revision", &self.revision),
        ];
        out.extend(
            texts
                .into_iter()
                .filter_map(|(label, value)| value.clone().map(|v| (label, v))),
        );
        out
    }
}

/// Reads the metadata sections of a core module.
///
/// # Errors
/// `INVALID_METADATA` (exit 2) when wasm-metadata cannot read a section (a malformed
/// `producers` or `name` section, a `licenses` section that is not SPDX, …), with the byte
/// offset when wasm-metadata gives one.
pub fn read(path: &Path, bytes: &[u8]) -> Result<Metadata, Failure> {
    let payload = Payload::from_binary(bytes).map_err(|e| invalid(path, &e))?;
    let found = payload.metadata();
    let text = |value: Option<String>| value.filter(|v| !v.is_empty());
    let mut producers = BTreeMap::new();
    if let Some(section) = &found.producers {
        for (field, tools) in section.iter() {
            let tools = tools
                .iter()
                .map(|(tool, version)| (tool.clone(), version.clone()))
                .collect();
            producers.insert(field.clone(), tools);
        }
    }
    Ok(Metadata {
        name: found.name.clone(),
        producers,
        authors: text(found.authors.as_ref().map(ToString::to_string)),
        description: text(found.description.as_ref().map(ToString::to_string)),
        licenses: text(found.licenses.as_ref().map(ToString::to_string)),
        source: text(found.source.as_ref().map(ToString::to_string)),
        homepage: text(found.homepage.as_ref().map(ToString::to_string)),
        revision: text(found.revision.as_ref().map(ToString::to_string)),
    })
}

/// Returns `bytes` with a `version` section holding `version`, written by
/// [`AddMetadata::to_wasm`] exactly as `wasm-tools metadata add --version` writes it: every
/// other section is copied unchanged and the new section is appended at the end.
///
/// # Errors
/// `INVALID_METADATA` (exit 2) when wasm-metadata cannot rewrite the module.
pub fn with_version(
    path: &Path,
    bytes: &[u8],
    version: &semver::Version,
) -> Result<Vec<u8>, Failure> {
    let mut add = AddMetadata::default();
    add.version = AddMetadataField::Set(wasm_metadata::Version::new(version.to_string()));
    add.to_wasm(bytes).map_err(|e| invalid(path, &e))
}

fn invalid(path: &Path, err: &anyhow::Error) -> Failure {
    let offset = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<wasmparser::BinaryReaderError>())
        .map(|e| e.offset());
    let at = offset.map_or(String::new(), |at| format!(" (at byte offset {at})"));
    Failure {
        offset,
        ..Failure::new(
            Exit::InvalidInput,
            "INVALID_METADATA",
            format!(
                "{}: a metadata section cannot be read: {err:#}{at}",
                path.display()
            ),
        )
    }
}
