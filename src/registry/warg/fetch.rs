//! Resolving against a Warg server from the browser: the checkpoint, the logs, the
//! signatures (WebCrypto), the inclusion proofs and the content's source, ending where every
//! registry's resolution ends: a URL and the digest to verify its bytes by.
//!
//! warg-server answers CORS itself (any origin; `GET`, `POST`; `Content-Type` and `Accept`),
//! its content files included, so a page can ask it directly.

use std::cell::RefCell;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use super::chain::Envelope;
use super::checkpoint::Checkpoint;
use super::encoding::package_log_id;
use super::key::SignatureCheck;
use super::problem::Problem;
use super::proof::{check_consistency, check_inclusion};
use super::{bad_signature, base_url, check_name, validate};
use crate::digest::Digest;
use crate::error::Error;
use crate::fetch::{ok, send, Source};
use crate::js::{describe, get, Failure};
use crate::registry::index::Wanted;
use crate::registry::oci::resolve_url;
use crate::registry::{invalid_index, Resolved};

#[wasm_bindgen(module = "/src/js/fetch.js")]
extern "C" {
    #[wasm_bindgen(js_name = verifyP256)]
    fn verify_p256(checks: &Array) -> Promise;
}

/// Pages of `/v1/fetch/logs` followed at most (the server sends 100 records a page).
const MAX_LOG_PAGES: usize = 1000;

thread_local! {
    /// The newest checkpoint verified so far of each registry this page resolved against,
    /// by the id of its operator log's first record: `(log length, log root)`.
    static SEEN: RefCell<Vec<(Digest, u64, Digest)>> = const { RefCell::new(Vec::new()) };
}

/// Resolves the package `name` (`namespace:name`) at the Warg server `base`
/// (`warg+http(s)://host[:port]`) to the release `wanted` selects, verified as the
/// [module](super) describes, and returns where its content is and its digest.
///
/// # Errors
/// - [`Error::InvalidOptions`] (`name`): not a Warg package name;
/// - [`Error::FetchFailed`]: a network error, a status other than 2xx, no content source;
/// - [`Error::InvalidIndex`]: a response that is not JSON of its shape, a record or proof
///   that does not decode;
/// - [`Error::RegistryLogInvalid`]: a signature, the hash chain, a permission or the
///   checkpoint that does not verify, naming the record;
/// - [`Error::NoMatchingVersion`]: no unyanked release matches (or the server has no log
///   for the package).
pub async fn resolve_warg(
    registry: &str,
    name: &str,
    wanted: &Wanted,
    fetch_fn: Option<&Function>,
) -> Result<Resolved, Failure> {
    check_name(name, "name")?;
    let base = base_url(registry);
    let client = Client { base, fetch_fn };

    let url = format!("{base}/v1/fetch/checkpoint");
    let json = client.json(&url, None).await?;
    let checkpoint = checkpoint_of(&json).map_err(|p| p.at(base, &url))?;

    let url = format!("{base}/v1/fetch/logs");
    let (operator, package) = client
        .logs(&url, name, wanted, checkpoint.log_length)
        .await?;
    let validated =
        validate(name, &checkpoint, &operator, &package).map_err(|p| p.at(base, &url))?;
    verify_signatures(base, &validated.checks).await?;

    let url = format!("{base}/v1/proof/inclusion");
    let body = Object::new();
    set(&body, "logLength", &(checkpoint.log_length as f64).into());
    let leafs = Array::new();
    for leaf in &validated.leaves {
        leafs.push(&(leaf.registry_index as f64).into());
    }
    set(&body, "leafs", &leafs);
    let json = client.json(&url, Some(&body)).await?;
    let bundle = |field: &str| {
        get(&json, field)
            .as_string()
            .and_then(|text| STANDARD.decode(text).ok())
            .ok_or_else(|| invalid_index(&url, format!("`{field}` is not a base64 string")))
    };
    let (log, map) = (bundle("log")?, bundle("map")?);
    check_inclusion(
        checkpoint.log_length,
        &checkpoint.log_root,
        &checkpoint.map_root,
        &validated.leaves,
        &log,
        &map,
    )
    .map_err(|p| p.at(base, &url))?;
    client.consistent(&validated.registry, &checkpoint).await?;

    let index = validated.index(name);
    let entry = index.resolve(wanted)?;
    let digest: Digest = entry.digest.parse()?;
    let url = format!("{base}/v1/content/{digest}");
    let json = client.json(&url, None).await?;
    let content = content_url(&json, &digest)
        .map(|target| resolve_url(&url, &target))
        .ok_or_else(|| Error::FetchFailed {
            url: url.clone(),
            reason: format!("the server names no `httpGet` source for {digest}"),
        })?;
    Ok(Resolved {
        source: Source::url(content),
        digest,
        version: entry.version.clone(),
        glue: None,
        cores: Vec::new(),
    })
}

/// The requests of one resolution.
struct Client<'a> {
    base: &'a str,
    fetch_fn: Option<&'a Function>,
}

