//! `policy.trust` in a real browser, the default build: versions of an in-memory static
//! registry (served by an injected `fetch` as real `Response`s) signed by keys WebCrypto made
//! in the page (`crypto.subtle.sign` gives `r ‖ s`, turned into the DER a `.sig` holds), and
//! checked by the runtime with WebCrypto before any blob is requested.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_hotswap::registry::index::Entry;
use wasm_hotswap::signature::{base64_encode, p1363_to_der, pem_encode, static_payload};
use wasm_hotswap::HotModule;

wasm_bindgen_test_configure!(run_in_browser);

const ROOT: &str = "https://registry.test/s/";
const NAME: &str = "acme/counter";

/// An in-memory static registry under [`ROOT`] ([`StaticFiles`]), and the versions it lists.
struct Registry {
    files: StaticFiles,
    versions: RefCell<Vec<Entry>>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            files: StaticFiles::new(ROOT),
            versions: RefCell::default(),
        }
    }
}

impl Registry {
    /// Publishes `bytes` as `version`, and returns its entry (signed by nobody yet).
    fn publish(&self, version: &str, bytes: &[u8]) -> Entry {
        let digest = digest_of(bytes);
        self.put(&format!("blobs/sha256/{}", &digest[7..]), bytes.to_vec());
        let entry = Entry {
            version: version.parse().unwrap(),
            digest,
            size: bytes.len() as u64,
            glue: None,
            cores: Vec::new(),
            yanked: false,
            published: String::new(),
        };
        self.versions.borrow_mut().push(entry.clone());
        let listed: Vec<String> = self
            .versions
            .borrow()
            .iter()
            .map(|e| {
                format!(
                    r#"{{"version":"{}","digest":"{}","size":{}}}"#,
                    e.version, e.digest, e.size
                )
            })
            .collect();
        let text = format!(r#"{{"name":"{NAME}","versions":[{}]}}"#, listed.join(","));
        self.put(&format!("packages/{NAME}/index.json"), text.into_bytes());
        entry
    }

    fn put(&self, path: &str, body: Vec<u8>) {
        self.files.put(path, body);
    }

    /// The `fetch` option serving these files (404 for anything else).
    fn fetch(&self) -> Function {
        self.files.fetch()
    }

    /// The URLs requested, in order.
    fn requests(&self) -> Vec<String> {
        self.files.requests()
    }

    /// Whether a blob was requested since `from`.
    fn blob_requested_since(&self, from: usize) -> bool {
        self.requests()[from..]
            .iter()
            .any(|url| url.contains("/blobs/"))
    }
}

/// A key pair WebCrypto made: the private `CryptoKey` and the public key as SPKI PEM.
struct Key {
    private: JsValue,
    pem: String,
}

async fn await_js(source: &str, args: &[&JsValue]) -> JsValue {
    let names: Vec<String> = (0..args.len()).map(|i| format!("a{i}")).collect();
    let f = Function::new_with_args(&names.join(","), source);
    let promise: Promise = f
        .apply(&JsValue::NULL, &args.iter().copied().collect::<Array>())
        .unwrap()
        .unchecked_into();
    JsFuture::from(promise).await.unwrap()
}

async fn keygen() -> Key {
    let pair = await_js(
        "return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])",
        &[],
    )
    .await;
    let public = Reflect::get(&pair, &"publicKey".into()).unwrap();
    let spki = await_js("return crypto.subtle.exportKey('spki', a0)", &[&public]).await;
    Key {
        private: Reflect::get(&pair, &"privateKey".into()).unwrap(),
        pem: pem_encode(&Uint8Array::new(&spki).to_vec(), "PUBLIC KEY"),
    }
}

/// What a `.sig` file holds for `payload` signed by `key`: base64 of the DER signature.
async fn sign(key: &Key, payload: &[u8]) -> String {
    let rs = await_js(
        "return crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, a0, a1)",
        &[&key.private, &Uint8Array::from(payload).into()],
    )
    .await;
    let rs: [u8; 64] = Uint8Array::new(&rs).to_vec().try_into().unwrap();
    base64_encode(&p1363_to_der(&rs))
}

/// Signs `entry` with `key` into the registry, as `hotswap publish --sign` does.
async fn sign_entry(registry: &Registry, entry: &Entry, key: &Key) {
    let signature = sign(key, static_payload(NAME, entry).as_bytes()).await;
    registry.put(
        &format!("packages/{NAME}/{}.sig", entry.version),
        signature.into_bytes(),
    );
}

fn trusted(registry: &Rc<Registry>, keys: &[&str], wanted: (&str, &str)) -> JsValue {
    let options = js_sys::Object::new();
    for (k, v) in [("registry", ROOT), ("name", NAME), wanted] {
        Reflect::set(&options, &k.into(), &v.into()).unwrap();
    }
    let options = with(options.into(), "fetch", registry.fetch().into());
    with(options, "policy", policy(keys))
}

fn policy(keys: &[&str]) -> JsValue {
    let list: Array = keys.iter().map(|k| JsValue::from_str(k)).collect();
    let trust = with(js_sys::Object::new().into(), "keys", list.into());
    with(js_sys::Object::new().into(), "trust", trust)
}

fn version(v: &str) -> JsValue {
    with(js_sys::Object::new().into(), "version", v.into())
}

fn counter(version: &'static str) -> Vec<u8> {
    Counter {
        version: Some(version),
        ..Counter::default()
    }
    .bytes()
}

async fn loaded(registry: &Rc<Registry>, key: &Key) -> (HotModule, Function) {
    let m = load(trusted(registry, &[&key.pem], ("range", "=1.0.0"))).await;
    let increment = export(&m, "increment");
    assert_eq!(call(&increment, &[41]), 41);
    (m, increment)
}

#[wasm_bindgen_test]
async fn a_signed_version_loads_and_swaps_its_signature_asked_for_before_any_blob() {
    let registry = Rc::new(Registry::default());
    let key = keygen().await;
    let v100 = registry.publish("1.0.0", &counter("1.0.0"));
    let v101 = registry.publish("1.0.1", &counter("1.0.1"));
    sign_entry(&registry, &v100, &key).await;
    sign_entry(&registry, &v101, &key).await;
    let (m, increment) = loaded(&registry, &key).await;
    {
        let requests = registry.requests();
        assert_eq!(requests[0], format!("{ROOT}packages/{NAME}/index.json"));
        assert_eq!(requests[1], format!("{ROOT}packages/{NAME}/1.0.0.sig"));
        assert!(requests[2].contains("/blobs/"), "{requests:?}");
    }
    let from = registry.requests().len();
    swap_ok(&m, version("1.0.1")).await;
    assert_eq!(m.version().as_deref(), Some("1.0.1"));
    assert_eq!(call(&increment, &[1]), 42, "the state moved");
    let requests = registry.requests();
    // An exact version: its signature is asked for with the index, before the blob.
    let sig = format!("{ROOT}packages/{NAME}/1.0.1.sig");
    let at = |url: &str| requests[from..].iter().position(|r| r == url);
    let blob = requests[from..].iter().position(|r| r.contains("/blobs/"));
    assert!(at(&sig).unwrap() < blob.unwrap(), "{requests:?}");
    assert!(at(&sig).unwrap() < 2, "sent with the index: {requests:?}");
}

#[wasm_bindgen_test]
async fn an_unsigned_version_is_signature_missing_and_the_old_one_serves_with_its_state() {
    let registry = Rc::new(Registry::default());
    let key = keygen().await;
    let v100 = registry.publish("1.0.0", &counter("1.0.0"));
    registry.publish("1.0.1", &counter("1.0.1"));
    sign_entry(&registry, &v100, &key).await;
    let (m, increment) = loaded(&registry, &key).await;
    let from = registry.requests().len();
    let err = swap_err(&m, version("1.0.1")).await;
    assert_eq!(code(&err), "SIGNATURE_MISSING", "{}", message(&err));
    assert!(
        message(&err).contains("acme/counter@1.0.1"),
        "{}",
        message(&err)
    );
    assert!(!registry.blob_requested_since(from));
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(call(&increment, &[1]), 42);
}

#[wasm_bindgen_test]
async fn another_keys_signature_another_versions_and_a_changed_payloads_are_signature_invalid() {
    let registry = Rc::new(Registry::default());
    let (key, other) = (keygen().await, keygen().await);
    let v100 = registry.publish("1.0.0", &counter("1.0.0"));
    sign_entry(&registry, &v100, &key).await;
    let (m, increment) = loaded(&registry, &key).await;
    let v101 = registry.publish("1.0.1", &counter("1.0.1"));
    let sig = format!("packages/{NAME}/1.0.1.sig");
    let mut changed = static_payload(NAME, &v101).into_bytes();
    let at = changed.len() - 5;
    changed[at] ^= 1;
    let cases = [
        (
            "another key",
            sign(&other, static_payload(NAME, &v101).as_bytes()).await,
        ),
        (
            "1.0.0's signature",
            sign(&key, static_payload(NAME, &v100).as_bytes()).await,
        ),
        ("a changed payload", sign(&key, &changed).await),
        ("not base64", "#!".to_string()),
        ("not DER", base64_encode(&[0x31, 0])),
    ];
    for (case, signature) in cases {
        registry.put(&sig, signature.into_bytes());
        let from = registry.requests().len();
        let err = swap_err(&m, version("1.0.1")).await;
        assert_eq!(code(&err), "SIGNATURE_INVALID", "{case}: {}", message(&err));
        assert!(!registry.blob_requested_since(from), "{case}");
        assert_eq!(m.version().as_deref(), Some("1.0.0"), "{case}");
    }
    assert_eq!(call(&increment, &[1]), 42);
    // Signed by a second trusted key, it swaps.
    sign_entry(&registry, &v101, &other).await;
    let both = with(version("1.0.1"), "policy", policy(&[&key.pem, &other.pem]));
    swap_ok(&m, both).await;
    assert_eq!(m.version().as_deref(), Some("1.0.1"));
    assert_eq!(call(&increment, &[1]), 43);
}

#[wasm_bindgen_test]
async fn a_module_given_by_bytes_is_signature_missing_and_a_bad_key_invalid_options() {
    let key = keygen().await;
    let bytes = counter("1.0.0");
    let err = load_err(with(bytes_options(&bytes), "policy", policy(&[&key.pem]))).await;
    assert_eq!(code(&err), "SIGNATURE_MISSING", "{}", message(&err));
    let err = load_err(with(
        bytes_options(&bytes),
        "policy",
        policy(&[&key.pem, "not a key"]),
    ))
    .await;
    assert_eq!(code(&err), "INVALID_OPTIONS", "{}", message(&err));
    assert!(message(&err).contains("policy.trust"), "{}", message(&err));
    assert!(message(&err).contains("keys[1]"), "{}", message(&err));
}
