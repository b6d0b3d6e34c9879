//! Async (JSPI) guests in a real browser: a raw guest given a `WebAssembly.Suspending` import
//! has `WebAssembly.promising` exports, stable across swaps, and a swap that arrives while a
//! call is suspended in the middle waits for it (`drainTimeout`), queuing the calls made
//! meanwhile, then releases them to the new version; a drain that times out is
//! `DRAIN_TIMEOUT`, and the old version serves every call with its state.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A counter whose `slow(by)` awaits the host's `env.wait` (a `WebAssembly.Suspending`
/// import) before it adds `by`, and returns `marker + count`; `which()` returns `marker`.
fn async_counter(version: &'static str, marker: i32) -> Counter {
    let extra = format!(
        r#"(func (export "slow") (param $by i32) (result i32)
             (drop (call $wait))
             (global.set $count (i32.add (global.get $count) (local.get $by)))
             (i32.add (i32.const {marker}) (global.get $count)))
           (func (export "which") (result i32) (i32.const {marker}))"#
    );
    Counter {
        version: Some(version),
        imports: r#"(import "env" "wait" (func $wait (result i32)))"#,
        extra: Box::leak(extra.into_boxed_str()),
        ..Counter::default()
    }
}

/// The host side of `env.wait`: `wait`, a `WebAssembly.Suspending` over an async function
/// whose promises the test resolves one by one with `release()`; `pending`, those not yet.
fn host() -> JsValue {
    Function::new_no_args(
        "const host = { pending: [] };
         host.wait = new WebAssembly.Suspending(() => new Promise((resolve) => host.pending.push(resolve)));
         host.release = () => host.pending.shift()(0);
         return host;",
    )
    .call0(&JsValue::NULL)
    .unwrap()
}

fn release(host: &JsValue) {
    let release: Function = field(host, "release").unchecked_into();
    release.call0(&JsValue::NULL).unwrap();
}

fn pending(host: &JsValue) -> u32 {
    field(host, "pending").unchecked_into::<Array>().length()
}

/// `{ bytes, digest, imports: { env: { wait } } }`.
fn with_wait(bytes: &[u8], host: &JsValue) -> JsValue {
    let imports = imports(&[("wait", field(host, "wait"))]);
    with(bytes_options(bytes), "imports", imports)
}

/// Calls an async export, which must return a promise.
fn start(function: &Function, args: &[i32]) -> Promise {
    let args: Array = args.iter().map(|a| JsValue::from(*a)).collect();
    let result = function.apply(&JsValue::NULL, &args).unwrap();
    assert!(
        result.is_instance_of::<Promise>(),
        "an async guest's export returns a promise, got {result:?}"
    );
    result.unchecked_into()
}

/// What a call's promise settles with, as an i32.
async fn settle(call: Promise) -> i32 {
    match JsFuture::from(call).await {
        Ok(value) => value.as_f64().unwrap() as i32,
        Err(err) => panic!("the call rejected: {} {}", code(&err), message(&err)),
    }
}

/// Whether `promise` is still pending 20 ms from now, after a timer (so that the swap's own
/// tasks run meanwhile). A call the guest does not suspend settles within microtasks, which
/// all run before a timer.
async fn still_pending(promise: &Promise) -> bool {
    let race = Function::new_with_args(
        "p",
        "let settled = false;
         p.then(() => { settled = true; }, () => { settled = true; });
         return new Promise((r) => setTimeout(() => r(!settled), 20));",
    );
    let raced = race.call1(&JsValue::NULL, promise).unwrap();
    JsFuture::from(raced.unchecked_into::<Promise>())
        .await
        .unwrap()
        .as_bool()
        .unwrap()
}

/// Calls `which()` until a call does not settle: the swap is draining and queues calls. The
/// queued call is returned; it settles when the queue is released.
async fn until_queued(which: &Function) -> Promise {
    for _ in 0..500 {
        let probe = start(which, &[]);
        if still_pending(&probe).await {
            return probe;
        }
    }
    panic!("the swap never started draining");
}

#[wasm_bindgen_test]
async fn exports_of_an_async_guest_are_promising_and_the_same_functions_across_swaps() {
    let host = host();
    let m = load(with_wait(&async_counter("1.0.0", 1000).bytes(), &host)).await;
    let increment = export(&m, "increment");
    assert_eq!(settle(start(&increment, &[2])).await, 2);

    swap_ok(&m, bytes_options(&async_counter("1.1.0", 2000).bytes())).await;
    assert!(
        Object::is(&increment, &export(&m, "increment")),
        "the same function after the swap"
    );
    assert_eq!(
        settle(start(&increment, &[1])).await,
        3,
        "a promise still, reaching the new version with the state"
    );
    assert_eq!(settle(start(&export(&m, "which"), &[])).await, 2000);
    assert_eq!(pending(&host), 0);
}