impl Client<'_> {
    /// `GET url`, or `POST url` with `body` as JSON; the parsed answer.
    async fn json(&self, url: &str, body: Option<&Object>) -> Result<JsValue, Failure> {
        let response = self.send(url, body).await?;
        json_of(ok(url, response)?, url).await
    }

    async fn send(&self, url: &str, body: Option<&Object>) -> Result<Response, Failure> {
        let init = Object::new();
        let headers = Object::new();
        set(&headers, "accept", &"application/json".into());
        if let Some(body) = body {
            set(&init, "method", &"POST".into());
            set(&headers, "content-type", &"application/json".into());
            let text = JSON::stringify(body).map_err(|cause| {
                Failure::caused(
                    invalid_index(url, "the request could not be written".into()),
                    cause,
                )
            })?;
            set(&init, "body", &text);
        }
        set(&init, "headers", &headers);
        set(&init, "cache", &"no-store".into());
        send(url, self.fetch_fn, &init.into()).await
    }

    /// Checks `checkpoint` (verified) against the newest this page verified before for the
    /// same `registry`: not shorter, the same root at the same length, and a consistency proof
    /// from the older to the newer; then keeps the newer.
    ///
    /// # Errors
    /// [`Error::RegistryLogInvalid`] for a log that went back or forked;
    /// [`Error::InvalidIndex`] for a proof that does not decode.
    async fn consistent(&self, registry: &Digest, checkpoint: &Checkpoint) -> Result<(), Failure> {
        let (length, root) = (checkpoint.log_length, checkpoint.log_root);
        let seen = SEEN.with(|seen| {
            seen.borrow()
                .iter()
                .find(|(id, _, _)| id == registry)
                .map(|(_, length, root)| (*length, *root))
        });
        match seen {
            None => {}
            Some((old_length, old_root)) if old_length == length && old_root == root => {
                return Ok(())
            }
            Some((old_length, old_root)) if old_length == length => {
                return Err(Error::RegistryLogInvalid {
                    registry: self.base.to_string(),
                    reason: format!(
                        "the checkpoint at log length {length} has log root {root}, but one verified earlier had {old_root}: the log forked"
                    ),
                }
                .into())
            }
            Some((old_length, old_root)) => {
                let url = format!("{}/v1/proof/consistency", self.base);
                let problem = |p: Problem| p.at(self.base, &url);
                if old_length > length {
                    return Err(Error::RegistryLogInvalid {
                        registry: self.base.to_string(),
                        reason: format!(
                            "the checkpoint at log length {length} is older than one verified earlier at log length {old_length}: the log went back"
                        ),
                    }
                    .into());
                }
                let body = Object::new();
                set(&body, "from", &(old_length as f64).into());
                set(&body, "to", &(length as f64).into());
                let json = self.json(&url, Some(&body)).await?;
                let proof = get(&json, "proof")
                    .as_string()
                    .and_then(|text| STANDARD.decode(text).ok())
                    .ok_or_else(|| invalid_index(&url, "`proof` is not a base64 string".into()))?;
                check_consistency(old_length, &old_root, length, &root, &proof).map_err(problem)?;
            }
        }
        SEEN.with(|seen| {
            let mut seen = seen.borrow_mut();
            seen.retain(|(id, _, _)| id != registry);
            seen.push((*registry, length, root));
        });
        Ok(())
    }

    /// The operator log and the package log up to `log_length`, page after page.
    async fn logs(
        &self,
        url: &str,
        name: &str,
        wanted: &Wanted,
        log_length: u64,
    ) -> Result<(Vec<Envelope>, Vec<Envelope>), Failure> {
        let log_id = package_log_id(name).to_string();
        let (mut operator, mut package) = (Vec::new(), Vec::new());
        let (mut operator_token, mut package_token) = (JsValue::NULL, JsValue::NULL);
        for _ in 0..MAX_LOG_PAGES {
            let body = Object::new();
            set(&body, "logLength", &(log_length as f64).into());
            if !operator_token.is_null() {
                set(&body, "operator", &operator_token);
            }
            let packages = Object::new();
            set(&packages, &log_id, &package_token);
            set(&body, "packages", &packages);
            let response = self.send(url, Some(&body)).await?;
            if response.status() == 404 {
                return Err(self.not_found(response, url, name, wanted).await);
            }
            let json = json_of(ok(url, response)?, url).await?;
            let more = get(&json, "more").as_bool().unwrap_or(false);
            // A page without records of a log leaves its token where it was.
            let records = get(&json, "operator");
            if !records.is_undefined() {
                operator_token =
                    envelopes(&records, url, "operator", &mut operator)?.unwrap_or(operator_token);
            }
            let records = get(&get(&json, "packages"), &log_id);
            if !records.is_undefined() {
                package_token =
                    envelopes(&records, url, name, &mut package)?.unwrap_or(package_token);
            }
            if !more {
                return Ok((operator, package));
            }
        }
        Err(invalid_index(
            url,
            format!("the logs go on for more than {MAX_LOG_PAGES} pages"),
        )
        .into())
    }

    /// A 404 from `/v1/fetch/logs`: the server has no log for the package (`"type": "log"`),
    /// which is no version of it; anything else stays `FETCH_FAILED`.
    async fn not_found(
        &self,
        response: Response,
        url: &str,
        name: &str,
        wanted: &Wanted,
    ) -> Failure {
        let json = match response.json() {
            Ok(promise) => JsFuture::from(promise).await.unwrap_or(JsValue::UNDEFINED),
            Err(_) => JsValue::UNDEFINED,
        };
        if get(&json, "type").as_string().as_deref() == Some("log") {
            return Error::NoMatchingVersion {
                name: name.to_string(),
                wanted: wanted.to_string(),
                available: format!("nothing: {} has no log for it", self.base),
            }
            .into();
        }
        Error::FetchFailed {
            url: url.to_string(),
            reason: "HTTP 404".into(),
        }
        .into()
    }
}

