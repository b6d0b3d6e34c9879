//! Demo guest (wasm-bindgen), version 1.1.0: v1's notes plus `pin`, `is_pinned` and `clear`.
//!
//! Reads v1's state (schema 1): the notes are carried, none is pinned. Exports, in the
//! `--target web` glue, v1's `add(note: string): number`, `list(): string[]`,
//! `remove(index: number): string | undefined`, `count(): number`, the new
//! `pin(index: number, on: boolean): boolean`, `is_pinned(index: number): boolean` and
//! `clear(): void`, and the guest contract's `save_state(): Uint8Array` and
//! `load_state(state: Uint8Array): void`; its `version` section says `1.1.0`.

mod state;

use state::Notes;
use wasm_bindgen::prelude::*;

hotswap_guest::export_bindgen_state!(Notes, on_restore = Notes::restored);
hotswap_guest::export_version!();

/// Appends `note` (unpinned) and returns the number of notes.
#[wasm_bindgen]
pub fn add(note: &str) -> usize {
    with_state(|s| s.add(note))
}

/// The notes, oldest first.
#[wasm_bindgen]
pub fn list() -> Vec<String> {
    // The demo's faulty v3 (www/notes/v3) is this source with the feature on.
    if cfg!(feature = "faulty") {
        panic!("notes 1.2.0 has a bug: list() panics");
    }
    with_state(|s| s.notes.clone())
}

/// Removes the note at `index` (and its pin) and returns it, or `undefined` if there is none.
#[wasm_bindgen]
pub fn remove(index: usize) -> Option<String> {
    with_state(|s| s.remove(index))
}

/// The number of notes.
#[wasm_bindgen]
pub fn count() -> usize {
    with_state(|s| s.notes.len())
}

/// Pins (`on`) or unpins the note at `index`; `false` if there is none. New in v2.
#[wasm_bindgen]
pub fn pin(index: usize, on: bool) -> bool {
    with_state(|s| s.pinned.get_mut(index).map(|p| *p = on).is_some())
}

/// Whether the note at `index` is pinned (`false` if there is none). New in v2.
#[wasm_bindgen]
pub fn is_pinned(index: usize) -> bool {
    with_state(|s| s.pinned.get(index).copied().unwrap_or(false))
}

/// Removes every note. New in v2.
#[wasm_bindgen]
pub fn clear() {
    with_state(|s| *s = Notes::default());
}

#[cfg(all(test, not(feature = "faulty")))]
mod tests;
