//! A module read from a file: its bytes, digest and interface, read once by the core.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use wasm_hotswap::digest::Digest;
use wasm_hotswap::guest::{is_wasm_bindgen, Kind};
use wasm_hotswap::inspect::read_interface;
use wasm_hotswap::interface::Interface;

use crate::exit::Failure;

/// A module file whose interface the core could read.
#[derive(Debug, Clone)]
pub struct Module {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The SHA-256 of the bytes.
    pub digest: Digest,
    /// Its interface and version, as [`read_interface`] reads them.
    pub interface: Interface,
}

impl Module {
    /// Reads `path` and its interface.
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3) if the file cannot be read; the core's error (exit 2, with the byte
    /// offset) if the bytes are not a module it can read.
    pub fn read(path: &Path) -> Result<Self, Failure> {
        let bytes = std::fs::read(path).map_err(|e| Failure::io("reading", path, &e))?;
        Module::from_bytes(path, bytes)
    }

    /// Reads the interface of `bytes`, naming them `path` in errors.
    ///
    /// # Errors
    /// The core's error (exit 2, with the byte offset).
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self, Failure> {
        let interface = read_interface(&bytes).map_err(|e| Failure::module(path, &e))?;
        Ok(Module {
            path: path.to_path_buf(),
            digest: Digest::of(&bytes),
            bytes,
            interface,
        })
    }

    /// The kind of guest it is by its interface alone: [`Kind::WasmBindgen`] for a module
    /// wasm-bindgen wrote ([`is_wasm_bindgen`]), else [`Kind::Raw`].
    pub fn kind(&self) -> Kind {
        if is_wasm_bindgen(&self.interface) {
            Kind::WasmBindgen
        } else {
            Kind::Raw
        }
    }

    /// The part of the interface that versions are compared by: what the app reaches
    /// ([`Kind::compared`] of [`Module::kind`]). A wasm-bindgen module's own exports
    /// (`__wbindgen_*`, …) and its imports from the glue, renamed by every build, are not
    /// interface changes.
    pub fn compared(&self) -> Cow<'_, Interface> {
        self.kind().compared(&self.interface)
    }
}
