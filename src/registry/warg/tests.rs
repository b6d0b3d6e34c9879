//! The validators against records, checkpoints, logs and maps made at test time by the Warg
//! project's own crates (`warg-protocol`, `warg-crypto`, `warg-transparency`), and the
//! signatures checked with RustCrypto's `p256`, the crate warg signs with.

use std::time::{Duration, SystemTime};

use p256::ecdsa::signature::Verifier as _;
use warg_crypto::hash::{HashAlgorithm, Sha256};
use warg_crypto::signing::{generate_p256_pair, PrivateKey, PublicKey};
use warg_crypto::Encode as _;
use warg_protocol::package::{PackageEntry, PackageRecord, Permission};
use warg_protocol::registry::{
    Checkpoint as WargCheckpoint, LogId, LogLeaf, MapLeaf, PackageName, RecordId,
    TimestampedCheckpoint,
};
use warg_protocol::{operator, ProtoEnvelope, SerdeEnvelope, Version};
use warg_transparency::log::{LogBuilder as _, LogData as _, LogProofBundle, VecLog};
use warg_transparency::map::{Map, MapProofBundle};

use super::chain::Envelope;
use super::checkpoint::Checkpoint;
use super::key::SignatureCheck;
use super::problem::Problem;
use super::proof::{check_consistency, check_inclusion, Leaf};
use super::{encoding, operator as op, package, validate};
use crate::digest::Digest;
use crate::registry::index::Wanted;

const NAME: &str = "example:counter";

fn verifies(check: &SignatureCheck) -> bool {
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&check.key.sec1).unwrap();
    let signature = p256::ecdsa::Signature::from_slice(&check.signature).unwrap();
    key.verify(&check.message, &signature).is_ok()
}

fn envelope<T>(envelope: &ProtoEnvelope<T>, registry_index: u64) -> Envelope {
    Envelope {
        content: envelope.content_bytes().to_vec(),
        key_id: envelope.key_id().to_string(),
        signature: envelope.signature().to_string(),
        registry_index,
    }
}

/// A package log being written: each record chained to the one before, a second later.
struct Writer {
    time: SystemTime,
    prev: Option<RecordId>,
    records: Vec<Envelope>,
}

impl Writer {
    fn new() -> Self {
        Writer {
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            prev: None,
            records: Vec::new(),
        }
    }

    fn record(
        &mut self,
        key: &PrivateKey,
        entries: Vec<PackageEntry>,
    ) -> ProtoEnvelope<PackageRecord> {
        self.time += Duration::from_secs(1);
        let record = PackageRecord {
            prev: self.prev.clone(),
            version: 0,
            timestamp: self.time,
            entries,
        };
        ProtoEnvelope::signed_contents(key, record).unwrap()
    }

    fn push(&mut self, key: &PrivateKey, entries: Vec<PackageEntry>) {
        let signed = self.record(key, entries);
        self.prev = Some(RecordId::package_record::<Sha256>(&signed));
        let index = 10 + 2 * self.records.len() as u64;
        self.records.push(envelope(&signed, index));
    }
}

fn init(key: &PublicKey) -> PackageEntry {
    PackageEntry::Init {
        hash_algorithm: HashAlgorithm::Sha256,
        key: key.clone(),
    }
}

fn release(version: &str, content: &[u8]) -> PackageEntry {
    PackageEntry::Release {
        version: version.parse().unwrap(),
        content: HashAlgorithm::Sha256.digest(content),
    }
}

fn invalid(result: Result<package::PackageLog, Problem>) -> String {
    match result {
        Err(Problem::Invalid(reason)) => reason,
        other => panic!("expected an invalid log, got {other:?}"),
    }
}

