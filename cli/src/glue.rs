//! A wasm-bindgen guest's JS glue read from a file, and the check that a module comes with
//! glue exactly when it is a wasm-bindgen module.

use std::path::{Path, PathBuf};

use wasm_hotswap::digest::Digest;
use wasm_hotswap::guest::{is_wasm_bindgen, Guest};

use crate::exit::{Exit, Failure};
use crate::module::Module;

/// The `.js` file `wasm-bindgen --target web` wrote beside a `_bg.wasm`. The CLI stores and
/// pushes it as it is; the runtime runs it.
#[derive(Debug, Clone)]
pub struct Glue {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The SHA-256 of the bytes.
    pub digest: Digest,
}

impl Glue {
    /// Reads the glue in `path`.
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3) if the file cannot be read; `INVALID_GLUE` (exit 2) if it is not
    /// UTF-8 text (a `.wasm` given as `--glue`, say), which the runtime could not run.
    pub fn read(path: &Path) -> Result<Self, Failure> {
        std::fs::read(path)
            .map_err(|e| Failure::io("reading", path, &e))
            .and_then(|bytes| Glue::from_bytes(path, bytes))
    }

    /// The glue `bytes`, naming them `path` in errors.
    ///
    /// # Errors
    /// `INVALID_GLUE` (exit 2) if they are not UTF-8 text.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self, Failure> {
        if let Err(e) = std::str::from_utf8(&bytes) {
            return Err(Failure {
                offset: Some(e.valid_up_to() as u64),
                ..Failure::new(
                    Exit::InvalidInput,
                    "INVALID_GLUE",
                    format!(
                        "{}: the glue is not UTF-8 text ({e}); --glue takes the `.js` file \
                         `wasm-bindgen --target web` wrote",
                        path.display()
                    ),
                )
            });
        }
        Ok(Glue {
            path: path.to_path_buf(),
            digest: Digest::of(&bytes),
            bytes,
        })
    }
}

/// What `module` is as a guest, given its `glue`: refuses a wasm-bindgen module without glue
/// and glue with another module, then checks the kind's state contract
/// ([`Guest::of`]).
///
/// - `notes_bg.wasm` with `notes.js` => a wasm-bindgen guest
/// - `notes_bg.wasm` alone => `INVALID_GUEST`: it cannot be loaded without its glue
/// - `counter.wasm` with `notes.js` => `INVALID_GUEST`: nothing would run that glue
///
/// # Errors
/// `INVALID_GUEST` (exit 2) naming the module, and the glue when it is the one at fault.
pub fn guest(module: &Module, glue: Option<&Glue>) -> Result<Guest, Failure> {
    let path = module.path.display();
    let refuse = |message: String| Failure::new(Exit::InvalidInput, "INVALID_GUEST", message);
    match (is_wasm_bindgen(&module.interface), glue) {
        (true, None) => Err(refuse(format!(
            "{path}: this is a wasm-bindgen module, which cannot be loaded without its JS glue: \
             publish it with --glue FILE, the `.js` file `wasm-bindgen --target web` wrote \
             beside it (or watch wasm-bindgen's output folder with `serve --watch DIR`)"
        ))),
        (false, Some(glue)) => Err(refuse(format!(
            "{path}: --glue {} was given, but the module is not a wasm-bindgen module (it \
             imports nothing from wasm-bindgen's glue and exports no `__wbindgen_*` function); \
             publish it without --glue",
            glue.path.display()
        ))),
        _ => Guest::of(
            &module.interface,
            glue.is_some()
                .then_some(wasm_hotswap::registry::index::GlueKind::WasmBindgen),
        )
        .map_err(|e| Failure::module(&module.path, &e)),
    }
}
