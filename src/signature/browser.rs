//! Signatures in the browser: a static registry's signature file fetched and checked, and the
//! check itself, by WebCrypto (`crypto.subtle.verify`, ECDSA P-256 with SHA-256), with each
//! trusted key imported once per page (`verifySignature` in `src/js/fetch.js`).

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use super::{base64_decode, der_to_p1363, invalid, missing, signature_path, static_payload, Trust};
#[cfg(feature = "updates")]
use super::{Critical, Identity, Image, SimpleSigning};
use crate::fetch::{cancel_body, fetch_failed, ok};
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

/// The request for a static registry's signature of `name@version`, sent when this is made,
/// so that it runs while other requests do (see [`request_static`]).
pub(crate) struct Requested {
    url: String,
    what: String,
    response: Result<Promise, JsValue>,
}

/// Sends the request for the signature of `name@version` in the static registry at `base`:
/// `<base>packages/<name>/<version>.sig`, revalidated like an index. Its answer is read by
/// [`fetch_static`]; one never read is dropped quietly.
pub(crate) fn request_static(
    base: &str,
    name: &PackageName,
    version: &semver::Version,
    fetch_fn: Option<&Function>,
) -> Requested {
    let url = format!("{base}{}", signature_path(name, version));
    let init = Object::new();
    let _ = Reflect::set(&init, &"cache".into(), &"no-cache".into());
    let response = match fetch_fn {
        Some(f) => f.call2(&JsValue::NULL, &JsValue::from_str(&url), &init),
        None => crate::js::global_fetch(&url, &init).map(JsValue::from),
    }
    .map(|pending| {
        let pending = Promise::resolve(&pending);
        // Handled, so that a request nobody reads (the index failed) rejects quietly.
        let _ = Promise::all_settled(&Array::of1(&pending));
        pending
    });
    Requested {
        what: format!("{name}@{version}"),
        url,
        response,
    }
}

/// The text of the signature [`request_static`] asked for.
///
/// # Errors
/// [`Error::SignatureMissing`] for a 404 or 410; [`Error::FetchFailed`] for another status
/// or a network error.
pub(crate) async fn fetch_static(requested: Requested) -> Result<String, Failure> {
    let Requested {
        url,
        what,
        response,
    } = requested;
    let response = match response {
        Ok(pending) => JsFuture::from(pending).await,
        Err(cause) => Err(cause),
    }
    .map_err(|cause| fetch_failed(&url, describe(&cause), cause))?;
    let response: Response = response.dyn_into().map_err(|other| {
        let reason = "the `fetch` option resolved with something that is not a Response";
        fetch_failed(&url, reason.into(), other)
    })?;
    if matches!(response.status(), 404 | 410) {
        cancel_body(&response);
        let reason = format!("`{url}` answered HTTP {}", response.status());
        return Err(missing(&what, reason).into());
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
