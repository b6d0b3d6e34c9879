//! Fetching: the module's bytes arrive once, are hashed, and only then reach the compiler.
//!
//! The response body is collected; a small one (or any, without WebCrypto) is hashed in wasm as
//! it arrives ([`Verifier`]), a larger one by WebCrypto once it is in. A same-origin body whose
//! `Content-Length` proves its size is done at its last byte, without waiting for the stream's
//! end. Once its SHA-256 matches, the verified bytes are compiled ([`Compiling::bytes`]: on the
//! spot when small, else by `WebAssembly.compile`, which runs while they are inspected and
//! gated). The bytes are kept for inspection. An injected `fetch` function
//! can replace the global one, and bytes in hand skip the network.
//!
//! `send` (and `request`, which refuses a status other than 2xx with `ok`) and `cancel_body`
//! are the runtime's one way to make a request, refuse a status and drop a body; the registry
//! layer's requests use them too.

use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ReadableStream, ReadableStreamDefaultReader, ReadableStreamReadResult, Response, ResponseType,
};

use crate::compile::Compiling;
use crate::digest::Digest;
use crate::error::Error;
use crate::js::{describe, global_fetch, Failure};
use crate::verify::{Verified, Verifier};

/// Where a module's bytes come from.
pub enum Source {
    /// Fetched from a URL, with `init` as `fetch`'s second argument (headers such as a
    /// registry token; `undefined` for none).
    Url {
        /// The URL.
        url: String,
        /// `RequestInit`, or `undefined`.
        init: JsValue,
    },
    /// Already in hand.
    Bytes(Uint8Array),
}

impl Source {
    /// A plain GET of `url`.
    pub fn url(url: impl Into<String>) -> Self {
        Source::Url {
            url: url.into(),
            init: JsValue::UNDEFINED,
        }
    }

    /// The name errors use: the URL, or `bytes`.
    pub fn name(&self) -> &str {
        match self {
            Source::Url { url, .. } => url,
            Source::Bytes(_) => "bytes",
        }
    }
}

/// The largest body hashed with SHA-256 in wasm (as it arrives, for a download) rather than by
/// WebCrypto: below it, WebCrypto's promise, and the runtime's await of it, cost more than the
/// hash. Measured in Chromium on a 10 KB load: from the last byte to the digest checked,
/// 0.20–0.25 ms through WebCrypto, 0.05 ms in wasm, the hash included. (Chromium computes a
/// digest within the `digest()` call, on the calling thread: 64 KB in 0.04 ms, 4 MB in 5 ms;
/// `node bench/probe-small.mjs`.)
const WASM_HASH_MAX: u32 = 64 << 10;

/// The largest `Content-Length` trusted to size the buffer up front; longer bodies still load,
/// growing as they arrive.
const MAX_PREALLOCATION: usize = 64 << 20;

/// Fetches `source`, verifies it against `digest`, and only then starts compiling it: the
/// compilation comes back as the payload of the bytes' [`Verified`]. No byte reaches the
/// engine's compiler before its digest is checked, so a tampered or truncated module is never
/// compiled, not even to be thrown away.
///
/// # Errors
/// - [`Error::FetchFailed`]: a network error, an HTTP status other than 2xx, a body that broke
///   off, or an injected `fetch` that did not resolve to a `Response`;
/// - [`Error::HashMismatch`]: the bytes are not the ones asked for.
pub async fn fetch(
    source: &Source,
    digest: Digest,
    fetch_fn: Option<&Function>,
    progress: Option<&Function>,
) -> Result<Verified<Compiling>, Failure> {
    match source {
        Source::Bytes(bytes) => {
            let verified = finish_in_hand(&in_hand(bytes), digest, source.name()).await?;
            // Compiled from the runtime's own copy of exactly the bytes just hashed.
            let compiling = compile_verified(&verified);
            Ok(verified.with(compiling))
        }
        Source::Url { url, init } => {
            let response = request(url, fetch_fn, init).await?;
            let length = Length::of(&response);
            let mut verifier = length.verifier(digest, url.as_str());
            if let Some(body) = response.body() {
                let progress = Progress::new(progress, url, length.total);
                collect_stream(&body, &mut verifier, url, length.exact, progress).await?;
            }
            // A null body (a 204, say) is an empty module: it fails verification or inspection.
            let verified = finish(verifier).await?;
            let compiling = compile_verified(&verified);
            Ok(verified.with(compiling))
        }
    }
}

