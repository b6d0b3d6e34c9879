//! Publishing to an OCI registry: the static publish's rules against the registry's tags,
//! then the config and layer blobs (monolithic uploads, skipped when present), then the
//! manifest, tagged with the version.

use std::collections::BTreeMap;
use std::path::Path;

use semver::Version;
use serde::Serialize;
use ureq::http::Method;
use wasm_hotswap::digest::Digest;
use wasm_hotswap::registry::index::GlueKind;
use wasm_hotswap::registry::oci::{
    newest_tag, next_link, resolve_url, Descriptor, Manifest, WasmConfig, ARCHITECTURE,
    ASSEMBLYSCRIPT_MEDIA_TYPE, CONFIG_MEDIA_TYPE, GLUE_MEDIA_TYPE, JCO_MEDIA_TYPE,
    LAYER_MEDIA_TYPE, MANIFEST_MEDIA_TYPE, MODULE_OS, VERSION_ANNOTATION,
};

use super::client::{registry_error, Client};
use super::Target;
use crate::exit::{Exit, Failure};
use crate::glue::{guest, Glue};
use crate::module::Module;
use crate::registry::publish::{check_bump, check_greater, versioned, Previous, VersionSection};
use crate::registry::PackageName;

const TITLE: &str = "org.opencontainers.image.title";

/// What to push, and where.
#[derive(Debug, Clone)]
pub struct Request {
    /// The module as read from its file.
    pub module: Module,
    /// A wasm-bindgen module's JS glue (`--glue`), pushed as the second layer.
    pub glue: Option<Glue>,
    /// The package name.
    pub name: PackageName,
    /// The version: the tag, and the `version` section.
    pub version: Version,
    /// The registry and repository.
    pub target: Target,
}

/// A successful push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pushed {
    /// The package name.
    pub name: String,
    /// The repository pushed to.
    pub repository: String,
    /// `host[:port]/repository:version`, for other OCI tools.
    pub reference: String,
    /// The version, also the tag.
    pub version: Version,
    /// Digest of the layer: the module's bytes with their `version` section.
    pub digest: String,
    /// Size of the layer.
    pub size: u64,
    /// Digest of the manifest.
    pub manifest_digest: String,
    /// Digest of the config blob.
    pub config_digest: String,
    /// Whether the registry already had the layer, so that it was not uploaded.
    pub layer_existed: bool,
    /// The glue layer of a wasm-bindgen module.
    pub glue: Option<PushedGlue>,
    /// Whether the version section was present or written.
    pub version_section: VersionSection,
    /// The highest version tagged before, if any.
    pub previous: Option<Previous>,
}

/// A wasm-bindgen module's glue, pushed as the layer after the module's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushedGlue {
    /// Digest of the glue layer.
    pub digest: String,
    /// Its size.
    pub size: u64,
    /// [`GLUE_MEDIA_TYPE`], or [`ASSEMBLYSCRIPT_MEDIA_TYPE`] for AssemblyScript's raw
    /// bindings.
    pub media_type: &'static str,
    /// Whether the registry already had it.
    pub layer_existed: bool,
}

