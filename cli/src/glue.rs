//! A guest's JS glue read from a file (wasm-bindgen's, or AssemblyScript's raw bindings,
//! told apart by their text), and the check that a module comes with the glue its kind needs.

use std::path::{Path, PathBuf};

use wasm_hotswap::digest::Digest;
use wasm_hotswap::guest::glue::{is_assemblyscript_bindings, ASSEMBLYSCRIPT_START};
use wasm_hotswap::guest::{is_wasm_bindgen, Guest};
use wasm_hotswap::registry::index::GlueKind;

use crate::exit::{Exit, Failure};
use crate::module::Module;

/// The `.js` file `wasm-bindgen --target web` wrote beside a `_bg.wasm`, or the one
/// `asc --bindings raw` wrote beside an AssemblyScript module. The CLI stores and pushes it as
/// it is; the runtime runs it.
#[derive(Debug, Clone)]
pub struct Glue {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The SHA-256 of the bytes.
    pub digest: Digest,
    /// Which toolchain wrote it, by its text: [`GlueKind::AssemblyScript`] when it begins
    /// with [`ASSEMBLYSCRIPT_START`] (what `asc --bindings raw` writes), else
    /// [`GlueKind::WasmBindgen`].
    pub kind: GlueKind,
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

    /// The glue `bytes`, naming them `path` in errors, of the kind their text says.
    ///
    /// # Errors
    /// `INVALID_GLUE` (exit 2) if they are not UTF-8 text.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self, Failure> {
        let text = std::str::from_utf8(&bytes);
        if let Err(e) = text {
            return Err(Failure {
                offset: Some(e.valid_up_to() as u64),
                ..Failure::new(
                    Exit::InvalidInput,
                    "INVALID_GLUE",
                    format!(
                        "{}: the glue is not UTF-8 text ({e}); --glue takes the `.js` file \
                         `wasm-bindgen --target web` or `asc --bindings raw` wrote",
                        path.display()
                    ),
                )
            });
        }
        let kind = match text.is_ok_and(is_assemblyscript_bindings) {
            true => GlueKind::AssemblyScript,
            false => GlueKind::WasmBindgen,
        };
        Ok(Glue {
            path: path.to_path_buf(),
            digest: Digest::of(&bytes),
            bytes,
            kind,
        })
    }
}

/// What `module` is as a guest, given its `glue`: refuses a wasm-bindgen module without glue
/// and wasm-bindgen glue with another module, then checks the kind's state contract
/// ([`Guest::of`]).
///
/// - `notes_bg.wasm` with `notes.js` => a wasm-bindgen guest
/// - `notes_bg.wasm` alone => `INVALID_GUEST`: it cannot be loaded without its glue
/// - `counter.wasm` with `notes.js` => `INVALID_GUEST`: nothing would run that glue
/// - `tally.wasm` with `tally.js` from `asc --bindings raw` => an AssemblyScript guest,
///   stateful through the glue-level `save_state(): Uint8Array` / `load_state(Uint8Array)`
/// - `tally.wasm` alone => a raw guest, stateful through the raw ABI
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
        (false, Some(glue)) if glue.kind == GlueKind::WasmBindgen => Err(refuse(format!(
            "{path}: --glue {} was given, but the module is not a wasm-bindgen module (it \
             imports nothing from wasm-bindgen's glue and exports no `__wbindgen_*` function); \
             publish it without --glue (AssemblyScript's glue is the JS `asc --bindings raw` \
             writes, which begins `{ASSEMBLYSCRIPT_START}`)",
            glue.path.display()
        ))),
        _ => Guest::of(&module.interface, glue.map(|g| g.kind))
            .map_err(|e| Failure::module(&module.path, &e)),
    }
}
