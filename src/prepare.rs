//! Preparation: the new module is instantiated in isolation, the way its guest kind is
//! instantiated. Its start function runs and its memory is initialised, but nothing the app can
//! reach points at it yet.

use js_sys::{Object, WebAssembly};

use crate::compile::Compiled;
use crate::digest::Digest;
use crate::gate::Checked;
use crate::guest::bindgen::Glue;
use crate::guest::{Guest, Instance};
use crate::interface::Interface;
use crate::js::Failure;
use crate::policy::Judgement;

/// An instance ready to be committed, with what the commit needs of the gated, compiled module
/// it was made from: its digest, interface, kind, compiled module and version step. The
/// module's bytes, no longer needed once it is instantiated, are released here rather than in
/// the commit.
pub struct Prepared {
    digest: Digest,
    interface: Interface,
    guest: Guest,
    module: WebAssembly::Module,
    instance: Instance,
    judgement: Option<Judgement>,
}

impl Prepared {
    fn new(checked: Checked<Compiled>, instance: Instance) -> Prepared {
        let (inspected, guest, judgement) = checked.into_parts();
        let (verified, interface) = inspected.into_parts();
        Prepared {
            digest: verified.digest(),
            interface,
            guest,
            module: verified.payload().module().clone(),
            instance,
            judgement,
        }
    }

    /// The new instance.
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// The verified digest of its module.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// Its module's interface, read from the binary.
    pub fn interface(&self) -> &Interface {
        &self.interface
    }

    /// The version step from the module serving when it was gated, if one was serving.
    pub fn judgement(&self) -> Option<&Judgement> {
        self.judgement.as_ref()
    }

    /// Its kind, and whether it carries state.
    pub fn guest(&self) -> Guest {
        self.guest
    }

    /// Splits into digest, interface, kind, compiled module and instance.
    pub fn into_parts(self) -> (Digest, Interface, Guest, WebAssembly::Module, Instance) {
        (
            self.digest,
            self.interface,
            self.guest,
            self.module,
            self.instance,
        )
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
    Ok(Prepared::new(checked, instance))
}
