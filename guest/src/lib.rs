//! Rust guest SDK for wasm-hotswap: gives a Rust guest the state exports of the guest
//! contract for one serde type, and its `version` custom section.
//!
//! # Usage
//!
//! ```
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Default, Serialize, Deserialize)]
//! struct Counter {
//!     count: i32,
//!     #[serde(default)] // new in schema 2; a schema-1 state reads as 0
//!     clicks: i32,
//! }
//!
//! impl hotswap_guest::GuestState for Counter {
//!     const SCHEMA: u32 = 2; // bump whenever `Counter` changes
//! }
//!
//! hotswap_guest::export_state!(Counter); // save_state, alloc_state, load_state, with_state
//! hotswap_guest::export_version!(); // `version` section = this crate's Cargo version
//!
//! #[no_mangle]
//! pub extern "C" fn increment(by: i32) -> i32 {
//!     with_state(|s| {
//!         s.clicks += 1;
//!         s.count = s.count.wrapping_add(by);
//!         s.count
//!     })
//! }
//! # fn main() { assert_eq!(increment(3), 3); }
//! ```
//!
//! Build it as a `cdylib` for `wasm32-unknown-unknown`; no wasm-bindgen, no imports.
//!
//! # How it works
//!
//! The host swaps an old instance for a new one in one synchronous step:
//! `old.save_state()` → copy the bytes → `new.alloc_state(len)` → write them →
//! `new.load_state(ptr, len)`. A non-zero result from `load_state` refuses the swap and the
//! old instance keeps serving.
//!
//! - `save_state() -> i32` serializes the state into an envelope and returns the address of
//!   8 bytes: little-endian u32 address, then u32 length, of the envelope. Both stay valid
//!   until the next `save_state`.
//! - `alloc_state(len) -> i32` returns the address of `len` zeroed bytes, or 0 if `len` is
//!   negative or memory is exhausted. Each call replaces the previous buffer.
//! - `load_state(ptr, len) -> i32` accepts only the exact buffer of the last `alloc_state`,
//!   frees it, decodes, and replaces the state only on success.
//!
//! # Envelope format
//!
//! All integers little-endian u32.
//!
//! | bytes   | field            | rule when reading                                      |
//! |---------|------------------|--------------------------------------------------------|
//! | 0..4    | magic `HSWP`     | anything else: refuse (code 1)                          |
//! | 4..8    | envelope version | must be 1, else refuse (code 1)                         |
//! | 8..12   | schema           | greater than the reader's `SCHEMA`: refuse (code 2)     |
//! | 12..16  | payload length   | must equal the bytes that follow, else refuse (code 1)  |
//! | 16..    | payload          | JSON (serde_json) of the state; must parse (code 3)     |
//!
//! A payload of the reader's own schema is parsed as the state type; an older one goes
//! through [`GuestState::migrate`], which by default parses it the same way, so fields added
//! with `#[serde(default)]` get their default. A newer one is always refused: reading it
//! would silently drop the fields the newer guest added.
//!
//! # `load_state` return codes
//!
//! | code | constant                    | meaning                                              |
//! |------|-----------------------------|------------------------------------------------------|
//! | 0    | [`code::OK`]                | loaded                                               |
//! | 1    | [`code::BAD_ENVELOPE`]      | wrong magic, truncated, unknown envelope version, trailing bytes |
//! | 2    | [`code::NEWER_SCHEMA`]      | written by a newer schema than this guest's          |
//! | 3    | [`code::BAD_PAYLOAD`]       | payload does not deserialize (or `migrate` refused)  |
//! | 4    | [`code::NOT_ALLOCATED`]     | `(ptr, len)` is not the last `alloc_state` buffer    |
//! | 5    | [`code::BUSY`]              | re-entrant call from inside `with_state`             |
//!
//! # Limitations
//!
//! - `load_state` never panics. `save_state` cannot report an error by contract: if the
//!   state fails to serialize (a `Serialize` impl returning an error, a map with non-string
//!   keys) it panics, which in wasm is a trap; the host reports `STATE_SAVE_FAILED` and the
//!   old instance keeps serving. Derived structs of numbers, strings, vectors and
//!   string-keyed maps cannot fail.
//! - JSON writes non-finite floats (NaN, ±inf) as `null`, which does not read back as a
//!   float: such a state is refused on load (code 3) rather than altered.
//! - `with_state` is not re-entrant: nesting it panics (traps).
//! - One `export_state!` per guest: the exports are `#[no_mangle]` symbols.

#![warn(missing_docs)]

mod abi;
pub mod bindgen;
pub mod envelope;
mod export;
#[cfg(feature = "wasm-bindgen")]
mod export_bindgen;
mod state;
mod version;

pub use abi::code;
pub use state::{GuestState, LoadError, StateCell};
pub use version::version_bytes;

/// Re-exported so that a [`GuestState::migrate`] override needs no extra dependency.
pub use serde_json;

/// Re-exported (feature `wasm-bindgen`) so that
/// [`export_bindgen_state!`](crate::export_bindgen_state) expands in any guest crate, whatever
/// name (if any) it gives its own wasm-bindgen dependency.
#[cfg(feature = "wasm-bindgen")]
pub use wasm_bindgen;
