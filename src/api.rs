//! The single wasm-bindgen surface: `HotModule` and its options, as JS sees them.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array, WebAssembly};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::commit::{commit, Serving};
use crate::digest::Digest;
use crate::error::Error;
use crate::fetch::{fetch, Source};
use crate::gate::{check, Provided};
use crate::inspect::{inspect, Interface};
use crate::js::{now, register_error_class, ExportTable, Failure};
use crate::prepare::{prepare, Prepared};
use crate::report::{Stages, SwapReport};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Stable codes of `HotSwapError`. */
export type HotSwapErrorCode =
  | "INVALID_DIGEST" | "INVALID_OPTIONS" | "FETCH_FAILED" | "HASH_MISMATCH"
  | "INVALID_MODULE" | "UNSUPPORTED_COMPONENT" | "INCOMPATIBLE_INTERFACE" | "INVALID_GUEST"
  | "INSTANTIATE_FAILED" | "STATE_SAVE_FAILED" | "STATE_LOAD_FAILED" | "SWAP_IN_PROGRESS";

/** Where a module comes from and what it must hash to. Give `url` or `bytes`, not both. */
export interface ModuleSource {
  /** Fetched with `fetch` (or the `fetch` option) and streamed into the compiler. */
  url?: string;
  /** Bytes already in hand. */
  bytes?: BufferSource;
  /** `sha256:` and 64 lowercase hex digits; the bytes must hash to it. */
  digest: string;
  /** Replaces the global `fetch`; must resolve to a `Response`. */
  fetch?: (url: string) => Promise<Response>;
  /** The imports object to instantiate with. `swap` defaults to the one in use. */
  imports?: WebAssembly.Imports;
}

export type LoadOptions = ModuleSource;
export type SwapOptions = ModuleSource;

/** Milliseconds per stage before the commit. */
export interface SwapStages { fetchVerify: number; inspect: number; gate: number; compile: number; instantiate: number; }

/** Milliseconds per step of the commit, the time calls are held. */
export interface CommitStages { save: number; copy: number; load: number; rebind: number; total: number; }

/** What `swap` resolves with. */
export interface SwapReport {
  from: string;
  to: string;
  fromVersion: string | null;
  toVersion: string | null;
  guest: "stateful" | "stateless";
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
        let options = Options::parse(&options, None).map_err(|e| Failure::from(e).into_js())?;
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
        let options = match Options::parse(&options, inner.fetch.as_ref()) {
            Ok(options) => options,
            Err(e) => return Promise::reject(&Failure::from(e).into_js()),
        };
        let previous = inner.tail.borrow().clone();
        let queued_at = now();
        let swapping = Rc::clone(&inner);
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

    // SYNC SECTION: no `.await` from here to the end of this function.
    let committed = commit(&inner.serving.borrow(), prepared, &inner.table)?;
    let report = SwapReport {
        from,
        from_version,
        to: committed.serving.digest.to_string(),
        to_version: version_of(&committed.serving.interface),
        guest: committed.serving.guest,
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

fn version_of(interface: &Interface) -> Option<String> {
    interface.version.as_ref().map(ToString::to_string)
}

/// Every stage before the commit: fetch and verify (compiling alongside), inspect, gate,
/// finish compiling, instantiate.
async fn pipeline(
    options: &Options,
    imports: &Object,
    serving: Option<&Interface>,
) -> Result<(Prepared, Stages), Failure> {
    let t0 = now();
    let (verified, compiling) =
        fetch(&options.source, options.digest, options.fetch.as_ref()).await?;
    let t1 = now();
    let inspected = inspect(verified)?;
    let t2 = now();
    let checked = check(inspected, serving, |module, name| {
        provided(imports, module, name)
    })?;
    let t3 = now();
    let compiled = compiling.finish(&checked).await?;
    let t4 = now();
    let prepared = prepare(checked, compiled, imports).await?;
    let t5 = now();
    let stages = Stages {
        fetch_verify: t1 - t0,
        inspect: t2 - t1,
        gate: t3 - t2,
        compile: t4 - t3,
        instantiate: t5 - t4,
    };
    Ok((prepared, stages))
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

/// `load` and `swap` options, checked.
struct Options {
    source: Source,
    digest: Digest,
    imports: Option<Object>,
    fetch: Option<Function>,
}

impl Options {
    fn parse(value: &JsValue, default_fetch: Option<&Function>) -> Result<Options, Error> {
        let invalid = |option: &'static str, reason: &str| Error::InvalidOptions {
            option,
            reason: reason.to_string(),
        };
        if !value.is_object() {
            return Err(invalid(
                "options",
                "expected an object such as { url, digest }",
            ));
        }
        let get = |name: &str| {
            Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
        };
        let digest = get("digest")
            .as_string()
            .ok_or_else(|| invalid("digest", "expected a string `sha256:<64 lowercase hex>`"))?
            .parse()?;
        let url = get("url");
        let bytes = get("bytes");
        let source = match (url.is_undefined(), bytes.is_undefined()) {
            (false, false) => return Err(invalid("url", "give `url` or `bytes`, not both")),
            (true, true) => return Err(invalid("url", "give `url` or `bytes`")),
            (false, true) => Source::Url(
                url.as_string()
                    .ok_or_else(|| invalid("url", "expected a string"))?,
            ),
            (true, false) => Source::Bytes(
                byte_view(&bytes)
                    .ok_or_else(|| invalid("bytes", "expected an ArrayBuffer or a typed array"))?,
            ),
        };
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
            v if v.is_undefined() => default_fetch.cloned(),
            v if v.is_function() => Some(v.unchecked_into()),
            _ => {
                return Err(invalid(
                    "fetch",
                    "expected a function (url) => Promise<Response>",
                ))
            }
        };
        Ok(Options {
            source,
            digest,
            imports,
            fetch,
        })
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
