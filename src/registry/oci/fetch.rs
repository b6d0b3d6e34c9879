//! Resolving against an OCI registry from the browser: tag list, manifest and the anonymous
//! bearer-token flow, ending where a static registry's resolution ends: a blob URL and the
//! digest to verify it by. The layout and the pure rules are in this module's siblings.
//!
//! The registry must send CORS headers: `Access-Control-Allow-Origin`, `Authorization` among
//! the allowed headers when it wants tokens, and `WWW-Authenticate` and `Link` among the
//! exposed ones (a challenge or a next page the page cannot read cannot be followed).

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use super::manifest_json::manifest_from_json;
use super::{
    base_url, check_repository, next_link, resolve_url, select_tag, Challenge, MANIFEST_MEDIA_TYPE,
};
use crate::digest::Digest;
use crate::fetch::{cancel_body, fetch_failed, ok, request, send, Source};
use crate::js::{describe, get, Failure};
use crate::registry::index::Wanted;
use crate::registry::{invalid_index, Resolved, ResolvedCore, ResolvedGlue};
use crate::signature::browser::simple_signing_from_json;
use crate::signature::{
    self, signature_tag, Trust, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE,
};

#[cfg(doc)]
use {super::Manifest, crate::error::Error};

/// Pages of a tag list followed at most; a registry linking on forever is cut off.
const MAX_TAG_PAGES: usize = 100;

/// Resolves `repository` at the registry `base` (`http(s)://host[:port]`, an `oci+` prefix
/// allowed) to the version `wanted` selects among its tags, and returns where its layer is,
/// the digest the manifest names for it, and the version:
///
/// 1. `GET <base>/v2/<repository>/tags/list`, following `Link: <…>; rel="next"`;
/// 2. [`select_tag`]: the tags that are semantic versions, by the index's selection rule;
/// 3. `GET <base>/v2/<repository>/manifests/<tag>` with
///    `Accept: application/vnd.oci.image.manifest.v1+json`, checked by
///    [`Manifest::wasm_layers`];
/// 4. the layer is `<base>/v2/<repository>/blobs/<digest>`: the returned [`Source`] carries
///    the token in its `init` when the registry asked for one; a glue layer's blob is
///    [`Resolved::glue`], to fetch with the same `init`. The caller fetches it with
///    [`crate::fetch::fetch`] against the returned digest, which follows redirects to storage
///    and verifies the bytes against the manifest's digest, never a response header.
///
/// Tag lists and manifests are requested with `cache: "no-cache"` (a tag can move); blobs
/// are immutable. A 401 with a `Bearer` challenge is answered by asking the challenge's
/// realm anonymously for a token and repeating the request with it, once.
///
/// # Errors
/// - [`Error::InvalidOptions`] (`name`): not an OCI repository name;
/// - [`Error::FetchFailed`]: a network error, a status other than 2xx (a 401 without a
///   `Bearer` challenge names it: pass credentials with the `fetch` option), a failed token
///   request;
/// - [`Error::InvalidIndex`]: a tag list or manifest that is not JSON of its shape, or a
///   manifest that is not a Wasm artifact (wrong media types, not one module layer and at
///   most one glue layer);
/// - [`Error::NoMatchingVersion`]: no tag matches `wanted`.
pub async fn resolve_oci(
    base: &str,
    repository: &str,
    wanted: &Wanted,
    fetch_fn: Option<&Function>,
) -> Result<Resolved, Failure> {
    resolve_oci_trusted(base, repository, wanted, fetch_fn, None).await
}

/// [`resolve_oci`], and with `trust` the manifest's cosign signature checked right after the
/// manifest is read, before any layer is requested: the tag `sha256-<hex>.sig` of the
/// manifest's digest (computed from the bytes received), its simple-signing layer fetched
/// and verified against its digest, the payload required to name that manifest and this
/// repository ([`SimpleSigning::check`]), and the layer's
/// `dev.cosignproject.cosign/signature` required to verify over the payload's bytes under a
/// trusted key. With several signature layers (cosign appends one per signing), one that
/// passes is enough.
///
/// # Errors
/// Those of [`resolve_oci`]; [`Error::SignatureMissing`] when the signature tag does not
/// exist; [`Error::SignatureInvalid`] when no layer of it passes.
pub async fn resolve_oci_trusted(
    base: &str,
    repository: &str,
    wanted: &Wanted,
    fetch_fn: Option<&Function>,
    trust: Option<&Trust>,
) -> Result<Resolved, Failure> {
    check_repository(repository, "name")?;
    let base = base_url(base);
    let mut session = Session {
        fetch_fn,
        token: None,
    };

    let tags = session.tags(base, repository).await?;
    let (version, tag) = select_tag(repository, &tags, wanted)?;

    let url = format!("{base}/v2/{repository}/manifests/{tag}");
    let response = session.get(&url, MANIFEST_MEDIA_TYPE).await?;
    let bytes = bytes_of(response, &url).await?;
    let json = parse_json(&bytes, &url)?;
    let manifest = manifest_from_json(&json).map_err(|reason| invalid_index(&url, reason))?;
    if let Some(trust) = trust {
        let what = format!("{repository}@{version}");
        let at = Signed {
            base,
            repository,
            what: &what,
        };
        session
            .check_signature(&at, &Digest::of(&bytes), trust)
            .await?;
    }
    let layers = manifest.wasm_layers(&url, &version)?;
    let digest = layers.module.digest;

    let blob = format!("{base}/v2/{repository}/blobs/{digest}");
    let kind = layers.kind;
    let glue = layers.glue.map(|glue| ResolvedGlue {
        url: format!("{base}/v2/{repository}/blobs/{}", glue.digest),
        digest: glue.digest,
        kind,
    });
    let cores = layers
        .cores
        .into_iter()
        .map(|(name, core)| ResolvedCore {
            name,
            url: format!("{base}/v2/{repository}/blobs/{}", core.digest),
            digest: core.digest,
        })
        .collect();
    let init = match &session.token {
        Some(token) => init_with(None, Some(token), None),
        None => JsValue::UNDEFINED,
    };
    Ok(Resolved {
        source: Source::Url { url: blob, init },
        digest,
        version,
        glue,
        cores,
    })
}

