//! Update delivery: a watch polls a registry package's index, picks the version the update
//! policy allows, and swaps to it through the normal swap path.
//!
//! This file holds the decisions, as pure functions that build and are tested natively:
//! [`choose`] (which version next), [`Backoff`] (how long after failures) and [`Scheduler`]
//! (who polls, when, and whether a poll is due). The browser half (`watch::browser`) runs
//! them: conditional requests, the swap queue, and through `src/js/watch.js` the timers, the
//! cross-tab lock and channel, the server-sent-events stream and the events.
//!
//! # How a watch runs
//!
//! 1. All watches of one package in one browser (tabs, frames, several modules in one page)
//!    share a name, `wasm-hotswap:<registry>|<package>`. Each asks the Web Locks API for the
//!    lock of that name; the one holding it is the **leader** and is the only one that polls
//!    and listens to the event stream. The others are **followers**: they send no requests
//!    and wait for the lock, which the browser hands to one of them when the leader's tab
//!    closes or its watch stops.
//! 2. The leader requests the index with `If-None-Match` and the last `ETag`. A `304` ends
//!    the poll there: no body read, no JSON parse, no resolve.
//! 3. A changed index is posted on a `BroadcastChannel` of the same name, text and `ETag`, so
//!    one request serves every tab. Each tab then decides with [`choose`] on its own serving
//!    version and policy, and swaps itself.
//! 4. A chosen version is announced (`available`), then swapped to through the module's swap
//!    queue and gate, exactly like `m.swap({ version })`: `applied` with the report, or
//!    `rejected` with the `HotSwapError`'s code, the old version still serving.
//! 5. Failed polls back off ([`Backoff`]); the first success returns to the interval.
//!
//! # The JS API
//!
//! ```js
//! const m = await HotModule.load({ registry: "/registry", name: "acme/counter", range: "^1.2" });
//! const watcher = m.watch({ interval: 30_000, events: true });
//! watcher.addEventListener("applied", (e) => console.log("now", e.detail.version, e.detail.report));
//! watcher.addEventListener("rejected", (e) => console.warn(e.detail.version, e.detail.code));
//! watcher.stop();
//! ```
//!
//! `m.watch(options)` throws `HotSwapError` `INVALID_OPTIONS` for a module not loaded with
//! `{ registry, name, range }`, or a bad option. Options: `interval` (ms, default 30000, at
//! least 100), `maxBackoff` (ms, default 600000), `events` (`true` for `<registry>/events`, or
//! a URL), `shared` (default `true`), `allowMajor` (like `policy.allowMajor`, for this watch),
//! `signal` (an `AbortSignal` that stops it).
//!
//! The `Watcher` is an `EventTarget` dispatching `CustomEvent`s whose `detail` is:
//! - `available`: `{ version, digest }`, once per version, before the swap starts;
//! - `applied`: `{ version, digest, report }`, the swap report as `swap` resolves with it;
//! - `rejected`: `{ version, digest, code, message, error }`, the `HotSwapError`;
//! - `error`: `{ code, message, retryIn, error }`, a poll failed (`FETCH_FAILED`,
//!   `INVALID_INDEX`) and the next one is in `retryIn` ms.
//!
//! `watcher.role` is `"leader"`, `"follower"` or `"stopped"`; `watcher.stop()` ends it.
//!
//! # Update policy
//!
//! - Versions in `load`'s range apply by themselves; yanked ones are never chosen, and nothing
//!   lower than the serving version is ([`choose`]).
//! - A major upgrade is considered only when there is a consent option (the watch's
//!   `allowMajor`, else the module's `policy.allowMajor`); the gate then asks the callback as
//!   for any swap. After a major upgrade the watch follows the new line (`^2.0.0`).
//! - A version that failed (other than its fetch) or was declined is not tried again by this
//!   watch; the next version published is. A failed fetch of the blob is `rejected` with
//!   `FETCH_FAILED`, counts as a failed poll, and is tried again at the next poll.
//!
//! # Stopping
//!
//! `stop()` (or the signal) clears the timer, closes the event stream and the channel, and
//! releases or stops waiting for the lock. A poll in flight finishes but its answer is dropped;
//! no event follows `stop()`. A swap the watch already queued completes or fails as a whole,
//! like any swap.
//!
//! # Limitations
//!
//! - Sharing needs the Web Locks API (secure contexts: https, localhost); without it each watch
//!   polls on its own. Tabs share by origin, registry URL and package name.
//! - A follower whose own fetch of a blob failed tries again when the leader next posts an index
//!   (or when it becomes the leader), not on a timer of its own.
//! - The first poll has no validator, so it reads the index once (200); the following ones are
//!   conditional.
//! - Cross-origin registries must allow the `If-None-Match` request header and expose `ETag`
//!   (`Access-Control-Allow-Headers: If-None-Match`, `Access-Control-Expose-Headers: ETag`);
//!   without the exposed `ETag` every poll reads the whole index.

