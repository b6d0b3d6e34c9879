//! The single wasm-bindgen surface: `HotModule`, as JS sees it, and the queue its swaps wait
//! in. Options are read in `api::options`, `m.watch` in `api::watch`; the stages themselves
//! are [`crate::pipeline`]'s. Errors stay typed until here, where each becomes the
//! `HotSwapError` the app sees, once.

use std::future::Future;
use std::rc::Rc;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::expect::Expectation;
use crate::js::{now, register_error_class, to_js, Failure};
use crate::options::{Defaults, Origin, RegistryRef, UpdatePolicy};
use crate::pipeline::{self, Live, Staged};
use crate::queue::{Place, Queue};
use crate::report::SwapReport;

pub(crate) mod options;
mod state;
mod watch;

use options::{Js, JsOptions};

// The TypeScript types of the API, appended to the .d.ts wasm-bindgen writes.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("api/types.d.ts");

/// A Wasm module that can be replaced while it runs.
///
/// `exports` holds one plain function per function export, each always reaching the instance
/// serving now, and a getter per memory, table or global export returning the serving
/// instance's object. Swaps of one module run one at a time, in call order.
#[wasm_bindgen]
pub struct HotModule {
    inner: Rc<Inner>,
}

/// A module's state behind the JS object.
pub(crate) struct Inner {
    live: Live,
    /// `load`'s `fetch`, with its timeout.
    fetch: Option<Function>,
    expect: Rc<Expectation>,
    policy: Rc<UpdatePolicy<Function>>,
    /// The registry package loaded from, whose range later swaps resolve against by default.
    registry: Option<Rc<RegistryRef>>,
    /// Swaps wait here for the ones before them.
    queue: Queue,
    /// State kept outside the instance: the key-value store, `persist`.
    outside: state::Outside,
}

impl Inner {
    /// What `swap` takes from `load` when it leaves an option out.
    fn defaults(&self) -> Defaults<Js> {
        Defaults {
            fetch: self.fetch.clone(),
            registry: self.registry.clone(),
            expect: Rc::clone(&self.expect),
            policy: Rc::clone(&self.policy),
        }
    }

    /// Queues a swap behind the ones already queued: its place is taken now, and the future
    /// runs the swap when every earlier one has settled, succeeded or failed; the commit
    /// happens in the same turn as the preparation.
    pub(crate) fn swap(
        self: &Rc<Self>,
        options: JsOptions,
    ) -> impl Future<Output = Result<SwapReport, Failure>> + 'static {
        let preparing = self.prepare_in_turn(options);
        let inner = Rc::clone(self);
        async move {
            let (_place, staged) = preparing.await;
            let report = pipeline::commit_staged(&inner.live, staged?)?;
            inner.outside.committed(&inner.live);
            Ok(report)
        }
    }

    /// Queues the preparation of a swap, like [`Inner::swap`] without the commit.
    pub(crate) fn prepare(
        self: &Rc<Self>,
        options: JsOptions,
    ) -> impl Future<Output = Result<Staged, Failure>> + 'static {
        let preparing = self.prepare_in_turn(options);
        async move { preparing.await.1 }
    }

    /// Takes a place in the queue now; when its turn comes, prepares the swap and resolves
    /// with the place still held, so that a commit made before dropping it is in the turn.
    fn prepare_in_turn(
        self: &Rc<Self>,
        mut options: JsOptions,
    ) -> impl Future<Output = (Place, Result<Staged, Failure>)> + 'static {
        if options.imports.is_some() {
            options.imports = self.outside.imports(options.imports.take());
        }
        let turn = self.queue.join();
        let queued_at = now();
        let inner = Rc::clone(self);
        async move {
            let place = turn.await;
            let staged = pipeline::prepare_swap(&inner.live, options, queued_at).await;
            (place, staged)
        }
    }
}

/// The JS object of a staged swap of `inner`.
pub(crate) fn staged_update(inner: Rc<Inner>, staged: Staged) -> StagedUpdate {
    let (digest, version) = staged.target();
    StagedUpdate {
        inner,
        staged: std::cell::RefCell::new(Some(staged)),
        digest,
        version,
    }
}

