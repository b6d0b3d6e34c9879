//! The browser's OCI client against a real registry (Debian's `docker-registry`) holding
//! modules the CLI pushed. `tests/e2e/oci.test.mjs` sets all of that up (the registries, the
//! pushes, a proxy that redirects, loops and tampers) and builds and runs this file with the
//! URLs and digests in the environment, read here at compile time. Built without them (a plain
//! `wasm-pack test`), every test logs that it was skipped and passes.
#![cfg(all(target_arch = "wasm32", feature = "updates"))]

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use wasm_hotswap::fetch::{fetch, Source};
use wasm_hotswap::inspect::read_interface;
use wasm_hotswap::registry::index::Wanted;
use wasm_hotswap::registry::oci::resolve_oci;
use wasm_hotswap::registry::Resolved;

wasm_bindgen_test_configure!(run_in_browser);

/// What the e2e test set up.
struct Env {
    /// Anonymous pull.
    registry: &'static str,
    /// The same storage behind distribution's token auth.
    token_registry: &'static str,
    /// The e2e test's proxy: `/redirect`, `/tampered` and `/loop` in front of `registry`.
    proxy: &'static str,
    /// The layer digests the CLI reported for 1.0.0 and 1.1.0 of `acme/counter`.
    v1: &'static str,
    v2: &'static str,
}

fn env() -> Option<Env> {
    Some(Env {
        registry: option_env!("OCI_REGISTRY")?,
        token_registry: option_env!("OCI_TOKEN_REGISTRY")?,
        proxy: option_env!("OCI_PROXY")?,
        v1: option_env!("OCI_V1_DIGEST")?,
        v2: option_env!("OCI_V2_DIGEST")?,
    })
}

macro_rules! env_or_skip {
    () => {
        match env() {
            Some(env) => env,
            None => {
                console_log!(
                    "skipped: run through tests/e2e/oci.test.mjs, which starts the registry"
                );
                return;
            }
        }
    };
}

fn range(text: &str) -> Wanted {
    Wanted::range(text, "range").unwrap()
}

/// A `fetch` that logs `[url, authorization header, response.redirected]` into `log`.
fn recording_fetch(log: &Array) -> Function {
    let f = Function::new_with_args(
        "log, url, init",
        "const auth = init && init.headers ? (init.headers.authorization ?? null) : null;
         return fetch(url, init).then((r) => { log.push([url, auth, r.redirected]); return r; });",
    );
    JsValue::from(f.bind1(&JsValue::NULL, log)).unchecked_into()
}

