//! The single wasm-bindgen surface: `HotModule` and its options, as JS sees them.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array, WebAssembly};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::commit::{commit, Serving};
use crate::diff::Change;
use crate::digest::Digest;
use crate::error::Error;
use crate::expect::Expectation;
use crate::fetch::{fetch, Source};
use crate::gate::{self, Provided};
use crate::inspect::inspect;
use crate::interface::Interface;
use crate::js::{get, now, register_error_class, with_timeout, ExportTable, Failure};
use crate::policy::Policy;
use crate::prepare::{prepare, Prepared};
use crate::registry::index::{PackageName, Wanted};
use crate::registry::{check_listed_version, resolve_static};
#[cfg(feature = "updates")]
use crate::registry::{index::blob_path, oci::resolve_oci};
use crate::report::{Stages, SwapReport};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Stable codes of `HotSwapError`. */
export type HotSwapErrorCode =
  | "INVALID_DIGEST" | "INVALID_OPTIONS" | "FETCH_FAILED" | "HASH_MISMATCH"
  | "INVALID_MODULE" | "UNSUPPORTED_COMPONENT" | "INCOMPATIBLE_INTERFACE" | "INVALID_GUEST"
  | "INSTANTIATE_FAILED" | "STATE_SAVE_FAILED" | "STATE_LOAD_FAILED" | "SEMVER_VIOLATION"
  | "MAJOR_UPGRADE_REFUSED" | "DOWNGRADE_REFUSED" | "MISSING_VERSION" | "SWAP_IN_PROGRESS";

/**
 * Where a module comes from. Either `url` or `bytes` with the `digest` they must hash to, or a
 * package in a static registry: `registry` and `name` with a `range` (for `load`) or a
 * `version` (for `swap`, which defaults to `load`'s registry, name and range).
 */
export interface ModuleSource {
  /** Fetched with `fetch` (or the `fetch` option) and streamed into the compiler. */
  url?: string;
  /** Bytes already in hand. */
  bytes?: BufferSource;
  /** `sha256:` and 64 lowercase hex digits; the bytes must hash to it. */
  digest?: string;
  /**
   * The root URL of a static registry (`packages/<name>/index.json`, `blobs/sha256/<hex>`), or
   * `oci+https://host` for an OCI registry, whose semver tags are the versions.
   */
  registry?: string;
  /** The package's name in the registry: `counter` or `acme/counter` (an OCI repository). */
  name?: string;
  /** A semver range (`^1.2`, `~1.2.3`, `*`): the highest non-yanked version in it is loaded. */
  range?: string;
  /** For `swap`: a version (`1.3.0`, exactly, even yanked) or a range. */
  version?: string;
  /**
   * Milliseconds each request (registry index, manifest, module) may take, its body included,
   * before it is aborted with FETCH_FAILED. `swap` keeps `load`'s and may add its own.
   */
  timeout?: number;
  /** Replaces the global `fetch`; must resolve to a `Response`. */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** The imports object to instantiate with. `swap` defaults to the one in use. */
  imports?: WebAssembly.Imports;
  /** What the app needs from the module; checked before it is instantiated. `swap` defaults to `load`'s. */
  expect?: Expect;
  /** Which version steps are allowed. `swap` defaults to `load`'s. */
  policy?: UpdatePolicy;
}

/**
 * Exports the app needs, with their types:
 * `{ exports: { increment: "(i32) -> i32", memory: "memory", limit: "global mut i64" } }`.
 */
export interface Expect {
  exports?: Record<string, string>;
  /** WIT text of the world the module must carry and satisfy (only in `wasm-hotswap/wit`). */
  wit?: string;
  /** Which world of `wit`, when it has several. */
  world?: string;
}

/** One named difference between two interfaces. */
export interface InterfaceChange { severity: "none" | "additive" | "breaking"; item: string; detail: string; }

/** What a consent callback is told about a major upgrade. */
export interface MajorUpgrade { from: string; to: string; changes: InterfaceChange[]; }

/** A value type: `i32`, `i64`, `f32`, `f64`, `v128`, or a reference type such as `{ ref: "funcref" }`. */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | { ref: string };

/** The type of an import or export, read from the binary. */
export type ExternType =
  | { kind: "func"; params: ValType[]; results: ValType[] }
  | { kind: "tag"; params: ValType[]; results: ValType[] }
  | { kind: "global"; type: ValType; mutable: boolean }
  | { kind: "memory"; initial: number; maximum: number | null; memory64: boolean; shared: boolean }
  | { kind: "table"; element: string; initial: number; maximum: number | null; table64: boolean; shared: boolean };

