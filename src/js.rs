//! The JS side of the runtime: the export table (the per-call path), error construction, the
//! clock and the global `fetch`; and [`Failure`], an [`Error`] with the JS value that caused it.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::Error;

#[wasm_bindgen(module = "/src/js/exports.js")]
extern "C" {
    /// The stable `exports` object and its cells; see `src/js/exports.js`.
    pub type ExportTable;

    /// An empty table.
    #[wasm_bindgen(constructor)]
    pub fn new() -> ExportTable;

    /// The stable `exports` object apps hold.
    #[wasm_bindgen(method, getter)]
    pub fn exports(this: &ExportTable) -> Object;

    /// Points every export at `raw`, except the names in `hidden`.
    #[wasm_bindgen(method)]
    pub fn bind(this: &ExportTable, raw: &Object, hidden: &Array);

    /// Makes every function export throw `SWAP_IN_PROGRESS`.
    #[wasm_bindgen(method)]
    pub fn hold(this: &ExportTable);

    /// Undoes [`ExportTable::hold`].
    #[wasm_bindgen(method)]
    pub fn release(this: &ExportTable);

    /// Puts every function export on probation until `calls` calls returned or `ms` passed:
    /// a call that traps calls `on_trap(error)`, then throws to its caller.
    #[wasm_bindgen(method)]
    pub fn probation(this: &ExportTable, on_trap: &Function, calls: Option<u32>, ms: Option<f64>);

    /// Ends probation.
    #[wasm_bindgen(method, js_name = endProbation)]
    pub fn end_probation(this: &ExportTable);

    /// Whether the exports are on probation.
    #[wasm_bindgen(method, getter, js_name = onProbation)]
    pub fn on_probation(this: &ExportTable) -> bool;

    /// Whether it serves an async (JSPI) guest, whose function exports are
    /// `WebAssembly.promising` and counted while in flight.
    #[wasm_bindgen(method, getter, js_name = async)]
    pub fn is_async(this: &ExportTable) -> bool;

    /// Makes it an async guest's table; before its first [`ExportTable::bind`].
    #[wasm_bindgen(method, setter, js_name = async)]
    pub fn set_async(this: &ExportTable, value: bool);

    /// How many calls to an async guest have not settled yet.
    #[wasm_bindgen(method, getter, js_name = inFlight)]
    pub fn in_flight(this: &ExportTable) -> u32;

    /// Queues every call to the function exports until [`ExportTable::resume`].
    #[wasm_bindgen(method)]
    pub fn pause(this: &ExportTable);

    /// Resolves with `true` once no call is in flight, or `false` after `ms` milliseconds.
    #[wasm_bindgen(method)]
    pub fn drained(this: &ExportTable, ms: f64) -> Promise;

    /// Undoes [`ExportTable::pause`], running the queued calls against the cells as they are.
    #[wasm_bindgen(method)]
    pub fn resume(this: &ExportTable);

    /// Whether `value` is a `WebAssembly.Suspending` function.
    #[wasm_bindgen(js_name = isSuspending)]
    pub fn is_suspending(value: &JsValue) -> bool;

    /// The `module.name` of the imports `module` declares (of everything in `imports`, without
    /// a module) that are `WebAssembly.Suspending` functions.
    #[wasm_bindgen(js_name = suspendingImports)]
    pub fn suspending_imports(
        imports: &Object,
        module: Option<&js_sys::WebAssembly::Module>,
    ) -> Vec<String>;

    /// A module's event target.
    pub type Events;

    /// A new one.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Events;

    /// Whether anyone listens to `kind`.
    #[wasm_bindgen(method)]
    pub fn listens(this: &Events, kind: &str) -> bool;

    /// Dispatches a `CustomEvent` of `kind` with `detail`.
    #[wasm_bindgen(method)]
    pub fn emit(this: &Events, kind: &str, detail: &JsValue);

    /// `EventTarget.addEventListener`.
    #[wasm_bindgen(method, js_name = addEventListener)]
    pub fn add_event_listener(this: &Events, kind: &str, listener: &JsValue, options: &JsValue);

    /// `EventTarget.removeEventListener`.
    #[wasm_bindgen(method, js_name = removeEventListener)]
    pub fn remove_event_listener(this: &Events, kind: &str, listener: &JsValue, options: &JsValue);

    /// `EventTarget.dispatchEvent`.
    #[wasm_bindgen(method, js_name = dispatchEvent)]
    pub fn dispatch_event(this: &Events, event: &JsValue) -> bool;

    /// `onProgress`'s argument, `{ loaded, total, url }`.
    pub fn progress(loaded: f64, total: &JsValue, url: &str) -> JsValue;

    /// The fields of `load` or `swap` options, in the order `src/api/options.rs` reads them;
    /// throws what a getter of `options` threw.
    #[wasm_bindgen(catch, js_name = optionFields)]
    pub fn option_fields(options: &JsValue) -> Result<Array, JsValue>;

    /// The stages of a load or swap (`what` is the version or digest) as User Timing measures.
    #[wasm_bindgen(js_name = measureStages)]
    #[allow(clippy::too_many_arguments)]
    pub fn measure_stages(
        what: &str,
        start: f64,
        t0: f64,
        t1: f64,
        t2: f64,
        t3: f64,
        t4: f64,
        t5: f64,
    );

    /// The commit as a User Timing measure.
    #[wasm_bindgen(js_name = measureCommit)]
    pub fn measure_commit(what: &str, start: f64, end: f64);

    #[wasm_bindgen(js_name = makeReport)]
    #[allow(clippy::too_many_arguments)]
    fn make_report(
        from: &str,
        to: &str,
        from_version: Option<String>,
        to_version: Option<String>,
        guest: &str,
        bump: Option<String>,
        changes: &JsValue,
        state_bytes: f64,
        resolve: f64,
        fetch_verify: f64,
        inspect: f64,
        gate: f64,
        compile: f64,
        instantiate: f64,
        commit: f64,
        save: f64,
        copy: f64,
        load: f64,
        rebind: f64,
        total: f64,
        queued: f64,
        rollback: &JsValue,
    ) -> JsValue;

    /// `report` (from [`report_to_js`], before the commit) with the commit's numbers written in.
    #[wasm_bindgen(js_name = finishReport)]
    #[allow(clippy::too_many_arguments)]
    pub fn finish_report(
        report: &JsValue,
        state_bytes: f64,
        commit: f64,
        save: f64,
        copy: f64,
        load: f64,
        rebind: f64,
        total: f64,
    ) -> JsValue;

    #[wasm_bindgen(js_name = makeError)]
    fn make_error(code: &str, message: &str, cause: &JsValue) -> JsValue;

    /// Makes `makeError` construct instances of `class`.
    #[wasm_bindgen(js_name = registerErrorClass)]
    pub fn register_error_class(class: &JsValue);
}

