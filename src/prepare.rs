//! Preparation: the new module is instantiated in isolation. Its start function runs and its
//! memory is initialised, but nothing the app can reach points at it yet.

use js_sys::{Function, Object, Reflect, WebAssembly};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::compile::Compiled;
use crate::contract::{GuestKind, ALLOC_STATE, LOAD_STATE, MEMORY, SAVE_STATE};
use crate::error::Error;
use crate::gate::Checked;
use crate::js::{describe, Failure};

/// The state protocol of one instance, looked up once so that the commit only calls.
#[derive(Clone)]
pub struct StateFns {
    /// `save_state: () -> i32`.
    pub save: Function,
    /// `alloc_state: (i32) -> i32`.
    pub alloc: Function,
    /// `load_state: (i32, i32) -> i32`.
    pub load: Function,
    /// The memory the state pointers refer to.
    pub memory: WebAssembly::Memory,
}

impl StateFns {
    /// The state exports of a stateful guest's instance (the gate checked they exist).
    fn of(exports: &Object) -> Option<StateFns> {
        let get = |name: &str| Reflect::get(exports, &JsValue::from_str(name)).ok();
        Some(StateFns {
            save: get(SAVE_STATE)?.dyn_into().ok()?,
            alloc: get(ALLOC_STATE)?.dyn_into().ok()?,
            load: get(LOAD_STATE)?.dyn_into().ok()?,
            memory: get(MEMORY)?.dyn_into().ok()?,
        })
    }
}

/// An instance ready to be committed.
pub struct Prepared {
    checked: Checked,
    exports: Object,
    state: Option<StateFns>,
}

impl Prepared {
    /// The gated module it was made from.
    pub fn checked(&self) -> &Checked {
        &self.checked
    }

    /// The instance's raw exports.
    pub fn exports(&self) -> &Object {
        &self.exports
    }

    /// The state protocol, for a stateful guest.
    pub fn state(&self) -> Option<&StateFns> {
        self.state.as_ref()
    }

    /// Splits into the gated module, the raw exports and the state protocol.
    pub fn into_parts(self) -> (Checked, Object, Option<StateFns>) {
        (self.checked, self.exports, self.state)
    }
}

/// Instantiates `compiled` with `imports`.
///
/// # Errors
/// [`Error::InstantiateFailed`]: a link error the gate could not foresee, or a trap in the
/// start function; the engine's error is the cause.
pub async fn prepare(
    checked: Checked,
    compiled: Compiled,
    imports: &Object,
) -> Result<Prepared, Failure> {
    let instance = JsFuture::from(WebAssembly::instantiate_module(compiled.module(), imports))
        .await
        .map_err(|cause| {
            Failure::caused(
                Error::InstantiateFailed {
                    reason: describe(&cause),
                },
                cause,
            )
        })?;
    let instance: WebAssembly::Instance = instance.unchecked_into();
    let exports = instance.exports();
    let state = match checked.guest() {
        GuestKind::Stateful => Some(StateFns::of(&exports).ok_or_else(|| Error::InvalidGuest {
            reason: "the instance's state exports are not the functions and memory its binary declares".into(),
        })?),
        GuestKind::Stateless => None,
    };
    Ok(Prepared {
        checked,
        exports,
        state,
    })
}
