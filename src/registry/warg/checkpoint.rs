//! The registry's checkpoint: the root of its log and of its map at a log length, signed by
//! a key the operator log grants `commit`.
//!
//! `/v1/fetch/checkpoint` serves `{"contents": {"logLength", "logRoot", "mapRoot",
//! "timestamp"}, "keyId", "signature"}`; the signature is over
//! `WARG-CHECKPOINT-SIGNATURE-V0:` and the prefix encoding of the timestamped checkpoint:
//! the raw string `WARG-TIMESTAMPED-CHECKPOINT-V0`, the log length, the log root's and the
//! map root's text, and the timestamp (`warg_protocol::registry::TimestampedCheckpoint`).

use super::encoding::{push_str, push_unsigned};
use super::key::{parse_signature, SignatureCheck};
use super::operator::OperatorLog;
use super::problem::{invalid, malformed, Problem};
use crate::digest::Digest;

/// What a checkpoint's signature is over, before its encoding.
pub const SIGNATURE_PREFIX: &[u8] = b"WARG-CHECKPOINT-SIGNATURE-V0";

/// A signed checkpoint as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// How many records the registry's log holds at this checkpoint.
    pub log_length: u64,
    /// The root of the registry's log.
    pub log_root: Digest,
    /// The root of the map from log ids to their heads.
    pub map_root: Digest,
    /// Seconds since the Unix epoch.
    pub timestamp: u64,
    /// The signing key's id.
    pub key_id: String,
    /// `ecdsa-p256:<base64 DER>`.
    pub signature: String,
}

impl Checkpoint {
    /// A checkpoint from its JSON fields.
    ///
    /// # Errors
    /// [`Problem::Malformed`]: a root that is not a `sha256:` hash.
    pub fn from_fields(
        log_length: u64,
        log_root: &str,
        map_root: &str,
        timestamp: u64,
        key_id: String,
        signature: String,
    ) -> Result<Self, Problem> {
        let root = |text: &str, field: &str| {
            text.parse::<Digest>().map_err(|_| {
                malformed(
                    "the checkpoint",
                    format!("`{field}` `{text}` is not a sha256 hash"),
                )
            })
        };
        Ok(Checkpoint {
            log_length,
            log_root: root(log_root, "logRoot")?,
            map_root: root(map_root, "mapRoot")?,
            timestamp,
            key_id,
            signature,
        })
    }

    /// The prefix encoding its signature is over (after the prefix).
    pub fn encoding(&self) -> Vec<u8> {
        let mut out = b"WARG-TIMESTAMPED-CHECKPOINT-V0".to_vec();
        push_unsigned(&mut out, self.log_length);
        push_str(&mut out, &self.log_root.to_string());
        push_str(&mut out, &self.map_root.to_string());
        push_unsigned(&mut out, self.timestamp);
        out
    }

    /// The check of its signature: by a key `operator` grants `commit`.
    ///
    /// # Errors
    /// [`Problem::Invalid`] when the operator log grants the key no `commit` (or does not
    /// know it); [`Problem::Malformed`] for a signature that does not parse.
    pub fn signature_check(&self, operator: &OperatorLog) -> Result<SignatureCheck, Problem> {
        let item = format!("the checkpoint at log length {}", self.log_length);
        let key = operator.committer(&self.key_id).ok_or_else(|| {
            invalid(
                &item,
                format!(
                    "it is signed by key {}, which the operator log does not grant `commit`",
                    self.key_id
                ),
            )
        })?;
        let signature = parse_signature(&self.signature, &item)?;
        Ok(SignatureCheck::new(
            item,
            key.clone(),
            SIGNATURE_PREFIX,
            &self.encoding(),
            signature,
        ))
    }
}