/// Pushes `request.module` (and its glue) as `request.version`.
///
/// Steps, each of which may refuse before anything is uploaded:
/// 1. glue exactly with a wasm-bindgen module, and the kind's guest contract ([`guest`]:
///    `INVALID_GUEST`, exit 2);
/// 2. the `version` section, checked or written ([`versioned`]);
/// 3. the registry's tags (`GET /v2/<name>/tags/list`, every page): `V` must be greater than
///    the highest semver tag ([`check_greater`]);
/// 4. that tag's manifest must be a Wasm artifact, its layer's bytes must hash to the digest
///    it names, and the bump must cover the interface change from that module ([`check_bump`]).
///
/// Then the config and the layers are uploaded (a `HEAD` first: a blob the registry has is
/// not sent again) and the manifest is put under the tag `V`: the module's layer first, then
/// the glue's, of media type [`GLUE_MEDIA_TYPE`] ([`ASSEMBLYSCRIPT_MEDIA_TYPE`] for
/// AssemblyScript's raw bindings), so that tools that know only the Wasm
/// artifact (wkg) still pull the module.
///
/// # Errors
/// The refusals above; `REGISTRY_CORRUPT` (exit 2) when the highest tag is not a Wasm artifact
/// or its layer does not match; `REGISTRY_ERROR` (exit 3) for a registry that cannot be
/// reached or refuses a request.
pub fn push(request: &Request, client: &Client) -> Result<Pushed, Failure> {
    let Request {
        module,
        glue,
        name,
        version,
        target,
    } = request;
    let kind = guest(module, glue.as_ref())?.kind;
    let (module, version_section) = versioned(module, version)?;

    let tags = list_tags(client, target)?;
    let previous = match newest_tag(&tags) {
        Some(newest) => {
            check_greater(&newest, version)?;
            let old = pull(client, target, &newest)?;
            Some(check_bump(&newest, &old, &module, version, kind)?)
        }
        None => None,
    };

    let layer_digest = module.digest.to_string();
    let config = WasmConfig {
        created: now_rfc3339(),
        author: module.interface.metadata.authors.clone(),
        architecture: ARCHITECTURE.into(),
        os: MODULE_OS.into(),
        layer_digests: std::iter::once(layer_digest.clone())
            .chain(glue.as_ref().map(|g| g.digest.to_string()))
            .collect(),
    };
    let config_bytes = serde_json::to_vec(&config).expect("a config serializes");
    let config_digest = Digest::of(&config_bytes).to_string();
    upload_blob(client, target, &config_bytes)?;
    let layer_existed = upload_blob(client, target, &module.bytes)?;
    let glue_media_type = match glue.as_ref().map(|g| g.kind) {
        Some(GlueKind::AssemblyScript) => ASSEMBLYSCRIPT_MEDIA_TYPE,
        _ => GLUE_MEDIA_TYPE,
    };
    let pushed_glue = match glue {
        Some(glue) => Some(PushedGlue {
            digest: glue.digest.to_string(),
            size: glue.bytes.len() as u64,
            media_type: glue_media_type,
            layer_existed: upload_blob(client, target, &glue.bytes)?,
        }),
        None => None,
    };

    let title = |path: &Path, default: &str| {
        path.file_name()
            .map_or_else(|| default.into(), |n| n.to_string_lossy().into_owned())
    };
    let manifest = Manifest::wasm(
        Descriptor {
            media_type: CONFIG_MEDIA_TYPE.into(),
            digest: config_digest.clone(),
            size: config_bytes.len() as u64,
            annotations: BTreeMap::new(),
        },
        Descriptor {
            media_type: LAYER_MEDIA_TYPE.into(),
            digest: layer_digest.clone(),
            size: module.bytes.len() as u64,
            // Tools that pull to a file name it after this (as `wkg oci push` sets it).
            annotations: BTreeMap::from([(TITLE.into(), title(&module.path, "module.wasm"))]),
        },
        glue.as_ref().map(|glue| Descriptor {
            media_type: glue_media_type.into(),
            digest: glue.digest.to_string(),
            size: glue.bytes.len() as u64,
            annotations: BTreeMap::from([(TITLE.into(), title(&glue.path, "glue.js"))]),
        }),
        annotations(&module, version, &config.created),
    );
    let manifest_digest = put_manifest(client, target, version, &manifest)?;
    Ok(Pushed {
        name: name.to_string(),
        repository: target.repository.clone(),
        reference: target.reference(&version.to_string()),
        version: version.clone(),
        digest: layer_digest,
        size: module.bytes.len() as u64,
        manifest_digest,
        config_digest,
        layer_existed,
        glue: pushed_glue,
        version_section,
        previous,
    })
}

/// PUTs `manifest` as `version` of `target`'s repository; its digest. With a signer, the
/// manifest's cosign signature ([`crate::oci::signature::push_signature`]) is pushed first,
/// so the version's tag never names an unsigned manifest.
///
/// # Errors
/// `REGISTRY_ERROR` (exit 3) when the registry refuses it.
pub(crate) fn put_manifest(
    client: &Client,
    target: &Target,
    version: &Version,
    manifest: &Manifest,
) -> Result<String, Failure> {
    let bytes = serde_json::to_vec_pretty(manifest).expect("a manifest serializes");
    if let Some(signer) = &target.signer {
        crate::oci::signature::push_signature(client, target, &Digest::of(&bytes), signer)?;
    }
    put_manifest_bytes(client, target, &version.to_string(), &bytes)?;
    Ok(Digest::of(&bytes).to_string())
}

/// PUTs the manifest `bytes` under `reference` (a tag) of `target`'s repository.
///
/// # Errors
/// `REGISTRY_ERROR` (exit 3) when the registry refuses it.
pub(crate) fn put_manifest_bytes(
    client: &Client,
    target: &Target,
    reference: &str,
    bytes: &[u8],
) -> Result<(), Failure> {
    let url = target.url(&format!("manifests/{reference}"));
    let reply = client.send(
        Method::PUT,
        &url,
        &[("content-type", MANIFEST_MEDIA_TYPE)],
        Some(bytes),
    )?;
    if !reply.ok() {
        return Err(registry_error(&Method::PUT, &url, reply.reason()));
    }
    Ok(())
}

/// The manifest's annotations: the version, the time, and the module's metadata sections
/// under the names wasm-metadata maps them to (`wasm-tools metadata add` and OCI agree).
fn annotations(module: &Module, version: &Version, created: &str) -> BTreeMap<String, String> {
    let meta = &module.interface.metadata;
    let mut out = BTreeMap::from([
        (VERSION_ANNOTATION.to_string(), version.to_string()),
        (
            "org.opencontainers.image.created".to_string(),
            created.to_string(),
        ),
    ]);
    let fields = [
        ("authors", &meta.authors),
        ("description", &meta.description),
        ("licenses", &meta.licenses),
        ("source", &meta.source),
        ("url", &meta.homepage),
        ("revision", &meta.revision),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            out.insert(format!("org.opencontainers.image.{key}"), value.clone());
        }
    }
    out
}

