//! State outside the instance in a real browser: snapshots the app takes and gives, `persist`
//! keeping one in IndexedDB across loads (a corrupted or foreign one, a full quota), and the
//! host key-value store a stateless guest imports as `hotswap:kv`.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_hotswap::HotModule;

wasm_bindgen_test_configure!(run_in_browser);

fn version(version: &'static str) -> Counter {
    Counter {
        version: Some(version),
        ..Counter::default()
    }
}

/// A key no other test (or earlier run) used.
fn unique(name: &str) -> String {
    format!("{name}-{}", js_sys::Math::random())
}

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

/// `options` with `persist: { key, interval: 0, …extra }`.
fn persisted(options: JsValue, key: &str, extra: &[(&str, JsValue)]) -> JsValue {
    let mut entries = vec![("key", JsValue::from(key)), ("interval", 0.into())];
    entries.extend(extra.iter().cloned());
    with(options, "persist", object(&entries))
}

fn js(params: &str, body: &str) -> Function {
    Function::new_with_args(params, body)
}

async fn settle(promise: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&promise)).await
}

/// The `detail` of the next `kind` event `target` dispatches.
fn next_event(target: &JsValue, kind: &str) -> JsFuture {
    let wait = js(
        "target, kind",
        "return new Promise((resolve) => target.addEventListener(kind, (e) => resolve(e.detail), { once: true }));",
    );
    JsFuture::from(Promise::from(
        wait.call2(&JsValue::NULL, target, &kind.into()).unwrap(),
    ))
}

/// Puts `value` straight into the runtime's IndexedDB record of `key`, as another program (or
/// a corruption) would.
async fn put_raw(key: &str, value: &JsValue) {
    let put = js(
        "key, value",
        r#"return new Promise((resolve, reject) => {
             const open = indexedDB.open("wasm-hotswap", 1);
             open.onupgradeneeded = () => open.result.createObjectStore("snapshots");
             open.onerror = () => reject(open.error);
             open.onsuccess = () => {
               const db = open.result;
               const tx = db.transaction("snapshots", "readwrite");
               tx.objectStore("snapshots").put(value, key);
               tx.oncomplete = () => { db.close(); resolve(); };
               tx.onerror = () => reject(tx.error);
             };
           });"#,
    );
    settle(put.call2(&JsValue::NULL, &key.into(), value).unwrap())
        .await
        .expect("the raw put");
}

/// What the runtime's record of `key` holds now.
async fn get_raw(key: &str) -> JsValue {
    let get = js(
        "key",
        r#"return new Promise((resolve, reject) => {
             const open = indexedDB.open("wasm-hotswap", 1);
             open.onupgradeneeded = () => open.result.createObjectStore("snapshots");
             open.onerror = () => reject(open.error);
             open.onsuccess = () => {
               const db = open.result;
               const request = db.transaction("snapshots").objectStore("snapshots").get(key);
               request.onsuccess = () => { db.close(); resolve(request.result); };
               request.onerror = () => reject(request.error);
             };
           });"#,
    );
    settle(get.call1(&JsValue::NULL, &key.into()).unwrap())
        .await
        .expect("the raw get")
}

async fn persist_now(m: &HotModule) {
    if let Err(err) = JsFuture::from(m.persist_now()).await {
        panic!("persistNow failed: {} {}", code(&err), message(&err));
    }
}

#[wasm_bindgen_test]
async fn a_snapshot_round_trips_into_a_new_load_like_a_reload() {
    let v1 = Counter::default().bytes();
    let m = load(bytes_options(&v1)).await;
    call(&export(&m, "increment"), &[5]);
    let state = m.snapshot().expect("a stateful guest");
    assert_eq!(state.to_vec(), 5u32.to_le_bytes());
    call(&export(&m, "increment"), &[1]);
    assert_eq!(state.to_vec(), 5u32.to_le_bytes(), "the snapshot is a copy");
    drop(m);

    let again = load(with(bytes_options(&v1), "state", state.into())).await;
    assert_eq!(call(&export(&again, "get"), &[]), 5);
    assert_eq!(call(&export(&again, "increment"), &[1]), 6);
}

