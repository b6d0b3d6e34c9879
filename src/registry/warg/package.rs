//! A package log, validated record by record as `warg_protocol::package::LogState` validates
//! it, with the signatures collected for the caller to verify.
//!
//! 1. every record's chain, version and time ([`Chain::check`]);
//! 2. the first record's first entry is `init`: its key is the signer's and gets every
//!    permission; `init` appears nowhere else;
//! 3. `release` needs the signer to hold `release`, `yank` to hold `yank`; `grant` and
//!    `revoke` need the signer to hold what they give or take, and a revoked permission must
//!    have been held;
//! 4. a version is released once; only a released, unyanked version is yanked;
//! 5. the envelope's key must be one the log knows by then, and its signature is an ECDSA
//!    P-256 over `WARG-PACKAGE-RECORD-SIGNATURE-V0:` and the content bytes.

use prost::Message as _;
use semver::Version;

use super::chain::{check_algorithm, Chain, Envelope, Head, Keys};
use super::encoding::package_record_id;
use super::key::{PublicKey, SignatureCheck};
use super::problem::{invalid, malformed, Problem};
use super::proto::{package_entry::Contents, PackageRecord};
use crate::digest::Digest;

/// What a package record's signature is over, before the content.
pub const SIGNATURE_PREFIX: &[u8] = b"WARG-PACKAGE-RECORD-SIGNATURE-V0";

/// A permission in a package log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// May release versions.
    Release,
    /// May yank versions.
    Yank,
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Permission::Release => "release",
            Permission::Yank => "yank",
        })
    }
}

/// A version the log released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The version.
    pub version: Version,
    /// The digest of its content.
    pub content: Digest,
    /// Whether a later record yanked it.
    pub yanked: bool,
}

/// A package log that validated: its releases in log order, its head, and the signatures
/// that must all verify before any of it is believed.
#[derive(Debug)]
pub struct PackageLog {
    /// The releases, yanked ones included.
    pub releases: Vec<Release>,
    /// The last record.
    pub head: Head,
    /// One per record.
    pub checks: Vec<SignatureCheck>,
}

/// Validates the records of the package `name`'s log, in order.
///
/// # Errors
/// - [`Problem::Malformed`] naming the record: protobuf that does not decode, a key, hash,
///   version or permission that does not parse, an empty entry;
/// - [`Problem::Invalid`] naming the record: a broken hash chain, a missing or second
///   `init`, a permission the signer lacks, a version released twice or yanked unreleased,
///   a key the log does not know; or no record at all.
pub fn validate(name: &str, envelopes: &[Envelope]) -> Result<PackageLog, Problem> {
    let mut chain = Chain::default();
    let mut keys = Keys::<Permission>::default();
    let mut releases: Vec<Release> = Vec::new();
    let mut checks = Vec::with_capacity(envelopes.len());
    for (at, envelope) in envelopes.iter().enumerate() {
        let id = package_record_id(&envelope.content);
        let item = format!("package record {at} ({id}) of `{name}`");
        let record = PackageRecord::decode(envelope.content.as_slice())
            .map_err(|e| malformed(&item, format!("it is not a PackageRecord ({e})")))?;
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
            if keys.is_empty() && !matches!(contents, Contents::Init(_)) {
                return Err(invalid(&item, "the log does not begin with `init`"));
            }
            match contents {
                Contents::Init(init) => {
                    if !keys.is_empty() {
                        return Err(invalid(&item, "a second `init`"));
                    }
                    check_algorithm(&item, &init.hash_algorithm)?;
                    let key = PublicKey::parse(&init.key, &item)?;
                    if key.id() != signer {
                        return Err(invalid(
                            &item,
                            format!("`init` names key {}, but key {signer} signed it", key.id()),
                        ));
                    }
                    keys.grant(key, &[Permission::Release, Permission::Yank]);
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
                Contents::Release(release) => {
                    keys.require(&item, signer, &[Permission::Release])?;
                    let version = version(&item, &release.version)?;
                    let content = release.content_hash.parse::<Digest>().map_err(|_| {
                        malformed(
                            &item,
                            format!(
                                "content hash `{}` is not a sha256 digest",
                                release.content_hash
                            ),
                        )
                    })?;
                    if releases.iter().any(|r| r.version == version) {
                        return Err(invalid(&item, format!("it releases {version} again")));
                    }
                    releases.push(Release {
                        version,
                        content,
                        yanked: false,
                    });
                }
                Contents::Yank(yank) => {
                    keys.require(&item, signer, &[Permission::Yank])?;
                    let version = version(&item, &yank.version)?;
                    match releases.iter_mut().find(|r| r.version == version) {
                        Some(r) if !r.yanked => r.yanked = true,
                        Some(_) => return Err(invalid(&item, format!("it yanks {version} again"))),
                        None => {
                            return Err(invalid(
                                &item,
                                format!("it yanks {version}, which was never released"),
                            ))
                        }
                    }
                }
            }
        }
        if keys.is_empty() {
            return Err(invalid(&item, "the log does not begin with `init`"));
        }
        checks.push(keys.signature_check(&item, envelope, SIGNATURE_PREFIX)?);
        let head = Head {
            record: id,
            registry_index: envelope.registry_index,
        };
        chain.advance(head, time);
    }
    let head = chain
        .head()
        .ok_or_else(|| Problem::Invalid(format!("the log of `{name}` has no records")))?;
    Ok(PackageLog {
        releases,
        head,
        checks,
    })
}

fn permissions(item: &str, values: &[i32]) -> Result<Vec<Permission>, Problem> {
    values
        .iter()
        .map(|value| match value {
            1 => Ok(Permission::Release),
            2 => Ok(Permission::Yank),
            other => Err(malformed(
                item,
                format!("{other} is not a package permission"),
            )),
        })
        .collect()
}

fn version(item: &str, text: &str) -> Result<Version, Problem> {
    Version::parse(text).map_err(|e| malformed(item, format!("`{text}` is not a version ({e})")))
}
