//! `hotswap embed-wit m.wasm --wit world.wit [--world W] -o out.wasm`.

use std::path::Path;

use serde_json::json;
use wasm_hotswap::digest::Digest;
use wasm_hotswap::wit::{embed_world, module_world};

use super::Report;
use crate::exit::{Exit, Failure};
use crate::table::columns;

/// Writes `module` with the world of `wit` (WIT text) in its `component-type` custom section,
/// replacing any world it carried, to `output`: what a host's `expect.wit` is checked against.
///
/// JSON: `{"file", "size", "digest", "world", "package"}`.
///
/// # Errors
/// `IO_ERROR` (exit 3); `INVALID_MODULE`, `INVALID_OPTIONS` for WIT that does not parse or has
/// no such world (exit 2).
pub fn run(
    module: &Path,
    wit: &Path,
    world: Option<&str>,
    output: &Path,
) -> Result<Report, Failure> {
    let bytes = std::fs::read(module).map_err(|e| Failure::io("reading", module, &e))?;
    let text = std::fs::read_to_string(wit).map_err(|e| Failure::io("reading", wit, &e))?;
    let embedded = embed_world(&bytes, &text, world).map_err(|e| Failure::module(wit, &e))?;
    let decoded = module_world(&embedded)
        .map_err(|e| Failure::module(output, &e))?
        .ok_or_else(|| {
            Failure::new(
                Exit::InvalidInput,
                "INVALID_MODULE",
                "the embedded world does not read back",
            )
        })?;
    std::fs::write(output, &embedded).map_err(|e| Failure::io("writing", output, &e))?;
    let digest = Digest::of(&embedded).to_string();
    let json = json!({
        "file": output,
        "size": embedded.len(),
        "digest": digest,
        "world": decoded.name(),
        "package": decoded.package(),
    });
    let rows = [
        ("file", output.display().to_string()),
        ("size", format!("{} bytes", embedded.len())),
        ("digest", digest),
        (
            "world",
            format!("{} ({})", decoded.name(), decoded.package()),
        ),
    ];
    Ok(Report {
        json,
        human: columns(0, &rows),
        exit: Exit::Success,
    })
}
