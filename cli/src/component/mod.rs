//! A Component Model binary read from a file: its bytes, digest, top-level `version` section
//! and WIT world, read once.
//!
//! A component is told from a core module by its preamble (wasmparser's
//! [`Encoding::Component`]). Its version is the `version` custom section at the component's
//! top level, where wasm-metadata writes it ([`crate::metadata::with_version`] handles both
//! kinds); sections of the same name inside its nested core modules are not the
//! component's version.

pub mod diff;
pub mod world;

use std::path::{Path, PathBuf};

use wasm_hotswap::digest::Digest;
use wasm_hotswap::metadata::{parse_version, VERSION_SECTION};
use wasmparser::{Encoding, Parser, Payload};

use crate::exit::{Exit, Failure};
pub use world::ComponentWorld;

/// Whether `bytes` start like a Component Model binary rather than a core module.
///
/// - `\0asm` + `0d 00 01 00` (component, layer 1) => `true`
/// - `\0asm` + `01 00 00 00` (core module) => `false`; anything else => `false`
pub fn is_component(bytes: &[u8]) -> bool {
    matches!(
        Parser::new(0).parse_all(bytes).next(),
        Some(Ok(Payload::Version {
            encoding: Encoding::Component,
            ..
        }))
    )
}

/// A component file whose world could be decoded.
#[derive(Debug, Clone)]
pub struct Component {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The SHA-256 of the bytes: the component's identity in a registry.
    pub digest: Digest,
    /// Its top-level `version` section.
    pub version: Option<semver::Version>,
    /// Its WIT world, decoded from its type.
    pub world: ComponentWorld,
}

impl Component {
    /// Reads the component `bytes`, naming them `path` in errors.
    ///
    /// # Errors
    /// `INVALID_MODULE` (exit 2) with the byte offset, for bytes that are not a valid
    /// component, a `version` section that is not semver, or a type that does not decode.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self, Failure> {
        let version = top_level_version(&bytes).map_err(|e| Failure::module(path, &e))?;
        let world = ComponentWorld::decode(path, &bytes)?;
        Ok(Component {
            path: path.to_path_buf(),
            digest: Digest::of(&bytes),
            bytes,
            version,
            world,
        })
    }

    /// The component with its `version` section equal to `version`, written with
    /// wasm-metadata at its top level if missing, as for a module
    /// ([`crate::registry::publish::versioned`]).
    ///
    /// # Errors
    /// `VERSION_MISMATCH` (exit 1) for a section with another version; `INVALID_METADATA`
    /// (exit 2) when it cannot be written or does not read back.
    pub fn versioned(
        &self,
        version: &semver::Version,
    ) -> Result<(Component, crate::registry::publish::VersionSection), Failure> {
        use crate::registry::publish::VersionSection;
        match &self.version {
            Some(present) if present == version => Ok((self.clone(), VersionSection::Present)),
            Some(present) => Err(Failure::new(
                Exit::Refused,
                "VERSION_MISMATCH",
                format!(
                    "{}: the component's section `version` says {present}, but --version is \
                     {version}; rebuild the component or publish it as {present}",
                    self.path.display()
                ),
            )),
            None => {
                let bytes = crate::metadata::with_version(&self.path, &self.bytes, version)?;
                let written = Component::from_bytes(&self.path, bytes)?;
                if written.version.as_ref() != Some(version) {
                    return Err(Failure::new(
                        Exit::InvalidInput,
                        "INVALID_METADATA",
                        format!(
                            "{}: after writing version {version}, the component reads as {:?}",
                            self.path.display(),
                            written.version
                        ),
                    ));
                }
                Ok((written, VersionSection::Written))
            }
        }
    }
}

/// The component's own `version` section: the custom section named `version` at nesting
/// depth 0, outside every nested module and component. The last one wins, as for modules.
///
/// # Errors
/// [`wasm_hotswap::error::Error::InvalidModule`] with the offset, for invalid bytes or a
/// section that is not semver text.
pub fn top_level_version(
    bytes: &[u8],
) -> Result<Option<semver::Version>, wasm_hotswap::error::Error> {
    let mut depth = 0usize;
    let mut version = None;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::CustomSection(section) if depth == 0 && section.name() == VERSION_SECTION => {
                version = Some(parse_version(section.data(), section.data_offset())?);
            }
            _ => {}
        }
    }
    Ok(version)
}

/// Reads `path` as a component if it is one: `Ok(None)` for a core module (or anything
/// else, which the module reader then names).
///
/// # Errors
/// `IO_ERROR` (exit 3); as [`Component::from_bytes`].
pub fn read_if_component(path: &Path) -> Result<Option<Component>, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Failure::io("reading", path, &e))?;
    if !is_component(&bytes) {
        return Ok(None);
    }
    Component::from_bytes(path, bytes).map(Some)
}