#[wasm_bindgen(module = "/src/js/fetch.js")]
extern "C" {
    /// `fetch_fn` (or the global `fetch`) with every request aborted after `ms` milliseconds.
    #[wasm_bindgen(js_name = withTimeout)]
    pub fn with_timeout(fetch_fn: Option<Function>, ms: f64) -> Function;

    /// Whether the host refuses to compile even the smallest module (Cloudflare workerd).
    #[wasm_bindgen(js_name = compileForbidden)]
    pub fn compile_forbidden() -> bool;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;

    /// The global `fetch`, in a window or a worker alike.
    #[wasm_bindgen(catch, js_name = fetch)]
    pub fn global_fetch(url: &str, init: &JsValue) -> Result<Promise, JsValue>;
}

/// Milliseconds on the page's monotonic clock.
pub fn now() -> f64 {
    performance_now()
}

/// `object[key]`, or `undefined` where there is none or reading it threw (a getter, a
/// `Proxy`): options and parsed JSON are read through this.
pub(crate) fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A stage's future behind a pointer, polled through its vtable: its code stays a function of
/// its own, compiled by the engine only when a load runs it (V8 compiles wasm lazily, a whole
/// function at its first call), where a boxed future of a known type would be inlined into its
/// caller as if it were not boxed.
pub type Boxed<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, Failure>> + 'a>>;

/// An [`Error`] and the JS value that caused it (`undefined` when nothing did).
#[derive(Debug)]
pub struct Failure {
    /// The error. (Boxed: a failure travels through every stage's `Result`, which stay small
    /// this way, and the runtime's code with them.)
    pub error: Box<Error>,
    /// The JS exception or rejection behind it.
    pub cause: JsValue,
}

impl Failure {
    /// An error with a JS cause.
    pub fn caused(error: Error, cause: JsValue) -> Self {
        Failure {
            error: Box::new(error),
            cause,
        }
    }

    /// The `HotSwapError` the app sees.
    pub fn into_js(self) -> JsValue {
        make_error(self.error.code(), &self.error.to_string(), &self.cause)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure::caused(error, JsValue::UNDEFINED)
    }
}

/// The message of a JS exception, for error texts: `TypeError: Failed to fetch`.
pub fn describe(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        let name = String::from(error.name());
        let message = String::from(error.message());
        return format!("{name}: {message}");
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// A plain JS object (`null` for `None`, arrays for sequences) of a value of the pure core,
/// whose types all serialize.
pub fn to_js(value: &impl serde::Serialize) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// A swap's report as the JS object `swap` resolves with, made in one call into JS: its lists
/// (the changes, a rollback's) go through [`to_js`], the rest as numbers and strings.
pub fn report_to_js(report: &crate::report::SwapReport) -> JsValue {
    let (stages, commit) = (&report.stages, &report.commit_stages);
    let changes = if report.changes.is_empty() {
        Array::new().into()
    } else {
        to_js(&report.changes)
    };
    let rollback = report.rollback.as_ref().map_or(JsValue::NULL, to_js);
    let guest = match report.guest {
        crate::contract::Statefulness::Stateful => "stateful",
        crate::contract::Statefulness::Stateless => "stateless",
    };
    make_report(
        &report.from,
        &report.to,
        report.from_version.clone(),
        report.to_version.clone(),
        guest,
        report.bump.map(|b| b.to_string()),
        &changes,
        report.state_bytes,
        stages.resolve,
        stages.fetch_verify,
        stages.inspect,
        stages.gate,
        stages.compile,
        stages.instantiate,
        report.commit,
        commit.save,
        commit.copy,
        commit.load,
        commit.rebind,
        report.total,
        report.queued,
        &rollback,
    )
}
