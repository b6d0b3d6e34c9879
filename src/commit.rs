//! The commit: the only synchronous stage, and the only one that changes what the app sees.
//!
//! SYNC SECTION: no `.await` in this file. Between the first and the last line of [`commit`]
//! no other JS runs but what the guests' own imports call, and any call to an export from
//! there fails with `SWAP_IN_PROGRESS`. So no call observes a half-swapped module, and on any
//! failure the cells are restored and the old instance goes on serving with its state.

use js_sys::{Array, Object, Uint8Array, WebAssembly};
use wasm_bindgen::{JsCast, JsValue};

use crate::contract::{
    check_range, decode_state_header, GuestKind, ALLOC_STATE, LOAD_STATE, SAVE_STATE,
    STATE_FUNCTIONS,
};
use crate::digest::Digest;
use crate::error::Error;
use crate::interface::Interface;
use crate::js::{describe, now, ExportTable, Failure};
use crate::prepare::{Prepared, StateFns};
use crate::report::CommitStages;

/// The instance serving now.
pub struct Serving {
    /// Its verified digest.
    pub digest: Digest,
    /// Its interface, which the next module must keep.
    pub interface: Interface,
    /// Stateless or stateful.
    pub guest: GuestKind,
    /// Its raw exports.
    pub exports: Object,
    /// Its state protocol, for a stateful guest.
    pub state: Option<StateFns>,
}

impl Serving {
    /// Makes `prepared` the instance serving, pointing `table` at it. For the first load, when
    /// there is nothing to migrate.
    pub fn first(prepared: Prepared, table: &ExportTable) -> Serving {
        table.bind(prepared.exports(), &hidden());
        into_serving(prepared)
    }
}

fn hidden() -> Array {
    STATE_FUNCTIONS
        .iter()
        .map(|name| JsValue::from_str(name))
        .collect()
}

fn into_serving(prepared: Prepared) -> Serving {
    let (checked, exports, state) = prepared.into_parts();
    let verified = checked.inspected().verified();
    Serving {
        digest: verified.digest(),
        interface: checked.inspected().interface().clone(),
        guest: checked.guest(),
        exports,
        state,
    }
}

/// What the commit did: bytes of state moved and the time of each step.
pub struct Committed {
    /// The new instance, now serving.
    pub serving: Serving,
    /// Bytes of state moved.
    pub state_bytes: u64,
    /// Milliseconds per step.
    pub stages: CommitStages,
}

/// Moves the state from `serving` into `prepared` and rebinds every export to it:
/// `save_state` on the old instance, `alloc_state` on the new one, a copy between the two
/// memories, `load_state`, then the cells. A stateless guest on either side moves nothing.
///
/// # Errors
/// [`Error::StateSaveFailed`] or [`Error::StateLoadFailed`], with the guest's exception as
/// cause. The exports then still reach `serving`, and `prepared` is dropped.
pub fn commit(
    serving: &Serving,
    prepared: Prepared,
    table: &ExportTable,
) -> Result<Committed, Failure> {
    let start = now();
    table.hold();
    let moved = match (&serving.state, prepared.state()) {
        (Some(old), Some(new)) => move_state(old, new),
        _ => Ok(MovedState::default()),
    };
    let moved = match moved {
        Ok(moved) => moved,
        Err(failure) => {
            table.release();
            return Err(failure);
        }
    };
    let rebind_start = now();
    table.bind(prepared.exports(), &hidden());
    let end = now();
    Ok(Committed {
        serving: into_serving(prepared),
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

fn move_state(old: &StateFns, new: &StateFns) -> Result<MovedState, Failure> {
    let save_failed =
        |reason: String, cause: JsValue| Failure::caused(Error::StateSaveFailed { reason }, cause);
    let load_failed =
        |reason: String, cause: JsValue| Failure::caused(Error::StateLoadFailed { reason }, cause);

    let t0 = now();
    let header_ptr = pointer(old.save.call0(&JsValue::UNDEFINED)).map_err(|cause| {
        save_failed(
            format!("`{SAVE_STATE}` trapped: {}", describe(&cause)),
            cause,
        )
    })?;
    let old_memory = buffer(&old.memory);
    let header_range = check_range(
        "the 8-byte state header",
        header_ptr,
        8,
        old_memory.byte_length() as u64,
    );
    header_range.map_err(|reason| {
        save_failed(
            format!("`{SAVE_STATE}` returned {header_ptr}: {reason}"),
            JsValue::UNDEFINED,
        )
    })?;
    let mut header = [0u8; 8];
    Uint8Array::new_with_byte_offset_and_length(&old_memory, header_ptr, 8).copy_to(&mut header);
    let (state_ptr, state_len) = decode_state_header(header);
    check_range(
        "the state",
        state_ptr,
        state_len,
        old_memory.byte_length() as u64,
    )
    .map_err(|reason| {
        save_failed(
            format!("`{SAVE_STATE}`'s header points out of bounds: {reason}"),
            JsValue::UNDEFINED,
        )
    })?;

    let t1 = now();
    let target =
        pointer(new.alloc.call1(&JsValue::UNDEFINED, &state_len.into())).map_err(|cause| {
            load_failed(
                format!("`{ALLOC_STATE}({state_len})` trapped: {}", describe(&cause)),
                cause,
            )
        })?;
    if target == 0 && state_len > 0 {
        return Err(load_failed(format!("`{ALLOC_STATE}({state_len})` returned 0: the new version cannot take {state_len} bytes of state"), JsValue::UNDEFINED));
    }
    // Read both buffers after the guests ran: a memory that grew has a new buffer.
    let old_memory = buffer(&old.memory);
    let new_memory = buffer(&new.memory);
    check_range(
        "the state buffer",
        target,
        state_len,
        new_memory.byte_length() as u64,
    )
    .map_err(|reason| {
        load_failed(
            format!("`{ALLOC_STATE}({state_len})` returned {target}: {reason}"),
            JsValue::UNDEFINED,
        )
    })?;
    Uint8Array::new(&new_memory).set(
        &Uint8Array::new_with_byte_offset_and_length(&old_memory, state_ptr, state_len),
        target,
    );

    let t2 = now();
    let status = pointer(
        new.load
            .call2(&JsValue::UNDEFINED, &target.into(), &state_len.into()),
    )
    .map_err(|cause| {
        load_failed(
            format!("`{LOAD_STATE}` trapped: {}", describe(&cause)),
            cause,
        )
    })?;
    if status != 0 {
        return Err(load_failed(
            format!("`{LOAD_STATE}` returned {}: the new version cannot read the state ({state_len} bytes)", status as i32),
            JsValue::UNDEFINED,
        ));
    }
    let t3 = now();
    Ok(MovedState {
        bytes: state_len as u64,
        save: t1 - t0,
        copy: t2 - t1,
        load: t3 - t2,
    })
}

/// The i32 a state function returned, read as unsigned: pointers are its unsigned reading.
fn pointer(result: Result<JsValue, JsValue>) -> Result<u32, JsValue> {
    Ok(result?.as_f64().unwrap_or(0.0) as i32 as u32)
}

/// The current buffer of a guest's memory: after a guest ran, a memory that grew has a new one.
fn buffer(memory: &WebAssembly::Memory) -> js_sys::ArrayBuffer {
    memory.buffer().unchecked_into()
}
