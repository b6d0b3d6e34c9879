//! The static, content-addressed registry folder that `hotswap publish` writes. Its types
//! and naming rules are the core's ([`wasm_hotswap::registry::index`]), the ones the browser resolves
//! with; this module only adds the crash-safe writer.
//!
//! ```text
//! DIR/blobs/sha256/<64 hex>        the module bytes and wasm-bindgen glue, immutable, named
//!                                  by their SHA-256
//! DIR/packages/<name>/index.json   {"name": N, "versions": [{"version": "1.2.0",
//!                                   "digest": "sha256:<hex>", "size": 1234, "yanked": false,
//!                                   "published": "<RFC 3339 UTC>"}, …]}
//! DIR/packages/<name>/<version>.sig           with `publish --sign`: the version's signature
//! DIR/packages/<name>/<version>.payload.json  and the bytes it signs ([`Registry::signed`])
//! ```
//!
//! A wasm-bindgen guest's entry also has `"glue": {"digest": "sha256:<hex>", "size": N}`: its
//! JS glue, a blob of the same store (absent for other modules). A component's entry
//! ([`publish_component`]) names the component itself (`digest`, `size`), the JS jco wrote
//! (`"glue": {…, "kind": "jco"}`) and its core modules (`"cores": [{"name", "digest",
//! "size"}]`), all blobs of the same store, written before the index like the others.
//!
//! - `versions` is sorted by semver precedence, ascending.
//! - `<name>` is a [`PackageName`]: `name` or `namespace/name`; a namespace is a directory.
//! - A blob is written once and never changed; two versions or packages with the same bytes
//!   share one blob.
//! - Any static file server can serve the folder: a resolver reads the index, picks a version
//!   and fetches `blobs/sha256/<hex>`, checking the digest.
//! - Files whose names start with `.` are temp files of an interrupted write; readers ignore
//!   them and they may be deleted.
//!
//! Crash safety: the blobs (glue, then module) are written before the index, each through
//! [`durable::write_atomically`]. A crash at any point leaves the previous index, valid and
//! pointing only at blobs that exist; at worst a blob no index names yet is left behind, and
//! publishing again reuses it. Publishers are not locked against each other: run one
//! `publish` per package at a time (a CI job, for example).

pub mod dev;
pub mod durable;
pub mod publish;
pub mod publish_component;

use std::io;
use std::path::PathBuf;

use wasm_hotswap::digest::Digest;
use wasm_hotswap::registry::index::blob_path;
pub use wasm_hotswap::registry::index::{Entry, Index, PackageName};

use crate::exit::{Exit, Failure};
use crate::module::Module;
use crate::sign::Signer;
use wasm_hotswap::signature::{payload_path, signature_path, static_payload};

/// A registry folder.
#[derive(Debug, Clone)]
pub struct Registry {
    root: PathBuf,
    /// The key each version published is signed with (`publish --sign`).
    signer: Option<Signer>,
}

