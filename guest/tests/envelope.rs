//! The envelope rules, one test per behaviour.

use hotswap_guest::envelope::{self, DecodeError, ENVELOPE_VERSION, HEADER_LEN, MAGIC};
use hotswap_guest::{code, GuestState};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct V1 {
    count: i32,
}
impl GuestState for V1 {
    const SCHEMA: u32 = 1;
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct V2 {
    count: i32,
    #[serde(default)]
    clicks: i32,
}
impl GuestState for V2 {
    const SCHEMA: u32 = 2;
}

/// Schema 3 renamed `count` to `total` and migrates older states by hand.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct V3 {
    total: i64,
}
impl GuestState for V3 {
    const SCHEMA: u32 = 3;
    fn migrate(from_schema: u32, payload: &[u8]) -> Result<Self, serde_json::Error> {
        assert!(from_schema < 3);
        let old: V2 = serde_json::from_slice(payload)?;
        Ok(V3 {
            total: old.count.into(),
        })
    }
}

fn v1_bytes(count: i32) -> Vec<u8> {
    envelope::encode(V1::SCHEMA, &V1 { count }).unwrap()
}

#[test]
fn header_layout_is_magic_version_schema_length() {
    let bytes = v1_bytes(5);
    let payload = br#"{"count":5}"#;
    assert_eq!(&bytes[0..4], b"HSWP");
    assert_eq!(bytes[4..8], 1u32.to_le_bytes());
    assert_eq!(bytes[8..12], 1u32.to_le_bytes());
    assert_eq!(bytes[12..16], (payload.len() as u32).to_le_bytes());
    assert_eq!(&bytes[16..], payload);
}

#[test]
fn round_trips_own_schema() {
    let state = V2 {
        count: -7,
        clicks: 3,
    };
    let bytes = envelope::encode(V2::SCHEMA, &state).unwrap();
    assert_eq!(envelope::decode::<V2>(&bytes).unwrap(), state);
}

/// A state holding floats, such as a guest's running average.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Floats {
    values: Vec<f64>,
}
impl GuestState for Floats {
    const SCHEMA: u32 = 1;
}

/// Found by the `envelope` fuzz target: serde_json's default float parser is not correctly
/// rounded, so `1.8418446744073074e22`, written in its shortest form, read back one bit lower
/// and the state changed across the swap.
#[test]
fn round_trips_every_f64_bit_for_bit() {
    let state = Floats {
        values: vec![
            1.8418446744073074e22,
            0.1 + 0.2,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            -0.0,
            f64::from_bits(0x000f_ffff_ffff_ffff), // the largest subnormal
        ],
    };
    let bytes = envelope::encode(Floats::SCHEMA, &state).unwrap();
    let back = envelope::decode::<Floats>(&bytes).unwrap();
    for (read, wrote) in back.values.iter().zip(&state.values) {
        assert_eq!(
            read.to_bits(),
            wrote.to_bits(),
            "{wrote:e} read back as {read:e}"
        );
    }
}

#[test]
fn v2_reads_v1_state_with_default_field() {
    let state = envelope::decode::<V2>(&v1_bytes(41)).unwrap();
    assert_eq!(
        state,
        V2 {
            count: 41,
            clicks: 0
        }
    );
}

#[test]
fn migration_hook_reads_older_schema() {
    let v2 = envelope::encode(
        2,
        &V2 {
            count: 9,
            clicks: 1,
        },
    )
    .unwrap();
    assert_eq!(envelope::decode::<V3>(&v2).unwrap(), V3 { total: 9 });
}

#[test]
fn refuses_state_from_newer_schema() {
    let v2 = envelope::encode(
        2,
        &V2 {
            count: 1,
            clicks: 1,
        },
    )
    .unwrap();
    let err = envelope::decode::<V1>(&v2).unwrap_err();
    assert!(matches!(
        err,
        DecodeError::NewerSchema {
            found: 2,
            supported: 1
        }
    ));
    assert_eq!(err.code(), code::NEWER_SCHEMA);
}