#[test]
fn ids_are_the_ones_warg_computes() {
    let name = PackageName::new(NAME).unwrap();
    let log: warg_crypto::hash::AnyHash = LogId::package_log::<Sha256>(&name).into();
    assert_eq!(encoding::package_log_id(NAME).to_string(), log.to_string());
    let log: warg_crypto::hash::AnyHash = LogId::operator_log::<Sha256>().into();
    assert_eq!(encoding::operator_log_id().to_string(), log.to_string());
    let (public, _) = generate_p256_pair();
    let parsed = super::key::PublicKey::parse(&public.to_string(), "key").unwrap();
    assert_eq!(parsed.id(), public.fingerprint().to_string());
}

#[test]
fn a_log_warg_signed_validates_with_its_releases_yanks_and_signatures() {
    let (alice, alice_key) = generate_p256_pair();
    let (bob, bob_key) = generate_p256_pair();
    let mut log = Writer::new();
    log.push(
        &alice_key,
        vec![
            init(&alice),
            PackageEntry::GrantFlat {
                key: bob.clone(),
                permissions: vec![Permission::Release],
            },
        ],
    );
    log.push(&bob_key, vec![release("1.0.0", b"one")]);
    log.push(&bob_key, vec![release("1.1.0", b"two")]);
    log.push(
        &alice_key,
        vec![PackageEntry::Yank {
            version: Version::new(1, 1, 0),
        }],
    );

    let validated = package::validate(NAME, &log.records).unwrap();
    assert_eq!(validated.checks.len(), 4);
    assert!(validated.checks.iter().all(verifies));
    let head: warg_crypto::hash::AnyHash = log.prev.clone().unwrap().into();
    assert_eq!(validated.head.record.to_string(), head.to_string());
    assert_eq!(validated.head.registry_index, 16);
    let versions: Vec<_> = validated
        .releases
        .iter()
        .map(|r| (r.version.to_string(), r.yanked))
        .collect();
    assert_eq!(versions, [("1.0.0".into(), false), ("1.1.0".into(), true)]);
    assert_eq!(validated.releases[0].content, Digest::of(b"one"));
}

#[test]
fn a_tampered_record_fails_its_signature() {
    let (alice, alice_key) = generate_p256_pair();
    let mut log = Writer::new();
    log.push(&alice_key, vec![init(&alice), release("1.0.0", b"one")]);
    // The same record's bytes, the release's content hash changed: still a valid record.
    let good = package::validate(NAME, &log.records).unwrap();
    let text = Digest::of(b"one").to_string();
    let content = &mut log.records[0].content;
    let at = content
        .windows(text.len())
        .position(|w| w == text.as_bytes())
        .unwrap();
    content[at + text.len() - 1] ^= 1;
    let tampered = package::validate(NAME, &log.records).unwrap();
    assert!(verifies(&good.checks[0]));
    assert!(
        !verifies(&tampered.checks[0]),
        "{}",
        tampered.checks[0].item
    );
    assert!(tampered.checks[0]
        .item
        .starts_with("package record 0 (sha256:"));
}

#[test]
fn a_broken_hash_chain_names_the_record() {
    let (alice, alice_key) = generate_p256_pair();
    let mut log = Writer::new();
    log.push(&alice_key, vec![init(&alice)]);
    log.push(&alice_key, vec![release("1.0.0", b"one")]);
    log.prev = Some(RecordId::from(
        HashAlgorithm::Sha256.digest(b"not the head"),
    ));
    log.push(&alice_key, vec![release("1.1.0", b"two")]);
    let reason = invalid(package::validate(NAME, &log.records));
    assert!(reason.starts_with("package record 2 (sha256:"), "{reason}");
    assert!(reason.contains("hash chain is broken"), "{reason}");

    // Leaving a record out breaks it too.
    let mut skipped = log.records.clone();
    skipped.remove(1);
    let reason = invalid(package::validate(NAME, &skipped));
    assert!(reason.contains("hash chain is broken"), "{reason}");
}

