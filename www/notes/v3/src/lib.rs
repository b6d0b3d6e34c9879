//! Demo guest (wasm-bindgen), version 1.2.0: v2's source, built with the feature `faulty`,
//! which makes `list()` panic, a wasm trap, on its first call. The demo swaps to it on
//! probation, and the trap rolls the page back to 1.1.0 with its notes.

#[path = "../../v2/src/lib.rs"]
mod notes;