use semver::Version;

use crate::bump::{self, Bump};
use crate::registry::index::{Entry, Index, Wanted};

/// The version a watch should move to next, or `None` to stay.
///
/// Candidates are the index's versions that are not yanked, not in `tried` (digests already
/// refused or failed), and newer than `serving` (by semver precedence; when the serving module
/// has no version, any other digest). Of those:
///
/// 1. with `majors` (the host gave a consent option), the highest release (no prerelease)
///    that is a major bump from `serving` comes first: `1.4.0 => 2.1.0`, `0.3.1 => 0.4.0`;
/// 2. otherwise, or when there is none, the highest version `wanted` matches: `^1.2` from
///    `1.2.0` picks `1.9.0`, not `2.0.0` nor `1.10.0-rc.1`.
///
/// Downgrades are never chosen, so the gate's downgrade rule is never exercised by a watch.
pub fn choose<'a>(
    index: &'a Index,
    wanted: &Wanted,
    serving_digest: &str,
    serving: Option<&Version>,
    majors: bool,
    tried: &[String],
) -> Option<&'a Entry> {
    let newer = |e: &&Entry| {
        !e.yanked
            && e.digest != serving_digest
            && !tried.contains(&e.digest)
            && serving.is_none_or(|s| e.version.cmp_precedence(s).is_gt())
    };
    let highest = |a: &&Entry, b: &&Entry| a.version.cmp_precedence(&b.version);
    let major = serving.filter(|_| majors).and_then(|s| {
        index
            .versions
            .iter()
            .filter(newer)
            .filter(|e| {
                e.version.pre.is_empty() && bump::declared(s, &e.version) == Some(Bump::Major)
            })
            .max_by(highest)
    });
    major.or_else(|| {
        index
            .versions
            .iter()
            .filter(newer)
            .filter(|e| match wanted {
                Wanted::Exact(version) => e.version == *version,
                Wanted::Range(req) => req.matches(&e.version),
            })
            .max_by(highest)
    })
}

/// Whether a failed swap is worth trying again: only when the bytes could not be fetched.
/// Every other refusal (a hash mismatch, a gate rule, a declined major) would fail the same way
/// again, so its digest is not retried.
pub fn is_transient(code: &str) -> bool {
    code == "FETCH_FAILED"
}

/// The polling period and how failures stretch it.
///
/// After `n` consecutive failed polls (`n >= 1`) the next poll waits
///
/// ```text
/// d(n)  = min(cap, interval * 2^n)
/// delay = d(n) / 2 + r * d(n) / 2        r uniform in [0, 1)   ("equal jitter")
/// ```
///
/// so between half and all of `d(n)`: tabs that failed together do not retry together, and
/// the wait still grows. With `interval = 30 s`, `cap = 10 min`: 30-60 s, 60-120 s, 2-4 min,
/// 4-8 min, then 5-10 min for good. A success returns to `interval`, without jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Milliseconds between polls while they succeed.
    pub interval: u32,
    /// The longest wait after failures, in milliseconds; never below `interval`.
    pub cap: u32,
}

impl Backoff {
    /// Default milliseconds between polls: 30 s.
    pub const INTERVAL: u32 = 30_000;
    /// The shortest interval accepted, for tests: 100 ms.
    pub const MIN_INTERVAL: u32 = 100;
    /// Default cap: 10 minutes, or the interval when that is longer.
    pub const CAP: u32 = 600_000;

    /// Milliseconds before the next poll after `failures` consecutive failures, with `r` in
    /// `[0, 1)` as the jitter: `delay(0, _) = interval`; see the type's doc for the rest.
    pub fn delay(&self, failures: u32, r: f64) -> u32 {
        if failures == 0 {
            return self.interval;
        }
        let cap = u64::from(self.cap.max(self.interval));
        let d = u64::from(self.interval)
            .saturating_mul(1u64 << failures.min(32))
            .min(cap);
        let half = d / 2;
        let spread = d - half;
        let jitter = (r.clamp(0.0, 1.0) * spread as f64) as u64;
        (half + jitter.min(spread.saturating_sub(1))) as u32
    }
}

