//! The guest's state type contract and the cell that holds it.

use std::cell::RefCell;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::envelope::{self, DecodeError, EncodeError};

/// A state type that can be carried across a swap.
///
/// ```
/// #[derive(Default, serde::Serialize, serde::Deserialize)]
/// struct Counter {
///     count: i32,
///     #[serde(default)] // added in schema 2: schema-1 states read as 0
///     clicks: i32,
/// }
///
/// impl hotswap_guest::GuestState for Counter {
///     const SCHEMA: u32 = 2;
/// }
/// ```
pub trait GuestState: Serialize + DeserializeOwned + Default {
    /// The schema number written into every saved state. Bump it whenever the type changes;
    /// a guest refuses any state whose schema is higher than its own.
    const SCHEMA: u32;

    /// Reads a payload written by an older schema (`from_schema < SCHEMA`).
    ///
    /// The default parses it as `Self`, which is right when the only changes are fields added
    /// with `#[serde(default)]` (and removed fields, which serde ignores unless the type
    /// says `deny_unknown_fields`). Override it for renames or type changes: deserialize the
    /// old shape with [`serde_json::from_slice`] and convert.
    ///
    /// # Errors
    /// A `serde_json::Error` when the payload is not a valid old state; the swap is refused.
    fn migrate(from_schema: u32, payload: &[u8]) -> Result<Self, serde_json::Error> {
        let _ = from_schema;
        serde_json::from_slice(payload)
    }
}

/// Why `load_state` refused. [`LoadError::code`] is the value the export returns.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// The bytes were refused by the envelope or the payload (codes 1, 2, 3).
    Decode(DecodeError),
    /// `load_state` named bytes that the last `alloc_state` did not hand out (code 4).
    NotAllocated {
        /// The pointer passed to `load_state`.
        ptr: u32,
        /// The length passed to `load_state`.
        len: i32,
    },
    /// The state was borrowed: the guest called into its own exports from `with_state`
    /// (code 5).
    Busy,
}

impl LoadError {
    /// The `load_state` return code; see [`crate::code`].
    pub fn code(&self) -> i32 {
        match self {
            Self::Decode(e) => e.code(),
            Self::NotAllocated { .. } => crate::code::NOT_ALLOCATED,
            Self::Busy => crate::code::BUSY,
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Decode(e) => e.fmt(f),
            Self::NotAllocated { ptr, len } => write!(
                f,
                "load_state({ptr:#x}, {len}): not the buffer the last alloc_state returned"
            ),
            Self::Busy => f.write_str("load_state: the state is borrowed (re-entrant call)"),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Decode(e) => Some(e),
            _ => None,
        }
    }
}

impl From<DecodeError> for LoadError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

/// Holds a guest's state plus the two buffers the ABI hands to the host.
///
/// [`export_state!`](crate::export_state) keeps one in a `thread_local!` (a wasm guest is
/// single-threaded) and forwards the three exports to it. The safe methods here
/// ([`with`](Self::with), [`save`](Self::save), [`load`](Self::load)) are what the exports
/// do minus the pointers; native tests use them to simulate a swap between two guests.
#[derive(Debug, Default)]
pub struct StateCell<S> {
    pub(crate) state: RefCell<S>,
    /// Bytes the last `save_state` published: 8-byte (ptr, len) header, then the envelope.
    pub(crate) saved: RefCell<Vec<u8>>,
    /// The buffer the last `alloc_state` handed out, waiting for `load_state`.
    pub(crate) pending: RefCell<Option<Vec<u8>>>,
}

impl<S: GuestState> StateCell<S> {
    /// A cell holding `S::default()`.
    pub fn new() -> Self {
        Self {
            state: RefCell::new(S::default()),
            saved: RefCell::default(),
            pending: RefCell::default(),
        }
    }

    /// Runs `f` with exclusive access to the state.
    ///
    /// # Panics
    /// If called again from inside `f` (the state is already borrowed). In wasm a panic is
    /// a trap.
    pub fn with<R>(&self, f: impl FnOnce(&mut S) -> R) -> R {
        f(&mut self.state.borrow_mut())
    }

    /// The current state as envelope bytes with schema `S::SCHEMA`.
    ///
    /// # Errors
    /// [`EncodeError`] if the state does not serialize.
    ///
    /// # Panics
    /// If called from inside [`with`](Self::with).
    pub fn save(&self) -> Result<Vec<u8>, EncodeError> {
        envelope::encode(S::SCHEMA, &*self.state.borrow())
    }

    /// Replaces the state with the one in `bytes`; on any error the state is untouched.
    ///
    /// # Errors
    /// [`LoadError::Decode`] when the envelope or payload is refused, [`LoadError::Busy`]
    /// when called from inside [`with`](Self::with).
    pub fn load(&self, bytes: &[u8]) -> Result<(), LoadError> {
        let new_state = envelope::decode::<S>(bytes)?;
        let mut state = self.state.try_borrow_mut().map_err(|_| LoadError::Busy)?;
        *state = new_state;
        Ok(())
    }
}
