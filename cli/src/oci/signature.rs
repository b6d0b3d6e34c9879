//! `publish --oci … --sign KEY`: a manifest's signature in cosign's key-pair layout, so that
//! `cosign verify --key NAME.pub` accepts what we push and the runtime accepts what cosign
//! pushes ([`wasm_hotswap::signature`] has the layout).

use std::collections::BTreeMap;

use wasm_hotswap::digest::Digest;
use wasm_hotswap::registry::oci::{Descriptor, Manifest, MANIFEST_MEDIA_TYPE};
use wasm_hotswap::signature::{
    signature_tag, simple_signing_payload, COSIGN_CONFIG_MEDIA_TYPE, SIGNATURE_ANNOTATION,
    SIMPLE_SIGNING_MEDIA_TYPE,
};

use super::client::Client;
use super::push::{put_manifest_bytes, upload_blob};
use super::Target;
use crate::exit::Failure;
use crate::sign::Signer;

/// Pushes the signature of the manifest `digest` of `target`'s repository, as `cosign sign
/// --key` does:
///
/// 1. the payload [`simple_signing_payload`] naming `host[:port]/repository` and the
///    manifest's digest, uploaded as a blob;
/// 2. a config blob of the shape cosign's signature images have (`rootfs.diff_ids` naming the
///    payload);
/// 3. an OCI image manifest whose one layer is the payload (media type
///    `application/vnd.dev.cosign.simplesigning.v1+json`), annotated with
///    `dev.cosignproject.cosign/signature`: the base64 DER ECDSA signature of the payload's
///    bytes, PUT as the tag `sha256-<hex>.sig`.
///
/// Returns the signature's tag.
///
/// # Errors
/// `REGISTRY_ERROR` (exit 3) when the registry refuses a blob or the manifest.
pub fn push_signature(
    client: &Client,
    target: &Target,
    digest: &Digest,
    signer: &Signer,
) -> Result<String, Failure> {
    let payload = simple_signing_payload(&target.repository_reference(), digest);
    let signature = signer.sign(payload.as_bytes());
    let payload_digest = Digest::of(payload.as_bytes());
    let config = format!(
        r#"{{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{{"created":"0001-01-01T00:00:00Z"}}],"os":"","rootfs":{{"type":"layers","diff_ids":["{payload_digest}"]}},"config":{{}}}}"#
    );
    upload_blob(client, target, payload.as_bytes())?;
    upload_blob(client, target, config.as_bytes())?;
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(MANIFEST_MEDIA_TYPE.to_string()),
        config: Descriptor {
            media_type: COSIGN_CONFIG_MEDIA_TYPE.to_string(),
            digest: Digest::of(config.as_bytes()).to_string(),
            size: config.len() as u64,
            annotations: BTreeMap::new(),
        },
        layers: vec![Descriptor {
            media_type: SIMPLE_SIGNING_MEDIA_TYPE.to_string(),
            digest: payload_digest.to_string(),
            size: payload.len() as u64,
            annotations: BTreeMap::from([(SIGNATURE_ANNOTATION.to_string(), signature)]),
        }],
        annotations: BTreeMap::new(),
    };
    let bytes = serde_json::to_vec(&manifest).expect("a manifest serializes");
    let tag = signature_tag(digest);
    put_manifest_bytes(client, target, &tag, &bytes)?;
    Ok(tag)
}
