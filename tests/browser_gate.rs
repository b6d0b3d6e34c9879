//! The version gate in a real browser: the semver rule, consent to major upgrades, downgrades,
//! required versions and the host's declared expectation. Every refusal leaves the old
//! instance serving with its state.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use wasm_hotswap::HotModule;

wasm_bindgen_test_configure!(run_in_browser);

fn version(v: &'static str) -> Counter {
    Counter {
        version: Some(v),
        ..Counter::default()
    }
}

/// 1.0.0 serving, counted to 41.
async fn serving_v1(extra: &[(&str, JsValue)]) -> (HotModule, Function) {
    let mut options = bytes_options(&version("1.0.0").bytes());
    for (key, value) in extra {
        options = with(options, key, value.clone());
    }
    let m = load(options).await;
    let increment = export(&m, "increment");
    assert_eq!(call(&increment, &[41]), 41);
    (m, increment)
}

fn assert_refused(err: &JsValue, expected: &str, names: &[&str]) {
    assert_eq!(code(err), expected, "{}", message(err));
    for item in names {
        assert!(
            message(err).contains(item),
            "message names {item}: {}",
            message(err)
        );
    }
}

fn assert_still_v1(m: &HotModule, increment: &Function) {
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(call(increment, &[1]), 42);
}

fn policy(entries: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

fn expect_exports(entries: &[(&str, &str)]) -> JsValue {
    let exports = Object::new();
    for (name, ty) in entries {
        Reflect::set(&exports, &JsValue::from_str(name), &JsValue::from_str(ty)).unwrap();
    }
    policy(&[("exports", exports.into())])
}

#[wasm_bindgen_test]
async fn a_minor_release_that_removes_an_export_is_a_semver_violation() {
    let (m, increment) = serving_v1(&[]).await;
    let broken = Counter {
        get: false,
        ..version("1.1.0")
    }
    .bytes();
    let err = swap_err(&m, bytes_options(&broken)).await;
    assert_refused(
        &err,
        "SEMVER_VIOLATION",
        &["1.0.0 => 1.1.0", "minor", "needs major", "export `get`"],
    );
    assert_still_v1(&m, &increment);
}

#[wasm_bindgen_test]
async fn a_patch_release_that_adds_an_export_is_a_semver_violation() {
    let (m, increment) = serving_v1(&[]).await;
    let added = Counter {
        extra: r#"(func (export "reset"))"#,
        ..version("1.0.1")
    }
    .bytes();
    let err = swap_err(&m, bytes_options(&added)).await;
    assert_refused(
        &err,
        "SEMVER_VIOLATION",
        &["patch", "needs minor", "export `reset`"],
    );
    assert_still_v1(&m, &increment);
}

#[wasm_bindgen_test]
async fn a_major_upgrade_without_consent_is_refused() {
    let (m, increment) = serving_v1(&[]).await;
    let err = swap_err(&m, bytes_options(&version("2.0.0").bytes())).await;
    assert_refused(
        &err,
        "MAJOR_UPGRADE_REFUSED",
        &["1.0.0 => 2.0.0", "allowMajor"],
    );
    assert_still_v1(&m, &increment);
}

#[wasm_bindgen_test]
async fn a_consented_major_upgrade_swaps_and_retires_removed_exports() {
    let (m, increment) = serving_v1(&[]).await;
    let get = export(&m, "get");
    let asked: Rc<RefCell<Vec<String>>> = Rc::default();
    let record = Rc::clone(&asked);
    let consent = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |upgrade: JsValue| {
        let changes: js_sys::Array = field(&upgrade, "changes").unchecked_into();
        let mut seen = vec![format!(
            "{} => {}",
            field(&upgrade, "from").as_string().unwrap(),
            field(&upgrade, "to").as_string().unwrap()
        )];
        seen.extend(
            changes
                .iter()
                .map(|c| field(&c, "item").as_string().unwrap()),
        );
        *record.borrow_mut() = seen;
        Promise::resolve(&JsValue::TRUE)
    });
    let consent_fn: &Function = consent.as_ref().unchecked_ref();
    let v2 = Counter {
        get: false,
        ..version("2.0.0")
    }
    .bytes();
    let options = with(
        bytes_options(&v2),
        "policy",
        policy(&[("allowMajor", consent_fn.into())]),
    );

    let report = swap_ok(&m, options).await;

    assert_eq!(*asked.borrow(), ["1.0.0 => 2.0.0", "export `get`"]);
    assert_eq!(field(&report, "bump").as_string().as_deref(), Some("major"));
    assert_eq!(m.version().as_deref(), Some("2.0.0"));
    assert_eq!(call(&increment, &[1]), 42, "state carried into 2.0.0");
    assert!(
        !has_export(&m, "get"),
        "the removed export is gone from m.exports"
    );
    let err = get.call0(&JsValue::NULL).unwrap_err();
    assert_refused(&err, "INCOMPATIBLE_INTERFACE", &["export `get`", "removed"]);
}

