//! Staged updates in a real browser: `m.prepare()` runs every stage but the commit while the
//! old version serves, and the update's synchronous `commit()` finishes it, or refuses when it
//! went stale.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn version(version: &'static str) -> Counter {
    Counter {
        version: Some(version),
        ..Counter::default()
    }
}

async fn prepare(m: &wasm_hotswap::HotModule, options: JsValue) -> JsValue {
    match JsFuture::from(m.prepare(options)).await {
        Ok(update) => update,
        Err(err) => panic!("prepare failed: {} {}", code(&err), message(&err)),
    }
}

/// Calls `update.method()` the way JS does.
fn invoke(update: &JsValue, method: &str) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(update, &JsValue::from_str(method))
        .unwrap()
        .dyn_into()
        .unwrap();
    f.call0(update)
}

#[wasm_bindgen_test]
async fn a_prepared_update_serves_nothing_until_its_synchronous_commit() {
    let v1 = Counter::default().bytes();
    let v2 = version("1.1.0").bytes();
    let m = load(bytes_options(&v1)).await;
    let increment = export(&m, "increment");
    call(&increment, &[4]);

    let update = prepare(&m, bytes_options(&v2)).await;
    assert_eq!(
        field(&update, "version").as_string().as_deref(),
        Some("1.1.0")
    );
    assert_eq!(field(&update, "digest").as_string(), Some(digest_of(&v2)));
    // Prepared, not committed: v1 still serves, and calls still reach it.
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(call(&increment, &[1]), 5);

    let report = invoke(&update, "commit").expect("commit");
    assert_eq!(
        m.version().as_deref(),
        Some("1.1.0"),
        "served as soon as commit returned"
    );
    assert_eq!(
        field(&report, "toVersion").as_string().as_deref(),
        Some("1.1.0")
    );
    assert_eq!(field(&report, "stateBytes").as_f64(), Some(4.0));
    assert_eq!(
        call(&increment, &[1]),
        6,
        "the state and the captured export carried over"
    );
}

#[wasm_bindgen_test]
async fn committing_a_stale_update_is_stale_update_and_the_serving_version_keeps_its_state() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    let increment = export(&m, "increment");
    call(&increment, &[3]);
    let to_v2 = prepare(&m, bytes_options(&version("1.1.0").bytes())).await;
    let to_v3 = prepare(&m, bytes_options(&version("1.2.0").bytes())).await;

    invoke(&to_v3, "commit").expect("the first commit");
    let err = invoke(&to_v2, "commit").expect_err("v2 was prepared against 1.0.0");
    assert_eq!(code(&err), "STALE_UPDATE");
    assert!(message(&err).contains("1.1.0"), "{}", message(&err));
    assert!(message(&err).contains("1.2.0"), "{}", message(&err));
    assert_eq!(m.version().as_deref(), Some("1.2.0"));
    assert_eq!(call(&increment, &[1]), 4);
}

#[wasm_bindgen_test]
async fn a_discarded_or_committed_update_cannot_be_committed_again() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    let discarded = prepare(&m, bytes_options(&version("1.1.0").bytes())).await;
    invoke(&discarded, "discard").unwrap();
    let err = invoke(&discarded, "commit").expect_err("discarded");
    assert_eq!(code(&err), "STALE_UPDATE");
    assert_eq!(m.version().as_deref(), Some("1.0.0"));

    let update = prepare(&m, bytes_options(&version("1.1.0").bytes())).await;
    invoke(&update, "commit").expect("commit");
    let err = invoke(&update, "commit").expect_err("committed already");
    assert_eq!(code(&err), "STALE_UPDATE");
    assert_eq!(m.version().as_deref(), Some("1.1.0"));
}

#[wasm_bindgen_test]
async fn prepare_refuses_what_swap_refuses_and_the_old_version_keeps_serving() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    call(&export(&m, "increment"), &[2]);
    let err = JsFuture::from(m.prepare(bytes_options(&version("0.9.0").bytes())))
        .await
        .expect_err("a downgrade");
    assert_eq!(code(&err), "DOWNGRADE_REFUSED");
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(call(&export(&m, "get"), &[]), 2);
}
