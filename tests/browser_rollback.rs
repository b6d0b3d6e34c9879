//! Rollback and probation in a real browser: `m.rollback()` returns to the version kept from
//! before the last swap; during `policy.probation` a trap in the new version, or a health
//! check that says no, rolls back by itself; `swapped` and `rolledback` announce each.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Array, Function, Object, Reflect};
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

/// 1.1.0 with `boom()`, which traps.
fn faulty() -> Counter {
    Counter {
        version: Some("1.1.0"),
        extra: r#"(func (export "boom") (result i32) unreachable)"#,
        ..Counter::default()
    }
}

/// 1.1.0 whose state is 8 bytes (the count twice), which 1.0.0 refuses; it reads 1.0.0's.
fn eight_byte_state() -> Counter {
    Counter {
        version: Some("1.1.0"),
        save_body: "(i32.store (i32.const 1024) (global.get $count))
                    (i32.store (i32.const 1028) (global.get $count))
                    (i32.store (i32.const 16) (i32.const 1024))
                    (i32.store (i32.const 20) (i32.const 8))
                    (i32.const 16)",
        load_body: "(global.set $count (i32.load (local.get 0))) (i32.const 0)",
        ..Counter::default()
    }
}

async fn rollback(m: &wasm_hotswap::HotModule, options: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(m.rollback(options)).await
}

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

/// `policy` with `probation: { ms: 60000 }` and the given extra fields.
fn probation(extra: &[(&str, JsValue)]) -> JsValue {
    let policy = object(&[("probation", object(&[("ms", 60_000.into())]))]);
    for (key, value) in extra {
        Reflect::set(&policy, &JsValue::from_str(key), value).unwrap();
    }
    policy
}

/// Listens to `kind` on `m`, recording each event's detail.
fn record(m: &wasm_hotswap::HotModule, kind: &str) -> Array {
    let seen = Array::new();
    let push =
        Function::new_with_args("seen, e", "seen.push(e.detail)").bind1(&JsValue::NULL, &seen);
    m.add_event_listener(kind, &push, &JsValue::UNDEFINED);
    seen
}

fn text(value: &JsValue, path: &str) -> String {
    field(value, path).as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn rollback_returns_to_the_previous_version_with_the_current_state_fetching_nothing() {
    let v1 = Counter::default().bytes();
    let v2 = version("1.1.0").bytes();
    let fetches = Array::new();
    let counting =
        Function::new_with_args("seen, url, init", "seen.push(url); return fetch(url, init)")
            .bind1(&JsValue::NULL, &fetches);
    let m = load(with(
        url_options(&blob_url(&v1), &digest_of(&v1)),
        "fetch",
        counting.into(),
    ))
    .await;
    let increment = export(&m, "increment");
    call(&increment, &[2]);
    swap_ok(&m, url_options(&blob_url(&v2), &digest_of(&v2))).await;
    call(&increment, &[3]);
    let rolled = record(&m, "rolledback");
    let fetched = fetches.length();

    let report = rollback(&m, JsValue::UNDEFINED).await.expect("rollback");
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(fetches.length(), fetched, "a rollback fetches nothing");
    assert_eq!(
        call(&increment, &[1]),
        6,
        "the current state moved back, captured export and all"
    );
    assert_eq!(text(&report, "fromVersion"), "1.1.0");
    assert_eq!(text(&report, "toVersion"), "1.0.0");
    assert_eq!(text(&report, "rollback.restore"), "state");
    assert_eq!(field(&report, "stateBytes").as_f64(), Some(4.0));
    assert_eq!(rolled.length(), 1);
    assert_eq!(text(&rolled.get(0), "reason"), "requested");
    assert_eq!(text(&rolled.get(0), "to"), "1.0.0");
}

#[wasm_bindgen_test]
async fn rollback_with_nothing_kept_is_nothing_to_roll_back_and_the_version_serves_on() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    call(&export(&m, "increment"), &[4]);
    let err = rollback(&m, JsValue::UNDEFINED)
        .await
        .expect_err("nothing kept");
    assert_eq!(code(&err), "NOTHING_TO_ROLL_BACK");
    assert_eq!(call(&export(&m, "get"), &[]), 4);

    // With `retain: 1` no earlier version is kept, even after a swap; the message says why.
    let m = load(with(
        bytes_options(&Counter::default().bytes()),
        "retain",
        1.into(),
    ))
    .await;
    swap_ok(&m, bytes_options(&version("1.1.0").bytes())).await;
    call(&export(&m, "increment"), &[5]);
    let err = rollback(&m, JsValue::UNDEFINED)
        .await
        .expect_err("retain 1");
    assert_eq!(code(&err), "NOTHING_TO_ROLL_BACK");
    assert!(message(&err).contains("`retain` is 1"), "{}", message(&err));
    assert_eq!(m.version().as_deref(), Some("1.1.0"));
    assert_eq!(call(&export(&m, "get"), &[]), 5);

    let err = load_err(with(
        bytes_options(&Counter::default().bytes()),
        "retain",
        0.into(),
    ))
    .await;
    assert_eq!(code(&err), "INVALID_OPTIONS");
}

