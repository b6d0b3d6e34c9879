//! Verification: the SHA-256 of the bytes must equal the digest asked for.
//!
//! [`Verified`] is the only way to hold module bytes that later stages accept, and only
//! [`Verifier::finish`] builds one, so unverified bytes cannot reach compilation or commit.

use std::mem::MaybeUninit;

use sha2::{Digest as _, Sha256};

use crate::digest::Digest;
use crate::error::{Error, Result};

/// Keeps a module's bytes as they arrive, for inspection, and checks their SHA-256.
///
/// It hashes incrementally ([`Verifier::new`]), or only collects ([`Verifier::collecting`]) when
/// a faster hasher (the browser's WebCrypto) will digest the collected bytes at the end.
pub struct Verifier {
    expected: Digest,
    source: String,
    hasher: Option<Sha256>,
    bytes: Vec<u8>,
}

impl Verifier {
    /// Starts verifying the bytes of `source` (a URL, or `bytes`) against `expected`.
    /// `size_hint` reserves room up front when the length is known (`Content-Length`).
    pub fn new(expected: Digest, source: impl Into<String>, size_hint: usize) -> Self {
        Verifier {
            expected,
            source: source.into(),
            hasher: Some(Sha256::new()),
            bytes: Vec::with_capacity(size_hint),
        }
    }

    /// Like [`Verifier::new`], but without hashing as bytes arrive: [`Verifier::finish_with`]
    /// takes a digest computed over [`Verifier::bytes`], and [`Verifier::finish`] hashes them
    /// in one pass.
    pub fn collecting(expected: Digest, source: impl Into<String>, size_hint: usize) -> Self {
        Verifier {
            hasher: None,
            ..Verifier::new(expected, source, size_hint)
        }
    }

    /// Whether it hashes bytes as they arrive ([`Verifier::new`]).
    pub fn hashing(&self) -> bool {
        self.hasher.is_some()
    }

    /// The bytes received so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Appends the `len` bytes that `fill` writes, and hashes them: `fill` is given exactly
    /// `len` bytes of uninitialised room at the end and returns them written, as
    /// `js_sys::Uint8Array::copy_to_uninit` does, so a JS chunk is copied into place once and
    /// never zeroed first. (Zeroing was a loop over every byte: in one CPU profile of a page's
    /// first load of a 1 MB module, `node bench/profile.mjs first 1`, 3.9 ms, where V8 runs
    /// the runtime's code unoptimised; 0.24 ms in the second load.)
    /// Room `fill` returns unwritten, or other bytes than it was given, is not kept, so the
    /// digest then fails to match.
    pub fn append_with(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut [MaybeUninit<u8>]) -> &mut [u8],
    ) {
        let start = self.bytes.len();
        self.bytes.reserve(len);
        let room = &mut self.bytes.spare_capacity_mut()[..len];
        let at = room.as_ptr().cast::<u8>();
        let written = fill(room);
        if written.as_ptr() != at || written.len() != len {
            return;
        }
        // SAFETY: `written` is the `len` bytes of spare capacity after `start` (same address,
        // same length), and `fill` holds them as `&mut [u8]`, so it initialised all of them.
        unsafe { self.bytes.set_len(start + len) };
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&self.bytes[start..]);
        }
    }

    /// Hashes and keeps `chunk`.
    pub fn update(&mut self, chunk: &[u8]) {
        if let Some(hasher) = &mut self.hasher {
            hasher.update(chunk);
        }
        self.bytes.extend_from_slice(chunk);
    }

    /// Ends the stream.
    ///
    /// # Errors
    /// [`Error::HashMismatch`] naming the source, both digests and the length.
    pub fn finish(mut self) -> Result<Verified> {
        let actual = match self.hasher.take() {
            Some(hasher) => Digest::from_bytes(hasher.finalize().into()),
            None => Digest::of(&self.bytes),
        };
        self.finish_with(actual)
    }

    /// Ends the stream with `actual`, the SHA-256 of exactly [`Verifier::bytes`] computed by
    /// another hasher.
    ///
    /// # Errors
    /// [`Error::HashMismatch`], as [`Verifier::finish`].
    pub fn finish_with(self, actual: Digest) -> Result<Verified> {
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
            payload: (),
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

/// Module bytes whose SHA-256 matched the digest asked for, and a payload made from the same
/// bytes: in the browser, the compilation started on the same stream, which `fetch` puts in
/// with [`Verified::with`] where it split the stream, so that whatever was made of the bytes
/// cannot be separated from the proof that they are the right ones.
#[derive(Debug)]
pub struct Verified<C = ()> {
    digest: Digest,
    bytes: Vec<u8>,
    payload: C,
}

impl<C> Verified<C> {
    /// The verified digest.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// The verified bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// What came with the bytes.
    pub fn payload(&self) -> &C {
        &self.payload
    }

    /// Takes the payload out, leaving the proof.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn split(self) -> (Verified, C) {
        let verified = Verified {
            digest: self.digest,
            bytes: self.bytes,
            payload: (),
        };
        (verified, self.payload)
    }
}

impl Verified {
    /// Puts back a payload made from the payload [`Verified::split`] took out.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn with<D>(self, payload: D) -> Verified<D> {
        Verified {
            digest: self.digest,
            bytes: self.bytes,
            payload,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `Uint8Array::copy_to_uninit` does, for a Rust slice.
    fn copy_into<'a>(room: &'a mut [MaybeUninit<u8>], chunk: &[u8]) -> &'a mut [u8] {
        assert_eq!(room.len(), chunk.len());
        for (byte, value) in room.iter_mut().zip(chunk) {
            byte.write(*value);
        }
        // SAFETY: every byte of `room` was written just above.
        unsafe { &mut *(std::ptr::from_mut(room) as *mut [u8]) }
    }

    #[test]
    fn room_returned_unwritten_is_not_kept_and_the_digest_then_fails() {
        let data = b"\0asm\x01\0\0\0";
        let mut verifier = Verifier::new(Digest::of(data), "stream", 0);
        verifier.append_with(4, |room| copy_into(room, &data[..4]));
        verifier.append_with(4, |_room| &mut []);
        assert_eq!(verifier.bytes(), &data[..4]);
        let err = verifier.finish().unwrap_err();
        assert!(matches!(err, Error::HashMismatch { .. }), "{err:?}");
    }

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
                streamed.append_with(chunk.len(), |room| copy_into(room, chunk));
            }
        }
        let verified = streamed.finish().unwrap();
        assert_eq!(verified.digest(), digest);
        assert_eq!(verified.bytes(), &data[..]);
    }

    #[test]
    fn collected_bytes_verify_by_a_digest_computed_elsewhere_or_in_one_pass() {
        let data = b"\0asm\x01\0\0\0".to_vec();
        let digest = Digest::of(&data);
        let collect = || {
            let mut verifier = Verifier::collecting(digest, "bytes", 0);
            verifier.update(&data);
            verifier
        };
        assert_eq!(collect().bytes(), &data[..]);
        assert_eq!(collect().finish_with(digest).unwrap().bytes(), &data[..]);
        assert_eq!(collect().finish().unwrap().digest(), digest);
        let err = collect().finish_with(Digest::of(b"other")).unwrap_err();
        assert_eq!(err.code(), "HASH_MISMATCH");
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
