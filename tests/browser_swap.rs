//! Successful swaps in a real browser: state carried, exports rebound, swaps serialized.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use js_sys::{Function, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn v2() -> Counter {
    Counter {
        version: Some("1.1.0"),
        extra: r#"(func (export "double") (result i32) (i32.mul (global.get $count) (i32.const 2)))"#,
        ..Counter::default()
    }
}

#[wasm_bindgen_test]
async fn load_verifies_and_serves_exports_with_version_and_digest() {
    let bytes = Counter::default().bytes();
    let m = load(bytes_options(&bytes)).await;
    assert_eq!(m.digest(), digest_of(&bytes));
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(call(&export(&m, "increment"), &[2]), 2);
    assert_eq!(call(&export(&m, "get"), &[]), 2);
    for hidden in ["save_state", "alloc_state", "load_state"] {
        assert!(
            !has_export(&m, hidden),
            "{hidden} is the runtime's, not the app's"
        );
    }
}

#[wasm_bindgen_test]
async fn load_by_url_streams_through_fetch() {
    let bytes = Counter::default().bytes();
    let m = load(url_options(&blob_url(&bytes), &digest_of(&bytes))).await;
    assert_eq!(call(&export(&m, "increment"), &[7]), 7);
}

#[wasm_bindgen_test]
async fn swap_carries_state_and_captured_exports_reach_the_new_instance() {
    let v1 = Counter::default().bytes();
    let v2 = v2().bytes();
    let m = load(bytes_options(&v1)).await;
    let increment = export(&m, "increment");
    assert_eq!(call(&increment, &[5]), 5);

    let report = swap_ok(&m, bytes_options(&v2)).await;

    assert_eq!(m.digest(), digest_of(&v2));
    assert_eq!(m.version().as_deref(), Some("1.1.0"));
    assert_eq!(field(&report, "from").as_string(), Some(digest_of(&v1)));
    assert_eq!(field(&report, "to").as_string(), Some(digest_of(&v2)));
    assert_eq!(
        field(&report, "fromVersion").as_string().as_deref(),
        Some("1.0.0")
    );
    assert_eq!(
        field(&report, "toVersion").as_string().as_deref(),
        Some("1.1.0")
    );
    assert_eq!(field(&report, "stateBytes").as_f64(), Some(4.0));
    assert_eq!(
        field(&report, "guest").as_string().as_deref(),
        Some("stateful")
    );
    // The function captured before the swap now reaches v2: v2 sees the increment.
    assert_eq!(call(&increment, &[1]), 6);
    assert_eq!(call(&export(&m, "double"), &[]), 12);
    assert!(
        increment == export(&m, "increment"),
        "the same function object across swaps"
    );
}

#[wasm_bindgen_test]
async fn swap_over_fetch_carries_state() {
    let v1 = Counter::default().bytes();
    let v2 = v2().bytes();
    let m = load(bytes_options(&v1)).await;
    call(&export(&m, "increment"), &[3]);
    swap_ok(&m, url_options(&blob_url(&v2), &digest_of(&v2))).await;
    assert_eq!(call(&export(&m, "double"), &[]), 6);
}

#[wasm_bindgen_test]
async fn report_times_every_stage_and_the_commit() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    let report = swap_ok(&m, bytes_options(&v2().bytes())).await;
    for key in [
        "stages.fetchVerify",
        "stages.inspect",
        "stages.gate",
        "stages.compile",
        "stages.instantiate",
        "commit",
        "commitStages.save",
        "commitStages.copy",
        "commitStages.load",
        "commitStages.rebind",
        "total",
        "queued",
    ] {
        let value = field(&report, key)
            .as_f64()
            .unwrap_or_else(|| panic!("{key} is a number"));
        assert!(value >= 0.0, "{key} = {value}");
    }
    assert!(field(&report, "commit").as_f64() <= field(&report, "total").as_f64());
}

#[wasm_bindgen_test]
async fn stateless_guests_swap_without_migration() {
    let stateless = |version| Counter {
        version: Some(version),
        state_exports: false,
        ..Counter::default()
    };
    let m = load(bytes_options(&stateless("1.0.0").bytes())).await;
    call(&export(&m, "increment"), &[4]);
    let report = swap_ok(&m, bytes_options(&stateless("1.0.1").bytes())).await;
    assert_eq!(field(&report, "stateBytes").as_f64(), Some(0.0));
    assert_eq!(
        field(&report, "guest").as_string().as_deref(),
        Some("stateless")
    );
    assert_eq!(m.version().as_deref(), Some("1.0.1"));
    assert_eq!(
        call(&export(&m, "get"), &[]),
        0,
        "a stateless guest starts afresh"
    );
}

