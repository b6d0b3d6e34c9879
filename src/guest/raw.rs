//! The raw kind: a core module the runtime instantiates with the app's imports, whose state
//! moves through the raw ABI of [`crate::contract`]: `save_state` on the old instance,
//! `alloc_state` on the new one, a copy between the two memories, then `load_state`.
//!
//! A raw guest is async (JSPI) when any import it declares is given as a
//! `WebAssembly.Suspending` function: its export table then wraps its function exports with
//! `WebAssembly.promising`. Its state functions stay plain, called synchronously by the commit.

use js_sys::{Function, Object, Reflect, Uint8Array, WebAssembly};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::contract::{
    check_range, decode_state_header, Statefulness, ALLOC_STATE, LOAD_STATE, MEMORY, SAVE_STATE,
    STATE_FUNCTIONS,
};
use crate::error::Error;
use crate::guest::instance::{load_failed, save_failed};
use crate::guest::{Loaded, Saved};
use crate::js::{describe, now, Failure};

/// The exports of a raw guest that are the runtime's: the state functions.
pub const HIDDEN: &[&str] = &STATE_FUNCTIONS;

/// The state protocol of one instance, looked up once so that the commit only calls.
struct StateFns {
    save: Function,
    alloc: Function,
    load: Function,
    memory: WebAssembly::Memory,
}

impl StateFns {
    /// The state exports of a stateful guest's instance (the gate checked they exist).
    fn of(exports: &Object) -> Option<StateFns> {
        let get = |name: &str| Reflect::get(exports, &JsValue::from_str(name)).ok();
        Some(StateFns {
            save: get(SAVE_STATE)?.dyn_into().ok()?,
            alloc: get(ALLOC_STATE)?.dyn_into().ok()?,
            load: get(LOAD_STATE)?.dyn_into().ok()?,
            memory: get(MEMORY)?.dyn_into().ok()?,
        })
    }
}

/// An instance of a raw guest.
pub struct RawInstance {
    exports: Object,
    state: Option<StateFns>,
    suspending: Vec<String>,
}

impl RawInstance {
    /// `new WebAssembly.Instance(module, imports)` when the module was compiled synchronously
    /// (`synchronous`: the host allows the constructors for it, and it is small), else
    /// `WebAssembly.instantiate(module, imports)`; its start function runs.
    ///
    /// # Errors
    /// [`Error::InstantiateFailed`] with the engine's error as cause; [`Error::InvalidGuest`]
    /// when a stateful guest's instance lacks its state exports.
    pub async fn instantiate(
        module: &WebAssembly::Module,
        imports: &Object,
        state: Statefulness,
        synchronous: bool,
    ) -> Result<RawInstance, Failure> {
        let failed = |cause: JsValue| {
            let reason = describe(&cause);
            Failure::caused(Error::InstantiateFailed { reason }, cause)
        };
        let instance: WebAssembly::Instance = match synchronous {
            true => WebAssembly::Instance::new(module, imports).map_err(failed)?,
            false => JsFuture::from(WebAssembly::instantiate_module(module, imports))
                .await
                .map_err(failed)?
                .unchecked_into(),
        };
        let exports = instance.exports();
        let state = match state {
            Statefulness::Stateful => Some(StateFns::of(&exports).ok_or_else(|| Error::InvalidGuest {
                reason: "the instance's state exports are not the functions and memory its binary declares".into(),
            })?),
            Statefulness::Stateless => None,
        };
        let suspending = crate::js::suspending_imports(imports, Some(module));
        Ok(RawInstance {
            exports,
            state,
            suspending,
        })
    }

    /// The imports it was given as `WebAssembly.Suspending` functions (`module.name`): none
    /// for a sync guest.
    pub fn suspending(&self) -> &[String] {
        &self.suspending
    }

    /// The instance's exports.
    pub fn exports(&self) -> &Object {
        &self.exports
    }

    /// Whether it exports the state protocol.
    pub fn stateful(&self) -> bool {
        self.state.is_some()
    }

