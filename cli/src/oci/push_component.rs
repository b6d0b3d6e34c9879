//! Pushing a component to an OCI registry: the component's rules against the registry's
//! tags, the transpile, then the config and layers, then the manifest.
//!
//! ```text
//! config  application/vnd.wasm.config.v0+json   {"os": "wasip2", "architecture": "wasm",
//!                                                "layerDigests": [every layer, in order]}
//! layer   application/wasm                      the component (first: `wkg oci pull` and
//!                                                other Wasm OCI tools take it)
//! layer   application/vnd.wasm-hotswap.jco.v1+javascript
//!                                               the JS `jco transpile --instantiation async`
//!                                                wrote; title `counter.js`
//! layer   application/vnd.wasm-hotswap.core.v1+wasm, one per core module, in name order;
//!                                               title = the name the JS asks getCoreModule for
//! ```

use std::collections::BTreeMap;

use semver::Version;
use serde::Serialize;
use wasm_hotswap::digest::Digest;
use wasm_hotswap::registry::oci::{
    newest_tag, Descriptor, Manifest, WasmConfig, ARCHITECTURE, CONFIG_MEDIA_TYPE, CORE_MEDIA_TYPE,
    JCO_MEDIA_TYPE, LAYER_MEDIA_TYPE, MANIFEST_MEDIA_TYPE, TITLE_ANNOTATION, VERSION_ANNOTATION,
};

use super::client::Client;
use super::push::{
    corrupt, list_tags, now_rfc3339, pull_blob, pull_manifest, put_manifest, upload_blob,
};
use super::Target;
use crate::component::Component;
use crate::exit::Failure;
use crate::jco;
use crate::registry::publish::{check_greater, Previous, VersionSection};
use crate::registry::publish_component::{check_bump, transpile};
use crate::registry::PackageName;

/// The config's `os` for a component, as `wkg` and `oci-wasm` write it.
pub const COMPONENT_OS: &str = "wasip2";

/// A component to push, and where.
#[derive(Debug, Clone)]
pub struct Request {
    /// The component as read from its file.
    pub component: Component,
    /// The package name.
    pub name: PackageName,
    /// The version: the tag, and the `version` section.
    pub version: Version,
    /// The registry and repository.
    pub target: Target,
    /// The `jco` program.
    pub jco: Option<std::path::PathBuf>,
}

/// One pushed layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushedLayer {
    /// Its title annotation: the file name.
    pub name: String,
    /// Its media type.
    pub media_type: &'static str,
    /// Its digest.
    pub digest: String,
    /// Its size.
    pub size: u64,
    /// Whether the registry already had it.
    pub layer_existed: bool,
}

/// A successful push of a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pushed {
    /// The package name.
    pub name: String,
    /// The repository pushed to.
    pub repository: String,
    /// `host[:port]/repository:version`.
    pub reference: String,
    /// The version, also the tag.
    pub version: Version,
    /// Always `component`.
    pub kind: &'static str,
    /// Digest of the manifest.
    pub manifest_digest: String,
    /// Digest of the config blob.
    pub config_digest: String,
    /// The layers in manifest order: the component, the JS, the core modules.
    pub layers: Vec<PushedLayer>,
    /// Whether the version section was present or written.
    pub version_section: VersionSection,
    /// The highest version tagged before, if any.
    pub previous: Option<Previous>,
}

/// Pushes `request.component` as `request.version`, by the rules of
/// [`crate::registry::publish_component::publish`] with the registry's tags as the published
/// versions (the highest tag's component is its first layer, checked against its digest).
/// Then the config and the layers are uploaded (a blob the registry has is not sent again)
/// and the manifest is put under the tag, in the layout of this module's documentation.
///
/// # Errors
/// As the folder publish; `SEMVER_VIOLATION` when the highest tag is a core module and the
/// bump is not major; `REGISTRY_CORRUPT` (exit 2); `REGISTRY_ERROR` (exit 3).
pub fn push(request: &Request, client: &Client) -> Result<Pushed, Failure> {
    let Request {
        component,
        name,
        version,
        target,
        jco,
    } = request;
    let (component, version_section) = component.versioned(version)?;
    let tags = list_tags(client, target)?;
    let previous = match newest_tag(&tags) {
        Some(newest) => {
            check_greater(&newest, version)?;
            let (url, manifest) = pull_manifest(client, target, &newest)?;
            let first = manifest
                .layers
                .first()
                .filter(|l| l.media_type == LAYER_MEDIA_TYPE)
                .ok_or_else(|| {
                    corrupt(format!(
                        "manifest `{url}` has no `{LAYER_MEDIA_TYPE}` first layer"
                    ))
                })?;
            let digest: Digest = first
                .digest
                .parse()
                .map_err(|e| corrupt(format!("manifest `{url}`: layer digest: {e}")))?;
            let (blob_url, bytes) = pull_blob(client, target, &digest)?;
            // A core module's bytes there make check_bump report the change of guest kind.
            Some(check_bump(
                &newest,
                &(blob_url.into(), bytes),
                &component,
                version,
            )?)
        }
        None => None,
    };
    let prepared = transpile(component, version_section, name, jco.as_deref())?;
    let component = &prepared.component;

    let title = format!(
        "{}.component.wasm",
        name.parts().last().unwrap_or("component")
    );
    let mut files: Vec<(&'static str, String, &[u8], Digest)> =
        vec![(LAYER_MEDIA_TYPE, title, &component.bytes, component.digest)];
    let js: &jco::File = &prepared.transpiled.js;
    files.push((JCO_MEDIA_TYPE, js.name.clone(), &js.bytes, js.digest));
    for core in &prepared.transpiled.cores {
        files.push((CORE_MEDIA_TYPE, core.name.clone(), &core.bytes, core.digest));
    }

    let config = WasmConfig {
        created: now_rfc3339(),
        author: None,
        architecture: ARCHITECTURE.into(),
        os: COMPONENT_OS.into(),
        layer_digests: files.iter().map(|f| f.3.to_string()).collect(),
    };
    let config_bytes = serde_json::to_vec(&config).expect("a config serializes");
    let config_digest = Digest::of(&config_bytes).to_string();
    upload_blob(client, target, &config_bytes)?;
    let mut layers = Vec::new();
    for (media_type, name, bytes, digest) in &files {
        layers.push(PushedLayer {
            name: name.clone(),
            media_type,
            digest: digest.to_string(),
            size: bytes.len() as u64,
            layer_existed: upload_blob(client, target, bytes)?,
        });
    }
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(MANIFEST_MEDIA_TYPE.into()),
        config: Descriptor {
            media_type: CONFIG_MEDIA_TYPE.into(),
            digest: config_digest.clone(),
            size: config_bytes.len() as u64,
            annotations: BTreeMap::new(),
        },
        layers: layers
            .iter()
            .map(|l| Descriptor {
                media_type: l.media_type.into(),
                digest: l.digest.clone(),
                size: l.size,
                annotations: BTreeMap::from([(TITLE_ANNOTATION.into(), l.name.clone())]),
            })
            .collect(),
        annotations: BTreeMap::from([
            (VERSION_ANNOTATION.to_string(), version.to_string()),
            (
                "org.opencontainers.image.created".to_string(),
                config.created.clone(),
            ),
        ]),
    };
    let manifest_digest = put_manifest(client, target, version, &manifest)?;
    Ok(Pushed {
        name: name.to_string(),
        repository: target.repository.clone(),
        reference: target.reference(&version.to_string()),
        version: version.clone(),
        kind: "component",
        manifest_digest,
        config_digest,
        layers,
        version_section,
        previous,
    })
}
