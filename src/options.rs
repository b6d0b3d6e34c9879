//! What `load` and `swap` are asked to do, as plain Rust values, and the rules that check them.
//!
//! The browser half (`api::options`) only reads the JS options object, checking each field's
//! type, into [`Fields`]. Everything else is decided here, natively tested: which source the
//! fields describe, which of them may go together, and what `swap` takes from `load` when it
//! leaves an option out ([`Defaults`]).
//!
//! The JS values that pass through untouched (bytes, the imports object, callbacks) are the
//! [`Host`]'s types, so the same rules run over JS values in the browser and over plain
//! stand-ins in tests.

use std::rc::Rc;

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::expect::{Expectation, WitExpectation};
use crate::policy::Policy;
use crate::registry::index::{GlueKind, PackageName, Wanted};

/// The host's types for the values options carry but the rules do not look into.
pub trait Host: Default {
    /// Module bytes in hand (`bytes`).
    type Bytes;
    /// The imports object (`imports`).
    type Imports: Clone;
    /// A callback (`fetch`, `allowMajor`).
    type Function: Clone;
}

/// Consent to major upgrades (`policy.allowMajor`, a watch's `allowMajor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowMajor<F> {
    /// Absent or `false`: refused.
    No,
    /// `true`: every major upgrade is consented to.
    Yes,
    /// A callback asked for each major upgrade.
    Ask(F),
}

impl<F> AllowMajor<F> {
    /// Whether a major upgrade can be consented to at all (`true` or a callback).
    pub fn possible(&self) -> bool {
        !matches!(self, AllowMajor::No)
    }
}

/// The `policy` option: the version rules and the consent to major upgrades.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdatePolicy<F> {
    /// Downgrades and required versions.
    pub rules: Policy,
    /// Consent to major upgrades.
    pub allow_major: AllowMajor<F>,
    /// How long after a commit the previous version stands by to take over (`probation`).
    pub probation: Option<Probation>,
    /// Asked right after each commit whether the new version is healthy (`healthCheck`).
    pub health_check: Option<F>,
    /// The keys one of which must have signed each version (`trust`); `None`: no signature
    /// is required.
    pub trust: Option<Rc<crate::signature::Trust>>,
}

impl<F> Default for UpdatePolicy<F> {
    fn default() -> Self {
        UpdatePolicy {
            rules: Policy::default(),
            allow_major: AllowMajor::No,
            probation: None,
            health_check: None,
            trust: None,
        }
    }
}

/// `policy.probation: { ms, calls }`: after a commit, the previous version and its state at
/// the swap stand by until `ms` milliseconds have passed or `calls` calls have returned,
/// whichever comes first, and a trap in the new version rolls back to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probation {
    /// Milliseconds; `None` for no time limit.
    pub ms: Option<f64>,
    /// Calls; `None` for no call limit.
    pub calls: Option<u32>,
}

impl Probation {
    /// A probation of `ms` and `calls`, at least one of them given.
    ///
    /// # Errors
    /// [`Error::InvalidOptions`] naming `policy.probation`: neither given, or `ms` not a
    /// positive finite number, or `calls` not a positive whole number.
    pub fn new(ms: Option<f64>, calls: Option<f64>) -> Result<Probation> {
        let option = "policy.probation";
        if ms.is_some_and(|ms| !(ms > 0.0 && ms.is_finite())) {
            return Err(invalid(
                option,
                "`ms` must be a positive number of milliseconds",
            ));
        }
        let calls = match calls {
            Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => Some(n as u32),
            Some(_) => return Err(invalid(option, "`calls` must be a positive whole number")),
            None => None,
        };
        if ms.is_none() && calls.is_none() {
            return Err(invalid(
                option,
                "give `ms`, `calls` or both: when probation ends",
            ));
        }
        Ok(Probation { ms, calls })
    }
}

/// How many versions `load`'s `retain` keeps by default: the one serving and the one before.
pub const DEFAULT_RETAIN: usize = 2;

