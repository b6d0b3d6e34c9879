//! The browser half of the host-backed store: the JS `KvStore` (`src/js/exports.js`), which
//! holds the entries and answers the guest's calls, and the binding of its functions to each
//! instance's memory.

use js_sys::Object;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/exports.js")]
extern "C" {
    /// One `HotModule`'s store: a `Map` of key (one char per byte) to `Uint8Array`.
    pub type KvStore;

    /// An empty store.
    #[wasm_bindgen(constructor)]
    pub fn new() -> KvStore;

    /// A copy of its entries (`Map`), or `null` when it has none.
    #[wasm_bindgen(method)]
    pub fn copy(this: &KvStore) -> JsValue;

    /// `imports` with the store's `hotswap:kv` namespace added, unless it has one already.
    #[wasm_bindgen(method)]
    pub fn merged(this: &KvStore, imports: &Object) -> Object;

    /// Replaces the entries with `entries`, when it is a `Map` of `Uint8Array`s.
    #[wasm_bindgen(method)]
    pub fn restore(this: &KvStore, entries: &JsValue) -> bool;

    #[wasm_bindgen(js_name = kvBind)]
    fn kv_bind(imports: &Object) -> JsValue;

    #[wasm_bindgen(js_name = kvAttach)]
    fn kv_attach(slot: &JsValue, exports: &Object) -> bool;
}

/// The imports of one instance of a guest that imports the store: the runtime's namespace
/// replaced by a copy bound to this instance's memory, once [`Bound::attach`] gives it.
pub struct Bound {
    /// The imports to instantiate with.
    pub imports: Object,
    slot: JsValue,
}

/// `Some` when `imports` holds the runtime's store (not the app's own `hotswap:kv`).
pub fn bind(imports: &Object) -> Option<Bound> {
    let bound = kv_bind(imports);
    if bound.is_null() {
        return None;
    }
    Some(Bound {
        imports: crate::js::get(&bound, "imports").unchecked_into(),
        slot: crate::js::get(&bound, "slot"),
    })
}

impl Bound {
    /// Points the store's functions at the instance's exported `memory`; false when it has
    /// none (the gate's contract check makes that unreachable).
    pub fn attach(&self, exports: &Object) -> bool {
        kv_attach(&self.slot, exports)
    }
}
