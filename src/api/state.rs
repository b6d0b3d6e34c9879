//! State outside the instance, as `HotModule` shows it: `m.snapshot()`, `load({ state })`,
//! `load({ persist })` with `m.persistence`, `m.persistNow()` and `m.stopPersisting()`; and
//! the host-backed key-value store each module has. The rules are [`crate::persist`]'s and
//! [`crate::kv`]'s.

use std::rc::Rc;

use js_sys::{Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};

use crate::api::{HotModule, Inner};
use crate::error::Error;
use crate::js::{get, Failure};
use crate::kv::browser::KvStore;
use crate::options::invalid;
use crate::persist::browser::{load_state, Persisting};
use crate::persist::PersistFields;
use crate::pipeline::Live;

/// What a module keeps outside its instance: its key-value store, and its `persist`.
pub(crate) struct Outside {
    kv: KvStore,
    persisting: Option<Persisting>,
    /// `m.stopPersisting()` was called: no more automatic snapshots.
    stopped: std::cell::Cell<bool>,
}

/// Reads `load`'s `state` and `persist` options: the module's [`Outside`], and the state
/// bytes to start from.
///
/// # Errors
/// [`Error::InvalidOptions`] naming `state`, `persist`, `persist.key`, `persist.interval` or
/// `persist.indexedDB`.
pub(crate) fn read(value: &JsValue) -> Result<(Outside, Option<Uint8Array>), Error> {
    let state = match get(value, "state") {
        v if v.is_undefined() => None,
        v => Some(super::options::byte_view(&v).ok_or_else(|| {
            invalid(
                "state",
                "expected a Uint8Array (or another BufferSource) of state bytes",
            )
        })?),
    };
    let persisting = match get(value, "persist") {
        v if v.is_undefined() => None,
        v if v.is_object() => {
            let interval = match get(&v, "interval") {
                i if i.is_undefined() => None,
                i => Some(i.as_f64().unwrap_or(f64::NAN)),
            };
            let key = get(&v, "key").as_string();
            let options = PersistFields { key, interval }.check()?;
            let factory = get(&v, "indexedDB");
            if !(factory.is_undefined() || factory.is_object()) {
                return Err(invalid("persist.indexedDB", "expected an IDBFactory"));
            }
            Some(Persisting::new(options, &factory))
        }
        _ => {
            return Err(invalid(
                "persist",
                "expected an object such as { key: \"counter\" }",
            ))
        }
    };
    let outside = Outside {
        kv: KvStore::new(),
        persisting,
        stopped: std::cell::Cell::new(false),
    };
    Ok((outside, state))
}

impl Outside {
    /// `imports` with the runtime's `hotswap:kv` namespace in it (unless the app gave one).
    pub(crate) fn imports(&self, imports: Option<Object>) -> Option<Object> {
        Some(self.kv.merged(&imports.unwrap_or_default()))
    }

    /// Starts reading the stored snapshot, unless the app gives the state itself.
    pub(crate) fn reading(&self, state: Option<&Uint8Array>) -> Option<JsFuture> {
        match state {
            Some(_) => None,
            None => self.persisting.as_ref().map(Persisting::read),
        }
    }

    /// Before `load` returns the module: loads the app's `state`, else what `reading` found.
    ///
    /// # Errors
    /// [`Error::StateLoadFailed`] when the guest refuses the app's `state` (or is stateless).
    /// A stored snapshot never fails the load; see [`Persisting::restore`].
    pub(crate) async fn start(
        &self,
        live: &Live,
        state: Option<Uint8Array>,
        reading: Option<JsFuture>,
    ) -> Result<(), Failure> {
        if let Some(state) = state {
            return load_state(&live.serving.borrow(), &state);
        }
        if let (Some(persisting), Some(reading)) = (&self.persisting, reading) {
            let read = reading.await;
            persisting.restore(read, &live.serving.borrow(), &self.kv);
        }
        Ok(())
    }

    /// After a commit: a snapshot of the version now serving, written in the background,
    /// unless the app stopped persisting.
    pub(crate) fn committed(&self, live: &Live) {
        self.snapshot_in_background(live, false);
    }