#[wasm_bindgen_test]
async fn memory_export_is_a_getter_for_the_serving_instance() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    let before = get(&m, "memory");
    assert!(before.is_instance_of::<WebAssembly::Memory>());
    swap_ok(&m, bytes_options(&v2().bytes())).await;
    let after = get(&m, "memory");
    assert!(after.is_instance_of::<WebAssembly::Memory>());
    assert!(
        before != after,
        "m.exports.memory is the new instance's memory after a swap"
    );
}

#[wasm_bindgen_test]
async fn concurrent_swaps_run_one_after_another() {
    let v1 = Counter::default().bytes();
    let v3 = Counter {
        version: Some("1.2.0"),
        ..v2()
    }
    .bytes();
    let v2 = v2().bytes();
    let m = load(bytes_options(&v1)).await;
    call(&export(&m, "increment"), &[10]);

    let first = m.swap(bytes_options(&v2));
    let second = m.swap(bytes_options(&v3));
    let first = wasm_bindgen_futures::JsFuture::from(first).await.unwrap();
    let second = wasm_bindgen_futures::JsFuture::from(second).await.unwrap();

    assert_eq!(field(&first, "from").as_string(), Some(digest_of(&v1)));
    assert_eq!(
        field(&second, "from").as_string(),
        Some(digest_of(&v2)),
        "the second swap starts from the first's result"
    );
    assert_eq!(m.digest(), digest_of(&v3));
    assert_eq!(
        call(&export(&m, "get"), &[]),
        10,
        "state carried through both swaps"
    );
}

#[wasm_bindgen_test]
async fn export_called_during_commit_fails_with_swap_in_progress() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    call(&export(&m, "increment"), &[1]);
    let get_stub = export(&m, "get");
    let seen: Rc<RefCell<Option<String>>> = Rc::default();
    let record = Rc::clone(&seen);
    let probe = Closure::<dyn FnMut()>::new(move || {
        let outcome = match get_stub.call0(&JsValue::NULL) {
            Ok(value) => format!("returned {value:?}"),
            Err(err) => code(&err),
        };
        *record.borrow_mut() = Some(outcome);
    });
    let reentrant = Counter {
        version: Some("1.1.0"),
        imports: r#"(import "env" "probe" (func $probe))"#,
        load_body: "(call $probe)
                    (if (i32.ne (local.get 1) (i32.const 4)) (then (return (i32.const 1))))
                    (global.set $count (i32.load (local.get 0)))
                    (i32.const 0)",
        ..Counter::default()
    }
    .bytes();
    let probe_fn: &Function = probe.as_ref().unchecked_ref();
    let options = with(
        bytes_options(&reentrant),
        "imports",
        imports(&[("probe", probe_fn.into())]),
    );

    swap_ok(&m, options).await;

    assert_eq!(seen.borrow().as_deref(), Some("SWAP_IN_PROGRESS"));
    assert_eq!(
        call(&export(&m, "get"), &[]),
        1,
        "after the commit, calls reach the new instance"
    );
}