/// Who polls and when: a small state machine the browser half feeds with what happened
/// (the lock was granted, a timer fired, a `published` event arrived, a poll ended) and asks
/// what to do.
///
/// - A follower never polls; nothing it is told makes a poll due.
/// - Becoming the leader makes a poll due at once (what happened while the old leader was
///   gone is unknown).
/// - Wakes while a poll runs collapse into one poll after it.
/// - After `stop`, nothing is ever due and no timer is asked for.
#[derive(Debug, Clone)]
pub struct Scheduler {
    backoff: Backoff,
    leader: bool,
    stopped: bool,
    due: bool,
    failures: u32,
}

impl Scheduler {
    /// A follower, nothing due.
    pub fn new(backoff: Backoff) -> Self {
        Scheduler {
            backoff,
            leader: false,
            stopped: false,
            due: false,
            failures: 0,
        }
    }

    /// The lock was granted (or there is no sharing): this watch polls from now on.
    pub fn lead(&mut self) {
        if !self.stopped {
            self.leader = true;
            self.due = true;
        }
    }

    /// Whether this watch is the leader.
    pub fn is_leader(&self) -> bool {
        self.leader && !self.stopped
    }

    /// A timer fired or the event stream announced this package: a poll is due (for a leader).
    pub fn wake(&mut self) {
        if self.is_leader() {
            self.due = true;
        }
    }

    /// Takes the due poll: `true` when the caller should poll now.
    pub fn take_due(&mut self) -> bool {
        std::mem::take(&mut self.due) && self.is_leader()
    }

    /// A poll (with whatever it applied) ended, well or not. Returns the number of
    /// consecutive failures now.
    pub fn polled(&mut self, ok: bool) -> u32 {
        self.failures = if ok {
            0
        } else {
            self.failures.saturating_add(1)
        };
        self.failures
    }

    /// Milliseconds until the next timed poll, jittered by `r` in `[0, 1)`; `None` for a
    /// follower or a stopped watch, which keep no timer.
    pub fn next_delay(&self, r: f64) -> Option<u32> {
        self.is_leader()
            .then(|| self.backoff.delay(self.failures, r))
    }

    /// Stops for good.
    pub fn stop(&mut self) {
        self.stopped = true;
        self.due = false;
    }

    /// Whether `stop` was called.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }
}

