use super::*;
use crate::registry::index::{Core, Glue};

/// A P-256 key made with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`.
const OPENSSL_PUB: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEk2Hr4Zd5uwXSgN8mAlfuSbkaB0oJ
AqCir6u8Fk0mQie6DMm/a2kJw3PMHwz/8g+oLRViasQYWPamJx7uCet7Gw==
-----END PUBLIC KEY-----
";
/// `openssl dgst -sha256 -sign` of `hello` with that key, base64.
#[cfg(not(target_arch = "wasm32"))]
const OPENSSL_SIG_OF_HELLO: &str = "MEQCIATnQ9KzP3CAWjTdxgkxG+CulfvP07RhDqgCAFZZqTwSAiAJRa/FJYj/8Vw02FD8kTnf3K94+avuF71T3jqKOpmE7g==";
/// The same key with its point compressed (`openssl ec -pubout -conv_form compressed`).
const COMPRESSED_PUB: &str = "-----BEGIN PUBLIC KEY-----
MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADk2Hr4Zd5uwXSgN8mAlfuSbkaB0oJ
AqCir6u8Fk0mQic=
-----END PUBLIC KEY-----
";
const P384_PUB: &str = "-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEDq+PyjwJJTEoV8zB8TI2LdaRc6Aqpvfp
IzVWapELYm1OFX8vjb+adtSYxIoYw1vqfQf2cp3HxM3U0HefFBI4v3xAClS5JYaE
qomZ3GUko6k7Zfi3C5mC7xWD6fKD8dEg
-----END PUBLIC KEY-----
";
const ED25519_PUB: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAvYIp+SuIklex7KYSdInIvOF1n+c8mj5+MZ8t7u8bVeU=
-----END PUBLIC KEY-----
";

const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const D3: &str = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

fn entry(version: &str) -> Entry {
    Entry {
        version: version.parse().unwrap(),
        digest: D1.into(),
        size: 10,
        glue: None,
        cores: Vec::new(),
        yanked: false,
        published: String::new(),
    }
}

#[test]
fn static_payload_names_package_version_and_every_digest_in_a_fixed_order() {
    let module = entry("1.2.0");
    let bindgen = Entry {
        glue: Some(Glue {
            digest: D2.into(),
            size: 5,
            kind: GlueKind::WasmBindgen,
        }),
        ..entry("1.2.0")
    };
    let component = Entry {
        glue: Some(Glue {
            digest: D2.into(),
            size: 5,
            kind: GlueKind::Jco,
        }),
        cores: vec![
            Core {
                name: "c.core.wasm".into(),
                digest: D3.into(),
                size: 1,
            },
            Core {
                name: "c.core2.wasm".into(),
                digest: D1.into(),
                size: 1,
            },
        ],
        ..entry("2.0.0-rc.1+build.5")
    };
    let table = [
        (
            "counter",
            &module,
            format!(
                r#"{{"type":"wasm-hotswap signature v1","name":"counter","version":"1.2.0","digest":"{D1}","glue":null,"cores":[]}}"#
            ),
        ),
        (
            "acme/notes",
            &bindgen,
            format!(
                r#"{{"type":"wasm-hotswap signature v1","name":"acme/notes","version":"1.2.0","digest":"{D1}","glue":{{"digest":"{D2}","kind":"wasm-bindgen"}},"cores":[]}}"#
            ),
        ),
        (
            "c",
            &component,
            format!(
                r#"{{"type":"wasm-hotswap signature v1","name":"c","version":"2.0.0-rc.1+build.5","digest":"{D1}","glue":{{"digest":"{D2}","kind":"jco"}},"cores":[{{"name":"c.core.wasm","digest":"{D3}"}},{{"name":"c.core2.wasm","digest":"{D1}"}}]}}"#
            ),
        ),
    ];
    for (name, entry, expected) in table {
        let payload = static_payload(name, entry);
        assert_eq!(payload, expected);
        // It is JSON, and what JSON.stringify writes reads back the same.
        let value: serde_json::Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(value["name"], name);
    }
}

#[test]
fn static_payload_differs_for_another_version_glue_or_core() {
    let base = static_payload("counter", &entry("1.0.0"));
    assert_ne!(base, static_payload("counter", &entry("1.0.1")));
    assert_ne!(base, static_payload("counter2", &entry("1.0.0")));
    let mut other = entry("1.0.0");
    other.glue = Some(Glue {
        digest: D2.into(),
        size: 1,
        kind: GlueKind::AssemblyScript,
    });
    assert_ne!(base, static_payload("counter", &other));
}

#[test]
fn json_strings_are_escaped_as_json_stringify_escapes_them() {
    let mut out = String::new();
    push_json_string(&mut out, "a\"b\\c\nd\u{1}é");
    assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
    let back: String = serde_json::from_str(&out).unwrap();
    assert_eq!(back, "a\"b\\c\nd\u{1}é");
}

