//! What a developer sees in the browser: every stage of a load or swap as a User Timing
//! measure (made a task after it settles), and `onProgress` told of each download's bytes.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const STAGES: [&str; 6] = [
    "wasm-hotswap resolve",
    "wasm-hotswap fetch + verify",
    "wasm-hotswap inspect",
    "wasm-hotswap gate",
    "wasm-hotswap compile",
    "wasm-hotswap instantiate",
];

/// `performance.getEntriesByName(name, "measure")`.
fn measures(name: &str) -> Array {
    let performance = Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let get: Function = Reflect::get(&performance, &"getEntriesByName".into())
        .unwrap()
        .unchecked_into();
    get.call2(&performance, &name.into(), &"measure".into())
        .unwrap()
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn every_stage_of_a_load_and_a_swap_is_a_user_timing_measure_naming_the_version() {
    tick(0).await; // the measures of an earlier test's loads
    let before: Vec<u32> = STAGES.iter().map(|s| measures(s).length()).collect();
    let commits = measures("wasm-hotswap commit").length();
    let v2 = Counter {
        version: Some("1.1.0"),
        ..Counter::default()
    };
    let m = load(bytes_options(&Counter::default().bytes())).await;
    swap_ok(&m, bytes_options(&v2.bytes())).await;
    // The stages' measures are made in a task after each load or swap settles.
    tick(0).await;
    for (stage, before) in STAGES.iter().zip(before) {
        assert_eq!(
            measures(stage).length(),
            before + 2,
            "{stage}: the load's and the swap's"
        );
    }
    let commit = measures("wasm-hotswap commit");
    assert_eq!(commit.length(), commits + 1);
    let last = commit.get(commit.length() - 1);
    assert_eq!(
        field(&last, "detail.what").as_string().as_deref(),
        Some("1.1.0")
    );
    assert!(field(&last, "duration").as_f64().unwrap() >= 0.0);
}

#[wasm_bindgen_test]
async fn on_progress_is_told_the_bytes_of_each_download_up_to_its_total() {
    let bytes = Counter::default().bytes();
    let seen = Array::new();
    let record = Function::new_with_args("seen, p", "seen.push([p.loaded, p.total, p.url])")
        .bind1(&JsValue::NULL, &seen);
    let url = blob_url(&bytes);
    let options = with(
        url_options(&url, &digest_of(&bytes)),
        "onProgress",
        record.into(),
    );
    let m = load(options).await;
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert!(seen.length() >= 1);
    let last = Array::from(&seen.get(seen.length() - 1));
    assert_eq!(
        last.get(0).as_f64(),
        Some(bytes.len() as f64),
        "everything was loaded"
    );
    assert_eq!(
        last.get(1).as_f64(),
        Some(bytes.len() as f64),
        "the total is the Content-Length"
    );
    assert_eq!(last.get(2).as_string(), Some(url));

    let err = load_err(with(bytes_options(&bytes), "onProgress", 5.into())).await;
    assert_eq!(code(&err), "INVALID_OPTIONS");
    assert!(message(&err).contains("onProgress"), "{}", message(&err));
}
