//! Every failure in a real browser: a typed `HotSwapError`, and the old instance still serving
//! with its state, proven by calling it.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use wasm_hotswap::HotModule;

wasm_bindgen_test_configure!(run_in_browser);

/// A v1 counter loaded and incremented to 41.
async fn serving() -> (HotModule, Function) {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    let increment = export(&m, "increment");
    assert_eq!(call(&increment, &[41]), 41);
    (m, increment)
}

/// The old instance still serves, with its state: the count goes on from 41.
fn assert_still_serving(m: &HotModule, increment: &Function) {
    assert_eq!(m.digest(), digest_of(&Counter::default().bytes()));
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(
        call(increment, &[1]),
        42,
        "the captured export reaches the old instance"
    );
    assert_eq!(call(&export(m, "get"), &[]), 42);
}

fn assert_error(err: &JsValue, expected_code: &str, names: &[&str]) {
    assert!(is_error(err), "rejects with an Error: {err:?}");
    assert_eq!(
        field(err, "name").as_string().as_deref(),
        Some("HotSwapError")
    );
    assert_eq!(code(err), expected_code, "{}", message(err));
    for item in names {
        assert!(
            message(err).contains(item),
            "message names {item}: {}",
            message(err)
        );
    }
}

fn v2() -> Counter {
    Counter {
        version: Some("1.1.0"),
        ..Counter::default()
    }
}

#[wasm_bindgen_test]
async fn wrong_digest_is_hash_mismatch_and_nothing_is_instantiated() {
    let (m, increment) = serving().await;
    let started = Rc::new(Cell::new(0));
    let count = Rc::clone(&started);
    let on_start = Closure::<dyn FnMut()>::new(move || count.set(count.get() + 1));
    let tampered = Counter {
        imports: r#"(import "env" "started" (func $started)) (start $started)"#,
        ..v2()
    }
    .bytes();
    let on_start_fn: &Function = on_start.as_ref().unchecked_ref();
    let env = imports(&[("started", on_start_fn.into())]);
    let wrong = digest_of(b"something else");

    let from_bytes = with(
        with(bytes_options(&tampered), "digest", wrong.clone().into()),
        "imports",
        env.clone(),
    );
    let err = swap_err(&m, from_bytes).await;
    assert_error(&err, "HASH_MISMATCH", &[&wrong, &digest_of(&tampered)]);

    let from_url = with(url_options(&blob_url(&tampered), &wrong), "imports", env);
    let err = swap_err(&m, from_url).await;
    assert_error(&err, "HASH_MISMATCH", &["blob:", &wrong]);

    assert_eq!(
        started.get(),
        0,
        "no instance was made from unverified bytes"
    );
    assert_still_serving(&m, &increment);
}

/// Replaces `WebAssembly.<name>` with a proxy of it that counts its calls and constructions
/// (`new WebAssembly.Module`) and passes them on; returns the count and a closure that puts
/// the original back.
fn count_calls(name: &str) -> (Rc<Cell<u32>>, impl FnOnce()) {
    let wasm = js_sys::Reflect::get(&js_sys::global(), &"WebAssembly".into()).unwrap();
    let original: Function = js_sys::Reflect::get(&wasm, &name.into())
        .unwrap()
        .unchecked_into();
    let calls = Rc::new(Cell::new(0));
    let (seen_call, seen_new) = (Rc::clone(&calls), Rc::clone(&calls));
    let apply =
        Closure::<dyn FnMut(Function, JsValue, js_sys::Array) -> Result<JsValue, JsValue>>::new(
            move |target: Function, this: JsValue, args: js_sys::Array| {
                seen_call.set(seen_call.get() + 1);
                js_sys::Reflect::apply(&target, &this, &args)
            },
        );
    let construct = Closure::<dyn FnMut(Function, js_sys::Array) -> Result<JsValue, JsValue>>::new(
        move |target: Function, args: js_sys::Array| {
            seen_new.set(seen_new.get() + 1);
            js_sys::Reflect::construct(&target, &args)
        },
    );
    let handler = js_sys::Object::new();
    js_sys::Reflect::set(&handler, &"apply".into(), apply.as_ref()).unwrap();
    js_sys::Reflect::set(&handler, &"construct".into(), construct.as_ref()).unwrap();
    let counting = js_sys::Proxy::new(&original, &handler);
    js_sys::Reflect::set(&wasm, &name.into(), &counting).unwrap();
    let name = name.to_string();
    let restore = move || {
        js_sys::Reflect::set(&wasm, &name.as_str().into(), &original).unwrap();
        drop((apply, construct));
    };
    (calls, restore)
}