/// The requests of one resolution, sharing the token the registry asked for.
struct Session<'a> {
    fetch_fn: Option<&'a Function>,
    token: Option<String>,
}

impl Session<'_> {
    /// Every tag, page after page.
    async fn tags(&mut self, base: &str, repository: &str) -> Result<Vec<String>, Failure> {
        let mut url = format!("{base}/v2/{repository}/tags/list");
        let mut tags = Vec::new();
        for _ in 0..MAX_TAG_PAGES {
            let response = self.get(&url, "application/json").await?;
            let link = response.headers().get("link").ok().flatten();
            let json = json_of(response, &url).await?;
            let list = get(&json, "tags");
            if Array::is_array(&list) {
                for tag in list.unchecked_into::<Array>().iter() {
                    tag.as_string().map(|tag| tags.push(tag)).ok_or_else(|| {
                        invalid_index(&url, "`tags` holds a value that is not a string".into())
                    })?;
                }
            } else if !list.is_null() {
                // `null` is what distribution lists for a repository whose tags were deleted.
                return Err(invalid_index(&url, "`tags` is not an array".into()).into());
            }
            match link.as_deref().and_then(next_link) {
                Some(next) => url = resolve_url(&url, next),
                None => return Ok(tags),
            }
        }
        Err(invalid_index(
            &url,
            format!("the tag list goes on for more than {MAX_TAG_PAGES} pages"),
        )
        .into())
    }

    /// `GET url`, through the token flow on a 401; a 2xx response or `FETCH_FAILED`.
    async fn get(&mut self, url: &str, accept: &str) -> Result<Response, Failure> {
        let response = self.get_any(url, accept).await?;
        ok(url, response)
    }

    /// `GET url`, through the token flow on a 401, whatever the status after it.
    async fn get_any(&mut self, url: &str, accept: &str) -> Result<Response, Failure> {
        let init = init_with(Some(accept), self.token.as_deref(), Some("no-cache"));
        let response = send(url, self.fetch_fn, &init).await?;
        if response.status() != 401 {
            return Ok(response);
        }
        let header = response
            .headers()
            .get("www-authenticate")
            .ok()
            .flatten()
            .unwrap_or_default();
        let Some(challenge) = Challenge::parse(&header) else {
            let asks = if header.is_empty() {
                "no readable `WWW-Authenticate` (is it in Access-Control-Expose-Headers?)".into()
            } else {
                format!("`WWW-Authenticate: {header}`")
            };
            return Err(fetch_failed(
                url,
                format!(
                    "HTTP 401: the registry wants credentials ({asks}) and only anonymous bearer tokens are asked for; pass credentials through the `fetch` option"
                ),
                JsValue::UNDEFINED,
            ));
        };
        self.token = Some(self.fetch_token(&challenge).await?);
        let init = init_with(Some(accept), self.token.as_deref(), Some("no-cache"));
        send(url, self.fetch_fn, &init).await
    }

    /// The cosign signature of the manifest `manifest` at `at` (see [`resolve_oci_trusted`]).
    async fn check_signature(
        &mut self,
        at: &Signed<'_>,
        manifest: &Digest,
        trust: &Trust,
    ) -> Result<(), Failure> {
        let Signed {
            base,
            repository,
            what,
        } = *at;
        let tag = signature_tag(manifest);
        let url = format!("{base}/v2/{repository}/manifests/{tag}");
        // cosign writes OCI manifests; Docker's type too, as older cosign releases wrote.
        let accept = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
        let response = self.get_any(&url, accept).await?;
        if response.status() == 404 {
            cancel_body(&response);
            let reason =
                format!("the registry has no signature tag `{tag}` for its manifest {manifest}");
            return Err(signature::missing(what, reason).into());
        }
        let response = ok(&url, response)?;
        let bytes = bytes_of(response, &url).await?;
        let json = parse_json(&bytes, &url).map_err(|failure| {
            let reason = format!("the signature manifest `{tag}` is not JSON");
            Failure::caused(signature::invalid(what, reason), failure.cause)
        })?;
        let layers = get(&json, "layers");
        let layers: Vec<JsValue> = if Array::is_array(&layers) {
            layers.unchecked_into::<Array>().iter().collect()
        } else {
            Vec::new()
        };
        let mut refused = Vec::new();
        for layer in layers {
            let signature = get(&get(&layer, "annotations"), SIGNATURE_ANNOTATION).as_string();
            let digest = get(&layer, "digest")
                .as_string()
                .and_then(|d| d.parse::<Digest>().ok());
            let (Some(signature), Some(digest), true) = (
                signature,
                digest,
                get(&layer, "mediaType").as_string().as_deref() == Some(SIMPLE_SIGNING_MEDIA_TYPE),
            ) else {
                continue;
            };
            let blob = format!("{base}/v2/{repository}/blobs/{digest}");
            let response = self.get(&blob, "application/json").await?;
            let payload = bytes_of(response, &blob).await?;
            let passed = match (Digest::of(&payload) == digest, parse_json(&payload, &blob)) {
                (false, _) => Err(format!("its payload blob does not hash to {digest}")),
                (true, Err(_)) => Err("its payload is not JSON".to_string()),
                (true, Ok(json)) => match simple_signing_from_json(&json) {
                    None => Err("its payload is not a simple-signing payload".to_string()),
                    Some(payload) => payload.check(manifest, repository),
                },
            };
            match passed {
                Ok(()) => match signature::browser::verify(trust, what, &signature, &payload).await
                {
                    Ok(()) => return Ok(()),
                    Err(failure) => refused.push(failure.error.to_string()),
                },
                Err(reason) => refused.push(reason),
            }
        }
        if refused.is_empty() {
            refused.push(format!("`{tag}` has no `{SIMPLE_SIGNING_MEDIA_TYPE}` layer with a `{SIGNATURE_ANNOTATION}` annotation"));
        }
        Err(signature::invalid(what, refused.join("; ")).into())
    }

    /// An anonymous token for `challenge`: `{"token": …}` or `{"access_token": …}`.
    async fn fetch_token(&self, challenge: &Challenge) -> Result<String, Failure> {
        let url = challenge.token_url();
        let init = init_with(Some("application/json"), None, Some("no-store"));
        let response = request(&url, self.fetch_fn, &init).await?;
        let json = json_of(response, &url).await?;
        ["token", "access_token"]
            .iter()
            .find_map(|key| get(&json, key).as_string())
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                fetch_failed(
                    &url,
                    "the token response has no `token` or `access_token`".into(),
                    JsValue::UNDEFINED,
                )
            })
    }
}

