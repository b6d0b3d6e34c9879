//! What a resolution ends with, and the check its module must pass once fetched.

use semver::Version;

use super::invalid_index;
use crate::digest::Digest;
use crate::error::Error;
use crate::fetch::Source;
use crate::interface::Interface;
use crate::registry::index::GlueKind;

/// What a registry resolved a wanted version to.
// `repr(C)` keeps the fields in this order. With rustc's own layout the pipeline, which
// inlines the resolution and moves these fields apart, copied them about: the default build's
// wasm grew by ~500 bytes over returning a tuple; with this it is smaller than before.
#[repr(C)]
pub struct Resolved {
    /// Where the module's bytes are: the blob's URL, with the registry's token in `init` when
    /// it asked for one.
    pub source: Source,
    /// The digest the registry named for them, which the fetch verifies.
    pub digest: Digest,
    /// The version the registry listed them as, which their `version` section must equal
    /// (`check_listed_version`).
    pub version: Version,
    /// A guest's JS glue, when the registry lists one for this version: a wasm-bindgen
    /// guest's, or a component's transpiled JS.
    pub glue: Option<ResolvedGlue>,
    /// A component's core modules, by the name its JS asks for them.
    pub cores: Vec<ResolvedCore>,
}

/// Where one of a component's core modules is, and the digest its bytes must have; fetched
/// from the same registry as the component, with the same `init`.
pub struct ResolvedCore {
    /// The name the transpiled JS asks `getCoreModule` for.
    pub name: String,
    /// The blob's URL.
    pub url: String,
    /// The digest the registry named for it.
    pub digest: Digest,
}

/// Where a wasm-bindgen guest's JS glue is, and the digest its bytes must have.
///
/// For a static registry the URL is `<base>blobs/sha256/<hex>`; for an OCI registry it is the
/// glue layer's `<base>/v2/<repository>/blobs/<digest>`, which a registry that asked for a
/// token serves with the same `Authorization` as the module (the module's
/// [`Source`]'s `init`).
pub struct ResolvedGlue {
    /// The glue blob's URL.
    pub url: String,
    /// The digest the registry named for it, which the fetch must verify.
    pub digest: Digest,
    /// Which toolchain wrote it.
    pub kind: GlueKind,
}

/// The module a registry lists as `listed` must say so in its own `version` section.
///
/// # Errors
/// [`Error::InvalidIndex`] naming `url`, the listed version and what the module says.
pub(crate) fn check_listed_version(
    url: &str,
    listed: &Version,
    interface: &Interface,
) -> Result<(), Error> {
    match &interface.version {
        Some(actual) if actual == listed => Ok(()),
        actual => Err(invalid_index(
            url,
            format!(
                "the index lists this blob as {listed}, but its `version` section says {}",
                actual
                    .as_ref()
                    .map_or_else(|| "nothing".to_string(), ToString::to_string)
            ),
        )),
    }
}