#[test]
fn a_release_by_a_key_without_the_permission_is_refused() {
    let (alice, alice_key) = generate_p256_pair();
    let (bob, bob_key) = generate_p256_pair();
    let mut log = Writer::new();
    log.push(
        &alice_key,
        vec![
            init(&alice),
            PackageEntry::GrantFlat {
                key: bob.clone(),
                permissions: vec![Permission::Yank],
            },
        ],
    );
    log.push(&bob_key, vec![release("1.0.0", b"one")]);
    let reason = invalid(package::validate(NAME, &log.records));
    assert!(reason.starts_with("package record 1"), "{reason}");
    assert!(
        reason.contains(&format!(
            "key {} does not hold the `release` permission",
            bob.fingerprint()
        )),
        "{reason}"
    );
}

#[test]
fn a_revoked_key_can_no_longer_release() {
    let (alice, alice_key) = generate_p256_pair();
    let (bob, bob_key) = generate_p256_pair();
    let mut log = Writer::new();
    log.push(
        &alice_key,
        vec![
            init(&alice),
            PackageEntry::GrantFlat {
                key: bob.clone(),
                permissions: vec![Permission::Release],
            },
        ],
    );
    log.push(&bob_key, vec![release("1.0.0", b"one")]);
    log.push(
        &alice_key,
        vec![PackageEntry::RevokeFlat {
            key_id: bob.fingerprint(),
            permissions: vec![Permission::Release],
        }],
    );
    assert!(package::validate(NAME, &log.records).is_ok());
    log.push(&bob_key, vec![release("1.1.0", b"two")]);
    let reason = invalid(package::validate(NAME, &log.records));
    assert!(reason.starts_with("package record 3"), "{reason}");
}

#[test]
fn a_key_the_log_never_granted_cannot_sign_a_record() {
    let (alice, alice_key) = generate_p256_pair();
    let (_, mallory_key) = generate_p256_pair();
    let mut log = Writer::new();
    log.push(&alice_key, vec![init(&alice)]);
    log.push(&mallory_key, vec![]);
    let reason = invalid(package::validate(NAME, &log.records));
    assert!(reason.contains("which the log does not know"), "{reason}");
}

#[test]
fn init_must_come_first_be_the_signers_and_come_once() {
    let (alice, alice_key) = generate_p256_pair();
    let (bob, _) = generate_p256_pair();
    let mut log = Writer::new();
    log.push(&alice_key, vec![release("1.0.0", b"one")]);
    assert!(invalid(package::validate(NAME, &log.records)).contains("does not begin with `init`"));

    let mut log = Writer::new();
    log.push(&alice_key, vec![init(&bob)]);
    assert!(invalid(package::validate(NAME, &log.records)).contains("`init` names key"));

    let mut log = Writer::new();
    log.push(&alice_key, vec![init(&alice)]);
    log.push(&alice_key, vec![init(&alice)]);
    assert!(invalid(package::validate(NAME, &log.records)).contains("a second `init`"));

    assert!(invalid(package::validate(NAME, &[])).contains("has no records"));
}

#[test]
fn versions_are_released_once_and_yanked_once_after_release() {
    let (alice, alice_key) = generate_p256_pair();
    let mut log = Writer::new();
    log.push(&alice_key, vec![init(&alice), release("1.0.0", b"one")]);
    log.push(&alice_key, vec![release("1.0.0", b"again")]);
    assert!(invalid(package::validate(NAME, &log.records)).contains("releases 1.0.0 again"));

    let mut log = Writer::new();
    log.push(&alice_key, vec![init(&alice)]);
    log.push(
        &alice_key,
        vec![PackageEntry::Yank {
            version: Version::new(2, 0, 0),
        }],
    );
    assert!(invalid(package::validate(NAME, &log.records)).contains("never released"));
}

