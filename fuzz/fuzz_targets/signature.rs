//! Fuzzes the signature core: the readers of what a registry or a page hands it (base64, DER
//! ECDSA signatures, PEM keys, `policy.trust` keys, cosign's simple-signing payload) and the
//! static payload a static registry's signature signs.
//!
//! The first byte picks the reader, the rest is its input:
//! - 0: base64 — what decodes re-encodes and decodes to the same bytes; any bytes round-trip;
//! - 1: a DER signature — an accepted one is canonical: `p1363_to_der` gives back exactly the
//!   input, and the P1363 form converts back to itself;
//! - 2: PEM text — an accepted block re-encodes and decodes to the same DER; `spki_p256` and
//!   `Trust::from_pems` never panic, and an accepted key is 91 bytes of SPKI;
//! - 3: a simple-signing payload (JSON) — one that parses is checked against its own digest;
//!   a payload written for the repository on its first line reads back and passes its check;
//! - 4: an index entry (JSON) — its static payload is JSON naming exactly the entry's name,
//!   version and digests, and differs from the payload of any other version.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_hotswap::digest::Digest;
use wasm_hotswap::registry::index::Entry;
use wasm_hotswap::signature::{
    base64_decode, base64_encode, der_to_p1363, p1363_to_der, pem_decode, pem_encode,
    simple_signing_payload, spki_p256, static_payload, SimpleSigning, Trust,
};

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    match which % 5 {
        0 => {
            assert_eq!(base64_decode(&base64_encode(rest)).as_deref(), Some(rest));
            if let Ok(text) = std::str::from_utf8(rest) {
                if let Some(bytes) = base64_decode(text) {
                    assert_eq!(base64_decode(&base64_encode(&bytes)), Some(bytes));
                }
            }
        }
        1 => {
            if let Ok(rs) = der_to_p1363(rest) {
                assert_eq!(p1363_to_der(&rs), rest);
                assert_eq!(der_to_p1363(&p1363_to_der(&rs)), Ok(rs));
            }
            if let Ok(rs) = <[u8; 64]>::try_from(rest) {
                let nonzero = |h: &[u8]| h.iter().any(|b| *b != 0);
                if nonzero(&rs[..32]) && nonzero(&rs[32..]) {
                    assert_eq!(der_to_p1363(&p1363_to_der(&rs)), Ok(rs));
                }
            }
        }
        2 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            if let Ok(der) = pem_decode(text, "PUBLIC KEY") {
                let _ = spki_p256(&der);
                assert_eq!(pem_decode(&pem_encode(&der, "PUBLIC KEY"), "PUBLIC KEY"), Ok(der));
            }
            match Trust::from_pems(&[text]) {
                Ok(trust) => {
                    let der = base64_decode(&trust.keys[0]).expect("base64");
                    assert_eq!(der.len(), 91);
                    assert!(spki_p256(&der).is_ok());
                }
                Err(err) => assert_eq!(err.code(), "INVALID_OPTIONS"),
            }
        }
        3 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            if let Ok(payload) = serde_json::from_str::<SimpleSigning>(text) {
                if let Ok(digest) = payload.critical.image.docker_manifest_digest.parse::<Digest>() {
                    let _ = payload.check(&digest, "acme/counter");
                }
            }
            let repository = text.lines().next().unwrap_or_default();
            if wasm_hotswap::registry::oci::check_repository(repository, "name").is_ok() {
                let digest = Digest::of(rest);
                let written = simple_signing_payload(&format!("registry.example:5000/{repository}"), &digest);
                let read: SimpleSigning = serde_json::from_str(&written).expect("JSON");
                assert_eq!(read.check(&digest, repository), Ok(()));
                assert!(read.check(&Digest::of(written.as_bytes()), repository).is_err());
            }
        }
        _ => {
            let Ok(entry) = serde_json::from_slice::<Entry>(rest) else {
                return;
            };
            let name = entry.cores.first().map_or("counter", |c| c.name.as_str());
            let payload = static_payload(name, &entry);
            let value: serde_json::Value = serde_json::from_str(&payload).expect("JSON");
            assert_eq!(value["name"], name);
            assert_eq!(value["version"], entry.version.to_string());
            assert_eq!(value["digest"], entry.digest);
            match &entry.glue {
                Some(glue) => assert_eq!(value["glue"]["digest"], glue.digest),
                None => assert!(value["glue"].is_null()),
            }
            let cores = value["cores"].as_array().expect("cores");
            assert_eq!(cores.len(), entry.cores.len());
            for (core, read) in entry.cores.iter().zip(cores) {
                assert_eq!(read["name"], core.name);
                assert_eq!(read["digest"], core.digest);
            }
            let mut next = entry.clone();
            next.version.patch = next.version.patch.wrapping_add(1);
            if next.version != entry.version {
                assert_ne!(static_payload(name, &next), payload);
            }
        }
    }
});
