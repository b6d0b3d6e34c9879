//! Registries: where a package name and a wanted version become one module to fetch, named by
//! its digest.
//!
//! This layer sits before the pipeline's first stage. It ends where a module given by URL and
//! digest begins: with a `Resolved`, whose source `crate::fetch::fetch` then fetches and
//! verifies like any other. Nothing a registry says is trusted beyond that: the bytes must hash
//! to the digest it named, and their `version` section must be the version it listed
//! (`check_listed_version`).
//!
//! Three kinds of registry, each in a pure half (formats and rules, built natively and shared
//! with the `hotswap` CLI, which publishes with the same types) and a browser half (wasm32,
//! over `fetch`):
//!
//! - a static registry, a folder of files any web server serves: [`index`] is its
//!   `index.json` format and the selection rule; the browser half fetches, revalidates and
//!   reads the index (by hand from parsed JSON, not through a serde JS-value deserializer,
//!   which would cost the runtime ~20 KB) and resolves a version with `resolve_static`;
//! - an OCI registry: [`oci`] holds the Wasm artifact layout and the pure rules of the
//!   protocol (tags, manifests, bearer challenges, `Link` pages, repository names), and, with
//!   the `updates` feature, the browser's client `oci::resolve_oci`;
//! - a Warg registry (feature `warg`): [`warg`] validates the operator and package logs, the
//!   checkpoint and its inclusion proofs, and its browser half `warg::resolve_warg` asks a
//!   Warg server for them.
//!
//! The browser halves send their requests through the module fetch's one `send`, and refuse
//! statuses and cancel bodies with its helpers.

use crate::error::Error;

pub mod index;
#[cfg(target_arch = "wasm32")]
mod index_fetch;
#[cfg(target_arch = "wasm32")]
mod index_json;
pub mod oci;
#[cfg(target_arch = "wasm32")]
mod resolved;
pub mod warg;

#[cfg(target_arch = "wasm32")]
pub use index_fetch::{
    fetch_index, index_from_text, resolve_static, revalidate_index, Revalidated,
};
#[cfg(target_arch = "wasm32")]
pub(crate) use resolved::check_listed_version;
#[cfg(target_arch = "wasm32")]
pub use resolved::{Resolved, ResolvedCore, ResolvedGlue};

/// `INVALID_INDEX` for what a registry served at `url`: an index, a tag list or a manifest.
pub(crate) fn invalid_index(url: &str, reason: String) -> Error {
    Error::InvalidIndex {
        url: url.to_string(),
        reason,
    }
}
