//! Update delivery in a real browser: `m.watch()` polling an in-memory static registry served by
//! an injected `fetch` as real `Response`s (with `ETag` and `304`), the update policy, the
//! events, backoff, `stop()`, two watchers sharing one poller, and the event stream.
#![cfg(all(target_arch = "wasm32", feature = "updates"))]

mod common;

use common::*;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_hotswap::HotModule;

wasm_bindgen_test_configure!(run_in_browser);

const ROOT: &str = "https://registry.test/w/";

#[wasm_bindgen(inline_js = r#"
// A static registry in memory. Indexes carry a strong ETag that changes with every put and
// answer If-None-Match with 304; `fail` queues failures of the next index requests.
export class FakeRegistry {
  constructor(root) { this.root = root; this.files = new Map(); this.log = []; this.version = 0; this.failures = []; }
  put(path, body) {
    this.files.set(this.root + path, body.slice()); // `body` is a view of wasm memory
    if (path.endsWith("index.json")) this.version++;
  }
  fail(kind) { this.failures.push(kind); }
  fetcher() {
    return async (url, init) => {
      const inm = init?.headers?.["if-none-match"] ?? null;
      const entry = { url, inm, status: 0 };
      this.log.push(entry);
      const index = url.endsWith("index.json");
      if (index && this.failures.length > 0) {
        if (this.failures.shift() === "network") { entry.status = -1; throw new TypeError("Failed to fetch"); }
        entry.status = 500;
        return new Response("down", { status: 500, statusText: "Internal Server Error" });
      }
      const body = this.files.get(url);
      if (body === undefined) { entry.status = 404; return new Response("not found", { status: 404 }); }
      if (index) {
        const etag = `"${this.version}"`;
        entry.status = inm === etag ? 304 : 200;
        if (entry.status === 304) return new Response(null, { status: 304, headers: { etag } });
        return new Response(body, { headers: { etag, "content-type": "application/json" } });
      }
      entry.status = 200;
      return new Response(body, { headers: { "content-type": "application/wasm" } });
    };
  }
  count(what, status) {
    return this.log.filter((e) => (what === "index") === e.url.endsWith("index.json") && (status === undefined || e.status === status)).length;
  }
  conditional() { return this.log.filter((e) => e.inm !== null).length; }
}

// Every event a watcher sends, in order: { type, detail }.
export function record(watcher) {
  const seen = [];
  for (const type of ["available", "applied", "prepared", "rejected", "error"]) {
    watcher.addEventListener(type, (event) => seen.push({ type, detail: event.detail }));
  }
  return seen;
}

export function next(watcher, type, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no \`${type}\` event within ${ms} ms`)), ms);
    watcher.addEventListener(type, (event) => { clearTimeout(timer); resolve(event.detail); }, { once: true });
  });
}

export function aborter() { return new AbortController(); }

export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

// An event stream in a blob: URL that sends `published` for `name` and asks to be reconnected
// every 100 ms, so that it keeps announcing.
export function stream(name) {
  const text = `retry: 100\nevent: published\ndata: {"name":"${name}","version":"x","digest":"y"}\n\n`;
  return URL.createObjectURL(new Blob([text], { type: "text/event-stream" }));
}
"#)]
extern "C" {
    type FakeRegistry;
    #[wasm_bindgen(constructor)]
    fn new(root: &str) -> FakeRegistry;
    #[wasm_bindgen(method)]
    fn put(this: &FakeRegistry, path: &str, body: &[u8]);
    #[wasm_bindgen(method)]
    fn fail(this: &FakeRegistry, kind: &str);
    #[wasm_bindgen(method)]
    fn fetcher(this: &FakeRegistry) -> Function;
    #[wasm_bindgen(method)]
    fn count(this: &FakeRegistry, what: &str, status: Option<u32>) -> u32;
    #[wasm_bindgen(method)]
    fn conditional(this: &FakeRegistry) -> u32;
    fn record(watcher: &JsValue) -> js_sys::Array;
    fn next(watcher: &JsValue, kind: &str, ms: u32) -> Promise;
    fn sleep(ms: u32) -> Promise;
    fn aborter() -> JsValue;
    fn stream(name: &str) -> String;
}

