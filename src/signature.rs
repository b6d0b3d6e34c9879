//! Signatures: whether the holder of a trusted key approved a version, by name, version and
//! every digest, before any byte of it is compiled.
//!
//! A digest proves that the bytes fetched are the ones the index or manifest names; it says
//! nothing about who wrote the index. A signature does: an ECDSA P-256 signature (SHA-256),
//! cosign's default key type, which every browser's WebCrypto verifies, over a payload that
//! names the package, the version and every digest of the version. With `policy.trust: {
//! keys: [PEM…] }` a version is refused unless such a signature verifies under one of the
//! keys: `SIGNATURE_MISSING` when there is none, `SIGNATURE_INVALID` when it does not verify or
//! names something else.
//!
//! This module is the pure half, built natively and shared with the `hotswap` CLI, which
//! signs with the same payloads. The browser half (`browser`, wasm32) fetches the signature
//! and asks WebCrypto.
//!
//! # Static registry
//!
//! ```text
//! <registry>/packages/<name>/<version>.sig            base64 of the DER ECDSA signature
//!                                                     (what `cosign sign-blob` writes)
//! <registry>/packages/<name>/<version>.payload.json   the signed bytes, for other tools: the
//!                                                     runtime never reads it, it rebuilds them
//! ```
//!
//! The payload is [`static_payload`]: one line of JSON, the fields in this order, as
//! `JSON.stringify` writes them:
//!
//! ```json
//! {"type":"wasm-hotswap signature v1","name":"acme/counter","version":"1.2.0",
//!  "digest":"sha256:…","glue":{"digest":"sha256:…","kind":"wasm-bindgen"},
//!  "cores":[{"name":"counter.core.wasm","digest":"sha256:…"}]}
//! ```
//!
//! `glue` is `null` for a guest without JS and `cores` is `[]` but for a component. Because
//! the runtime rebuilds the payload from the index entry it resolved, a signature verifies
//! only for exactly that name, version and set of digests: a signature of 1.0.0 served as
//! 1.1.0's, or an entry whose glue was swapped, is `SIGNATURE_INVALID`.
//!
//! # OCI registries
//!
//! cosign's key-pair layout ([`signature_tag`], [`simple_signing_payload`]): the signature of
//! the manifest `sha256:<hex>` is the tag `sha256-<hex>.sig` of the same repository, an OCI
//! image manifest whose layer of media type [`SIMPLE_SIGNING_MEDIA_TYPE`] is the payload
//! `{"critical":{"identity":{"docker-reference":…},"image":{"docker-manifest-digest":
//! "sha256:<hex>"},"type":"cosign container image signature"},"optional":null}`, and whose
//! [`SIGNATURE_ANNOTATION`] on that layer is the base64 DER signature over the layer's bytes.
//! The manifest's digest covers every layer's digest, so it names the module, glue and core
//! modules; [`SimpleSigning::check`] requires it to be the manifest the tag resolved to.
//!
//! # Signatures and keys
//!
//! openssl and cosign write ECDSA signatures as DER (`SEQUENCE { INTEGER r, INTEGER s }`);
//! WebCrypto's `verify` takes IEEE P1363 (`r ‖ s`, 32 bytes each): [`der_to_p1363`] and
//! [`p1363_to_der`]. Public keys are SPKI PEM (`-----BEGIN PUBLIC KEY-----`, what `hotswap
//! keygen`, `cosign generate-key-pair` and `openssl pkey -pubout` write), checked to be P-256
//! with an uncompressed point by [`spki_p256`].

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::registry::index::{Entry, GlueKind, PackageName};

#[cfg(target_arch = "wasm32")]
pub(crate) mod browser;

/// The `type` of a static registry's payload.
pub const STATIC_TYPE: &str = "wasm-hotswap signature v1";

/// The media type of cosign's simple-signing payload layer.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// The layer annotation that holds cosign's base64 signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";

/// cosign's `critical.type`.
pub const COSIGN_TYPE: &str = "cosign container image signature";

/// The config media type of cosign's signature manifests.
pub const COSIGN_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";

/// The DER header of a P-256 public key's SPKI (`id-ecPublicKey`, `prime256v1`), before the
/// 65 bytes of its uncompressed point.
const SPKI_P256_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// The path of a version's signature below a static registry's root:
/// `packages/<name>/<version>.sig`.
pub fn signature_path(name: &PackageName, version: &semver::Version) -> String {
    format!("packages/{name}/{version}.sig")
}

/// The path of a version's payload below a static registry's root, written for other tools:
/// `packages/<name>/<version>.payload.json`.
pub fn payload_path(name: &PackageName, version: &semver::Version) -> String {
    format!("packages/{name}/{version}.payload.json")
}