#[wasm_bindgen_test]
async fn tampered_bytes_never_reach_the_compiler() {
    let (m, increment) = serving().await;
    let tampered = v2().bytes();
    let wrong = digest_of(b"something else");
    let (compiled, restore_compile) = count_calls("compile");
    let (streamed, restore_streaming) = count_calls("compileStreaming");
    let (constructed, restore_module) = count_calls("Module");

    let err = swap_err(&m, url_options(&blob_url(&tampered), &wrong)).await;
    assert_error(&err, "HASH_MISMATCH", &["blob:", &wrong]);
    let err = swap_err(
        &m,
        with(bytes_options(&tampered), "digest", wrong.clone().into()),
    )
    .await;
    assert_error(&err, "HASH_MISMATCH", &[&wrong]);
    let (before, before_streamed) = (compiled.get() + constructed.get(), streamed.get());
    assert_still_serving(&m, &increment);
    let right = digest_of(&tampered);
    let report = m.swap(url_options(&blob_url(&tampered), &right)).await;
    restore_compile();
    restore_streaming();
    restore_module();

    assert_eq!(before, 0, "no compile of bytes whose digest did not match");
    assert_eq!(
        before_streamed, 0,
        "no streaming compile of an unverified response"
    );
    assert!(report.is_ok(), "the same bytes under their own digest swap");
    assert_eq!(
        compiled.get() + constructed.get(),
        1,
        "the verified bytes were compiled, once (a module this small synchronously)"
    );
    assert_eq!(constructed.get(), 1, "small: `new WebAssembly.Module`");
    assert_eq!(m.digest(), right);
    assert_eq!(
        call(&increment, &[1]),
        43,
        "the state moved to the verified version"
    );
}

#[wasm_bindgen_test]
async fn bytes_that_are_not_wasm_are_invalid_module() {
    let (m, increment) = serving().await;
    let junk = b"<!doctype html><title>404</title>".to_vec();
    let err = swap_err(&m, bytes_options(&junk)).await;
    assert_error(&err, "INVALID_MODULE", &["magic header", "byte offset 0"]);
    let err = swap_err(&m, url_options(&blob_url(&junk), &digest_of(&junk))).await;
    assert_error(&err, "INVALID_MODULE", &["magic header"]);
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn truncated_module_is_invalid_module_with_its_offset() {
    let (m, increment) = serving().await;
    let whole = v2().bytes();
    let truncated = &whole[..whole.len() / 2];
    let err = swap_err(&m, bytes_options(truncated)).await;
    assert_error(&err, "INVALID_MODULE", &["byte offset"]);
    assert_still_serving(&m, &increment);
}

/// A v1.1.0 counter whose extra function the engine refuses (it returns an i64 as an i32: the
/// binary parses, so inspect and the gate pass it), padded with a custom section to `size`.
fn refused_by_the_engine(size: usize) -> Vec<u8> {
    let mut bytes = Counter {
        version: Some("1.1.0"),
        extra: "(func (result i32) i64.const 0)",
        ..Counter::default()
    }
    .bytes();
    let name = b"pad";
    let payload = size.saturating_sub(bytes.len() + 16);
    let mut len = (1 + name.len() + payload) as u32;
    bytes.push(0);
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        bytes.push(if len == 0 { byte } else { byte | 0x80 });
        if len == 0 {
            break;
        }
    }
    bytes.push(name.len() as u8);
    bytes.extend_from_slice(name);
    bytes.resize(bytes.len() + payload, 0);
    bytes
}

