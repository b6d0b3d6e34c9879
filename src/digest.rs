//! Content digests: `sha256:<64 lowercase hex>`, the only form the runtime accepts.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A SHA-256 content digest.
///
/// Its text form is `sha256:` followed by 64 lowercase hex digits, the form OCI registries use:
///
/// - `sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855` => ok
/// - `SHA256:e3b0…` or `sha256:E3B0…` => [`Error::InvalidDigest`] (lowercase only, so that one
///   module has exactly one name)
/// - `sha512:…`, `e3b0…` without the prefix, 63 or 65 digits => [`Error::InvalidDigest`]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest([u8; 32]);

impl Digest {
    /// The algorithm prefix of the text form.
    pub const PREFIX: &'static str = "sha256:";

    /// Wraps the 32 bytes of a SHA-256 output.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Digest(bytes)
    }

    /// The SHA-256 of `data`, computed in one pass.
    pub fn of(data: &[u8]) -> Self {
        use sha2::Digest as _;
        Digest(sha2::Sha256::digest(data).into())
    }

    /// The 32 raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl FromStr for Digest {
    type Err = Error;

    /// Parses the text form.
    ///
    /// # Errors
    /// [`Error::InvalidDigest`], saying what is wrong with the text.
    fn from_str(text: &str) -> Result<Self> {
        let invalid = |reason| Error::InvalidDigest {
            given: text.to_string(),
            reason,
        };
        let hex = text
            .strip_prefix(Self::PREFIX)
            .ok_or_else(|| invalid("it does not start with `sha256:`"))?;
        if hex.len() != 64 {
            return Err(invalid("the hex part is not 64 digits long"));
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
            let high = nibble(pair[0])
                .ok_or_else(|| invalid("it has a character that is not lowercase hex"))?;
            let low = nibble(pair[1])
                .ok_or_else(|| invalid("it has a character that is not lowercase hex"))?;
            *byte = (high << 4) | low;
        }
        Ok(Digest(bytes))
    }
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::PREFIX)?;
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn digest_of_empty_input_is_the_known_sha256() {
        assert_eq!(Digest::of(b"").to_string(), EMPTY);
    }

    #[test]
    fn digest_text_round_trips() {
        let digest: Digest = EMPTY.parse().unwrap();
        assert_eq!(digest, Digest::of(b""));
        assert_eq!(digest.to_string(), EMPTY);
    }

    #[test]
    fn malformed_digests_are_refused_with_a_reason() {
        let cases = [
            ("", "does not start"),
            (
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "does not start",
            ),
            (
                "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "does not start",
            ),
            (
                "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "does not start",
            ),
            (
                "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
                "not lowercase hex",
            ),
            (
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
                "64 digits",
            ),
            (
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
                "64 digits",
            ),
            (
                "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "not lowercase hex",
            ),
            (
                "sha256:é3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
                "not lowercase hex",
            ),
        ];
        for (text, reason) in cases {
            let err = text.parse::<Digest>().unwrap_err();
            assert_eq!(err.code(), "INVALID_DIGEST", "{text}");
            let message = err.to_string();
            assert!(message.contains(reason), "{text}: {message}");
            assert!(
                message.contains(&format!("`{text}`")),
                "names the input: {message}"
            );
        }
    }
}