/// Appends the records of a `PublishedRecord` array to `out`; the last one's fetch token, if
/// there was one.
fn envelopes(
    records: &JsValue,
    url: &str,
    log: &str,
    out: &mut Vec<Envelope>,
) -> Result<Option<JsValue>, Failure> {
    if !Array::is_array(records) {
        return Err(invalid_index(url, format!("the records of `{log}` are not an array")).into());
    }
    let mut token = None;
    for record in records.unchecked_ref::<Array>().iter() {
        let item = format!("record {} of the `{log}` log", out.len());
        let field = |key: &str| {
            get(&record, key)
                .as_string()
                .ok_or_else(|| invalid_index(url, format!("{item}: `{key}` is not a string")))
        };
        let index = get(&record, "registryIndex")
            .as_f64()
            .filter(|i| i.fract() == 0.0 && *i >= 0.0)
            .ok_or_else(|| {
                invalid_index(
                    url,
                    format!("{item}: `registryIndex` is not a whole number"),
                )
            })?;
        let envelope = Envelope::from_fields(
            &field("contentBytes")?,
            field("keyId")?,
            field("signature")?,
            index as u64,
            &item,
        )
        .map_err(|p| p.at(url, url))?; // only ever `Malformed`
        token = Some(field("fetchToken")?.into());
        out.push(envelope);
    }
    Ok(token)
}

/// The checkpoint of `/v1/fetch/checkpoint`'s answer.
fn checkpoint_of(json: &JsValue) -> Result<Checkpoint, Problem> {
    let bad = |what: &str| Problem::Malformed(format!("the checkpoint: {what}"));
    let contents = get(json, "contents");
    let number = |key: &str| {
        get(&contents, key)
            .as_f64()
            .filter(|n| n.fract() == 0.0 && *n >= 0.0)
            .map(|n| n as u64)
            .ok_or_else(|| bad(&format!("`contents.{key}` is not a whole number")))
    };
    let text = |object: &JsValue, key: &str| {
        get(object, key)
            .as_string()
            .ok_or_else(|| bad(&format!("`{key}` is not a string")))
    };
    Checkpoint::from_fields(
        number("logLength")?,
        &text(&contents, "logRoot")?,
        &text(&contents, "mapRoot")?,
        number("timestamp")?,
        text(json, "keyId")?,
        text(json, "signature")?,
    )
}

/// The URL of `/v1/content/<digest>`'s first `httpGet` source for `digest`.
fn content_url(json: &JsValue, digest: &Digest) -> Option<String> {
    let sources = get(&get(json, "contentSources"), &digest.to_string());
    if !Array::is_array(&sources) {
        return None;
    }
    sources
        .unchecked_into::<Array>()
        .iter()
        .find(|source| get(source, "type").as_string().as_deref() == Some("httpGet"))
        .and_then(|source| get(&source, "url").as_string())
}

/// Verifies every signature with WebCrypto.
///
/// # Errors
/// [`Error::RegistryLogInvalid`] naming the first record (or the checkpoint) whose signature
/// does not verify, or saying that the page has no WebCrypto to verify them with.
async fn verify_signatures(registry: &str, checks: &[SignatureCheck]) -> Result<(), Failure> {
    let list = Array::new();
    for check in checks {
        list.push(&Array::of3(
            &Uint8Array::from(check.key.sec1.as_slice()),
            &Uint8Array::from(check.message.as_slice()),
            &Uint8Array::from(check.signature.as_slice()),
        ));
    }
    let verdict = JsFuture::from(verify_p256(&list)).await.map_err(|cause| {
        Failure::caused(
            Error::RegistryLogInvalid {
                registry: registry.to_string(),
                reason: format!("its signatures could not be verified: {}", describe(&cause)),
            },
            cause,
        )
    })?;
    match verdict.as_f64() {
        Some(at) if at >= 0.0 => Err(bad_signature(registry, &checks[at as usize]).into()),
        _ => Ok(()),
    }
}

fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &key.into(), value);
}

async fn json_of(response: Response, url: &str) -> Result<JsValue, Failure> {
    let parsed = match response.json() {
        Ok(promise) => JsFuture::from(promise).await,
        Err(cause) => Err(cause),
    };
    parsed.map_err(|cause| {
        Failure::caused(
            invalid_index(url, format!("it is not JSON ({})", describe(&cause))),
            cause,
        )
    })
}
