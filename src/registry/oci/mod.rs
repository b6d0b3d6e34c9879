//! OCI registries: the Wasm artifact layout, and the pure parts of talking to a registry
//! (bearer challenges, `Link` pagination, tag selection, manifest checks), one file each. The
//! browser's requests are in `fetch` (wasm32, feature `updates`); the CLI pushes with the
//! same types.
//!
//! A module is stored as the CNCF Wasm OCI artifact (what wkg and `oci-wasm` push and pull):
//!
//! ```text
//! image manifest   application/vnd.oci.image.manifest.v1+json, schemaVersion 2, tagged with
//!                  the version (`1.2.0`), annotation org.opencontainers.image.version
//!   config         application/vnd.wasm.config.v0+json
//!                  {"created", "architecture": "wasm", "os": "wasip1", "layerDigests": [..]}
//!   layer          application/wasm: the module's bytes, `version` section included
//!   glue layer     application/vnd.wasm-hotswap.glue.v1+javascript, a wasm-bindgen guest
//!                  only: the `.js` glue `wasm-bindgen --target web` wrote for the module
//!                  ([`GLUE_MEDIA_TYPE`]), after the module's layer so that tools that know
//!                  only Wasm artifacts (wkg) still take the module; for an AssemblyScript
//!                  guest, application/vnd.wasm-hotswap.assemblyscript.v1+javascript: the
//!                  `.js` `asc --bindings raw` wrote ([`ASSEMBLYSCRIPT_MEDIA_TYPE`])
//! ```
//!
//! Resolving `name` + range against a registry:
//! 1. `GET /v2/<name>/tags/list`, following `Link: <…>; rel="next"` pages;
//! 2. keep the tags that are semantic versions and pick one with
//!    [`Wanted::select`](crate::registry::index::Wanted::select)'s rule
//!    ([`select_tag`]); OCI has no yank flag, so a deleted tag is the way to withdraw one;
//! 3. `GET /v2/<name>/manifests/<tag>` with `Accept: application/vnd.oci.image.manifest.v1+json`
//!    and check it is a Wasm artifact ([`Manifest::wasm_layers`]);
//! 4. the layer is `GET /v2/<name>/blobs/<digest>` (registries may redirect it to storage),
//!    verified against the digest the manifest names: a response header is never trusted;
//!    the glue layer, if any, likewise.
//!
//! A registry that wants a token answers 401 with `WWW-Authenticate: Bearer realm="…",
//! service="…",scope="…"`; the client asks the realm anonymously for a token
//! ([`Challenge::token_url`]) and repeats the request with `Authorization: Bearer <token>`.

mod challenge;
#[cfg(all(target_arch = "wasm32", feature = "updates"))]
mod fetch;
mod manifest;
#[cfg(all(target_arch = "wasm32", feature = "updates"))]
mod manifest_json;
mod repository;
mod tags;
mod url;

pub use challenge::Challenge;
#[cfg(all(target_arch = "wasm32", feature = "updates"))]
pub use fetch::{resolve_oci, resolve_oci_trusted};
pub use manifest::{
    Descriptor, Layer, Manifest, WasmConfig, WasmLayers, ARCHITECTURE, ASSEMBLYSCRIPT_MEDIA_TYPE,
    CONFIG_MEDIA_TYPE, CORE_MEDIA_TYPE, GLUE_MEDIA_TYPE, JCO_MEDIA_TYPE, LAYER_MEDIA_TYPE,
    MANIFEST_MEDIA_TYPE, MODULE_OS, TITLE_ANNOTATION, VERSION_ANNOTATION,
};
pub use repository::check_repository;
pub use tags::{newest_tag, select_tag};
pub use url::{base_url, next_link, resolve_url};
