//! Signatures in the browser: a static registry's signature file fetched and checked, and the
//! check itself, by WebCrypto (`crypto.subtle.verify`, ECDSA P-256 with SHA-256), with each
//! trusted key imported once per page (`verifySignature` in `src/js/fetch.js`).

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::{base64_decode, der_to_p1363, invalid, missing, signature_path, static_payload, Trust};
#[cfg(feature = "updates")]
use super::{Critical, Identity, Image, SimpleSigning};
use crate::fetch::{cancel_body, fetch_failed, ok, send};
#[cfg(feature = "updates")]
use crate::js::get;
use crate::js::{describe, Failure};
use crate::registry::index::{Entry, PackageName};

#[cfg(doc)]
use crate::error::Error;

#[wasm_bindgen(module = "/src/js/fetch.js")]
extern "C" {
    /// Resolves with the index of the first key of `keys` (base64 SPKI) under which
    /// `signature` (`r ‖ s`) verifies over `payload`, or -1; rejects where there is no
    /// WebCrypto or a key cannot be imported.
    #[wasm_bindgen(js_name = verifySignature)]
    fn verify_signature(keys: &Array, signature: &Uint8Array, payload: &Uint8Array) -> Promise;
}

/// Whether `signature` (base64 of a DER ECDSA signature, surrounding whitespace ignored)
/// verifies over `payload` under one of `trust`'s keys.
///
/// # Errors
/// [`Error::SignatureInvalid`] naming `what`: not base64, not DER, verifying under no key, or
/// no WebCrypto to check it with.
pub(crate) async fn verify(
    trust: &Trust,
    what: &str,
    signature: &str,
    payload: &[u8],
) -> Result<(), Failure> {
    let der =
        base64_decode(signature).ok_or_else(|| invalid(what, "the signature is not base64"))?;
    let rs = der_to_p1363(&der).map_err(|reason| invalid(what, reason))?;
    let keys: Array = trust.keys.iter().map(|k| JsValue::from_str(k)).collect();
    let pending = verify_signature(
        &keys,
        &Uint8Array::from(&rs[..]),
        &Uint8Array::from(payload),
    );
    let answer = JsFuture::from(pending).await.map_err(|cause| {
        let reason = format!("it could not be checked ({})", describe(&cause));
        Failure::caused(invalid(what, reason), cause)
    })?;
    match answer.as_f64() {
        Some(i) if i >= 0.0 => Ok(()),
        _ => Err(invalid(
            what,
            format!(
                "it does not verify under the {} trusted key(s) over this version's payload",
                trust.keys.len()
            ),
        )
        .into()),
    }
}

/// Fetches the text of the signature of `name@version` in the static registry at `base`:
/// `<base>packages/<name>/<version>.sig`, revalidated like an index.
///
/// # Errors
/// [`Error::SignatureMissing`] for a 404 or 410; [`Error::FetchFailed`] for another status
/// or a network error.
pub(crate) async fn fetch_static(
    base: &str,
    name: &PackageName,
    version: &semver::Version,
    fetch_fn: Option<&Function>,
) -> Result<String, Failure> {
    let url = format!("{base}{}", signature_path(name, version));
    let init = Object::new();
    let _ = Reflect::set(&init, &"cache".into(), &"no-cache".into());
    let response = send(&url, fetch_fn, &init).await?;
    if matches!(response.status(), 404 | 410) {
        cancel_body(&response);
        let reason = format!("`{url}` answered HTTP {}", response.status());
        return Err(missing(&format!("{name}@{version}"), reason).into());
    }
    let response = ok(&url, response)?;
    let text = response
        .text()
        .unwrap_or_else(|cause| Promise::reject(&cause));
    let text = JsFuture::from(text).await.map_err(|cause| {
        let reason = format!("reading the body failed ({})", describe(&cause));
        fetch_failed(&url, reason, cause)
    })?;
    Ok(text.as_string().unwrap_or_default())
}

/// Checks `signature` (a static registry's `.sig` text) of `entry` of package `name`: over
/// [`static_payload`] of the entry, so it verifies only if it signed exactly this name,
/// version and set of digests.
///
/// # Errors
/// Those of [`verify`].
pub(crate) async fn verify_static(
    trust: &Trust,
    name: &PackageName,
    entry: &Entry,
    signature: &str,
) -> Result<(), Failure> {
    let what = format!("{name}@{}", entry.version);
    let payload = static_payload(name.as_str(), entry);
    verify(trust, &what, signature, payload.as_bytes()).await
}

/// The fields of a simple-signing payload parsed by `JSON.parse`, or `None` when one of them
/// is missing or not a string.
#[cfg(feature = "updates")]
pub(crate) fn simple_signing_from_json(json: &JsValue) -> Option<SimpleSigning> {
    let critical = get(json, "critical");
    let text = |object: &JsValue, key: &str| get(object, key).as_string();
    Some(SimpleSigning {
        critical: Critical {
            identity: Identity {
                docker_reference: text(&get(&critical, "identity"), "docker-reference")?,
            },
            image: Image {
                docker_manifest_digest: text(&get(&critical, "image"), "docker-manifest-digest")?,
            },
            kind: text(&critical, "type")?,
        },
    })
}