#[wasm_bindgen_test]
async fn a_snapshot_of_a_stateless_guest_is_state_save_failed() {
    let stateless = Counter {
        state_exports: false,
        ..Counter::default()
    };
    let m = load(bytes_options(&stateless.bytes())).await;
    let err = m.snapshot().expect_err("nothing to save");
    assert_eq!(code(&err), "STATE_SAVE_FAILED");
    assert!(message(&err).contains("stateless"), "{}", message(&err));
}

#[wasm_bindgen_test]
async fn a_state_the_guest_refuses_fails_the_load_with_state_load_failed() {
    let v1 = Counter::default().bytes();
    // The counter's `load_state` reads exactly 4 bytes and refuses anything else.
    let state = Uint8Array::from(&[1u8, 2, 3][..]);
    let err = load_err(with(bytes_options(&v1), "state", state.into())).await;
    assert_eq!(code(&err), "STATE_LOAD_FAILED");
    assert!(message(&err).contains("3 bytes"), "{}", message(&err));

    let err = load_err(with(bytes_options(&v1), "state", "text".into())).await;
    assert_eq!(code(&err), "INVALID_OPTIONS");
}

#[wasm_bindgen_test]
async fn persist_restores_the_count_on_the_next_load_with_the_same_key() {
    let key = unique("count");
    let v1 = Counter::default().bytes();
    let m = load(persisted(bytes_options(&v1), &key, &[])).await;
    assert_eq!(call(&export(&m, "get"), &[]), 0, "nothing stored yet");
    call(&export(&m, "increment"), &[7]);
    let landed = next_event(&m.persistence(), "persisted");
    persist_now(&m).await;
    let detail = landed.await.unwrap();
    assert_eq!(field(&detail, "key").as_string(), Some(key.clone()));
    assert_eq!(field(&detail, "bytes").as_f64(), Some(4.0));
    let record = get_raw(&key).await;
    assert_eq!(field(&record, "digest").as_string(), Some(digest_of(&v1)));
    assert_eq!(
        field(&record, "version").as_string().as_deref(),
        Some("1.0.0")
    );
    drop(m);

    let again = load(persisted(bytes_options(&v1), &key, &[])).await;
    assert_eq!(call(&export(&again, "get"), &[]), 7);
    let other = load(persisted(bytes_options(&v1), &unique("other"), &[])).await;
    assert_eq!(
        call(&export(&other, "get"), &[]),
        0,
        "another key, another state"
    );
}

#[wasm_bindgen_test]
async fn a_snapshot_is_taken_after_each_swap_and_the_next_load_starts_from_it() {
    let key = unique("swapped");
    let m = load(persisted(
        bytes_options(&Counter::default().bytes()),
        &key,
        &[],
    ))
    .await;
    call(&export(&m, "increment"), &[3]);
    let landed = next_event(&m.persistence(), "persisted");
    let v2 = version("1.1.0").bytes();
    swap_ok(&m, bytes_options(&v2)).await;
    let detail = landed.await.unwrap();
    assert_eq!(
        field(&detail, "version").as_string().as_deref(),
        Some("1.1.0")
    );
    assert_eq!(
        field(&get_raw(&key).await, "digest").as_string(),
        Some(digest_of(&v2))
    );
    drop(m);

    let again = load(persisted(bytes_options(&v2), &key, &[])).await;
    assert_eq!(call(&export(&again, "get"), &[]), 3);
}

