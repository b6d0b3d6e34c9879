//! The WIT world a guest may carry in its `component-type` custom sections, decoded by the
//! core (`wasm_hotswap::wit`, the Bytecode Alliance crates underneath), and the sections
//! themselves by name and size.

use std::path::Path;

use serde::Serialize;
use wasm_hotswap::wit::{module_world, WitItem, SECTION_PREFIX};
use wasmparser::{Parser, Payload};

use crate::exit::Failure;

/// One `component-type*` custom section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WitSection {
    /// The section's full name, for example `component-type:wit-bindgen:0.41.0:counter`.
    pub name: String,
    /// Bytes of its contents.
    pub size: usize,
    /// Byte offset of the section's contents in the module.
    pub offset: u64,
}

/// A module's WIT world, as `inspect` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct World {
    /// The world's name.
    pub name: String,
    /// Its package, `namespace:name@version`.
    pub package: String,
    /// What it imports.
    pub imports: Vec<WitItem>,
    /// What it exports.
    pub exports: Vec<WitItem>,
}

/// The sections and, when there are any, the world they decode to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wit {
    /// The decoded world, or `None` without `component-type` sections.
    pub world: Option<World>,
    /// The `component-type*` sections, in module order.
    pub sections: Vec<WitSection>,
}

/// Reads the WIT world of a core module.
///
/// # Errors
/// The core's `INVALID_MODULE` (exit 2), naming a section that does not decode.
pub fn read(path: &Path, bytes: &[u8]) -> Result<Wit, Failure> {
    let mut sections = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| Failure::module(path, &e.into()))?;
        if let Payload::CustomSection(section) = payload {
            if section.name().starts_with(SECTION_PREFIX) {
                sections.push(WitSection {
                    name: section.name().to_string(),
                    size: section.data().len(),
                    offset: section.data_offset(),
                });
            }
        }
    }
    let world = module_world(bytes)
        .map_err(|e| Failure::module(path, &e))?
        .map(|w| World {
            name: w.name().to_string(),
            package: w.package(),
            imports: w.imports(),
            exports: w.exports(),
        });
    Ok(Wit { world, sections })
}