/// `retain`: how many versions a module keeps, the serving one included.
///
/// # Errors
/// [`Error::InvalidOptions`] naming `retain` unless a whole number from 1 to 100.
pub fn retain(value: Option<f64>) -> Result<usize> {
    match value {
        None => Ok(DEFAULT_RETAIN),
        Some(n) if (1.0..=100.0).contains(&n) && n.fract() == 0.0 => Ok(n as usize),
        Some(_) => Err(invalid(
            "retain",
            "expected a whole number of versions from 1 (none kept for rollback) to 100",
        )),
    }
}

/// How long `load`'s and `swap`'s `drainTimeout` lets the calls in flight in an async guest
/// settle before a commit, by default: 5 seconds.
pub const DEFAULT_DRAIN_TIMEOUT: f64 = 5000.0;

/// `drainTimeout`: the milliseconds a swap of an async (JSPI) guest waits for the calls in
/// flight in the old instance to settle before it gives up with `DRAIN_TIMEOUT`.
///
/// - absent => `default` (`load`'s, else [`DEFAULT_DRAIN_TIMEOUT`]);
/// - `0` => no wait: the swap fails at once if a call is in flight;
/// - `250` => 250 ms;
/// - negative, infinite or not a number => [`Error::InvalidOptions`] naming `drainTimeout`.
///
/// # Errors
/// As listed.
pub fn drain_timeout(value: Option<f64>, default: Option<f64>) -> Result<f64> {
    match value {
        None => Ok(default.unwrap_or(DEFAULT_DRAIN_TIMEOUT)),
        Some(ms) if ms >= 0.0 && ms.is_finite() => Ok(ms),
        Some(_) => Err(invalid(
            "drainTimeout",
            "expected a number of milliseconds, 0 or more",
        )),
    }
}

/// What a registry calls a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Package {
    /// In a static registry: `packages/<name>/index.json`.
    Static(PackageName),
    /// In an OCI registry (`registry: "oci+https://…"`): the repository, whose tags are versions.
    Oci(String),
    /// In a Warg registry (`registry: "warg+https://…"`): the package `namespace:name`, whose
    /// package log lists its releases.
    Warg(String),
}

/// A package in a registry, and which of its versions is wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRef {
    /// The registry's root URL, ending in `/` (`oci+` and all, for an OCI registry).
    pub base: String,
    /// The package.
    pub package: Package,
    /// The range (`load`) or version (`swap`) wanted.
    pub wanted: Wanted,
}

