//! The v2 state: v1's notes plus which of them are pinned.

use serde::{Deserialize, Serialize};

/// The notes, schema 2. `notes` and `pinned` go index for index: change both through the
/// methods here, which keep them the same length.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Notes {
    /// The notes' texts, oldest first, carried over from v1.
    pub notes: Vec<String>,
    /// Whether each note is pinned, index for index. Absent in a v1 state, hence empty;
    /// [`Notes::restored`] pads it to one entry per note.
    #[serde(default)]
    pub pinned: Vec<bool>,
}

impl Notes {
    /// Appends `note`, unpinned; returns the number of notes.
    pub fn add(&mut self, note: &str) -> usize {
        self.notes.push(note.to_owned());
        self.pinned.push(false);
        self.notes.len()
    }

    /// Removes the note at `index` and its pin; `None` if there is none.
    pub fn remove(&mut self, index: usize) -> Option<String> {
        if index >= self.notes.len() {
            return None;
        }
        self.pinned.remove(index);
        Some(self.notes.remove(index))
    }

    /// Restores the invariant `pinned.len() == notes.len()` on a state just loaded: a v1
    /// state has no `pinned` (every note starts unpinned), and a hand-made one may disagree.
    /// The `on_restore` hook of `export_bindgen_state!`.
    pub fn restored(&mut self) {
        self.pinned.resize(self.notes.len(), false);
    }
}

impl hotswap_guest::GuestState for Notes {
    const SCHEMA: u32 = 2;
}