#[wasm_bindgen_test]
async fn a_swap_waits_for_a_suspended_call_then_the_calls_queued_meanwhile_reach_the_new_version() {
    let host = host();
    let m = load(with_wait(&async_counter("1.0.0", 1000).bytes(), &host)).await;
    let (increment, slow, which) = (
        export(&m, "increment"),
        export(&m, "slow"),
        export(&m, "which"),
    );
    assert_eq!(settle(start(&increment, &[2])).await, 2);
    let suspended = start(&slow, &[5]);
    assert_eq!(pending(&host), 1, "slow(5) awaits the host in 1.0.0");

    let swapping = m.swap(bytes_options(&async_counter("1.1.0", 2000).bytes()));
    let probe = until_queued(&which).await;
    let queued = start(&increment, &[1]);
    assert!(still_pending(&swapping).await, "the swap waits for slow(5)");
    assert_eq!(m.version().as_deref(), Some("1.0.0"));

    release(&host);
    assert_eq!(
        settle(suspended).await,
        1007,
        "slow(5) completed in 1.0.0 (marker 1000, count 2 + 5)"
    );
    let report = match JsFuture::from(swapping).await {
        Ok(report) => report,
        Err(err) => panic!("swap failed: {} {}", code(&err), message(&err)),
    };
    assert_eq!(m.version().as_deref(), Some("1.1.0"));
    assert_eq!(field(&report, "stateBytes").as_f64(), Some(4.0));
    assert_eq!(settle(probe).await, 2000, "a queued call ran in 1.1.0");
    assert_eq!(
        settle(queued).await,
        8,
        "the state was saved after slow(5) settled and carried over"
    );
    assert_eq!(settle(start(&export(&m, "get"), &[])).await, 8);
}

#[wasm_bindgen_test]
async fn a_drain_timeout_is_drain_timeout_and_the_old_version_serves_the_queued_calls_with_its_state(
) {
    let host = host();
    let m = load(with_wait(&async_counter("1.0.0", 1000).bytes(), &host)).await;
    let (increment, slow, which) = (
        export(&m, "increment"),
        export(&m, "slow"),
        export(&m, "which"),
    );
    assert_eq!(settle(start(&increment, &[3])).await, 3);
    let suspended = start(&slow, &[1]);

    let v2 = async_counter("1.1.0", 2000).bytes();
    let swapping = m.swap(with(bytes_options(&v2), "drainTimeout", 300.into()));
    let probe = until_queued(&which).await;
    let queued = start(&increment, &[1]);
    let err = JsFuture::from(swapping)
        .await
        .expect_err("slow(1) is still suspended");
    assert_eq!(code(&err), "DRAIN_TIMEOUT");
    assert!(message(&err).contains("1 call"), "{}", message(&err));
    assert!(message(&err).contains("300 ms"), "{}", message(&err));
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(settle(probe).await, 1000, "1.0.0 served the queued calls");
    assert_eq!(settle(queued).await, 4, "with its state");

    release(&host);
    assert_eq!(settle(suspended).await, 1005, "slow(1) completed in 1.0.0");
    swap_ok(&m, bytes_options(&v2)).await;
    assert_eq!(settle(start(&which, &[])).await, 2000);
    assert_eq!(settle(start(&increment, &[0])).await, 5, "nothing was lost");
}

#[wasm_bindgen_test]
async fn a_staged_commit_with_a_call_in_flight_is_drain_timeout_and_commits_once_it_settled() {
    let host = host();
    let m = load(with_wait(&async_counter("1.0.0", 1000).bytes(), &host)).await;
    let (increment, slow) = (export(&m, "increment"), export(&m, "slow"));
    let update = JsFuture::from(m.prepare(bytes_options(&async_counter("1.1.0", 2000).bytes())))
        .await
        .expect("prepare");
    let commit: Function = field(&update, "commit").unchecked_into();
    let suspended = start(&slow, &[2]);

    let err = commit.call0(&update).expect_err("slow(2) is in flight");
    assert_eq!(code(&err), "DRAIN_TIMEOUT");
    assert_eq!(m.version().as_deref(), Some("1.0.0"));

    release(&host);
    assert_eq!(settle(suspended).await, 1002);
    commit.call0(&update).expect("nothing in flight now");
    assert_eq!(m.version().as_deref(), Some("1.1.0"));
    assert_eq!(settle(start(&increment, &[1])).await, 3);
}