#[test]
fn signature_paths_sit_next_to_the_index() {
    let name: PackageName = "acme/counter".parse().unwrap();
    let version = "1.2.0".parse().unwrap();
    assert_eq!(
        signature_path(&name, &version),
        "packages/acme/counter/1.2.0.sig"
    );
    assert_eq!(
        payload_path(&name, &version),
        "packages/acme/counter/1.2.0.payload.json"
    );
}

#[test]
fn cosign_tag_and_payload_are_cosigns_byte_for_byte() {
    let digest: Digest = D1.parse().unwrap();
    assert_eq!(
        signature_tag(&digest),
        "sha256-1111111111111111111111111111111111111111111111111111111111111111.sig"
    );
    assert_eq!(
        simple_signing_payload("127.0.0.1:5000/acme/counter", &digest),
        format!(
            r#"{{"critical":{{"identity":{{"docker-reference":"127.0.0.1:5000/acme/counter"}},"image":{{"docker-manifest-digest":"{D1}"}},"type":"cosign container image signature"}},"optional":null}}"#
        )
    );
}

#[test]
fn simple_signing_check_requires_the_type_the_manifest_and_the_repository() {
    let digest: Digest = D1.parse().unwrap();
    let read = |text: &str| serde_json::from_str::<SimpleSigning>(text).unwrap();
    let ok = read(&simple_signing_payload(
        "registry.example:5000/acme/counter",
        &digest,
    ));
    assert_eq!(ok.check(&digest, "acme/counter"), Ok(()));
    // A reference without a host, or with a tag, names the same repository.
    assert_eq!(
        read(&simple_signing_payload("acme/counter", &digest)).check(&digest, "acme/counter"),
        Ok(())
    );
    assert_eq!(
        read(&simple_signing_payload("h:1/acme/counter:1.0.0", &digest))
            .check(&digest, "acme/counter"),
        Ok(())
    );
    let other: Digest = D2.parse().unwrap();
    let err = ok.check(&other, "acme/counter").unwrap_err();
    assert!(err.contains(D1) && err.contains(D2), "{err}");
    let err = ok.check(&digest, "counter").unwrap_err();
    assert!(err.contains("repository"), "{err}");
    // `xacme/counter` does not end in `/acme/counter`.
    let near = read(&simple_signing_payload("h/xacme/counter", &digest));
    assert!(near.check(&digest, "acme/counter").is_err());
    let mut typed = ok.clone();
    typed.critical.kind = "atomic container signature".into();
    assert!(typed
        .check(&digest, "acme/counter")
        .unwrap_err()
        .contains("critical.type"));
}

#[test]
fn trust_reads_p256_spki_pems_and_names_the_key_it_refuses() {
    let trust = Trust::from_pems(&[OPENSSL_PUB]).unwrap();
    assert_eq!(trust.keys.len(), 1);
    assert_eq!(base64_decode(&trust.keys[0]).unwrap().len(), 91);
    let table: [(&[&str], &str); 6] = [
        (&[], "`keys` is empty"),
        (
            &[OPENSSL_PUB, "hello"],
            "`keys[1]`: expected a PEM `PUBLIC KEY` block, found no PEM block",
        ),
        (
            &[P384_PUB],
            "`keys[0]`: an elliptic-curve key of another curve than P-256",
        ),
        (
            &[ED25519_PUB],
            "`keys[0]`: not an elliptic-curve public key",
        ),
        (
            &[COMPRESSED_PUB],
            "`keys[0]`: a P-256 key whose point is not in uncompressed form",
        ),
        (
            &["-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"],
            "found a `PRIVATE KEY` block",
        ),
    ];
    for (pems, expected) in table {
        let err = Trust::from_pems(pems).unwrap_err();
        assert_eq!(err.code(), "INVALID_OPTIONS");
        assert!(err.to_string().contains("policy.trust"), "{err}");
        assert!(err.to_string().contains(expected), "{expected:?} in {err}");
    }
}

#[test]
fn pem_round_trips_and_refuses_a_block_without_its_end_or_with_bad_base64() {
    let der = pem_decode(OPENSSL_PUB, "PUBLIC KEY").unwrap();
    assert_eq!(pem_encode(&der, "PUBLIC KEY"), OPENSSL_PUB);
    assert!(pem_decode("-----BEGIN PUBLIC KEY-----\nMFkw", "PUBLIC KEY")
        .unwrap_err()
        .contains("no `-----END PUBLIC KEY-----` line"));
    assert!(pem_decode(
        "-----BEGIN PUBLIC KEY-----\nM!kw\n-----END PUBLIC KEY-----",
        "PUBLIC KEY"
    )
    .unwrap_err()
    .contains("not base64"));
    // Another block before the key (`openssl ecparam -genkey` writes EC PARAMETERS first).
    let two = format!("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{OPENSSL_PUB}");
    assert_eq!(pem_decode(&two, "PUBLIC KEY").unwrap(), der);
}