#[test]
fn bytes_that_are_not_a_record_are_malformed_not_invalid() {
    let (alice, alice_key) = generate_p256_pair();
    let mut log = Writer::new();
    log.push(&alice_key, vec![init(&alice)]);
    log.records[0].content = vec![0xff, 0xff, 0xff];
    assert!(matches!(
        package::validate(NAME, &log.records),
        Err(Problem::Malformed(reason)) if reason.starts_with("package record 0")
    ));
    let mut log = Writer::new();
    log.push(&alice_key, vec![init(&alice)]);
    log.records[0].signature = "ecdsa-p256:AAAA".into();
    assert!(matches!(
        package::validate(NAME, &log.records),
        Err(Problem::Malformed(_))
    ));
}

/// An operator log of one init record by `key`, at registry index 0.
fn operator_log(public: &PublicKey, key: &PrivateKey) -> Vec<Envelope> {
    let record = operator::OperatorRecord {
        prev: None,
        version: 0,
        timestamp: SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000),
        entries: vec![operator::OperatorEntry::Init {
            hash_algorithm: HashAlgorithm::Sha256,
            key: public.clone(),
        }],
    };
    vec![envelope(
        &ProtoEnvelope::signed_contents(key, record).unwrap(),
        0,
    )]
}

fn signed_checkpoint(key: &PrivateKey, log_length: usize) -> (TimestampedCheckpoint, Checkpoint) {
    let timestamped = TimestampedCheckpoint {
        checkpoint: WargCheckpoint {
            log_root: HashAlgorithm::Sha256.digest(b"log"),
            log_length,
            map_root: HashAlgorithm::Sha256.digest(b"map"),
        },
        timestamp: 1_700_000_100,
    };
    let signed = SerdeEnvelope::signed_contents(key, timestamped.clone()).unwrap();
    let json = serde_json::to_value(&signed).unwrap();
    let contents = &json["contents"];
    let ours = Checkpoint::from_fields(
        contents["logLength"].as_u64().unwrap(),
        contents["logRoot"].as_str().unwrap(),
        contents["mapRoot"].as_str().unwrap(),
        contents["timestamp"].as_u64().unwrap(),
        json["keyId"].as_str().unwrap().into(),
        json["signature"].as_str().unwrap().into(),
    )
    .unwrap();
    (timestamped, ours)
}

#[test]
fn a_checkpoint_the_operator_signed_verifies_and_another_keys_does_not() {
    let (operator, operator_key) = generate_p256_pair();
    let (_, other_key) = generate_p256_pair();
    let log = op::validate(&operator_log(&operator, &operator_key)).unwrap();
    assert!(log.checks.iter().all(verifies));

    let (timestamped, checkpoint) = signed_checkpoint(&operator_key, 30);
    assert_eq!(checkpoint.encoding(), timestamped.encode());
    assert!(verifies(&checkpoint.signature_check(&log).unwrap()));

    let (_, forged) = signed_checkpoint(&other_key, 30);
    assert!(
        matches!(forged.signature_check(&log), Err(Problem::Invalid(reason)) if reason.contains("does not grant `commit`"))
    );

    // The operator's key, another checkpoint's signature: decodes, fails to verify.
    let (_, mut swapped) = signed_checkpoint(&operator_key, 30);
    swapped.log_length = 31;
    assert!(!verifies(&swapped.signature_check(&log).unwrap()));
}

