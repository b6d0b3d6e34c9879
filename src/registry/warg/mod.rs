//! Warg registries (`registry: "warg+http://host:port"`): a package's versions come from its
//! package log, verified record by record, and the log is believed only under a checkpoint
//! that the operator signed and that provably includes the log's head.
//!
//! # How a version is resolved
//! 1. `GET /v1/fetch/checkpoint`: the latest signed checkpoint (log length, log root, map
//!    root, timestamp);
//! 2. `POST /v1/fetch/logs` `{logLength, packages: {<log id>: null}}`, then again with the
//!    last fetch tokens while the server says `more`: the operator log and the package log,
//!    up to the checkpoint;
//! 3. [`operator::validate`]: the operator log's hash chain, permissions and keys; the
//!    checkpoint's key must hold `commit` in it ([`checkpoint::Checkpoint::signature_check`]);
//! 4. [`package::validate`]: the package log's hash chain (every record's `prev` is the id of
//!    the one before), the permissions the `init` record's key and its grants hold, releases
//!    and yanks;
//! 5. every record's signature and the checkpoint's (ECDSA P-256; in the browser WebCrypto
//!    verifies them, [`key::SignatureCheck`]);
//! 6. `POST /v1/proof/inclusion` `{logLength, leafs: [<operator head>, <package head>]}`:
//!    [`proof::check_inclusion`] proves both heads are leaves of the checkpoint's log root,
//!    and that its map root maps each log to that head (so the server hid no later record);
//! 7. within a page, each registry's (known by its operator log's first record) newest
//!    checkpoint verified so far is kept: a later one must not be shorter, and
//!    `POST /v1/proof/consistency` `{from, to}` must prove it extends that one
//!    ([`proof::check_consistency`]), so a server cannot rewind or fork its log under a page;
//! 8. the highest release the range selects that is not yanked ([`Validated::index`], the
//!    index format's rule); `GET /v1/content/<digest>` names where its bytes are, and the
//!    fetch verifies them against the digest the log released, like any other blob.
//!
//! # What is not verified
//! - the operator log is trusted on first sight, as `warg-client` trusts it: the operator key
//!   is whatever the server's operator log says (no pinning);
//! - checkpoints are compared only within a page's lifetime: nothing is kept across loads of
//!   the page (`warg-client` keeps them on disk);
//! - namespace definitions and imports (federation) are read but not enforced.
//!
//! The pure half (this module but `fetch`) builds natively: it is tested against records the
//! Warg project's own crates sign and logs and maps its crates build, and fuzzed.

// The option rules (`base_url`, `check_name`) are in every build, so that a build without
// the feature can say which one has it; the protocol needs the feature's crates.
#[cfg(feature = "warg")]
pub mod chain;
#[cfg(feature = "warg")]
pub mod checkpoint;
#[cfg(feature = "warg")]
pub mod encoding;
#[cfg(all(target_arch = "wasm32", feature = "warg"))]
mod fetch;
#[cfg(feature = "warg")]
pub mod key;
#[cfg(feature = "warg")]
pub mod operator;
#[cfg(feature = "warg")]
pub mod package;
#[cfg(feature = "warg")]
pub mod problem;
#[cfg(feature = "warg")]
pub mod proof;
#[cfg(feature = "warg")]
pub mod proto;
// Natively: warg's own crates, which make the test records, do not build for wasm32.
#[cfg(all(test, feature = "warg", not(target_arch = "wasm32")))]
mod tests;

#[cfg(all(target_arch = "wasm32", feature = "warg"))]
pub use fetch::resolve_warg;

#[cfg(feature = "warg")]
pub use protocol::{bad_signature, validate, Validated};

use crate::error::Result;

/// The scheme prefix of a Warg registry option.
pub const PREFIX: &str = "warg+";

/// A Warg registry's base URL without the `warg+` prefix or a trailing `/`:
/// `warg+http://127.0.0.1:8090/` => `http://127.0.0.1:8090`.
pub fn base_url(registry: &str) -> &str {
    registry
        .strip_prefix(PREFIX)
        .unwrap_or(registry)
        .trim_end_matches('/')
}

