//! The browser half of a watch: runs the decisions of [`crate::watch`] with conditional
//! requests, the module's swap queue, and `src/js/watch.js` for timers, the cross-tab lock and
//! channel, the event stream and the events.
//!
//! One task at a time works for a watch (`busy`): a poll, or an index another tab posted, and
//! whatever swap follows. Nothing here holds a `RefCell` borrow while calling into JS, since a
//! listener may call `stop()` (or anything else) from inside `emit`.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Function, Math, JSON};
use semver::{Comparator, Op, VersionReq};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use super::{choose, is_transient, Backoff, Scheduler};
use crate::bump::{self, Bump};
use crate::js::{get, Failure};
use crate::registry::index::{Entry, Index, PackageName, Wanted};
use crate::registry::{index_from_text, revalidate_index, Revalidated};

/// What a watch needs of the module it keeps up to date.
pub(crate) trait Target {
    /// The digest and version serving now.
    fn serving(&self) -> (String, Option<semver::Version>);

    /// Whether a major upgrade can be consented to (`allowMajor` is `true` or a callback).
    fn majors(&self) -> bool;

    /// Swaps to `entry` of the index, like `swap({ version })` but without fetching the index
    /// again: through the module's swap queue, gate and consent; or with `prepare` only stages
    /// it, like `prepare({ version })`.
    fn update(
        &self,
        entry: &Entry,
        prepare: bool,
    ) -> Pin<Box<dyn Future<Output = Result<Update, Failure>>>>;
}

/// What [`Target::update`] did.
pub(crate) enum Update {
    /// Swapped; the report, as the JS object `swap` resolves with.
    Swapped(JsValue),
    /// Prepared; the `StagedUpdate` for the app to commit.
    Prepared(JsValue),
}

/// The registry package a watch follows.
pub(crate) struct Subject {
    /// The registry's root URL, ending in `/`.
    pub base: String,
    /// The package's name in the static registry.
    pub name: PackageName,
    /// What `load` asked for.
    pub wanted: Wanted,
    /// The module's `fetch`.
    pub fetch: Option<Function>,
}

/// A watch's options, read and checked.
pub(crate) struct Config {
    /// How often to poll, and how long to back off at most.
    pub backoff: Backoff,
    /// Whether tabs share one poller.
    pub shared: bool,
    /// The event stream's URL, when the watch listens to one.
    pub events: Option<String>,
    /// An `AbortSignal` that stops the watch, or `undefined`.
    pub signal: JsValue,
    /// `apply: "prepare"`: stage each update and send `prepared`, rather than swap.
    pub prepare: bool,
}

/// What `src/js/watch.js` tells the watch, as the `kind` of `notify(kind, a, b)`.
#[wasm_bindgen]
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// The lock was granted (or there is nothing to share): poll from now on.
    Lead = "lead",
    /// The timer fired.
    Tick = "tick",
    /// The event stream sent a `published` event; `a` is its `data` text.
    Published = "published",
    /// Another tab posted an index: `a` is its text, `b` its `ETag`.
    Message = "message",
    /// The watch stopped; nothing is sent after it.
    Stop = "stop",
}

#[wasm_bindgen(module = "/src/js/watch.js")]
extern "C" {
    /// The `Watcher` apps hold; see `src/js/watch.js`.
    pub type Watcher;

    #[wasm_bindgen(constructor)]
    fn new() -> Watcher;

    #[wasm_bindgen(method)]
    fn connect(this: &Watcher, notify: &JsValue, key: &str, shared: bool, signal: &JsValue);

    #[wasm_bindgen(method)]
    fn schedule(this: &Watcher, ms: u32);

    #[wasm_bindgen(method)]
    fn subscribe(this: &Watcher, url: &str);

    #[wasm_bindgen(method)]
    fn post(this: &Watcher, text: &str, etag: Option<String>);

    #[wasm_bindgen(method)]
    fn available(this: &Watcher, version: &str, digest: &str);

    #[wasm_bindgen(method)]
    fn applied(this: &Watcher, version: &str, digest: &str, report: &JsValue);

    #[wasm_bindgen(method)]
    fn rejected(this: &Watcher, version: &str, digest: &str, error: &JsValue);

    #[wasm_bindgen(method)]
    fn prepared(this: &Watcher, version: &str, digest: &str, update: &JsValue);

    #[wasm_bindgen(method)]
    fn failed(this: &Watcher, error: &JsValue, retry_in: u32);
}

struct Watch {
    module: Rc<dyn Target>,
    /// `apply: "prepare"`.
    prepare: bool,
    subject: Subject,
    host: Watcher,
    index_url: String,
    events: Option<String>,
    state: RefCell<State>,
}

