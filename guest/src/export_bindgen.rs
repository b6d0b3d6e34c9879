//! `export_bindgen_state!`: the wasm-bindgen mode's `save_state`/`load_state` and
//! `with_state` for one state type.

/// Exports, through wasm-bindgen, `save_state() -> Vec<u8>` and
/// `load_state(state: Vec<u8>) -> Result<(), JsError>` for a
/// [`GuestState`](crate::GuestState) type, and defines
/// `fn with_state<R>(f: impl FnOnce(&mut T) -> R) -> R` for the guest's own exports. Invoke it
/// once per guest, at the crate root. Needs the `wasm-bindgen` feature.
///
/// ```text
/// hotswap_guest::export_bindgen_state!(Type);
/// hotswap_guest::export_bindgen_state!(Type, on_restore = hook);
/// ```
///
/// In the JS glue these are `save_state(): Uint8Array` and `load_state(state: Uint8Array):
/// void`, the two functions the runtime calls during a commit: `save_state` on the old
/// version, `load_state` on the new one. The bytes are the same envelope as the raw ABI's
/// (see the crate docs), so a state moves between the two modes too.
///
/// - `load_state` refuses a state it cannot read by throwing an `Error` whose message is the
///   [`LoadError`](crate::LoadError) text, e.g. `state has schema 2 (byte 8) but this guest
///   reads schema 1 or older; refusing a downgrade that would drop fields`; the state is then
///   untouched and the runtime keeps the old version.
/// - `on_restore` (any expression callable as `FnOnce(&mut T)`: a function path or a closure)
///   runs after every successful `load_state`, with the restored state. The new instance's
///   `#[wasm_bindgen(start)]` has already run by then, on `T::default()`: the glue runs start
///   when it creates the instance, before the runtime calls `load_state`. Rebuild what the
///   state implies (derived fields marked `#[serde(skip)]`, invariants, a first render) here.
///   It runs inside the state's borrow, so it must not call `with_state` or the guest's
///   exports (that panics); if it panics, `load_state` traps and the swap is refused.
///
/// The generated code names wasm-bindgen as `$crate::wasm_bindgen` (through
/// `#[wasm_bindgen(wasm_bindgen = ...)]`), so the guest crate needs no dependency of its own
/// for it; its own `#[wasm_bindgen]` functions need one, or
/// `use hotswap_guest::wasm_bindgen::prelude::*` plus
/// `#[wasm_bindgen(wasm_bindgen = hotswap_guest::wasm_bindgen)]`.
///
/// ```
/// use hotswap_guest::wasm_bindgen::prelude::*;
///
/// #[derive(Default, serde::Serialize, serde::Deserialize)]
/// struct Notes {
///     notes: Vec<String>,
///     #[serde(skip)] // derived: rebuilt after a restore
///     chars: usize,
/// }
///
/// impl hotswap_guest::GuestState for Notes {
///     const SCHEMA: u32 = 1;
/// }
///
/// fn restored(notes: &mut Notes) {
///     notes.chars = notes.notes.iter().map(|n| n.len()).sum();
/// }
///
/// hotswap_guest::export_bindgen_state!(Notes, on_restore = restored);
///
/// #[wasm_bindgen(wasm_bindgen = hotswap_guest::wasm_bindgen)]
/// pub fn add(note: &str) -> usize {
///     with_state(|s| {
///         s.notes.push(note.to_owned());
///         s.chars += note.len();
///         s.notes.len()
///     })
/// }
/// # fn main() {
/// # add("hello");
/// # let saved = save_state();
/// # with_state(|s| *s = Notes::default());
/// # load_state(saved).unwrap();
/// # assert_eq!(with_state(|s| s.chars), 5);
/// # }
/// ```
#[macro_export]
macro_rules! export_bindgen_state {
    ($state:ty $(,)?) => {
        $crate::export_bindgen_state!($state, on_restore = |_: &mut $state| {});
    };
    ($state:ty, on_restore = $on_restore:expr $(,)?) => {
        $crate::__state_cell!($state);

        /// Guest contract (wasm-bindgen): the state as envelope bytes.
        #[$crate::wasm_bindgen::prelude::wasm_bindgen(wasm_bindgen = $crate::wasm_bindgen)]
        pub fn save_state() -> ::std::vec::Vec<u8> {
            __HOTSWAP_STATE.with($crate::bindgen::save)
        }

        /// Guest contract (wasm-bindgen): restores the state from envelope bytes; throws,
        /// leaving the state untouched, if it cannot read them.
        #[$crate::wasm_bindgen::prelude::wasm_bindgen(wasm_bindgen = $crate::wasm_bindgen)]
        pub fn load_state(
            state: ::std::vec::Vec<u8>,
        ) -> ::core::result::Result<(), $crate::wasm_bindgen::JsError> {
            __HOTSWAP_STATE
                .with(|cell| $crate::bindgen::load(cell, &state, $on_restore))
                .map_err(::core::convert::From::from)
        }
    };
}
