//! Guest kinds: the one seam where the kinds of module the runtime swaps differ.
//!
//! A guest is what a toolchain emits, not only a bare module. Each kind answers the same
//! questions, and nothing outside this folder asks them of a particular kind:
//!
//! | question | answered by |
//! |---|---|
//! | what the gate compares and what the host must provide | [`Kind::compared`], [`Kind::host_imports`] |
//! | whether it carries state, by its contract | [`Kind::contract`] |
//! | which bytes and imports instantiate it | `Instance::instantiate` (browser) |
//! | what the app's exports are | `Instance::exports`, `Instance::hidden` (browser) |
//! | how its state is saved and loaded | `Instance::save`, `Instance::load` (browser) |
//!
//! Today there is one kind, [`Kind::Raw`]: a core module the runtime instantiates with the
//! app's imports, whose state moves through the raw ABI of [`crate::contract`]. A new kind is
//! a new file here and a new variant of [`Kind`] and of `Instance`.

use std::borrow::Cow;

use serde::Serialize;

use crate::contract::{statefulness, Statefulness};
use crate::error::Result;
use crate::interface::{Import, Interface};

#[cfg(target_arch = "wasm32")]
mod instance;
#[cfg(target_arch = "wasm32")]
pub mod raw;

#[cfg(target_arch = "wasm32")]
pub use instance::{Instance, Loaded, Saved};

/// A kind of guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Kind {
    /// A core module, instantiated by the runtime with the app's imports; stateful through the
    /// raw ABI (`save_state`, `alloc_state`, `load_state`, `memory`).
    Raw,
}

impl Kind {
    /// Which kind of guest a module with `interface` is.
    ///
    /// - any core module => [`Kind::Raw`]
    ///
    /// # Errors
    /// None yet: every core module is a raw guest. Kinds that need more than the module (glue)
    /// refuse a module that comes without it here.
    pub fn of(_interface: &Interface) -> Result<Kind> {
        Ok(Kind::Raw)
    }

    /// Whether the guest carries state, by this kind's contract.
    ///
    /// # Errors
    /// [`crate::error::Error::InvalidGuest`] naming every broken part of the contract.
    pub fn contract(self, interface: &Interface) -> Result<Statefulness> {
        match self {
            Kind::Raw => statefulness(interface),
        }
    }

    /// The part of `interface` the gate compares between versions and against the host's
    /// expectation: what the app can reach.
    ///
    /// - [`Kind::Raw`] => the whole interface: the app calls the module's exports directly.
    pub fn compared(self, interface: &Interface) -> Cow<'_, Interface> {
        match self {
            Kind::Raw => Cow::Borrowed(interface),
        }
    }

    /// The imports the host's imports object must provide.
    ///
    /// - [`Kind::Raw`] => every import.
    pub fn host_imports(self, interface: &Interface) -> impl Iterator<Item = &Import> {
        match self {
            Kind::Raw => interface.imports.iter(),
        }
    }
}

/// What the gate found a module to be: its kind, and whether it carries state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guest {
    /// The kind.
    pub kind: Kind,
    /// Stateless or stateful.
    pub state: Statefulness,
}

impl Guest {
    /// Classifies a module by its interface: [`Kind::of`], then the kind's [`Kind::contract`].
    ///
    /// # Errors
    /// As [`Kind::of`] and [`Kind::contract`].
    pub fn of(interface: &Interface) -> Result<Guest> {
        let kind = Kind::of(interface)?;
        Ok(Guest {
            kind,
            state: kind.contract(interface)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::read_interface;

    fn interface(wat: &str) -> Interface {
        read_interface(&wat::parse_str(wat).unwrap()).unwrap()
    }

    #[test]
    fn a_core_module_is_a_raw_guest_classified_by_the_raw_contract() {
        let stateless = interface(r#"(module (func (export "get") (result i32) i32.const 1))"#);
        let guest = Guest::of(&stateless).unwrap();
        assert_eq!(guest.kind, Kind::Raw);
        assert_eq!(guest.state, Statefulness::Stateless);

        let stateful = interface(
            r#"(module (memory (export "memory") 1)
                (func (export "save_state") (result i32) i32.const 0)
                (func (export "alloc_state") (param i32) (result i32) i32.const 0)
                (func (export "load_state") (param i32 i32) (result i32) i32.const 0))"#,
        );
        assert_eq!(Guest::of(&stateful).unwrap().state, Statefulness::Stateful);
    }

    #[test]
    fn a_raw_guest_with_part_of_the_state_contract_is_invalid() {
        let partial =
            interface(r#"(module (func (export "save_state") (result i32) i32.const 0))"#);
        assert_eq!(Guest::of(&partial).unwrap_err().code(), "INVALID_GUEST");
    }

    #[test]
    fn the_gate_compares_and_links_a_raw_guests_whole_interface() {
        let module = interface(
            r#"(module (import "env" "log" (func (param i32)))
                (func (export "get") (result i32) i32.const 1))"#,
        );
        assert_eq!(*Kind::Raw.compared(&module), module);
        let imports: Vec<_> = Kind::Raw.host_imports(&module).map(|i| &i.name).collect();
        assert_eq!(imports, ["log"]);
    }
}
