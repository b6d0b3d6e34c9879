//! Signing keys: `hotswap keygen`'s key pair, and the key `publish --sign` signs with.
//!
//! Keys are ECDSA P-256 (cosign's default key type, which every browser's WebCrypto
//! verifies), as PEM: the private key PKCS#8 (`-----BEGIN PRIVATE KEY-----`, what `hotswap
//! keygen` and `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` write; SEC1
//! `EC PRIVATE KEY`, `openssl ecparam -genkey`'s, is read too), the public key SPKI
//! (`-----BEGIN PUBLIC KEY-----`). Signatures are DER, as openssl and cosign write them, in
//! base64. The crypto is the RustCrypto `p256` crate's; the payloads are the core's
//! ([`wasm_hotswap::signature`]).

use std::fmt;
use std::path::Path;

use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use wasm_hotswap::signature::{base64_encode, pem_decode};

use crate::exit::{Exit, Failure};

/// A P-256 private key that signs versions.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the private key itself.
        f.debug_struct("Signer")
            .field("public", &self.public_pem())
            .finish()
    }
}

impl PartialEq for Signer {
    fn eq(&self, other: &Self) -> bool {
        self.key.verifying_key() == other.key.verifying_key()
    }
}

impl Eq for Signer {}

impl Signer {
    /// A new random key, from the operating system's random source.
    pub fn generate() -> Self {
        Signer {
            key: SigningKey::random(&mut rand_core::OsRng),
        }
    }

    /// Reads the private key in `path` (see [`Signer::from_pem`]).
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3); those of [`Signer::from_pem`].
    pub fn read(path: &Path) -> Result<Self, Failure> {
        let text = std::fs::read_to_string(path).map_err(|e| Failure::io("reading", path, &e))?;
        Signer::from_pem(&text).map_err(|reason| {
            Failure::new(
                Exit::InvalidInput,
                "INVALID_KEY",
                format!("--sign {}: {reason}", path.display()),
            )
        })
    }

    /// A P-256 private key from PEM: PKCS#8 `PRIVATE KEY`, or SEC1 `EC PRIVATE KEY`.
    ///
    /// # Errors
    /// What the text is instead, with what to do: an encrypted key (PKCS#8 `ENCRYPTED PRIVATE
    /// KEY`, cosign's `ENCRYPTED SIGSTORE PRIVATE KEY` or `ENCRYPTED COSIGN PRIVATE KEY`, a
    /// legacy `Proc-Type: 4,ENCRYPTED`), a key of another algorithm or curve, a public key, no
    /// PEM at all.
    pub fn from_pem(text: &str) -> Result<Self, String> {
        if text.contains("ENCRYPTED") {
            return Err("the key is encrypted, and publish reads only unencrypted keys: make one with `hotswap keygen NAME`, or decrypt it (`openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.plain`; a cosign key: `cosign import-key-pair` goes the other way, so generate a new pair with `hotswap keygen`)".into());
        }
        if text.contains("-----BEGIN EC PRIVATE KEY-----") {
            let der = pem_decode(text, "EC PRIVATE KEY")?;
            let key = p256::SecretKey::from_sec1_der(&der).map_err(|_| {
                format!(
                    "an EC key that is not P-256 (prime256v1): {}",
                    curve_of(&der)
                )
            })?;
            return Ok(Signer { key: key.into() });
        }
        let der = pem_decode(text, "PRIVATE KEY").map_err(|e| {
            if text.contains("-----BEGIN PUBLIC KEY-----") {
                "this is a public key; --sign takes the private one (`NAME.key`)".to_string()
            } else {
                e
            }
        })?;
        let key = SigningKey::from_pkcs8_der(&der)
            .map_err(|_| format!("not an ECDSA P-256 private key: {}", curve_of(&der)))?;
        Ok(Signer { key })
    }

    /// The private key as PKCS#8 PEM.
    pub fn private_pem(&self) -> String {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .expect("a P-256 key encodes")
            .to_string()
    }

    /// The public key as SPKI PEM, what `policy.trust.keys` takes.
    pub fn public_pem(&self) -> String {
        self.key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("a P-256 key encodes")
    }

    /// The base64 of the DER ECDSA signature (SHA-256) of `payload`.
    pub fn sign(&self, payload: &[u8]) -> String {
        let signature: Signature = self.key.sign(payload);
        base64_encode(signature.to_der().as_bytes())
    }
}

/// What kind of key DER holds, from the object identifiers in it.
fn curve_of(der: &[u8]) -> &'static str {
    let has = |oid: &[u8]| der.windows(oid.len()).any(|w| w == oid);
    if has(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]) {
        "it is an RSA key"
    } else if has(&[0x06, 0x03, 0x2b, 0x65, 0x70]) {
        "it is an Ed25519 key"
    } else if has(&[0x2b, 0x81, 0x04, 0x00, 0x22]) {
        "it is a P-384 key"
    } else if has(&[0x2b, 0x81, 0x04, 0x00, 0x23]) {
        "it is a P-521 key"
    } else if has(&[0x2b, 0x81, 0x04, 0x00, 0x0a]) {
        "it is a secp256k1 key"
    } else {
        "its algorithm or curve is not P-256"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_round_trips_through_pem_and_signs_in_der() {
        let signer = Signer::generate();
        let again = Signer::from_pem(&signer.private_pem()).unwrap();
        assert_eq!(signer, again);
        assert!(signer
            .private_pem()
            .starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(signer
            .public_pem()
            .starts_with("-----BEGIN PUBLIC KEY-----\n"));
        let signature = wasm_hotswap::signature::base64_decode(&signer.sign(b"x")).unwrap();
        assert!(wasm_hotswap::signature::der_to_p1363(&signature).is_ok());
        // The public key is what the runtime's trust takes.
        wasm_hotswap::signature::Trust::from_pems(&[signer.public_pem()]).unwrap();
    }

    #[test]
    fn encrypted_public_and_foreign_keys_are_refused_with_what_to_do() {
        let table = [
            ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted"),
            ("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n", "encrypted"),
            ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "this is a public key"),
            // `openssl genpkey -algorithm ed25519`
            ("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIK/QU04fc5tEZArl64uBuWS2sHDAcztF7YSf70C4bibl\n-----END PRIVATE KEY-----\n", "Ed25519"),
            // `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384`
            ("-----BEGIN PRIVATE KEY-----\nMIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAz67mxHKmlAAAzjqX+\n1leZd0+K2bLSl0Dcn6BPewak6GR9PB3H1yOPV0Xcalt35iKhZANiAAT9p3qR/7zP\nvvi4dUojvFt7HcFnnEYonyR4fLgE51ghhbccAp5I1boJSW0eR4/krRlCdKMvH7Ki\nQg+MTrNNzSFvleXiHZIfjpEWelItsDX/i1b9aCKLMHU44DYoclDw828=\n-----END PRIVATE KEY-----\n", "P-384"),
            ("nothing", "no PEM block"),
        ];
        for (pem, expected) in table {
            let err = Signer::from_pem(pem).unwrap_err();
            assert!(err.contains(expected), "{expected:?} in {err}");
        }
    }
}
