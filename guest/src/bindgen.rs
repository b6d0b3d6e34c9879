//! The wasm-bindgen mode's two state exports minus the JS: what `export_bindgen_state!`
//! (feature `wasm-bindgen`) calls.
//!
//! Pure Rust over a [`StateCell`], compiled with or without the `wasm-bindgen` feature, so
//! every path the exports take (the refusals, the hook, the untouched state) is tested
//! natively: on a native host wasm-bindgen's `JsError` cannot be built, so the macro's only
//! job is to turn a [`LoadError`] into one.

use crate::abi::save_failed;
use crate::state::{LoadError, StateCell};
use crate::GuestState;

/// What the `save_state` export returns: the state as an envelope with schema `S::SCHEMA`
/// (the same envelope the raw ABI writes; see the crate docs, "Envelope format").
///
/// # Panics
/// If the state does not serialize, or is borrowed (`save_state` called from inside
/// `with_state`). wasm-bindgen's `save_state() -> Vec<u8>` has no error channel, like the raw
/// ABI's: in wasm the panic traps, the glue's `save_state()` throws a `RuntimeError`, the
/// runtime reports `STATE_SAVE_FAILED` and the old instance keeps serving.
pub fn save<S: GuestState>(cell: &StateCell<S>) -> Vec<u8> {
    cell.save().unwrap_or_else(|e| save_failed(&e))
}

/// What the `load_state` export does: decodes `bytes`, replaces the state with it, then runs
/// `on_restore` on the restored state.
///
/// ```
/// use hotswap_guest::{bindgen, envelope, GuestState, StateCell};
///
/// #[derive(Default, serde::Serialize, serde::Deserialize)]
/// struct Notes { notes: Vec<String> }
/// impl GuestState for Notes { const SCHEMA: u32 = 1; }
///
/// let cell = StateCell::<Notes>::new();
/// let newer = envelope::encode(2, &Notes::default()).unwrap();
/// let err = bindgen::load(&cell, &newer, |_| unreachable!()).unwrap_err();
/// assert!(err.to_string().starts_with("state has schema 2 (byte 8)"));
///
/// let v1 = envelope::encode(1, &Notes { notes: vec!["hi".into()] }).unwrap();
/// let mut seen = 0;
/// bindgen::load(&cell, &v1, |s| seen = s.notes.len()).unwrap();
/// assert_eq!(seen, 1);
/// ```
///
/// # Errors
/// [`LoadError::Decode`] when the envelope or payload is refused (a newer schema, a bad
/// envelope, a payload that does not deserialize), [`LoadError::Busy`] when called from
/// inside `with_state`. On an error the state is untouched and `on_restore` does not run;
/// the error's `Display` text is the message the glue's `load_state` throws.
pub fn load<S: GuestState>(
    cell: &StateCell<S>,
    bytes: &[u8],
    on_restore: impl FnOnce(&mut S),
) -> Result<(), LoadError> {
    cell.load(bytes)?;
    cell.with(on_restore);
    Ok(())
}
