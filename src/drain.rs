//! The drain of an async (JSPI) guest before a commit.
//!
//! A call to an async guest can be suspended in the middle, awaiting a host promise through a
//! `WebAssembly.Suspending` import, when a swap arrives; saving the state then would save it
//! half-changed, and the call would resume in an instance that no longer serves. So a swap of
//! an async guest, once prepared:
//!
//! 1. stops new calls from entering the old instance: the exports queue them ([`drain`]);
//! 2. waits for the calls in flight to settle, up to `drainTimeout` milliseconds;
//! 3. commits, synchronously, as for any guest;
//! 4. releases the queue to whatever the exports reach then ([`Paused`]'s drop): the new
//!    version, or the old one when the commit failed.
//!
//! When the calls do not settle in time the swap fails with `DRAIN_TIMEOUT` and the queue is
//! released to the old version, which goes on serving with its state. A sync guest's swap
//! skips all of it without an `.await`, so its commit stays in the turn it was prepared in.

use wasm_bindgen_futures::JsFuture;

use crate::error::Error;
use crate::guest::Instance;
use crate::js::{ExportTable, Failure};

/// The exports of an async guest, queuing the calls made to them. Dropping it releases the
/// queue, in call order, to the instance the exports reach then.
pub(crate) struct Paused<'a>(&'a ExportTable);

impl Drop for Paused<'_> {
    fn drop(&mut self) {
        self.0.resume();
    }
}

/// Steps 1 and 2: for an async guest's `table`, queues new calls and waits up to `ms`
/// milliseconds for the calls in flight to settle; for a sync guest, nothing (and no wait).
///
/// # Errors
/// [`Error::DrainTimeout`] when calls are still in flight after `ms`; the queued calls have
/// then been released to the instance serving.
pub(crate) async fn drain(table: &ExportTable, ms: f64) -> Result<Option<Paused<'_>>, Failure> {
    if !table.is_async() {
        return Ok(None);
    }
    table.pause();
    let paused = Paused(table);
    // Nothing in flight: commit in this turn, as for a sync guest, without awaiting.
    if table.in_flight() == 0 {
        return Ok(Some(paused));
    }
    let drained = JsFuture::from(table.drained(ms)).await;
    if drained.ok().and_then(|d| d.as_bool()) == Some(true) {
        return Ok(Some(paused));
    }
    let in_flight = table.in_flight();
    drop(paused);
    // Whole milliseconds: formatting an f64 would pull the float formatter into the runtime.
    let reason = format!("after {} ms (`drainTimeout`)", ms as u64);
    Err(Error::DrainTimeout { in_flight, reason }.into())
}

/// A staged update's `commit()` is synchronous and cannot wait: it commits an async guest only
/// when no call is in flight.
///
/// # Errors
/// [`Error::DrainTimeout`] when some are.
pub(crate) fn idle(table: &ExportTable) -> Result<(), Failure> {
    match table.in_flight() {
        0 => Ok(()),
        in_flight => {
            let reason = "at a staged update's `commit()`, which is synchronous and cannot wait for them: commit it when none is in flight, or use `swap`, which drains".into();
            Err(Error::DrainTimeout { in_flight, reason }.into())
        }
    }
}

/// Whether `table` can serve `instance`: a module loaded sync stays sync, since its exports
/// would start returning promises. (A module loaded async stays async: a new version without
/// a `WebAssembly.Suspending` import is still wrapped with `WebAssembly.promising`.)
///
/// # Errors
/// [`Error::IncompatibleInterface`] naming the `WebAssembly.Suspending` import.
pub(crate) fn check_kept(table: &ExportTable, instance: &Instance) -> Result<(), Failure> {
    match instance.suspending().first() {
        Some(name) if !table.is_async() => Err(Error::IncompatibleInterface {
            problems: vec![format!(
                "import `{name}` is a `WebAssembly.Suspending` function, which makes the new version async (JSPI), but the module serving is sync: its exports would start returning promises; load the async version with `HotModule.load`"
            )],
        }
        .into()),
        _ => Ok(()),
    }
}