#[test]
fn validate_collects_every_signature_and_the_heads_to_prove() {
    let (operator, operator_key) = generate_p256_pair();
    let (alice, alice_key) = generate_p256_pair();
    let mut log = Writer::new();
    log.push(&alice_key, vec![init(&alice), release("1.0.0", b"one")]);
    log.push(&alice_key, vec![release("1.2.0", b"two")]);
    let operator_records = operator_log(&operator, &operator_key);
    let (_, checkpoint) = signed_checkpoint(&operator_key, 13);
    let validated = validate(NAME, &checkpoint, &operator_records, &log.records).unwrap();
    assert_eq!(validated.checks.len(), 4); // operator record, checkpoint, two package records
    assert!(validated.checks.iter().all(verifies));
    assert_eq!(validated.leaves[1].registry_index, 12);
    assert_eq!(validated.leaves[1].log, encoding::package_log_id(NAME));

    let index = validated.index(NAME);
    let wanted = Wanted::range("^1", "range").unwrap();
    assert_eq!(index.resolve(&wanted).unwrap().version.to_string(), "1.2.0");
    let none = Wanted::range("^2", "range").unwrap();
    assert_eq!(
        index.resolve(&none).unwrap_err().code(),
        "NO_MATCHING_VERSION"
    );

    // A checkpoint older than the package's head does not cover it.
    let (_, old) = signed_checkpoint(&operator_key, 12);
    assert!(matches!(
        validate(NAME, &old, &operator_records, &log.records),
        Err(Problem::Invalid(reason)) if reason.contains("beyond the checkpoint")
    ));
}

/// A registry log and map with `n` leaves, some for the package, as warg-server keeps them.
struct Registry {
    log: VecLog<Sha256, LogLeaf>,
    map: Map<Sha256, LogId, MapLeaf>,
    leaves: Vec<Leaf>,
}

fn registry(n: usize) -> Registry {
    let mut log = VecLog::<Sha256, LogLeaf>::default();
    let mut map = Map::<Sha256, LogId, MapLeaf>::default();
    let mut leaves = Vec::new();
    for i in 0..n {
        let name = PackageName::new(format!("example:p{}", i % 3)).unwrap();
        let log_id = LogId::package_log::<Sha256>(&name);
        let record_id = RecordId::from(HashAlgorithm::Sha256.digest(&[i as u8]));
        let node = log.push(&LogLeaf {
            log_id: log_id.clone(),
            record_id: record_id.clone(),
        });
        assert_eq!(node.index(), 2 * i);
        map = map.insert(
            log_id.clone(),
            MapLeaf {
                record_id: record_id.clone(),
            },
        );
        leaves.push(Leaf {
            log: encoding::package_log_id(name.as_ref()),
            record: Digest::of(&[i as u8]),
            registry_index: i as u64,
        });
    }
    Registry { log, map, leaves }
}

impl Registry {
    fn roots(&self) -> (Digest, Digest) {
        let log: warg_crypto::hash::AnyHash = self.log.checkpoint().root().into();
        let map: warg_crypto::hash::AnyHash = self.map.root().clone().into();
        (
            log.to_string().parse().unwrap(),
            map.to_string().parse().unwrap(),
        )
    }

    fn bundles(&self, leaves: &[Leaf]) -> (Vec<u8>, Vec<u8>) {
        let length = self.log.length();
        let proofs = leaves
            .iter()
            .map(|l| {
                self.log.prove_inclusion(
                    warg_transparency::log::Node(2 * l.registry_index as usize),
                    length,
                )
            })
            .collect();
        let log = LogProofBundle::bundle(vec![], proofs, &self.log)
            .unwrap()
            .encode();
        let map_proofs = leaves
            .iter()
            .map(|l| {
                let name = PackageName::new(format!("example:p{}", l.registry_index % 3)).unwrap();
                self.map.prove(LogId::package_log::<Sha256>(&name)).unwrap()
            })
            .collect();
        (log, MapProofBundle::bundle(map_proofs).encode())
    }
}

#[test]
fn inclusion_proofs_warg_transparency_made_lead_to_the_roots() {
    for n in [1, 2, 3, 5, 8, 13] {
        let registry = registry(n);
        let (log_root, map_root) = registry.roots();
        // The last leaf of each package is its head, the one the map holds.
        let heads: Vec<Leaf> = registry
            .leaves
            .iter()
            .rev()
            .take(3.min(n))
            .copied()
            .collect();
        for head in &heads {
            let (log, map) = registry.bundles(&[*head]);
            check_inclusion(n as u64, &log_root, &map_root, &[*head], &log, &map)
                .unwrap_or_else(|e| panic!("n = {n}, leaf {}: {e:?}", head.registry_index));
        }
        let (log, map) = registry.bundles(&heads);
        check_inclusion(n as u64, &log_root, &map_root, &heads, &log, &map).unwrap();
    }
}