/// Starts compiling the bytes `verified` holds: the one place a fetched module meets the
/// compiler, after its digest was checked.
fn compile_verified(verified: &Verified) -> Compiling {
    // SAFETY: `WebAssembly.compile` copies the bytes before it returns (it "gets a copy of the
    // buffer source" synchronously), and nothing allocates in between, so wasm memory cannot
    // grow under the view.
    let view = unsafe { Uint8Array::view(verified.bytes()) };
    Compiling::bytes(&view)
}

/// Fetches a blob that is not compiled here (or takes its bytes in hand) and verifies it
/// against `digest`: a guest's JS glue, which runs only from the bytes this returns, or a
/// component, which is inspected and gated but instantiated from its core modules. `what`
/// (`glue`, `component`) names it in errors.
///
/// # Errors
/// [`Error::FetchFailed`] as [`fetch`]; [`Error::HashMismatch`] naming `what` and the source.
pub async fn fetch_blob(
    source: &Source,
    digest: Digest,
    what: &str,
    fetch_fn: Option<&Function>,
    progress: Option<&Function>,
) -> Result<Verified, Failure> {
    let name = format!("{what} {}", source.name());
    match source {
        Source::Bytes(bytes) => finish_in_hand(&in_hand(bytes), digest, name).await,
        Source::Url { url, init } => {
            let response = request(url, fetch_fn, init).await?;
            let length = Length::of(&response);
            let mut verifier = length.verifier(digest, name);
            if let Some(body) = response.body() {
                let progress = Progress::new(progress, url, length.total);
                collect_stream(&body, &mut verifier, url, length.exact, progress).await?;
            }
            finish(verifier).await
        }
    }
}

/// Bytes in hand as the runtime reads them. [`finish_in_hand`] reads them twice, WebCrypto's
/// copy and the copy into wasm memory (which is what gets inspected, compiled or run), both in
/// one synchronous turn, during which nothing can write an `ArrayBuffer` the page owns: so the
/// caller's own view is read. A `SharedArrayBuffer` can change under another thread between
/// the two reads, so its bytes are copied once first, and the copy is read. (WebCrypto refuses
/// a shared view today, which would leave the one copy into wasm memory, hashed there; the
/// private copy does not rely on that.)
fn in_hand(bytes: &Uint8Array) -> Uint8Array {
    if !bytes.buffer().is_instance_of::<js_sys::SharedArrayBuffer>() {
        return bytes.clone();
    }
    let private = Uint8Array::new_with_length(bytes.length());
    private.set(bytes, 0);
    private
}

/// A verifier that collected `bytes`, copied into wasm memory.
fn collected(bytes: &Uint8Array, digest: Digest, name: impl Into<String>) -> Verifier {
    let len = bytes.length() as usize;
    let mut verifier = Verifier::collecting(digest, name, len);
    verifier.append_with(len, |room| bytes.copy_to_uninit(room));
    verifier
}

/// The browser's `crypto.subtle`, present in secure contexts (https, localhost).
fn subtle_crypto() -> Option<JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).ok()?;
    let subtle = Reflect::get(&crypto, &JsValue::from_str("subtle")).ok()?;
    subtle.is_object().then_some(subtle)
}

/// `crypto.subtle.digest("SHA-256", data)` started, or `None` where the page has no WebCrypto
/// (or it threw). Chromium hashes within the call, on this thread, and answers with a promise.
fn start_digest(data: &JsValue) -> Option<Promise> {
    let subtle = subtle_crypto()?;
    let digest = Reflect::get(&subtle, &JsValue::from_str("digest")).ok()?;
    let digest = digest.dyn_into::<Function>().ok()?;
    let pending = digest
        .call2(&subtle, &JsValue::from_str("SHA-256"), data)
        .ok()?;
    Some(Promise::resolve(&pending))
}

/// Verifies what `verifier` hashed as it arrived, or collected. WebCrypto hashes 2 to 4 times
/// faster than SHA-256 in wasm (natively, with the CPU's SHA instructions where it has them), so
/// it is used for what was collected where the page has it.
async fn finish(verifier: Verifier) -> Result<Verified, Failure> {
    if verifier.hashing() {
        return Ok(verifier.finish()?);
    }
    // SAFETY: the view is handed to `digest`, which copies the bytes before it returns
    // (WebCrypto's "get a copy of the bytes held by the buffer source"), and nothing allocates
    // in between, so wasm memory cannot grow under it.
    let view = unsafe { Uint8Array::view(verifier.bytes()) };
    let hashing = start_digest(&view);
    finish_hashing(verifier, hashing).await
}

