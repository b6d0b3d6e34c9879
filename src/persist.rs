//! State outside the instance: snapshots the app takes (`m.snapshot()`) or gives
//! (`load({ state })`), and `persist: { key }`, which keeps one in IndexedDB and restores it on
//! the next `load` with the same key.
//!
//! # What is kept
//!
//! One record per key, in the database [`DATABASE`], object store [`STORE`]: the guest's state
//! bytes (its kind's `save`, the bytes a swap would move), the host key-value store's entries
//! ([`crate::kv`]) when the guest uses it, and the digest and version they were taken from.
//! A snapshot is taken:
//! - after each committed swap;
//! - when the page becomes hidden (`visibilitychange`), and on `pagehide`;
//! - every [`PersistOptions::interval`] milliseconds (default [`DEFAULT_INTERVAL`]);
//! - when the app calls `m.persistNow()`.
//!
//! An IndexedDB write started in `pagehide` does not land when the page is going away (a
//! reload, a navigation), so that snapshot is also stashed synchronously in `localStorage`
//! (`wasm-hotswap:<key>`), and a load takes the newer of the two.
//!
//! # What restoring does
//!
//! On `load`, the record is read while the module is fetched and compiled, then loaded into
//! the first instance before `load` resolves. A record the guest refuses (a newer schema, a
//! foreign guest's state) or that is not a snapshot at all (corrupted) is not fatal: the
//! module starts fresh and `m.persistence` dispatches `restorefailed`. Bytes the app gives as
//! `state` are its own explicit choice: they win over the record, and a guest refusing them
//! fails the load with `STATE_LOAD_FAILED`.
//!
//! # Events
//!
//! `m.persistence` is an `EventTarget` ([`Event`]): `persisted`, `persistfailed` and
//! `restorefailed`, each a `CustomEvent` whose `detail` is `{ key, reason, message, error }`
//! (`persisted`: `{ key, digest, version, bytes }`). A failed write never stops the module:
//! it keeps serving, and the next snapshot tries again.
//!
//! The rules are here, natively tested; the IndexedDB half is `persist::browser` and the
//! `Persistence` class of `src/js/exports.js`.

use crate::error::Result;
use crate::options::invalid;

#[cfg(target_arch = "wasm32")]
pub(crate) mod browser;

/// The IndexedDB database snapshots are kept in.
pub const DATABASE: &str = "wasm-hotswap";
/// Its object store, keyed by `persist.key`.
pub const STORE: &str = "snapshots";
/// The `format` field of every record, so that a value that is not one is recognised.
pub const FORMAT: &str = "wasm-hotswap/snapshot@1";
/// Milliseconds between interval snapshots when `persist.interval` is left out.
pub const DEFAULT_INTERVAL: u32 = 10_000;
/// The shortest `persist.interval` (other than 0, which turns the timer off).
pub const MIN_INTERVAL: u32 = 100;

/// The `persist` option, its fields read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersistFields {
    /// `persist.key`.
    pub key: Option<String>,
    /// `persist.interval`, in milliseconds.
    pub interval: Option<f64>,
}

/// The `persist` option, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersistOptions {
    /// The record's key.
    pub key: String,
    /// Milliseconds between interval snapshots; `None`: no timer.
    pub interval: Option<u32>,
}

impl PersistFields {
    /// The options these fields give:
    ///
    /// - `key` a non-empty string => that key; absent or empty => refused;
    /// - `interval` absent => [`DEFAULT_INTERVAL`]; `0` => no timer (snapshots only after a
    ///   swap, when hidden, on `pagehide` and on `persistNow`); a whole number of
    ///   milliseconds from [`MIN_INTERVAL`] to 2^31 - 1 => that; anything else => refused.
    ///
    /// # Errors
    /// [`crate::error::Error::InvalidOptions`] naming `persist.key` or `persist.interval`.
    pub fn check(self) -> Result<PersistOptions> {
        let key = match self.key {
            Some(key) if !key.is_empty() => key,
            _ => {
                return Err(invalid(
                    "persist.key",
                    "expected a non-empty string naming the snapshot",
                ))
            }
        };
        let interval = match self.interval {
            None => Some(DEFAULT_INTERVAL),
            Some(0.0) => None,
            Some(ms)
                if ms.fract() == 0.0
                    && ms >= f64::from(MIN_INTERVAL)
                    && ms <= f64::from(i32::MAX) =>
            {
                Some(ms as u32)
            }
            Some(_) => {
                return Err(invalid(
                    "persist.interval",
                    "expected 0 (no timer) or a whole number of milliseconds, at least 100",
                ))
            }
        };
        Ok(PersistOptions { key, interval })
    }
}

