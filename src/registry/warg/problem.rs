//! What can be wrong with what a Warg server served, in two kinds: malformed (it does not
//! decode) and invalid (it decodes, but a signature, the hash chain, a permission or the
//! checkpoint does not verify).

use crate::error::Error;

/// A failed decoding or verification, before it is given the registry's URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not of the shape the protocol defines: protobuf, base64, a hash or key text that does
    /// not parse. Becomes [`Error::InvalidIndex`].
    Malformed(String),
    /// Well formed, but it does not verify. Becomes [`Error::RegistryLogInvalid`].
    Invalid(String),
}

impl Problem {
    /// The runtime error for this problem with what the registry `registry` served at `url`:
    /// a malformed answer names its URL, a log that does not verify the registry.
    pub fn at(self, registry: &str, url: &str) -> Error {
        match self {
            Problem::Malformed(reason) => Error::InvalidIndex {
                url: url.to_string(),
                reason,
            },
            Problem::Invalid(reason) => Error::RegistryLogInvalid {
                registry: registry.to_string(),
                reason,
            },
        }
    }
}

/// [`Problem::Malformed`], naming `item`.
pub(crate) fn malformed(item: &str, reason: impl std::fmt::Display) -> Problem {
    Problem::Malformed(format!("{item}: {reason}"))
}

/// [`Problem::Invalid`], naming `item`.
pub(crate) fn invalid(item: &str, reason: impl std::fmt::Display) -> Problem {
    Problem::Invalid(format!("{item}: {reason}"))
}
