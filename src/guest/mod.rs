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
//! The kinds:
//! - [`Kind::Raw`]: a core module the runtime instantiates with the app's imports, whose state
//!   moves through the raw ABI of [`crate::contract`] (`raw.rs`);
//! - [`Kind::WasmBindgen`]: a `_bg.wasm` with the JS glue `wasm-bindgen --target web` wrote
//!   for it, instantiated by a fresh copy of that glue from its verified text ([`glue`],
//!   `bindgen.rs`), stateful through the glue's `save_state(): Uint8Array` and
//!   `load_state(Uint8Array)`;
//! - [`Kind::Component`]: a Component Model component, instantiated from its core modules by
//!   a fresh copy of the JS `jco transpile --instantiation async` wrote for it
//!   (`component.rs`), stateful when its world exports `save-state: func() -> list<u8>` and
//!   `load-state: func(state: list<u8>) -> result<_, string>`;
//! - [`Kind::AssemblyScript`]: a module `asc` compiled, with the JS `asc --bindings raw` wrote
//!   for it, instantiated by a fresh copy of that JS's `instantiate(module, imports)` from the
//!   runtime's verified module (`assemblyscript.rs`), stateful through the glue-level
//!   `save_state(): Uint8Array` and `load_state(Uint8Array)` the bindings lift. The module
//!   alone does not say it is AssemblyScript's: the glue's declared kind does. An
//!   AssemblyScript module loaded without glue is a [`Kind::Raw`] guest, stateful through the
//!   raw ABI instead.
//!
//! A new kind is a new file here and a new variant of [`Kind`] and of `Instance`.

use std::borrow::Cow;

use serde::Serialize;

use crate::contract::{statefulness, Statefulness, LOAD_STATE, SAVE_STATE};
use crate::error::{Error, Result};
use crate::interface::{ExternType, Import, Interface, Sort};
use crate::registry::index::GlueKind;

pub mod glue;

#[cfg(target_arch = "wasm32")]
pub mod assemblyscript;
#[cfg(target_arch = "wasm32")]
pub mod bindgen;
#[cfg(target_arch = "wasm32")]
pub mod component;
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
    /// A wasm-bindgen crate: the `_bg.wasm` and its `--target web` JS glue.
    WasmBindgen,
    /// A Component Model component: its core modules and the JS jco transpiled it to.
    Component,
    /// An AssemblyScript module and the JS `asc --bindings raw` wrote for it.
    #[serde(rename = "assemblyscript")]
    AssemblyScript,
}

/// The export a stateful component saves its state with: `save-state: func() -> list<u8>`.
pub const COMPONENT_SAVE_STATE: &str = "save-state";
/// The export a stateful component loads a state with:
/// `load-state: func(state: list<u8>) -> result<_, string>`.
pub const COMPONENT_LOAD_STATE: &str = "load-state";
/// The WIT types of [`COMPONENT_SAVE_STATE`] and [`COMPONENT_LOAD_STATE`], which the `wit`
/// build checks.
const COMPONENT_STATE_TYPES: [&str; 2] = [
    "func() -> list<u8>",
    "func(state: list<u8>) -> result<_, string>",
];

