//! The state envelope: a fixed 16-byte header, then a JSON payload.
//!
//! Pure Rust with no ABI in it, so every rule here is tested natively. The byte layout is
//! documented in the crate docs ("Envelope format").

use std::fmt;

use serde::Serialize;

use crate::GuestState;

/// The first four bytes of every envelope.
pub const MAGIC: [u8; 4] = *b"HSWP";

/// The envelope format this crate writes and the only one it reads.
pub const ENVELOPE_VERSION: u32 = 1;

/// Length of the header in bytes: magic, envelope version, schema, payload length.
pub const HEADER_LEN: usize = 16;

/// A header that passed every structural check, with the payload it frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// The schema number of the guest that wrote the state.
    pub schema: u32,
    /// The JSON payload, exactly as long as the header says.
    pub payload: &'a [u8],
}

/// Why state bytes were not accepted. Nothing is guessed: every variant is a refusal.
#[derive(Debug)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes do not start with [`MAGIC`]; `found` holds the first (up to) four bytes.
    WrongMagic {
        /// The bytes found at offset 0.
        found: Vec<u8>,
    },
    /// Fewer bytes than the header (or the payload length it declares) requires.
    Truncated {
        /// Bytes the envelope needs in total.
        needed: usize,
        /// Bytes actually present.
        found: usize,
    },
    /// The envelope version at offset 4 is not [`ENVELOPE_VERSION`].
    UnknownEnvelopeVersion {
        /// The version found.
        found: u32,
    },
    /// Bytes left over after the payload the header declares.
    TrailingBytes {
        /// How many bytes follow the payload.
        extra: usize,
    },
    /// The state was written by a newer schema than this guest reads: a downgrade would
    /// silently drop whatever the newer schema added.
    NewerSchema {
        /// The schema in the envelope.
        found: u32,
        /// The newest schema this guest reads (its own).
        supported: u32,
    },
    /// The payload is not a valid state of the declared schema.
    Payload {
        /// The schema in the envelope.
        schema: u32,
        /// What serde_json (or the guest's migration) reported.
        source: serde_json::Error,
    },
}

impl DecodeError {
    /// The `load_state` return code for this refusal: 1 for a bad envelope (magic,
    /// truncation, envelope version, trailing bytes), 2 for a newer schema, 3 for a payload
    /// that does not deserialize. See [`crate::code`].
    pub fn code(&self) -> i32 {
        match self {
            Self::WrongMagic { .. }
            | Self::Truncated { .. }
            | Self::UnknownEnvelopeVersion { .. }
            | Self::TrailingBytes { .. } => crate::code::BAD_ENVELOPE,
            Self::NewerSchema { .. } => crate::code::NEWER_SCHEMA,
            Self::Payload { .. } => crate::code::BAD_PAYLOAD,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongMagic { found } => write!(
                f,
                "state envelope: expected magic `HSWP` at byte 0, found {found:02x?}"
            ),
            Self::Truncated { needed, found } => write!(
                f,
                "state envelope truncated: needs {needed} bytes, got {found}"
            ),
            Self::UnknownEnvelopeVersion { found } => write!(
                f,
                "state envelope: unknown envelope version {found} at byte 4 \
                 (this reader knows {ENVELOPE_VERSION})"
            ),
            Self::TrailingBytes { extra } => write!(
                f,
                "state envelope: {extra} unexpected bytes after the payload"
            ),
            Self::NewerSchema { found, supported } => write!(
                f,
                "state has schema {found} (byte 8) but this guest reads schema {supported} \
                 or older; refusing a downgrade that would drop fields"
            ),
            Self::Payload { schema, source } => write!(
                f,
                "state payload (schema {schema}, byte {HEADER_LEN} on) does not deserialize: \
                 {source}"
            ),
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Payload { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Why a state could not be written.
#[derive(Debug)]
#[non_exhaustive]
pub enum EncodeError {
    /// The state's `Serialize` impl failed (e.g. a map with non-string keys).
    Serialize(serde_json::Error),
    /// The payload does not fit the header's u32 length field.
    TooLarge {
        /// The payload length in bytes.
        len: usize,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Serialize(e) => write!(f, "state does not serialize to JSON: {e}"),
            Self::TooLarge { len } => write!(f, "state payload of {len} bytes exceeds 4 GiB"),
        }
    }
}

impl std::error::Error for EncodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Serialize(e) => Some(e),
            Self::TooLarge { .. } => None,
        }
    }
}

