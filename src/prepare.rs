//! Preparation: the new module is instantiated in isolation. Its start function runs and its
//! memory is initialised, but nothing the app can reach points at it yet.

use js_sys::{Object, WebAssembly};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::compile::Compiled;
use crate::error::Error;
use crate::gate::Checked;
use crate::js::{describe, Failure};

/// An instance ready to be committed.
pub struct Prepared {
    checked: Checked,
    exports: Object,
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

    /// Splits into the gated module and the raw exports.
    pub fn into_parts(self) -> (Checked, Object) {
        (self.checked, self.exports)
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
    Ok(Prepared {
        checked,
        exports: instance.exports(),
    })
}