impl Kind {
    /// Which kind of guest a module with `interface` is, given the kind of `glue` it came
    /// with.
    ///
    /// - a component with jco's JS => [`Kind::Component`]
    /// - a wasm-bindgen module ([`is_wasm_bindgen`]) with wasm-bindgen's glue =>
    ///   [`Kind::WasmBindgen`]
    /// - a core module that is not wasm-bindgen's with `asc --bindings raw` JS =>
    ///   [`Kind::AssemblyScript`] (nothing in an AssemblyScript module says so: the glue's
    ///   declared kind decides)
    /// - any other core module without glue => [`Kind::Raw`]
    ///
    /// # Errors
    /// - [`Error::UnsupportedComponent`]: a component without its transpiled JS (a bare
    ///   component, which a browser cannot instantiate);
    /// - [`Error::InvalidGuest`]: a wasm-bindgen module without its glue (its imports are the
    ///   glue's, hashed per crate version, so no imports object written by hand can serve it),
    ///   glue with a module wasm-bindgen did not write, jco's JS with a core module, or
    ///   AssemblyScript's JS with a component or a wasm-bindgen module.
    pub fn of(interface: &Interface, glue: Option<GlueKind>) -> Result<Kind> {
        let invalid = |reason: &str| Error::InvalidGuest {
            reason: reason.into(),
        };
        match (interface.component, glue) {
            (true, Some(GlueKind::Jco)) => Ok(Kind::Component),
            (true, Some(GlueKind::AssemblyScript)) => Err(invalid("this is a component, but it came with AssemblyScript's JS (`glue.kind` `assemblyscript`), which instantiates a core module")),
            (true, _) => Err(Error::UnsupportedComponent),
            (false, Some(GlueKind::Jco)) => Err(invalid("this is a core module, but it came with a component's transpiled JS (`glue.kind` `jco`): the registry entry names the wrong blob")),
            (false, Some(GlueKind::AssemblyScript)) if is_wasm_bindgen(interface) => Err(invalid("this is a wasm-bindgen module, but it came with AssemblyScript's JS (`glue.kind` `assemblyscript`): give it the glue `wasm-bindgen --target web` wrote")),
            (false, Some(GlueKind::AssemblyScript)) => Ok(Kind::AssemblyScript),
            (false, glue) => match (is_wasm_bindgen(interface), glue.is_some()) {
                (true, true) => Ok(Kind::WasmBindgen),
                (false, false) => Ok(Kind::Raw),
                (true, false) => Err(invalid("this is a wasm-bindgen module, which needs its JS glue: load it with `glue: { url, digest }`, the `.js` file `wasm-bindgen --target web` wrote next to it")),
                (false, true) => Err(invalid("`glue` was given, but the module is not a wasm-bindgen module (it imports nothing from wasm-bindgen's glue and exports no `__wbindgen_*` function)")),
            },
        }
    }

    /// Whether the guest carries state, by this kind's contract.
    ///
    /// # Errors
    /// [`crate::error::Error::InvalidGuest`] naming every broken part of the contract.
    pub fn contract(self, interface: &Interface) -> Result<Statefulness> {
        match self {
            Kind::Raw => statefulness(interface),
            Kind::WasmBindgen => bindgen_statefulness(interface),
            Kind::Component => component_statefulness(interface),
            Kind::AssemblyScript => assemblyscript_statefulness(interface),
        }
    }

    /// The part of `interface` the gate compares between versions and against the host's
    /// expectation: what the app can reach.
    ///
    /// - [`Kind::Raw`] => the whole interface: the app calls the module's exports directly.
    /// - [`Kind::WasmBindgen`] => the exports the glue wraps for the app: without the glue's
    ///   own (`__wbindgen_*`, `__wbg_*`, `memory`) and the state functions; and no imports,
    ///   which are the glue's and renamed by every build.
    /// - [`Kind::Component`] => its world's items without the state functions.
    /// - [`Kind::AssemblyScript`] => the exports the bindings give the app: without `memory`,
    ///   the state functions and AssemblyScript's runtime exports (`__new`, `__pin`, …); and
    ///   the imports the host provides ([`Kind::host_imports`]). (Types are compared at the
    ///   core level: a `string` parameter is an `i32` there.)
    pub fn compared(self, interface: &Interface) -> Cow<'_, Interface> {
        match self {
            Kind::Raw => Cow::Borrowed(interface),
            Kind::Component => Cow::Owned(Interface {
                exports: interface
                    .exports
                    .iter()
                    .filter(|e| e.name != COMPONENT_SAVE_STATE && e.name != COMPONENT_LOAD_STATE)
                    .cloned()
                    .collect(),
                ..interface.clone()
            }),
            Kind::WasmBindgen => Cow::Owned(Interface {
                imports: Vec::new(),
                exports: interface
                    .exports
                    .iter()
                    .filter(|e| !is_glue_internal(&e.name))
                    .cloned()
                    .collect(),
                version: interface.version.clone(),
                metadata: interface.metadata.clone(),
                component: false,
            }),
            Kind::AssemblyScript => Cow::Owned(Interface {
                imports: self.host_imports(interface).cloned().collect(),
                exports: interface
                    .exports
                    .iter()
                    .filter(|e| !is_assemblyscript_internal(&e.name))
                    .cloned()
                    .collect(),
                ..interface.clone()
            }),
        }
    }

    /// The imports the host's imports object must provide.
    ///
    /// - [`Kind::Raw`] => every import.
    /// - [`Kind::WasmBindgen`] => those not from the glue's namespaces.
    /// - [`Kind::Component`] => its imported interfaces and functions (not its imported
    ///   types, which need nothing of the host).
    /// - [`Kind::AssemblyScript`] => those but `env.abort`, `env.trace` and `env.seed`,
    ///   AssemblyScript's own, which its bindings implement.
    pub fn host_imports(self, interface: &Interface) -> impl Iterator<Item = &Import> {
        interface.imports.iter().filter(move |i| match self {
            Kind::Raw => true,
            Kind::WasmBindgen => !is_glue_namespace(&i.module),
            Kind::Component => matches!(
                i.ty,
                ExternType::Item {
                    sort: Sort::Func | Sort::Instance,
                    ..
                }
            ),
            Kind::AssemblyScript => {
                !(i.module == "env" && matches!(i.name.as_str(), "abort" | "trace" | "seed"))
            }
        })
    }
}

