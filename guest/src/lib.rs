//! Rust guest SDK for wasm-hotswap: gives a Rust guest the state exports of the guest
//! contract for one serde type, and its `version` custom section. Two modes, one envelope:
//! the raw ABI ([`export_state!`], below) for guests without wasm-bindgen, the
//! wasm-bindgen mode (`export_bindgen_state!`, feature `wasm-bindgen`; see
//! "wasm-bindgen guests"), and the envelope alone for components (see "Component guests").
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
//! # wasm-bindgen guests
//!
//! With the feature `wasm-bindgen` (which pins `wasm-bindgen = "=0.2.130"`: the wasm-bindgen
//! CLI that writes the glue must be exactly that version), a wasm-bindgen crate gets its two
//! state exports from one macro:
//!
//! ```text
//! hotswap_guest::export_bindgen_state!(Notes);                       // no hook
//! hotswap_guest::export_bindgen_state!(Notes, on_restore = restored); // fn restored(&mut Notes)
//! ```
//!
//! It defines `with_state` as [`export_state!`] does, and exports through `#[wasm_bindgen]`
//! `save_state() -> Vec<u8>` and `load_state(state: Vec<u8>) -> Result<(), JsError>`, which
//! the `--target web` glue turns into `save_state(): Uint8Array` and
//! `load_state(state: Uint8Array): void`. The runtime calls `save_state` on the old version
//! and `load_state` on the new one, with the same envelope as the raw ABI (below), so schema
//! evolution and refusals work the same way:
//!
//! - **Refusing a state** is throwing: `load_state` returns `Err`, the glue throws an `Error`
//!   whose message is the [`LoadError`] text (`state has schema 2 (byte 8) but this guest
//!   reads schema 1 or older; refusing a downgrade that would drop fields`, `state envelope:
//!   expected magic ...`, `state payload (schema 1, byte 16 on) does not deserialize: ...`),
//!   the state is untouched and the runtime keeps the old version.
//! - **Order in the new instance**: the glue runs `#[wasm_bindgen(start)]` once, when it
//!   creates the instance, so start sees `T::default()`; then the runtime calls `load_state`;
//!   after a successful load, and only then, the `on_restore` hook runs with the restored
//!   state. Act on the restored state (rebuild `#[serde(skip)]` fields, fix invariants, render)
//!   in the hook, not in start. The hook runs inside the state's borrow: it must not call
//!   `with_state` or the guest's exports.
//! - `save_state` cannot fail by contract (as in the raw ABI): a state that does not serialize
//!   panics, which traps, and the runtime reports `STATE_SAVE_FAILED`.
//! - Build apart from raw guests: cargo unifies the features of one build, so
//!   `cargo build -p raw-guest -p bindgen-guest` would link wasm-bindgen into the raw guest
//!   too (and give it imports).
//!
//! [`bindgen::save`] and [`bindgen::load`] are the two exports minus the JS, so native tests
//! can exercise every path (refusals included). The demo guests `www/notes/v1` and `v2` use
//! this mode.
//!
//! # Component guests
//!
//! A Component Model guest states the contract in WIT, in its world:
//!
//! ```wit
//! save-state: func() -> list<u8>;
//! load-state: func(state: list<u8>) -> result<_, string>;
//! ```
//!
//! Built for `wasm32-wasip2` with wit-bindgen, it uses this crate without features, for the
//! same envelope, through [`envelope::encode`] and [`envelope::decode`]; `load-state`'s `err`
//! string is what the host sees in `STATE_LOAD_FAILED` (`examples/rust-component/` in the
//! repository is the whole guest):
//!
//! ```text
//! wit_bindgen::generate!({ world: "counter", path: "wit" });
//!
//! impl Guest for Counter {
//!     fn save_state() -> Vec<u8> {
//!         with(|s| envelope::encode(State::SCHEMA, s).expect("the state serializes"))
//!     }
//!     fn load_state(state: Vec<u8>) -> Result<(), String> {
//!         let loaded: State = envelope::decode(&state).map_err(|e| e.to_string())?;
//!         with(|s| *s = loaded);
//!         Ok(())
//!     }
//!     // … the world's other functions
//! }
//! export!(Counter);
//! ```
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
//! - One `export_state!` or `export_bindgen_state!` per guest: the exports have fixed names.

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