/// The events of `m.persistence`, and the `reason` their `detail` gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// `persistfailed`, `reason: "save"`: the guest's save failed (its error: `STATE_SAVE_FAILED`).
    SaveFailed,
    /// `persistfailed`, `reason: "quota"`: IndexedDB refused the write with `QuotaExceededError`.
    Quota,
    /// `persistfailed`, `reason: "write"`: any other IndexedDB failure (none there, private
    /// mode, a blocked or closed database).
    WriteFailed,
    /// `restorefailed`, `reason: "refused"`: the guest refused the stored state (its error:
    /// `STATE_LOAD_FAILED`); the module started fresh.
    Refused,
    /// `restorefailed`, `reason: "corrupt"`: the stored value is not a snapshot record; the
    /// module started fresh.
    Corrupt,
    /// `restorefailed`, `reason: "read"`: IndexedDB could not be read; the module started fresh.
    ReadFailed,
}

impl Event {
    /// Every event, for the TypeScript types' test.
    pub const ALL: [Event; 6] = [
        Event::SaveFailed,
        Event::Quota,
        Event::WriteFailed,
        Event::Refused,
        Event::Corrupt,
        Event::ReadFailed,
    ];

    /// The event's type.
    pub fn name(self) -> &'static str {
        match self {
            Event::SaveFailed | Event::Quota | Event::WriteFailed => "persistfailed",
            Event::Refused | Event::Corrupt | Event::ReadFailed => "restorefailed",
        }
    }

    /// Its `detail.reason`.
    pub fn reason(self) -> &'static str {
        match self {
            Event::SaveFailed => "save",
            Event::Quota => "quota",
            Event::WriteFailed => "write",
            Event::Refused => "refused",
            Event::Corrupt => "corrupt",
            Event::ReadFailed => "read",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn fields(key: Option<&str>, interval: Option<f64>) -> PersistFields {
        PersistFields {
            key: key.map(String::from),
            interval,
        }
    }

    #[test]
    fn persist_options_follow_their_rules() {
        let ok = |key: &str, interval| {
            Ok(PersistOptions {
                key: key.into(),
                interval,
            })
        };
        let cases: [(PersistFields, std::result::Result<PersistOptions, &str>); 9] = [
            (fields(Some("counter"), None), ok("counter", Some(10_000))),
            (fields(Some("c"), Some(0.0)), ok("c", None)),
            (fields(Some("c"), Some(100.0)), ok("c", Some(100))),
            (fields(Some("c"), Some(60_000.0)), ok("c", Some(60_000))),
            (fields(None, None), Err("persist.key")),
            (fields(Some(""), None), Err("persist.key")),
            (fields(Some("c"), Some(99.0)), Err("persist.interval")),
            (fields(Some("c"), Some(150.5)), Err("persist.interval")),
            (fields(Some("c"), Some(f64::NAN)), Err("persist.interval")),
        ];
        for (fields, expected) in cases {
            let got = fields.clone().check();
            match (got, expected) {
                (Ok(got), Ok(expected)) => assert_eq!(got, expected, "{fields:?}"),
                (Err(Error::InvalidOptions { option, .. }), Err(expected)) => {
                    assert_eq!(option, expected, "{fields:?}")
                }
                (got, expected) => panic!("{fields:?}: {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn each_event_has_its_type_and_reason() {
        let table = [
            (Event::SaveFailed, "persistfailed", "save"),
            (Event::Quota, "persistfailed", "quota"),
            (Event::WriteFailed, "persistfailed", "write"),
            (Event::Refused, "restorefailed", "refused"),
            (Event::Corrupt, "restorefailed", "corrupt"),
            (Event::ReadFailed, "restorefailed", "read"),
        ];
        for (event, name, reason) in table {
            assert_eq!((event.name(), event.reason()), (name, reason));
        }
    }
}