#[wasm_bindgen_test]
async fn a_module_the_engine_refuses_is_invalid_module_compiled_on_the_spot_or_not() {
    let (m, increment) = serving().await;
    // 300 KB and 1 MB are compiled synchronously (at most SYNC_COMPILE_MAX), 3 MB with
    // `WebAssembly.compile`: the same refusal either way.
    for size in [300 << 10, 1 << 20, 3 << 20] {
        let bytes = refused_by_the_engine(size);
        assert!(
            bytes.len() >= size - 64,
            "padded to {size}: {}",
            bytes.len()
        );
        let err = swap_err(&m, bytes_options(&bytes)).await;
        assert_error(
            &err,
            "INVALID_MODULE",
            &["the engine refused to compile it"],
        );
    }
    assert_still_serving(&m, &increment);
    // The sizes above cover both paths only while the limit lies between them.
    const {
        assert!(wasm_hotswap::compile::SYNC_COMPILE_MAX >= 1 << 20);
        assert!(wasm_hotswap::compile::SYNC_COMPILE_MAX < 3 << 20);
    }
}

#[wasm_bindgen_test]
async fn component_binary_is_unsupported_component() {
    let (m, increment) = serving().await;
    let component = b"\0asm\x0d\0\x01\0".to_vec();
    let err = swap_err(&m, bytes_options(&component)).await;
    assert_error(&err, "UNSUPPORTED_COMPONENT", &["core module"]);
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn http_404_is_fetch_failed_naming_the_url() {
    let (m, increment) = serving().await;
    let err = swap_err(&m, url_options("/no-such-module.wasm", &digest_of(b""))).await;
    assert_error(&err, "FETCH_FAILED", &["/no-such-module.wasm", "HTTP 404"]);
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn http_500_is_fetch_failed() {
    let (m, increment) = serving().await;
    let server_error = Closure::<dyn FnMut(JsValue) -> Promise>::new(|_url| {
        let init = web_sys::ResponseInit::new();
        init.set_status(500);
        init.set_status_text("Internal Server Error");
        let response = web_sys::Response::new_with_opt_str_and_init(Some("boom"), &init).unwrap();
        Promise::resolve(response.as_ref() as &JsValue)
    });
    let fetch: &Function = server_error.as_ref().unchecked_ref();
    let options = with(
        url_options("https://registry.invalid/m.wasm", &digest_of(b"")),
        "fetch",
        fetch.into(),
    );
    let err = swap_err(&m, options).await;
    assert_error(
        &err,
        "FETCH_FAILED",
        &[
            "https://registry.invalid/m.wasm",
            "HTTP 500 Internal Server Error",
        ],
    );
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn network_error_is_fetch_failed_with_its_cause() {
    let (m, increment) = serving().await;
    // Nothing listens on the discard port of loopback: the connection is refused.
    let err = swap_err(
        &m,
        url_options("http://127.0.0.1:9/m.wasm", &digest_of(b"")),
    )
    .await;
    assert_error(
        &err,
        "FETCH_FAILED",
        &["http://127.0.0.1:9/m.wasm", "TypeError"],
    );
    assert!(
        is_error(&field(&err, "cause")),
        "the fetch's TypeError is the cause"
    );
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn removed_export_is_incompatible_interface_naming_it() {
    let (m, increment) = serving().await;
    let without_get = Counter {
        get: false,
        version: None,
        ..v2()
    }
    .bytes();
    let err = swap_err(&m, bytes_options(&without_get)).await;
    assert_error(&err, "INCOMPATIBLE_INTERFACE", &["export `get`", "removed"]);
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn changed_signature_is_incompatible_interface_naming_it() {
    let (m, increment) = serving().await;
    let wider = Counter {
        increment_sig: "(param $by i64) (result i64)",
        version: None,
        ..v2()
    }
    .bytes();
    let err = swap_err(&m, bytes_options(&wider)).await;
    assert_error(
        &err,
        "INCOMPATIBLE_INTERFACE",
        &["export `increment`", "(i32) -> i32", "(i64) -> i64"],
    );
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn import_the_host_lacks_is_incompatible_interface_naming_it() {
    let (m, increment) = serving().await;
    let needs_log = Counter {
        imports: r#"(import "env" "log" (func (param i32 i32)))"#,
        ..v2()
    }
    .bytes();
    let err = swap_err(&m, bytes_options(&needs_log)).await;
    assert_error(
        &err,
        "INCOMPATIBLE_INTERFACE",
        &["import `env.log`", "not provided"],
    );
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn trap_in_save_state_is_state_save_failed() {
    let trapping = Counter {
        save_body: "(unreachable)",
        ..Counter::default()
    }
    .bytes();
    let m = load(bytes_options(&trapping)).await;
    let increment = export(&m, "increment");
    call(&increment, &[41]);
    let err = swap_err(&m, bytes_options(&v2().bytes())).await;
    assert_error(&err, "STATE_SAVE_FAILED", &["`save_state` trapped"]);
    assert!(is_error(&field(&err, "cause")), "the trap is the cause");
    assert_eq!(m.digest(), digest_of(&trapping));
    assert_eq!(call(&increment, &[1]), 42);
}

#[wasm_bindgen_test]
async fn out_of_bounds_state_header_is_state_save_failed() {
    let lying = Counter {
        save_body: "(i32.store (i32.const 16) (i32.const 60000)) (i32.store (i32.const 20) (i32.const 9999)) (i32.const 16)",
        ..Counter::default()
    }
    .bytes();
    let m = load(bytes_options(&lying)).await;
    let increment = export(&m, "increment");
    call(&increment, &[41]);
    let err = swap_err(&m, bytes_options(&v2().bytes())).await;
    assert_error(&err, "STATE_SAVE_FAILED", &["60000..69999", "65536 bytes"]);
    assert_eq!(call(&increment, &[1]), 42);
}

#[wasm_bindgen_test]
async fn trap_in_load_state_is_state_load_failed() {
    let (m, increment) = serving().await;
    let trapping = Counter {
        load_body: "(unreachable)",
        ..v2()
    }
    .bytes();
    let err = swap_err(&m, bytes_options(&trapping)).await;
    assert_error(&err, "STATE_LOAD_FAILED", &["`load_state` trapped"]);
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn load_state_refusing_the_state_is_state_load_failed() {
    let (m, increment) = serving().await;
    let refusing = Counter {
        load_body: "(i32.const 7)",
        ..v2()
    }
    .bytes();
    let err = swap_err(&m, bytes_options(&refusing)).await;
    assert_error(&err, "STATE_LOAD_FAILED", &["`load_state` returned 7"]);
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn alloc_state_returning_zero_is_state_load_failed() {
    let (m, increment) = serving().await;
    let full = Counter {
        alloc_body: "(i32.const 0)",
        ..v2()
    }
    .bytes();
    let err = swap_err(&m, bytes_options(&full)).await;
    assert_error(&err, "STATE_LOAD_FAILED", &["`alloc_state(4)` returned 0"]);
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn some_but_not_all_state_exports_is_invalid_guest() {
    let partial = Counter {
        state_exports: false,
        extra: r#"(func (export "save_state") (result i32) (i32.const 16))"#,
        ..v2()
    }
    .bytes();
    let err = load_err(bytes_options(&partial)).await;
    assert_error(&err, "INVALID_GUEST", &["`alloc_state`", "`load_state`"]);

    let (m, increment) = serving().await;
    let err = swap_err(&m, bytes_options(&partial)).await;
    assert_error(&err, "INVALID_GUEST", &["`alloc_state`"]);
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn trap_in_start_function_is_instantiate_failed() {
    let (m, increment) = serving().await;
    let crashing = Counter {
        extra: "(func $boom (unreachable)) (start $boom)",
        ..v2()
    }
    .bytes();
    let err = swap_err(&m, bytes_options(&crashing)).await;
    assert_error(&err, "INSTANTIATE_FAILED", &["RuntimeError"]);
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn malformed_options_are_typed_errors() {
    let (m, increment) = serving().await;
    let err = swap_err(&m, url_options("/m.wasm", "sha256:ABC")).await;
    assert_error(
        &err,
        "INVALID_DIGEST",
        &["`sha256:ABC`", "64 lowercase hex"],
    );
    let err = swap_err(&m, JsValue::from_str("/m.wasm")).await;
    assert_error(&err, "INVALID_OPTIONS", &["`options`"]);
    let err = swap_err(
        &m,
        with(
            url_options("/m.wasm", &digest_of(b"")),
            "bytes",
            js_sys::Uint8Array::new_with_length(1).into(),
        ),
    )
    .await;
    assert_error(&err, "INVALID_OPTIONS", &["not both"]);
    let err = load_err(js_sys::Object::new().into()).await;
    assert_error(&err, "INVALID_OPTIONS", &["`digest`"]);
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn options_whose_getter_throws_are_invalid_options_with_what_it_threw() {
    let (m, increment) = serving().await;
    let options = js_sys::Function::new_no_args(
        "return { get url() { throw new Error('the url getter says no') }, digest: 'sha256:' + '0'.repeat(64) };",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let err = swap_err(&m, options).await;
    assert_error(
        &err,
        "INVALID_OPTIONS",
        &["`options`", "the url getter says no"],
    );
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn a_failed_swap_does_not_block_the_next_one() {
    let (m, increment) = serving().await;
    let bad = swap_err(&m, bytes_options(b"junk"));
    let good = swap_ok(&m, bytes_options(&v2().bytes()));
    let (bad, good) = futures_join(bad, good).await;
    assert_eq!(code(&bad), "INVALID_MODULE");
    assert_eq!(
        field(&good, "toVersion").as_string().as_deref(),
        Some("1.1.0")
    );
    assert_eq!(call(&increment, &[1]), 42, "state carried into v2");
}

/// Polls both futures to completion (both are already queued on the module).
async fn futures_join<A, B>(
    a: impl std::future::Future<Output = A>,
    b: impl std::future::Future<Output = B>,
) -> (A, B) {
    let a = a.await;
    (a, b.await)
}

/// A `fetch` written in JS, for behaviours a Rust closure would make hard to read.
fn js_fetch(body: &str) -> Function {
    Function::new_with_args("url, init", body)
}

#[wasm_bindgen_test]
async fn a_response_slower_than_the_timeout_is_fetch_failed() {
    let (m, increment) = serving().await;
    // Answers only when aborted, as a stalled server would.
    let stalled = js_fetch("return new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)))");
    let options = with(
        url_options("https://slow.invalid/m.wasm", &digest_of(b"")),
        "fetch",
        stalled.into(),
    );
    let err = swap_err(&m, with(options, "timeout", 50.into())).await;
    assert_error(
        &err,
        "FETCH_FAILED",
        &["https://slow.invalid/m.wasm", "TimeoutError"],
    );
    assert!(
        is_error(&field(&err, "cause")),
        "the abort reason is the cause"
    );
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn a_body_that_stalls_past_the_timeout_is_fetch_failed() {
    let (m, increment) = serving().await;
    // Sends the first 4 bytes, then nothing until the request is aborted.
    let trickle = js_fetch(
        "return Promise.resolve(new Response(new ReadableStream({ start(c) {
             c.enqueue(new Uint8Array([0, 97, 115, 109]));
             init.signal.addEventListener('abort', () => c.error(init.signal.reason));
         } })))",
    );
    let options = with(
        url_options("https://slow.invalid/m.wasm", &digest_of(b"")),
        "fetch",
        trickle.into(),
    );
    let err = swap_err(&m, with(options, "timeout", 50.into())).await;
    assert_error(
        &err,
        "FETCH_FAILED",
        &["broke off after 4 bytes", "TimeoutError"],
    );
    assert_still_serving(&m, &increment);
}

#[wasm_bindgen_test]
async fn a_huge_content_length_is_not_trusted_to_size_anything() {
    let (m, increment) = serving().await;
    let v2 = v2().bytes();
    let lying = js_fetch(&format!(
        "return Promise.resolve(new Response(new Uint8Array([{}]), {{ headers: {{ 'content-length': '99999999999999' }} }}))",
        v2.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
    ));
    let options = with(
        url_options("https://cdn.invalid/m.wasm", &digest_of(&v2)),
        "fetch",
        lying.into(),
    );
    let report = swap_ok(&m, options).await;
    assert_eq!(
        field(&report, "toVersion").as_string().as_deref(),
        Some("1.1.0")
    );
    assert_eq!(call(&increment, &[1]), 42);
}

#[wasm_bindgen_test]
async fn a_timeout_that_is_not_a_positive_number_is_invalid_options() {
    let (m, increment) = serving().await;
    let options = with(bytes_options(&v2().bytes()), "timeout", (-1).into());
    assert_error(
        &swap_err(&m, options).await,
        "INVALID_OPTIONS",
        &["`timeout`"],
    );
    assert_still_serving(&m, &increment);
}
