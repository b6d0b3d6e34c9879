//! Verification: the SHA-256 of the bytes must equal the digest asked for.
//!
//! [`Verified`] is the only way to hold module bytes that later stages accept, and only
//! [`Verifier::finish`] builds one, so unverified bytes cannot reach compilation or commit.

use sha2::{Digest as _, Sha256};

use crate::digest::Digest;
use crate::error::{Error, Result};

/// Hashes a module's bytes as they arrive and keeps them for inspection.
pub struct Verifier {
    expected: Digest,
    source: String,
    hasher: Sha256,
    bytes: Vec<u8>,
}

impl Verifier {
    /// Starts verifying the bytes of `source` (a URL, or `bytes`) against `expected`.
    /// `size_hint` reserves room up front when the length is known (`Content-Length`).
    pub fn new(expected: Digest, source: impl Into<String>, size_hint: usize) -> Self {
        Verifier {
            expected,
            source: source.into(),
            hasher: Sha256::new(),
            bytes: Vec::with_capacity(size_hint),
        }
    }

    /// Room for the next `len` bytes, to be filled by the caller and then passed to
    /// [`Verifier::commit_chunk`]. Lets a caller copy a JS chunk straight into place.
    pub fn chunk_buffer(&mut self, len: usize) -> &mut [u8] {
        let start = self.bytes.len();
        self.bytes.resize(start + len, 0);
        &mut self.bytes[start..]
    }

    /// Hashes the last `len` bytes written through [`Verifier::chunk_buffer`].
    pub fn commit_chunk(&mut self, len: usize) {
        let start = self.bytes.len() - len;
        self.hasher.update(&self.bytes[start..]);
    }

    /// Hashes and keeps `chunk`.
    pub fn update(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
        self.bytes.extend_from_slice(chunk);
    }

    /// Ends the stream.
    ///
    /// # Errors
    /// [`Error::HashMismatch`] naming the source, both digests and the length.
    pub fn finish(self) -> Result<Verified> {
        let actual = Digest::from_bytes(self.hasher.finalize().into());
        if actual != self.expected {
            return Err(Error::HashMismatch {
                source_name: self.source,
                expected: self.expected.to_string(),
                actual: actual.to_string(),
                len: self.bytes.len() as u64,
            });
        }
        Ok(Verified {
            digest: actual,
            bytes: self.bytes,
        })
    }
}

/// Checks a whole buffer at once.
///
/// # Errors
/// [`Error::HashMismatch`], as [`Verifier::finish`].
pub fn verify(expected: Digest, source: &str, bytes: &[u8]) -> Result<Verified> {
    let mut verifier = Verifier::new(expected, source, bytes.len());
    verifier.update(bytes);
    verifier.finish()
}

/// Module bytes whose SHA-256 matched the digest asked for.
#[derive(Debug)]
pub struct Verified {
    digest: Digest,
    bytes: Vec<u8>,
}

impl Verified {
    /// The verified digest.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// The verified bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_bytes_verify_whole_or_in_chunks() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7) as u8).collect();
        let digest = Digest::of(&data);
        assert_eq!(verify(digest, "bytes", &data).unwrap().bytes(), &data[..]);

        let mut streamed = Verifier::new(digest, "stream", 0);
        for chunk in data.chunks(4093) {
            if chunk.len() % 2 == 0 {
                streamed.update(chunk);
            } else {
                streamed.chunk_buffer(chunk.len()).copy_from_slice(chunk);
                streamed.commit_chunk(chunk.len());
            }
        }
        let verified = streamed.finish().unwrap();
        assert_eq!(verified.digest(), digest);
        assert_eq!(verified.bytes(), &data[..]);
    }

    #[test]
    fn one_flipped_byte_is_a_hash_mismatch_naming_source_and_digests() {
        let data = b"\0asm\x01\0\0\0".to_vec();
        let expected = Digest::of(&data);
        let mut tampered = data.clone();
        tampered[7] ^= 1;
        let err = verify(expected, "https://cdn.example/m.wasm", &tampered).unwrap_err();
        assert_eq!(err.code(), "HASH_MISMATCH");
        let message = err.to_string();
        assert!(message.contains("https://cdn.example/m.wasm"), "{message}");
        assert!(message.contains(&expected.to_string()), "{message}");
        assert!(
            message.contains(&Digest::of(&tampered).to_string()),
            "{message}"
        );
        assert!(message.contains("8 bytes"), "{message}");
    }
}