    /// A snapshot written in the background (`unloading`: on `pagehide`).
    fn snapshot_in_background(&self, live: &Live, unloading: bool) {
        if self.stopped.get() {
            return;
        }
        if let Some(persisting) = &self.persisting {
            let keeping = persisting.keep(&live.serving.borrow(), &self.kv, unloading);
            // Its failure is reported as `persistfailed`.
            spawn_local(async move {
                let _ = keeping.await;
            });
        }
    }
}

/// Hooks a persisted module's snapshots to the page: hidden, `pagehide`, the interval. The
/// hooks hold the module weakly, and go with it.
pub(crate) fn hook(inner: &Rc<Inner>) {
    let Some(persisting) = &inner.outside.persisting else {
        return;
    };
    let module = Rc::downgrade(inner);
    let take = Closure::<dyn FnMut(bool)>::new(move |unloading: bool| {
        if let Some(inner) = module.upgrade() {
            inner.outside.snapshot_in_background(&inner.live, unloading);
        }
    });
    persisting.hook(take);
}

#[wasm_bindgen]
impl HotModule {
    /// The state of the instance serving now, as bytes the app owns: the guest's own format,
    /// the bytes a swap would move. `HotModule.load({ …, state })` starts from them.
    ///
    /// # Errors
    /// Throws a `HotSwapError` with code `STATE_SAVE_FAILED`: the guest is stateless (its
    /// message says so), or its save trapped or returned bytes out of bounds.
    pub fn snapshot(&self) -> Result<Uint8Array, JsValue> {
        let serving = self.inner.live.serving.borrow();
        serving.instance().snapshot().map_err(Failure::into_js)
    }

    /// With `persist`: the `EventTarget` of its `persisted`, `persistfailed` and
    /// `restorefailed` events (`null` without `persist`).
    #[wasm_bindgen(getter, unchecked_return_type = "Persistence | null")]
    pub fn persistence(&self) -> JsValue {
        match &self.inner.outside.persisting {
            Some(persisting) => persisting.js.clone().into(),
            None => JsValue::NULL,
        }
    }

    /// With `persist`: takes a snapshot now and writes it; resolves when it landed.
    ///
    /// # Errors
    /// Rejects with what `persistfailed` carries: a `HotSwapError` (`STATE_SAVE_FAILED`) or
    /// IndexedDB's `DOMException` (`QuotaExceededError`, …); without `persist`, a
    /// `HotSwapError` with code `INVALID_OPTIONS`.
    #[wasm_bindgen(js_name = persistNow, unchecked_return_type = "Promise<void>")]
    pub fn persist_now(&self) -> Promise {
        let Some(persisting) = &self.inner.outside.persisting else {
            return Promise::reject(&not_persisted().into_js());
        };
        let serving = self.inner.live.serving.borrow();
        let keeping = persisting.keep(&serving, &self.inner.outside.kv, false);
        future_to_promise(async move {
            keeping.await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// With `persist`: stops the automatic snapshots (hidden, `pagehide`, the interval, after
    /// a swap) and removes their listeners and timer. The stored snapshot stays for the next
    /// `load`, unless `{ forget: true }`, which deletes it. `m.free()` stops them too.
    ///
    /// # Errors
    /// Rejects with IndexedDB's error when the snapshot could not be deleted.
    #[wasm_bindgen(js_name = stopPersisting, unchecked_return_type = "Promise<void>")]
    pub fn stop_persisting(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ forget?: boolean }")] options: JsValue,
    ) -> Promise {
        let Some(persisting) = &self.inner.outside.persisting else {
            return Promise::resolve(&JsValue::UNDEFINED);
        };
        persisting.unhook();
        self.inner.outside.stopped.set(true);
        if get(&options, "forget").as_bool() == Some(true) {
            let forgetting = JsFuture::from(persisting.forget());
            return future_to_promise(async move {
                forgetting.await?;
                Ok(JsValue::UNDEFINED)
            });
        }
        Promise::resolve(&JsValue::UNDEFINED)
    }
}

fn not_persisted() -> Failure {
    Failure::from(invalid(
        "persist",
        "this module was loaded without `persist: { key }`",
    ))
}