#[test]
fn a_head_the_map_does_not_hold_or_a_tampered_proof_fails_to_verify() {
    let registry = registry(7);
    let (log_root, map_root) = registry.roots();
    let head = registry.leaves[6]; // example:p0's head
    let (log, map) = registry.bundles(&[head]);
    // An older record of the same package is in the log, but not the head the map holds.
    let stale = registry.leaves[3];
    let (stale_log, stale_map) = registry.bundles(&[stale]);
    let result = check_inclusion(7, &log_root, &map_root, &[stale], &stale_log, &stale_map);
    assert!(
        matches!(result, Err(Problem::Invalid(reason)) if reason.starts_with("the map inclusion proof"))
    );

    // Another root than the checkpoint's.
    let other = Digest::of(b"other");
    let result = check_inclusion(7, &other, &map_root, &[head], &log, &map);
    assert!(
        matches!(result, Err(Problem::Invalid(reason)) if reason.starts_with("the log inclusion proof"))
    );

    // A flipped bit in the log proof's hashes.
    let mut tampered = log.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(check_inclusion(7, &log_root, &map_root, &[head], &tampered, &map).is_err());
    // A proof for another log length.
    assert!(matches!(
        check_inclusion(8, &log_root, &map_root, &[head], &log, &map),
        Err(Problem::Malformed(_))
    ));
}

#[test]
fn consistency_proofs_warg_transparency_made_tie_an_older_root_to_a_newer() {
    let registry = registry(13);
    let roots: Vec<(Digest, usize)> = (1..=13)
        .map(|n| {
            let mut log = VecLog::<Sha256, LogLeaf>::default();
            for leaf in &registry.leaves[..n] {
                log.push(&LogLeaf {
                    log_id: LogId::from(warg_crypto::hash::AnyHash::new(
                        HashAlgorithm::Sha256,
                        leaf.log.as_bytes().to_vec(),
                    )),
                    record_id: RecordId::from(warg_crypto::hash::AnyHash::new(
                        HashAlgorithm::Sha256,
                        leaf.record.as_bytes().to_vec(),
                    )),
                });
            }
            let root: warg_crypto::hash::AnyHash = log.checkpoint().root().into();
            (root.to_string().parse().unwrap(), n)
        })
        .collect();
    assert_eq!(roots[12].0, registry.roots().0, "the same log, rebuilt");
    for (old_root, old) in &roots {
        for (new_root, new) in roots.iter().filter(|(_, n)| n >= old) {
            let proof = registry.log.prove_consistency(*old, *new);
            let bundle = LogProofBundle::bundle(vec![proof], vec![], &registry.log)
                .unwrap()
                .encode();
            check_consistency(*old as u64, old_root, *new as u64, new_root, &bundle)
                .unwrap_or_else(|e| panic!("{old} -> {new}: {e:?}"));
            if old > &1 {
                // Another history of the same length: the old root does not match.
                let other = roots[old - 2].0;
                let result = check_consistency(*old as u64, &other, *new as u64, new_root, &bundle);
                assert!(matches!(result, Err(Problem::Invalid(_))), "{old} -> {new}");
            }
        }
    }
    let proof = registry.log.prove_consistency(3, 9);
    let bundle = LogProofBundle::bundle(vec![proof], vec![], &registry.log)
        .unwrap()
        .encode();
    assert!(matches!(
        check_consistency(9, &roots[8].0, 3, &roots[2].0, &bundle),
        Err(Problem::Invalid(reason)) if reason.contains("went back")
    ));
    assert!(matches!(
        check_consistency(3, &roots[2].0, 10, &roots[9].0, &bundle),
        Err(Problem::Malformed(_))
    ));
}
