//! Fixtures and helpers shared by the browser tests. Fixture modules are built from WAT at
//! test time; none is committed as a binary.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_hotswap::digest::Digest;
use wasm_hotswap::HotModule;

/// The parts of a counter guest that tests vary. The default is a well-behaved stateful
/// counter: `increment(i32) -> i32`, `get() -> i32`, and the state protocol moving the count
/// as 4 little-endian bytes.
#[derive(Clone)]
pub struct Counter {
    pub version: Option<&'static str>,
    pub save_body: &'static str,
    pub alloc_body: &'static str,
    pub load_body: &'static str,
    pub state_exports: bool,
    pub increment_sig: &'static str,
    pub get: bool,
    pub extra: &'static str,
    pub imports: &'static str,
}

impl Default for Counter {
    fn default() -> Self {
        Counter {
            version: Some("1.0.0"),
            save_body: "(i32.store (i32.const 1024) (global.get $count))
                        (i32.store (i32.const 16) (i32.const 1024))
                        (i32.store (i32.const 20) (i32.const 4))
                        (i32.const 16)",
            alloc_body: "(i32.const 2048)",
            load_body: "(if (i32.ne (local.get 1) (i32.const 4)) (then (return (i32.const 1))))
                        (global.set $count (i32.load (local.get 0)))
                        (i32.const 0)",
            state_exports: true,
            increment_sig: "(param $by i32) (result i32)",
            get: true,
            extra: "",
            imports: "",
        }
    }
}

impl Counter {
    pub fn wat(&self) -> String {
        let version = self
            .version
            .map(|v| format!("(@custom \"version\" \"{v}\")"))
            .unwrap_or_default();
        let increment = if self.increment_sig.contains("i64") {
            "(global.set $count (i32.add (global.get $count) (i32.wrap_i64 (local.get $by)))) (i64.extend_i32_s (global.get $count))"
        } else {
            "(global.set $count (i32.add (global.get $count) (local.get $by))) (global.get $count)"
        };
        let get = if self.get {
            r#"(func (export "get") (result i32) (global.get $count))"#
        } else {
            ""
        };
        let state = if self.state_exports {
            format!(
                r#"(func (export "save_state") (result i32) {})
                   (func (export "alloc_state") (param $len i32) (result i32) {})
                   (func (export "load_state") (param $ptr i32) (param $len i32) (result i32) {})"#,
                self.save_body, self.alloc_body, self.load_body
            )
        } else {
            String::new()
        };
        format!(
            r#"(module
                 {imports}
                 (memory (export "memory") 1)
                 (global $count (mut i32) (i32.const 0))
                 (func (export "increment") {sig} {increment})
                 {get}
                 {state}
                 {extra}
                 {version})"#,
            imports = self.imports,
            sig = self.increment_sig,
            extra = self.extra,
        )
    }

    pub fn bytes(&self) -> Vec<u8> {
        wat::parse_str(self.wat()).expect("fixture WAT parses")
    }
}

pub fn digest_of(bytes: &[u8]) -> String {
    Digest::of(bytes).to_string()
}

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

/// `{ bytes, digest }` for bytes in hand, with the right digest.
pub fn bytes_options(bytes: &[u8]) -> JsValue {
    object(&[
        ("bytes", Uint8Array::from(bytes).into()),
        ("digest", digest_of(bytes).into()),
    ])
}

/// `{ url, digest }`.
pub fn url_options(url: &str, digest: &str) -> JsValue {
    object(&[("url", url.into()), ("digest", digest.into())])
}

/// Adds `key: value` to an options object.
pub fn with(options: JsValue, key: &str, value: JsValue) -> JsValue {
    Reflect::set(&options, &JsValue::from_str(key), &value).unwrap();
    options
}

/// `{ env: { name: f } }`.
pub fn imports(entries: &[(&str, JsValue)]) -> JsValue {
    object(&[("env", object(entries))])
}

/// A `blob:` URL serving `bytes` as `application/wasm`, so that the real fetch, collect, hash
/// and compile path runs.
pub fn blob_url(bytes: &[u8]) -> String {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/wasm");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).unwrap();
    web_sys::Url::create_object_url_with_blob(&blob).unwrap()
}

pub async fn load(options: JsValue) -> HotModule {
    match HotModule::load(options).await {
        Ok(module) => module,
        Err(err) => panic!("load failed: {} {}", code(&err), message(&err)),
    }
}

pub async fn load_err(options: JsValue) -> JsValue {
    match HotModule::load(options).await {
        Ok(_) => panic!("load succeeded but should have failed"),
        Err(err) => err,
    }
}

pub async fn swap(module: &HotModule, options: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(module.swap(options)).await
}

