//! The component kind: a Component Model component, instantiated from its verified, compiled
//! core modules by a fresh copy of the JS `jco transpile --instantiation async` wrote for it.
//!
//! Browsers cannot instantiate a component; jco turns one into core modules and JS that
//! lifts and lowers between them and the host. In instantiation mode everything that belongs
//! to one instance (core instances, memories, resource tables, the lifted exports) lives
//! inside one call of that JS's `instantiate(getCoreModule, imports)`, so each call is an
//! independent instance that the garbage collector reclaims with its exports. The runtime
//! runs the verified JS as a function body ([`crate::guest::glue::jco_body`]), checks that
//! every core module it asks for came verified with the component, and hands it those
//! modules, compiled, through `getCoreModule`. The app's exports are what `instantiate`
//! returns: the component's functions lifted to JS (strings, lists, records, variants,
//! results), and an object per exported interface.
//!
//! The app's `imports` are passed as they are, keyed as the transpiled JS reads them:
//! `imports["wasi:cli/environment"]` for an imported interface, `imports.log.default` for an
//! imported function; the gate checked that each is there.
//!
//! State moves through the component's own exports: `saveState(): Uint8Array` (WIT
//! `save-state: func() -> list<u8>`) on the old instance, `loadState(Uint8Array)` (WIT
//! `load-state: func(state: list<u8>) -> result<_, string>`) on the new one, whose `err`
//! jco throws as a `ComponentError` carrying the guest's string as `payload`.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::compile::Compiled;
use crate::contract::Statefulness;
use crate::error::Error;
use crate::guest::bindgen::{run_glue, Glue};
use crate::guest::glue::{jco_body, jco_core_names};
use crate::guest::instance::GlueState;
use crate::guest::{Loaded, Saved};
use crate::js::{describe, get, Failure};

#[wasm_bindgen(module = "/src/js/exports.js")]
extern "C" {
    #[wasm_bindgen(js_name = coreGetter)]
    fn core_getter(names: &Array, modules: &Array) -> Function;
}

/// The lifted state functions, as jco names them.
const SAVE: &str = "saveState";
const LOAD: &str = "loadState";

/// The exports of `instantiate` that are the runtime's, not the app's.
pub const HIDDEN: &[&str] = &[SAVE, LOAD];

/// An instance of a component: the exports its transpiled JS lifted.
pub struct ComponentInstance {
    exports: Object,
    state: Option<GlueState>,
}

impl ComponentInstance {
    /// Runs a fresh copy of `glue` (the component's transpiled JS) and awaits its
    /// `instantiate`, handing it `compiled`'s core modules and the app's `imports`.
    ///
    /// # Errors
    /// - [`Error::InvalidIndex`]: the JS asks for a core module the registry entry did not
    ///   name;
    /// - [`Error::InvalidGuest`]: the JS is not jco's instantiation output, does not compile
    ///   or throws while evaluated, or lacks the lifted state functions its world exports;
    /// - [`Error::InstantiateFailed`]: instantiation failed: a trap in a start function, a
    ///   link error, an import that threw.
    pub async fn instantiate(
        compiled: &Compiled,
        glue: &Glue,
        imports: &Object,
        state: Statefulness,
    ) -> Result<ComponentInstance, Failure> {
        let source = glue.url.as_deref().unwrap_or("glue.bytes");
        let text = std::str::from_utf8(glue.verified.bytes()).unwrap_or_default();
        let cores = compiled.cores();
        if let Some(missing) = jco_core_names(text)
            .into_iter()
            .find(|name| !cores.iter().any(|(have, _)| have == name))
        {
            let reason = format!(
                "the component's JS `{source}` instantiates core module `{missing}`, which its registry entry does not name (it names {})",
                cores.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            );
            return Err(Error::InvalidIndex {
                url: source.to_string(),
                reason,
            }
            .into());
        }
        let instantiate: Function = run_glue(glue, jco_body)?.dyn_into().map_err(|other| {
            let reason = format!("component JS `{source}` did not define `instantiate`");
            Failure::caused(Error::InvalidGuest { reason }, other)
        })?;
        let names: Array = cores.iter().map(|(n, _)| JsValue::from_str(n)).collect();
        let modules: Array = cores.iter().map(|(_, m)| JsValue::from(m)).collect();
        let failed = |cause: JsValue| {
            let reason = format!("the component did not instantiate: {}", describe(&cause));
            Failure::caused(Error::InstantiateFailed { reason }, cause)
        };
        let pending = instantiate
            .call2(&JsValue::UNDEFINED, &core_getter(&names, &modules), imports)
            .map_err(failed)?;
        let exports = JsFuture::from(Promise::resolve(&pending))
            .await
            .map_err(failed)?;
        let exports: Object = exports.dyn_into().map_err(|other| {
            let reason = format!("component JS `{source}`'s `instantiate` gave no exports");
            Failure::caused(Error::InvalidGuest { reason }, other)
        })?;
        let state = match state {
            Statefulness::Stateless => None,
            Statefulness::Stateful => Some(GlueState::new(
                function(&exports, SAVE, source)?,
                function(&exports, LOAD, source)?,
                ["save-state", "load-state"],
                guest_message,
            )),
        };
        Ok(ComponentInstance { exports, state })
    }

    /// The lifted exports.
    pub fn exports(&self) -> &Object {
        &self.exports
    }

    /// Whether its world exports the state functions.
    pub fn stateful(&self) -> bool {
        self.state.is_some()
    }

    /// `saveState()`.
    ///
    /// # Errors
    /// [`Error::StateSaveFailed`]: it threw (a trap), or returned something that is not a
    /// `Uint8Array`.
    pub fn save(&self) -> Result<Saved, Failure> {
        GlueState::save(self.state.as_ref(), &self.exports)
    }

    /// `loadState(bytes)`.
    ///
    /// # Errors
    /// [`Error::StateLoadFailed`] with the guest's `err` string (or its trap) in the message
    /// and the `ComponentError` as the cause.
    pub fn load(&self, saved: &Saved) -> Result<Loaded, Failure> {
        GlueState::load(self.state.as_ref(), &self.exports, saved)
    }
}

/// What the guest said: the string of a `result`'s `err` (jco's `ComponentError.payload`),
/// else the exception.
fn guest_message(cause: &JsValue) -> String {
    match Reflect::get(cause, &JsValue::from_str("payload")) {
        Ok(payload) if payload.is_string() => payload.as_string().unwrap_or_default(),
        _ => describe(cause),
    }
}

/// The lifted function `name`, which the component's world exports.
fn function(exports: &Object, name: &str, source: &str) -> Result<Function, Failure> {
    get(exports, name).dyn_into().map_err(|_| {
        let reason = format!("component JS `{source}` has no `{name}` function, though the component exports its state functions: the JS was transpiled from another component");
        Failure::from(Error::InvalidGuest { reason })
    })
}
