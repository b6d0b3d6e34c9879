//! Bench guest (wasm-bindgen) for figure 8b: an instance that holds `mb` MB of its own memory,
//! so that a retired version kept alive would show in the renderer's resident memory.
//!
//! The state is the ballast's recipe, `{ mb, seed }`; the bytes themselves are derived
//! (`#[serde(skip)]`) and rebuilt by the restore hook, so every instance, after a swap too,
//! writes (and so makes resident) all of its `mb` MB without moving them through JSON.
//!
//! Exports, in the `--target web` glue: `fill(mb, seed)`, `held(): number` (bytes held),
//! `checksum(): number`, `wasm_memory(): WebAssembly.Memory` (this instance's memory, for the
//! bench's `FinalizationRegistry`), the class `Probe` (one class object per copy of the glue,
//! for the same registry) and the guest contract's `save_state` / `load_state`.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// The ballast: its recipe, and the bytes it makes.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Ballast {
    /// Megabytes (MiB) held.
    pub mb: u32,
    /// What the bytes are made from.
    pub seed: u32,
    #[serde(skip)]
    bytes: Vec<u8>,
}

impl hotswap_guest::GuestState for Ballast {
    const SCHEMA: u32 = 1;
}

impl Ballast {
    // Writes every byte, so that every page of the ballast is resident.
    fn rebuild(&mut self) {
        let len = self.mb as usize * (1 << 20);
        self.bytes = (0..len)
            .map(|i| (i as u32).wrapping_mul(31).wrapping_add(self.seed) as u8)
            .collect();
    }
}

hotswap_guest::export_bindgen_state!(Ballast, on_restore = Ballast::rebuild);
hotswap_guest::export_version!();

/// Holds `mb` MiB made from `seed`, replacing what was held.
#[wasm_bindgen]
pub fn fill(mb: u32, seed: u32) {
    with_state(|s| {
        s.mb = mb;
        s.seed = seed;
        s.rebuild();
    });
}

/// The bytes held.
#[wasm_bindgen]
pub fn held() -> usize {
    with_state(|s| s.bytes.len())
}

/// A checksum of the bytes held: the same after a swap as before.
#[wasm_bindgen]
pub fn checksum() -> u32 {
    with_state(|s| {
        s.bytes
            .iter()
            .fold(0u32, |sum, &b| sum.wrapping_mul(31).wrapping_add(b as u32))
    })
}

/// This instance's memory.
#[wasm_bindgen]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Nothing but a class: the glue defines one class object per copy.
#[wasm_bindgen]
pub struct Probe;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restore_rebuilds_the_same_bytes() {
        fill(1, 7);
        let before = checksum();
        let saved = save_state();
        fill(0, 0);
        load_state(saved).unwrap();
        assert_eq!((held(), checksum()), (1 << 20, before));
    }
}
