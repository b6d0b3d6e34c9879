//! A static registry from the browser: its index fetched, revalidated and checked, and a
//! wanted version resolved to the blob that holds it.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use super::index::{blob_path, Index, PackageName, Wanted};
use super::index_json::index_from_json;
use super::{invalid_index, Resolved, ResolvedCore, ResolvedGlue};
use crate::digest::Digest;
use crate::fetch::{cancel_body, fetch_failed, ok, request, send, Source};
use crate::js::{describe, Failure};

#[cfg(doc)]
use crate::error::Error;

/// Resolves `name` in the static registry at `base` (its root URL, ending in `/`) to the
/// version `wanted` selects: the index at `<base>packages/<name>/index.json` names the
/// version and its digest, and the blob's URL, `<base>blobs/sha256/<hex>`, follows from the
/// digest; so does the URL of its JS glue, when the entry names one (`glue.digest`). The
/// caller fetches each blob against its digest. With `trust`, the version's signature must
/// verify first (`signature::browser::check_static`), before any blob is requested.
///
/// # Errors
/// Those of [`fetch_index`], [`Error::NoMatchingVersion`] when no version matches, and
/// [`Error::SignatureMissing`] or [`Error::SignatureInvalid`].
pub async fn resolve_static(
    base: &str,
    name: &PackageName,
    wanted: &Wanted,
    fetch_fn: Option<&Function>,
    trust: Option<&crate::signature::Trust>,
) -> Result<Resolved, Failure> {
    use crate::signature::browser::{fetch_static, request_static, verify_static};
    // An exact version's signature is asked for at once, in parallel with the index.
    let early = match (trust, wanted) {
        (Some(_), Wanted::Exact(version)) => Some(request_static(base, name, version, fetch_fn)),
        _ => None,
    };
    let index = fetch_index(&format!("{base}{}", name.index_path()), name, fetch_fn).await?;
    let entry = index.resolve(wanted)?;
    if let Some(trust) = trust {
        let requested =
            early.unwrap_or_else(|| request_static(base, name, &entry.version, fetch_fn));
        let signature = fetch_static(requested).await?;
        verify_static(trust, name, entry, &signature).await?;
    }
    // validate() checked every digest of the index.
    let digest: Digest = entry.digest.parse()?;
    let blob = |digest: &str| -> Result<(String, Digest), Failure> {
        let digest: Digest = digest.parse()?;
        Ok((format!("{base}{}", blob_path(&digest)), digest))
    };
    let glue = match &entry.glue {
        Some(glue) => {
            let (url, digest) = blob(&glue.digest)?;
            let kind = glue.kind;
            Some(ResolvedGlue { url, digest, kind })
        }
        None => None,
    };
    let mut cores = Vec::with_capacity(entry.cores.len());
    for core in &entry.cores {
        let (url, digest) = blob(&core.digest)?;
        let name = core.name.clone();
        cores.push(ResolvedCore { name, url, digest });
    }
    Ok(Resolved {
        source: Source::url(format!("{base}{}", blob_path(&digest))),
        digest,
        version: entry.version.clone(),
        glue,
        cores,
    })
}

/// What a conditional request for an index found.
pub enum Revalidated {
    /// `304 Not Modified`: the index is the one the `ETag` names. Nothing was read.
    Unchanged,
    /// A new index, its text (to share with other tabs) and its `ETag`, if the server sent one.
    Changed {
        /// The checked index.
        index: Index,
        /// The body, as received.
        text: String,
        /// The response's `ETag`.
        etag: Option<String>,
    },
}

/// Requests a registry index with `If-None-Match: etag` (when given). The browser's cache is
/// bypassed (`cache: "no-store"`): the caller keeps the validator, so a `304` reaches it.
///
/// # Errors
/// [`Error::FetchFailed`] (a status other than 2xx and 304), or [`Error::InvalidIndex`]
/// (see [`index_from_text`]).
pub async fn revalidate_index(
    url: &str,
    name: &PackageName,
    fetch_fn: Option<&Function>,
    etag: Option<&str>,
) -> Result<Revalidated, Failure> {
    let init = Object::new();
    let _ = Reflect::set(&init, &"cache".into(), &"no-store".into());
    if let Some(etag) = etag {
        let headers = Object::new();
        let _ = Reflect::set(&headers, &"if-none-match".into(), &etag.into());
        let _ = Reflect::set(&init, &"headers".into(), &headers);
    }
    let response = send(url, fetch_fn, &init).await?;
    if response.status() == 304 {
        cancel_body(&response);
        return Ok(Revalidated::Unchanged);
    }
    let response = ok(url, response)?;
    let etag = response.headers().get("etag").ok().flatten();
    let text = JsFuture::from(text_of(&response))
        .await
        .map_err(|cause| unreadable(url, "the body broke off", cause))?
        .as_string()
        .unwrap_or_default();
    let index = index_from_text(&text, url, name)?;
    Ok(Revalidated::Changed { index, text, etag })
}

/// Parses and checks an index's text, as [`fetch_index`] does a response's.
///
/// # Errors
/// [`Error::InvalidIndex`]: not JSON, not of the index's shape, or failing [`Index::validate`].
pub fn index_from_text(text: &str, url: &str, name: &PackageName) -> Result<Index, Failure> {
    let invalid =
        |reason: String, cause: JsValue| Failure::caused(invalid_index(url, reason), cause);
    let json = js_sys::JSON::parse(text)
        .map_err(|cause| invalid(format!("it is not JSON ({})", describe(&cause)), cause))?;
    let index = index_from_json(&json).map_err(|reason| invalid(reason, JsValue::UNDEFINED))?;
    index.validate(name, url)?;
    Ok(index)
}

/// Fetches and checks a registry index. The request revalidates any cached copy
/// (`cache: "no-cache"`), since an index changes while blobs never do.
///
/// # Errors
/// [`Error::FetchFailed`], or [`Error::InvalidIndex`]: not JSON, not of the index's shape, or
/// failing [`Index::validate`].
pub async fn fetch_index(
    url: &str,
    name: &PackageName,
    fetch_fn: Option<&Function>,
) -> Result<Index, Failure> {
    let init = Object::new();
    let _ = Reflect::set(
        &init,
        &JsValue::from_str("cache"),
        &JsValue::from_str("no-cache"),
    );
    let response = request(url, fetch_fn, &init).await?;
    let text = JsFuture::from(text_of(&response))
        .await
        .map_err(|cause| unreadable(url, "reading the body failed", cause))?;
    index_from_text(&text.as_string().unwrap_or_default(), url, name)
}

/// `response.text()`, rejecting where the call throws. (A plain function, not an `async fn`
/// reading the body: one more awaited future in the pipeline cost the default build ~370
/// bytes.)
fn text_of(response: &Response) -> Promise {
    response
        .text()
        .unwrap_or_else(|cause| Promise::reject(&cause))
}

/// `FETCH_FAILED` saying `reason` for a body that could not be read.
fn unreadable(url: &str, reason: &str, cause: JsValue) -> Failure {
    fetch_failed(url, format!("{reason} ({})", describe(&cause)), cause)
}