#[wasm_bindgen_test]
async fn a_snapshot_is_taken_when_the_page_hides_and_on_the_interval() {
    let key = unique("hooks");
    let v1 = Counter::default().bytes();
    let m = load(persisted(bytes_options(&v1), &key, &[])).await;
    call(&export(&m, "increment"), &[2]);
    let landed = next_event(&m.persistence(), "persisted");
    let pagehide = js("", "dispatchEvent(new Event('pagehide'));");
    pagehide.call0(&JsValue::NULL).unwrap();
    landed.await.unwrap();
    assert_eq!(
        field(&get_raw(&key).await, "state")
            .dyn_into::<Uint8Array>()
            .unwrap()
            .to_vec(),
        2u32.to_le_bytes()
    );

    // The page becoming hidden, as the browser reports it when the tab is switched away.
    call(&export(&m, "increment"), &[1]);
    let landed = next_event(&m.persistence(), "persisted");
    let hide = js(
        "",
        r#"Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
           document.dispatchEvent(new Event("visibilitychange"));
           delete document.visibilityState;"#,
    );
    hide.call0(&JsValue::NULL).unwrap();
    landed.await.unwrap();
    let state = field(&get_raw(&key).await, "state");
    assert_eq!(
        state.dyn_into::<Uint8Array>().unwrap().to_vec(),
        3u32.to_le_bytes()
    );

    let timed = load(persisted(
        bytes_options(&v1),
        &unique("timer"),
        &[("interval", 100.into())],
    ))
    .await;
    call(&export(&timed, "increment"), &[9]);
    let detail = next_event(&timed.persistence(), "persisted").await.unwrap();
    assert_eq!(field(&detail, "bytes").as_f64(), Some(4.0));

    // Stopped: the hooks are gone, and `forget` deletes the record.
    JsFuture::from(m.stop_persisting(object(&[("forget", true.into())])))
        .await
        .unwrap();
    assert!(get_raw(&key).await.is_undefined());
    call(&export(&m, "increment"), &[1]);
    pagehide.call0(&JsValue::NULL).unwrap();
    swap_ok(&m, bytes_options(&version("1.1.0").bytes())).await;
    let sleep = js(
        "ms",
        "return new Promise((resolve) => setTimeout(resolve, ms));",
    );
    settle(sleep.call1(&JsValue::NULL, &200.into()).unwrap())
        .await
        .unwrap();
    assert!(
        get_raw(&key).await.is_undefined(),
        "no snapshot after stopPersisting"
    );
}

#[wasm_bindgen_test]
async fn a_corrupted_snapshot_starts_the_module_fresh_and_says_why() {
    let key = unique("corrupt");
    put_raw(&key, &"not a snapshot".into()).await;
    let m = load(persisted(
        bytes_options(&Counter::default().bytes()),
        &key,
        &[],
    ))
    .await;
    // Listened to after `load` resolved, as an app does.
    let detail = next_event(&m.persistence(), "restorefailed").await.unwrap();
    assert_eq!(
        field(&detail, "reason").as_string().as_deref(),
        Some("corrupt")
    );
    assert_eq!(field(&detail, "key").as_string(), Some(key.clone()));
    assert_eq!(code(&field(&detail, "error")), "STATE_LOAD_FAILED");
    assert_eq!(call(&export(&m, "get"), &[]), 0, "started fresh");
    assert_eq!(call(&export(&m, "increment"), &[1]), 1, "and serves");
}

#[wasm_bindgen_test]
async fn a_foreign_snapshot_the_guest_refuses_starts_the_module_fresh_and_says_why() {
    let key = unique("foreign");
    // A record of the runtime's format, from another guest whose state is 3 bytes.
    let record = object(&[
        ("format", "wasm-hotswap/snapshot@1".into()),
        ("digest", "sha256:00".into()),
        ("version", JsValue::NULL),
        ("state", Uint8Array::from(&[9u8, 9, 9][..]).into()),
        ("kv", JsValue::NULL),
    ]);
    put_raw(&key, &record).await;
    let m = load(persisted(
        bytes_options(&Counter::default().bytes()),
        &key,
        &[],
    ))
    .await;
    let detail = next_event(&m.persistence(), "restorefailed").await.unwrap();
    assert_eq!(
        field(&detail, "reason").as_string().as_deref(),
        Some("refused")
    );
    assert_eq!(code(&field(&detail, "error")), "STATE_LOAD_FAILED");
    assert_eq!(call(&export(&m, "get"), &[]), 0);
    // The next snapshot replaces the record the guest could not read.
    call(&export(&m, "increment"), &[4]);
    persist_now(&m).await;
    drop(m);
    let again = load(persisted(
        bytes_options(&Counter::default().bytes()),
        &key,
        &[],
    ))
    .await;
    assert_eq!(call(&export(&again, "get"), &[]), 4);
}