/// The payload a static registry's signature of `entry` of package `name` signs: every field
/// of the version that decides what runs, in a fixed order, as `JSON.stringify` writes them.
///
/// - a module => `{"type":"wasm-hotswap signature v1","name":"counter","version":"1.0.0",
///   "digest":"sha256:…","glue":null,"cores":[]}`
/// - a wasm-bindgen guest => `"glue":{"digest":"sha256:…","kind":"wasm-bindgen"}`
/// - a component => `"glue":{…,"kind":"jco"}` and each core module
///   `{"name":"counter.core.wasm","digest":"sha256:…"}` in the entry's order
pub fn static_payload(name: &str, entry: &Entry) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("{\"type\":");
    push_json_string(&mut out, STATIC_TYPE);
    out.push_str(",\"name\":");
    push_json_string(&mut out, name);
    out.push_str(",\"version\":");
    push_json_string(&mut out, &entry.version.to_string());
    out.push_str(",\"digest\":");
    push_json_string(&mut out, &entry.digest);
    out.push_str(",\"glue\":");
    match &entry.glue {
        Some(glue) => {
            out.push_str("{\"digest\":");
            push_json_string(&mut out, &glue.digest);
            out.push_str(",\"kind\":");
            push_json_string(&mut out, glue_kind(glue.kind));
            out.push('}');
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"cores\":[");
    for (i, core) in entry.cores.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        push_json_string(&mut out, &core.name);
        out.push_str(",\"digest\":");
        push_json_string(&mut out, &core.digest);
        out.push('}');
    }
    out.push_str("]}");
    out
}

fn glue_kind(kind: GlueKind) -> &'static str {
    match kind {
        GlueKind::WasmBindgen => "wasm-bindgen",
        GlueKind::Jco => "jco",
        GlueKind::AssemblyScript => "assemblyscript",
    }
}

/// Appends `text` as a JSON string, escaped as `JSON.stringify` escapes it: `"` and `\`, the
/// short escapes `\b \f \n \r \t`, other control characters as `\u00XX`.
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The tag cosign stores the signature of the manifest `digest` under: `sha256-<hex>.sig`.
pub fn signature_tag(digest: &Digest) -> String {
    format!("{}.sig", digest.to_string().replacen(':', "-", 1))
}

/// cosign's simple-signing payload for the manifest `digest` at `reference`
/// (`host[:port]/repository`), byte for byte as `cosign sign` writes it:
/// `{"critical":{"identity":{"docker-reference":"<reference>"},"image":
/// {"docker-manifest-digest":"sha256:<hex>"},"type":"cosign container image signature"},
/// "optional":null}`.
pub fn simple_signing_payload(reference: &str, digest: &Digest) -> String {
    let mut out = String::from("{\"critical\":{\"identity\":{\"docker-reference\":");
    push_json_string(&mut out, reference);
    out.push_str("},\"image\":{\"docker-manifest-digest\":");
    push_json_string(&mut out, &digest.to_string());
    out.push_str("},\"type\":");
    push_json_string(&mut out, COSIGN_TYPE);
    out.push_str("},\"optional\":null}");
    out
}

/// The fields of a simple-signing payload that decide what it signs, as read from its JSON
/// (in the browser by `JSON.parse`, natively by serde).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct SimpleSigning {
    /// `critical`.
    pub critical: Critical,
}

/// A simple-signing payload's `critical` object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Critical {
    /// `critical.identity`.
    pub identity: Identity,
    /// `critical.image`.
    pub image: Image,
    /// `critical.type`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// `critical.identity`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Identity {
    /// `docker-reference`: `host[:port]/repository`, as the signer named it.
    #[serde(rename = "docker-reference")]
    pub docker_reference: String,
}

/// `critical.image`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Image {
    /// `docker-manifest-digest`: the digest of the manifest signed.
    #[serde(rename = "docker-manifest-digest")]
    pub docker_manifest_digest: String,
}