#[cfg(all(target_arch = "wasm32", feature = "updates"))]
pub(crate) mod browser;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: u8) -> String {
        format!("sha256:{}", format!("{n:02x}").repeat(32))
    }

    fn index(versions: &[(&str, bool)]) -> Index {
        let mut index = Index::empty(&"acme/counter".parse().unwrap());
        for (i, (version, yanked)) in versions.iter().enumerate() {
            index.insert(Entry {
                version: version.parse().unwrap(),
                digest: d(i as u8 + 1),
                size: 1,
                glue: None,
                cores: Vec::new(),
                yanked: *yanked,
                published: String::new(),
            });
        }
        index
    }

    fn pick(
        idx: &Index,
        range: &str,
        serving: &str,
        majors: bool,
        tried: &[String],
    ) -> Option<String> {
        let serving: Version = serving.parse().unwrap();
        let digest = idx
            .versions
            .iter()
            .find(|e| e.version == serving)
            .map_or_else(|| d(0), |e| e.digest.clone());
        let wanted = Wanted::range(range, "range").unwrap();
        choose(idx, &wanted, &digest, Some(&serving), majors, tried).map(|e| e.version.to_string())
    }

    #[test]
    fn choose_takes_the_highest_in_range_and_needs_the_consent_option_for_a_major() {
        let idx = index(&[
            ("1.0.0", false),
            ("1.1.0", false),
            ("1.2.0-rc.1", false),
            ("2.0.0", false),
            ("2.1.0", false),
            ("3.0.0-rc.1", false),
        ]);
        let table = [
            ("^1", "1.0.0", false, Some("1.1.0")),
            ("^1", "1.0.0", true, Some("2.1.0")),
            ("^1", "1.1.0", false, None),
            ("~1.0", "1.0.0", false, None),
            ("^2", "2.1.0", true, None),
            ("*", "1.0.0", false, Some("2.1.0")),
        ];
        for (range, serving, majors, expected) in table {
            assert_eq!(
                pick(&idx, range, serving, majors, &[]).as_deref(),
                expected,
                "{range} from {serving}, majors {majors}"
            );
        }
    }

    #[test]
    fn choose_skips_yanked_and_tried_versions_and_never_goes_down() {
        let idx = index(&[
            ("1.0.0", false),
            ("1.0.1", false),
            ("1.0.2", false),
            ("1.0.3", true),
        ]);
        assert_eq!(
            pick(&idx, "^1", "1.0.0", false, &[]).as_deref(),
            Some("1.0.2")
        );
        let tried = [idx.versions[2].digest.clone()];
        assert_eq!(
            pick(&idx, "^1", "1.0.0", false, &tried).as_deref(),
            Some("1.0.1")
        );
        assert_eq!(pick(&idx, "^1", "1.0.3", false, &[]), None, "no downgrade");
        assert_eq!(pick(&idx, "^1", "1.0.2", true, &[]), None);
    }

    #[test]
    fn choose_below_1_0_treats_a_minor_step_as_major() {
        let idx = index(&[("0.3.1", false), ("0.3.4", false), ("0.4.0", false)]);
        assert_eq!(
            pick(&idx, "^0.3", "0.3.1", false, &[]).as_deref(),
            Some("0.3.4")
        );
        assert_eq!(
            pick(&idx, "^0.3", "0.3.1", true, &[]).as_deref(),
            Some("0.4.0")
        );
    }

    #[test]
    fn only_fetch_failures_are_transient() {
        assert!(is_transient("FETCH_FAILED"));
        for code in [
            "HASH_MISMATCH",
            "MAJOR_UPGRADE_REFUSED",
            "STATE_LOAD_FAILED",
        ] {
            assert!(!is_transient(code), "{code}");
        }
    }

    #[test]
    fn backoff_doubles_with_equal_jitter_up_to_the_cap() {
        let b = Backoff {
            interval: 30_000,
            cap: 600_000,
        };
        // failures => (r = 0, r -> 1)
        let table = [
            (0, 30_000, 30_000),
            (1, 30_000, 59_999),
            (2, 60_000, 119_999),
            (3, 120_000, 239_999),
            (4, 240_000, 479_999),
            (5, 300_000, 599_999),
            (40, 300_000, 599_999),
        ];
        for (n, low, high) in table {
            assert_eq!(b.delay(n, 0.0), low, "n={n}, r=0");
            assert_eq!(b.delay(n, 0.999_999_999), high, "n={n}, r->1");
            let mid = b.delay(n, 0.5);
            assert!(low <= mid && mid <= high, "n={n}: {mid}");
        }
        assert_eq!(b.delay(1, 1.0), 59_999, "r is clamped below 1");
        let tiny = Backoff {
            interval: 100,
            cap: 50,
        };
        assert_eq!(
            (tiny.delay(3, 0.0), tiny.delay(3, 0.999_999)),
            (50, 99),
            "the cap is never below the interval"
        );
        let huge = Backoff {
            interval: u32::MAX,
            cap: u32::MAX,
        };
        assert!(huge.delay(u32::MAX, 0.5) >= u32::MAX / 2, "no overflow");
    }

    #[test]
    fn a_follower_never_polls_and_keeps_no_timer() {
        let mut s = Scheduler::new(Backoff {
            interval: 100,
            cap: 1000,
        });
        s.wake();
        assert!(!s.take_due());
        assert_eq!(s.next_delay(0.5), None);
        s.lead();
        assert!(s.take_due(), "a new leader polls at once");
        assert!(!s.take_due());
        assert_eq!(s.next_delay(0.5), Some(100));
    }

    #[test]
    fn wakes_during_a_poll_collapse_and_failures_back_off_then_recover() {
        let mut s = Scheduler::new(Backoff {
            interval: 100,
            cap: 1000,
        });
        s.lead();
        assert!(s.take_due());
        s.wake();
        s.wake();
        assert!(s.take_due(), "one poll after the running one");
        assert!(!s.take_due());
        assert_eq!(s.polled(false), 1);
        assert_eq!(s.next_delay(0.0), Some(100));
        assert_eq!(s.polled(false), 2);
        assert_eq!(s.next_delay(0.0), Some(200));
        assert_eq!(s.polled(true), 0);
        assert_eq!(s.next_delay(0.0), Some(100));
    }

    #[test]
    fn stop_ends_polling_and_timers_for_good() {
        let mut s = Scheduler::new(Backoff {
            interval: 100,
            cap: 1000,
        });
        s.lead();
        s.stop();
        assert!(!s.take_due());
        s.wake();
        s.lead();
        assert!(!s.take_due());
        assert_eq!(s.next_delay(0.5), None);
        assert!(s.is_stopped());
    }
}
