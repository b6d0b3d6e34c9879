//! The standard metadata sections: shown as the core reads them (`Interface::metadata`), and
//! the `version` section written with the `wasm-metadata` crate, the code
//! `wasm-tools metadata add` runs.

use std::path::Path;

use wasm_hotswap::metadata::Metadata;
use wasm_metadata::{AddMetadata, AddMetadataField};

use crate::exit::{Exit, Failure};

/// `(label, value)` for each metadata field the core read, in display order: `name`,
/// `producers` (`field: tool version, …; …`), `authors`, `description`, `licenses`, `source`,
/// `homepage`, `revision`.
pub fn fields(metadata: &Metadata) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(name) = &metadata.name {
        out.push(("name", name.clone()));
    }
    if !metadata.producers.is_empty() {
        let shown: Vec<String> = metadata
            .producers
            .iter()
            .map(|field| {
                let tools: Vec<String> = field
                    .values
                    .iter()
                    .map(|(tool, version)| format!("{tool} {version}").trim_end().to_string())
                    .collect();
                format!("{}: {}", field.field, tools.join(", "))
            })
            .collect();
        out.push(("producers", shown.join("; ")));
    }
    let texts = [
        ("authors", &metadata.authors),
        ("description", &metadata.description),
        ("licenses", &metadata.licenses),
        ("source", &metadata.source),
        ("homepage", &metadata.homepage),
        ("revision", &metadata.revision),
    ];
    out.extend(
        texts
            .into_iter()
            .filter_map(|(label, value)| value.clone().map(|v| (label, v))),
    );
    out
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

/// Returns `bytes` without their `version` section. [`with_version`] appends a section even
/// when there is one (as `wasm-tools metadata add --version` does), so replacing a version
/// is this, then that.
///
/// # Errors
/// `INVALID_METADATA` (exit 2) when wasm-metadata cannot rewrite the module.
pub fn without_version(path: &Path, bytes: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut clear = AddMetadata::default();
    clear.version = AddMetadataField::Clear;
    clear.to_wasm(bytes).map_err(|e| invalid(path, &e))
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