pub async fn swap_ok(module: &HotModule, options: JsValue) -> JsValue {
    match swap(module, options).await {
        Ok(report) => report,
        Err(err) => panic!("swap failed: {} {}", code(&err), message(&err)),
    }
}

pub async fn swap_err(module: &HotModule, options: JsValue) -> JsValue {
    match swap(module, options).await {
        Ok(_) => panic!("swap succeeded but should have failed"),
        Err(err) => err,
    }
}

/// The stable function `m.exports[name]`.
pub fn export(module: &HotModule, name: &str) -> Function {
    Reflect::get(&module.exports(), &JsValue::from_str(name))
        .unwrap()
        .dyn_into()
        .unwrap_or_else(|_| panic!("export `{name}` is not a function"))
}

pub fn has_export(module: &HotModule, name: &str) -> bool {
    Reflect::has(&module.exports(), &JsValue::from_str(name)).unwrap()
}

pub fn call(function: &Function, args: &[i32]) -> i32 {
    let args: Array = args.iter().map(|a| JsValue::from(*a)).collect();
    function
        .apply(&JsValue::NULL, &args)
        .unwrap()
        .as_f64()
        .unwrap() as i32
}

pub fn get(module: &HotModule, key: &str) -> JsValue {
    Reflect::get(module.exports().as_ref(), &JsValue::from_str(key)).unwrap()
}

pub fn field(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        Reflect::get(&v, &JsValue::from_str(key)).unwrap()
    })
}

pub fn code(err: &JsValue) -> String {
    field(err, "code")
        .as_string()
        .unwrap_or_else(|| format!("<no code: {err:?}>"))
}

pub fn message(err: &JsValue) -> String {
    field(err, "message").as_string().unwrap_or_default()
}

pub fn is_error(err: &JsValue) -> bool {
    err.is_instance_of::<js_sys::Error>()
}

/// Waits `ms` milliseconds (`setTimeout`): at least one task of the page's event loop.
pub async fn tick(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .unwrap()
            .unchecked_into();
        set_timeout
            .call2(&JsValue::NULL, &resolve, &ms.into())
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// The files of an in-memory static registry under `root` (path => body), served by
/// [`StaticFiles::fetch`] as real `Response`s (404 for anything else), so that every byte goes
/// through the runtime's streaming fetch, hash and compile; each request is logged with the
/// `cache` mode it asked for. Clones share the files and the log.
#[derive(Clone)]
pub struct StaticFiles {
    root: String,
    files: Rc<RefCell<HashMap<String, Vec<u8>>>>,
    log: Rc<RefCell<Vec<Request>>>,
}

/// A request's URL and the `cache` mode it asked for.
type Request = (String, Option<String>);

impl StaticFiles {
    pub fn new(root: &str) -> Self {
        StaticFiles {
            root: root.to_string(),
            files: Rc::default(),
            log: Rc::default(),
        }
    }

    /// Serves `body` at `root` + `path`.
    pub fn put(&self, path: &str, body: Vec<u8>) {
        let url = format!("{}{path}", self.root);
        self.files.borrow_mut().insert(url, body);
    }

    /// The `fetch` option serving these files.
    pub fn fetch(&self) -> Function {
        let (files, log) = (Rc::clone(&self.files), Rc::clone(&self.log));
        let serve = Closure::<dyn FnMut(String, JsValue) -> Promise>::new(
            move |url: String, init: JsValue| {
                let cache = Reflect::get(&init, &"cache".into())
                    .ok()
                    .and_then(|c| c.as_string());
                log.borrow_mut().push((url.clone(), cache));
                let response_init = web_sys::ResponseInit::new();
                let body = files.borrow().get(&url).cloned();
                let response = match body {
                    Some(bytes) => web_sys::Response::new_with_opt_buffer_source_and_init(
                        Some(&Uint8Array::from(&bytes[..])),
                        &response_init,
                    ),
                    None => {
                        response_init.set_status(404);
                        web_sys::Response::new_with_opt_str_and_init(
                            Some("not found"),
                            &response_init,
                        )
                    }
                };
                Promise::resolve(response.unwrap().as_ref() as &JsValue)
            },
        );
        serve.into_js_value().unchecked_into()
    }

    /// The URLs requested, in order.
    pub fn requests(&self) -> Vec<String> {
        self.log
            .borrow()
            .iter()
            .map(|(url, _)| url.clone())
            .collect()
    }

    /// The requests as `<url> cache=<mode>` (empty without one), in order.
    pub fn requests_with_cache(&self) -> Vec<String> {
        self.log
            .borrow()
            .iter()
            .map(|(url, cache)| format!("{url} cache={}", cache.as_deref().unwrap_or_default()))
            .collect()
    }
}
