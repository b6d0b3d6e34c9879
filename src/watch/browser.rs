//! The browser half of a watch: runs the decisions of [`crate::watch`] with conditional
//! requests, the module's swap queue, and `src/js/watch.js` for timers, the cross-tab lock and
//! channel, the event stream and the events.
//!
//! One task at a time works for a watch (`busy`): a poll, or an index another tab posted, and
//! whatever swap follows. Nothing here holds a `RefCell` borrow while calling into JS, since a
//! listener may call `stop()` (or anything else) from inside `emit`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Math, JSON};
use semver::{Comparator, Op, VersionReq};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::{choose, is_transient, Backoff, Scheduler};
use crate::api::Watched;
use crate::bump::{self, Bump};
use crate::error::Error;
use crate::js::{get, Failure};
use crate::registry::index::{Index, Wanted};
use crate::registry::{index_from_text, revalidate_index, Revalidated};

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
    fn failed(this: &Watcher, error: &JsValue, retry_in: u32);
}

struct Watch {
    module: Watched,
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
}

/// Starts watching `module` with the JS `options`.
///
/// # Errors
/// [`Error::InvalidOptions`] naming the option.
pub(crate) fn start(module: Watched, options: &JsValue) -> Result<Watcher, Error> {
    let get = |key: &str| get(options, key);
    let interval = millis(
        &get("interval"),
        "interval",
        Backoff::MIN_INTERVAL,
        "expected a whole number of milliseconds, at least 100",
    )?
    .unwrap_or(Backoff::INTERVAL);
    let cap = millis(
        &get("maxBackoff"),
        "maxBackoff",
        0,
        "expected a whole number of milliseconds",
    )?
    .unwrap_or(Backoff::CAP);
    let flag = |key: &'static str, default: bool| match get(key) {
        v if v.is_undefined() => Ok(default),
        v => v
            .as_bool()
            .ok_or_else(|| invalid(key, "expected a boolean")),
    };
    let shared = flag("shared", true)?;
    let events = match get("events") {
        v if v.is_undefined() || v.as_bool() == Some(false) => None,
        v if v.as_bool() == Some(true) => Some([module.base(), "events"].concat()),
        v => Some(
            v.as_string()
                .ok_or_else(|| invalid("events", "expected true or the URL of the event stream"))?,
        ),
    };
    let signal = get("signal");
    if !signal.is_undefined() && !signal.is_object() {
        return Err(invalid("signal", "expected an AbortSignal"));
    }
    let key = ["wasm-hotswap:", module.base(), "|", module.name().as_str()].concat();
    let watch = Rc::new(Watch {
        index_url: [module.base(), &module.name().index_path()].concat(),
        host: Watcher::new(),
        events,
        state: RefCell::new(State {
            scheduler: Scheduler::new(Backoff { interval, cap }),
            wanted: module.wanted().clone(),
            etag: None,
            index: None,
            heard: None,
            retry: false,
            busy: false,
            planned: None,
            tried: Vec::new(),
            announced: Vec::new(),
        }),
        module,
    });
    let host: Watcher = watch.host.clone().unchecked_into();
    let notify =
        Closure::<dyn FnMut(u32, Option<String>, Option<String>)>::new(move |kind: u32, a, b| {
            notified(&watch, kind, a, b)
        });
    // The JS function owns the closure from now on; `stop()` drops the JS side's reference,
    // which ends the cycle watch -> host -> closure -> watch.
    host.connect(&notify.into_js_value(), &key, shared, &signal);
    Ok(host)
}

fn invalid(option: &'static str, reason: &str) -> Error {
    Error::InvalidOptions {
        option,
        reason: reason.to_string(),
    }
}

/// A whole number of milliseconds, at least `min` (which `reason` names).
fn millis(
    value: &JsValue,
    option: &'static str,
    min: u32,
    reason: &str,
) -> Result<Option<u32>, Error> {
    if value.is_undefined() {
        return Ok(None);
    }
    value
        .as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= f64::from(min) && *n <= f64::from(u32::MAX))
        .map(|n| Some(n as u32))
        .ok_or_else(|| invalid(option, reason))
}

// What `notify(kind, a, b)` reports: the numbers of `src/js/watch.js`.
const LEAD: u32 = 0;
const TICK: u32 = 1;
const PUBLISHED: u32 = 2;
const MESSAGE: u32 = 3;
const STOP: u32 = 4;

/// What the JS side reports; see `src/js/watch.js`.
fn notified(watch: &Rc<Watch>, kind: u32, a: Option<String>, b: Option<String>) {
    {
        let mut state = watch.state.borrow_mut();
        match kind {
            LEAD => state.scheduler.lead(),
            TICK => state.scheduler.wake(),
            PUBLISHED if names(a.as_deref(), watch.module.name().as_str()) => {
                state.scheduler.wake()
            }
            MESSAGE => {
                if let Some(text) = a {
                    state.heard = Some((text, b));
                }
            }
            STOP => {
                state.scheduler.stop();
                return;
            }
            _ => return,
        }
    }
    if kind == LEAD {
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
            match index_from_text(&text, &watch.index_url, watch.module.name()) {
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
        watch.module.name(),
        watch.module.fetch(),
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
        let (serving_digest, serving) = watch.module.serving();
        let (entry, announce) = {
            let mut state = watch.state.borrow_mut();
            if state.scheduler.is_stopped() {
                return true;
            }
            let Some(index) = state.index.clone() else {
                return true;
            };
            let Some(entry) = choose(
                &index,
                &state.wanted,
                &serving_digest,
                serving.as_ref(),
                watch.module.majors(),
                &state.tried,
            )
            .cloned() else {
                return true;
            };
            let announce = !state.announced.contains(&entry.digest);
            if announce {
                state.announced.push(entry.digest.clone());
            }
            (entry, announce)
        };
        let version = entry.version.to_string();
        if announce {
            watch.host.available(&version, &entry.digest);
        }
        let result = match watch.module.swap_to(&entry) {
            Ok(promise) => JsFuture::from(promise).await,
            Err(error) => Err(Failure::from(error).into_js()),
        };
        if watch.state.borrow().scheduler.is_stopped() {
            return true;
        }
        match result {
            Ok(report) => {
                let major = serving
                    .as_ref()
                    .is_some_and(|s| bump::declared(s, &entry.version) == Some(Bump::Major));
                if major {
                    // Follow the new major line from now on: `^x.y.z` of the version applied.
                    let v = &entry.version;
                    watch.state.borrow_mut().wanted = Wanted::Range(VersionReq {
                        comparators: vec![Comparator {
                            op: Op::Caret,
                            major: v.major,
                            minor: Some(v.minor),
                            patch: Some(v.patch),
                            pre: v.pre.clone(),
                        }],
                    });
                }
                watch.host.applied(&version, &entry.digest, &report);
            }
            Err(error) => {
                let code = get(&error, "code").as_string().unwrap_or_default();
                let transient = is_transient(&code);
                if transient {
                    watch.state.borrow_mut().retry = true;
                } else {
                    watch.state.borrow_mut().tried.push(entry.digest.clone());
                }
                watch.host.rejected(&version, &entry.digest, &error);
                if transient {
                    return false;
                }
            }
        }
    }
}