#[wasm_bindgen_test]
async fn a_consent_callback_answering_no_refuses_the_major_upgrade() {
    let (m, increment) = serving_v1(&[]).await;
    let refuse =
        Closure::<dyn FnMut(JsValue) -> Promise>::new(|_| Promise::resolve(&JsValue::FALSE));
    let refuse_fn: &Function = refuse.as_ref().unchecked_ref();
    let options = with(
        bytes_options(&version("2.0.0").bytes()),
        "policy",
        policy(&[("allowMajor", refuse_fn.into())]),
    );
    let err = swap_err(&m, options).await;
    assert_refused(&err, "MAJOR_UPGRADE_REFUSED", &["2.0.0"]);
    assert_still_v1(&m, &increment);
}

#[wasm_bindgen_test]
async fn a_consented_major_upgrade_must_still_meet_the_hosts_expectation() {
    let expect = expect_exports(&[("increment", "(i32) -> i32"), ("get", "() -> i32")]);
    let (m, increment) = serving_v1(&[("expect", expect)]).await;
    let v2 = Counter {
        get: false,
        ..version("2.0.0")
    }
    .bytes();
    let options = with(
        bytes_options(&v2),
        "policy",
        policy(&[("allowMajor", JsValue::TRUE)]),
    );
    let err = swap_err(&m, options).await;
    assert_refused(
        &err,
        "INCOMPATIBLE_INTERFACE",
        &["export `get`, which the host expects, is missing"],
    );
    assert_still_v1(&m, &increment);
}

#[wasm_bindgen_test]
async fn the_expectation_is_checked_at_load_too() {
    let expect = expect_exports(&[("increment", "(i64) -> i64")]);
    let options = with(bytes_options(&version("1.0.0").bytes()), "expect", expect);
    let err = load_err(options).await;
    assert_refused(
        &err,
        "INCOMPATIBLE_INTERFACE",
        &["export `increment` is function (i32) -> i32, the host expects function (i64) -> i64"],
    );
    let bad = with(
        bytes_options(&version("1.0.0").bytes()),
        "expect",
        expect_exports(&[("get", "returns a number")]),
    );
    assert_refused(
        &load_err(bad).await,
        "INVALID_OPTIONS",
        &["expect.exports", "export `get`"],
    );
}

#[wasm_bindgen_test]
async fn a_downgrade_is_refused_unless_allowed() {
    let (m, increment) = serving_v1(&[]).await;
    let older = version("0.9.0").bytes();
    let err = swap_err(&m, bytes_options(&older)).await;
    assert_refused(&err, "DOWNGRADE_REFUSED", &["0.9.0", "1.0.0"]);
    assert_still_v1(&m, &increment);

    let allowed = with(
        bytes_options(&older),
        "policy",
        policy(&[("allowDowngrade", JsValue::TRUE)]),
    );
    let report = swap_ok(&m, allowed).await;
    assert!(
        field(&report, "bump").is_null(),
        "a downgrade declares no bump"
    );
    assert_eq!(m.version().as_deref(), Some("0.9.0"));
    assert_eq!(
        call(&increment, &[1]),
        43,
        "state carried into the older version"
    );
}

#[wasm_bindgen_test]
async fn a_missing_version_is_refused_when_the_policy_requires_one() {
    let require = policy(&[("requireVersion", JsValue::TRUE)]);
    let unversioned = Counter {
        version: None,
        ..Counter::default()
    }
    .bytes();
    let err = load_err(with(bytes_options(&unversioned), "policy", require.clone())).await;
    assert_refused(&err, "MISSING_VERSION", &["the new module"]);

    let (m, increment) = serving_v1(&[("policy", require)]).await;
    let err = swap_err(&m, bytes_options(&unversioned)).await;
    assert_refused(&err, "MISSING_VERSION", &["`version` section"]);
    assert_still_v1(&m, &increment);
}

#[wasm_bindgen_test]
async fn the_report_names_the_bump_and_every_change() {
    let (m, _) = serving_v1(&[]).await;
    let v11 = Counter {
        extra: r#"(func (export "reset"))"#,
        ..version("1.1.0")
    }
    .bytes();
    let report = swap_ok(&m, bytes_options(&v11)).await;
    assert_eq!(field(&report, "bump").as_string().as_deref(), Some("minor"));
    let changes: js_sys::Array = field(&report, "changes").unchecked_into();
    assert_eq!(changes.length(), 1);
    assert_eq!(
        field(&changes.get(0), "severity").as_string().as_deref(),
        Some("additive")
    );
    assert_eq!(
        field(&changes.get(0), "item").as_string().as_deref(),
        Some("export `reset`")
    );
}

#[cfg(not(feature = "wit"))]
#[wasm_bindgen_test]
async fn expecting_a_wit_world_needs_the_wit_build() {
    let expect = Object::new();
    Reflect::set(&expect, &"wit".into(), &"package a:b; world w {}".into()).unwrap();
    let err = load_err(with(
        bytes_options(&version("1.0.0").bytes()),
        "expect",
        expect.into(),
    ))
    .await;
    assert_refused(&err, "INVALID_OPTIONS", &["expect.wit", "wasm-hotswap/wit"]);
}
