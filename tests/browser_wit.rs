//! The WIT world check in a real browser, in the `wit` build
//! (`wasm-pack test --headless --chrome --features wit`).
#![cfg(all(target_arch = "wasm32", feature = "wit"))]

mod common;

use common::*;
use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use wasm_hotswap::wit::embed_world;

wasm_bindgen_test_configure!(run_in_browser);

const HOST: &str = "package example:counter@1.0.0;
world counter {
    export increment: func(by: s32) -> s32;
    export get: func() -> s32;
}";

fn with_world(counter: Counter, wit: &str) -> Vec<u8> {
    embed_world(&counter.bytes(), wit, None).unwrap()
}

fn expect_wit(wit: &str) -> JsValue {
    let expect = Object::new();
    Reflect::set(&expect, &"wit".into(), &wit.into()).unwrap();
    expect.into()
}

#[wasm_bindgen_test]
async fn a_module_whose_world_satisfies_the_hosts_loads_and_swaps() {
    let v1 = with_world(Counter::default(), HOST);
    let m = load(with(bytes_options(&v1), "expect", expect_wit(HOST))).await;
    call(&export(&m, "increment"), &[5]);
    let grown = HOST.replace("export get", "export reset: func();\n    export get");
    let v2 = with_world(
        Counter {
            version: Some("1.1.0"),
            ..Counter::default()
        },
        &grown,
    );
    swap_ok(&m, bytes_options(&v2)).await;
    assert_eq!(call(&export(&m, "get"), &[]), 5);
}

#[wasm_bindgen_test]
async fn a_world_missing_an_expected_export_is_refused_naming_it() {
    let v1 = with_world(Counter::default(), HOST);
    let m = load(with(bytes_options(&v1), "expect", expect_wit(HOST))).await;
    call(&export(&m, "increment"), &[41]);
    let shrunk = HOST.replace("    export get: func() -> s32;\n", "");
    let v2 = with_world(
        Counter {
            version: Some("1.0.1"),
            ..Counter::default()
        },
        &shrunk,
    );
    let err = swap_err(&m, bytes_options(&v2)).await;
    assert_eq!(code(&err), "INCOMPATIBLE_INTERFACE", "{}", message(&err));
    assert!(message(&err).contains("`get`"), "{}", message(&err));
    assert_eq!(
        call(&export(&m, "increment"), &[1]),
        42,
        "the old instance keeps serving"
    );
}

#[wasm_bindgen_test]
async fn a_module_without_a_world_is_refused_when_the_host_expects_one() {
    let err = load_err(with(
        bytes_options(&Counter::default().bytes()),
        "expect",
        expect_wit(HOST),
    ))
    .await;
    assert_eq!(code(&err), "INCOMPATIBLE_INTERFACE");
    assert!(message(&err).contains("no WIT world"), "{}", message(&err));
}

#[wasm_bindgen_test]
async fn host_wit_that_does_not_parse_is_invalid_options() {
    let v1 = with_world(Counter::default(), HOST);
    let err = load_err(with(bytes_options(&v1), "expect", expect_wit("world {"))).await;
    assert_eq!(code(&err), "INVALID_OPTIONS");
    assert!(message(&err).contains("expect.wit"), "{}", message(&err));
}