#[wasm_bindgen_test]
async fn a_rollback_the_older_guest_refuses_keeps_the_newer_serving_and_a_snapshot_restore_then_works(
) {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    let increment = export(&m, "increment");
    call(&increment, &[7]);
    swap_ok(&m, bytes_options(&eight_byte_state().bytes())).await;
    call(&increment, &[1]);

    let err = rollback(&m, JsValue::UNDEFINED)
        .await
        .expect_err("1.0.0 reads 4 bytes only");
    assert_eq!(code(&err), "STATE_LOAD_FAILED");
    assert_eq!(m.version().as_deref(), Some("1.1.0"));
    assert_eq!(
        call(&export(&m, "get"), &[]),
        8,
        "the newer version kept its state"
    );

    let report = rollback(&m, object(&[("restore", "snapshot".into())]))
        .await
        .expect("the snapshot needs no load");
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(
        call(&increment, &[0]),
        7,
        "the state 1.0.0 had when it was swapped out"
    );
    assert_eq!(text(&report, "rollback.restore"), "snapshot");
    let lost = Array::from(&field(&report, "rollback.lost"));
    assert_eq!(
        lost.get(0).as_string().as_deref(),
        Some("the state 1.1.0 held")
    );

    let err = rollback(&m, object(&[("restore", "nope".into())]))
        .await
        .expect_err("bad option");
    assert_eq!(code(&err), "INVALID_OPTIONS");
}

#[wasm_bindgen_test]
async fn a_trap_during_probation_rolls_back_with_the_count_intact_and_reaches_its_caller() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    let increment = export(&m, "increment");
    call(&increment, &[3]);
    let rolled = record(&m, "rolledback");
    let swapped = record(&m, "swapped");
    let options = with(bytes_options(&faulty().bytes()), "policy", probation(&[]));
    swap_ok(&m, options).await;
    assert_eq!(swapped.length(), 1);
    assert_eq!(text(&swapped.get(0), "report.toVersion"), "1.1.0");
    call(&increment, &[2]);

    let trap = export(&m, "boom")
        .call0(&JsValue::NULL)
        .expect_err("boom traps");
    assert!(
        trap.is_instance_of::<js_sys::WebAssembly::RuntimeError>(),
        "{trap:?}"
    );
    assert_eq!(
        m.version().as_deref(),
        Some("1.0.0"),
        "rolled back by itself"
    );
    assert_eq!(
        call(&increment, &[1]),
        6,
        "with the count the new version had"
    );
    assert_eq!(rolled.length(), 1);
    let event = rolled.get(0);
    assert_eq!(text(&event, "reason"), "trap");
    assert_eq!(text(&event, "from"), "1.1.0");
    assert_eq!(text(&event, "to"), "1.0.0");
    assert!(field(&event, "error").is_instance_of::<js_sys::WebAssembly::RuntimeError>());
}

#[wasm_bindgen_test]
async fn probation_ends_after_its_calls_and_a_later_trap_reaches_only_its_caller() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    let policy = object(&[("probation", object(&[("calls", 1.into())]))]);
    swap_ok(&m, with(bytes_options(&faulty().bytes()), "policy", policy)).await;
    call(&export(&m, "increment"), &[1]);
    export(&m, "boom")
        .call0(&JsValue::NULL)
        .expect_err("boom traps");
    assert_eq!(m.version().as_deref(), Some("1.1.0"), "probation was over");
    assert_eq!(call(&export(&m, "get"), &[]), 1);
}

#[wasm_bindgen_test]
async fn a_health_check_that_throws_rolls_back_and_the_swap_is_health_check_failed() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    call(&export(&m, "increment"), &[9]);
    let rolled = record(&m, "rolledback");
    let check = Function::new_with_args(
        "exports",
        "if (exports.get() === 9) throw new Error('unhealthy'); return true",
    );
    let options = with(
        bytes_options(&version("1.1.0").bytes()),
        "policy",
        probation(&[("healthCheck", check.into())]),
    );
    let err = swap_err(&m, options).await;
    assert_eq!(code(&err), "HEALTH_CHECK_FAILED");
    assert!(message(&err).contains("unhealthy"), "{}", message(&err));
    assert!(
        message(&err).contains("rolled back to 1.0.0"),
        "{}",
        message(&err)
    );
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(call(&export(&m, "get"), &[]), 9);
    assert_eq!(text(&rolled.get(0), "reason"), "health-check");
}

#[wasm_bindgen_test]
async fn a_staged_commit_whose_async_health_check_says_no_rolls_back_after_it_returned() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    call(&export(&m, "increment"), &[2]);
    let check = Function::new_with_args("exports", "return Promise.resolve(false)");
    let options = with(
        bytes_options(&version("1.1.0").bytes()),
        "policy",
        object(&[("healthCheck", check.into())]),
    );
    let update = JsFuture::from(m.prepare(options)).await.expect("prepare");
    let rolled = record(&m, "rolledback");
    let commit: Function = Reflect::get(&update, &"commit".into())
        .unwrap()
        .unchecked_into();
    commit.call0(&update).expect("the commit itself succeeds");
    assert_eq!(m.version().as_deref(), Some("1.1.0"));
    tick(20).await;
    assert_eq!(
        m.version().as_deref(),
        Some("1.0.0"),
        "the answer came: rolled back"
    );
    assert_eq!(call(&export(&m, "get"), &[]), 2);
    assert_eq!(text(&rolled.get(0), "reason"), "health-check");
}

#[wasm_bindgen_test]
async fn a_staged_update_prepared_before_a_rollback_is_stale() {
    let m = load(bytes_options(&Counter::default().bytes())).await;
    swap_ok(&m, bytes_options(&version("1.1.0").bytes())).await;
    call(&export(&m, "increment"), &[3]);
    let update = JsFuture::from(m.prepare(bytes_options(&version("1.2.0").bytes())))
        .await
        .expect("prepare");
    rollback(&m, JsValue::UNDEFINED).await.expect("rollback");
    let commit: Function = Reflect::get(&update, &"commit".into())
        .unwrap()
        .unchecked_into();
    let err = commit.call0(&update).expect_err("prepared against 1.1.0");
    assert_eq!(code(&err), "STALE_UPDATE");
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(call(&export(&m, "get"), &[]), 3);
}