/** A module's interface, read from its binary. */
export interface ModuleInterface {
  imports: Array<{ module: string; name: string } & ExternType>;
  exports: Array<{ name: string } & ExternType>;
  version: string | null;
  metadata: ModuleMetadata;
}

/** The wasm-metadata sections a module carries. */
export interface ModuleMetadata {
  name: string | null;
  authors: string | null;
  description: string | null;
  licenses: string | null;
  source: string | null;
  homepage: string | null;
  revision: string | null;
  producers: Array<{ field: string; values: Array<[name: string, version: string]> }>;
}

/** Rules for version steps. By default a major upgrade and a downgrade are refused. */
export interface UpdatePolicy {
  /** Consent to major upgrades: `true`, or a callback deciding each (it may be async). */
  allowMajor?: boolean | ((upgrade: MajorUpgrade) => boolean | Promise<boolean>);
  /** Allow a lower version to replace a higher one. */
  allowDowngrade?: boolean;
  /** Refuse modules without a `version` section. */
  requireVersion?: boolean;
}

/** Options of `m.watch`. */
export interface WatchOptions {
  /** Milliseconds between polls of the index while they succeed: default 30000, at least 100. */
  interval?: number;
  /** The longest wait after failed polls, in milliseconds: default 600000 (never below `interval`). */
  maxBackoff?: number;
  /**
   * Listen to the registry's server-sent events and check as soon as a `published` event names
   * this package: `true` for `<registry>/events`, or the stream's URL. Polling goes on at
   * `interval` as a fallback (a longer one is fine).
   */
  events?: boolean | string;
  /** One poller for all tabs of this origin watching the package (Web Locks, BroadcastChannel): default true. */
  shared?: boolean;
  /** Consent to major upgrades for this watch; defaults to the module's `policy.allowMajor`. */
  allowMajor?: boolean | ((upgrade: MajorUpgrade) => boolean | Promise<boolean>);
  /** Stops the watch when aborted. */
  signal?: AbortSignal;
}

/** `available`: a version the policy allows was found; a swap to it starts. */
export interface UpdateAvailable { version: string; digest: string; }
/** `applied`: the module now serves `version`. */
export interface UpdateApplied { version: string; digest: string; report: SwapReport; }
/** `rejected`: the swap to `version` failed; the old version still serves, with its state. */
export interface UpdateRejected { version: string; digest: string; code: HotSwapErrorCode; message: string; error: Error; }
/** `error`: a poll failed; the next one is in `retryIn` milliseconds. */
export interface WatchError { code: HotSwapErrorCode; message: string; retryIn: number; error: Error; }

export interface WatchEventMap {
  available: CustomEvent<UpdateAvailable>;
  applied: CustomEvent<UpdateApplied>;
  rejected: CustomEvent<UpdateRejected>;
  error: CustomEvent<WatchError>;
}