impl RegistryRef {
    /// The URL of `path` below the registry's root.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Where a module comes from.
#[derive(Debug)]
pub enum Origin<B> {
    /// A URL (`Some`) or the bytes in hand (`None`, see [`Options::bytes`]), with the digest
    /// they must hash to.
    Fixed {
        /// The URL, or `None` for bytes.
        url: Option<String>,
        /// The digest the bytes must hash to.
        digest: Digest,
        /// The bytes, for `None`.
        bytes: Option<B>,
    },
    /// A version a registry's index resolves to a digest.
    Registry(Rc<RegistryRef>),
    /// A version of an index already in hand (a watch's): its blob's URL, digest and version.
    Listed {
        /// The blob's URL.
        url: String,
        /// The digest the index lists.
        digest: Digest,
        /// The version the index lists, which the module's `version` section must repeat.
        version: Rc<semver::Version>,
    },
}

/// Where a guest's JS glue comes from (`glue: { url, digest }` or `glue: { bytes, digest }`),
/// checked like a module's source.
#[derive(Debug)]
pub struct GlueSource<B> {
    /// The URL, or `None` for bytes.
    pub url: Option<String>,
    /// The bytes, for `None`.
    pub bytes: Option<B>,
    /// The digest the glue's bytes must hash to.
    pub digest: Digest,
    /// Which toolchain wrote it (`glue.kind`), and so how it runs.
    pub kind: GlueKind,
}

/// The `glue` option, its fields read.
#[derive(Debug, Default)]
pub struct GlueFields<B> {
    /// `glue.url`.
    pub url: Option<String>,
    /// `glue.bytes`.
    pub bytes: Option<B>,
    /// `glue.digest`.
    pub digest: Option<String>,
    /// `glue.kind`.
    pub kind: Option<String>,
}

impl<B> GlueFields<B> {
    /// The glue these fields name:
    ///
    /// - `url` or `bytes` (exactly one) with `digest` => a [`GlueSource`];
    /// - `kind` absent or `"wasm-bindgen"` => [`GlueKind::WasmBindgen`], `"assemblyscript"`
    ///   => [`GlueKind::AssemblyScript`];
    /// - otherwise => [`Error::InvalidOptions`] naming `glue.url`, `glue.digest` or
    ///   `glue.kind` (`"jco"` too: a component's JS needs its core modules, which only a
    ///   registry's index names).
    ///
    /// # Errors
    /// As listed, and [`Error::InvalidDigest`].
    pub fn source(self) -> Result<GlueSource<B>> {
        let kind = match self.kind.as_deref() {
            None | Some("wasm-bindgen") => GlueKind::WasmBindgen,
            Some("assemblyscript") => GlueKind::AssemblyScript,
            Some("jco") => return Err(invalid("glue.kind", "a component's transpiled JS needs its core modules, which only a registry's index names: publish the component with `hotswap publish` and load it with `{ registry, name }`")),
            Some(_) => return Err(invalid("glue.kind", "expected `\"wasm-bindgen\"` (the default) or `\"assemblyscript\"`")),
        };
        let digest = self
            .digest
            .ok_or_else(|| {
                invalid(
                    "glue.digest",
                    "expected a string `sha256:<64 lowercase hex>`, the digest of the glue's bytes",
                )
            })?
            .parse()?;
        match (self.url, self.bytes) {
            (Some(_), Some(_)) => Err(invalid("glue.url", "give `url` or `bytes`, not both")),
            (None, None) => Err(invalid("glue.url", "give the glue's `url` or `bytes`")),
            (url, bytes) => Ok(GlueSource {
                url,
                bytes,
                digest,
                kind,
            }),
        }
    }
}

/// The `expect` option, its fields read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectFields {
    /// `exports`: name and type text, in order.
    pub exports: Vec<(String, String)>,
    /// `wit`: WIT text.
    pub wit: Option<String>,
    /// `world`: which world of `wit`.
    pub world: Option<String>,
}

impl ExpectFields {
    /// The expectation these fields declare.
    ///
    /// - export type texts as [`Expectation::parse`] reads them;
    /// - `wit` in a build without the `wit` feature => [`Error::InvalidOptions`] naming the
    ///   entry point that has it.
    ///
    /// # Errors
    /// As listed.
    pub fn expectation(&self) -> Result<Expectation> {
        let pairs = self.exports.iter().map(|(n, t)| (n.as_str(), t.as_str()));
        let mut expectation = Expectation::parse(pairs)?;
        if let Some(text) = &self.wit {
            if cfg!(not(feature = "wit")) {
                return Err(invalid(
                    "expect.wit",
                    "this build of the runtime has no WIT support; import `wasm-hotswap/wit` instead",
                ));
            }
            expectation.wit = Some(WitExpectation {
                text: text.clone(),
                world: self.world.clone(),
            });
        }
        Ok(expectation)
    }
}

/// The fields of a `load` or `swap` options object, each of the right type (the reader checked
/// that), none yet checked against the others.
#[derive(Default)]
pub struct Fields<H: Host> {
    /// `url`.
    pub url: Option<String>,
    /// `bytes`.
    pub bytes: Option<H::Bytes>,
    /// `digest`.
    pub digest: Option<String>,
    /// `registry`.
    pub registry: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `range`.
    pub range: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `imports`.
    pub imports: Option<H::Imports>,
    /// `fetch`.
    pub fetch: Option<H::Function>,
    /// `timeout`, in milliseconds.
    pub timeout: Option<f64>,
    /// `expect`.
    pub expect: Option<ExpectFields>,
    /// `policy`.
    pub policy: Option<UpdatePolicy<H::Function>>,
    /// `glue`.
    pub glue: Option<GlueFields<H::Bytes>>,
    /// `retain`.
    pub retain: Option<f64>,
    /// `onProgress`.
    pub on_progress: Option<H::Function>,
    /// `drainTimeout`, in milliseconds.
    pub drain_timeout: Option<f64>,
}

