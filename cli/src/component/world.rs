//! A component's WIT world: decoded from its type by wit-component, printed as WIT text, and
//! read back through the core's [`wasm_hotswap::wit`], so that components are rendered,
//! compared and checked by the same code as the worlds of core modules.

use std::path::Path;

use wasm_hotswap::wit::{embed_world, module_world, ModuleWorld, WitItem};
use wit_component::{DecodedWasm, WitPrinter};

use crate::exit::{Exit, Failure};
use crate::wit::World;

/// `(module)`: the carrier of a world read back through a `component-type` section.
const EMPTY_MODULE: &[u8] = b"\0asm\x01\0\0\0";

/// The world a component implements.
#[derive(Debug, Clone)]
pub struct ComponentWorld {
    /// The world as WIT text: its package first, the packages it imports from nested after
    /// it (`package wasi:io@0.2.6 { … }`), as `wasm-tools component wit` prints it.
    pub wit: String,
    /// The same world as the core reads it from a `component-type` section.
    pub world: ModuleWorld,
}

impl ComponentWorld {
    /// Decodes the world of the component `bytes` (`wit_component::decode`).
    ///
    /// A component does not keep its source package's name: its world decodes as `root` in
    /// package `root:component`, its imported interfaces under their own packages
    /// (`wasi:cli/environment@0.2.6`). Names of exports and imports, and every type, are the
    /// component's own.
    ///
    /// # Errors
    /// `INVALID_MODULE` (exit 2) naming the file, when its type does not decode.
    pub fn decode(path: &Path, bytes: &[u8]) -> Result<Self, Failure> {
        let invalid = |what: &str, err: &dyn std::fmt::Display| {
            Failure::new(
                Exit::InvalidInput,
                "INVALID_MODULE",
                format!("{}: the component's {what}: {err:#}", path.display()),
            )
        };
        let (resolve, world) = match wit_component::decode(bytes) {
            Ok(DecodedWasm::Component(resolve, world)) => (resolve, world),
            Ok(DecodedWasm::WitPackage(..)) => {
                return Err(invalid(
                    "type",
                    &"it is a WIT package (`wasm-tools component wit --wasm`), not a component",
                ))
            }
            Err(err) => return Err(invalid("type cannot be decoded", &err)),
        };
        let name = resolve.worlds[world].name.clone();
        let Some(package) = resolve.worlds[world].package else {
            return Err(invalid("type", &"its world has no package"));
        };
        let nested: Vec<_> = resolve
            .packages
            .iter()
            .map(|(id, _)| id)
            .filter(|id| *id != package)
            .collect();
        let mut printer = WitPrinter::default();
        printer
            .print(&resolve, package, &nested)
            .map_err(|e| invalid("world cannot be printed as WIT", &e))?;
        let wit = printer.output.to_string();
        // Through a `component-type` section of an empty module: the one reader of worlds.
        let read = embed_world(EMPTY_MODULE, &wit, Some(&name))
            .and_then(|carrier| module_world(&carrier))
            .map_err(|e| invalid("world does not read back from its WIT", &e))?;
        let world = read.ok_or_else(|| invalid("world", &"it read back as no world"))?;
        Ok(ComponentWorld { wit, world })
    }

    /// The world as `inspect` shows it.
    pub fn shown(&self) -> World {
        World {
            name: self.world.name().to_string(),
            package: self.world.package(),
            imports: self.world.imports(),
            exports: self.world.exports(),
        }
    }

    /// What the world exports, with each item's type written out.
    pub fn exports(&self) -> Vec<WitItem> {
        self.world.exports()
    }

    /// What the world imports, with each item's type written out.
    pub fn imports(&self) -> Vec<WitItem> {
        self.world.imports()
    }
}
