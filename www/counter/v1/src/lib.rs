//! Demo guest, version 1.0.0: a counter that survives hot swaps.
//!
//! Exports `increment`, `get`, and the guest contract's `memory`, `save_state`,
//! `alloc_state`, `load_state`; its `version` section says `1.0.0`. Imports nothing.

mod state;

use state::Counter;

hotswap_guest::export_state!(Counter);
hotswap_guest::export_version!();

/// Adds `by` (wrapping on i32 overflow, like JS `| 0`) and returns the new count.
#[unsafe(no_mangle)]
pub extern "C" fn increment(by: i32) -> i32 {
    with_state(|s| {
        s.count = s.count.wrapping_add(by);
        s.count
    })
}

/// The current count.
#[unsafe(no_mangle)]
pub extern "C" fn get() -> i32 {
    with_state(|s| s.count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increment_returns_the_new_count() {
        assert_eq!(increment(2), 2);
        assert_eq!(increment(-5), -3);
        assert_eq!(get(), -3);
    }
}