#[test]
fn refuses_newer_schema_even_if_payload_would_parse() {
    // V2's payload without the new field parses as V1; the schema alone must refuse it.
    let v2 = envelope::encode(2, &V1 { count: 1 }).unwrap();
    assert_eq!(
        envelope::decode::<V1>(&v2).unwrap_err().code(),
        code::NEWER_SCHEMA
    );
}

#[test]
fn refuses_wrong_magic() {
    let mut bytes = v1_bytes(1);
    bytes[0] = b'X';
    let err = envelope::decode::<V1>(&bytes).unwrap_err();
    assert!(matches!(&err, DecodeError::WrongMagic { found } if found == b"XSWP"));
    assert_eq!(err.code(), code::BAD_ENVELOPE);
}

#[test]
fn refuses_bare_json_without_envelope() {
    let err = envelope::decode::<V1>(br#"{"count":1}"#).unwrap_err();
    assert!(matches!(err, DecodeError::WrongMagic { .. }));
}

#[test]
fn refuses_truncated_envelope() {
    let bytes = v1_bytes(12345);
    for cut in 0..bytes.len() {
        let err = envelope::decode::<V1>(&bytes[..cut]).unwrap_err();
        assert!(
            matches!(err, DecodeError::Truncated { found, .. } if found == cut),
            "cut at {cut}: {err}"
        );
        assert_eq!(err.code(), code::BAD_ENVELOPE);
    }
}

#[test]
fn refuses_trailing_bytes() {
    let mut bytes = v1_bytes(1);
    bytes.push(b' ');
    let err = envelope::decode::<V1>(&bytes).unwrap_err();
    assert!(matches!(err, DecodeError::TrailingBytes { extra: 1 }));
    assert_eq!(err.code(), code::BAD_ENVELOPE);
}

#[test]
fn refuses_unknown_envelope_version() {
    let mut bytes = v1_bytes(1);
    bytes[4..8].copy_from_slice(&(ENVELOPE_VERSION + 1).to_le_bytes());
    let err = envelope::decode::<V1>(&bytes).unwrap_err();
    assert!(matches!(
        err,
        DecodeError::UnknownEnvelopeVersion { found: 2 }
    ));
    assert_eq!(err.code(), code::BAD_ENVELOPE);
}

#[test]
fn refuses_payload_that_does_not_deserialize() {
    let bytes = envelope::encode(1, &serde_json::json!({ "count": "many" })).unwrap();
    let err = envelope::decode::<V1>(&bytes).unwrap_err();
    assert!(matches!(err, DecodeError::Payload { schema: 1, .. }));
    assert_eq!(err.code(), code::BAD_PAYLOAD);
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn refuses_payload_that_is_not_json() {
    let mut bytes = MAGIC.to_vec();
    bytes.extend(ENVELOPE_VERSION.to_le_bytes());
    bytes.extend(1u32.to_le_bytes());
    bytes.extend(3u32.to_le_bytes());
    bytes.extend(b"\xff\x00{");
    assert_eq!(bytes.len(), HEADER_LEN + 3);
    assert_eq!(
        envelope::decode::<V1>(&bytes).unwrap_err().code(),
        code::BAD_PAYLOAD
    );
}

#[test]
fn encode_failure_is_an_error_not_a_panic() {
    let mut map = std::collections::HashMap::new();
    map.insert((1, 2), 3); // JSON object keys must be strings
    let mut out = b"prefix".to_vec();
    assert!(envelope::encode_into(&mut out, 1, &map).is_err());
    assert_eq!(out, b"prefix");
}

#[test]
fn error_messages_name_the_offending_item() {
    let mut bytes = v1_bytes(1);
    bytes[4] = 9;
    let msg = envelope::decode::<V1>(&bytes).unwrap_err().to_string();
    assert!(msg.contains("envelope version 9 at byte 4"), "{msg}");
    let v2 = envelope::encode(2, &V2::default()).unwrap();
    let msg = envelope::decode::<V1>(&v2).unwrap_err().to_string();
    assert!(
        msg.contains("schema 2") && msg.contains("schema 1"),
        "{msg}"
    );
}