impl FakeRegistry {
    /// Publishes `versions` of `name`: (version, module bytes, yanked).
    fn publish(&self, name: &str, versions: &[(&str, &[u8], bool)]) {
        let entries: Vec<String> = versions
            .iter()
            .map(|(version, bytes, yanked)| {
                let digest = digest_of(bytes);
                self.put(&format!("blobs/sha256/{}", &digest[7..]), bytes);
                format!(
                    r#"{{"version":"{version}","digest":"{digest}","size":{},"yanked":{yanked}}}"#,
                    bytes.len()
                )
            })
            .collect();
        let index = format!(r#"{{"name":"{name}","versions":[{}]}}"#, entries.join(","));
        self.put(&format!("packages/{name}/index.json"), index.as_bytes());
    }

    fn index_requests(&self) -> u32 {
        self.count("index", None)
    }
}

fn counter(version: &'static str) -> Vec<u8> {
    Counter {
        version: Some(version),
        ..Counter::default()
    }
    .bytes()
}

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in entries {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

/// Loads `name` from the registry with `range` and counts to 41.
async fn loaded(registry: &FakeRegistry, name: &str, range: &str) -> (HotModule, Function) {
    let m = load(object(&[
        ("registry", ROOT.into()),
        ("name", name.into()),
        ("range", range.into()),
        ("fetch", registry.fetcher().into()),
    ]))
    .await;
    let increment = export(&m, "increment");
    assert_eq!(call(&increment, &[41]), 41);
    (m, increment)
}

fn watch(m: &HotModule, options: &[(&str, JsValue)]) -> JsValue {
    match m.watch(object(options)) {
        Ok(watcher) => watcher,
        Err(err) => panic!("watch failed: {} {}", code(&err), message(&err)),
    }
}

async fn event(watcher: &JsValue, kind: &str, ms: u32) -> JsValue {
    match JsFuture::from(next(watcher, kind, ms)).await {
        Ok(detail) => detail,
        Err(err) => panic!("{}", message(&err)),
    }
}

async fn pause(ms: u32) {
    JsFuture::from(sleep(ms)).await.unwrap();
}

fn stop(watcher: &JsValue) {
    let stop: Function = Reflect::get(watcher, &"stop".into()).unwrap().into();
    stop.call0(watcher).unwrap();
}

fn role(watcher: &JsValue) -> String {
    field(watcher, "role").as_string().unwrap()
}

fn types(seen: &js_sys::Array) -> Vec<String> {
    seen.iter()
        .map(|e| field(&e, "type").as_string().unwrap())
        .collect()
}

fn text(value: &JsValue, path: &str) -> String {
    field(value, path).as_string().unwrap_or_default()
}

#[wasm_bindgen_test]
async fn polling_applies_a_new_in_range_version_and_carries_state() {
    let registry = FakeRegistry::new(ROOT);
    let (v100, v101) = (counter("1.0.0"), counter("1.0.1"));
    registry.publish("acme/poll", &[("1.0.0", &v100, false)]);
    let (m, increment) = loaded(&registry, "acme/poll", "^1").await;
    let w = watch(&m, &[("interval", 100.into())]);
    let seen = record(&w);
    pause(250).await;
    assert!(
        types(&seen).is_empty(),
        "nothing new yet: {:?}",
        types(&seen)
    );
    registry.publish(
        "acme/poll",
        &[("1.0.0", &v100, false), ("1.0.1", &v101, false)],
    );
    let applied = event(&w, "applied", 3000).await;
    assert_eq!(text(&applied, "version"), "1.0.1");
    assert_eq!(text(&applied, "digest"), digest_of(&v101));
    assert_eq!(text(&applied, "report.toVersion"), "1.0.1");
    assert_eq!(m.version().as_deref(), Some("1.0.1"));
    assert_eq!(call(&increment, &[1]), 42, "the state came along");
    assert_eq!(types(&seen), ["available", "applied"]);
    assert_eq!(text(&seen.get(0), "detail.version"), "1.0.1");
    assert_eq!(role(&w), "leader");
    stop(&w);
    assert_eq!(role(&w), "stopped");
}

#[wasm_bindgen_test]
async fn a_304_reads_nothing_and_resolves_nothing() {
    let registry = FakeRegistry::new(ROOT);
    let v100 = counter("1.0.0");
    registry.publish("acme/etag", &[("1.0.0", &v100, false)]);
    let (m, _) = loaded(&registry, "acme/etag", "^1").await;
    let blobs = registry.count("blob", None);
    let full = registry.count("index", Some(200));
    let w = watch(&m, &[("interval", 100.into())]);
    let seen = record(&w);
    pause(700).await;
    stop(&w);
    let polls = registry.index_requests() - full;
    assert!(polls >= 4, "{polls} polls");
    assert_eq!(
        registry.count("index", Some(200)) - full,
        1,
        "only the first poll, without a validator, gets a body"
    );
    assert_eq!(registry.count("index", Some(304)), polls - 1);
    assert_eq!(registry.conditional(), polls - 1);
    assert_eq!(registry.count("blob", None), blobs, "nothing was fetched");
    assert_eq!(seen.length(), 0);
}

#[wasm_bindgen_test]
async fn a_major_update_needs_consent() {
    let registry = FakeRegistry::new(ROOT);
    let (v100, v200) = (counter("1.0.0"), counter("2.0.0"));
    registry.publish(
        "acme/major",
        &[("1.0.0", &v100, false), ("2.0.0", &v200, false)],
    );

    // No consent option: a major is not even considered.
    let (m, increment) = loaded(&registry, "acme/major", "^1").await;
    let w = watch(&m, &[("interval", 100.into())]);
    let seen = record(&w);
    pause(400).await;
    stop(&w);
    assert_eq!(seen.length(), 0, "{:?}", types(&seen));
    assert_eq!(m.version().as_deref(), Some("1.0.0"));

    // The callback says no: rejected, asked once, still serving with its state.
    let asked = js_sys::Array::new();
    let no = Closure::<dyn FnMut(JsValue) -> bool>::new({
        let asked = asked.clone();
        move |upgrade: JsValue| {
            asked.push(&upgrade);
            false
        }
    });
    let w = watch(
        &m,
        &[
            ("interval", 100.into()),
            ("allowMajor", no.as_ref().clone()),
        ],
    );
    let rejected = event(&w, "rejected", 3000).await;
    assert_eq!(text(&rejected, "code"), "MAJOR_UPGRADE_REFUSED");
    assert_eq!(text(&rejected, "version"), "2.0.0");
    assert_eq!(text(&rejected, "error.code"), "MAJOR_UPGRADE_REFUSED");
    pause(400).await;
    stop(&w);
    assert_eq!(
        asked.length(),
        1,
        "a declined version is not asked about again"
    );
    assert_eq!(text(&asked.get(0), "to"), "2.0.0");
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(call(&increment, &[1]), 42);

    // The callback says yes: applied.
    let yes = Closure::<dyn FnMut(JsValue) -> bool>::new(|_| true);
    let w = watch(
        &m,
        &[
            ("interval", 100.into()),
            ("allowMajor", yes.as_ref().clone()),
        ],
    );
    let applied = event(&w, "applied", 3000).await;
    stop(&w);
    assert_eq!(text(&applied, "version"), "2.0.0");
    assert_eq!(text(&applied, "report.bump"), "major");
    assert_eq!(call(&increment, &[1]), 43);
}

#[wasm_bindgen_test]
async fn yanked_versions_are_skipped() {
    let registry = FakeRegistry::new(ROOT);
    let (v100, v101, v102) = (counter("1.0.0"), counter("1.0.1"), counter("1.0.2"));
    registry.publish("acme/yank", &[("1.0.0", &v100, false)]);
    let (m, increment) = loaded(&registry, "acme/yank", "^1").await;
    registry.publish(
        "acme/yank",
        &[("1.0.0", &v100, false), ("1.0.1", &v101, true)],
    );
    let w = watch(&m, &[("interval", 100.into())]);
    let seen = record(&w);
    pause(400).await;
    assert_eq!(seen.length(), 0, "{:?}", types(&seen));
    registry.publish(
        "acme/yank",
        &[
            ("1.0.0", &v100, false),
            ("1.0.1", &v101, true),
            ("1.0.2", &v102, false),
        ],
    );
    let applied = event(&w, "applied", 3000).await;
    stop(&w);
    assert_eq!(text(&applied, "version"), "1.0.2");
    assert_eq!(call(&increment, &[1]), 42);
}

#[wasm_bindgen_test]
async fn a_blob_with_the_wrong_hash_is_rejected_once_and_the_old_version_keeps_serving() {
    let registry = FakeRegistry::new(ROOT);
    let (v100, v101) = (counter("1.0.0"), counter("1.0.1"));
    registry.publish("acme/hash", &[("1.0.0", &v100, false)]);
    let (m, increment) = loaded(&registry, "acme/hash", "^1").await;
    registry.publish(
        "acme/hash",
        &[("1.0.0", &v100, false), ("1.0.1", &v101, false)],
    );
    // The blob 1.0.1's digest names holds other bytes.
    registry.put(
        &format!("blobs/sha256/{}", &digest_of(&v101)[7..]),
        &counter("1.0.9"),
    );
    let blobs = registry.count("blob", None);
    let w = watch(&m, &[("interval", 100.into())]);
    let seen = record(&w);
    let rejected = event(&w, "rejected", 3000).await;
    assert_eq!(text(&rejected, "code"), "HASH_MISMATCH");
    assert_eq!(text(&rejected, "version"), "1.0.1");
    assert!(text(&rejected, "message").contains("digest mismatch"));
    pause(400).await;
    stop(&w);
    assert_eq!(types(&seen), ["available", "rejected"]);
    assert_eq!(registry.count("blob", None) - blobs, 1, "not fetched again");
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
    assert_eq!(call(&increment, &[1]), 42);
}

#[wasm_bindgen_test]
async fn failed_polls_back_off_with_jitter_and_recover() {
    let registry = FakeRegistry::new(ROOT);
    let (v100, v101) = (counter("1.0.0"), counter("1.0.1"));
    registry.publish("acme/down", &[("1.0.0", &v100, false)]);
    let (m, increment) = loaded(&registry, "acme/down", "^1").await;
    for kind in ["500", "network", "500"] {
        registry.fail(kind);
    }
    let w = watch(&m, &[("interval", 100.into()), ("maxBackoff", 1000.into())]);
    let seen = record(&w);
    registry.publish(
        "acme/down",
        &[("1.0.0", &v100, false), ("1.0.1", &v101, false)],
    );
    let applied = event(&w, "applied", 5000).await;
    stop(&w);
    assert_eq!(text(&applied, "version"), "1.0.1");
    assert_eq!(call(&increment, &[1]), 42);
    assert_eq!(
        types(&seen),
        ["error", "error", "error", "available", "applied"]
    );
    // d(n) = min(1000, 100 * 2^n); the wait is in [d/2, d).
    let expected = [
        ("FETCH_FAILED", "HTTP 500", 100, 200),
        ("FETCH_FAILED", "TypeError: Failed to fetch", 200, 400),
        ("FETCH_FAILED", "HTTP 500", 400, 800),
    ];
    for (i, (code, says, low, high)) in expected.into_iter().enumerate() {
        let detail = field(&seen.get(i as u32), "detail");
        assert_eq!(text(&detail, "code"), code);
        assert!(
            text(&detail, "message").contains(says),
            "{}",
            text(&detail, "message")
        );
        let retry_in = field(&detail, "retryIn").as_f64().unwrap();
        assert!(
            (f64::from(low)..f64::from(high)).contains(&retry_in),
            "failure {}: retryIn {retry_in} not in [{low}, {high})",
            i + 1
        );
    }
}

#[wasm_bindgen_test]
async fn stop_sends_no_further_requests_and_ignores_a_poll_in_flight() {
    let registry = FakeRegistry::new(ROOT);
    let (v100, v101) = (counter("1.0.0"), counter("1.0.1"));
    registry.publish("acme/stop", &[("1.0.0", &v100, false)]);
    let (m, _) = loaded(&registry, "acme/stop", "^1").await;
    registry.publish(
        "acme/stop",
        &[("1.0.0", &v100, false), ("1.0.1", &v101, false)],
    );
    let before = registry.index_requests();
    let w = watch(&m, &[("interval", 100.into())]);
    let seen = record(&w);
    // The first poll starts at once (a microtask away); stop before its answer is read.
    pause(0).await;
    stop(&w);
    let after = registry.index_requests();
    pause(500).await;
    assert_eq!(registry.index_requests(), after, "no request after stop()");
    assert!(after - before <= 1);
    assert_eq!(seen.length(), 0, "{:?}", types(&seen));
    assert_eq!(m.version().as_deref(), Some("1.0.0"));
}

#[wasm_bindgen_test]
async fn an_abort_signal_stops_the_watch() {
    let registry = FakeRegistry::new(ROOT);
    let v100 = counter("1.0.0");
    registry.publish("acme/abort", &[("1.0.0", &v100, false)]);
    let (m, _) = loaded(&registry, "acme/abort", "^1").await;
    let controller = aborter();
    let w = watch(
        &m,
        &[
            ("interval", 100.into()),
            ("signal", field(&controller, "signal")),
        ],
    );
    pause(250).await;
    let abort: Function = field(&controller, "abort").into();
    abort.call0(&controller).unwrap();
    assert_eq!(role(&w), "stopped");
    let after = registry.index_requests();
    pause(300).await;
    assert_eq!(registry.index_requests(), after);
}

#[wasm_bindgen_test]
async fn watch_needs_a_module_loaded_from_a_registry_and_valid_options() {
    let v100 = counter("1.0.0");
    let m = load(bytes_options(&v100)).await;
    let err = m.watch(JsValue::UNDEFINED).unwrap_err();
    assert_eq!(code(&err), "INVALID_OPTIONS");
    assert!(
        message(&err).contains("not loaded from a registry"),
        "{}",
        message(&err)
    );

    let registry = FakeRegistry::new(ROOT);
    registry.publish("acme/opts", &[("1.0.0", &v100, false)]);
    let (m, _) = loaded(&registry, "acme/opts", "^1").await;
    for (key, value, says) in [
        ("interval", JsValue::from(10), "at least 100"),
        ("interval", JsValue::from(100.5), "whole number"),
        ("events", JsValue::from(3), "event stream"),
        ("shared", JsValue::from("yes"), "boolean"),
        ("allowMajor", JsValue::from(1), "boolean or a function"),
    ] {
        let err = m.watch(object(&[(key, value)])).unwrap_err();
        assert_eq!(code(&err), "INVALID_OPTIONS", "{key}");
        assert!(message(&err).contains(key), "{}", message(&err));
        assert!(message(&err).contains(says), "{}", message(&err));
    }
}

#[wasm_bindgen_test]
async fn two_watchers_of_one_package_share_one_poller_and_both_swap() {
    let registry = FakeRegistry::new(ROOT);
    let other = FakeRegistry::new(ROOT);
    let (v100, v101) = (counter("1.0.0"), counter("1.0.1"));
    for r in [&registry, &other] {
        r.publish("acme/tabs", &[("1.0.0", &v100, false)]);
    }
    // Two modules with their own fetch, standing for two tabs; the lock and the channel are
    // the browser's, shared by every document of the origin.
    let (a, inc_a) = loaded(&registry, "acme/tabs", "^1").await;
    let (b, inc_b) = loaded(&other, "acme/tabs", "^1").await;
    let (a_loaded, b_loaded) = (registry.index_requests(), other.index_requests());
    let wa = watch(&a, &[("interval", 100.into())]);
    pause(50).await;
    let wb = watch(&b, &[("interval", 100.into())]);
    pause(400).await;
    assert_eq!(role(&wa), "leader");
    assert_eq!(role(&wb), "follower");
    assert!(registry.index_requests() - a_loaded >= 3);
    assert_eq!(
        other.index_requests(),
        b_loaded,
        "the follower does not poll"
    );

    for r in [&registry, &other] {
        r.publish(
            "acme/tabs",
            &[("1.0.0", &v100, false), ("1.0.1", &v101, false)],
        );
    }
    let applied_b = next(&wb, "applied", 3000);
    event(&wa, "applied", 3000).await;
    JsFuture::from(applied_b).await.unwrap();
    assert_eq!(
        other.index_requests(),
        b_loaded,
        "the leader's index served both"
    );
    assert_eq!(call(&inc_a, &[1]), 42);
    assert_eq!(call(&inc_b, &[1]), 42);
    assert_eq!(b.version().as_deref(), Some("1.0.1"));

    // The leader goes away: the follower takes over.
    stop(&wa);
    pause(300).await;
    assert_eq!(role(&wb), "leader");
    assert!(other.index_requests() > b_loaded, "the new leader polls");
    stop(&wb);
}

#[wasm_bindgen_test]
async fn a_watcher_that_joins_after_an_update_gets_it_from_the_poller() {
    let registry = FakeRegistry::new(ROOT);
    let other = FakeRegistry::new(ROOT);
    let (v100, v101) = (counter("1.0.0"), counter("1.0.1"));
    for r in [&registry, &other] {
        r.publish("acme/late", &[("1.0.0", &v100, false)]);
    }
    let (a, _) = loaded(&registry, "acme/late", "^1").await;
    let (b, inc_b) = loaded(&other, "acme/late", "^1").await;
    let b_loaded = other.index_requests();
    let wa = watch(&a, &[("interval", 100.into())]);
    pause(50).await;
    for r in [&registry, &other] {
        r.publish(
            "acme/late",
            &[("1.0.0", &v100, false), ("1.0.1", &v101, false)],
        );
    }
    event(&wa, "applied", 3000).await;
    // The poller saw 1.0.1 before this watch started, and will only answer 304s from now on.
    let wb = watch(&b, &[("interval", 100.into())]);
    event(&wb, "applied", 3000).await;
    assert_eq!(role(&wb), "follower");
    assert_eq!(b.version().as_deref(), Some("1.0.1"));
    assert_eq!(call(&inc_b, &[1]), 42, "state carried");
    assert_eq!(
        other.index_requests(),
        b_loaded,
        "the poller's index served the newcomer"
    );
    stop(&wb);
    stop(&wa);
}

#[wasm_bindgen_test]
async fn a_published_event_triggers_a_check() {
    let registry = FakeRegistry::new(ROOT);
    let (v100, v101) = (counter("1.0.0"), counter("1.0.1"));
    registry.publish("acme/sse", &[("1.0.0", &v100, false)]);
    let (m, increment) = loaded(&registry, "acme/sse", "^1").await;
    let ignored = stream("acme/other");
    let w = watch(
        &m,
        &[("interval", 60_000.into()), ("events", ignored.into())],
    );
    pause(400).await;
    let polls = registry.index_requests();
    stop(&w);
    // One poll when it took the lead; events about another package change nothing.

    let w = watch(
        &m,
        &[
            ("interval", 60_000.into()),
            ("events", stream("acme/sse").into()),
        ],
    );
    pause(300).await;
    registry.publish(
        "acme/sse",
        &[("1.0.0", &v100, false), ("1.0.1", &v101, false)],
    );
    let applied = event(&w, "applied", 3000).await;
    stop(&w);
    assert_eq!(text(&applied, "version"), "1.0.1");
    assert_eq!(call(&increment, &[1]), 42);
    assert!(
        polls <= 2,
        "{polls}: the other package's events trigger nothing"
    );
}

#[wasm_bindgen_test]
async fn apply_prepare_stages_an_update_once_and_the_app_commits_it_when_it_chooses() {
    let registry = FakeRegistry::new(ROOT);
    let (v100, v101) = (counter("1.0.0"), counter("1.0.1"));
    registry.publish("acme/staged", &[("1.0.0", &v100, false)]);
    let (m, increment) = loaded(&registry, "acme/staged", "^1").await;
    let watcher = watch(
        &m,
        &[
            ("interval", 100.into()),
            ("shared", false.into()),
            ("apply", "prepare".into()),
        ],
    );
    let seen = record(&watcher);
    registry.publish(
        "acme/staged",
        &[("1.0.0", &v100, false), ("1.0.1", &v101, false)],
    );
    let prepared = event(&watcher, "prepared", 5_000).await;
    assert_eq!(text(&prepared, "version"), "1.0.1");
    assert_eq!(
        m.version().as_deref(),
        Some("1.0.0"),
        "prepared, not swapped"
    );
    assert_eq!(call(&increment, &[1]), 42);

    // More polls, no new version: the staged one is not prepared again.
    pause(400).await;
    let update = field(&prepared, "update");
    let commit: Function = Reflect::get(&update, &"commit".into()).unwrap().into();
    let report = commit.call0(&update).expect("commit");
    assert_eq!(text(&report, "toVersion"), "1.0.1");
    assert_eq!(m.version().as_deref(), Some("1.0.1"));
    assert_eq!(
        call(&increment, &[1]),
        43,
        "the state moved at the app's commit"
    );
    stop(&watcher);
    let kinds = types(&seen);
    assert_eq!(
        kinds.iter().filter(|k| *k == "prepared").count(),
        1,
        "{kinds:?}"
    );
    assert!(!kinds.iter().any(|k| k == "applied"), "{kinds:?}");
}

#[wasm_bindgen_test]
async fn an_unknown_apply_is_invalid_options() {
    let registry = FakeRegistry::new(ROOT);
    registry.publish("acme/apply", &[("1.0.0", &counter("1.0.0"), false)]);
    let (m, _) = loaded(&registry, "acme/apply", "^1").await;
    let err = m
        .watch(object(&[("apply", "later".into())]))
        .expect_err("`later` is no apply");
    assert_eq!(code(&err), "INVALID_OPTIONS");
    assert!(message(&err).contains("apply"), "{}", message(&err));
}