/// Checks a Warg package name: `<namespace>:<name>`, each part kebab-case words of lowercase
/// letters and digits, each word starting with a letter (`warg_protocol::PackageName`).
///
/// - `example:counter`, `my-org:hot-counter2` => ok
/// - `counter`, `Example:counter`, `example:2counter`, `a:b:c`, `example:counter-` => refused
///
/// # Errors
/// [`Error::InvalidOptions`](crate::error::Error::InvalidOptions) naming `option`.
pub fn check_name(name: &str, option: &'static str) -> Result<()> {
    let kebab = |part: &str| {
        !part.is_empty()
            && part.split('-').all(|word| {
                word.starts_with(|c: char| c.is_ascii_lowercase())
                    && word
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            })
    };
    match name.split_once(':') {
        Some((namespace, rest)) if kebab(namespace) && kebab(rest) => Ok(()),
        _ => Err(crate::options::invalid(
            option,
            &format!("`{name}` is not a Warg package name `<namespace>:<name>` (lowercase kebab-case words)"),
        )),
    }
}

#[cfg(feature = "warg")]
mod protocol {
    use super::chain::Envelope;
    use super::checkpoint::Checkpoint;
    use super::key::SignatureCheck;
    use super::problem::Problem;
    use super::proof::Leaf;
    use super::{encoding, operator, package};
    use crate::digest::Digest;
    use crate::error::Error;
    use crate::registry::index::{Entry, Index};

    /// The logs and checkpoint of one package, validated but for their signatures.
    #[derive(Debug)]
    pub struct Validated {
        /// The package log's releases.
        pub releases: Vec<package::Release>,
        /// Every signature the logs and the checkpoint carry; all must verify.
        pub checks: Vec<SignatureCheck>,
        /// The operator log's head and the package log's, to prove included in the checkpoint.
        pub leaves: [Leaf; 2],
        /// The id of the operator log's first record: which registry this is, whatever URL
        /// it was reached at.
        pub registry: Digest,
    }

    /// Validates the operator log, the package `name`'s log and the checkpoint they were fetched
    /// under, and collects the signatures to verify.
    ///
    /// # Errors
    /// [`Problem::Malformed`] or [`Problem::Invalid`] naming the record or the checkpoint; a
    /// head beyond the checkpoint's log length is invalid.
    pub fn validate(
        name: &str,
        checkpoint: &Checkpoint,
        operator: &[Envelope],
        package: &[Envelope],
    ) -> std::result::Result<Validated, Problem> {
        let registry = operator
            .first()
            .map(|first| encoding::operator_record_id(&first.content))
            .ok_or_else(|| Problem::Invalid("the operator log has no records".into()))?;
        let operator = operator::validate(operator)?;
        let package = package::validate(name, package)?;
        for (what, head) in [("operator", operator.head), ("package", package.head)] {
            if head.registry_index >= checkpoint.log_length {
                return Err(Problem::Invalid(format!(
                    "the {what} log's head {} is at registry index {}, beyond the checkpoint's log length {}",
                    head.record, head.registry_index, checkpoint.log_length
                )));
            }
        }
        let mut checks = operator.checks.clone();
        checks.push(checkpoint.signature_check(&operator)?);
        checks.extend(package.checks);
        let leaves = [
            Leaf {
                log: encoding::operator_log_id(),
                record: operator.head.record,
                registry_index: operator.head.registry_index,
            },
            Leaf {
                log: encoding::package_log_id(name),
                record: package.head.record,
                registry_index: package.head.registry_index,
            },
        ];
        Ok(Validated {
            releases: package.releases,
            checks,
            leaves,
            registry,
        })
    }

    impl Validated {
        /// The releases as an index of the package, so that a range selects among them by the
        /// index format's rule ([`Index::resolve`]: the highest match, never a yanked one).
        pub fn index(&self, name: &str) -> Index {
            let mut index = Index {
                name: name.to_string(),
                versions: Vec::new(),
            };
            for release in &self.releases {
                index.insert(Entry {
                    version: release.version.clone(),
                    digest: release.content.to_string(),
                    size: 0,
                    glue: None,
                    cores: Vec::new(),
                    yanked: release.yanked,
                    published: String::new(),
                });
            }
            index
        }
    }

    /// [`Error::RegistryLogInvalid`] for a signature that did not verify.
    pub fn bad_signature(registry: &str, check: &SignatureCheck) -> Error {
        Error::RegistryLogInvalid {
            registry: registry.to_string(),
            reason: format!(
                "{}: its signature does not verify with key {}",
                check.item,
                check.key.id()
            ),
        }
    }
}
