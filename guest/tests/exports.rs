//! The exports `export_state!` generates, called natively as the host would call them.
//! Each test runs on its own thread and so sees a fresh thread-local state.

use hotswap_guest::{code, envelope, GuestState, StateCell};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Counter {
    count: i32,
}
impl GuestState for Counter {
    const SCHEMA: u32 = 1;
}

hotswap_guest::export_state!(Counter);

fn host_read_saved() -> Vec<u8> {
    __HOTSWAP_STATE.with(StateCell::host_read_saved)
}

fn host_write_allocated(bytes: &[u8]) -> bool {
    __HOTSWAP_STATE.with(|cell| cell.host_write_allocated(bytes))
}

/// alloc_state + write + load_state, as the host does; returns load_state's code.
fn host_load(bytes: &[u8]) -> i32 {
    let len = i32::try_from(bytes.len()).unwrap();
    let ptr = alloc_state(len);
    assert_ne!(ptr, 0);
    assert!(host_write_allocated(bytes));
    load_state(ptr, len)
}

#[test]
fn state_starts_as_default() {
    with_state(|s| assert_eq!(*s, Counter::default()));
}

#[test]
fn save_then_load_round_trips_through_the_exports() {
    with_state(|s| s.count = 42);
    assert_ne!(save_state(), 0);
    let bytes = host_read_saved();
    with_state(|s| s.count = 0);
    assert_eq!(host_load(&bytes), code::OK);
    with_state(|s| assert_eq!(s.count, 42));
}

#[test]
fn save_state_publishes_an_envelope_of_the_current_state() {
    with_state(|s| s.count = 3);
    save_state();
    let bytes = host_read_saved();
    assert_eq!(envelope::decode::<Counter>(&bytes).unwrap().count, 3);
}

#[test]
fn load_state_without_alloc_is_refused() {
    assert_eq!(load_state(8, 16), code::NOT_ALLOCATED);
}

#[test]
fn load_state_with_other_pointer_or_length_is_refused() {
    let ptr = alloc_state(32);
    assert_eq!(load_state(ptr, 31), code::NOT_ALLOCATED);
    // The refused call freed the buffer: the right arguments are now refused too.
    assert_eq!(load_state(ptr, 32), code::NOT_ALLOCATED);
    let ptr = alloc_state(32);
    assert_eq!(load_state(ptr.wrapping_add(1), 32), code::NOT_ALLOCATED);
}

#[test]
fn alloc_state_refuses_negative_length() {
    assert_eq!(alloc_state(-1), 0);
}

#[test]
fn alloc_state_of_zero_bytes_then_load_is_a_bad_envelope() {
    let ptr = alloc_state(0);
    assert_ne!(ptr, 0);
    assert_eq!(load_state(ptr, 0), code::BAD_ENVELOPE);
}

#[test]
fn refused_load_keeps_the_old_state() {
    with_state(|s| s.count = 9);
    let newer = envelope::encode(2, &Counter { count: 1 }).unwrap();
    assert_eq!(host_load(&newer), code::NEWER_SCHEMA);
    let garbage = envelope::encode(1, &"not a counter").unwrap();
    assert_eq!(host_load(&garbage), code::BAD_PAYLOAD);
    assert_eq!(host_load(b"HSWP\x01"), code::BAD_ENVELOPE);
    with_state(|s| assert_eq!(s.count, 9));
}

#[test]
fn load_state_called_inside_with_state_is_busy_not_a_panic() {
    let bytes = envelope::encode(1, &Counter { count: 5 }).unwrap();
    let len = bytes.len() as i32;
    let ptr = alloc_state(len);
    assert!(host_write_allocated(&bytes));
    let code = with_state(|_| load_state(ptr, len));
    assert_eq!(code, code::BUSY);
}

#[test]
fn error_codes_are_distinct_and_stable() {
    assert_eq!(
        [
            code::OK,
            code::BAD_ENVELOPE,
            code::NEWER_SCHEMA,
            code::BAD_PAYLOAD,
            code::NOT_ALLOCATED,
            code::BUSY
        ],
        [0, 1, 2, 3, 4, 5]
    );
}
