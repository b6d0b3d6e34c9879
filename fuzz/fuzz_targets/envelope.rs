//! Fuzzes the guest SDK's state envelope: the bytes `load_state` is handed, which the previous
//! version (or a snapshot kept in IndexedDB) wrote.
//!
//! `open` frames exactly the bytes present; `decode` into a schema-2 state either refuses with
//! a code or gives a state that `encode` writes back and `decode` reads back equal.
#![no_main]

use hotswap_guest::envelope::{decode, encode, open, DecodeError, HEADER_LEN};
use hotswap_guest::GuestState;
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct State {
    count: i64,
    #[serde(default)]
    notes: Vec<String>,
    #[serde(default)]
    extra: Option<serde_json::Value>,
}

impl GuestState for State {
    const SCHEMA: u32 = 2;
}

fuzz_target!(|data: &[u8]| {
    match open(data) {
        Ok(envelope) => {
            assert_eq!(HEADER_LEN + envelope.payload.len(), data.len());
            assert_eq!(envelope.schema.to_le_bytes(), data[8..12]);
        }
        Err(err) => {
            assert_eq!(err.code(), 1, "{err}");
            let _ = err.to_string();
        }
    }
    match decode::<State>(data) {
        Ok(state) => {
            let bytes = encode(State::SCHEMA, &state).unwrap();
            assert_eq!(decode::<State>(&bytes).unwrap(), state);
        }
        Err(err) => {
            assert!((1..=3).contains(&err.code()), "{err}");
            if let DecodeError::NewerSchema { found, supported } = err {
                assert!(found > supported);
            }
        }
    }
});
