//! Demo guest (wasm-bindgen), version 1.0.0: a list of notes that survives hot swaps.
//!
//! Exports, in the `--target web` glue, `add(note: string): number`, `list(): string[]`,
//! `remove(index: number): string | undefined`, `count(): number`, and the guest contract's
//! `save_state(): Uint8Array` and `load_state(state: Uint8Array): void`; its `version` section
//! says `1.0.0`.

mod state;

use state::Notes;
use wasm_bindgen::prelude::*;

hotswap_guest::export_bindgen_state!(Notes);
hotswap_guest::export_version!();

/// Appends `note` and returns the number of notes.
#[wasm_bindgen]
pub fn add(note: &str) -> usize {
    with_state(|s| {
        s.notes.push(note.to_owned());
        s.notes.len()
    })
}

/// The notes, oldest first.
#[wasm_bindgen]
pub fn list() -> Vec<String> {
    with_state(|s| s.notes.clone())
}

/// Removes the note at `index` and returns it, or `undefined` if there is none.
#[wasm_bindgen]
pub fn remove(index: usize) -> Option<String> {
    with_state(|s| (index < s.notes.len()).then(|| s.notes.remove(index)))
}

/// The number of notes.
#[wasm_bindgen]
pub fn count() -> usize {
    with_state(|s| s.notes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_returns_the_count_and_list_keeps_the_order() {
        assert_eq!(add("milk"), 1);
        assert_eq!(add("eggs"), 2);
        assert_eq!(list(), ["milk", "eggs"]);
    }

    #[test]
    fn remove_returns_the_note_or_none_out_of_range() {
        add("a");
        add("b");
        assert_eq!(remove(5), None);
        assert_eq!(remove(0).as_deref(), Some("a"));
        assert_eq!((list(), count()), (vec!["b".to_owned()], 1));
    }

    #[test]
    fn save_then_load_restores_the_notes() {
        add("kept");
        let saved = save_state();
        remove(0);
        load_state(saved).unwrap();
        assert_eq!(list(), ["kept"]);
    }
}
