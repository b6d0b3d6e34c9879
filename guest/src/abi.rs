//! The three exports of the guest contract, as `i32` functions over a [`StateCell`].
//!
//! Addresses are wasm32 linear-memory offsets: a pointer's address as `u32`. On a 64-bit
//! native host (tests only) that keeps the low 32 bits; `load_state` compares addresses the
//! same way, so the checks behave identically, but the numbers cannot be dereferenced there —
//! native tests read and write the buffers through [`StateCell::host_read_saved`] and
//! [`StateCell::host_write_allocated`] instead.

use crate::envelope::EncodeError;
use crate::state::{LoadError, StateCell};
use crate::GuestState;

/// The `load_state` return codes.
pub mod code {
    /// The state was loaded.
    pub const OK: i32 = 0;
    /// Not an envelope this guest can read: wrong magic, truncated, unknown envelope
    /// version or trailing bytes.
    pub const BAD_ENVELOPE: i32 = 1;
    /// The state's schema is newer than this guest's (a downgrade would drop fields).
    pub const NEWER_SCHEMA: i32 = 2;
    /// The payload is not a valid state of its schema (or the migration refused it).
    pub const BAD_PAYLOAD: i32 = 3;
    /// `(ptr, len)` is not the buffer the last `alloc_state` returned, or there was none.
    pub const NOT_ALLOCATED: i32 = 4;
    /// The state was borrowed: a re-entrant call from inside `with_state`.
    pub const BUSY: i32 = 5;
}

/// The wasm32 address of `p` (see the module docs for 64-bit hosts).
fn addr(p: *const u8) -> u32 {
    // Exact on wasm32, where usize is u32; the truncation only happens in native tests.
    p as usize as u32
}

impl<S: GuestState> StateCell<S> {
    /// The `save_state` export: serializes the state and returns the address of 8 bytes,
    /// little-endian u32 address then u32 length of the envelope. Both stay valid until
    /// the next `save_state`.
    ///
    /// # Panics
    /// If the state does not serialize ([`EncodeError`]) or is borrowed (called from inside
    /// `with_state`). The contract leaves no way to return an error, so in wasm this traps
    /// and the host reports `STATE_SAVE_FAILED`; the old instance keeps serving. A plain
    /// serde-derived struct of numbers, strings, vectors and string-keyed maps cannot fail.
    pub fn save_state(&self) -> i32 {
        let mut out = std::mem::take(&mut *self.saved.borrow_mut());
        out.clear();
        out.extend_from_slice(&[0; 8]);
        if let Err(e) = crate::envelope::encode_into(&mut out, S::SCHEMA, &*self.state.borrow()) {
            save_failed(&e);
        }
        let len = (out.len() - 8) as u32; // encode_into bounds the payload to u32
        let bytes_at = addr(out[8..].as_ptr());
        out[..4].copy_from_slice(&bytes_at.to_le_bytes());
        out[4..8].copy_from_slice(&len.to_le_bytes());
        let header_at = addr(out.as_ptr());
        *self.saved.borrow_mut() = out;
        header_at as i32
    }

    /// The `alloc_state` export: a zeroed buffer of `len` bytes for the host to fill before
    /// `load_state`; returns its address, or 0 if `len` is negative or memory is exhausted.
    /// A second call replaces (frees) the previous buffer.
    pub fn alloc_state(&self, len: i32) -> i32 {
        let (Ok(len), Ok(mut pending)) = (usize::try_from(len), self.pending.try_borrow_mut())
        else {
            return 0;
        };
        *pending = None;
        let mut buf = Vec::new();
        if buf.try_reserve_exact(len).is_err() {
            return 0;
        }
        buf.resize(len, 0);
        let at = addr(buf.as_ptr());
        *pending = Some(buf);
        at as i32
    }

    /// The `load_state` export: restores from the buffer the last `alloc_state` returned,
    /// which must be exactly `(ptr, len)`. Returns a [`code`]; never panics. The buffer is
    /// freed whatever the outcome, and on any refusal the state is untouched.
    pub fn load_state(&self, ptr: i32, len: i32) -> i32 {
        match self.load_allocated(ptr, len) {
            Ok(()) => code::OK,
            Err(e) => e.code(),
        }
    }

    fn load_allocated(&self, ptr: i32, len: i32) -> Result<(), LoadError> {
        let buf = self
            .pending
            .try_borrow_mut()
            .map_err(|_| LoadError::Busy)?
            .take();
        let not_allocated = || LoadError::NotAllocated {
            ptr: ptr as u32,
            len,
        };
        let buf = buf.ok_or_else(not_allocated)?;
        if addr(buf.as_ptr()) != ptr as u32 || usize::try_from(len) != Ok(buf.len()) {
            return Err(not_allocated());
        }
        self.load(&buf)
    }

    /// Native test seam, standing in for the host reading `memory`: a copy of the envelope
    /// the last [`save_state`](Self::save_state) published (empty before the first).
    pub fn host_read_saved(&self) -> Vec<u8> {
        self.saved.borrow().get(8..).unwrap_or_default().to_vec()
    }

    /// Native test seam, standing in for the host writing `memory`: copies `bytes` into the
    /// buffer the last [`alloc_state`](Self::alloc_state) returned. Returns `false` (and
    /// writes nothing) if there is none or its length differs.
    pub fn host_write_allocated(&self, bytes: &[u8]) -> bool {
        match self.pending.borrow_mut().as_mut() {
            Some(buf) if buf.len() == bytes.len() => {
                buf.copy_from_slice(bytes);
                true
            }
            _ => false,
        }
    }
}

#[cold]
pub(crate) fn save_failed(e: &EncodeError) -> ! {
    panic!("save_state: {e}")
}