fn logged(log: &Array) -> Vec<(String, Option<String>, bool)> {
    log.iter()
        .map(|entry| {
            let entry: Array = entry.into();
            (
                entry.get(0).as_string().unwrap(),
                entry.get(1).as_string(),
                entry.get(2).as_bool().unwrap(),
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn resolve_oci_picks_the_highest_tag_in_range_and_its_layer_verifies() {
    let env = env_or_skip!();
    let base = format!("oci+{}", env.registry);
    let Resolved {
        source,
        digest,
        version,
        ..
    } = resolve_oci(&base, "acme/counter", &range("^1"), None)
        .await
        .unwrap();
    assert_eq!(version.to_string(), "1.1.0");
    assert_eq!(digest.to_string(), env.v2);
    assert_eq!(
        source.name(),
        format!("{}/v2/acme/counter/blobs/{}", env.registry, env.v2)
    );
    let verified = fetch(&source, digest, None, None).await.unwrap();
    let interface = read_interface(verified.bytes()).unwrap();
    assert_eq!(interface.version.unwrap().to_string(), "1.1.0");

    let exact = Wanted::version("1.0.0", "version").unwrap();
    let Resolved {
        digest, version, ..
    } = resolve_oci(env.registry, "acme/counter", &exact, None)
        .await
        .unwrap();
    assert_eq!(
        (version.to_string(), digest.to_string()),
        ("1.0.0".into(), env.v1.into())
    );
}

#[wasm_bindgen_test]
async fn a_registry_that_wants_a_bearer_token_gets_one_from_its_realm() {
    let env = env_or_skip!();
    let log = Array::new();
    let recorder = recording_fetch(&log);
    let Resolved {
        source,
        digest,
        version,
        ..
    } = resolve_oci(
        env.token_registry,
        "acme/counter",
        &range("~1.0"),
        Some(&recorder),
    )
    .await
    .unwrap();
    assert_eq!(version.to_string(), "1.0.0");
    assert_eq!(digest.to_string(), env.v1);
    let requests = logged(&log);
    // The 401, the realm asked anonymously, then the same request with the token.
    let tags = format!("{}/v2/acme/counter/tags/list", env.token_registry);
    assert_eq!(requests[0].0, tags);
    assert_eq!(requests[0].1, None);
    assert!(
        requests[1]
            .0
            .contains("/token?service=wasm-hotswap-test&scope=repository%3Aacme%2Fcounter%3Apull"),
        "{:?}",
        requests[1]
    );
    assert_eq!(requests[1].1, None);
    assert_eq!(requests[2].0, tags);
    assert!(requests[2].1.as_deref().unwrap().starts_with("Bearer "));
    // The manifest reuses the token; the blob's request carries it too.
    assert!(requests[3].0.ends_with("/manifests/1.0.0"));
    assert!(requests[3].1.is_some());
    let Source::Url { init, .. } = &source else {
        panic!("a URL source");
    };
    let headers = Reflect::get(init, &"headers".into()).unwrap();
    let auth = Reflect::get(&headers, &"authorization".into()).unwrap();
    assert_eq!(auth.as_string(), requests[2].1);
    let verified = fetch(&source, digest, Some(&recorder), None).await.unwrap();
    assert_eq!(verified.digest().to_string(), env.v1);
}

#[wasm_bindgen_test]
async fn a_manifest_that_is_not_a_wasm_artifact_is_invalid_index() {
    let env = env_or_skip!();
    let err = resolve_oci(env.registry, "acme/container", &range("^1"), None)
        .await
        .err()
        .unwrap();
    assert_eq!(err.error.code(), "INVALID_INDEX");
    let text = err.error.to_string();
    assert!(
        text.contains("/v2/acme/container/manifests/1.0.0"),
        "{text}"
    );
    assert!(
        text.contains("application/vnd.oci.image.config.v1+json"),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn no_tag_in_the_range_is_no_matching_version_and_no_repository_fetch_failed() {
    let env = env_or_skip!();
    let err = resolve_oci(env.registry, "acme/counter", &range("^9"), None)
        .await
        .err()
        .unwrap();
    assert_eq!(err.error.code(), "NO_MATCHING_VERSION");
    assert!(
        err.error.to_string().contains("1.0.0, 1.1.0"),
        "{}",
        err.error
    );

    let err = resolve_oci(env.registry, "acme/nothing", &range("^1"), None)
        .await
        .err()
        .unwrap();
    assert_eq!(err.error.code(), "FETCH_FAILED");
    assert!(err.error.to_string().contains("HTTP 404"), "{}", err.error);

    let err = resolve_oci(env.registry, "Acme/Counter", &range("^1"), None)
        .await
        .err()
        .unwrap();
    assert_eq!(err.error.code(), "INVALID_OPTIONS");
}

#[wasm_bindgen_test]
async fn blob_redirects_to_storage_are_followed_and_verified() {
    let env = env_or_skip!();
    let log = Array::new();
    let recorder = recording_fetch(&log);
    let base = format!("{}/redirect", env.proxy);
    let Resolved { source, digest, .. } = resolve_oci(&base, "acme/counter", &range("^1"), None)
        .await
        .unwrap();
    let verified = fetch(&source, digest, Some(&recorder), None).await.unwrap();
    assert_eq!(verified.digest().to_string(), env.v2);
    let requests = logged(&log);
    assert_eq!(requests.len(), 1);
    assert!(requests[0].2, "the blob's response came through a redirect");
}

#[wasm_bindgen_test]
async fn a_redirect_loop_is_fetch_failed() {
    let env = env_or_skip!();
    let url = format!("{}/loop/v2/acme/counter/blobs/{}", env.proxy, env.v2);
    let err = fetch(
        &Source::url(url.clone()),
        env.v2.parse().unwrap(),
        None,
        None,
    )
    .await
    .err()
    .expect("a redirect loop fails");
    assert_eq!(err.error.code(), "FETCH_FAILED");
    assert!(err.error.to_string().contains(&url), "{}", err.error);
}

#[wasm_bindgen_test]
async fn a_tampered_blob_is_hash_mismatch_whatever_its_headers_say() {
    let env = env_or_skip!();
    // The proxy serves other bytes for the blob, with a `Docker-Content-Digest` that matches
    // them: only the manifest's digest counts.
    let base = format!("{}/tampered", env.proxy);
    let Resolved { source, digest, .. } = resolve_oci(&base, "acme/counter", &range("^1"), None)
        .await
        .unwrap();
    assert_eq!(digest.to_string(), env.v2);
    let err = fetch(&source, digest, None, None)
        .await
        .err()
        .expect("tampered bytes fail verification");
    assert_eq!(err.error.code(), "HASH_MISMATCH");
    assert!(err.error.to_string().contains(env.v2), "{}", err.error);
}
