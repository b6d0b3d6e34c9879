//! The single wasm-bindgen surface: `HotModule`, as JS sees it, and the queue its swaps wait
//! in. Options are read in `api::options`, `m.watch` in `api::watch`; the stages themselves
//! are [`crate::pipeline`]'s. Errors stay typed until here, where each becomes the
//! `HotSwapError` the app sees, once.

use std::future::Future;
use std::rc::Rc;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::error::Error;
use crate::expect::Expectation;
use crate::js::{describe, now, register_error_class, report_to_js, to_js, Events, Failure};
use crate::options::{Defaults, Origin, RegistryRef, UpdatePolicy};
use crate::pipeline::{self, Live, Staged};
use crate::queue::{Place, Queue};
use crate::report::Restore;
use wasm_bindgen_futures::JsFuture;

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
    /// Where `swapped` and `rolledback` are dispatched.
    events: Events,
    /// What a call that traps during probation calls: an automatic rollback.
    on_trap: Function,
    /// State kept outside the instance: the key-value store, `persist`.
    outside: state::Outside,
    /// `load`'s `drainTimeout`, in milliseconds: `swap`'s default, and `rollback`'s.
    drain_timeout: f64,
}

impl Inner {
    /// What `swap` takes from `load` when it leaves an option out.
    fn defaults(&self) -> Defaults<Js> {
        Defaults {
            fetch: self.fetch.clone(),
            registry: self.registry.clone(),
            expect: Rc::clone(&self.expect),
            policy: Rc::clone(&self.policy),
            drain_timeout: Some(self.drain_timeout),
        }
    }