/// What `swap` takes from `load` when it leaves an option out.
#[derive(Default)]
pub struct Defaults<H: Host> {
    /// `load`'s `fetch`, with its timeout.
    pub fetch: Option<H::Function>,
    /// The registry package `load` resolved.
    pub registry: Option<Rc<RegistryRef>>,
    /// `load`'s expectation.
    pub expect: Rc<Expectation>,
    /// `load`'s policy.
    pub policy: Rc<UpdatePolicy<H::Function>>,
    /// `load`'s `drainTimeout`.
    pub drain_timeout: Option<f64>,
}

/// `load` and `swap` options, checked.
pub struct Options<H: Host> {
    /// Where the module comes from.
    pub origin: Origin<H::Bytes>,
    /// The imports object; `None` for `swap`'s default, the one in use.
    pub imports: Option<H::Imports>,
    /// The `fetch` to use (given, or `load`'s), before [`Options::timeout`] applies.
    pub fetch: Option<H::Function>,
    /// Milliseconds each request may take, on top of any deadline `fetch` already has.
    pub timeout: Option<f64>,
    /// What the app needs of the module.
    pub expect: Rc<Expectation>,
    /// Which version steps are allowed.
    pub policy: Rc<UpdatePolicy<H::Function>>,
    /// The guest's JS glue, when it has one. A registry's index names its own.
    pub glue: Option<GlueSource<H::Bytes>>,
    /// How many versions to keep, the serving one included (`load`'s `retain`).
    pub retain: usize,
    /// Told `{ loaded, total, url }` as each blob of the version downloads (`onProgress`).
    pub on_progress: Option<H::Function>,
    /// Milliseconds a swap of an async guest waits for its calls in flight ([`drain_timeout`]).
    pub drain_timeout: f64,
}

impl<H: Host> Options<H> {
    /// Checks `fields` against each other, filling what is left out from `defaults`:
    ///
    /// - `url` or `bytes`, with `digest` => [`Origin::Fixed`];
    /// - `registry`, `name` and `range` or `version`; or for `swap` any of them, the rest
    ///   from `load`'s package => [`Origin::Registry`] ([`origin`]);
    /// - `timeout` => a positive, finite number of milliseconds;
    /// - `drainTimeout` => 0 or more milliseconds, else `defaults`' ([`drain_timeout`]);
    /// - `fetch`, `expect`, `policy` => as given, else `defaults`';
    /// - a `policy` without `trust` => `defaults`' trust: a swap can loosen the version
    ///   rules but not drop the signature `load` required (give other keys to change them).
    ///
    /// # Errors
    /// [`Error::InvalidOptions`] naming the option; [`Error::InvalidDigest`].
    pub fn check(mut fields: Fields<H>, defaults: &Defaults<H>) -> Result<Self> {
        let timeout = match fields.timeout {
            Some(ms) if !(ms > 0.0 && ms.is_finite()) => {
                return Err(invalid(
                    "timeout",
                    "expected a positive number of milliseconds",
                ))
            }
            timeout => timeout,
        };
        let expect = match fields.expect.take() {
            Some(expect) => Rc::new(expect.expectation()?),
            None => Rc::clone(&defaults.expect),
        };
        let policy = match fields.policy.take() {
            Some(mut policy) => {
                if policy.trust.is_none() {
                    policy.trust.clone_from(&defaults.policy.trust);
                }
                Rc::new(policy)
            }
            None => Rc::clone(&defaults.policy),
        };
        let fetch = fields.fetch.take().or_else(|| defaults.fetch.clone());
        let imports = fields.imports.take();
        let glue = fields.glue.take().map(GlueFields::source).transpose()?;
        if glue.is_some() && (fields.registry.is_some() || fields.name.is_some()) {
            return Err(invalid(
                "glue",
                "a registry's index names the glue of each version; give `glue` with `url` or `bytes` only",
            ));
        }
        let retain = retain(fields.retain.take())?;
        let on_progress = fields.on_progress.take();
        let drain_timeout = drain_timeout(fields.drain_timeout.take(), defaults.drain_timeout)?;
        Ok(Options {
            origin: origin(fields, defaults.registry.as_deref())?,
            imports,
            fetch,
            timeout,
            expect,
            policy,
            glue,
            retain,
            on_progress,
            drain_timeout,
        })
    }

