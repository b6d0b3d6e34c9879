//! The wasm-bindgen kind: a `_bg.wasm` instantiated by a fresh copy of its own JS glue.
//!
//! The glue's verified bytes are rewritten as a function body ([`crate::guest::glue`]) and run
//! as a new function, so each version gets its own copy of the glue's private state (its
//! `wasm` variable, memory views, the externref heap, class finalizers), which is reclaimed
//! with the instance. The glue's `initSync({ module })` is handed the runtime's own verified,
//! compiled `WebAssembly.Module`: the glue's imports serve it, and it runs the module's start
//! function (`__wbindgen_start`, which runs `#[wasm_bindgen(start)]`) once, before the commit
//! loads any state. The app's exports are the glue's exported functions and classes.
//!
//! State moves through the glue: `save_state(): Uint8Array` on the old version,
//! `load_state(Uint8Array)` on the new one, which refuses a state by throwing.

use js_sys::{Function, Object, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::contract::{Statefulness, LOAD_STATE, SAVE_STATE};
use crate::error::Error;
use crate::guest::glue::{function_body, META_URL};
use crate::guest::instance::GlueState;
use crate::guest::{Loaded, Saved};
use crate::js::{describe, get, Failure};
use crate::registry::index::GlueKind;
use crate::verify::Verified;

#[wasm_bindgen(module = "/src/js/exports.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = compileGlue)]
    fn compile_glue(param: &str, body: &str) -> Result<Function, JsValue>;
}

/// The glue's exports that are the runtime's, not the app's.
pub const HIDDEN: &[&str] = &["initSync", "default", SAVE_STATE, LOAD_STATE];

/// A guest's glue: its verified bytes, the URL `import.meta.url` stands for in it, and which
/// toolchain wrote it.
pub struct Glue {
    /// The verified bytes.
    pub verified: Verified,
    /// The glue's URL (`undefined` in the glue for bytes in hand).
    pub url: Option<String>,
    /// wasm-bindgen's glue, a component's transpiled JS, or AssemblyScript's raw bindings.
    pub kind: GlueKind,
}

/// Runs a glue's verified text, rewritten by `rewrite` as the body of a function of
/// [`META_URL`], and returns what that function returns: a fresh copy each time.
///
/// # Errors
/// [`Error::InvalidGuest`]: the glue is not UTF-8, the rewrite refuses it, the page forbids
/// the eval (the message says which CSP allows it), or it throws while it is evaluated.
pub(crate) fn run_glue(
    glue: &Glue,
    rewrite: impl FnOnce(&str, &str) -> crate::error::Result<String>,
) -> Result<JsValue, Failure> {
    let source = glue.url.as_deref().unwrap_or("glue.bytes");
    let invalid = |reason: String, cause| Failure::caused(Error::InvalidGuest { reason }, cause);
    let text = std::str::from_utf8(glue.verified.bytes()).map_err(|e| {
        invalid(
            format!("glue `{source}` is not UTF-8 text: {e}"),
            JsValue::UNDEFINED,
        )
    })?;
    let body = rewrite(text, source)?;
    let factory = compile_glue(META_URL, &body).map_err(|cause| {
        let reason = format!("glue `{source}` could not be compiled ({}); under a Content-Security-Policy, running a guest's JS glue needs `'trusted-types-eval'` in script-src with `require-trusted-types-for 'script'` and `trusted-types wasm-hotswap`, or else `'unsafe-eval'`", describe(&cause));
        invalid(reason, cause)
    })?;
    let url = glue
        .url
        .as_deref()
        .map_or(JsValue::UNDEFINED, JsValue::from_str);
    factory.call1(&JsValue::UNDEFINED, &url).map_err(|cause| {
        invalid(
            format!(
                "glue `{source}` threw while it was evaluated: {}",
                describe(&cause)
            ),
            cause,
        )
    })
}

/// An instance of a wasm-bindgen guest, with the copy of the glue that made it.
pub struct BindgenInstance {
    /// The glue's exports: what the app calls.
    glue: Object,
    state: Option<GlueState>,
}

impl BindgenInstance {
    /// Runs a fresh copy of `glue` and has its `initSync` instantiate `module`.
    ///
    /// # Errors
    /// - [`Error::InvalidGuest`]: the glue is not UTF-8, not wasm-bindgen's `--target web`
    ///   output, throws while it is evaluated, lacks `initSync` or the state functions the
    ///   module declares, or was built for another module (its imports do not link);
    /// - [`Error::InstantiateFailed`]: the module's start function trapped.
    pub fn instantiate(
        module: &WebAssembly::Module,
        glue: &Glue,
        state: Statefulness,
    ) -> Result<BindgenInstance, Failure> {
        let source = glue.url.as_deref().unwrap_or("glue.bytes");
        let invalid =
            |reason: String, cause| Failure::caused(Error::InvalidGuest { reason }, cause);
        let exports: Object =
            run_glue(glue, |text, source| Ok(function_body(text, source)?.body))?.unchecked_into();
        let init: Function = get(&exports, "initSync").dyn_into().map_err(|_| {
            invalid(
                format!("glue `{source}` has no `initSync` function"),
                JsValue::UNDEFINED,
            )
        })?;
        let options = Object::new();
        let _ = js_sys::Reflect::set(&options, &"module".into(), module);
        init.call1(&exports, &options)
            .map_err(|cause| initialize_failed(source, cause))?;
        let state = match state {
            Statefulness::Stateless => None,
            Statefulness::Stateful => Some(GlueState::new(
                function(&exports, SAVE_STATE, source)?,
                function(&exports, LOAD_STATE, source)?,
                [SAVE_STATE, LOAD_STATE],
                describe,
            )),
        };
        Ok(BindgenInstance {
            glue: exports,
            state,
        })
    }

    /// The glue's exports.
    pub fn exports(&self) -> &Object {
        &self.glue
    }

    /// Whether the glue exports the state functions.
    pub fn stateful(&self) -> bool {
        self.state.is_some()
    }

    /// The glue's `save_state()`.
    ///
    /// # Errors
    /// [`Error::StateSaveFailed`]: it threw, or returned something that is not a `Uint8Array`.
    pub fn save(&self) -> Result<Saved, Failure> {
        GlueState::save(self.state.as_ref(), &self.glue)
    }

    /// The glue's `load_state(bytes)`.
    ///
    /// # Errors
    /// [`Error::StateLoadFailed`] with the guest's exception, its refusal, as the cause.
    pub fn load(&self, saved: &Saved) -> Result<Loaded, Failure> {
        GlueState::load(self.state.as_ref(), &self.glue, saved)
    }
}

/// The glue's function `name`, which the module's exports say it has.
fn function(exports: &Object, name: &str, source: &str) -> Result<Function, Failure> {
    get(exports, name).dyn_into().map_err(|_| {
        let reason = format!("glue `{source}` has no `{name}` function, though its module exports `{name}`: the glue was written for another module");
        Failure::from(Error::InvalidGuest { reason })
    })
}

/// What `initSync` throwing means: a glue for another module (its imports do not link), or a
/// trap in the start function.
fn initialize_failed(source: &str, cause: JsValue) -> Failure {
    let text = describe(&cause);
    if cause.is_instance_of::<WebAssembly::LinkError>()
        || cause.is_instance_of::<js_sys::TypeError>()
    {
        let reason = format!("glue `{source}` cannot instantiate this module, so it was written for another one ({text})");
        return Failure::caused(Error::InvalidGuest { reason }, cause);
    }
    Failure::caused(Error::InstantiateFailed { reason: text }, cause)
}
