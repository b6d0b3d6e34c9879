//! The v1 state. Kept in its own file so counter-v2's tests can include the real v1 type.

use serde::{Deserialize, Serialize};

/// The counter's state, schema 1.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Counter {
    /// The current count.
    pub count: i32,
}

impl hotswap_guest::GuestState for Counter {
    const SCHEMA: u32 = 1;
}