/// Exports of an AssemblyScript module that are its runtime's or the runtime's, not the
/// app's: `memory`, the state functions, and what `--exportRuntime` (which the bindings
/// need to lower strings and arrays) adds.
pub const ASSEMBLYSCRIPT_INTERNAL: &[&str] = &[
    "memory",
    SAVE_STATE,
    LOAD_STATE,
    "__new",
    "__pin",
    "__unpin",
    "__collect",
    "__rtti_base",
    "__setArgumentsLength",
];

fn is_assemblyscript_internal(name: &str) -> bool {
    ASSEMBLYSCRIPT_INTERNAL.contains(&name)
}

/// An AssemblyScript guest with its bindings is stateful when its module exports both
/// `save_state: () -> i32` and `load_state: (i32) -> ()`: AssemblyScript's
/// `save_state(): Uint8Array` and `load_state(state: Uint8Array): void`, which the bindings
/// lift to and from a JS `Uint8Array`. A module that follows the raw contract instead
/// (`alloc_state`, `load_state(ptr, len) -> i32`) is an invalid guest with glue: load it
/// without glue, as a raw guest.
fn assemblyscript_statefulness(interface: &Interface) -> Result<Statefulness> {
    use crate::contract::ALLOC_STATE;
    use crate::interface::{FuncType, ValType::I32};
    let invalid = |reason: String| Err(Error::InvalidGuest { reason });
    if interface.export(ALLOC_STATE).is_some() {
        return invalid(format!("the AssemblyScript module exports `{ALLOC_STATE}`, so its state follows the raw contract, but it came with its `--bindings raw` JS, through which state moves as `save_state(): Uint8Array` and `load_state(state: Uint8Array): void`: load it without `glue`, or export those two functions instead"));
    }
    let wanted = [
        (
            SAVE_STATE,
            FuncType::new([], [I32]),
            "save_state(): Uint8Array",
        ),
        (
            LOAD_STATE,
            FuncType::new([I32], []),
            "load_state(state: Uint8Array): void",
        ),
    ];
    let found = wanted.each_ref().map(|(name, ..)| interface.export(name));
    if found.iter().all(Option::is_none) {
        return Ok(Statefulness::Stateless);
    }
    let mut problems = Vec::new();
    for ((name, ty, declared), export) in wanted.iter().zip(found) {
        match export.map(|e| &e.ty) {
            Some(ExternType::Func(actual)) if actual == ty => {}
            None => problems.push(format!("it does not export `{name}`")),
            Some(other) => problems.push(format!(
                "`{name}` is {other}, not {ty} (`export function {declared}`)"
            )),
        }
    }
    if problems.is_empty() {
        return Ok(Statefulness::Stateful);
    }
    invalid(format!(
        "the AssemblyScript guest is not a stateful guest: {}; a stateful one exports `function save_state(): Uint8Array` and `function load_state(state: Uint8Array): void`, which throws to refuse a state",
        problems.join("; ")
    ))
}

/// Whether a module is wasm-bindgen's output: it imports from the glue (`./<crate>_bg.js`
/// from 0.2.107, `wbg` before, `__wbindgen_placeholder__` before the CLI ran), or exports
/// wasm-bindgen's own functions (`__wbindgen_start`, `__wbindgen_malloc`, …).
pub fn is_wasm_bindgen(interface: &Interface) -> bool {
    interface
        .imports
        .iter()
        .any(|i| is_glue_namespace(&i.module))
        || interface
            .exports
            .iter()
            .any(|e| e.name.starts_with("__wbindgen_"))
}