impl Registry {
    /// The registry rooted at `root`; nothing is read or created yet.
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Registry {
            root: root.into(),
            signer: None,
        }
    }

    /// The same registry, each version published into it signed by `signer`.
    pub fn signed_by(self, signer: Option<Signer>) -> Self {
        Registry { signer, ..self }
    }

    /// With a signer, signs `entry` of package `name` before its index names it:
    /// `packages/<name>/<version>.sig`, the base64 DER signature over the core's
    /// [`static_payload`] of the entry, and beside it `<version>.payload.json`, the signed
    /// bytes, for other tools (`openssl dgst -sha256 -verify`, `cosign verify-blob`). Both are
    /// written atomically, before the index, so a reader never sees the version unsigned.
    /// Returns the entry.
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3).
    pub fn signed(&self, name: &PackageName, entry: Entry) -> Result<Entry, Failure> {
        let Some(signer) = &self.signer else {
            return Ok(entry);
        };
        let payload = static_payload(name.as_str(), &entry);
        let signature = format!("{}\n", signer.sign(payload.as_bytes()));
        for (path, bytes) in [
            (payload_path(name, &entry.version), payload.as_bytes()),
            (signature_path(name, &entry.version), signature.as_bytes()),
        ] {
            let path = self.root.join(path);
            durable::write_atomically(&path, bytes, &|| Ok(()))
                .map_err(|e| Failure::io("writing", &path, &e))?;
        }
        Ok(entry)
    }

    /// `DIR/packages/<name>/<version>.sig`.
    pub fn signature_path(&self, name: &PackageName, version: &semver::Version) -> PathBuf {
        self.root.join(signature_path(name, version))
    }

    /// `DIR/blobs/sha256/<hex>`.
    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root.join(blob_path(digest))
    }

    /// `DIR/packages/<name>/index.json`.
    pub fn index_path(&self, name: &PackageName) -> PathBuf {
        self.root.join(name.index_path())
    }

    /// The package's index, or `None` when it was never published.
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3); `REGISTRY_CORRUPT` (exit 2) for an index that is not valid JSON of
    /// the documented form, or that [`Index::validate`] refuses (it names another package, a
    /// digest is malformed, a version appears twice).
    pub fn read_index(&self, name: &PackageName) -> Result<Option<Index>, Failure> {
        let path = self.index_path(name);
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Failure::io("reading", &path, &e)),
        };
        let index: Index = serde_json::from_slice(&text)
            .map_err(|e| corrupt(format!("index `{}` cannot be read: {e}", path.display())))?;
        index
            .validate(name, &path.display().to_string())
            .map_err(|e| corrupt(e.to_string()))?;
        Ok(Some(index))
    }

    /// Replaces the package's index atomically; `before_rename` is the failure-injection seam
    /// of [`durable::write_atomically`].
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3).
    pub fn write_index(
        &self,
        index: &Index,
        name: &PackageName,
        before_rename: &dyn Fn() -> io::Result<()>,
    ) -> Result<PathBuf, Failure> {
        let path = self.index_path(name);
        let mut text = serde_json::to_vec_pretty(index).expect("an index serializes");
        text.push(b'\n');
        durable::write_atomically(&path, &text, before_rename)
            .map_err(|e| Failure::io("writing", &path, &e))?;
        Ok(path)
    }

    /// The bytes of the blob `digest`, checked against it.
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3); `REGISTRY_CORRUPT` (exit 2) when the bytes have another digest.
    pub fn read_blob(&self, digest: &Digest) -> Result<Vec<u8>, Failure> {
        let path = self.blob_path(digest);
        let bytes = std::fs::read(&path).map_err(|e| Failure::io("reading", &path, &e))?;
        let actual = Digest::of(&bytes);
        if actual != *digest {
            return Err(corrupt(format!(
                "blob `{}` holds bytes whose digest is {actual}",
                path.display()
            )));
        }
        Ok(bytes)
    }

    /// The published module `entry` names: its blob, checked against the entry's digest, read
    /// as a module.
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3); `REGISTRY_CORRUPT` (exit 2) for a bad digest in the entry or a blob
    /// with other bytes; the core's error for a blob that is not a module (exit 2).
    pub fn read_module(&self, entry: &Entry) -> Result<Module, Failure> {
        let digest: Digest = entry.digest.parse().map_err(|e| {
            corrupt(format!(
                "the index entry of {} has a bad digest: {e}",
                entry.version
            ))
        })?;
        Module::from_bytes(&self.blob_path(&digest), self.read_blob(&digest)?)
    }

    /// The published bytes `entry` names (a module's or a component's), checked against the
    /// entry's digest, with the path of their blob.
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3); `REGISTRY_CORRUPT` (exit 2) for a bad digest in the entry or a blob
    /// with other bytes.
    pub fn read_blob_of(&self, entry: &Entry) -> Result<(PathBuf, Vec<u8>), Failure> {
        let digest: Digest = entry.digest.parse().map_err(|e| {
            corrupt(format!(
                "the index entry of {} has a bad digest: {e}",
                entry.version
            ))
        })?;
        Ok((self.blob_path(&digest), self.read_blob(&digest)?))
    }

    /// Stores `bytes` under their digest. Returns the path and whether the blob was already
    /// there (with the same bytes), in which case nothing is written.
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3); `REGISTRY_CORRUPT` (exit 2) when a blob of that name exists
    /// with other bytes.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<(PathBuf, bool), Failure> {
        let digest = Digest::of(bytes);
        let path = self.blob_path(&digest);
        match std::fs::read(&path) {
            Ok(existing) if existing == bytes => return Ok((path, true)),
            Ok(_) => {
                return Err(corrupt(format!(
                    "blob `{}` exists with other bytes than its name says",
                    path.display()
                )))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Failure::io("reading", &path, &e)),
        }
        durable::write_atomically(&path, bytes, &|| Ok(()))
            .map_err(|e| Failure::io("writing", &path, &e))?;
        Ok((path, false))
    }
}

fn corrupt(message: String) -> Failure {
    Failure::new(Exit::InvalidInput, "REGISTRY_CORRUPT", message)
}
