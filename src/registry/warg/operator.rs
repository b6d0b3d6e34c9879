//! The operator log, validated as `warg_protocol::operator::LogState` validates it: the keys
//! it grants `commit` are the ones whose checkpoints a client believes.
//!
//! The same chain rules as a package log; the first entry is `init`, whose signer gets every
//! permission and whose key becomes known; `grant`/`revoke` need the signer to hold what they
//! give or take; `defineNamespace` and `importNamespace` need their permissions (the
//! namespaces themselves are not used by this client). Signatures are over
//! `WARG-OPERATOR-RECORD-SIGNATURE-V0:` and the content bytes.

use prost::Message as _;

use super::chain::{check_algorithm, Chain, Envelope, Head, Keys};
use super::encoding::operator_record_id;
use super::key::{PublicKey, SignatureCheck};
use super::problem::{invalid, malformed, Problem};
use super::proto::{operator_entry::Contents, OperatorRecord};

/// What an operator record's signature is over, before the content.
pub const SIGNATURE_PREFIX: &[u8] = b"WARG-OPERATOR-RECORD-SIGNATURE-V0";

/// A permission in the operator log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// May sign checkpoints.
    Commit,
    /// May define namespaces.
    DefineNamespace,
    /// May import namespaces from other registries.
    ImportNamespace,
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Permission::Commit => "commit",
            Permission::DefineNamespace => "defineNamespace",
            Permission::ImportNamespace => "importNamespace",
        })
    }
}

const ALL: [Permission; 3] = [
    Permission::Commit,
    Permission::DefineNamespace,
    Permission::ImportNamespace,
];

/// An operator log that validated.
#[derive(Debug)]
pub struct OperatorLog {
    keys: Keys<Permission>,
    /// The last record.
    pub head: Head,
    /// One per record.
    pub checks: Vec<SignatureCheck>,
}

impl OperatorLog {
    /// The key `id` if the log grants it `commit`: a key that may sign checkpoints.
    pub fn committer(&self, id: &str) -> Option<&PublicKey> {
        self.keys
            .key(id)
            .filter(|_| self.keys.holds(id, Permission::Commit))
    }
}

/// Validates the operator log's records, in order.
///
/// # Errors
/// As [`super::package::validate`], for the operator log.
pub fn validate(envelopes: &[Envelope]) -> Result<OperatorLog, Problem> {
    let mut chain = Chain::default();
    let mut keys = Keys::<Permission>::default();
    let mut initialized = false;
    let mut checks = Vec::with_capacity(envelopes.len());
    for (at, envelope) in envelopes.iter().enumerate() {
        let id = operator_record_id(&envelope.content);
        let item = format!("operator record {at} ({id})");
        let record = OperatorRecord::decode(envelope.content.as_slice())
            .map_err(|e| malformed(&item, format!("it is not an OperatorRecord ({e})")))?;
        let time = chain.check(
            &item,
            record.prev.as_deref(),
            record.version,
            record.time,
            envelope.registry_index,
        )?;
        let signer = envelope.key_id.as_str();
        for entry in record.entries {
            let contents = entry
                .contents
                .ok_or_else(|| malformed(&item, "an entry is empty"))?;
            match contents {
                Contents::Init(init) => {
                    if initialized {
                        return Err(invalid(&item, "a second `init`"));
                    }
                    check_algorithm(&item, &init.hash_algorithm)?;
                    let key = PublicKey::parse(&init.key, &item)?;
                    // As warg-protocol does: the signer gets every permission, the init key
                    // becomes known (the server signs with the init key, so they are one).
                    keys.grant_id(signer, &ALL);
                    keys.grant(key, &[]);
                    initialized = true;
                }
                _ if !initialized => {
                    return Err(invalid(&item, "the log does not begin with `init`"))
                }
                Contents::GrantFlat(grant) => {
                    let permissions = permissions(&item, &grant.permissions)?;
                    keys.require(&item, signer, &permissions)?;
                    keys.grant(PublicKey::parse(&grant.key, &item)?, &permissions);
                }
                Contents::RevokeFlat(revoke) => {
                    let permissions = permissions(&item, &revoke.permissions)?;
                    keys.require(&item, signer, &permissions)?;
                    keys.revoke(&item, &revoke.key_id, &permissions)?;
                }
                Contents::DefineNamespace(_) => {
                    keys.require(&item, signer, &[Permission::DefineNamespace])?
                }
                Contents::ImportNamespace(_) => {
                    keys.require(&item, signer, &[Permission::ImportNamespace])?
                }
            }
        }
        if !initialized {
            return Err(invalid(&item, "the log does not begin with `init`"));
        }
        checks.push(keys.signature_check(&item, envelope, SIGNATURE_PREFIX)?);
        chain.advance(
            Head {
                record: id,
                registry_index: envelope.registry_index,
            },
            time,
        );
    }
    let head = chain
        .head()
        .ok_or_else(|| Problem::Invalid("the operator log has no records".into()))?;
    Ok(OperatorLog { keys, head, checks })
}

fn permissions(item: &str, values: &[i32]) -> Result<Vec<Permission>, Problem> {
    values
        .iter()
        .map(|value| match value {
            1 => Ok(Permission::Commit),
            2 => Ok(Permission::DefineNamespace),
            3 => Ok(Permission::ImportNamespace),
            other => Err(malformed(
                item,
                format!("{other} is not an operator permission"),
            )),
        })
        .collect()
}
