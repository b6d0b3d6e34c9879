//! What the package log and the operator log share: envelopes as the server serves them,
//! the hash chain, the protocol version, timestamps in order, and keys with permissions.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::key::{parse_signature, PublicKey, SignatureCheck};
use super::problem::{invalid, malformed, Problem};
use super::proto::Timestamp;
use crate::digest::Digest;

/// The only protocol version of records (`PACKAGE_RECORD_VERSION`, `OPERATOR_RECORD_VERSION`).
pub const RECORD_VERSION: u32 = 0;

/// A record as `/v1/fetch/logs` serves it (`PublishedProtoEnvelopeBody`): the record's
/// protobuf bytes, the id of the key that signed them, the signature, and the record's index
/// in the registry's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `contentBytes`, base64-decoded: the record, exactly as signed and hashed.
    pub content: Vec<u8>,
    /// `keyId`: `sha256:<hex>` of the signing key.
    pub key_id: String,
    /// `signature`: `ecdsa-p256:<base64 DER>`.
    pub signature: String,
    /// `registryIndex`: where the record is in the registry's log.
    pub registry_index: u64,
}

impl Envelope {
    /// An envelope from the JSON fields, `contentBytes` still in base64.
    ///
    /// # Errors
    /// [`Problem::Malformed`] naming `item` when `contentBytes` is not base64.
    pub fn from_fields(
        content_b64: &str,
        key_id: String,
        signature: String,
        registry_index: u64,
        item: &str,
    ) -> Result<Self, Problem> {
        let content = STANDARD
            .decode(content_b64)
            .map_err(|e| malformed(item, format!("`contentBytes` is not base64 ({e})")))?;
        Ok(Envelope {
            content,
            key_id,
            signature,
            registry_index,
        })
    }
}

/// The head of a log once validated: its last record's id and where that record is in the
/// registry's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// The id of the last record.
    pub record: Digest,
    /// Its index in the registry's log.
    pub registry_index: u64,
}

/// The hash chain and the clock of one log, record after record.
#[derive(Debug, Default)]
pub struct Chain {
    head: Option<(Head, Timestamp)>,
}

impl Chain {
    /// The head so far.
    pub fn head(&self) -> Option<Head> {
        self.head.map(|(head, _)| head)
    }

    /// Checks the next record against the chain: the first has no `prev`, every later one's
    /// `prev` is the id of the one before; version 0; a valid timestamp no earlier than the
    /// previous; and a registry index above the previous one's.
    ///
    /// # Errors
    /// [`Problem::Malformed`] for a `prev` or timestamp that does not parse;
    /// [`Problem::Invalid`] for a broken chain, another version, time going backwards.
    pub fn check(
        &self,
        item: &str,
        prev: Option<&str>,
        version: u32,
        time: Option<Timestamp>,
        registry_index: u64,
    ) -> Result<Timestamp, Problem> {
        let time = time.ok_or_else(|| malformed(item, "it has no timestamp"))?;
        if !(0..1_000_000_000).contains(&time.nanos) || time.seconds < 0 {
            return Err(malformed(item, "its timestamp is not a valid time"));
        }
        let prev = prev
            .map(|text| {
                text.parse::<Digest>()
                    .map_err(|_| malformed(item, format!("`prev` `{text}` is not a sha256 hash")))
            })
            .transpose()?;
        match (&self.head, prev) {
            (None, Some(_)) => return Err(invalid(item, "the first record names a previous one")),
            (Some(_), None) => return Err(invalid(item, "it names no previous record")),
            (Some((head, _)), Some(prev)) if prev != head.record => {
                return Err(invalid(
                    item,
                    format!(
                        "the hash chain is broken: `prev` is {prev}, the record before is {}",
                        head.record
                    ),
                ))
            }
            _ => {}
        }
        if version != RECORD_VERSION {
            return Err(invalid(
                item,
                format!("protocol version {version} is not 0"),
            ));
        }
        if let Some((head, before)) = &self.head {
            if time < *before {
                return Err(invalid(
                    item,
                    "its timestamp is earlier than the record before",
                ));
            }
            if registry_index <= head.registry_index {
                return Err(invalid(
                    item,
                    "its registry index is not above the record before's",
                ));
            }
        }
        Ok(time)
    }

    /// Moves the head to the record just checked.
    pub fn advance(&mut self, head: Head, time: Timestamp) {
        self.head = Some((head, time));
    }
}

