//! Loading and swapping through a static registry in a real browser. The registry's files are
//! served by an injected `fetch` as real `Response`s, so every byte still goes through the
//! streaming fetch, hash and compile path.
#![cfg(target_arch = "wasm32")]

mod common;

use std::rc::Rc;

use common::*;
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use wasm_hotswap::HotModule;

wasm_bindgen_test_configure!(run_in_browser);

const ROOT: &str = "https://registry.test/r/";

/// An in-memory static registry under [`ROOT`] ([`StaticFiles`]).
struct Registry {
    files: StaticFiles,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            files: StaticFiles::new(ROOT),
        }
    }
}

impl Registry {
    fn publish(&self, name: &str, versions: &[(&str, &[u8], bool)]) {
        let entries: Vec<String> = versions
            .iter()
            .map(|(version, bytes, yanked)| {
                let digest = digest_of(bytes);
                self.put(&format!("blobs/sha256/{}", &digest[7..]), bytes.to_vec());
                format!(
                    r#"{{"version":"{version}","digest":"{digest}","size":{},"yanked":{yanked}}}"#,
                    bytes.len()
                )
            })
            .collect();
        let index = format!(r#"{{"name":"{name}","versions":[{}]}}"#, entries.join(","));
        self.put(&format!("packages/{name}/index.json"), index.into_bytes());
    }

    fn put(&self, path: &str, body: Vec<u8>) {
        self.files.put(path, body);
    }

    /// The `fetch` option serving these files (404 for anything else).
    fn fetch(&self) -> Function {
        self.files.fetch()
    }
}

fn registry_options(registry: &Rc<Registry>, name: &str, key: &str, wanted: &str) -> JsValue {
    let options = js_sys::Object::new();
    for (k, v) in [("registry", ROOT), ("name", name), (key, wanted)] {
        Reflect::set(&options, &k.into(), &v.into()).unwrap();
    }
    with(options.into(), "fetch", registry.fetch().into())
}

fn counter(version: &'static str) -> Vec<u8> {
    Counter {
        version: Some(version),
        ..Counter::default()
    }
    .bytes()
}

fn additive(version: &'static str) -> Vec<u8> {
    Counter {
        version: Some(version),
        extra: r#"(func (export "reset"))"#,
        ..Counter::default()
    }
    .bytes()
}

async fn loaded(registry: &Rc<Registry>) -> (HotModule, Function) {
    let m = load(registry_options(registry, "acme/counter", "range", "~1.0")).await;
    let increment = export(&m, "increment");
    assert_eq!(call(&increment, &[41]), 41);
    (m, increment)
}

fn assert_still_serving(m: &HotModule, increment: &Function, version: &str) {
    assert_eq!(m.version().as_deref(), Some(version));
    assert_eq!(call(increment, &[1]), 42);
}

#[wasm_bindgen_test]
async fn load_resolves_the_highest_non_yanked_version_in_the_range() {
    let registry = Rc::new(Registry::default());
    let (v100, v101, v102) = (counter("1.0.0"), counter("1.0.1"), counter("1.0.2"));
    registry.publish(
        "acme/counter",
        &[
            ("1.0.0", &v100, false),
            ("1.0.1", &v101, false),
            ("1.0.2", &v102, true),
        ],
    );
    let (m, _) = loaded(&registry).await;
    assert_eq!(m.version().as_deref(), Some("1.0.1"));
    assert_eq!(m.digest(), digest_of(&v101));
    let requests = registry.files.requests_with_cache();
    assert_eq!(
        requests[0],
        format!("{ROOT}packages/acme/counter/index.json cache=no-cache"),
        "the index is revalidated"
    );
    assert!(
        requests[1].starts_with(&format!("{ROOT}blobs/sha256/{}", &digest_of(&v101)[7..])),
        "{requests:?}"
    );
}

#[wasm_bindgen_test]
async fn swap_to_a_version_resolves_through_the_same_registry_and_carries_state() {
    let registry = Rc::new(Registry::default());
    let (v100, v110) = (counter("1.0.0"), additive("1.1.0"));
    registry.publish(
        "acme/counter",
        &[("1.0.0", &v100, false), ("1.1.0", &v110, false)],
    );
    let (m, increment) = loaded(&registry).await;
    assert_eq!(m.version().as_deref(), Some("1.0.0"), "~1.0 excludes 1.1.0");

    let options = with(js_sys::Object::new().into(), "version", "1.1.0".into());
    let report = swap_ok(&m, options).await;
    assert_eq!(
        field(&report, "toVersion").as_string().as_deref(),
        Some("1.1.0")
    );
    assert!(field(&report, "stages.resolve").as_f64().unwrap() >= 0.0);
    assert_eq!(call(&increment, &[1]), 42);
    assert!(has_export(&m, "reset"));
}

#[wasm_bindgen_test]
async fn an_index_pointing_at_a_blob_with_another_hash_is_a_hash_mismatch() {
    let registry = Rc::new(Registry::default());
    let (v100, v101) = (counter("1.0.0"), counter("1.0.1"));
    registry.publish(
        "acme/counter",
        &[("1.0.0", &v100, false), ("1.0.1", &v101, false)],
    );
    let (m, increment) = load_pinned(&registry, "1.0.0").await;
    // The blob named by 1.0.1's digest now holds other bytes.
    registry.put(
        &format!("blobs/sha256/{}", &digest_of(&v101)[7..]),
        counter("1.0.9"),
    );
    let err = swap_err(
        &m,
        with(js_sys::Object::new().into(), "version", "1.0.1".into()),
    )
    .await;
    assert_eq!(code(&err), "HASH_MISMATCH", "{}", message(&err));
    assert_still_serving(&m, &increment, "1.0.0");
}

async fn load_pinned(registry: &Rc<Registry>, version: &str) -> (HotModule, Function) {
    let m = load(registry_options(
        registry,
        "acme/counter",
        "range",
        &format!("={version}"),
    ))
    .await;
    let increment = export(&m, "increment");
    assert_eq!(call(&increment, &[41]), 41);
    (m, increment)
}

#[wasm_bindgen_test]
async fn malformed_indexes_are_invalid_index_and_change_nothing() {
    let registry = Rc::new(Registry::default());
    let v100 = counter("1.0.0");
    registry.publish("acme/counter", &[("1.0.0", &v100, false)]);
    let (m, increment) = loaded(&registry).await;
    let index = "packages/acme/counter/index.json";
    let digest = digest_of(&v100);
    let cases: [(&str, String, &str); 4] = [
        ("not JSON", "<html>oops</html>".into(), "not JSON"),
        (
            "wrong shape",
            r#"{"name":"acme/counter","versions":{}}"#.into(),
            "`versions` is not an array",
        ),
        (
            "another package",
            r#"{"name":"other","versions":[]}"#.into(),
            "index of `other`",
        ),
        (
            "bad digest",
            format!(
                r#"{{"name":"acme/counter","versions":[{{"version":"1.0.1","digest":"{}","size":1}}]}}"#,
                &digest[..20]
            ),
            "version 1.0.1",
        ),
    ];
    for (case, body, says) in cases {
        registry.put(index, body.into_bytes());
        let err = swap_err(
            &m,
            with(js_sys::Object::new().into(), "version", "^1".into()),
        )
        .await;
        assert_eq!(code(&err), "INVALID_INDEX", "{case}: {}", message(&err));
        assert!(message(&err).contains(says), "{case}: {}", message(&err));
        assert!(
            message(&err).contains("packages/acme/counter/index.json"),
            "{case}: names the index"
        );
    }
    assert_still_serving(&m, &increment, "1.0.0");
}

#[wasm_bindgen_test]
async fn no_matching_version_names_what_is_published() {
    let registry = Rc::new(Registry::default());
    let v100 = counter("1.0.0");
    registry.publish("acme/counter", &[("1.0.0", &v100, false)]);
    let (m, increment) = loaded(&registry).await;
    let err = swap_err(
        &m,
        with(js_sys::Object::new().into(), "version", "^2".into()),
    )
    .await;
    assert_eq!(code(&err), "NO_MATCHING_VERSION");
    assert!(
        message(&err).contains("`acme/counter` matches `^2`; published: 1.0.0"),
        "{}",
        message(&err)
    );
    assert_still_serving(&m, &increment, "1.0.0");
}

#[wasm_bindgen_test]
async fn a_blob_whose_version_section_disagrees_with_the_index_is_invalid_index() {
    let registry = Rc::new(Registry::default());
    let (v100, actually_109) = (counter("1.0.0"), counter("1.0.9"));
    registry.publish(
        "acme/counter",
        &[("1.0.0", &v100, false), ("1.0.1", &actually_109, false)],
    );
    let (m, increment) = load_pinned(&registry, "1.0.0").await;
    let err = swap_err(
        &m,
        with(js_sys::Object::new().into(), "version", "1.0.1".into()),
    )
    .await;
    assert_eq!(code(&err), "INVALID_INDEX");
    assert!(
        message(&err).contains("lists this blob as 1.0.1, but its `version` section says 1.0.9"),
        "{}",
        message(&err)
    );
    assert_still_serving(&m, &increment, "1.0.0");
}

#[wasm_bindgen_test]
async fn registry_and_url_options_do_not_mix() {
    let registry = Rc::new(Registry::default());
    let options = with(
        registry_options(&registry, "acme/counter", "range", "^1"),
        "url",
        "/m.wasm".into(),
    );
    let err = load_err(options).await;
    assert_eq!(code(&err), "INVALID_OPTIONS");
    let err = load_err(registry_options(&registry, "Acme/Counter", "range", "^1")).await;
    assert_eq!(code(&err), "INVALID_OPTIONS");
    assert!(
        message(&err).contains("`Acme/Counter`"),
        "{}",
        message(&err)
    );
}

#[cfg(not(feature = "updates"))]
#[wasm_bindgen_test]
async fn watching_and_oci_registries_need_the_updates_build() {
    let registry = Rc::new(Registry::default());
    let v100 = counter("1.0.0");
    registry.publish("acme/counter", &[("1.0.0", &v100, false)]);
    let (m, _) = loaded(&registry).await;
    let err = m.watch(JsValue::UNDEFINED).unwrap_err();
    assert_eq!(code(&err), "INVALID_OPTIONS");
    assert!(
        message(&err).contains("wasm-hotswap/updates"),
        "{}",
        message(&err)
    );

    let oci = registry_options(&registry, "acme/counter", "range", "^1");
    Reflect::set(&oci, &"registry".into(), &"oci+http://127.0.0.1:9".into()).unwrap();
    let err = load_err(oci).await;
    assert_eq!(code(&err), "INVALID_OPTIONS");
    assert!(
        message(&err).contains("wasm-hotswap/updates"),
        "{}",
        message(&err)
    );
}
