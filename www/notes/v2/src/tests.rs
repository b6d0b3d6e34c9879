//! The v1 -> v2 swap, simulated natively through the SDK. Each test runs on its own thread,
//! so each sees a fresh thread-local state.

use hotswap_guest::{bindgen, code, StateCell};

use super::*;

/// The real v1 state type, compiled into this test.
#[path = "../../v1/src/state.rs"]
mod v1_state;

fn v1_state_bytes(notes: &[&str]) -> Vec<u8> {
    let v1 = StateCell::<v1_state::Notes>::new();
    v1.with(|s| s.notes = notes.iter().map(|n| n.to_string()).collect());
    bindgen::save(&v1)
}

#[test]
fn swap_from_v1_carries_the_notes_none_pinned() {
    load_state(v1_state_bytes(&["milk", "eggs"])).unwrap();
    assert_eq!(list(), ["milk", "eggs"]);
    assert_eq!((is_pinned(0), is_pinned(1)), (false, false));
    // The restore hook padded `pinned`, so pinning a carried note works.
    assert!(pin(1, true));
    assert!(is_pinned(1));
}

#[test]
fn remove_keeps_pins_with_their_notes() {
    add("a");
    add("b");
    pin(1, true);
    assert_eq!(remove(0).as_deref(), Some("a"));
    assert!(is_pinned(0));
    assert_eq!(remove(3), None);
}

#[test]
fn pin_out_of_range_is_false() {
    assert!(!pin(0, true));
    assert!(!is_pinned(0));
}

#[test]
fn clear_removes_every_note_and_pin() {
    add("a");
    pin(0, true);
    clear();
    assert_eq!((count(), is_pinned(0)), (0, false));
}

#[test]
fn v1_refuses_v2_state_with_the_newer_schema_message() {
    add("x");
    let v1 = StateCell::<v1_state::Notes>::new();
    let err = bindgen::load(&v1, &save_state(), |_| {}).unwrap_err();
    assert_eq!(err.code(), code::NEWER_SCHEMA);
    assert!(err.to_string().contains("schema 2"), "{err}");
}

#[test]
fn v2_to_v2_swap_keeps_pins() {
    add("a");
    add("b");
    pin(0, true);
    let next = StateCell::<Notes>::new();
    bindgen::load(&next, &save_state(), Notes::restored).unwrap();
    next.with(|s| assert_eq!(s.pinned, [true, false]));
}