/// Keys a log knows, and the permissions each holds (`P` is the log's permission type).
#[derive(Debug)]
pub struct Keys<P> {
    keys: Vec<(String, PublicKey)>,
    permissions: Vec<(String, Vec<P>)>,
}

impl<P> Default for Keys<P> {
    fn default() -> Self {
        Keys {
            keys: Vec::new(),
            permissions: Vec::new(),
        }
    }
}

impl<P: Copy + PartialEq + std::fmt::Display> Keys<P> {
    /// Whether a key was ever added (the log was initialized).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key with id `id`.
    pub fn key(&self, id: &str) -> Option<&PublicKey> {
        self.keys.iter().find(|(k, _)| k == id).map(|(_, key)| key)
    }

    /// Whether `id` holds `permission`.
    pub fn holds(&self, id: &str, permission: P) -> bool {
        self.permissions
            .iter()
            .any(|(k, held)| k == id && held.contains(&permission))
    }

    /// `signer` must hold every one of `permissions`.
    ///
    /// # Errors
    /// [`Problem::Invalid`] naming the key and the permission it lacks.
    pub fn require(&self, item: &str, signer: &str, permissions: &[P]) -> Result<(), Problem> {
        match permissions.iter().find(|p| !self.holds(signer, **p)) {
            Some(missing) => Err(invalid(
                item,
                format!("key {signer} does not hold the `{missing}` permission"),
            )),
            None => Ok(()),
        }
    }

    /// Adds `key` (if new) and gives it `permissions`.
    pub fn grant(&mut self, key: PublicKey, permissions: &[P]) {
        let id = key.id();
        self.grant_id(&id, permissions);
        if self.key(&id).is_none() {
            self.keys.push((id, key));
        }
    }

    /// Gives the key `id` `permissions`, without adding a key.
    pub fn grant_id(&mut self, id: &str, permissions: &[P]) {
        let held = match self.permissions.iter().position(|(k, _)| k == id) {
            Some(at) => &mut self.permissions[at].1,
            None => {
                self.permissions.push((id.to_string(), Vec::new()));
                &mut self.permissions.last_mut().expect("just pushed").1
            }
        };
        for permission in permissions {
            if !held.contains(permission) {
                held.push(*permission);
            }
        }
    }

    /// Takes `permissions` from `id`, which must hold each.
    ///
    /// # Errors
    /// [`Problem::Invalid`] naming a permission `id` did not hold.
    pub fn revoke(&mut self, item: &str, id: &str, permissions: &[P]) -> Result<(), Problem> {
        for permission in permissions {
            let held = self
                .permissions
                .iter_mut()
                .find(|(k, _)| k == id)
                .map(|(_, held)| held);
            match held.and_then(|held| {
                held.iter()
                    .position(|p| p == permission)
                    .map(|at| (held, at))
            }) {
                Some((held, at)) => {
                    held.swap_remove(at);
                }
                None => {
                    return Err(invalid(
                        item,
                        format!("it revokes `{permission}` from key {id}, which does not hold it"),
                    ))
                }
            }
        }
        Ok(())
    }

    /// The check of an envelope's signature by the key it names, which the log must know.
    ///
    /// # Errors
    /// [`Problem::Invalid`] for a key the log does not know; [`Problem::Malformed`] for a
    /// signature that does not parse.
    pub fn signature_check(
        &self,
        item: &str,
        envelope: &Envelope,
        prefix: &[u8],
    ) -> Result<SignatureCheck, Problem> {
        let key = self.key(&envelope.key_id).ok_or_else(|| {
            invalid(
                item,
                format!(
                    "it is signed by key {}, which the log does not know",
                    envelope.key_id
                ),
            )
        })?;
        let signature = parse_signature(&envelope.signature, item)?;
        Ok(SignatureCheck::new(
            item.to_string(),
            key.clone(),
            prefix,
            &envelope.content,
            signature,
        ))
    }
}

/// The hash algorithm a log's init entry names: only `sha256` exists.
///
/// # Errors
/// [`Problem::Malformed`] for any other.
pub fn check_algorithm(item: &str, algorithm: &str) -> Result<(), Problem> {
    if algorithm == "sha256" {
        Ok(())
    } else {
        Err(malformed(
            item,
            format!("hash algorithm `{algorithm}` is not sha256"),
        ))
    }
}