    /// The bytes of an [`Origin::Fixed`] given as `bytes`.
    pub fn bytes(&self) -> Option<&H::Bytes> {
        match &self.origin {
            Origin::Fixed { bytes, .. } => bytes.as_ref(),
            _ => None,
        }
    }
}

/// Where the fields say the module comes from:
///
/// - `url`, `bytes` or `digest` with any of `registry`, `name`, `range`, `version` => refused;
/// - `url` or `bytes` (exactly one) with `digest` => fixed; so is anything without a registry
///   field when there is no `load` package to default to;
/// - otherwise a registry package: `registry` (a trailing `/` added) else `load`'s; `name`
///   (an OCI repository under `oci+`, a Warg `namespace:name` under `warg+`) else `load`'s;
///   `range` or `version` (not both) else `load`'s wanted, else `*`.
///
/// # Errors
/// [`Error::InvalidOptions`] naming the option; [`Error::InvalidDigest`]; a name or range
/// that does not parse.
pub fn origin<H: Host>(
    fields: Fields<H>,
    default: Option<&RegistryRef>,
) -> Result<Origin<H::Bytes>> {
    let fixed = fields.url.is_some() || fields.bytes.is_some() || fields.digest.is_some();
    let registered = fields.registry.is_some()
        || fields.name.is_some()
        || fields.range.is_some()
        || fields.version.is_some();
    if fixed && registered {
        return Err(invalid(
            "registry",
            "give `url` or `bytes` with `digest`, or a registry package, not both",
        ));
    }
    if fixed || (!registered && default.is_none()) {
        return fixed_origin(fields);
    }
    Ok(Origin::Registry(Rc::new(registry_ref(fields, default)?)))
}

fn fixed_origin<H: Host>(fields: Fields<H>) -> Result<Origin<H::Bytes>> {
    let digest = fields
        .digest
        .ok_or_else(|| invalid("digest", "expected a string `sha256:<64 lowercase hex>`"))?
        .parse()?;
    match (fields.url, fields.bytes) {
        (Some(_), Some(_)) => Err(invalid("url", "give `url` or `bytes`, not both")),
        (None, None) => Err(invalid("url", "give `url` or `bytes`")),
        (url, bytes) => Ok(Origin::Fixed { url, digest, bytes }),
    }
}

fn registry_ref<H: Host>(fields: Fields<H>, default: Option<&RegistryRef>) -> Result<RegistryRef> {
    let base = match (fields.registry, default) {
        (Some(base), _) if base.ends_with('/') => base,
        (Some(base), _) => format!("{base}/"),
        (None, Some(default)) => default.base.clone(),
        (None, None) => return Err(invalid("registry", "expected the registry's root URL")),
    };
    let package = match (fields.name, default) {
        (Some(name), _) if base.starts_with("oci+") => {
            crate::registry::oci::check_repository(&name, "name")?;
            Package::Oci(name)
        }
        (Some(name), _) if base.starts_with(crate::registry::warg::PREFIX) => {
            crate::registry::warg::check_name(&name, "name")?;
            Package::Warg(name)
        }
        (Some(name), _) => Package::Static(name.parse()?),
        (None, Some(default)) => default.package.clone(),
        (None, None) => return Err(invalid("name", "expected the package's name")),
    };
    let wanted = match (fields.range, fields.version, default) {
        (Some(_), Some(_), _) => {
            return Err(invalid("version", "give `range` or `version`, not both"))
        }
        (Some(range), None, _) => Wanted::range(&range, "range")?,
        (None, Some(version), _) => Wanted::version(&version, "version")?,
        (None, None, Some(default)) => default.wanted.clone(),
        (None, None, None) => Wanted::range("*", "range")?,
    };
    Ok(RegistryRef {
        base,
        package,
        wanted,
    })
}

/// [`Error::InvalidOptions`] for `option`.
pub fn invalid(option: &'static str, reason: &str) -> Error {
    Error::InvalidOptions {
        option,
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests;