fn is_glue_namespace(module: &str) -> bool {
    module == "wbg"
        || module == "__wbindgen_placeholder__"
        || module == "__wbindgen_externref_xform__"
        || (module.starts_with("./") && module.ends_with("_bg.js"))
}

/// Exports that are the glue's business, not the app's.
fn is_glue_internal(name: &str) -> bool {
    name == "memory"
        || name == SAVE_STATE
        || name == LOAD_STATE
        || name.starts_with("__wbindgen")
        || name.starts_with("__wbg_")
        || name.starts_with("__externref")
}

/// A wasm-bindgen guest is stateful when its module exports both `save_state` and
/// `load_state` (which the glue wraps as `save_state(): Uint8Array` and
/// `load_state(Uint8Array)`); one of them alone is an invalid guest.
fn bindgen_statefulness(interface: &Interface) -> Result<Statefulness> {
    match (
        interface.export(SAVE_STATE).is_some(),
        interface.export(LOAD_STATE).is_some(),
    ) {
        (true, true) => Ok(Statefulness::Stateful),
        (false, false) => Ok(Statefulness::Stateless),
        (save, _) => Err(Error::InvalidGuest {
            reason: format!(
                "the wasm-bindgen guest exports `{}` but not `{}`: a stateful guest exports both `save_state() -> Vec<u8>` and `load_state(Vec<u8>)`",
                if save { SAVE_STATE } else { LOAD_STATE },
                if save { LOAD_STATE } else { SAVE_STATE },
            ),
        }),
    }
}