/// A `RequestInit`: `headers` with `Accept` and `Authorization` as given, and `cache`.
fn init_with(accept: Option<&str>, token: Option<&str>, cache: Option<&str>) -> JsValue {
    let init = Object::new();
    let headers = Object::new();
    if let Some(accept) = accept {
        let _ = Reflect::set(&headers, &"accept".into(), &accept.into());
    }
    if let Some(token) = token {
        let _ = Reflect::set(
            &headers,
            &"authorization".into(),
            &format!("Bearer {token}").into(),
        );
    }
    let _ = Reflect::set(&init, &"headers".into(), &headers);
    if let Some(cache) = cache {
        let _ = Reflect::set(&init, &"cache".into(), &cache.into());
    }
    init.into()
}

/// Where a signature is looked for: the registry, the repository, and the version's name for
/// messages.
struct Signed<'a> {
    base: &'a str,
    repository: &'a str,
    what: &'a str,
}

/// The body's bytes.
async fn bytes_of(response: Response, url: &str) -> Result<Vec<u8>, Failure> {
    let buffer = match response.array_buffer() {
        Ok(promise) => JsFuture::from(promise).await,
        Err(cause) => Err(cause),
    };
    let buffer = buffer.map_err(|cause| {
        let reason = format!("reading the body failed ({})", describe(&cause));
        fetch_failed(url, reason, cause)
    })?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// `JSON.parse` of UTF-8 `bytes`, or `INVALID_INDEX` naming `url`.
fn parse_json(bytes: &[u8], url: &str) -> Result<JsValue, Failure> {
    let text = String::from_utf8_lossy(bytes);
    js_sys::JSON::parse(&text).map_err(|cause| {
        Failure::caused(
            invalid_index(url, format!("it is not JSON ({})", describe(&cause))),
            cause,
        )
    })
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
