//! The v1 state. Kept in its own file so notes-v2's tests can include the real v1 type.

use serde::{Deserialize, Serialize};

/// The notes, schema 1.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Notes {
    /// The notes' texts, oldest first.
    pub notes: Vec<String>,
}

impl hotswap_guest::GuestState for Notes {
    const SCHEMA: u32 = 1;
}