    /// `save_state`, then the 8-byte header it points at: the state's pointer and length,
    /// both checked against the memory.
    ///
    /// # Errors
    /// [`Error::StateSaveFailed`]: a trap, or a pointer out of bounds.
    pub fn save(&self) -> Result<Saved, Failure> {
        let failed = save_failed;
        let Some(fns) = &self.state else {
            return Err(failed("the guest is stateless".into(), JsValue::UNDEFINED));
        };
        let header_ptr = pointer(fns.save.call0(&JsValue::UNDEFINED)).map_err(|cause| {
            failed(
                format!("`{SAVE_STATE}` trapped: {}", describe(&cause)),
                cause,
            )
        })?;
        let memory = fns.memory.buffer().unchecked_into::<js_sys::ArrayBuffer>();
        let size = memory.byte_length() as u64;
        check_range("the 8-byte state header", header_ptr, 8, size).map_err(|reason| {
            let reason = format!("`{SAVE_STATE}` returned {header_ptr}: {reason}");
            failed(reason, JsValue::UNDEFINED)
        })?;
        let mut header = [0u8; 8];
        Uint8Array::new_with_byte_offset_and_length(&memory, header_ptr, 8).copy_to(&mut header);
        let (ptr, len) = decode_state_header(header);
        check_range("the state", ptr, len, size).map_err(|reason| {
            let reason = format!("`{SAVE_STATE}`'s header points out of bounds: {reason}");
            failed(reason, JsValue::UNDEFINED)
        })?;
        Ok(Saved::InMemory {
            memory: fns.memory.clone(),
            ptr,
            len,
        })
    }

    /// `alloc_state(len)`, a copy of `saved` to where it points, then `load_state`.
    ///
    /// # Errors
    /// [`Error::StateLoadFailed`]: a trap, no room (`alloc_state` returned 0 or a pointer out
    /// of bounds), or `load_state` refusing the state.
    pub fn load(&self, saved: &Saved) -> Result<Loaded, Failure> {
        let failed = load_failed;
        let Some(fns) = &self.state else {
            return Err(failed("the guest is stateless".into(), JsValue::UNDEFINED));
        };
        let t0 = now();
        let len = saved.len();
        let target =
            pointer(fns.alloc.call1(&JsValue::UNDEFINED, &len.into())).map_err(|cause| {
                failed(
                    format!("`{ALLOC_STATE}({len})` trapped: {}", describe(&cause)),
                    cause,
                )
            })?;
        if target == 0 && len > 0 {
            let reason = format!("`{ALLOC_STATE}({len})` returned 0: the new version cannot take {len} bytes of state");
            return Err(failed(reason, JsValue::UNDEFINED));
        }
        // Read the buffer after the guest ran: a memory that grew has a new one.
        let memory = fns.memory.buffer();
        let size = memory.unchecked_ref::<js_sys::ArrayBuffer>().byte_length() as u64;
        check_range("the state buffer", target, len, size).map_err(|reason| {
            let reason = format!("`{ALLOC_STATE}({len})` returned {target}: {reason}");
            failed(reason, JsValue::UNDEFINED)
        })?;
        Uint8Array::new(&memory).set(&saved.view(), target);
        let t1 = now();
        let status = pointer(
            fns.load
                .call2(&JsValue::UNDEFINED, &target.into(), &len.into()),
        )
        .map_err(|cause| {
            failed(
                format!("`{LOAD_STATE}` trapped: {}", describe(&cause)),
                cause,
            )
        })?;
        if status != 0 {
            let reason = format!(
                "`{LOAD_STATE}` returned {}: the new version cannot read the state ({len} bytes)",
                status as i32
            );
            return Err(failed(reason, JsValue::UNDEFINED));
        }
        Ok(Loaded {
            copy: t1 - t0,
            load: now() - t1,
        })
    }
}

/// The i32 a state function returned, read as unsigned: pointers are its unsigned reading.
fn pointer(result: Result<JsValue, JsValue>) -> Result<u32, JsValue> {
    Ok(result?.as_f64().unwrap_or(0.0) as i32 as u32)
}
