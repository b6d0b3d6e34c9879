//! The wasm-bindgen mode's state paths, natively: `bindgen::save`/`bindgen::load` (all of
//! what the exports do, refusals included) and, with the feature, the exports
//! `export_bindgen_state!` generates. A refusal cannot go through the generated `load_state`
//! natively (building a `JsError` needs JS), so refusals are pinned on `bindgen::load`.

use std::cell::Cell;

use hotswap_guest::{bindgen, code, envelope, GuestState, LoadError, StateCell};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct V1 {
    notes: Vec<String>,
}
impl GuestState for V1 {
    const SCHEMA: u32 = 1;
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct V2 {
    notes: Vec<String>,
    #[serde(default)]
    pinned: Vec<bool>,
}
impl GuestState for V2 {
    const SCHEMA: u32 = 2;
}

fn cell_with<S: GuestState>(state: S) -> StateCell<S> {
    let cell = StateCell::new();
    cell.with(|s| *s = state);
    cell
}

fn v1(notes: &[&str]) -> V1 {
    V1 {
        notes: notes.iter().map(|n| n.to_string()).collect(),
    }
}

/// `bindgen::load` that must fail and must not run the hook; returns the refusal.
fn refused<S: GuestState>(cell: &StateCell<S>, bytes: &[u8]) -> LoadError {
    bindgen::load(cell, bytes, |_| panic!("on_restore ran on a refusal")).unwrap_err()
}

#[test]
fn save_writes_the_raw_abi_envelope_with_the_type_schema() {
    let bytes = bindgen::save(&cell_with(v1(&["a"])));
    assert_eq!(bytes, envelope::encode(1, &v1(&["a"])).unwrap());
}

#[test]
fn load_round_trips_and_runs_the_hook_once_on_the_restored_state() {
    let bytes = bindgen::save(&cell_with(v1(&["a", "b"])));
    let next = StateCell::<V1>::new();
    let runs = Cell::new(0);
    bindgen::load(&next, &bytes, |s| {
        assert_eq!(s.notes, ["a", "b"]);
        runs.set(runs.get() + 1);
    })
    .unwrap();
    assert_eq!(runs.get(), 1);
    next.with(|s| assert_eq!(*s, v1(&["a", "b"])));
}

#[test]
fn hook_changes_to_the_state_are_kept() {
    let bytes = bindgen::save(&cell_with(v1(&["a", "b"])));
    let next = StateCell::<V2>::new();
    bindgen::load(&next, &bytes, |s| s.pinned.resize(s.notes.len(), false)).unwrap();
    next.with(|s| assert_eq!(s.pinned, [false, false]));
}

#[test]
fn newer_reads_older_state_with_default_field() {
    let next = StateCell::<V2>::new();
    bindgen::load(&next, &bindgen::save(&cell_with(v1(&["x"]))), |_| {}).unwrap();
    next.with(|s| assert_eq!((s.notes.len(), s.pinned.len()), (1, 0)));
}

#[test]
fn refuses_newer_schema_with_its_message_and_keeps_the_state() {
    let newer = bindgen::save(&cell_with(V2::default()));
    let old = cell_with(v1(&["kept"]));
    let err = refused(&old, &newer);
    assert_eq!(err.code(), code::NEWER_SCHEMA);
    assert_eq!(
        err.to_string(),
        "state has schema 2 (byte 8) but this guest reads schema 1 or older; \
         refusing a downgrade that would drop fields"
    );
    old.with(|s| assert_eq!(*s, v1(&["kept"])));
}

#[test]
fn refuses_bad_envelope_with_its_message() {
    let cell = StateCell::<V1>::new();
    let err = refused(&cell, br#"{"notes":[]}"#);
    assert_eq!(err.code(), code::BAD_ENVELOPE);
    assert!(err.to_string().contains("expected magic `HSWP`"), "{err}");
    let err = refused(&cell, b"HSWP\x01\x00");
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn refuses_bad_payload_with_its_message() {
    let bytes = envelope::encode(1, &serde_json::json!({ "notes": "one" })).unwrap();
    let cell = cell_with(v1(&["kept"]));
    let err = refused(&cell, &bytes);
    assert_eq!(err.code(), code::BAD_PAYLOAD);
    assert!(
        err.to_string().starts_with("state payload (schema 1"),
        "{err}"
    );
    cell.with(|s| assert_eq!(*s, v1(&["kept"])));
}

#[test]
fn load_from_inside_with_is_busy_not_a_panic() {
    let cell = StateCell::<V1>::new();
    let bytes = bindgen::save(&cell);
    let err = cell.with(|_| refused(&cell, &bytes));
    assert_eq!(err.code(), code::BUSY);
}

#[cfg(feature = "wasm-bindgen")]
mod exports {
    use super::*;

    thread_local! {
        static RESTORES: Cell<usize> = const { Cell::new(0) };
    }

    fn count_restore(_: &mut V2) {
        RESTORES.with(|r| r.set(r.get() + 1));
    }

    hotswap_guest::export_bindgen_state!(V2, on_restore = count_restore);

    #[test]
    fn generated_save_state_is_the_envelope_of_the_state() {
        with_state(|s| s.notes.push("a".into()));
        let bytes = save_state();
        assert_eq!(envelope::decode::<V2>(&bytes).unwrap().notes, ["a"]);
    }

    #[test]
    fn generated_load_state_restores_then_runs_the_hook() {
        let old = bindgen::save(&cell_with(v1(&["from v1"])));
        assert_eq!(RESTORES.with(Cell::get), 0);
        load_state(old).unwrap();
        assert_eq!(RESTORES.with(Cell::get), 1);
        with_state(|s| assert_eq!(s.notes, ["from v1"]));
    }

    mod without_hook {
        hotswap_guest::export_bindgen_state!(super::V1);

        #[test]
        fn the_hook_is_optional() {
            load_state(save_state()).unwrap();
        }
    }
}