impl SimpleSigning {
    /// Whether this payload signs the manifest `manifest` of `repository`:
    ///
    /// - `critical.type` must be `cosign container image signature`;
    /// - `critical.image.docker-manifest-digest` must equal `manifest`;
    /// - `critical.identity.docker-reference`, less its host (a first component with a `.`
    ///   or `:`, or `localhost`) and any tag or digest, must be `repository`: the host is
    ///   not compared, so a mirror under another name serves the same signatures (cosign
    ///   itself ignores the field).
    ///
    /// # Errors
    /// What differs, naming the field.
    pub fn check(&self, manifest: &Digest, repository: &str) -> std::result::Result<(), String> {
        let c = &self.critical;
        if c.kind != COSIGN_TYPE {
            return Err(format!(
                "`critical.type` is `{}`, not `{COSIGN_TYPE}`",
                c.kind
            ));
        }
        if c.image.docker_manifest_digest != manifest.to_string() {
            return Err(format!(
                "the payload signs the manifest {}, not {manifest}",
                c.image.docker_manifest_digest
            ));
        }
        let reference = c.identity.docker_reference.as_str();
        // A reference may carry a tag or digest of its own; the repository is before it.
        let path = reference.split('@').next().unwrap_or(reference);
        let path = match path.rfind(':') {
            Some(at) if !path[at..].contains('/') => &path[..at],
            _ => path,
        };
        // The first component is a host when it looks like one (docker's rule).
        let path = match path.split_once('/') {
            Some((host, rest))
                if host.contains('.') || host.contains(':') || host == "localhost" =>
            {
                rest
            }
            _ => path,
        };
        if path != repository {
            return Err(format!(
                "the payload names the repository `{reference}`, not `{repository}`"
            ));
        }
        Ok(())
    }
}

/// Trusted public keys (`policy.trust.keys`), each the DER of a P-256 SPKI, kept as base64
/// (the form the browser's key cache is keyed by).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    /// Base64 of each key's SPKI DER, in the order given.
    pub keys: Vec<String>,
}

impl Trust {
    /// Reads `policy.trust.keys`: each a PEM `PUBLIC KEY` of a P-256 key.
    ///
    /// - `[]` => refused: a trust with no key would refuse every version;
    /// - a text that is not PEM, a PEM of another label (`PRIVATE KEY`), a key of another
    ///   curve or algorithm => refused naming its index (`keys[1]: …`).
    ///
    /// # Errors
    /// [`Error::InvalidOptions`] naming `policy.trust`.
    pub fn from_pems<S: AsRef<str>>(pems: &[S]) -> Result<Trust> {
        let option = "policy.trust";
        if pems.is_empty() {
            return Err(crate::options::invalid(
                option,
                "`keys` is empty: give at least one PEM public key (`-----BEGIN PUBLIC KEY-----`)",
            ));
        }
        let mut keys = Vec::with_capacity(pems.len());
        for (i, pem) in pems.iter().enumerate() {
            let der = pem_decode(pem.as_ref(), "PUBLIC KEY")
                .and_then(|der| spki_p256(&der).map(|()| der))
                .map_err(|reason| Error::InvalidOptions {
                    option,
                    reason: format!("`keys[{i}]`: {reason}"),
                })?;
            keys.push(base64_encode(&der));
        }
        Ok(Trust { keys })
    }
}

/// The DER inside the first PEM block labelled `label` in `text`.
///
/// - `-----BEGIN PUBLIC KEY-----\nMFkw…\n-----END PUBLIC KEY-----\n` => its bytes;
/// - another label first (an `EC PARAMETERS` block before the key) => skipped;
/// - no block of that label, no end line, a body that is not base64 => refused.
///
/// # Errors
/// What is wrong, naming the label.
pub fn pem_decode(text: &str, label: &str) -> std::result::Result<Vec<u8>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let Some(start) = text.find(&begin) else {
        let found = text
            .find("-----BEGIN ")
            .and_then(|at| text[at + 11..].split("-----").next())
            .map_or_else(|| "no PEM block".to_string(), |l| format!("a `{l}` block"));
        return Err(format!("expected a PEM `{label}` block, found {found}"));
    };
    let body = &text[start + begin.len()..];
    let Some(stop) = body.find(&end) else {
        return Err(format!("the PEM `{label}` block has no `{end}` line"));
    };
    let body: String = body[..stop].split_whitespace().collect();
    base64_decode(&body).ok_or_else(|| format!("the PEM `{label}` block is not base64"))
}