/// Verifies what `verifier` collected against the digest `hashing` computes over the same
/// bytes, or in wasm where there is none.
async fn finish_hashing(verifier: Verifier, hashing: Option<Promise>) -> Result<Verified, Failure> {
    let Some(hashing) = hashing else {
        return Ok(verifier.finish()?);
    };
    match JsFuture::from(hashing).await {
        Ok(buffer) => {
            let mut bytes = [0u8; 32];
            Uint8Array::new(&buffer).copy_to(&mut bytes);
            Ok(verifier.finish_with(Digest::from_bytes(bytes))?)
        }
        // WebCrypto refused (it may be disabled): hash in wasm instead.
        Err(_) => Ok(verifier.finish()?),
    }
}

/// Verifies bytes in hand ([`in_hand`]): WebCrypto takes its copy and hashes them, then they are
/// copied into wasm memory, in the same synchronous turn, so the two read the same bytes. At
/// most [`WASM_HASH_MAX`] bytes are hashed in wasm instead, from that copy, with no round trip.
async fn finish_in_hand(
    bytes: &Uint8Array,
    digest: Digest,
    name: impl Into<String>,
) -> Result<Verified, Failure> {
    if bytes.length() <= WASM_HASH_MAX {
        return Ok(collected(bytes, digest, name).finish()?);
    }
    let hashing = start_digest(bytes);
    finish_hashing(collected(bytes, digest, name), hashing).await
}

/// [`send`], refusing a status other than 2xx ([`ok`]).
///
/// # Errors
/// Those of [`send`] and [`ok`].
pub(crate) async fn request(
    url: &str,
    fetch_fn: Option<&Function>,
    init: &JsValue,
) -> Result<Response, Failure> {
    ok(url, send(url, fetch_fn, init).await?)
}

/// `FETCH_FAILED` for `url`, with the JS error behind it.
pub(crate) fn fetch_failed(url: &str, reason: String, cause: JsValue) -> Failure {
    Failure::caused(
        Error::FetchFailed {
            url: url.to_string(),
            reason,
        },
        cause,
    )
}

/// The response if its status is 2xx, else `FETCH_FAILED` naming the status, with the body
/// cancelled.
pub(crate) fn ok(url: &str, response: Response) -> Result<Response, Failure> {
    if response.ok() {
        return Ok(response);
    }
    cancel_body(&response);
    let reason = format!("HTTP {} {}", response.status(), response.status_text());
    Err(fetch_failed(
        url,
        reason.trim_end().to_string(),
        JsValue::UNDEFINED,
    ))
}

/// Cancels the body of a response nobody will read, which releases the connection.
pub(crate) fn cancel_body(response: &Response) {
    if let Some(body) = response.body() {
        let _ = Promise::all_settled(&Array::of1(&body.cancel()));
    }
}

/// `fetch(url, init)` through the injected function or the global one, whatever the status:
/// every request of the runtime, for modules and registries alike, goes through here.
///
/// # Errors
/// [`Error::FetchFailed`]: the request threw or rejected (a network error, a CORS refusal),
/// or an injected `fetch` resolved with something that is not a `Response`.
pub(crate) async fn send(
    url: &str,
    fetch_fn: Option<&Function>,
    init: &JsValue,
) -> Result<Response, Failure> {
    let failed = |reason: String, cause: JsValue| fetch_failed(url, reason, cause);
    let pending = match fetch_fn {
        Some(f) => f.call2(&JsValue::NULL, &JsValue::from_str(url), init),
        None => global_fetch(url, init).map(JsValue::from),
    }
    .map_err(|cause| failed(describe(&cause), cause))?;
    let response = JsFuture::from(Promise::resolve(&pending))
        .await
        .map_err(|cause| failed(describe(&cause), cause))?;
    response.dyn_into().map_err(|other| {
        failed(
            "the `fetch` option resolved with something that is not a Response".into(),
            other,
        )
    })
}

