//! The browser half of `persist`: the JS `Persistence` (`src/js/exports.js`), which reads and
//! writes one IndexedDB record, hooks the page's lifecycle and dispatches the events; and here,
//! what a record holds, whether a stored value is one, and what each failure reports.

use std::future::Future;

use js_sys::{Date, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::commit::Serving;
use crate::error::Error;
use crate::js::{describe, get, Failure};
use crate::kv::browser::KvStore;
use crate::persist::{Event, PersistOptions, FORMAT};

#[wasm_bindgen(module = "/src/js/exports.js")]
extern "C" {
    /// `m.persistence`: an `EventTarget` over the record of one key.
    #[derive(Clone)]
    pub type Persistence;

    #[wasm_bindgen(constructor)]
    fn new(key: &str, factory: &JsValue) -> Persistence;

    #[wasm_bindgen(method)]
    fn read(this: &Persistence) -> Promise;

    #[wasm_bindgen(method)]
    fn write(this: &Persistence, record: &Object) -> Promise;

    #[wasm_bindgen(method)]
    fn forget(this: &Persistence) -> Promise;

    #[wasm_bindgen(method)]
    fn hook(this: &Persistence, take: &Function, interval: u32);

    #[wasm_bindgen(method)]
    fn unhook(this: &Persistence);

    #[wasm_bindgen(method)]
    fn stash(this: &Persistence, record: &Object) -> bool;

    #[wasm_bindgen(method)]
    fn report(this: &Persistence, kind: &str, detail: &JsValue, later: bool);
}

/// The callback of the page hooks: `take(unloading)`.
pub(crate) type Take = Closure<dyn FnMut(bool)>;

/// A `persist` in force: its options, its JS half, and the callback its hooks call.
pub(crate) struct Persisting {
    pub options: PersistOptions,
    pub js: Persistence,
    take: std::cell::RefCell<Option<Take>>,
}

impl Persisting {
    /// The record of `options.key`, through `factory` (`persist.indexedDB`, else the global
    /// `indexedDB`).
    pub fn new(options: PersistOptions, factory: &JsValue) -> Persisting {
        let js = Persistence::new(&options.key, factory);
        Persisting {
            options,
            js,
            take: std::cell::RefCell::new(None),
        }
    }

    /// Starts reading the stored record, which [`Persisting::restore`] later loads.
    pub fn read(&self) -> JsFuture {
        JsFuture::from(self.js.read())
    }

    /// Calls `take` on `visibilitychange` to hidden, on `pagehide` (with `true`: the page
    /// may be going away) and every interval.
    pub fn hook(&self, take: Take) {
        let interval = self.options.interval.unwrap_or(0);
        self.js.hook(take.as_ref().unchecked_ref(), interval);
        self.take.replace(Some(take));
    }

    /// Removes the hooks; the record stays.
    pub fn unhook(&self) {
        self.js.unhook();
        self.take.take();
    }

    /// Deletes the record.
    pub fn forget(&self) -> Promise {
        self.js.forget()
    }

    /// What reports its events.
    fn reporter(&self) -> Reporter {
        Reporter {
            js: self.js.clone(),
            key: self.options.key.clone(),
        }
    }

    /// Takes a snapshot of `serving` and `kv` now and writes it: `persisted` when it landed,
    /// `persistfailed` when the guest's save or the write failed (the future then fails with
    /// the same error); the module serves on either way. `unloading` (on `pagehide`) also
    /// stashes it synchronously in localStorage, since the page may be gone before the
    /// IndexedDB write lands.
    pub fn keep(
        &self,
        serving: &Serving,
        kv: &KvStore,
        unloading: bool,
    ) -> impl Future<Output = Result<(), JsValue>> {
        let record = record(serving, kv);
        if let (true, Ok((record, _))) = (unloading, &record) {
            self.js.stash(record);
        }
        let this = self.reporter();
        async move {
            let (record, bytes) = match record {
                Ok(record) => record,
                Err(failure) => {
                    let error = failure.into_js();
                    this.report(Event::SaveFailed, &error, false);
                    return Err(error);
                }
            };
            match JsFuture::from(this.js.write(&record)).await {
                Ok(_) => {
                    let detail = Object::new();
                    set(&detail, "key", &this.key.as_str().into());
                    set(&detail, "digest", &get(&record, "digest"));
                    set(&detail, "version", &get(&record, "version"));
                    set(&detail, "bytes", &bytes.into());
                    this.js.report("persisted", &detail, false);
                    Ok(())
                }
                Err(error) => {
                    let quota =
                        get(&error, "name").as_string().as_deref() == Some("QuotaExceededError");
                    let event = if quota {
                        Event::Quota
                    } else {
                        Event::WriteFailed
                    };
                    this.report(event, &error, false);
                    Err(error)
                }
            }
        }
    }

    /// Loads what [`Persisting::read`] found: the store's entries into `kv`, the state into
    /// `serving`. Nothing it finds fails the load: a missing record does nothing, and a record
    /// that cannot be read, is not a snapshot, or that the guest refuses is reported as
    /// `restorefailed` (after `load` resolves) while the module starts fresh.
    pub fn restore(&self, read: Result<JsValue, JsValue>, serving: &Serving, kv: &KvStore) {
        let this = self.reporter();
        let value = match read {
            Ok(value) => value,
            Err(error) => return this.report(Event::ReadFailed, &error, true),
        };
        if value.is_undefined() {
            return;
        }
        let (state, entries) = match parse(&value) {
            Ok(parts) => parts,
            Err(reason) => {
                let error = Failure::from(Error::StateLoadFailed { reason }).into_js();
                return this.report(Event::Corrupt, &error, true);
            }
        };
        if !entries.is_null() && !kv.restore(&entries) {
            let reason = format!(
                "the snapshot `{}`'s key-value entries are not a Map of Uint8Array",
                self.options.key
            );
            let error = Failure::from(Error::StateLoadFailed { reason }).into_js();
            return this.report(Event::Corrupt, &error, true);
        }
        let Some(state) = state else { return };
        if let Err(failure) = load_state(serving, &state) {
            this.report(Event::Refused, &failure.into_js(), true);
        }
    }
}

impl Drop for Persisting {
    fn drop(&mut self) {
        // Before the callback goes: a hook left behind would call a dropped closure.
        self.js.unhook();
    }
}

/// What an asynchronous write reports through, without holding the module.
struct Reporter {
    js: Persistence,
    key: String,
}

impl Reporter {
    /// Dispatches `event` with `{ key, reason, message, error }`, now or in a task of its own.
    fn report(&self, event: Event, error: &JsValue, later: bool) {
        let detail = Object::new();
        set(&detail, "key", &self.key.as_str().into());
        set(&detail, "reason", &event.reason().into());
        set(&detail, "message", &describe(error).into());
        set(&detail, "error", error);
        self.js.report(event.name(), &detail, later);
    }
}

/// Loads bytes saved outside a swap into `serving`'s instance, through its kind's `load`.
///
/// # Errors
/// [`Error::StateLoadFailed`]: a stateless guest, or one refusing the bytes.
pub(crate) fn load_state(serving: &Serving, state: &Uint8Array) -> Result<(), Failure> {
    let saved = crate::guest::Saved::Bytes(state.clone());
    serving.instance().load(&saved).map(|_| ())
}

/// The record of a snapshot: `{ format, digest, version, state, kv, savedAt }`, with the
/// state's length. `state` is `null` for a stateless guest, `kv` for an empty store; both are
/// copies, so that what the guest does before the write lands does not change them.
fn record(serving: &Serving, kv: &KvStore) -> Result<(Object, u32), Failure> {
    let instance = serving.instance();
    let state = match instance.stateful() {
        true => Some(instance.snapshot()?),
        false => None,
    };
    let record = Object::new();
    set(&record, "format", &FORMAT.into());
    set(&record, "digest", &serving.digest().to_string().into());
    set(
        &record,
        "version",
        &serving.version().map_or(JsValue::NULL, Into::into),
    );
    let bytes = state.as_ref().map_or(0, Uint8Array::length);
    set(&record, "state", &state.map_or(JsValue::NULL, Into::into));
    set(&record, "kv", &kv.copy());
    set(&record, "savedAt", &Date::now().into());
    Ok((record, bytes))
}

/// The state and store entries of a stored value, or why it is not a snapshot record.
fn parse(value: &JsValue) -> Result<(Option<Uint8Array>, JsValue), String> {
    let not_ours = || "the stored value is not a wasm-hotswap snapshot record".to_string();
    if !value.is_object() || get(value, "format").as_string().as_deref() != Some(FORMAT) {
        return Err(not_ours());
    }
    let state = match get(value, "state") {
        v if v.is_null() || v.is_undefined() => None,
        v if v.is_instance_of::<Uint8Array>() => Some(v.unchecked_into()),
        _ => return Err(format!("{}: its `state` is not a Uint8Array", not_ours())),
    };
    let kv = match get(value, "kv") {
        v if v.is_undefined() => JsValue::NULL,
        v => v,
    };
    Ok((state, kv))
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a plain object's own data property cannot throw.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}