/// An `IDBFactory` over the real one whose object stores refuse every `put` the way a full
/// origin quota does: `put` throws a `QuotaExceededError` `DOMException`.
fn full_quota() -> JsValue {
    js(
        "",
        r#"return {
             open(name, version) {
               const request = indexedDB.open(name, version);
               request.addEventListener("success", () => {
                 const db = request.result;
                 const transaction = db.transaction.bind(db);
                 db.transaction = (...args) => {
                   const tx = transaction(...args);
                   const objectStore = tx.objectStore.bind(tx);
                   tx.objectStore = (n) => {
                     const store = objectStore(n);
                     store.put = () => { throw new DOMException("The quota has been exceeded.", "QuotaExceededError"); };
                     return store;
                   };
                   return tx;
                 };
               });
               return request;
             },
           };"#,
    )
    .call0(&JsValue::NULL)
    .unwrap()
}

#[wasm_bindgen_test]
async fn a_write_over_the_quota_is_persistfailed_and_the_module_keeps_serving() {
    let key = unique("quota");
    let options = persisted(
        bytes_options(&Counter::default().bytes()),
        &key,
        &[("indexedDB", full_quota())],
    );
    let m = load(options).await;
    call(&export(&m, "increment"), &[6]);
    let failed = next_event(&m.persistence(), "persistfailed");
    let err = JsFuture::from(m.persist_now())
        .await
        .expect_err("over quota");
    assert_eq!(
        field(&err, "name").as_string().as_deref(),
        Some("QuotaExceededError")
    );
    let detail = failed.await.unwrap();
    assert_eq!(
        field(&detail, "reason").as_string().as_deref(),
        Some("quota")
    );
    assert_eq!(field(&detail, "key").as_string(), Some(key.clone()));

    // Automatic snapshots fail the same way, reported, never thrown at the app.
    let failed = next_event(&m.persistence(), "persistfailed");
    swap_ok(&m, bytes_options(&version("1.1.0").bytes())).await;
    assert_eq!(
        field(&failed.await.unwrap(), "reason")
            .as_string()
            .as_deref(),
        Some("quota")
    );
    assert_eq!(
        call(&export(&m, "increment"), &[1]),
        7,
        "serving, with its state"
    );
    assert!(get_raw(&key).await.is_undefined());
}

fn stashed(key: &str) -> JsValue {
    js("key", "return localStorage.getItem(`wasm-hotswap:${key}`);")
        .call1(&JsValue::NULL, &key.into())
        .unwrap()
}

#[wasm_bindgen_test]
async fn the_pagehide_snapshot_is_stashed_synchronously_for_a_reload_whose_write_never_lands() {
    // IndexedDB refuses the write here, as it never lands when the page is going away.
    let key = unique("stash");
    let v1 = Counter::default().bytes();
    let options = persisted(bytes_options(&v1), &key, &[("indexedDB", full_quota())]);
    let m = load(options).await;
    call(&export(&m, "increment"), &[8]);
    let failed = next_event(&m.persistence(), "persistfailed");
    js("", "dispatchEvent(new Event('pagehide'));")
        .call0(&JsValue::NULL)
        .unwrap();
    assert!(
        stashed(&key).is_string(),
        "stashed before pagehide returned"
    );
    failed.await.unwrap();
    drop(m);

    let again = load(persisted(bytes_options(&v1), &key, &[])).await;
    assert_eq!(
        call(&export(&again, "get"), &[]),
        8,
        "restored from the stash"
    );
    call(&export(&again, "increment"), &[1]);
    persist_now(&again).await;
    assert!(
        stashed(&key).is_null(),
        "a newer snapshot in IndexedDB drops the stash"
    );
    drop(again);
    let third = load(persisted(bytes_options(&v1), &key, &[])).await;
    assert_eq!(call(&export(&third, "get"), &[]), 9);
}