/// A component is stateful when its world exports both [`COMPONENT_SAVE_STATE`] and
/// [`COMPONENT_LOAD_STATE`], as functions (of the contract's types, where the `wit` build
/// read them); one of them alone, or either of another type, is an invalid guest.
fn component_statefulness(interface: &Interface) -> Result<Statefulness> {
    let names = [COMPONENT_SAVE_STATE, COMPONENT_LOAD_STATE];
    let found = names.map(|name| interface.export(name));
    if found.iter().all(Option::is_none) {
        return Ok(Statefulness::Stateless);
    }
    let mut problems = Vec::new();
    for ((name, export), wanted) in names.iter().zip(found).zip(COMPONENT_STATE_TYPES) {
        match export.map(|e| &e.ty) {
            None => problems.push(format!("it does not export `{name}`")),
            Some(ExternType::Item {
                sort: Sort::Func,
                wit,
            }) if wit.as_deref().is_none_or(|wit| wit == wanted) => {}
            Some(other) => problems.push(format!("`{name}` is `{other}`, not `{wanted}`")),
        }
    }
    if problems.is_empty() {
        return Ok(Statefulness::Stateful);
    }
    Err(Error::InvalidGuest {
        reason: format!(
            "the component is not a stateful guest: {}; a stateful component exports `{COMPONENT_SAVE_STATE}: {}` and `{COMPONENT_LOAD_STATE}: {}`",
            problems.join("; "),
            COMPONENT_STATE_TYPES[0],
            COMPONENT_STATE_TYPES[1],
        ),
    })
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
    /// Classifies a module by its interface and the kind of `glue` it came with:
    /// [`Kind::of`], then the kind's [`Kind::contract`].
    ///
    /// # Errors
    /// As [`Kind::of`] and [`Kind::contract`].
    pub fn of(interface: &Interface, glue: Option<GlueKind>) -> Result<Guest> {
        let kind = Kind::of(interface, glue)?;
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
        let guest = Guest::of(&stateless, None).unwrap();
        assert_eq!(guest.kind, Kind::Raw);
        assert_eq!(guest.state, Statefulness::Stateless);

        let stateful = interface(
            r#"(module (memory (export "memory") 1)
                (func (export "save_state") (result i32) i32.const 0)
                (func (export "alloc_state") (param i32) (result i32) i32.const 0)
                (func (export "load_state") (param i32 i32) (result i32) i32.const 0))"#,
        );
        assert_eq!(
            Guest::of(&stateful, None).unwrap().state,
            Statefulness::Stateful
        );
    }

    #[test]
    fn a_raw_guest_with_part_of_the_state_contract_is_invalid() {
        let partial =
            interface(r#"(module (func (export "save_state") (result i32) i32.const 0))"#);
        assert_eq!(
            Guest::of(&partial, None).unwrap_err().code(),
            "INVALID_GUEST"
        );
    }

    const BINDGEN: &str = r#"(module
        (import "./notes_bg.js" "__wbg_log_87482a37f0854b09" (func (param i32 i32)))
        (memory (export "memory") 1)
        (func (export "add") (param i32 i32) (result i32) i32.const 1)
        (func (export "save_state") (result i32 i32) i32.const 0 i32.const 0)
        (func (export "load_state") (param i32 i32) (result i32 i32) i32.const 0 i32.const 0)
        (func (export "__wbg_counter_free") (param i32 i32))
        (func (export "__wbindgen_malloc") (param i32 i32) (result i32) i32.const 0)
        (func (export "__wbindgen_start")))"#;

    #[test]
    fn a_wasm_bindgen_module_with_its_glue_is_a_stateful_wasm_bindgen_guest() {
        let module = interface(BINDGEN);
        assert!(is_wasm_bindgen(&module));
        let guest = Guest::of(&module, Some(GlueKind::WasmBindgen)).unwrap();
        assert_eq!(guest.kind, Kind::WasmBindgen);
        assert_eq!(guest.state, Statefulness::Stateful);
    }

    #[test]
    fn a_wasm_bindgen_module_without_glue_is_invalid_saying_glue_is_needed() {
        let err = Guest::of(&interface(BINDGEN), None).unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
        assert!(err.to_string().contains("glue"), "{err}");
        let raw = interface(r#"(module (func (export "get") (result i32) i32.const 1))"#);
        let err = Guest::of(&raw, Some(GlueKind::WasmBindgen)).unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
    }

    #[test]
    fn the_gate_compares_a_wasm_bindgen_guests_app_exports_and_no_glue_imports() {
        let module = interface(BINDGEN);
        let compared = Kind::WasmBindgen.compared(&module);
        let names: Vec<_> = compared.exports.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["add"]);
        assert!(compared.imports.is_empty());
        assert_eq!(Kind::WasmBindgen.host_imports(&module).count(), 0);
    }

    #[test]
    fn a_wasm_bindgen_guest_with_save_state_alone_is_invalid() {
        let module = interface(
            r#"(module (import "wbg" "__wbg_x" (func))
                (func (export "save_state") (result i32 i32) i32.const 0 i32.const 0))"#,
        );
        let err = Guest::of(&module, Some(GlueKind::WasmBindgen)).unwrap_err();
        assert!(err.to_string().contains("load_state"), "{err}");
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

    fn component(exports: &str) -> Interface {
        let wat = format!(
            r#"(component
                (core module $m
                  (memory (export "memory") 1)
                  (func (export "f") (result i32) i32.const 0)
                  (func (export "g") (param i32 i32) (result i32) i32.const 0)
                  (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8))
                (core instance $i (instantiate $m))
                (alias core export $i "memory" (core memory $mem))
                (alias core export $i "realloc" (core func $realloc))
                {exports})"#
        );
        read_interface(&wat::parse_str(wat).unwrap()).unwrap()
    }

    const SAVE: &str = r#"(func (export "save-state") (result (list u8))
        (canon lift (core func $i "f") (memory $mem)))"#;
    const LOAD: &str = r#"(func (export "load-state") (param "state" (list u8)) (result (result (error string)))
        (canon lift (core func $i "g") (memory $mem) (realloc $realloc)))"#;

    #[test]
    fn a_component_with_jcos_js_is_a_component_guest_stateful_by_its_wit_exports() {
        let stateful = component(&format!("{SAVE} {LOAD}"));
        let guest = Guest::of(&stateful, Some(GlueKind::Jco)).unwrap();
        assert_eq!(guest.kind, Kind::Component);
        assert_eq!(guest.state, Statefulness::Stateful);
        assert!(Kind::Component.compared(&stateful).exports.is_empty());
        let stateless = component("");
        let guest = Guest::of(&stateless, Some(GlueKind::Jco)).unwrap();
        assert_eq!(guest.state, Statefulness::Stateless);
    }

    #[test]
    fn a_component_exporting_save_state_alone_is_invalid_naming_load_state() {
        let err = Guest::of(&component(SAVE), Some(GlueKind::Jco)).unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
        assert!(
            err.to_string().contains("does not export `load-state`"),
            "{err}"
        );
    }

    #[test]
    fn a_bare_component_is_unsupported_and_jco_js_with_a_core_module_is_invalid() {
        let err = Guest::of(&component(""), None).unwrap_err();
        assert_eq!(err.code(), "UNSUPPORTED_COMPONENT");
        assert!(err.to_string().contains("hotswap publish"), "{err}");
        let core = interface(r#"(module (func (export "get") (result i32) i32.const 1))"#);
        let err = Guest::of(&core, Some(GlueKind::Jco)).unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
    }

    /// What `asc --bindings raw --exportRuntime` compiles `add(key: string): i32` and the
    /// glue-level state functions to, at the core level.
    const ASSEMBLYSCRIPT: &str = r#"(module
        (import "env" "abort" (func (param i32 i32 i32 i32)))
        (import "env" "seed" (func (result f64)))
        (import "host" "log" (func (param i32)))
        (memory (export "memory") 1)
        (func (export "add") (param i32) (result i32) i32.const 1)
        (func (export "save_state") (result i32) i32.const 0)
        (func (export "load_state") (param i32))
        (func (export "__new") (param i32 i32) (result i32) i32.const 0)
        (func (export "__pin") (param i32) (result i32) i32.const 0)
        (func (export "__unpin") (param i32))
        (func (export "__collect"))
        (global (export "__rtti_base") i32 (i32.const 0)))"#;

    #[test]
    fn an_assemblyscript_module_with_its_bindings_is_a_stateful_assemblyscript_guest() {
        let module = interface(ASSEMBLYSCRIPT);
        let guest = Guest::of(&module, Some(GlueKind::AssemblyScript)).unwrap();
        assert_eq!(guest.kind, Kind::AssemblyScript);
        assert_eq!(guest.state, Statefulness::Stateful);
        let stateless = interface(r#"(module (func (export "get") (result i32) i32.const 1))"#);
        let guest = Guest::of(&stateless, Some(GlueKind::AssemblyScript)).unwrap();
        assert_eq!(guest.state, Statefulness::Stateless);
    }

    #[test]
    fn the_same_module_without_glue_is_a_raw_guest_whose_state_functions_are_invalid() {
        // Nothing in the module says AssemblyScript: only the glue's kind does.
        let err = Guest::of(&interface(ASSEMBLYSCRIPT), None).unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
        assert!(err.to_string().contains("alloc_state"), "{err}");
    }

    #[test]
    fn the_gate_compares_an_assemblyscript_guests_app_exports_and_host_imports() {
        let module = interface(ASSEMBLYSCRIPT);
        let compared = Kind::AssemblyScript.compared(&module);
        let exports: Vec<_> = compared.exports.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(exports, ["add"]);
        let imports: Vec<_> = compared.imports.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(imports, ["log"]);
        assert_eq!(Kind::AssemblyScript.host_imports(&module).count(), 1);
    }

    #[test]
    fn an_assemblyscript_module_on_the_raw_contract_with_glue_is_invalid_saying_load_it_without() {
        let raw = interface(
            r#"(module (memory (export "memory") 1)
                (func (export "save_state") (result i32) i32.const 0)
                (func (export "alloc_state") (param i32) (result i32) i32.const 0)
                (func (export "load_state") (param i32 i32) (result i32) i32.const 0))"#,
        );
        let err = Guest::of(&raw, Some(GlueKind::AssemblyScript)).unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
        assert!(err.to_string().contains("without `glue`"), "{err}");
        let wrong = interface(
            r#"(module (func (export "save_state") (result i32) i32.const 0)
                (func (export "load_state") (param i32 i32) (result i32) i32.const 0))"#,
        );
        let err = Guest::of(&wrong, Some(GlueKind::AssemblyScript))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`load_state` is function (i32, i32) -> i32, not (i32) -> ()"),
            "{err}"
        );
    }

    #[test]
    fn assemblyscript_js_with_a_component_or_a_wasm_bindgen_module_is_invalid() {
        let err = Guest::of(&component(""), Some(GlueKind::AssemblyScript)).unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
        let err = Guest::of(&interface(BINDGEN), Some(GlueKind::AssemblyScript)).unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
        assert!(err.to_string().contains("wasm-bindgen"), "{err}");
    }
}
