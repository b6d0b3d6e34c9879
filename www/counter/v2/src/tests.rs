//! The v1 -> v2 swap, simulated natively through the SDK. Each test runs on its own thread,
//! so each sees a fresh thread-local state.

use hotswap_guest::{code, StateCell};

use super::*;

/// The real v1 state type, compiled into this test.
#[path = "../../v1/src/state.rs"]
mod v1_state;

fn v1_state_bytes(count: i32) -> Vec<u8> {
    let v1 = StateCell::<v1_state::Counter>::new();
    v1.with(|s| s.count = count);
    v1.save_state();
    v1.host_read_saved()
}

#[test]
fn v2_reads_v1_state_count_carried_clicks_zero() {
    let v2 = StateCell::<Counter>::new();
    v2.load(&v1_state_bytes(41)).unwrap();
    v2.with(|s| assert_eq!((s.count, s.clicks), (41, 0)));
}

#[test]
fn swap_from_v1_through_the_exports_carries_the_count() {
    let bytes = v1_state_bytes(7);
    let len = i32::try_from(bytes.len()).unwrap();
    let ptr = alloc_state(len);
    assert_ne!(ptr, 0);
    assert!(__HOTSWAP_STATE.with(|cell| cell.host_write_allocated(&bytes)));
    assert_eq!(load_state(ptr, len), code::OK);
    assert_eq!((get(), clicks()), (7, 0));
    assert_eq!(increment(3), 10);
    assert_eq!(decrement(1), 9);
    assert_eq!(clicks(), 2);
}

#[test]
fn v1_refuses_v2_state() {
    increment(5);
    save_state();
    let bytes = __HOTSWAP_STATE.with(StateCell::host_read_saved);
    let v1 = StateCell::<v1_state::Counter>::new();
    assert_eq!(v1.load(&bytes).unwrap_err().code(), code::NEWER_SCHEMA);
}

#[test]
fn v2_to_v2_swap_keeps_clicks() {
    increment(1);
    decrement(4);
    save_state();
    let bytes = __HOTSWAP_STATE.with(StateCell::host_read_saved);
    let next = StateCell::<Counter>::new();
    next.load(&bytes).unwrap();
    next.with(|s| assert_eq!((s.count, s.clicks), (-3, 2)));
}

#[test]
fn decrement_wraps_instead_of_trapping() {
    assert_eq!(decrement(1), -1);
    assert_eq!(decrement(i32::MAX), i32::MIN);
    assert_eq!(decrement(1), i32::MAX);
}
