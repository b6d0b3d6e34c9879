//! Compilation: `WebAssembly.compileStreaming` on one branch of the response while the other
//! is hashed, or `WebAssembly.compile` on bytes in hand.
//!
//! Compiling starts before verification ends, so that the two overlap. The [`Compiling`] rides
//! with its own bytes as their payload (`Verified::with`, in `fetch`) through verify, inspect and the
//! gate, and only a [`Checked`] turns it into a [`Compiled`] module ([`compiled`]), which stays
//! inside that `Checked`: the module instantiated is always the one whose bytes were verified,
//! inspected and gated. A compilation that is abandoned on an error path has its rejection
//! handled, so it never surfaces as an unhandled rejection.

use js_sys::{Array, Promise, Uint8Array, WebAssembly};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use crate::error::Error;
use crate::gate::Checked;
use crate::js::{describe, Failure};

/// A compilation under way.
pub struct Compiling(Option<Promise>);

impl Compiling {
    /// Starts `WebAssembly.compileStreaming(response)`.
    pub fn streaming(response: &Response) -> Self {
        let response: &JsValue = response;
        let response = Promise::resolve(response);
        Compiling(Some(WebAssembly::compile_streaming(&response)))
    }

    /// Starts `WebAssembly.compile(bytes)`.
    pub fn bytes(bytes: &Uint8Array) -> Self {
        Compiling(Some(WebAssembly::compile(bytes)))
    }

    /// Waits for the compiled module.
    async fn finish(mut self) -> Result<Compiled, Failure> {
        // `finish` takes `self`, so the promise is always there; `Drop` is why it is an Option.
        let promise = self
            .0
            .take()
            .unwrap_or_else(|| Promise::reject(&JsValue::UNDEFINED));
        let module = JsFuture::from(promise).await.map_err(|cause| {
            Failure::caused(
                Error::InvalidModule {
                    reason: format!("the engine refused to compile it ({})", describe(&cause)),
                    offset: None,
                },
                cause,
            )
        })?;
        Ok(Compiled(module.unchecked_into()))
    }
}

impl Drop for Compiling {
    fn drop(&mut self) {
        if let Some(promise) = self.0.take() {
            // Abandoned on an error path: settle it quietly.
            let _ = Promise::all_settled(&Array::of1(&promise));
        }
    }
}

/// Waits for the compilation `checked` carries: the module compiled from its own bytes.
///
/// # Errors
/// [`Error::InvalidModule`] with the engine's error as cause.
pub async fn compiled(checked: Checked<Compiling>) -> Result<Checked<Compiled>, Failure> {
    let (checked, compiling) = checked.split();
    Ok(checked.with(compiling.finish().await?))
}

/// A compiled module whose bytes passed verification and the gate.
pub struct Compiled(WebAssembly::Module);

impl Compiled {
    /// The `WebAssembly.Module`.
    pub fn module(&self) -> &WebAssembly::Module {
        &self.0
    }
}
