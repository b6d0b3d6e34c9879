//! Keys and signatures in their Warg text forms, and the one kind of check a signature is.
//!
//! - a public key: `ecdsa-p256:<base64 of a SEC1 point>` (warg writes the 33-byte compressed
//!   point; the 65-byte uncompressed one is accepted too), its id the `sha256:<hex>` of the
//!   text with the point compressed ([`PublicKey::id`]);
//! - a signature: `ecdsa-p256:<base64 of an ASN.1 DER ECDSA signature>`, an ECDSA P-256 over
//!   SHA-256 of `PREFIX ‖ ":" ‖ message` ([`SignatureCheck`]), kept as the 64-byte `r ‖ s`
//!   that WebCrypto's `verify` takes.
//!
//! Checking the point is on the curve and the signature is left to the verifier (WebCrypto in
//! the browser, `p256` in tests): this module only parses.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::encoding::sha256;
use super::problem::{malformed, Problem};

/// The only signature algorithm Warg defines.
const ALGORITHM: &str = "ecdsa-p256:";

/// An ECDSA P-256 public key, as a record or the operator log names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The SEC1 point: `0x02`/`0x03` and x (33 bytes) or `0x04`, x and y (65 bytes).
    pub sec1: Vec<u8>,
}

impl PublicKey {
    /// Parses `ecdsa-p256:<base64>`; `item` names it in the error.
    ///
    /// # Errors
    /// [`Problem::Malformed`]: another algorithm, bad base64, not a 33- or 65-byte SEC1 point.
    pub fn parse(text: &str, item: &str) -> Result<Self, Problem> {
        let b64 = text
            .strip_prefix(ALGORITHM)
            .ok_or_else(|| malformed(item, format!("key `{text}` is not `ecdsa-p256:<base64>`")))?;
        let sec1 = STANDARD
            .decode(b64)
            .map_err(|e| malformed(item, format!("key `{text}` is not base64 ({e})")))?;
        let ok = matches!(
            (sec1.len(), sec1.first()),
            (33, Some(2 | 3)) | (65, Some(4))
        );
        if !ok {
            return Err(malformed(
                item,
                format!("key `{text}` is not a SEC1 P-256 point"),
            ));
        }
        Ok(PublicKey { sec1 })
    }

    /// The compressed point: what warg writes, and what the key's id is computed over.
    pub fn compressed(&self) -> Vec<u8> {
        if self.sec1.len() == 33 {
            return self.sec1.clone();
        }
        let y_odd = self.sec1[64] & 1 == 1;
        let mut out = vec![if y_odd { 3 } else { 2 }];
        out.extend_from_slice(&self.sec1[1..33]);
        out
    }

    /// The key's id, `sha256:<hex>` of `ecdsa-p256:<base64 of the compressed point>`
    /// (`warg_crypto::signing::PublicKey::fingerprint`).
    pub fn id(&self) -> String {
        let text = format!("{ALGORITHM}{}", STANDARD.encode(self.compressed()));
        sha256(&[text.as_bytes()]).to_string()
    }
}

/// Parses a signature `ecdsa-p256:<base64 DER>` into `r ‖ s`, each 32 bytes big-endian.
///
/// # Errors
/// [`Problem::Malformed`] naming `item`: another algorithm, bad base64, DER that is not a
/// `SEQUENCE` of two positive `INTEGER`s of at most 32 bytes.
pub fn parse_signature(text: &str, item: &str) -> Result<[u8; 64], Problem> {
    let bad = |why: &str| malformed(item, format!("signature `{text}`: {why}"));
    let b64 = text
        .strip_prefix(ALGORITHM)
        .ok_or_else(|| bad("not `ecdsa-p256:<base64>`"))?;
    let der = STANDARD.decode(b64).map_err(|_| bad("not base64"))?;
    // SEQUENCE { INTEGER r, INTEGER s }, short-form lengths (at most 72 bytes in all).
    let body = match der.as_slice() {
        [0x30, len, body @ ..] if usize::from(*len) == body.len() => body,
        _ => return Err(bad("not a DER SEQUENCE")),
    };
    let (r, rest) = der_integer(body).ok_or_else(|| bad("r is not a DER INTEGER"))?;
    let (s, rest) = der_integer(rest).ok_or_else(|| bad("s is not a DER INTEGER"))?;
    if !rest.is_empty() {
        return Err(bad("bytes after s"));
    }
    let mut raw = [0u8; 64];
    raw[32 - r.len()..32].copy_from_slice(r);
    raw[64 - s.len()..].copy_from_slice(s);
    Ok(raw)
}

/// One DER `INTEGER` that fits 32 bytes once its sign byte is dropped, and what follows it.
fn der_integer(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let [0x02, len, rest @ ..] = bytes else {
        return None;
    };
    let len = usize::from(*len);
    if len == 0 || len > rest.len() || len > 0x7f {
        return None;
    }
    let (mut int, rest) = rest.split_at(len);
    if int[0] & 0x80 != 0 {
        return None; // negative
    }
    if int.len() > 1 && int[0] == 0 {
        int = &int[1..];
    }
    (int.len() <= 32).then_some((int, rest))
}

/// A signature to verify: ECDSA P-256 with SHA-256 of `message` by `key`. Validating a log
/// collects these; the caller verifies every one (WebCrypto in the browser) before trusting
/// anything the log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// What was signed, for the error: `package record 2 (sha256:…)`, `the checkpoint`.
    pub item: String,
    /// The key that must have signed it.
    pub key: PublicKey,
    /// The signed bytes: the signature prefix, `:`, then the content.
    pub message: Vec<u8>,
    /// `r ‖ s`.
    pub signature: [u8; 64],
}

impl SignatureCheck {
    /// The check of `signature` over `prefix ‖ ":" ‖ content` by `key`.
    pub fn new(
        item: String,
        key: PublicKey,
        prefix: &[u8],
        content: &[u8],
        signature: [u8; 64],
    ) -> Self {
        let mut message = Vec::with_capacity(prefix.len() + 1 + content.len());
        message.extend_from_slice(prefix);
        message.push(b':');
        message.extend_from_slice(content);
        SignatureCheck {
            item,
            key,
            message,
            signature,
        }
    }
}
