//! The one error type of the runtime, with stable codes.
//!
//! Every failure of every stage is an [`Error`]. Its [`Error::code`] is a stable string that
//! scripts and apps may match on; its message names the failing item (export `increment`,
//! import `env.log`, section `version`, byte offset). At the JS boundary it becomes a
//! `HotSwapError` with `code`, `message` and, where there is one, `cause`.

/// A failure of one of the pipeline's stages.
///
/// Whatever the variant, a failed `swap` leaves the instance that was serving untouched: the
/// error is raised before the synchronous commit starts, or the commit rolls back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A digest is not of the form `sha256:<64 lowercase hex>`.
    #[error("invalid digest `{given}`: {reason}; expected `sha256:` followed by 64 lowercase hex digits")]
    InvalidDigest {
        /// The text that was given.
        given: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An option passed to `load` or `swap` is missing or of the wrong type.
    #[error("invalid option `{option}`: {reason}")]
    InvalidOptions {
        /// The option's name.
        option: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The module could not be fetched: a network error or an HTTP status other than 2xx.
    #[error("fetching `{url}` failed: {reason}")]
    FetchFailed {
        /// The URL that was requested.
        url: String,
        /// The HTTP status or the network error.
        reason: String,
    },
    /// The bytes' SHA-256 is not the expected digest. Nothing was instantiated from them.
    #[error(
        "digest mismatch for `{source_name}`: expected {expected}, got {actual} ({len} bytes)"
    )]
    HashMismatch {
        /// The URL or `bytes`.
        source_name: String,
        /// The digest that was asked for.
        expected: String,
        /// The digest of the bytes that arrived.
        actual: String,
        /// How many bytes arrived.
        len: u64,
    },
    /// The bytes are not a well-formed WebAssembly module.
    #[error("invalid module: {reason}{}", fmt_offset(*.offset))]
    InvalidModule {
        /// What is wrong.
        reason: String,
        /// Where in the binary, when known.
        offset: Option<u64>,
    },
    /// The bytes are a Component Model component, not a core module.
    #[error("unsupported component: this is a WebAssembly component, which a browser cannot instantiate by itself; publish it with `hotswap publish <component>.wasm --name <name> --version <version> --registry <dir>` (which transpiles it with jco and stores its JS and core modules beside it) and load it with `HotModule.load({{ registry, name, range }})`")]
    UnsupportedComponent,
    /// The new module does not offer what the app relies on. Each problem names its item.
    #[error("incompatible interface: {}", .problems.join("; "))]
    IncompatibleInterface {
        /// One line per problem, each naming the export or import.
        problems: Vec<String>,
    },
    /// The module breaks the guest contract (some but not all state exports, wrong signatures).
    #[error("invalid guest: {reason}")]
    InvalidGuest {
        /// Which part of the contract is broken.
        reason: String,
    },
    /// The host refuses to compile WebAssembly from bytes at run time: Cloudflare's workerd
    /// (and so Workers) runs only the Wasm modules uploaded with the Worker.
    #[error("this host forbids compiling WebAssembly at run time ({reason}): in Cloudflare workerd only the Wasm modules uploaded with the Worker can run, so a module cannot be loaded or swapped there")]
    CompileForbidden {
        /// The engine's message.
        reason: String,
    },
    /// `WebAssembly.instantiate` failed: a link error, or a trap in the start function.
    #[error("instantiating the module failed: {reason}")]
    InstantiateFailed {
        /// The engine's message.
        reason: String,
    },
    /// The serving instance's `save_state` trapped or returned an out-of-bounds pointer.
    #[error("state save failed: {reason}")]
    StateSaveFailed {
        /// What went wrong.
        reason: String,
    },
    /// The new instance's `alloc_state` or `load_state` trapped or refused the state.
    #[error("state load failed: {reason}")]
    StateLoadFailed {
        /// What went wrong.
        reason: String,
    },
    /// The new version declares a smaller bump than its interface change needs.
    #[error("semver violation: {from} => {to} declares a {declared} bump, but the change needs {required}: {}", .changes.join("; "))]
    SemverViolation {
        /// The serving version.
        from: String,
        /// The new version.
        to: String,
        /// The bump the versions declare (`none`, `patch`, `minor`, `major`).
        declared: String,
        /// The bump the change needs.
        required: String,
        /// The changes that need it, each naming its item.
        changes: Vec<String>,
    },
    /// A major upgrade without the host's consent.
    #[error("major upgrade refused: {from} => {to} is a major upgrade and the host did not consent (set `policy.allowMajor`)")]
    MajorUpgradeRefused {
        /// The serving version.
        from: String,
        /// The new version.
        to: String,
    },
    /// The new version is lower than the serving one.
    #[error("downgrade refused: {to} is lower than the serving {from} (set `policy.allowDowngrade` to allow it)")]
    DowngradeRefused {
        /// The serving version.
        from: String,
        /// The new version.
        to: String,
    },
    /// The policy requires a `version` section and a module has none.
    #[error("missing version: {module} has no `version` section and the policy requires one")]
    MissingVersion {
        /// Which module: the new module, or the one serving.
        module: String,
    },
    /// A registry's index is malformed or is not the index asked for.
    #[error("invalid registry index `{url}`: {reason}")]
    InvalidIndex {
        /// The index's URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A Warg registry's log does not verify: a record's signature, the hash chain, a
    /// permission the signer lacks, or the checkpoint (its signature, or the inclusion of the
    /// log's head). Names the record by its place in its log and its id.
    #[error("the Warg registry `{registry}` served a log that does not verify: {reason}")]
    RegistryLogInvalid {
        /// The registry's URL.
        registry: String,
        /// Which record or checkpoint, and what does not verify.
        reason: String,
    },
    /// No published version matches what was asked.
    #[error("no version of `{name}` matches `{wanted}`; published: {available}")]
    NoMatchingVersion {
        /// The package.
        name: String,
        /// The range or version asked for.
        wanted: String,
        /// What the index lists.
        available: String,
    },
    /// A staged update was committed after another version had been committed since it was
    /// prepared, or after it was committed or discarded already.
    #[error("stale update: {reason}; prepare it again")]
    StaleUpdate {
        /// What made it stale.
        reason: String,
    },
    /// An export was called while a commit was running (re-entrantly, from a guest import).
    #[error("export `{export}` was called during a swap's commit; call it again after the swap")]
    SwapInProgress {
        /// The export that was called.
        export: String,
    },
    /// `rollback()` with no earlier version kept to roll back to.
    #[error("nothing to roll back to: {reason}")]
    NothingToRollBack {
        /// Why no version is kept.
        reason: String,
    },
    /// The policy's health check answered false, threw or rejected right after a commit; the
    /// module rolled back to the version before.
    #[error("health check failed: {reason}; rolled back to {to}")]
    HealthCheckFailed {
        /// What the health check answered.
        reason: String,
        /// The version serving again.
        to: String,
    },
    /// The calls in flight in an async (JSPI) guest did not settle within `drainTimeout` before
    /// a swap's commit, or were in flight at a staged update's synchronous `commit()`. The old
    /// version serves them and the calls queued meanwhile, with its state.
    #[error("drain timeout: {in_flight} call(s) to the async guest were still in flight {reason}; the version serving goes on serving them, and the calls queued meanwhile")]
    DrainTimeout {
        /// How many calls were in flight.
        in_flight: u32,
        /// How long it waited, or why it could not.
        reason: String,
    },
    /// `policy.trust` requires a signature and the version has none: no signature file next
    /// to its index entry, no cosign signature tag for its manifest, or a `{ url, digest }`
    /// load, which has no registry to carry one.
    #[error("signature missing for {what}: {reason}; `policy.trust` requires a signature by a trusted key (publish with `hotswap publish --sign KEY`)")]
    SignatureMissing {
        /// The version (`acme/counter@1.2.0`) or URL.
        what: String,
        /// Where none was found.
        reason: String,
    },
    /// The signature does not verify under any trusted key, is malformed, or its payload
    /// does not name exactly this package, version and digests.
    #[error("signature invalid for {what}: {reason}")]
    SignatureInvalid {
        /// The version (`acme/counter@1.2.0`) or URL.
        what: String,
        /// Why it was refused.
        reason: String,
    },
}