/** A running watch: an `EventTarget` of `WatchEventMap`. */
export interface Watcher extends EventTarget {
  /** `"leader"` while this watch polls, `"follower"` while another tab's does, then `"stopped"`. */
  readonly role: "leader" | "follower" | "stopped";
  /** Stops for good: no timer, stream, channel or lock is left, a poll in flight is ignored, and no event follows. A swap already started completes or fails as a whole. */
  stop(): void;
  addEventListener<K extends keyof WatchEventMap>(type: K, listener: (event: WatchEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof WatchEventMap>(type: K, listener: (event: WatchEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

export type LoadOptions = ModuleSource;
export type SwapOptions = ModuleSource;

/** Milliseconds per stage before the commit. */
export interface SwapStages { resolve: number; fetchVerify: number; inspect: number; gate: number; compile: number; instantiate: number; }

/** Milliseconds per step of the commit, the time calls are held. */
export interface CommitStages { save: number; copy: number; load: number; rebind: number; total: number; }

/** What `swap` resolves with. */
export interface SwapReport {
  from: string;
  to: string;
  fromVersion: string | null;
  toVersion: string | null;
  guest: "stateful" | "stateless";
  /** The bump the versions declare; null when a module has no version or for a downgrade. */
  bump: "none" | "patch" | "minor" | "major" | null;
  /** Every difference between the two interfaces. */
  changes: InterfaceChange[];
  stateBytes: number;
  stages: SwapStages;
  commit: number;
  commitStages: CommitStages;
  total: number;
  queued: number;
}
"#;

/// A Wasm module that can be replaced while it runs.
///
/// `exports` holds one plain function per function export, each always reaching the instance
/// serving now, and a getter per memory, table or global export returning the serving
/// instance's object. Swaps of one module run one at a time, in call order.
#[wasm_bindgen]
pub struct HotModule {
    inner: Rc<Inner>,
}

struct Inner {
    serving: RefCell<Serving>,
    table: ExportTable,
    imports: RefCell<Object>,
    fetch: Option<Function>,
    expect: Rc<Expectation>,
    policy: Rc<UpdatePolicy>,
    /// The registry package loaded from, whose range later swaps resolve against by default.
    registry: Option<Rc<RegistryRef>>,
    /// Settles when the last queued swap has settled; never rejects.
    tail: RefCell<Promise>,
}

#[wasm_bindgen]
impl HotModule {
    /// Fetches, verifies, inspects, compiles and instantiates a module.
    ///
    /// # Errors
    /// Rejects with a `HotSwapError`: `INVALID_OPTIONS`, `INVALID_DIGEST`, `FETCH_FAILED`,
    /// `HASH_MISMATCH`, `INVALID_MODULE`, `UNSUPPORTED_COMPONENT`, `INCOMPATIBLE_INTERFACE`
    /// (an import the host does not provide), `INVALID_GUEST` or `INSTANTIATE_FAILED`.
    pub async fn load(
        #[wasm_bindgen(unchecked_param_type = "LoadOptions")] options: JsValue,
    ) -> Result<HotModule, JsValue> {
        let options = Options::parse(&options, &Defaults::default())
            .map_err(|e| Failure::from(e).into_js())?;
        let imports = options.imports.clone().unwrap_or_default();
        let (prepared, _) = pipeline(&options, &imports, None)
            .await
            .map_err(Failure::into_js)?;
        let table = ExportTable::new();
        let serving = Serving::first(prepared, &table);
        Ok(HotModule {
            inner: Rc::new(Inner {
                serving: RefCell::new(serving),
                table,
                imports: RefCell::new(imports),
                fetch: options.fetch,
                registry: match &options.origin {
                    Origin::Registry(registry) => Some(Rc::clone(registry)),
                    _ => None,
                },
                expect: options.expect,
                policy: options.policy,
                tail: RefCell::new(Promise::resolve(&JsValue::UNDEFINED)),
            }),
        })
    }

    /// The stable exports object.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, any>")]
    pub fn exports(&self) -> Object {
        self.inner.table.exports()
    }

    /// The digest of the instance serving now, `sha256:<hex>`.
    #[wasm_bindgen(getter)]
    pub fn digest(&self) -> String {
        self.inner.serving.borrow().digest.to_string()
    }

    /// The version of the instance serving now, from its `version` section.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> Option<String> {
        self.inner
            .serving
            .borrow()
            .interface
            .version
            .as_ref()
            .map(ToString::to_string)
    }

    /// The metadata of the instance serving now: `name`, `authors`, `description`, `licenses`,
    /// `source`, `homepage`, `revision` (each `null` when absent) and `producers`.
    #[wasm_bindgen(getter, unchecked_return_type = "ModuleMetadata")]
    pub fn metadata(&self) -> JsValue {
        to_js(&self.inner.serving.borrow().interface.metadata)
    }

    /// The interface of the instance serving now, read from its binary: `imports` and
    /// `exports` with their full types, and `version`.
    #[wasm_bindgen(getter, unchecked_return_type = "ModuleInterface")]
    pub fn interface(&self) -> JsValue {
        to_js(&self.inner.serving.borrow().interface)
    }

    /// Replaces the serving instance with the module `options` describes, moving its state.
    ///
    /// Everything that can wait (fetch, verify, inspect, gate, compile, instantiate) happens
    /// first while the old instance serves; then one synchronous commit moves the state and
    /// rebinds the exports. Swaps queue: each starts when the one before it has settled.
    ///
    /// # Errors
    /// Rejects with a `HotSwapError`; the old instance keeps serving with its state. Codes: those
    /// of `load`, and `INCOMPATIBLE_INTERFACE`, `STATE_SAVE_FAILED`, `STATE_LOAD_FAILED`.
    #[wasm_bindgen(unchecked_return_type = "Promise<SwapReport>")]
    pub fn swap(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SwapOptions")] options: JsValue,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        let defaults = Defaults {
            fetch: inner.fetch.clone(),
            registry: inner.registry.clone(),
            expect: Rc::clone(&inner.expect),
            policy: Rc::clone(&inner.policy),
        };
        match Options::parse(&options, &defaults) {
            Ok(options) => enqueue(&inner, options),
            Err(e) => Promise::reject(&Failure::from(e).into_js()),
        }
    }

    /// Watches the registry package this module was loaded from, and swaps to the versions the
    /// update policy allows as they are published: see the `watch` module. Returns a `Watcher`
    /// (an `EventTarget`: `available`, `applied`, `rejected`, `error`) with `stop()` and `role`.
    ///
    /// # Errors
    /// Throws a `HotSwapError` with code `INVALID_OPTIONS` when the module was not loaded from
    /// a registry or an option is of the wrong type.
    #[wasm_bindgen(unchecked_return_type = "Watcher")]
    pub fn watch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WatchOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        watch(&self.inner, &options).map_err(|e| Failure::from(e).into_js())
    }
}

/// `HotModule.watch`, in the builds with the `updates` feature.
#[cfg(feature = "updates")]
fn watch(inner: &Rc<Inner>, options: &JsValue) -> Result<JsValue, Error> {
    {
        let into_js = |e: Error| e;
        let registry = inner.registry.clone().ok_or_else(|| {
            into_js(invalid(
                "watch",
                "this module was not loaded from a registry; load it with { registry, name, range } to watch it",
            ))
        })?;
        let Package::Static(name) = &registry.package else {
            return Err(into_js(invalid(
                "watch",
                "watching follows a static registry's index; swap a module from an OCI registry with swap({ version })",
            )));
        };
        let name = name.clone();
        if !options.is_undefined() && !options.is_object() {
            return Err(into_js(invalid(
                "options",
                "expected an object such as { interval: 30000 }",
            )));
        }
        let policy = match get(options, "allowMajor") {
            v if v.is_undefined() => Rc::clone(&inner.policy),
            v => Rc::new(UpdatePolicy {
                rules: inner.policy.rules,
                allow_major: parse_allow_major(&v, "allowMajor").map_err(into_js)?,
            }),
        };
        let watched = Watched {
            inner: Rc::clone(inner),
            registry,
            name,
            policy,
        };
        crate::watch::browser::start(watched, options).map(JsValue::from)
    }
}

/// Without the `updates` feature there is no watcher: the error points at the build with one.
#[cfg(not(feature = "updates"))]
fn watch(_inner: &Rc<Inner>, _options: &JsValue) -> Result<JsValue, Error> {
    Err(needs_updates("watch"))
}

/// The error for a feature of the `wasm-hotswap/updates` build used in one without it.
#[cfg(not(feature = "updates"))]
fn needs_updates(option: &'static str) -> Error {
    invalid(
        option,
        "this build of the runtime has no update delivery (watch, OCI registries); import `wasm-hotswap/updates` instead",
    )
}

/// Queues a swap behind the ones already queued; the promise resolves with the report.
fn enqueue(inner: &Rc<Inner>, options: Options) -> Promise {
    let previous = inner.tail.borrow().clone();
    let queued_at = now();
    let swapping = Rc::clone(inner);
    let promise = future_to_promise(async move {
        let _ = JsFuture::from(previous).await;
        let report = swap(&swapping, options, queued_at)
            .await
            .map_err(Failure::into_js)?;
        let json = serde_wasm_bindgen::Serializer::json_compatible();
        report.serialize(&json).map_err(JsValue::from)
    });
    *inner.tail.borrow_mut() = Promise::all_settled(&Array::of1(&promise));
    promise
}

/// What a watch needs of a module loaded from a registry: where the package is, what is
/// serving, and a way into the module's swap queue.
#[cfg(feature = "updates")]
pub(crate) struct Watched {
    inner: Rc<Inner>,
    registry: Rc<RegistryRef>,
    /// The package's name in the static registry.
    name: PackageName,
    /// The module's policy, with the watch's `allowMajor` when it gave one.
    policy: Rc<UpdatePolicy>,
}

#[cfg(feature = "updates")]
impl Watched {
    /// The registry's root URL, ending in `/`.
    pub(crate) fn base(&self) -> &str {
        &self.registry.base
    }

    pub(crate) fn name(&self) -> &PackageName {
        &self.name
    }

    /// What `load` asked for.
    pub(crate) fn wanted(&self) -> &Wanted {
        &self.registry.wanted
    }

    pub(crate) fn fetch(&self) -> Option<&Function> {
        self.inner.fetch.as_ref()
    }

    /// The digest and version serving now.
    pub(crate) fn serving(&self) -> (String, Option<semver::Version>) {
        let serving = self.inner.serving.borrow();
        (
            serving.digest.to_string(),
            serving.interface.version.clone(),
        )
    }

    /// Whether a major upgrade can be consented to (`allowMajor` is `true` or a callback).
    pub(crate) fn majors(&self) -> bool {
        !matches!(self.policy.allow_major, AllowMajor::No)
    }

    /// Queues a swap to `entry` of the index, like `swap({ version })` but without fetching
    /// the index again: through the same queue, gate and consent.
    ///
    /// # Errors
    /// [`Error::InvalidDigest`] for a digest `Index::validate` would have refused.
    pub(crate) fn swap_to(&self, entry: &crate::registry::index::Entry) -> Result<Promise, Error> {
        let digest: Digest = entry.digest.parse()?;
        let options = Options {
            origin: Origin::Listed {
                source: Source::url(self.registry.url(&blob_path(&digest))),
                digest,
                version: Rc::new(entry.version.clone()),
            },
            imports: None,
            fetch: self.inner.fetch.clone(),
            expect: Rc::clone(&self.inner.expect),
            policy: Rc::clone(&self.policy),
        };
        Ok(enqueue(&self.inner, options))
    }
}

/// Makes errors thrown by the runtime instances of `class` (the shim's `HotSwapError`), whose
/// constructor takes `(code, message, options)`.
#[wasm_bindgen(js_name = registerErrorClass)]
pub fn register_error_class_for_js(class: JsValue) {
    register_error_class(&class);
}

async fn swap(inner: &Inner, options: Options, queued_at: f64) -> Result<SwapReport, Failure> {
    let start = now();
    let (from, from_version, interface) = {
        let serving = inner.serving.borrow();
        (
            serving.digest.to_string(),
            version_of(&serving.interface),
            serving.interface.clone(),
        )
    };
    let imports = options
        .imports
        .clone()
        .unwrap_or_else(|| inner.imports.borrow().clone());
    let (prepared, stages) = pipeline(&options, &imports, Some(&interface)).await?;
    let judgement = prepared.checked().judgement().cloned();

    // SYNC SECTION: no `.await` from here to the end of this function.
    let committed = commit(&inner.serving.borrow(), prepared, &inner.table)?;
    let report = SwapReport {
        from,
        from_version,
        to: committed.serving.digest.to_string(),
        to_version: version_of(&committed.serving.interface),
        guest: committed.serving.guest,
        bump: judgement.as_ref().and_then(|j| j.declared),
        changes: judgement.map(|j| j.diff.changes).unwrap_or_default(),
        state_bytes: committed.state_bytes as f64,
        stages,
        commit: committed.stages.total,
        commit_stages: committed.stages,
        total: now() - start,
        queued: start - queued_at,
    };
    inner.serving.replace(committed.serving);
    inner.imports.replace(imports);
    Ok(report)
}

/// A plain JS object (`null` for `None`, arrays for sequences) of a value of the pure core,
/// whose types all serialize.
fn to_js(value: &impl Serialize) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

fn version_of(interface: &Interface) -> Option<String> {
    interface.version.as_ref().map(ToString::to_string)
}

/// Every stage before the commit: resolve (with a registry), fetch and verify (compiling
/// alongside), inspect, gate (asking for consent to a major upgrade), finish compiling,
/// instantiate.
async fn pipeline(
    options: &Options,
    imports: &Object,
    serving: Option<&Interface>,
) -> Result<(Prepared, Stages), Failure> {
    let start = now();
    let resolved_source;
    let (source, digest, listed) = match &options.origin {
        Origin::Fixed { source, digest } => (source, *digest, None),
        #[cfg(feature = "updates")]
        Origin::Listed {
            source,
            digest,
            version,
        } => (source, *digest, Some(semver::Version::clone(version))),
        Origin::Registry(registry) => {
            let fetch_fn = options.fetch.as_ref();
            let resolved = match &registry.package {
                Package::Static(name) => {
                    resolve_static(&registry.base, name, &registry.wanted, fetch_fn).await?
                }
                #[cfg(feature = "updates")]
                Package::Oci(repository) => {
                    resolve_oci(&registry.base, repository, &registry.wanted, fetch_fn).await?
                }
                #[cfg(not(feature = "updates"))]
                Package::Oci(_) => return Err(needs_updates("registry").into()),
            };
            resolved_source = resolved.source;
            (&resolved_source, resolved.digest, Some(resolved.version))
        }
    };
    let t0 = now();
    let (verified, compiling) = fetch(source, digest, options.fetch.as_ref()).await?;
    let t1 = now();
    let inspected = inspect(verified)?;
    if let Some(listed) = &listed {
        check_listed_version(source.name(), listed, inspected.interface())?;
    }
    let t2 = now();
    let pending = gate::open(inspected, serving, &options.policy.rules, |module, name| {
        provided(imports, module, name)
    })?;
    let major_consented = match (pending.needs_consent(), pending.judgement()) {
        (true, Some(judgement)) => {
            consent(
                &options.policy.allow_major,
                pending.versions(),
                &judgement.diff.changes,
            )
            .await?
        }
        _ => false,
    };
    let checked = pending.close(&options.expect, major_consented)?;
    let t4 = now();
    let compiled = compiling.finish(&checked).await?;
    let t5 = now();
    let prepared = prepare(checked, compiled, imports).await?;
    let t6 = now();
    let stages = Stages {
        resolve: t0 - start,
        fetch_verify: t1 - t0,
        inspect: t2 - t1,
        gate: t4 - t2,
        compile: t5 - t4,
        instantiate: t6 - t5,
    };
    Ok((prepared, stages))
}

/// Asks the host's consent to a major upgrade from `versions.0` to `versions.1`.
///
/// # Errors
/// [`Error::MajorUpgradeRefused`] when the callback threw or rejected, with its error as the
/// cause. A callback answering anything but `true` is a refusal, which the gate reports.
async fn consent(
    allow: &AllowMajor,
    versions: (String, String),
    changes: &[Change],
) -> Result<bool, Failure> {
    let callback = match allow {
        AllowMajor::Yes => return Ok(true),
        AllowMajor::No => return Ok(false),
        AllowMajor::Ask(callback) => callback,
    };
    let (from, to) = versions;
    let refused = |cause| {
        Failure::caused(
            Error::MajorUpgradeRefused {
                from: from.clone(),
                to: to.clone(),
            },
            cause,
        )
    };
    #[derive(Serialize)]
    struct MajorUpgrade<'a> {
        from: &'a str,
        to: &'a str,
        changes: &'a [Change],
    }
    let json = serde_wasm_bindgen::Serializer::json_compatible();
    let info = MajorUpgrade {
        from: &from,
        to: &to,
        changes,
    }
    .serialize(&json)
    .map_err(|e| refused(e.into()))?;
    let answer = callback
        .call1(&JsValue::UNDEFINED, &info)
        .map_err(refused)?;
    let answer = JsFuture::from(Promise::resolve(&answer))
        .await
        .map_err(refused)?;
    Ok(answer.as_bool() == Some(true))
}

/// What the imports object holds at `module.name`.
fn provided(imports: &Object, module: &str, name: &str) -> Provided {
    let Ok(namespace) = Reflect::get(imports, &JsValue::from_str(module)) else {
        return Provided::Other;
    };
    if !namespace.is_object() {
        return Provided::Nothing;
    }
    let value = Reflect::get(&namespace, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() {
        Provided::Nothing
    } else if value.is_function() {
        Provided::Function
    } else if value.is_instance_of::<WebAssembly::Memory>() {
        Provided::Memory
    } else if value.is_instance_of::<WebAssembly::Table>() {
        Provided::Table
    } else if value.is_instance_of::<WebAssembly::Global>()
        || value.as_f64().is_some()
        || value.is_bigint()
    {
        Provided::Global
    } else if value.is_instance_of::<WebAssembly::Tag>() {
        Provided::Tag
    } else {
        Provided::Other
    }
}

/// Consent to major upgrades.
enum AllowMajor {
    No,
    Yes,
    Ask(Function),
}

/// The `policy` option.
struct UpdatePolicy {
    rules: Policy,
    allow_major: AllowMajor,
}

impl Default for UpdatePolicy {
    fn default() -> Self {
        UpdatePolicy {
            rules: Policy::default(),
            allow_major: AllowMajor::No,
        }
    }
}

/// What `swap` takes from `load` when an option is left out.
#[derive(Default)]
struct Defaults {
    fetch: Option<Function>,
    registry: Option<Rc<RegistryRef>>,
    expect: Rc<Expectation>,
    policy: Rc<UpdatePolicy>,
}

/// Where a module comes from.
enum Origin {
    /// A URL or bytes, with the digest they must hash to.
    Fixed { source: Source, digest: Digest },
    /// A version a registry's index resolves to a digest.
    Registry(Rc<RegistryRef>),
    /// A version of an index already in hand (a watch's): its blob, digest and version.
    #[cfg(feature = "updates")]
    Listed {
        source: Source,
        digest: Digest,
        version: Rc<semver::Version>,
    },
}

/// A package in a registry, and which of its versions is wanted.
struct RegistryRef {
    /// The registry's root URL, ending in `/` (`oci+` and all, for an OCI registry).
    base: String,
    /// The package: a static registry's, or an OCI registry's repository.
    package: Package,
    wanted: Wanted,
}

/// What a registry calls the package.
enum Package {
    /// In a static registry: `packages/<name>/index.json`.
    Static(PackageName),
    /// In an OCI registry (`registry: "oci+https://…"`): the repository, whose tags are versions.
    Oci(String),
}

impl RegistryRef {
    #[cfg(feature = "updates")]
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// `load` and `swap` options, checked.
struct Options {
    origin: Origin,
    imports: Option<Object>,
    fetch: Option<Function>,
    expect: Rc<Expectation>,
    policy: Rc<UpdatePolicy>,
}

fn invalid(option: &'static str, reason: &str) -> Error {
    Error::InvalidOptions {
        option,
        reason: reason.to_string(),
    }
}

impl Options {
    fn parse(value: &JsValue, defaults: &Defaults) -> Result<Options, Error> {
        if !value.is_object() {
            return Err(invalid(
                "options",
                "expected an object such as { url, digest }",
            ));
        }
        let get = |name: &str| get(value, name);
        let origin = parse_origin(&get, defaults)?;
        let imports = match get("imports") {
            v if v.is_undefined() => None,
            v if v.is_object() => Some(v.unchecked_into()),
            _ => {
                return Err(invalid(
                    "imports",
                    "expected an object of import namespaces",
                ))
            }
        };
        let fetch = match get("fetch") {
            v if v.is_undefined() => defaults.fetch.clone(),
            v if v.is_function() => Some(v.unchecked_into()),
            _ => {
                return Err(invalid(
                    "fetch",
                    "expected a function (url) => Promise<Response>",
                ))
            }
        };
        let fetch = match get("timeout") {
            v if v.is_undefined() => fetch,
            v => match v.as_f64() {
                Some(ms) if ms > 0.0 && ms.is_finite() => Some(with_timeout(fetch, ms)),
                _ => {
                    return Err(invalid(
                        "timeout",
                        "expected a positive number of milliseconds",
                    ))
                }
            },
        };
        let expect = match get("expect") {
            v if v.is_undefined() => Rc::clone(&defaults.expect),
            v => Rc::new(parse_expect(&v)?),
        };
        let policy = match get("policy") {
            v if v.is_undefined() => Rc::clone(&defaults.policy),
            v => Rc::new(parse_policy(&v)?),
        };
        Ok(Options {
            origin,
            imports,
            fetch,
            expect,
            policy,
        })
    }
}

/// `url` or `bytes` with `digest`; or `registry`, `name` and `range` (for `load`) or
/// `version` (for `swap`, whose registry and name default to `load`'s).
fn parse_origin(get: &impl Fn(&str) -> JsValue, defaults: &Defaults) -> Result<Origin, Error> {
    let text = |option: &'static str| -> Result<Option<String>, Error> {
        match get(option) {
            v if v.is_undefined() => Ok(None),
            v => v
                .as_string()
                .map(Some)
                .ok_or_else(|| invalid(option, "expected a string")),
        }
    };
    let (url, bytes, digest) = (get("url"), get("bytes"), text("digest")?);
    let (registry, name, range, version) = (
        text("registry")?,
        text("name")?,
        text("range")?,
        text("version")?,
    );
    let fixed = !url.is_undefined() || !bytes.is_undefined() || digest.is_some();
    let registered = registry.is_some() || name.is_some() || range.is_some() || version.is_some();
    if fixed && registered {
        return Err(invalid(
            "registry",
            "give `url` or `bytes` with `digest`, or a registry package, not both",
        ));
    }
    if fixed || (!registered && defaults.registry.is_none()) {
        let digest = digest
            .ok_or_else(|| invalid("digest", "expected a string `sha256:<64 lowercase hex>`"))?
            .parse()?;
        let source = match (url.is_undefined(), bytes.is_undefined()) {
            (false, false) => return Err(invalid("url", "give `url` or `bytes`, not both")),
            (true, true) => return Err(invalid("url", "give `url` or `bytes`")),
            (false, true) => Source::url(
                url.as_string()
                    .ok_or_else(|| invalid("url", "expected a string"))?,
            ),
            (true, false) => Source::Bytes(
                byte_view(&bytes)
                    .ok_or_else(|| invalid("bytes", "expected an ArrayBuffer or a typed array"))?,
            ),
        };
        return Ok(Origin::Fixed { source, digest });
    }
    let default = defaults.registry.as_deref();
    let base = match (registry, default) {
        (Some(base), _) if base.ends_with('/') => base,
        (Some(base), _) => format!("{base}/"),
        (None, Some(default)) => default.base.clone(),
        (None, None) => return Err(invalid("registry", "expected the registry's root URL")),
    };
    let package = match (name, default) {
        (Some(name), _) if base.starts_with("oci+") => {
            crate::registry::oci::check_repository(&name, "name")?;
            Package::Oci(name)
        }
        (Some(name), _) => Package::Static(name.parse()?),
        (None, Some(default)) => match &default.package {
            Package::Static(name) => Package::Static(name.clone()),
            Package::Oci(repository) => Package::Oci(repository.clone()),
        },
        (None, None) => return Err(invalid("name", "expected the package's name")),
    };
    let wanted = match (range, version, default) {
        (Some(_), Some(_), _) => {
            return Err(invalid("version", "give `range` or `version`, not both"))
        }
        (Some(range), None, _) => Wanted::range(&range, "range")?,
        (None, Some(version), _) => Wanted::version(&version, "version")?,
        (None, None, Some(default)) => default.wanted.clone(),
        (None, None, None) => Wanted::range("*", "range")?,
    };
    Ok(Origin::Registry(Rc::new(RegistryRef {
        base,
        package,
        wanted,
    })))
}

fn parse_expect(value: &JsValue) -> Result<Expectation, Error> {
    if !value.is_object() {
        return Err(invalid(
            "expect",
            "expected an object such as { exports: { get: \"() -> i32\" } }",
        ));
    }
    let exports = get(value, "exports");
    let mut expectation = if exports.is_undefined() {
        Expectation::default()
    } else if exports.is_object() {
        let mut pairs = Vec::new();
        for entry in Object::entries(exports.unchecked_ref()) {
            let entry: Array = entry.unchecked_into();
            let name = entry.get(0).as_string().unwrap_or_default();
            let text = entry
                .get(1)
                .as_string()
                .ok_or_else(|| Error::InvalidOptions {
                    option: "expect.exports",
                    reason: format!(
                        "export `{name}`: expected a type text such as \"(i32) -> i32\""
                    ),
                })?;
            pairs.push((name, text));
        }
        Expectation::parse(pairs.iter().map(|(n, t)| (n.as_str(), t.as_str())))?
    } else {
        return Err(invalid(
            "expect.exports",
            "expected an object of export name => type text",
        ));
    };
    let text = |key: &str, option: &'static str| match get(value, key) {
        v if v.is_undefined() => Ok(None),
        v => v
            .as_string()
            .map(Some)
            .ok_or_else(|| invalid(option, "expected a string")),
    };
    if let Some(wit) = text("wit", "expect.wit")? {
        if cfg!(not(feature = "wit")) {
            return Err(invalid(
                "expect.wit",
                "this build of the runtime has no WIT support; import `wasm-hotswap/wit` instead",
            ));
        }
        let world = text("world", "expect.world")?;
        expectation.wit = Some(crate::expect::WitExpectation { text: wit, world });
    }
    Ok(expectation)
}

fn parse_policy(value: &JsValue) -> Result<UpdatePolicy, Error> {
    if !value.is_object() {
        return Err(invalid(
            "policy",
            "expected an object such as { allowMajor: true }",
        ));
    }
    let flag = |key: &str, option: &'static str| match get(value, key) {
        v if v.is_undefined() => Ok(false),
        v => v
            .as_bool()
            .ok_or_else(|| invalid(option, "expected a boolean")),
    };
    let allow_major = parse_allow_major(&get(value, "allowMajor"), "policy.allowMajor")?;
    Ok(UpdatePolicy {
        rules: Policy {
            allow_downgrade: flag("allowDowngrade", "policy.allowDowngrade")?,
            require_version: flag("requireVersion", "policy.requireVersion")?,
        },
        allow_major,
    })
}

