//! WIT worlds: read the world a guest carries, check it against the host's, embed one.
//!
//! A core module built with wit-bindgen carries its WIT world in one or more custom sections
//! whose names start with `component-type` (`component-type:wit-bindgen:0.41.0:example:counter:counter:encoded world`,
//! or plain `component-type` when `wasm-tools component embed` wrote it). Each holds a WIT
//! package encoded as a Component Model binary: what `wit-component` reads when it turns the
//! module into a component. This module, behind the `wit` cargo feature, uses the Bytecode
//! Alliance crates themselves (wit-parser to parse and resolve WIT, wit-component to decode,
//! encode and semver-check), so there is no second WIT parser here.
//!
//! - [`module_world`] decodes those sections into a [`ModuleWorld`] (none when absent); a
//!   component's world is its type ([`component_world`]).
//! - [`check_world`] checks a module's world against the WIT text the host expects, with the
//!   rules of `wasm-tools component semver-check`, and names every failing item.
//! - [`embed_world`] writes a world from WIT text into a module, for the CLI.
//!
//! Everything here is pure: no web-sys, the same code natively and in wasm32.

mod check;
pub(crate) mod render;
mod section;

#[cfg(test)]
mod tests;

pub use check::check_world;
pub use section::{
    component_world, embed_world, module_world, ModuleWorld, WitItem, SECTION_PREFIX,
};
