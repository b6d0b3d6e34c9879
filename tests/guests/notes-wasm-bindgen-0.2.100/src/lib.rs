//! The notes of `www/notes/v1` (1.0.0, the same state, schema 1), against wasm-bindgen 0.2.100:
//! proof that the runtime runs that glue, and that its state reaches a newer build.
//!
//! The state exports are written out here: `hotswap-guest`'s `export_bindgen_state!` is for
//! the wasm-bindgen version the project pins.

use std::cell::RefCell;

use hotswap_guest::{bindgen, GuestState, StateCell};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// The notes, schema 1, as `www/notes/v1` has them.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Notes {
    notes: Vec<String>,
}

impl GuestState for Notes {
    const SCHEMA: u32 = 1;
}

thread_local! {
    static STATE: StateCell<Notes> = StateCell::new();
    static STARTS: RefCell<u32> = const { RefCell::new(0) };
}

hotswap_guest::export_version!();

/// Counts the starts of this instance: the runtime must run it once.
#[wasm_bindgen(start)]
pub fn start() {
    STARTS.with(|n| *n.borrow_mut() += 1);
}

/// How many times this instance's start function ran.
#[wasm_bindgen]
pub fn starts() -> u32 {
    STARTS.with(|n| *n.borrow())
}

/// Appends `note` and returns the number of notes.
#[wasm_bindgen]
pub fn add(note: &str) -> usize {
    STATE.with(|cell| {
        cell.with(|s| {
            s.notes.push(note.to_owned());
            s.notes.len()
        })
    })
}

/// The notes, joined by newlines (a `String`: the same ABI in every wasm-bindgen version).
#[wasm_bindgen]
pub fn joined() -> String {
    STATE.with(|cell| cell.with(|s| s.notes.join("\n")))
}

/// The state, in the SDK's envelope.
#[wasm_bindgen]
pub fn save_state() -> Vec<u8> {
    STATE.with(bindgen::save)
}

/// Restores a state; refuses one it cannot read.
#[wasm_bindgen]
pub fn load_state(state: Vec<u8>) -> Result<(), JsError> {
    STATE.with(|cell| bindgen::load(cell, &state, |_| {}).map_err(|e| JsError::new(&e.to_string())))
}