    /// Queues a swap behind the ones already queued: its place is taken now, and the future
    /// runs the swap when every earlier one has settled, succeeded or failed; the commit
    /// happens in the same turn as the preparation, and the health check after it.
    pub(crate) fn swap(
        self: &Rc<Self>,
        options: JsOptions,
    ) -> impl Future<Output = Result<JsValue, Failure>> + 'static {
        let drain_timeout = options.drain_timeout;
        let preparing = self.prepare_in_turn(options);
        let inner = Rc::clone(self);
        async move {
            let (_place, staged) = preparing.await;
            let staged = staged?;
            // An async guest's calls in flight settle first, new ones queued until it is done.
            let paused = crate::drain::drain(&inner.live.table, drain_timeout).await?;
            let committed = inner.commit(staged);
            drop(paused);
            let (report, health) = committed?;
            match health {
                Health::Pending(answer) => {
                    let answer = JsFuture::from(answer).await;
                    inner.judge_health(answer.map(|v| v.as_bool() != Some(false)))?;
                }
                Health::Known(answer) => inner.judge_health(answer)?,
            }
            Ok(report)
        }
    }

    /// Commits `staged`, then announces it (`swapped`), puts the new version on probation and
    /// asks the health check, whose answer may still be pending.
    fn commit(self: &Rc<Self>, staged: Staged) -> Result<(JsValue, Health), Failure> {
        let policy = Rc::clone(&staged.policy);
        let report = pipeline::commit_staged(&self.live, staged)?;
        self.outside.committed(&self.live);
        if self.events.listens("swapped") {
            self.events
                .emit("swapped", &detail(&[("report", report.clone())]));
        }
        let has_previous = !self.live.retained.borrow().is_empty();
        if let (Some(probation), true) = (policy.probation, has_previous) {
            let table = &self.live.table;
            table.probation(&self.on_trap, probation.calls, probation.ms);
        }
        let health = match (&policy.health_check, has_previous) {
            (Some(check), true) => {
                match check.call1(&JsValue::UNDEFINED, &self.live.table.exports()) {
                    Ok(answer) if answer.is_instance_of::<Promise>() => {
                        Health::Pending(answer.unchecked_into())
                    }
                    Ok(answer) => Health::Known(Ok(answer.as_bool() != Some(false))),
                    Err(cause) => Health::Known(Err(cause)),
                }
            }
            _ => Health::Known(Ok(true)),
        };
        Ok((report, health))
    }

    /// Rolls back when the health check said no (`Ok(false)`) or threw (`Err`).
    ///
    /// # Errors
    /// [`Error::HealthCheckFailed`] once it rolled back, with the check's error as cause.
    fn judge_health(self: &Rc<Self>, answer: Result<bool, JsValue>) -> Result<(), Failure> {
        let (reason, cause) = match answer {
            Ok(true) => return Ok(()),
            Ok(false) => ("it answered false".to_string(), JsValue::UNDEFINED),
            Err(cause) => (format!("it threw {}", describe(&cause)), cause),
        };
        let to = self.auto_rollback("health-check", &cause);
        Err(Failure::caused(
            Error::HealthCheckFailed { reason, to },
            cause,
        ))
    }

    /// The rollback probation makes: the current state when the previous version accepts it,
    /// else its snapshot; announced as `rolledback` with `reason` and `error`. Returns the
    /// version serving after it.
    fn auto_rollback(&self, reason: &str, error: &JsValue) -> String {
        self.live.table.end_probation();
        let from = self.version_label();
        let rolled = pipeline::rollback(&self.live, Restore::State, &Expectation::default())
            .or_else(|_| {
                pipeline::rollback(&self.live, Restore::Snapshot, &Expectation::default())
            });
        let to = self.version_label();
        if rolled.is_ok() {
            self.outside.committed(&self.live);
        }
        if let Ok(report) = &rolled {
            let detail = detail(&[
                ("from", JsValue::from_str(&from)),
                ("to", JsValue::from_str(&to)),
                ("reason", JsValue::from_str(reason)),
                ("error", error.clone()),
                ("report", report_to_js(report)),
            ]);
            self.events.emit("rolledback", &detail);
        }
        to
    }

    /// The serving version's name: its version, else its digest.
    fn version_label(&self) -> String {
        let serving = self.live.serving.borrow();
        serving
            .version()
            .unwrap_or_else(|| serving.digest().to_string())
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
    /// `STATE_LOAD_FAILED`; `DRAIN_TIMEOUT` when calls to an async guest are in flight, which
    /// a synchronous commit cannot wait for (the update stays committable). The version
    /// serving keeps serving, with its state.
    #[wasm_bindgen(unchecked_return_type = "SwapReport")]
    pub fn commit(&self) -> Result<JsValue, JsValue> {
        if self.staged.borrow().is_some() {
            crate::drain::idle(&self.inner.live.table).map_err(Failure::into_js)?;
        }
        let staged = self.staged.borrow_mut().take().ok_or_else(|| {
            let reason = "this staged update was committed or discarded already".into();
            Failure::from(crate::error::Error::StaleUpdate { reason }).into_js()
        })?;
        let inner = &self.inner;
        let (report, health) = inner.commit(staged).map_err(Failure::into_js)?;
        match health {
            Health::Known(answer) => inner.judge_health(answer).map_err(Failure::into_js)?,
            // The answer comes later: a no then rolls back, announced as `rolledback`.
            Health::Pending(answer) => {
                let inner = Rc::clone(inner);
                wasm_bindgen_futures::spawn_local(async move {
                    let answer = JsFuture::from(answer).await;
                    let _ = inner.judge_health(answer.map(|v| v.as_bool() != Some(false)));
                });
            }
        }
        Ok(report)
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
        let fetch = pipeline::fetch_with_timeout(&options);
        let inner = Rc::new_cyclic(|weak: &std::rc::Weak<Inner>| {
            let weak = weak.clone();
            let on_trap = Closure::<dyn Fn(JsValue)>::new(move |error: JsValue| {
                if let Some(inner) = weak.upgrade() {
                    inner.auto_rollback("trap", &error);
                }
            });
            Inner {
                live,
                fetch,
                expect: options.expect,
                policy: options.policy,
                registry,
                queue: Queue::new(),
                events: Events::new(),
                on_trap: on_trap.into_js_value().unchecked_into(),
                outside,
                drain_timeout: options.drain_timeout,
            }
        });
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
    /// `DOWNGRADE_REFUSED`, `MISSING_VERSION`, `STATE_SAVE_FAILED`, `STATE_LOAD_FAILED`, and
    /// for an async guest `DRAIN_TIMEOUT` (its calls in flight did not settle within
    /// `drainTimeout`; the calls queued meanwhile go to the old instance).
    #[wasm_bindgen(unchecked_return_type = "Promise<SwapReport>")]
    pub fn swap(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SwapOptions")] options: JsValue,
    ) -> Promise {
        match options::read(&options, &self.inner.defaults()) {
            Ok(options) => {
                let swapping = self.inner.swap(options);
                future_to_promise(async move { swapping.await.map_err(Failure::into_js) })
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

    /// Returns to the version that served before the last swap, whose instance was kept
    /// (`retain`), so nothing is fetched: with `{ restore: "snapshot" }` it serves with the
    /// state it had when it was swapped out, else the current state moves into it like any
    /// swap's. Waits in the swap queue; dispatches `rolledback`.
    ///
    /// # Errors
    /// Rejects with a `HotSwapError`: `NOTHING_TO_ROLL_BACK`, `INCOMPATIBLE_INTERFACE` (the
    /// expectation), `STATE_SAVE_FAILED`, `STATE_LOAD_FAILED` (the older version refused the
    /// current state), `INVALID_OPTIONS`, `DRAIN_TIMEOUT` (an async guest's calls in flight
    /// did not settle within `load`'s `drainTimeout`). The version serving keeps serving.
    #[wasm_bindgen(unchecked_return_type = "Promise<SwapReport>")]
    pub fn rollback(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RollbackOptions")] options: JsValue,
    ) -> Promise {
        let restore = match crate::js::get(&options, "restore") {
            v if v.is_undefined() || v.as_string().as_deref() == Some("state") => Restore::State,
            v if v.as_string().as_deref() == Some("snapshot") => Restore::Snapshot,
            _ => {
                let error = crate::options::invalid(
                    "restore",
                    "expected \"state\" (the current state, the default) or \"snapshot\"",
                );
                return Promise::reject(&Failure::from(error).into_js());
            }
        };
        let inner = Rc::clone(&self.inner);
        let turn = inner.queue.join();
        future_to_promise(async move {
            let _place = turn.await;
            let table = &inner.live.table;
            let paused = crate::drain::drain(table, inner.drain_timeout).await;
            let paused = paused.map_err(Failure::into_js)?;
            table.end_probation();
            let from = inner.version_label();
            let rolled = pipeline::rollback(&inner.live, restore, &inner.expect);
            drop(paused);
            let report = rolled.map_err(Failure::into_js)?;
            inner.outside.committed(&inner.live);
            let report = report_to_js(&report);
            let detail = detail(&[
                ("from", JsValue::from_str(&from)),
                ("to", JsValue::from_str(&inner.version_label())),
                ("reason", JsValue::from_str("requested")),
                ("error", JsValue::UNDEFINED),
                ("report", report.clone()),
            ]);
            inner.events.emit("rolledback", &detail);
            Ok(report)
        })
    }

    /// `EventTarget.addEventListener`: `swapped` `{ report }`, `rolledback` `{ from, to,
    /// reason, error, report }`.
    #[wasm_bindgen(js_name = addEventListener)]
    pub fn add_event_listener(&self, kind: &str, listener: &JsValue, options: &JsValue) {
        self.inner
            .events
            .add_event_listener(kind, listener, options);
    }

    /// `EventTarget.removeEventListener`.
    #[wasm_bindgen(js_name = removeEventListener)]
    pub fn remove_event_listener(&self, kind: &str, listener: &JsValue, options: &JsValue) {
        self.inner
            .events
            .remove_event_listener(kind, listener, options);
    }

    /// `EventTarget.dispatchEvent`.
    #[wasm_bindgen(js_name = dispatchEvent)]
    pub fn dispatch_event(&self, event: &JsValue) -> bool {
        self.inner.events.dispatch_event(event)
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

/// The health check's answer right after a commit: known, or a promise of it.
enum Health {
    /// `Ok(false)` is a no, `Err` a throw.
    Known(Result<bool, JsValue>),
    /// It returned a promise.
    Pending(Promise),
}

/// An event's `detail`: a plain object of `fields`.
fn detail(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

/// Makes errors thrown by the runtime instances of `class` (the shim's `HotSwapError`), whose
/// constructor takes `(code, message, options)`.
#[wasm_bindgen(js_name = registerErrorClass)]
pub fn register_error_class_for_js(class: JsValue) {
    register_error_class(&class);
}

impl Inner {
    /// A swap to `wanted` of the package `registry` names, as a watch makes it for a
    /// component.
    #[cfg(feature = "updates")]
    pub(crate) fn exact(
        &self,
        registry: &RegistryRef,
        wanted: crate::registry::index::Wanted,
        policy: Rc<UpdatePolicy<Function>>,
    ) -> JsOptions {
        JsOptions {
            origin: Origin::Registry(Rc::new(RegistryRef {
                base: registry.base.clone(),
                package: registry.package.clone(),
                wanted,
            })),
            imports: None,
            fetch: self.fetch.clone(),
            timeout: None,
            expect: Rc::clone(&self.expect),
            policy,
            glue: None,
            retain: crate::options::DEFAULT_RETAIN,
            on_progress: None,
            drain_timeout: self.drain_timeout,
        }
    }

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
            retain: crate::options::DEFAULT_RETAIN,
            on_progress: None,
            drain_timeout: self.drain_timeout,
        }
    }
}
