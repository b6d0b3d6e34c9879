//! Demo guest, version 1.1.0: v1's counter plus `decrement` and `clicks`.
//!
//! Reads v1's state (schema 1): the count is carried, `clicks` starts at 0. Imports nothing.

mod state;

use state::Counter;

hotswap_guest::export_state!(Counter);
hotswap_guest::export_version!();

/// Applies `f` to the count, counts the click, returns the new count.
fn click(f: impl FnOnce(i32) -> i32) -> i32 {
    with_state(|s| {
        s.clicks = s.clicks.wrapping_add(1);
        s.count = f(s.count);
        s.count
    })
}

/// Adds `by` (wrapping on i32 overflow, like JS `| 0`) and returns the new count.
#[unsafe(no_mangle)]
pub extern "C" fn increment(by: i32) -> i32 {
    click(|count| count.wrapping_add(by))
}

/// Subtracts `by` (wrapping on i32 overflow) and returns the new count. New in v2.
#[unsafe(no_mangle)]
pub extern "C" fn decrement(by: i32) -> i32 {
    click(|count| count.wrapping_sub(by))
}

/// The current count.
#[unsafe(no_mangle)]
pub extern "C" fn get() -> i32 {
    with_state(|s| s.count)
}

/// How many `increment`/`decrement` calls v2 has served since it took over. New in v2.
#[unsafe(no_mangle)]
pub extern "C" fn clicks() -> i32 {
    with_state(|s| s.clicks)
}

#[cfg(test)]
mod tests;
