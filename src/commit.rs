//! The commit: the only synchronous stage, and the only one that changes what the app sees.
//!
//! SYNC SECTION: no `.await` in this file. Between the first and the last line of [`commit`]
//! no other JS runs but what the guests' own imports call, and any call to an export from
//! there fails with `SWAP_IN_PROGRESS`. So no call observes a half-swapped module, and on any
//! failure the cells are restored and the old instance goes on serving with its state.

use js_sys::{Array, WebAssembly};
use wasm_bindgen::JsValue;

use crate::digest::Digest;
use crate::guest::{Guest, Instance};
use crate::interface::Interface;
use crate::js::{now, ExportTable, Failure};
use crate::prepare::Prepared;
use crate::report::{CommitStages, Restore};

/// The instance serving now. Only [`Serving::first`] and [`commit`] make one, from a
/// [`Prepared`] instance, so whatever serves passed the whole pipeline.
pub struct Serving {
    digest: Digest,
    interface: Interface,
    guest: Guest,
    module: WebAssembly::Module,
    instance: Instance,
}

impl Serving {
    /// Makes `prepared` the instance serving, pointing `table` at it. For the first load, when
    /// there is nothing to migrate.
    pub fn first(prepared: Prepared, table: &ExportTable) -> Serving {
        // A module is async (JSPI) or not for its life: its first instance decides.
        table.set_async(!prepared.instance().suspending().is_empty());
        bind(table, prepared.instance());
        Serving::from(prepared)
    }

    /// Its verified digest.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// Its interface, read from its binary.
    pub fn interface(&self) -> &Interface {
        &self.interface
    }

    /// The part of its interface the next version must keep, by its guest kind.
    pub fn compared(&self) -> std::borrow::Cow<'_, Interface> {
        self.guest.kind.compared(&self.interface)
    }

    /// Its version, from its `version` section.
    pub fn version(&self) -> Option<String> {
        self.interface.version.as_ref().map(ToString::to_string)
    }

    /// Its kind, and whether it carries state.
    pub fn guest(&self) -> Guest {
        self.guest
    }

    /// Its compiled module.
    pub fn module(&self) -> &WebAssembly::Module {
        &self.module
    }

    /// Its instance: for snapshots taken and given outside a swap (`crate::persist`).
    pub fn instance(&self) -> &Instance {
        &self.instance
    }
}

impl From<Prepared> for Serving {
    fn from(prepared: Prepared) -> Serving {
        let (digest, interface, guest, module, instance) = prepared.into_parts();
        Serving {
            digest,
            interface,
            guest,
            module,
            instance,
        }
    }
}

fn bind(table: &ExportTable, instance: &Instance) {
    let hidden: Array = instance
        .hidden()
        .iter()
        .map(|n| JsValue::from_str(n))
        .collect();
    table.bind(instance.exports(), &hidden);
}

/// What the commit did: bytes of state moved and the time of each step.
pub struct Committed<S = Serving> {
    /// The new instance, now serving.
    pub serving: S,
    /// Bytes of state moved.
    pub state_bytes: u64,
    /// Milliseconds per step.
    pub stages: CommitStages,
}

/// Moves the state from `serving` into `prepared` and rebinds every export to it: the old
/// instance saves (without changing its state), the new one loads, then the cells are
/// rewritten. A stateless guest on either side moves nothing.
///
/// # Errors
/// [`crate::error::Error::StateSaveFailed`] or [`crate::error::Error::StateLoadFailed`], with
/// the guest's exception as cause. The exports then still reach `serving`, and `prepared` is
/// dropped.
pub fn commit(
    serving: &Serving,
    prepared: Prepared,
    table: &ExportTable,
) -> Result<Committed, Failure> {
    let start = now();
    table.hold();
    let moved = match move_state(&serving.instance, prepared.instance()) {
        Ok(moved) => moved,
        Err(failure) => {
            table.release();
            return Err(failure);
        }
    };
    let rebind_start = now();
    bind(table, prepared.instance());
    let end = now();
    Ok(Committed {
        serving: Serving::from(prepared),
        state_bytes: moved.bytes,
        stages: CommitStages {
            save: moved.save,
            copy: moved.copy,
            load: moved.load,
            rebind: end - rebind_start,
            total: end - start,
        },
    })
}

/// Points every export back at `target`, a version kept from before: with
/// [`Restore::State`] the current state moves into it first (it may refuse, and then nothing
/// changes); with [`Restore::Snapshot`] it serves with the state it held when it was swapped
/// out, which its `save_state` left as it was.
///
/// # Errors
/// As [`commit`], for [`Restore::State`].
pub fn restore(
    serving: &Serving,
    target: &Serving,
    table: &ExportTable,
    restore: Restore,
) -> Result<Committed<()>, Failure> {
    let start = now();
    table.hold();
    let moved = match restore {
        Restore::Snapshot => MovedState::default(),
        Restore::State => match move_state(&serving.instance, &target.instance) {
            Ok(moved) => moved,
            Err(failure) => {
                table.release();
                return Err(failure);
            }
        },
    };
    let rebind_start = now();
    bind(table, &target.instance);
    let end = now();
    Ok(Committed {
        serving: (),
        state_bytes: moved.bytes,
        stages: CommitStages {
            save: moved.save,
            copy: moved.copy,
            load: moved.load,
            rebind: end - rebind_start,
            total: end - start,
        },
    })
}

#[derive(Default)]
struct MovedState {
    bytes: u64,
    save: f64,
    copy: f64,
    load: f64,
}

/// The old instance saves, the new one loads what it saved: through each one's guest kind.
fn move_state(old: &Instance, new: &Instance) -> Result<MovedState, Failure> {
    if !(old.stateful() && new.stateful()) {
        return Ok(MovedState::default());
    }
    let t0 = now();
    let saved = old.save()?;
    let t1 = now();
    let loaded = new.load(&saved)?;
    Ok(MovedState {
        bytes: u64::from(saved.len()),
        save: t1 - t0,
        copy: loaded.copy,
        load: loaded.load,
    })
}