#[wasm_bindgen_test]
async fn large_state_moves_intact() {
    // save_state writes a 128 KiB pattern; load_state checks every byte of it.
    const FILL: &str = "(local $i i32)
        (loop $fill
          (i32.store8 (i32.add (i32.const 131072) (local.get $i)) (i32.xor (local.get $i) (i32.const 0x5a)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $fill (i32.lt_u (local.get $i) (i32.const 131072))))
        (i32.store (i32.const 16) (i32.const 131072))
        (i32.store (i32.const 20) (i32.const 131072))
        (i32.const 16)";
    const CHECK: &str = "(local $i i32)
        (if (i32.ne (local.get 1) (i32.const 131072)) (then (return (i32.const 1))))
        (loop $check
          (if (i32.ne (i32.load8_u (i32.add (local.get 0) (local.get $i))) (i32.and (i32.xor (local.get $i) (i32.const 0x5a)) (i32.const 255)))
            (then (return (i32.const 2))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $check (i32.lt_u (local.get $i) (i32.const 131072))))
        (i32.const 0)";
    let big = |version| {
        Counter {
            version: Some(version),
            save_body: FILL,
            load_body: CHECK,
            ..Counter::default()
        }
        .wat()
        .replace(
            r#"(memory (export "memory") 1)"#,
            r#"(memory (export "memory") 4)"#,
        )
    };
    let v1 = wat::parse_str(big("1.0.0")).unwrap();
    let v2 = wat::parse_str(big("1.0.1")).unwrap();
    let m = load(bytes_options(&v1)).await;
    let report = swap_ok(&m, bytes_options(&v2)).await;
    assert_eq!(field(&report, "stateBytes").as_f64(), Some(131072.0));
}

#[wasm_bindgen_test]
async fn interface_and_metadata_describe_the_serving_instance() {
    let v1 = Counter {
        extra: r#"(@custom "description" "A counter") (@custom "licenses" "MIT")"#,
        ..Counter::default()
    }
    .bytes();
    let m = load(bytes_options(&v1)).await;
    let interface = m.interface();
    assert_eq!(
        field(&interface, "version").as_string().as_deref(),
        Some("1.0.0")
    );
    let exports: js_sys::Array = field(&interface, "exports").unchecked_into();
    let increment = exports
        .iter()
        .find(|e| field(e, "name").as_string().as_deref() == Some("increment"))
        .expect("increment is listed");
    assert_eq!(
        field(&increment, "kind").as_string().as_deref(),
        Some("func")
    );
    assert_eq!(
        js_sys::JSON::stringify(&field(&increment, "params")).unwrap(),
        "[\"i32\"]"
    );
    let metadata = m.metadata();
    assert_eq!(
        field(&metadata, "description").as_string().as_deref(),
        Some("A counter")
    );
    assert_eq!(
        field(&metadata, "licenses").as_string().as_deref(),
        Some("MIT")
    );
    assert!(field(&metadata, "authors").is_null());

    swap_ok(&m, bytes_options(&v2().bytes())).await;
    assert!(
        field(&m.metadata(), "description").is_null(),
        "v2 carries no description"
    );
}

/// A `fetch` that answers with `bytes` as a body of two chunks (split at `split`) under
/// `headers`, and the stream's state: its body closes `close_after` ms after the chunks
/// (`state.closed` then true).
fn streaming_fetch(
    bytes: &[u8],
    split: usize,
    headers: &JsValue,
    close_after: u32,
) -> (Function, JsValue) {
    let body = js_sys::Uint8Array::from(bytes);
    let made: js_sys::Array = Function::new_with_args(
        "body, split, headers, closeAfter",
        "const state = { closed: false };
         const fetch = () => Promise.resolve(new Response(new ReadableStream({
           start(c) {
             c.enqueue(body.slice(0, split));
             c.enqueue(body.slice(split));
             setTimeout(() => { state.closed = true; c.close(); }, closeAfter);
           },
         }), { headers }));
         return [fetch, state];",
    )
    .call4(
        &JsValue::NULL,
        &body,
        &(split as u32).into(),
        headers,
        &close_after.into(),
    )
    .unwrap()
    .unchecked_into();
    (made.get(0).unchecked_into(), made.get(1))
}

fn headers(entries: &[(&str, String)]) -> JsValue {
    let headers = js_sys::Object::new();
    for (name, value) in entries {
        js_sys::Reflect::set(&headers, &(*name).into(), &value.as_str().into()).unwrap();
    }
    headers.into()
}

#[wasm_bindgen_test]
async fn a_body_whose_content_length_is_in_is_verified_without_waiting_for_the_stream_to_end() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    let bytes = v2().bytes();
    let length = headers(&[("content-length", bytes.len().to_string())]);
    // The stream ends long after its last byte: the swap finishes at that byte.
    let (fetch, state) = streaming_fetch(&bytes, bytes.len() / 2, &length, 3_000);
    let options = with(
        url_options("https://registry.invalid/v2.wasm", &digest_of(&bytes)),
        "fetch",
        fetch.into(),
    );
    swap_ok(&m, options).await;
    assert_eq!(
        field(&state, "closed"),
        JsValue::FALSE,
        "the swap did not wait for the end of the stream"
    );
    assert_eq!(m.digest(), digest_of(&bytes));
    assert_eq!(m.version().as_deref(), Some("1.1.0"));
}

#[wasm_bindgen_test]
async fn an_encoded_body_is_read_to_its_end_past_its_content_length() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    let bytes = v2().bytes();
    // As a gzip-encoded response looks once the browser decoded it: the stream gives more bytes
    // than the header counts (the encoded length).
    let encoded = headers(&[
        ("content-length", "16".to_string()),
        ("content-encoding", "gzip".to_string()),
    ]);
    let (fetch, _) = streaming_fetch(&bytes, 16, &encoded, 0);
    let options = with(
        url_options("https://registry.invalid/v2.wasm", &digest_of(&bytes)),
        "fetch",
        fetch.into(),
    );
    swap_ok(&m, options).await;
    assert_eq!(m.digest(), digest_of(&bytes), "all of the body was read");
}