#[test]
fn base64_round_trips_every_length_and_refuses_other_characters() {
    for len in 0..70usize {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
        let text = base64_encode(&bytes);
        assert_eq!(text.len() % 4, 0);
        assert_eq!(base64_decode(&text), Some(bytes.clone()), "length {len}");
        assert_eq!(
            base64_decode(text.trim_end_matches('=')),
            Some(bytes),
            "unpadded {len}"
        );
    }
    assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
    assert_eq!(base64_decode(" aGVsbG8=\n"), Some(b"hello".to_vec()));
    for bad in ["aGVs bG8=", "aGVsbG8*", "a", "aGVsbG9=", "aGVsbG8=x"] {
        assert_eq!(base64_decode(bad), None, "{bad:?}");
    }
}

#[test]
fn der_signatures_become_r_and_s_of_32_bytes_each() {
    let mut one_two = [0u8; 64];
    one_two[31] = 1;
    one_two[63] = 2;
    assert_eq!(der_to_p1363(&[0x30, 6, 2, 1, 1, 2, 1, 2]), Ok(one_two));
    // A high bit set needs the sign byte: 33 bytes in DER, 32 in P1363.
    let mut high = vec![0x30, 0x44, 0x02, 0x21, 0x00];
    high.extend([0x80; 32]);
    high.extend([0x02, 0x1f]);
    high.extend([0x7f; 31]);
    let rs = der_to_p1363(&high).unwrap();
    assert_eq!(&rs[..32], &[0x80; 32]);
    assert_eq!(rs[32], 0);
    assert_eq!(&rs[33..], &[0x7f; 31]);
    assert_eq!(p1363_to_der(&rs), high);
    let refused: [(&[u8], &str); 8] = [
        (&[0x31, 6, 2, 1, 1, 2, 1, 2], "no SEQUENCE"),
        (&[0x30, 7, 2, 1, 1, 2, 1, 2], "SEQUENCE length"),
        (&[0x30, 7, 2, 1, 1, 2, 1, 2, 0], "bytes after `s`"),
        (&[0x30, 6, 2, 1, 0x81, 2, 1, 2], "negative"),
        (&[0x30, 7, 2, 2, 0, 1, 2, 1, 2], "not minimally encoded"),
        (&[0x30, 6, 2, 1, 0, 2, 1, 2], "zero"),
        (&[0x30, 3, 2, 1, 1], "lacks an INTEGER"),
        (&[0x30, 4, 2, 5, 1, 1], "wrong length"),
    ];
    for (der, expected) in refused {
        let err = der_to_p1363(der).unwrap_err();
        assert!(err.contains(expected), "{der:?}: {expected:?} in {err}");
    }
    let mut long = vec![0x30, 0x46, 0x02, 0x22, 0x00];
    long.extend([0x80; 33]);
    long.extend([0x02, 0x20]);
    long.extend([0x01; 32]);
    assert!(der_to_p1363(&long).is_err());
}

// p256 is a native dev-dependency only.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn an_openssl_signature_verifies_in_p1363_form_and_a_changed_byte_does_not() {
    use p256::ecdsa::signature::Verifier;
    use p256::pkcs8::DecodePublicKey;
    let der = base64_decode(OPENSSL_SIG_OF_HELLO).unwrap();
    let rs = der_to_p1363(&der).unwrap();
    assert_eq!(p1363_to_der(&rs), der);
    let key = p256::ecdsa::VerifyingKey::from_public_key_der(
        &pem_decode(OPENSSL_PUB, "PUBLIC KEY").unwrap(),
    )
    .unwrap();
    let signature = p256::ecdsa::Signature::from_slice(&rs).unwrap();
    assert!(key.verify(b"hello", &signature).is_ok());
    assert!(key.verify(b"hellp", &signature).is_err());
}

// p256 is a native dev-dependency only.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn signatures_made_natively_convert_both_ways() {
    use p256::ecdsa::signature::Signer;
    for seed in 1u8..20 {
        let key = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap();
        let signature: p256::ecdsa::Signature = key.sign(&[seed; 7]);
        let der = signature.to_der();
        let rs = der_to_p1363(der.as_bytes()).unwrap();
        assert_eq!(rs[..], signature.to_bytes()[..]);
        assert_eq!(p1363_to_der(&rs), der.as_bytes());
    }
}

#[test]
fn signature_errors_have_their_codes() {
    assert_eq!(
        missing("counter@1.0.0", "no file").code(),
        "SIGNATURE_MISSING"
    );
    let err = invalid("counter@1.0.0", "it does not verify");
    assert_eq!(err.code(), "SIGNATURE_INVALID");
    assert_eq!(
        err.to_string(),
        "signature invalid for counter@1.0.0: it does not verify"
    );
}
