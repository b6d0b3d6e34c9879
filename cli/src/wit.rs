//! The WIT world a guest may carry: the `component-type` custom sections wit-bindgen writes.
//!
//! For now the CLI lists the sections by name and size; decoding them into a WIT world is
//! the core's job and comes with it.

use std::path::Path;

use serde::Serialize;
use wasmparser::{Parser, Payload};

use crate::exit::Failure;

/// The prefix of the custom sections that hold a component type (a WIT world).
pub const COMPONENT_TYPE_PREFIX: &str = "component-type";

/// One `component-type*` custom section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WitSection {
    /// The section's full name, for example `component-type:wit-bindgen:0.41.0:counter`.
    pub name: String,
    /// Bytes of its contents.
    pub size: usize,
    /// Byte offset of the section in the module.
    pub offset: u64,
}

/// Lists the `component-type*` custom sections of a core module, in module order.
///
/// # Errors
/// The core's `INVALID_MODULE` (exit 2) if the bytes cannot be parsed; the caller has usually
/// read the interface already, which reports the same error first.
pub fn sections(path: &Path, bytes: &[u8]) -> Result<Vec<WitSection>, Failure> {
    let mut found = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| Failure::module(path, &e.into()))?;
        if let Payload::CustomSection(section) = payload {
            if section.name().starts_with(COMPONENT_TYPE_PREFIX) {
                found.push(WitSection {
                    name: section.name().to_string(),
                    size: section.data().len(),
                    offset: section.range().start,
                });
            }
        }
    }
    Ok(found)
}