/// Writes `state` as an envelope with the given schema number.
///
/// # Errors
/// [`EncodeError`] if the state's `Serialize` impl fails or the payload exceeds `u32::MAX`.
pub fn encode<T: Serialize + ?Sized>(schema: u32, state: &T) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    encode_into(&mut out, schema, state)?;
    Ok(out)
}

/// Appends an envelope to `out` (which may already hold other bytes, e.g. a prefix).
///
/// # Errors
/// As [`encode`]; on error `out` is left as it was.
pub fn encode_into<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    schema: u32,
    state: &T,
) -> Result<(), EncodeError> {
    let start = out.len();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&ENVELOPE_VERSION.to_le_bytes());
    out.extend_from_slice(&schema.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // payload length, patched below
    let written = serde_json::to_writer(&mut *out, state)
        .map_err(EncodeError::Serialize)
        .and_then(|()| {
            let len = out.len() - start - HEADER_LEN;
            u32::try_from(len).map_err(|_| EncodeError::TooLarge { len })
        });
    match written {
        Ok(len) => {
            out[start + 12..start + HEADER_LEN].copy_from_slice(&len.to_le_bytes());
            Ok(())
        }
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}

/// Checks the header and frames the payload, without looking at the payload or schema.
///
/// Checks, in order: magic (bytes 0..4), header length, envelope version (4..8), payload
/// length (12..16) against the bytes present, in both directions.
///
/// # Errors
/// [`DecodeError::WrongMagic`], [`DecodeError::Truncated`],
/// [`DecodeError::UnknownEnvelopeVersion`] or [`DecodeError::TrailingBytes`].
pub fn open(bytes: &[u8]) -> Result<Envelope<'_>, DecodeError> {
    let magic_seen = &bytes[..bytes.len().min(MAGIC.len())];
    if magic_seen != &MAGIC[..magic_seen.len()] {
        return Err(DecodeError::WrongMagic {
            found: magic_seen.to_vec(),
        });
    }
    let Some((header, payload)) = bytes.split_first_chunk::<HEADER_LEN>() else {
        return Err(DecodeError::Truncated {
            needed: HEADER_LEN,
            found: bytes.len(),
        });
    };
    let field = |at: usize| {
        u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let version = field(4);
    if version != ENVELOPE_VERSION {
        return Err(DecodeError::UnknownEnvelopeVersion { found: version });
    }
    // u32 -> usize cannot lose bits on the 32- and 64-bit targets this crate supports.
    let payload_len = field(12) as usize;
    if payload.len() < payload_len {
        return Err(DecodeError::Truncated {
            needed: HEADER_LEN.saturating_add(payload_len),
            found: bytes.len(),
        });
    }
    if payload.len() > payload_len {
        return Err(DecodeError::TrailingBytes {
            extra: payload.len() - payload_len,
        });
    }
    Ok(Envelope {
        schema: field(8),
        payload,
    })
}

/// Reads a state of type `S` from an envelope.
///
/// After [`open`]: a schema newer than `S::SCHEMA` is refused; the same schema is read with
/// `serde_json`; an older one goes through [`GuestState::migrate`] (by default also plain
/// `serde_json`, which fills fields added with `#[serde(default)]`).
///
/// # Errors
/// Any [`DecodeError`]; nothing is guessed.
pub fn decode<S: GuestState>(bytes: &[u8]) -> Result<S, DecodeError> {
    let Envelope { schema, payload } = open(bytes)?;
    if schema > S::SCHEMA {
        return Err(DecodeError::NewerSchema {
            found: schema,
            supported: S::SCHEMA,
        });
    }
    let state = if schema == S::SCHEMA {
        serde_json::from_slice(payload)
    } else {
        S::migrate(schema, payload)
    };
    state.map_err(|source| DecodeError::Payload { schema, source })
}
