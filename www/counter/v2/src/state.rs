//! The v2 state: v1's plus a click count.

use serde::{Deserialize, Serialize};

/// The counter's state, schema 2.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Counter {
    /// The current count, carried over from v1.
    pub count: i32,
    /// `increment`/`decrement` calls since v2 took over. Absent in a v1 state, hence 0.
    #[serde(default)]
    pub clicks: i32,
}

impl hotswap_guest::GuestState for Counter {
    const SCHEMA: u32 = 2;
}