/// An update with every stage done but the commit: `m.prepare(options)` makes one while the
/// old version keeps serving, and the app commits it when it chooses.
#[wasm_bindgen]
pub struct StagedUpdate {
    inner: Rc<Inner>,
    staged: std::cell::RefCell<Option<Staged>>,
    digest: String,
    version: Option<String>,
}

#[wasm_bindgen]
impl StagedUpdate {
    /// The digest the update would serve.
    #[wasm_bindgen(getter)]
    pub fn digest(&self) -> String {
        self.digest.clone()
    }

    /// The version the update would serve.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> Option<String> {
        self.version.clone()
    }

    /// Commits the update, synchronously: the state moves and the exports reach the new
    /// version before this returns the report.
    ///
    /// # Errors
    /// Throws a `HotSwapError`: `STALE_UPDATE` when another version was committed since the
    /// update was prepared, or it was committed or discarded already; `STATE_SAVE_FAILED`,
    /// `STATE_LOAD_FAILED`. The version serving keeps serving, with its state.
    #[wasm_bindgen(unchecked_return_type = "SwapReport")]
    pub fn commit(&self) -> Result<JsValue, JsValue> {
        let staged = self.staged.borrow_mut().take().ok_or_else(|| {
            let reason = "this staged update was committed or discarded already".into();
            Failure::from(crate::error::Error::StaleUpdate { reason }).into_js()
        })?;
        let report = pipeline::commit_staged(&self.inner.live, staged).map_err(Failure::into_js)?;
        self.inner.outside.committed(&self.inner.live);
        Ok(to_js(&report))
    }

    /// Releases the prepared instance; a later `commit()` throws `STALE_UPDATE`.
    pub fn discard(&self) {
        self.staged.borrow_mut().take();
    }
}

#[wasm_bindgen]
impl HotModule {
    /// Fetches, verifies, inspects, compiles and instantiates a module.
    ///
    /// # Errors
    /// Rejects with a `HotSwapError`: `INVALID_OPTIONS`, `INVALID_DIGEST`, `FETCH_FAILED`,
    /// `HASH_MISMATCH`, `INVALID_MODULE`, `UNSUPPORTED_COMPONENT`, `INCOMPATIBLE_INTERFACE`
    /// (an import the host does not provide), `INVALID_GUEST`, `INSTANTIATE_FAILED`, and with
    /// a registry `INVALID_INDEX` or `NO_MATCHING_VERSION`; `STATE_LOAD_FAILED` when the guest
    /// refuses the `state` given (a `persist` snapshot it refuses is an event, not an error:
    /// see `api::state`).
    pub async fn load(
        #[wasm_bindgen(unchecked_param_type = "LoadOptions")] options: JsValue,
    ) -> Result<HotModule, JsValue> {
        let (outside, state) = state::read(&options).map_err(|e| Failure::from(e).into_js())?;
        let mut options = options::read(&options, &Defaults::default())
            .map_err(|e| Failure::from(e).into_js())?;
        options.imports = outside.imports(options.imports.take());
        let reading = outside.reading(state.as_ref());
        let live = pipeline::load(&options).await.map_err(Failure::into_js)?;
        let starting = outside.start(&live, state, reading).await;
        starting.map_err(Failure::into_js)?;
        let registry = match &options.origin {
            Origin::Registry(registry) => Some(Rc::clone(registry)),
            _ => None,
        };
        let inner = Inner {
            live,
            fetch: pipeline::fetch_with_timeout(&options),
            expect: options.expect,
            policy: options.policy,
            registry,
            queue: Queue::new(),
            outside,
        };
        let inner = Rc::new(inner);
        state::hook(&inner);
        Ok(HotModule { inner })
    }

    /// The stable exports object.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, any>")]
    pub fn exports(&self) -> Object {
        self.inner.live.table.exports()
    }

    /// The digest of the instance serving now, `sha256:<hex>`.
    #[wasm_bindgen(getter)]
    pub fn digest(&self) -> String {
        self.inner.live.serving.borrow().digest().to_string()
    }