/// The PEM text of `der` under `label`, 64 characters a line.
pub fn pem_encode(der: &[u8], label: &str) -> String {
    let body = base64_encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Whether `der` is the SPKI of a P-256 public key with an uncompressed point: what
/// WebCrypto's `importKey("spki", …, { name: "ECDSA", namedCurve: "P-256" })` takes.
///
/// # Errors
/// What it is instead: another algorithm or curve, a compressed point, a wrong length.
pub fn spki_p256(der: &[u8]) -> std::result::Result<(), String> {
    const EC_OID: [u8; 9] = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const P256_OID: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    if der.len() == SPKI_P256_PREFIX.len() + 65
        && der[..SPKI_P256_PREFIX.len()] == SPKI_P256_PREFIX
        && der[SPKI_P256_PREFIX.len()] == 0x04
    {
        return Ok(());
    }
    let has = |oid: &[u8]| der.windows(oid.len()).any(|w| w == oid);
    Err(if !has(&EC_OID) {
        "not an elliptic-curve public key (only ECDSA P-256 keys are accepted)".to_string()
    } else if has(&P256_OID) {
        "a P-256 key whose point is not in uncompressed form; export it uncompressed (`openssl pkey -pubin -pubout`)".to_string()
    } else {
        "an elliptic-curve key of another curve than P-256 (prime256v1)".to_string()
    })
}

/// The IEEE P1363 form (`r ‖ s`, 32 bytes each, big-endian) of a DER ECDSA P-256 signature
/// `SEQUENCE { INTEGER r, INTEGER s }`, as openssl and cosign write it; WebCrypto verifies
/// this form.
///
/// - `30 06 02 01 01 02 01 02` => 31 zeros, `01`, 31 zeros, `02`;
/// - an integer with its sign byte (`02 21 00 …`) => the 32 bytes after it;
/// - trailing bytes, a long-form length, an integer over 32 bytes, a negative or non-minimal
///   integer, zero => refused.
///
/// # Errors
/// What is malformed.
pub fn der_to_p1363(der: &[u8]) -> std::result::Result<[u8; 64], String> {
    let body = match der {
        [0x30, len, body @ ..] if usize::from(*len) == body.len() && *len < 0x80 => body,
        [0x30, ..] => return Err("the DER signature's SEQUENCE length is wrong".into()),
        _ => return Err("not a DER signature (no SEQUENCE)".into()),
    };
    let (r, rest) = der_integer(body)?;
    let (s, rest) = der_integer(rest)?;
    if !rest.is_empty() {
        return Err("the DER signature has bytes after `s`".into());
    }
    let mut out = [0u8; 64];
    out[32 - r.len()..32].copy_from_slice(r);
    out[64 - s.len()..].copy_from_slice(s);
    Ok(out)
}

/// One DER INTEGER of at most 32 magnitude bytes, positive and minimally encoded: its
/// magnitude (sign byte stripped) and what follows it.
fn der_integer(bytes: &[u8]) -> std::result::Result<(&[u8], &[u8]), String> {
    let [0x02, len, rest @ ..] = bytes else {
        return Err("the DER signature lacks an INTEGER".into());
    };
    let len = usize::from(*len);
    if len == 0 || len > 33 || rest.len() < len {
        return Err("a DER INTEGER of the signature has a wrong length".into());
    }
    let (value, rest) = rest.split_at(len);
    if value[0] & 0x80 != 0 {
        return Err("a DER INTEGER of the signature is negative".into());
    }
    if value.len() > 1 && value[0] == 0 && value[1] & 0x80 == 0 {
        return Err("a DER INTEGER of the signature is not minimally encoded".into());
    }
    let magnitude = if value[0] == 0 { &value[1..] } else { value };
    if magnitude.len() > 32 {
        return Err("a DER INTEGER of the signature is longer than 32 bytes".into());
    }
    if magnitude.iter().all(|b| *b == 0) {
        return Err("a DER INTEGER of the signature is zero".into());
    }
    Ok((magnitude, rest))
}

/// The DER form of a P1363 signature (`r ‖ s`): the inverse of [`der_to_p1363`].
pub fn p1363_to_der(rs: &[u8; 64]) -> Vec<u8> {
    let integer = |half: &[u8]| {
        let start = half.iter().position(|b| *b != 0).unwrap_or(half.len() - 1);
        let mut value = half[start..].to_vec();
        if value[0] & 0x80 != 0 {
            value.insert(0, 0);
        }
        let mut out = vec![0x02, value.len() as u8];
        out.extend(value);
        out
    };
    let (r, s) = (integer(&rs[..32]), integer(&rs[32..]));
    let mut out = vec![0x30, (r.len() + s.len()) as u8];
    out.extend(r);
    out.extend(s);
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64, padded or not, surrounding whitespace ignored; `None` for any other
/// character, a length that no encoding has, or non-zero bits after the last byte.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (acc == 0).then_some(out)
}

/// `SIGNATURE_MISSING` for `what` (`acme/counter@1.2.0`, a URL).
pub fn missing(what: &str, reason: impl Into<String>) -> Error {
    Error::SignatureMissing {
        what: what.to_string(),
        reason: reason.into(),
    }
}

/// `SIGNATURE_INVALID` for `what`.
pub fn invalid(what: &str, reason: impl Into<String>) -> Error {
    Error::SignatureInvalid {
        what: what.to_string(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests;