/// Every tag of the repository, following `Link` pages; none when it does not exist yet.
pub(crate) fn list_tags(client: &Client, target: &Target) -> Result<Vec<String>, Failure> {
    let mut tags = Vec::new();
    let mut url = target.url("tags/list");
    loop {
        let reply = client.send(Method::GET, &url, &[("accept", "application/json")], None)?;
        if reply.status == 404 {
            return Ok(tags);
        }
        if !reply.ok() {
            return Err(registry_error(&Method::GET, &url, reply.reason()));
        }
        let json: serde_json::Value = serde_json::from_slice(&reply.body).map_err(|e| {
            registry_error(&Method::GET, &url, format!("the tag list is not JSON: {e}"))
        })?;
        if let Some(page) = json.get("tags").and_then(|t| t.as_array()) {
            tags.extend(page.iter().filter_map(|t| t.as_str().map(str::to_string)));
        }
        match reply.header("link").and_then(next_link) {
            Some(next) => url = resolve_url(&url, next),
            None => return Ok(tags),
        }
    }
}

/// The module tagged `version`, checked against its manifest.
fn pull(client: &Client, target: &Target, version: &Version) -> Result<Module, Failure> {
    let (url, manifest) = pull_manifest(client, target, version)?;
    if is_component_manifest(&manifest) {
        return Err(Failure::new(
            Exit::Refused,
            "SEMVER_VIOLATION",
            format!(
                "{version}, the newest tag, is a component (`{url}`): a core module after it \
                 is a breaking change of guest kind, which this publish does not make"
            ),
        ));
    }
    let digest = manifest
        .wasm_layers(&url, version)
        .map_err(|e| corrupt(e.to_string()))?
        .module
        .digest;
    let (blob_url, bytes) = pull_blob(client, target, &digest)?;
    Module::from_bytes(Path::new(&blob_url), bytes)
}

/// Whether `manifest` is a component's: it has a [`JCO_MEDIA_TYPE`] layer.
pub(crate) fn is_component_manifest(manifest: &Manifest) -> bool {
    manifest
        .layers
        .iter()
        .any(|layer| layer.media_type == JCO_MEDIA_TYPE)
}

/// The manifest tagged `version`, and its URL.
pub(crate) fn pull_manifest(
    client: &Client,
    target: &Target,
    version: &Version,
) -> Result<(String, Manifest), Failure> {
    let url = target.url(&format!("manifests/{version}"));
    let reply = client.send(Method::GET, &url, &[("accept", MANIFEST_MEDIA_TYPE)], None)?;
    if !reply.ok() {
        return Err(registry_error(&Method::GET, &url, reply.reason()));
    }
    let manifest: Manifest = serde_json::from_slice(&reply.body)
        .map_err(|e| corrupt(format!("manifest `{url}` cannot be read: {e}")))?;
    Ok((url, manifest))
}

/// The blob `digest`, checked against it, and its URL.
pub(crate) fn pull_blob(
    client: &Client,
    target: &Target,
    digest: &Digest,
) -> Result<(String, Vec<u8>), Failure> {
    let blob_url = target.url(&format!("blobs/{digest}"));
    let reply = client.send(Method::GET, &blob_url, &[], None)?;
    if !reply.ok() {
        return Err(registry_error(&Method::GET, &blob_url, reply.reason()));
    }
    let actual = Digest::of(&reply.body);
    if actual != *digest {
        return Err(corrupt(format!(
            "blob `{blob_url}` holds bytes whose digest is {actual}, not the {digest} its manifest names"
        )));
    }
    Ok((blob_url, reply.body))
}

/// Uploads `bytes` unless the registry has them; returns whether it had.
pub(crate) fn upload_blob(client: &Client, target: &Target, bytes: &[u8]) -> Result<bool, Failure> {
    let digest = Digest::of(bytes);
    let head_url = target.url(&format!("blobs/{digest}"));
    if client.send(Method::HEAD, &head_url, &[], None)?.ok() {
        return Ok(true);
    }
    let start_url = target.url("blobs/uploads/");
    let reply = client.send(
        Method::POST,
        &start_url,
        &[("content-length", "0")],
        Some(&[]),
    )?;
    let location = match reply.header("location") {
        Some(location) if reply.status == 202 => resolve_url(&start_url, location),
        _ => return Err(registry_error(&Method::POST, &start_url, reply.reason())),
    };
    let separator = if location.contains('?') { '&' } else { '?' };
    let put_url = format!("{location}{separator}digest={digest}");
    let reply = client.send(
        Method::PUT,
        &put_url,
        &[("content-type", "application/octet-stream")],
        Some(bytes),
    )?;
    if reply.status != 201 {
        return Err(registry_error(&Method::PUT, &put_url, reply.reason()));
    }
    Ok(false)
}

pub(crate) fn corrupt(message: String) -> Failure {
    Failure::new(Exit::InvalidInput, "REGISTRY_CORRUPT", message)
}

pub(crate) fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}