fn fmt_offset(offset: Option<u64>) -> String {
    match offset {
        Some(at) => format!(" (at byte offset {at})"),
        None => String::new(),
    }
}

impl Error {
    /// The stable code of this error, as `HotSwapError.code` shows it in JS.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidDigest { .. } => "INVALID_DIGEST",
            Error::InvalidOptions { .. } => "INVALID_OPTIONS",
            Error::FetchFailed { .. } => "FETCH_FAILED",
            Error::HashMismatch { .. } => "HASH_MISMATCH",
            Error::InvalidModule { .. } => "INVALID_MODULE",
            Error::UnsupportedComponent => "UNSUPPORTED_COMPONENT",
            Error::IncompatibleInterface { .. } => "INCOMPATIBLE_INTERFACE",
            Error::InvalidGuest { .. } => "INVALID_GUEST",
            Error::CompileForbidden { .. } => "WASM_COMPILE_FORBIDDEN",
            Error::InstantiateFailed { .. } => "INSTANTIATE_FAILED",
            Error::StateSaveFailed { .. } => "STATE_SAVE_FAILED",
            Error::StateLoadFailed { .. } => "STATE_LOAD_FAILED",
            Error::SemverViolation { .. } => "SEMVER_VIOLATION",
            Error::MajorUpgradeRefused { .. } => "MAJOR_UPGRADE_REFUSED",
            Error::DowngradeRefused { .. } => "DOWNGRADE_REFUSED",
            Error::MissingVersion { .. } => "MISSING_VERSION",
            Error::InvalidIndex { .. } => "INVALID_INDEX",
            Error::NoMatchingVersion { .. } => "NO_MATCHING_VERSION",
            Error::RegistryLogInvalid { .. } => "REGISTRY_LOG_INVALID",
            Error::StaleUpdate { .. } => "STALE_UPDATE",
            Error::SwapInProgress { .. } => "SWAP_IN_PROGRESS",
            Error::NothingToRollBack { .. } => "NOTHING_TO_ROLL_BACK",
            Error::HealthCheckFailed { .. } => "HEALTH_CHECK_FAILED",
            Error::DrainTimeout { .. } => "DRAIN_TIMEOUT",
            Error::SignatureMissing { .. } => "SIGNATURE_MISSING",
            Error::SignatureInvalid { .. } => "SIGNATURE_INVALID",
        }
    }
}

