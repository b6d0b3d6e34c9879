//! The byte strings Warg hashes and signs, built exactly as `warg-crypto` and
//! `warg-protocol` build them:
//!
//! - prefix encoding (`warg_crypto::prefix`): a string is its LEB128 byte length then its
//!   UTF-8; an unsigned number is its LEB128; a *raw* string is its bytes alone;
//! - a record's id: `sha256("WARG-PACKAGE-LOG-RECORD-V0:" ‖ content)` (the operator log's:
//!   `WARG-OPERATOR-LOG-RECORD-V0:`), over the envelope's content bytes as served, never
//!   re-encoded;
//! - a package log's id: `sha256("WARG-PACKAGE-LOG-ID-V0:" ‖ "WARG-PACKAGE-ID-V0" ‖ str(name))`;
//!   the operator log's: `sha256("WARG-OPERATOR-LOG-ID-V0")`;
//! - a key's id: `sha256` of its text form `ecdsa-p256:<base64 of the compressed SEC1 point>`,
//!   written as the hash's text (`sha256:<hex>`);
//! - a leaf of the registry's log: `sha256(0x00 ‖ "WARG-LOG-LEAF-V0" ‖ str(log id) ‖
//!   str(record id))`, ids in their text form; a branch: `sha256(0x01 ‖ left ‖ right)`;
//! - a leaf of the map from log ids to heads: `sha256(0x00 ‖ "WARG-MAP-LEAF-V0" ‖
//!   str(record id))`, at the path `sha256(log id's 32 bytes)`, most significant bit first.

use sha2::{Digest as _, Sha256};

use crate::digest::Digest;

/// The LEB128 encoding of `value`, appended to `out`.
pub fn push_unsigned(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A prefix-encoded string: its LEB128 length, then its bytes.
pub fn push_str(out: &mut Vec<u8>, text: &str) {
    push_unsigned(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

/// SHA-256 of the concatenation of `parts`.
pub fn sha256(parts: &[&[u8]]) -> Digest {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    Digest::from_bytes(hasher.finalize().into())
}

/// The id of a package record whose envelope holds `content`.
pub fn package_record_id(content: &[u8]) -> Digest {
    sha256(&[b"WARG-PACKAGE-LOG-RECORD-V0:", content])
}

/// The id of an operator record whose envelope holds `content`.
pub fn operator_record_id(content: &[u8]) -> Digest {
    sha256(&[b"WARG-OPERATOR-LOG-RECORD-V0:", content])
}

/// The log id of the package `name` (`namespace:name`).
///
/// - `example:counter` => the id `warg_protocol::registry::LogId::package_log` gives
pub fn package_log_id(name: &str) -> Digest {
    let mut id = b"WARG-PACKAGE-ID-V0".to_vec();
    push_str(&mut id, name);
    sha256(&[b"WARG-PACKAGE-LOG-ID-V0:", &id])
}

/// The log id of the operator log.
pub fn operator_log_id() -> Digest {
    sha256(&[b"WARG-OPERATOR-LOG-ID-V0"])
}

/// The hash of the registry log's leaf saying that `record` is the head of `log`.
pub fn log_leaf_hash(log: &Digest, record: &Digest) -> Digest {
    let mut leaf = vec![0u8];
    leaf.extend_from_slice(b"WARG-LOG-LEAF-V0");
    push_str(&mut leaf, &log.to_string());
    push_str(&mut leaf, &record.to_string());
    sha256(&[&leaf])
}

/// The hash of the map's leaf holding `record`.
pub fn map_leaf_hash(record: &Digest) -> Digest {
    let mut leaf = vec![0u8];
    leaf.extend_from_slice(b"WARG-MAP-LEAF-V0");
    push_str(&mut leaf, &record.to_string());
    sha256(&[&leaf])
}

/// The hash of a branch over `left` and `right`, in the log and in the map.
pub fn branch_hash(left: &Digest, right: &Digest) -> Digest {
    sha256(&[&[1u8], left.as_bytes(), right.as_bytes()])
}
