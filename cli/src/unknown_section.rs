//! A stopgap: refuse sections with an unknown id, which `read_interface` lets through.
//!
//! wasmparser's `Parser` yields `Payload::UnknownSection` for an id it does not know rather
//! than an error (only its validator refuses it), and the core's `read_interface` skips that
//! payload, so a module with a section id 42 reads as valid although every engine rejects it.
//! Until the core returns `INVALID_MODULE` for it itself, the CLI checks here, with the same
//! code and an offset. Delete this file when the core does.

use std::path::Path;

use wasm_hotswap::error::Error;
use wasmparser::{Parser, Payload};

use crate::exit::Failure;

/// Refuses the first section whose id wasmparser does not know.
///
/// # Errors
/// `INVALID_MODULE` (exit 2) naming the id, with the offset of the section's contents.
pub fn reject(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| Failure::module(path, &e.into()))?;
        if let Payload::UnknownSection { id, range, .. } = payload {
            let err = Error::InvalidModule {
                reason: format!("unknown section id {id}"),
                offset: Some(range.start),
            };
            return Err(Failure::module(path, &err));
        }
    }
    Ok(())
}
