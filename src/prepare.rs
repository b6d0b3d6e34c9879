//! Preparation: the new module is instantiated in isolation, the way its guest kind is
//! instantiated. Its start function runs and its memory is initialised, but nothing the app can
//! reach points at it yet.

use js_sys::Object;

use crate::compile::Compiled;
use crate::gate::Checked;
use crate::guest::bindgen::Glue;
use crate::guest::Instance;
use crate::js::Failure;

/// An instance ready to be committed, with the gated, compiled module it was made from.
pub struct Prepared {
    checked: Checked<Compiled>,
    instance: Instance,
}

impl Prepared {
    /// The gated module it was made from.
    pub fn checked(&self) -> &Checked<Compiled> {
        &self.checked
    }

    /// The new instance.
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// Splits into the gated module and the instance.
    pub fn into_parts(self) -> (Checked<Compiled>, Instance) {
        (self.checked, self.instance)
    }
}

/// Instantiates the module `checked` carries with `imports`, or for a wasm-bindgen guest with
/// a fresh copy of its verified `glue`.
///
/// # Errors
/// [`crate::error::Error::InstantiateFailed`]: a link error the gate could not foresee, or a
/// trap in the start function; the engine's error is the cause.
pub async fn prepare(
    checked: Checked<Compiled>,
    imports: &Object,
    glue: Option<&Glue>,
) -> Result<Prepared, Failure> {
    let instance = Instance::instantiate(&checked, imports, glue).await?;
    Ok(Prepared { checked, instance })
}