/// What a response's headers say of its body's length.
struct Length {
    /// `Content-Length`, when it has a readable one: the `total` of progress events.
    total: Option<f64>,
    /// The exact number of bytes the body stream will give, when the headers prove it: a
    /// same-origin response, or one the app made (`new Response`, from its `fetch` option),
    /// whose headers are all visible, with a `Content-Length` and no `Content-Encoding` (which
    /// the browser decodes, so that the stream gives more bytes than the header counts). A
    /// cross-origin response may hide its `Content-Encoding`, so its `Content-Length` proves
    /// nothing.
    exact: Option<u64>,
}

impl Length {
    fn of(response: &Response) -> Self {
        let headers = response.headers();
        let Some(length) = headers
            .get("content-length")
            .ok()
            .flatten()
            .and_then(|header| header.trim().parse::<u64>().ok())
        else {
            return Length {
                total: None,
                exact: None,
            };
        };
        let identity = match headers.get("content-encoding").ok().flatten() {
            None => true,
            Some(encoding) => encoding.trim().eq_ignore_ascii_case("identity"),
        };
        let visible = matches!(
            response.type_(),
            ResponseType::Basic | ResponseType::Default
        );
        Length {
            total: Some(length as f64),
            exact: (visible && identity).then_some(length),
        }
    }

    /// The verifier for the body: one that hashes in wasm as the bytes arrive for a body of at
    /// most [`WASM_HASH_MAX`] bytes (or where there is no WebCrypto), else one that collects
    /// them for WebCrypto; with room reserved for the declared length, within
    /// [`MAX_PREALLOCATION`].
    fn verifier(&self, digest: Digest, name: impl Into<String>) -> Verifier {
        let size_hint = self
            .total
            .map_or(0, |n| (n as usize).min(MAX_PREALLOCATION));
        let small = self.total.is_some_and(|n| n <= f64::from(WASM_HASH_MAX));
        match small || subtle_crypto().is_none() {
            true => Verifier::new(digest, name, size_hint),
            false => Verifier::collecting(digest, name, size_hint),
        }
    }
}

/// The `onProgress` callback of one download, told `{ loaded, total, url }` after each chunk
/// (`total` null when the server sent no `Content-Length`).
struct Progress<'a> {
    callback: Option<&'a Function>,
    url: &'a str,
    total: Option<f64>,
}

impl<'a> Progress<'a> {
    fn new(callback: Option<&'a Function>, url: &'a str, total: Option<f64>) -> Self {
        Progress {
            callback,
            url,
            total,
        }
    }

    /// Tells the callback; what it throws is ignored, as a listener's would be.
    fn report(&self, loaded: u64) {
        if let Some(callback) = self.callback {
            let total = self.total.map_or(JsValue::NULL, JsValue::from);
            let event = crate::js::progress(loaded as f64, &total, self.url);
            let _ = callback.call1(&JsValue::UNDEFINED, &event);
        }
    }
}

/// Reads `stream` into `verifier`. With the `exact` length the headers prove ([`Length`]), it
/// stops at the last byte instead of waiting for the stream to report its end (in Chromium
/// that comes a task or more after the last chunk: about 0.5 ms of a 10 KB load over
/// loopback). What was read is verified by its digest either way.
async fn collect_stream(
    stream: &ReadableStream,
    verifier: &mut Verifier,
    url: &str,
    exact: Option<u64>,
    progress: Progress<'_>,
) -> Result<(), Failure> {
    let mut received: u64 = 0;
    let broke_off = |received: u64, cause: JsValue| {
        Failure::caused(
            Error::FetchFailed {
                url: url.to_string(),
                reason: format!(
                    "the body broke off after {received} bytes ({})",
                    describe(&cause)
                ),
            },
            cause,
        )
    };
    let reader = ReadableStreamDefaultReader::new(stream).map_err(|cause| broke_off(0, cause))?;
    loop {
        if exact == Some(received) {
            // Every byte the headers count is in; the stream closes by itself. (Not
            // `releaseLock()`: it rejects the reader's `closed` with a new TypeError, whose stack
            // trace costs about 0.1 ms.)
            return Ok(());
        }
        let result: ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(|cause| broke_off(received, cause))?
            .unchecked_into();
        if result.get_done().unwrap_or(true) {
            return Ok(());
        }
        let chunk: Uint8Array = result.get_value().unchecked_into();
        let len = chunk.length() as usize;
        verifier.append_with(len, |room| chunk.copy_to_uninit(room));
        received += len as u64;
        progress.report(received);
    }
}