#[wasm_bindgen_test]
async fn persist_options_of_the_wrong_shape_are_invalid_options() {
    let v1 = Counter::default().bytes();
    for (persist, option) in [
        (JsValue::from("key"), "persist"),
        (object(&[]), "persist.key"),
        (
            object(&[("key", "k".into()), ("interval", 5.into())]),
            "persist.interval",
        ),
    ] {
        let err = load_err(with(bytes_options(&v1), "persist", persist)).await;
        assert_eq!(code(&err), "INVALID_OPTIONS");
        assert!(message(&err).contains(option), "{}", message(&err));
    }
}

/// A stateless guest keeping a counter under the key `n` of the host store: `bump()` adds
/// `step`, `reset()` deletes the key.
fn kv_guest(version: &str, step: i32) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
             (import "hotswap:kv" "get" (func $get (param i32 i32 i32 i32) (result i32)))
             (import "hotswap:kv" "set" (func $set (param i32 i32 i32 i32)))
             (import "hotswap:kv" "delete" (func $delete (param i32 i32) (result i32)))
             (memory (export "memory") 1)
             (data (i32.const 0) "n")
             (func (export "bump") (result i32)
               (if (i32.ne (call $get (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 4)) (i32.const 4))
                 (then (i32.store (i32.const 16) (i32.const 0))))
               (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const {step})))
               (call $set (i32.const 0) (i32.const 1) (i32.const 16) (i32.const 4))
               (i32.load (i32.const 16)))
             (func (export "reset") (result i32)
               (call $delete (i32.const 0) (i32.const 1)))
             (@custom "version" "{version}"))"#
    ))
    .unwrap()
}

#[wasm_bindgen_test]
async fn the_host_store_keeps_a_stateless_guests_data_across_a_swap() {
    let m = load(bytes_options(&kv_guest("1.0.0", 1))).await;
    let bump = export(&m, "bump");
    assert_eq!(call(&bump, &[]), 1);
    assert_eq!(call(&bump, &[]), 2);
    let report = swap_ok(&m, bytes_options(&kv_guest("1.1.0", 10))).await;
    assert_eq!(
        field(&report, "guest").as_string().as_deref(),
        Some("stateless")
    );
    assert_eq!(
        call(&bump, &[]),
        12,
        "the new version reads what the old one wrote"
    );
    assert_eq!(call(&export(&m, "reset"), &[]), 1);
    assert_eq!(call(&export(&m, "reset"), &[]), 0, "deleted");
    assert_eq!(call(&bump, &[]), 10);

    // Each module has its own store.
    let other = load(bytes_options(&kv_guest("1.0.0", 1))).await;
    assert_eq!(call(&export(&other, "bump"), &[]), 1);
}

#[wasm_bindgen_test]
async fn the_host_store_is_persisted_with_the_module() {
    let key = unique("kv");
    let v1 = kv_guest("1.0.0", 1);
    let m = load(persisted(bytes_options(&v1), &key, &[])).await;
    call(&export(&m, "bump"), &[]);
    call(&export(&m, "bump"), &[]);
    persist_now(&m).await;
    assert!(m.snapshot().is_err(), "the guest itself is stateless");
    drop(m);
    let again = load(persisted(bytes_options(&v1), &key, &[])).await;
    assert_eq!(call(&export(&again, "bump"), &[]), 3);
}

#[wasm_bindgen_test]
async fn a_guest_importing_the_store_with_the_wrong_types_is_invalid_guest() {
    let bytes = wat::parse_str(
        r#"(module
             (import "hotswap:kv" "get" (func (param i32 i32) (result i32)))
             (memory (export "memory") 1))"#,
    )
    .unwrap();
    let err = load_err(bytes_options(&bytes)).await;
    assert_eq!(code(&err), "INVALID_GUEST");
    assert!(
        message(&err).contains("hotswap:kv.get"),
        "{}",
        message(&err)
    );
}
