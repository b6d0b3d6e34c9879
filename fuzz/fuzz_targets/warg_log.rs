//! Fuzzes the Warg log records a registry serves (`/v1/fetch/logs`) and the proofs it answers
//! `/v1/proof/inclusion` with.
//!
//! The input is a list of chunks, each a 2-byte little-endian length and that many bytes:
//! the first byte of a record chunk says how to use it, the rest is the record's protobuf
//! bytes. So that the fuzzer gets past what it cannot forge (hashes, key ids) the control
//! byte can: re-link `prev` to the record before (bit 0); pick which key seen so far in the
//! records signs it (bits 1-3); give it a timestamp if it has none (bit 4); put an `init` by
//! one of two fixed keys (bit 6) first in it (bit 5); add a `release` of a version the
//! record's length picks (bit 7). The
//! chunks are validated as a package log (`package::validate`) and as the operator log
//! (`operator::validate`), each record's bytes also as a checkpoint's signature and a key's
//! text; the last two chunks are also read as a log and a map proof bundle
//! (`proof::check_inclusion`) for the package log's head, and the first of them as a
//! consistency proof (`proof::check_consistency`).
//!
//! Asserted: a valid log has one signature check per record, over the record's prefix and
//! bytes; its head is the last record; no version is released twice; a release's digest is
//! the text the record holds. A proof bundle that does not decode is `Malformed`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message as _;
use wasm_hotswap::digest::Digest;
use wasm_hotswap::registry::warg::chain::Envelope;
use wasm_hotswap::registry::warg::encoding::{package_log_id, package_record_id};
use wasm_hotswap::registry::warg::key::{parse_signature, PublicKey};
use wasm_hotswap::registry::warg::problem::Problem;
use wasm_hotswap::registry::warg::proof::{check_consistency, check_inclusion, Leaf};
use wasm_hotswap::registry::warg::proto::{
    package_entry::Contents, PackageEntry, PackageInit, PackageRecord, PackageRelease, Timestamp,
};
use wasm_hotswap::registry::warg::{operator, package};

const NAME: &str = "example:counter";
/// A valid DER signature's text, so that parsing one is not where every input stops.
/// Keys warg's own tests use.
const KEYS: [&str; 2] = [
    "ecdsa-p256:A1OfZz5Y9Ny7VKPVwroCTQPAr9tmlI4U/UTYHZHA87AF",
    "ecdsa-p256:A5qc6uBi070EBb4GihGzpx6Cm5+oZnv4dWpBhhuZVagu",
];
const SIGNATURE: &str = "ecdsa-p256:MEUCIQDH+TXPu9HFjsDG4YZd2f1O/N+3I0ULxAEtvzeKltBH+gIgLm5E4AUOwVSGUxpfqsP5jiknUqjZH0ff4mnQGxQE6P0=";

fn chunks(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 && out.len() < 64 {
        let len = usize::from(u16::from_le_bytes([data[0], data[1]]));
        let end = (2 + len).min(data.len());
        out.push(&data[2..end]);
        data = &data[end..];
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let chunks = chunks(data);
    let mut keys: Vec<String> = Vec::new();
    let mut envelopes: Vec<Envelope> = Vec::new();
    for chunk in &chunks {
        let Some((&control, bytes)) = chunk.split_first() else {
            continue;
        };
        let mut content = bytes.to_vec();
        if let Ok(mut record) = PackageRecord::decode(bytes) {
            if control & 0x10 != 0 && record.time.is_none() {
                let seconds = envelopes.len() as i64;
                record.time = Some(Timestamp { seconds, nanos: 0 });
            }
            if control & 0x20 != 0 {
                let init = PackageInit {
                    key: KEYS[usize::from(control >> 6 & 1)].into(),
                    hash_algorithm: "sha256".into(),
                };
                let contents = Some(Contents::Init(init));
                record.entries.insert(0, PackageEntry { contents });
            }
            if control & 0x80 != 0 {
                let versions = ["1.0.0", "1.1.0", "2.0.0-rc.1"];
                let release = PackageRelease {
                    version: versions[bytes.len() % versions.len()].into(),
                    content_hash: Digest::of(bytes).to_string(),
                };
                let contents = Some(Contents::Release(release));
                record.entries.push(PackageEntry { contents });
            }
            for entry in &record.entries {
                let key = match &entry.contents {
                    Some(Contents::Init(init)) => &init.key,
                    Some(Contents::GrantFlat(grant)) => &grant.key,
                    _ => continue,
                };
                if let Ok(key) = PublicKey::parse(key, "key") {
                    keys.push(key.id());
                }
            }
            if control & 1 == 1 {
                record.prev = envelopes
                    .last()
                    .map(|e| package_record_id(&e.content).to_string());
            }
            if control & 0xb1 != 0 {
                content = record.encode_to_vec();
            }
        }
        let key_id = match keys.len() {
            0 => String::from("sha256:unknown"),
            n => keys[usize::from(control >> 1 & 7) % n].clone(),
        };
        envelopes.push(Envelope {
            content,
            key_id,
            signature: SIGNATURE.into(),
            registry_index: envelopes.len() as u64 * 2,
        });
    }

    match package::validate(NAME, &envelopes) {
        Ok(log) => {
            assert_eq!(log.checks.len(), envelopes.len());
            for (check, envelope) in log.checks.iter().zip(&envelopes) {
                assert!(check.message.starts_with(package::SIGNATURE_PREFIX));
                assert!(check.message.ends_with(&envelope.content));
            }
            let last = envelopes.last().expect("a valid log has records");
            assert_eq!(log.head.record, package_record_id(&last.content));
            assert_eq!(log.head.registry_index, last.registry_index);
            for (at, release) in log.releases.iter().enumerate() {
                assert!(log.releases[..at]
                    .iter()
                    .all(|r| r.version != release.version));
                let text = release.content.to_string();
                assert!(envelopes
                    .iter()
                    .any(|e| e.content.windows(text.len()).any(|w| w == text.as_bytes())));
            }
        }
        Err(Problem::Malformed(reason) | Problem::Invalid(reason)) => assert!(!reason.is_empty()),
    }
    if let Ok(log) = operator::validate(&envelopes) {
        assert_eq!(log.checks.len(), envelopes.len());
    }

    for chunk in &chunks {
        let text = String::from_utf8_lossy(chunk);
        if let Ok(key) = PublicKey::parse(&text, "key") {
            assert_eq!(key.compressed().len(), 33);
            assert!(key.id().starts_with("sha256:"));
        }
        if let Ok(raw) = parse_signature(&text, "signature") {
            assert_eq!(raw.len(), 64);
        }
    }

    if chunks.len() >= 2 {
        let (log, map) = (chunks[chunks.len() - 2], chunks[chunks.len() - 1]);
        let leaf = Leaf {
            log: package_log_id(NAME),
            record: Digest::of(log),
            registry_index: u64::from(map.first().copied().unwrap_or(0)),
        };
        let root = Digest::of(map);
        let length = u64::from(log.first().copied().unwrap_or(1));
        let _ = check_inclusion(length, &root, &root, &[leaf], log, map);
        let old = u64::from(map.get(1).copied().unwrap_or(0));
        let _ = check_consistency(old, &root, length, &root, log);
    }
});