    /// The version of the instance serving now, from its `version` section.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> Option<String> {
        self.inner.live.serving.borrow().version()
    }

    /// The metadata of the instance serving now: `name`, `authors`, `description`, `licenses`,
    /// `source`, `homepage`, `revision` (each `null` when absent) and `producers`.
    #[wasm_bindgen(getter, unchecked_return_type = "ModuleMetadata")]
    pub fn metadata(&self) -> JsValue {
        to_js(&self.inner.live.serving.borrow().interface().metadata)
    }

    /// The interface of the instance serving now, read from its binary: `imports` and
    /// `exports` with their full types, and `version`.
    #[wasm_bindgen(getter, unchecked_return_type = "ModuleInterface")]
    pub fn interface(&self) -> JsValue {
        to_js(self.inner.live.serving.borrow().interface())
    }

    /// Replaces the serving instance with the module `options` describes, moving its state.
    ///
    /// Everything that can wait (fetch, verify, inspect, gate, compile, instantiate) happens
    /// first while the old instance serves; then one synchronous commit moves the state and
    /// rebinds the exports. Swaps queue: each starts when the one before it has settled.
    ///
    /// # Errors
    /// Rejects with a `HotSwapError`; the old instance keeps serving with its state. Codes: those
    /// of `load`, and `INCOMPATIBLE_INTERFACE`, `SEMVER_VIOLATION`, `MAJOR_UPGRADE_REFUSED`,
    /// `DOWNGRADE_REFUSED`, `MISSING_VERSION`, `STATE_SAVE_FAILED`, `STATE_LOAD_FAILED`.
    #[wasm_bindgen(unchecked_return_type = "Promise<SwapReport>")]
    pub fn swap(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SwapOptions")] options: JsValue,
    ) -> Promise {
        match options::read(&options, &self.inner.defaults()) {
            Ok(options) => {
                let swapping = self.inner.swap(options);
                future_to_promise(async move {
                    let report = swapping.await.map_err(Failure::into_js)?;
                    Ok(to_js(&report))
                })
            }
            Err(e) => Promise::reject(&Failure::from(e).into_js()),
        }
    }

    /// Runs every stage of a swap to the module `options` describe but the commit, while the
    /// old version keeps serving, and resolves with the `StagedUpdate` whose synchronous
    /// `commit()` finishes it. Takes `swap`'s options, and waits in the same queue.
    ///
    /// # Errors
    /// Rejects with a `HotSwapError`, as `swap` does before its commit.
    #[wasm_bindgen(unchecked_return_type = "Promise<StagedUpdate>")]
    pub fn prepare(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SwapOptions")] options: JsValue,
    ) -> Promise {
        match options::read(&options, &self.inner.defaults()) {
            Ok(options) => {
                let inner = Rc::clone(&self.inner);
                let preparing = self.inner.prepare(options);
                future_to_promise(async move {
                    let staged = preparing.await.map_err(Failure::into_js)?;
                    Ok(staged_update(inner, staged).into())
                })
            }
            Err(e) => Promise::reject(&Failure::from(e).into_js()),
        }
    }

    /// Watches the registry package this module was loaded from, and swaps to the versions the
    /// update policy allows as they are published: see the `watch` module. Returns a `Watcher`
    /// (an `EventTarget`: `available`, `applied`, `rejected`, `error`) with `stop()` and `role`.
    ///
    /// # Errors
    /// Throws a `HotSwapError` with code `INVALID_OPTIONS` when the module was not loaded from
    /// a registry, an option is of the wrong type, or the build has no update delivery.
    #[wasm_bindgen(unchecked_return_type = "Watcher")]
    pub fn watch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WatchOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        watch::start(&self.inner, &options).map_err(|e| Failure::from(e).into_js())
    }
}

/// Makes errors thrown by the runtime instances of `class` (the shim's `HotSwapError`), whose
/// constructor takes `(code, message, options)`.
#[wasm_bindgen(js_name = registerErrorClass)]
pub fn register_error_class_for_js(class: JsValue) {
    register_error_class(&class);
}

impl Inner {
    /// A swap to a version an index lists, as a watch makes it.
    #[cfg(feature = "updates")]
    pub(crate) fn listed(
        &self,
        url: String,
        digest: crate::digest::Digest,
        version: semver::Version,
        glue: Option<crate::options::GlueSource<js_sys::Uint8Array>>,
        policy: Rc<UpdatePolicy<Function>>,
    ) -> JsOptions {
        JsOptions {
            origin: Origin::Listed {
                url,
                digest,
                version: Rc::new(version),
            },
            imports: None,
            fetch: self.fetch.clone(),
            timeout: None,
            expect: Rc::clone(&self.expect),
            policy,
            glue,
        }
    }
}