struct State {
    scheduler: Scheduler,
    /// What a new version must match: `load`'s range, or `^x.y.z` after a major upgrade.
    wanted: Wanted,
    etag: Option<String>,
    /// The last index seen, to try again after a failed fetch without a new index.
    index: Option<Rc<Index>>,
    /// An index another tab posted, not yet looked at.
    heard: Option<(String, Option<String>)>,
    /// A swap failed for a reason that may pass: decide again after the next poll, even a 304.
    retry: bool,
    busy: bool,
    /// The delay an `error` event announced, used for the next timer.
    planned: Option<u32>,
    /// Digests refused for good (a hash mismatch, a gate rule, a declined major).
    tried: Vec<String>,
    /// Digests `available` was sent for.
    announced: Vec<String>,
    /// The highest version staged for the app (`apply: "prepare"`), not prepared again.
    prepared: Option<semver::Version>,
}

/// Starts watching `subject` for `module`.
pub(crate) fn start(module: Rc<dyn Target>, subject: Subject, config: Config) -> Watcher {
    let key = ["wasm-hotswap:", &subject.base, "|", subject.name.as_str()].concat();
    let watch = Rc::new(Watch {
        index_url: [subject.base.as_str(), &subject.name.index_path()].concat(),
        host: Watcher::new(),
        events: config.events,
        state: RefCell::new(State {
            scheduler: Scheduler::new(config.backoff),
            wanted: subject.wanted.clone(),
            etag: None,
            index: None,
            heard: None,
            retry: false,
            busy: false,
            planned: None,
            tried: Vec::new(),
            announced: Vec::new(),
            prepared: None,
        }),
        prepare: config.prepare,
        module,
        subject,
    });
    let host: Watcher = watch.host.clone().unchecked_into();
    let notify = Closure::<dyn FnMut(JsValue, Option<String>, Option<String>)>::new(
        move |kind: JsValue, a, b| {
            if let Some(kind) = Signal::from_js_value(&kind) {
                notified(&watch, kind, a, b);
            }
        },
    );
    // The JS function owns the closure from now on; `stop()` drops the JS side's reference,
    // which ends the cycle watch -> host -> closure -> watch.
    host.connect(&notify.into_js_value(), &key, config.shared, &config.signal);
    host
}

/// What the JS side reports; see `src/js/watch.js`.
fn notified(watch: &Rc<Watch>, kind: Signal, a: Option<String>, b: Option<String>) {
    {
        let mut state = watch.state.borrow_mut();
        match kind {
            Signal::Lead => state.scheduler.lead(),
            Signal::Tick => state.scheduler.wake(),
            Signal::Published if names(a.as_deref(), watch.subject.name.as_str()) => {
                state.scheduler.wake()
            }
            Signal::Message => {
                if let Some(text) = a {
                    state.heard = Some((text, b));
                }
            }
            Signal::Stop => {
                state.scheduler.stop();
                return;
            }
            _ => return,
        }
    }
    if kind == Signal::Lead {
        if let Some(url) = &watch.events {
            watch.host.subscribe(url);
        }
    }
    kick(watch);
}

/// Whether a `published` event's data names `package` (or names nothing readable: a check
/// costs a 304 at most).
fn names(data: Option<&str>, package: &str) -> bool {
    let name = data
        .and_then(|text| JSON::parse(text).ok())
        .and_then(|json| get(&json, "name").as_string());
    name.is_none_or(|name| name == package)
}

/// Starts the task unless one runs; a running task picks up what is due before it ends.
fn kick(watch: &Rc<Watch>) {
    {
        let mut state = watch.state.borrow_mut();
        if state.busy || state.scheduler.is_stopped() {
            return;
        }
        state.busy = true;
    }
    let watch = Rc::clone(watch);
    spawn_local(async move { run(&watch).await });
}