#[wasm_bindgen_test]
async fn a_sync_module_refuses_an_async_version_and_keeps_serving() {
    let host = host();
    let m = load(bytes_options(&Counter::default().bytes())).await;
    let increment = export(&m, "increment");
    call(&increment, &[2]);
    let async_version = Counter {
        version: Some("1.1.0"),
        imports: r#"(import "env" "wait" (func $wait (result i32)))"#,
        ..Counter::default()
    };
    let err = swap_err(&m, with_wait(&async_version.bytes(), &host)).await;
    assert_eq!(code(&err), "INCOMPATIBLE_INTERFACE");
    assert!(message(&err).contains("env.wait"), "{}", message(&err));
    assert!(message(&err).contains("async (JSPI)"), "{}", message(&err));
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(call(&increment, &[1]), 3, "still sync, with its state");
}

#[wasm_bindgen_test]
async fn drain_timeout_must_be_zero_or_more_milliseconds() {
    let host = host();
    let options = with_wait(&async_counter("1.0.0", 1000).bytes(), &host);
    let err = load_err(with(options, "drainTimeout", (-1).into())).await;
    assert_eq!(code(&err), "INVALID_OPTIONS");
    assert!(message(&err).contains("drainTimeout"), "{}", message(&err));
}

#[wasm_bindgen_test]
async fn a_commit_that_fails_after_the_drain_releases_the_queue_to_the_old_version() {
    let host = host();
    let m = load(with_wait(&async_counter("1.0.0", 1000).bytes(), &host)).await;
    let (increment, slow, which) = (
        export(&m, "increment"),
        export(&m, "slow"),
        export(&m, "which"),
    );
    let suspended = start(&slow, &[4]);
    let refusing = Counter {
        load_body: "(i32.const 1)",
        ..async_counter("1.1.0", 2000)
    };
    let swapping = m.swap(bytes_options(&refusing.bytes()));
    let probe = until_queued(&which).await;
    let queued = start(&increment, &[1]);
    release(&host);
    assert_eq!(settle(suspended).await, 1004);
    let err = JsFuture::from(swapping)
        .await
        .expect_err("1.1.0 refuses the state");
    assert_eq!(code(&err), "STATE_LOAD_FAILED");
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(settle(probe).await, 1000, "the queue went to 1.0.0");
    assert_eq!(settle(queued).await, 5, "with its state");
}

#[wasm_bindgen_test]
async fn a_rollback_of_an_async_guest_waits_for_the_calls_in_flight_too() {
    let host = host();
    let m = load(with_wait(&async_counter("1.0.0", 1000).bytes(), &host)).await;
    let (slow, which) = (export(&m, "slow"), export(&m, "which"));
    swap_ok(&m, bytes_options(&async_counter("1.1.0", 2000).bytes())).await;
    let suspended = start(&slow, &[3]);

    let rolling = m.rollback(JsValue::UNDEFINED);
    let probe = until_queued(&which).await;
    assert!(
        still_pending(&rolling).await,
        "the rollback waits for slow(3)"
    );
    release(&host);
    assert_eq!(settle(suspended).await, 2003, "slow(3) completed in 1.1.0");
    JsFuture::from(rolling).await.expect("rollback");
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(settle(probe).await, 1000, "the queued call reached 1.0.0");
    assert_eq!(
        settle(start(&export(&m, "get"), &[])).await,
        3,
        "with the state slow(3) left"
    );
}

#[wasm_bindgen_test]
async fn a_trap_in_an_async_guest_on_probation_is_a_rejection_and_rolls_back() {
    let host = host();
    let probation = js_sys::Object::new();
    let ms = js_sys::Object::new();
    js_sys::Reflect::set(&ms, &"ms".into(), &60_000.into()).unwrap();
    js_sys::Reflect::set(&probation, &"probation".into(), &ms).unwrap();
    let options = with_wait(&async_counter("1.0.0", 1000).bytes(), &host);
    let m = load(with(options, "policy", probation.into())).await;
    let increment = export(&m, "increment");
    assert_eq!(settle(start(&increment, &[2])).await, 2);
    let mut faulty = async_counter("1.1.0", 2000);
    faulty.extra = Box::leak(
        format!(
            r#"{} (func (export "boom") (result i32) unreachable)"#,
            faulty.extra
        )
        .into_boxed_str(),
    );
    swap_ok(&m, bytes_options(&faulty.bytes())).await;
    assert_eq!(settle(start(&increment, &[1])).await, 3);

    let trap = JsFuture::from(start(&export(&m, "boom"), &[]))
        .await
        .expect_err("boom traps");
    assert!(trap.is_instance_of::<js_sys::WebAssembly::RuntimeError>());
    assert_eq!(m.version().as_deref(), Some("1.0.0"), "rolled back");
    assert_eq!(settle(start(&increment, &[1])).await, 4, "with the state");
}
