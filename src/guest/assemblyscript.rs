//! The AssemblyScript kind: a module `asc` compiled, instantiated by a fresh copy of the JS
//! `asc --bindings raw` wrote for it, from the runtime's verified, compiled module.
//!
//! The raw bindings are one function, `instantiate(module, imports)`, that instantiates the
//! module it is given with AssemblyScript's own imports (`env.abort`, `env.trace`,
//! `env.seed`) over the app's, and returns the exports lifted to JS: strings, arrays and
//! typed arrays copied in and out of the instance's memory. Everything it keeps (the
//! instance, its memory, a `DataView`) lives in that call's closure, so each call is an
//! independent instance. The runtime runs the verified text as a function body
//! ([`crate::guest::glue::assemblyscript_body`]) and awaits its `instantiate` with the
//! compiled module the gate checked. The lifted exports object has the module's own exports
//! as its prototype (the bindings wrap only functions that need lifting), so the app's
//! exports are both, flattened (`flatExports` in `src/js/exports.js`).
//!
//! State moves through the glue-level functions the bindings lift: `save_state(): Uint8Array`
//! (a copy out of the old instance's memory) and `load_state(state: Uint8Array): void` on the
//! new one, which refuses a state by throwing (AssemblyScript's `throw` calls `env.abort`,
//! which the bindings turn into a JS `Error` with the guest's message).

use js_sys::{Function, Object, Promise, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::contract::{Statefulness, LOAD_STATE, SAVE_STATE};
use crate::error::Error;
use crate::guest::bindgen::{run_glue, Glue};
use crate::guest::glue::assemblyscript_body;
use crate::guest::instance::GlueState;
use crate::guest::{Loaded, Saved, ASSEMBLYSCRIPT_INTERNAL};
use crate::js::{describe, get, Failure};

#[wasm_bindgen(module = "/src/js/exports.js")]
extern "C" {
    #[wasm_bindgen(js_name = flatExports)]
    fn flat_exports(lifted: &Object) -> Object;
}

/// The exports that are the runtime's or AssemblyScript's runtime's, not the app's: those
/// the gate does not compare either.
pub const HIDDEN: &[&str] = ASSEMBLYSCRIPT_INTERNAL;

/// An instance of an AssemblyScript guest: the exports its copy of the bindings lifted.
pub struct AssemblyScriptInstance {
    exports: Object,
    state: Option<GlueState>,
}

impl AssemblyScriptInstance {
    /// Runs a fresh copy of `glue` and awaits its `instantiate(module, imports)`.
    ///
    /// # Errors
    /// - [`Error::InvalidGuest`]: the glue is not `asc --bindings raw` output, does not
    ///   compile or throws while evaluated, or lacks the state functions its module exports;
    /// - [`Error::InstantiateFailed`]: instantiation failed: a link error (an import the app
    ///   did not give), a trap in the start function.
    pub async fn instantiate(
        module: &WebAssembly::Module,
        glue: &Glue,
        imports: &Object,
        state: Statefulness,
    ) -> Result<AssemblyScriptInstance, Failure> {
        let source = glue.url.as_deref().unwrap_or("glue.bytes");
        let instantiate: Function =
            run_glue(glue, assemblyscript_body)?
                .dyn_into()
                .map_err(|other| {
                    let reason =
                        format!("AssemblyScript glue `{source}` did not define `instantiate`");
                    Failure::caused(Error::InvalidGuest { reason }, other)
                })?;
        let failed = |cause: JsValue| {
            let reason = format!(
                "the AssemblyScript module did not instantiate: {}",
                describe(&cause)
            );
            Failure::caused(Error::InstantiateFailed { reason }, cause)
        };
        let pending = instantiate
            .call2(&JsValue::UNDEFINED, module, imports)
            .map_err(failed)?;
        let lifted = JsFuture::from(Promise::resolve(&pending))
            .await
            .map_err(failed)?;
        // Not `dyn_into`: the lifted object's prototype chain ends in the instance's exports
        // object, whose prototype is null, so it is no `instanceof Object`.
        if !lifted.is_object() {
            let reason = format!("AssemblyScript glue `{source}`'s `instantiate` gave no exports");
            return Err(Failure::caused(Error::InvalidGuest { reason }, lifted));
        }
        let exports = flat_exports(lifted.unchecked_ref());
        let state = match state {
            Statefulness::Stateless => None,
            Statefulness::Stateful => Some(GlueState::new(
                function(&exports, SAVE_STATE, source)?,
                function(&exports, LOAD_STATE, source)?,
                [SAVE_STATE, LOAD_STATE],
                describe,
            )),
        };
        Ok(AssemblyScriptInstance { exports, state })
    }

    /// The lifted exports, and the module's own beneath them.
    pub fn exports(&self) -> &Object {
        &self.exports
    }

    /// Whether its module exports the state functions.
    pub fn stateful(&self) -> bool {
        self.state.is_some()
    }

    /// The lifted `save_state()`.
    ///
    /// # Errors
    /// [`Error::StateSaveFailed`]: it threw, or returned something that is not a `Uint8Array`
    /// (`null`, for a `save_state` declared `Uint8Array | null`).
    pub fn save(&self) -> Result<Saved, Failure> {
        GlueState::save(self.state.as_ref(), &self.exports)
    }

    /// The lifted `load_state(bytes)`.
    ///
    /// # Errors
    /// [`Error::StateLoadFailed`] with the guest's message (its `throw`) in the text and the
    /// exception as the cause.
    pub fn load(&self, saved: &Saved) -> Result<Loaded, Failure> {
        GlueState::load(self.state.as_ref(), &self.exports, saved)
    }
}

/// The lifted function `name`, which the module exports.
fn function(exports: &Object, name: &str, source: &str) -> Result<Function, Failure> {
    get(exports, name).dyn_into().map_err(|_| {
        let reason = format!("AssemblyScript glue `{source}` has no `{name}` function, though its module exports `{name}`: the glue was written for another module");
        Failure::from(Error::InvalidGuest { reason })
    })
}