impl From<wasmparser::BinaryReaderError> for Error {
    fn from(err: wasmparser::BinaryReaderError) -> Self {
        Error::InvalidModule {
            reason: err.message().to_string(),
            offset: Some(err.offset()),
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every code [`Error::code`] can return, for documentation and for the TypeScript union.
pub const CODES: &[&str] = &[
    "INVALID_DIGEST",
    "INVALID_OPTIONS",
    "FETCH_FAILED",
    "HASH_MISMATCH",
    "INVALID_MODULE",
    "UNSUPPORTED_COMPONENT",
    "INCOMPATIBLE_INTERFACE",
    "INVALID_GUEST",
    "WASM_COMPILE_FORBIDDEN",
    "INSTANTIATE_FAILED",
    "STATE_SAVE_FAILED",
    "STATE_LOAD_FAILED",
    "SEMVER_VIOLATION",
    "MAJOR_UPGRADE_REFUSED",
    "DOWNGRADE_REFUSED",
    "MISSING_VERSION",
    "INVALID_INDEX",
    "NO_MATCHING_VERSION",
    "REGISTRY_LOG_INVALID",
    "STALE_UPDATE",
    "SWAP_IN_PROGRESS",
    "NOTHING_TO_ROLL_BACK",
    "HEALTH_CHECK_FAILED",
    "DRAIN_TIMEOUT",
    "SIGNATURE_MISSING",
    "SIGNATURE_INVALID",
];