async fn run(watch: &Rc<Watch>) {
    loop {
        let (heard, due) = {
            let mut state = watch.state.borrow_mut();
            if state.scheduler.is_stopped() {
                break;
            }
            let heard = state.heard.take();
            let due = heard.is_none() && state.scheduler.take_due();
            (heard, due)
        };
        // Whether there is an index to decide on.
        let decide = if let Some((text, etag)) = heard {
            // Another tab's poll: the same decision, on this tab's serving version and policy.
            match index_from_text(&text, &watch.index_url, &watch.subject.name) {
                Ok(index) => {
                    let mut state = watch.state.borrow_mut();
                    state.etag = etag;
                    state.index = Some(Rc::new(index));
                    true
                }
                Err(_) => false,
            }
        } else if due {
            match poll(watch).await {
                Ok(changed) => changed || std::mem::take(&mut watch.state.borrow_mut().retry),
                Err(failure) => {
                    let retry_in = {
                        let mut state = watch.state.borrow_mut();
                        state.scheduler.polled(false);
                        let retry_in = state.scheduler.next_delay(Math::random());
                        state.planned = retry_in;
                        retry_in.unwrap_or(0)
                    };
                    // After `stop()` the JS side sends no event.
                    watch.host.failed(&failure.into_js(), retry_in);
                    continue;
                }
            }
        } else {
            break;
        };
        let ok = !decide || apply(watch).await;
        if due {
            let mut state = watch.state.borrow_mut();
            state.scheduler.polled(ok);
            state.planned = None;
        }
    }
    let delay = {
        let mut state = watch.state.borrow_mut();
        state.busy = false;
        let planned = state.planned.take();
        state
            .scheduler
            .next_delay(Math::random())
            .map(|d| planned.unwrap_or(d))
    };
    if let Some(ms) = delay {
        watch.host.schedule(ms);
    }
}

/// One conditional request for the index: `true` when it changed (and was shared with the
/// other tabs), `false` for a 304.
async fn poll(watch: &Watch) -> Result<bool, Failure> {
    let etag = watch.state.borrow().etag.clone();
    let answer = revalidate_index(
        &watch.index_url,
        &watch.subject.name,
        watch.subject.fetch.as_ref(),
        etag.as_deref(),
    )
    .await?;
    let Revalidated::Changed { index, text, etag } = answer else {
        return Ok(false);
    };
    {
        let mut state = watch.state.borrow_mut();
        state.etag.clone_from(&etag);
        state.index = Some(Rc::new(index));
        state.retry = false;
    }
    // After `stop()` the channel is closed and this posts nothing.
    watch.host.post(&text, etag);
    Ok(true)
}

/// Swaps to what [`choose`] picks from the last index, until it picks nothing. Returns `false`
/// when a swap failed for a reason that may pass (the blob could not be fetched).
async fn apply(watch: &Rc<Watch>) -> bool {
    loop {
        let serving = watch.module.serving();
        let Some((entry, announce)) = next(watch, &serving) else {
            return true;
        };
        let version = entry.version.to_string();
        if announce {
            watch.host.available(&version, &entry.digest);
        }
        let result = watch.module.update(&entry, watch.prepare).await;
        if watch.state.borrow().scheduler.is_stopped() {
            return true;
        }
        match result {
            Ok(Update::Swapped(report)) => {
                follow_major(watch, serving.1.as_ref(), &entry.version);
                watch.host.applied(&version, &entry.digest, &report);
            }
            Ok(Update::Prepared(update)) => {
                // The app commits it when it chooses; until then nothing serves it, and the
                // watch prepares only what is newer.
                watch.state.borrow_mut().prepared = Some(entry.version.clone());
                watch.host.prepared(&version, &entry.digest, &update);
                return true;
            }
            Err(failure) => {
                let transient = is_transient(failure.error.code());
                let mut state = watch.state.borrow_mut();
                if transient {
                    state.retry = true;
                } else {
                    state.tried.push(entry.digest.clone());
                }
                drop(state);
                watch
                    .host
                    .rejected(&version, &entry.digest, &failure.into_js());
                if transient {
                    return false;
                }
            }
        }
    }
}

/// The entry [`choose`] picks from the last index for what is serving, and whether it is the
/// first time (`available` is sent once per version). `None` when there is nothing to do.
fn next(watch: &Watch, serving: &(String, Option<semver::Version>)) -> Option<(Entry, bool)> {
    let mut state = watch.state.borrow_mut();
    if state.scheduler.is_stopped() {
        return None;
    }
    let index = state.index.clone()?;
    let majors = watch.module.majors();
    let entry = choose(
        &index,
        &state.wanted,
        &serving.0,
        serving.1.as_ref(),
        majors,
        &state.tried,
    )?
    .clone();
    if state.prepared.as_ref().is_some_and(|p| entry.version <= *p) {
        return None;
    }
    let announce = !state.announced.contains(&entry.digest);
    if announce {
        state.announced.push(entry.digest.clone());
    }
    Some((entry, announce))
}

/// After a major upgrade to `applied`, the watch follows the new line: `^x.y.z` of it.
fn follow_major(watch: &Watch, from: Option<&semver::Version>, applied: &semver::Version) {
    if from.is_some_and(|s| bump::declared(s, applied) == Some(Bump::Major)) {
        watch.state.borrow_mut().wanted = Wanted::Range(VersionReq {
            comparators: vec![Comparator {
                op: Op::Caret,
                major: applied.major,
                minor: Some(applied.minor),
                patch: Some(applied.patch),
                pre: applied.pre.clone(),
            }],
        });
    }
}