/// `allowMajor`: absent or a boolean, or a consent callback.
fn parse_allow_major(value: &JsValue, option: &'static str) -> Result<AllowMajor, Error> {
    match value {
        v if v.is_undefined() || v.as_bool() == Some(false) => Ok(AllowMajor::No),
        v if v.as_bool() == Some(true) => Ok(AllowMajor::Yes),
        v if v.is_function() => Ok(AllowMajor::Ask(v.clone().unchecked_into())),
        _ => Err(invalid(
            option,
            "expected a boolean or a function (upgrade) => boolean",
        )),
    }
}

/// A `Uint8Array` over an `ArrayBuffer` or over the bytes an `ArrayBufferView` covers.
fn byte_view(value: &JsValue) -> Option<Uint8Array> {
    if value.is_instance_of::<ArrayBuffer>() {
        return Some(Uint8Array::new(value));
    }
    let buffer = Reflect::get(value, &"buffer".into()).ok()?;
    if !ArrayBuffer::is_view(value) {
        return None;
    }
    let offset = Reflect::get(value, &"byteOffset".into()).ok()?.as_f64()? as u32;
    let length = Reflect::get(value, &"byteLength".into()).ok()?.as_f64()? as u32;
    Some(Uint8Array::new_with_byte_offset_and_length(
        &buffer, offset, length,
    ))
}
