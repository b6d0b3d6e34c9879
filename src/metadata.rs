//! The metadata sections a module may carry, as `wasm-tools metadata add` writes them (and OCI
//! maps them to image annotations): `version`, which is part of the module's [`Interface`], and
//! the descriptive fields of [`Metadata`], one custom section each, plus the module name from the
//! `name` section and the toolchains from `producers`.
//!
//! [`crate::inspect::read_interface`] meets them in any order among the other custom sections
//! and hands each to this module's reader, which makes one duplicate check for all of them:
//! `version` and each text section may appear once, and a second one is an error naming the
//! offsets of both.
//!
//! [`Interface`]: crate::interface::Interface

use serde::Serialize;
use wasmparser::{
    BinaryReader, CustomSectionReader, Name, NameSectionReader, ProducersSectionReader,
};

use crate::error::{Error, Result};

/// The name of the custom section that holds a module's semver version.
pub const VERSION_SECTION: &str = "version";

/// Parses the contents of a `version` section: UTF-8 semver text, exactly.
///
/// - `1.2.3` => 1.2.3
/// - `1.2.3-rc.1+build.5` => 1.2.3-rc.1+build.5
/// - `v1.2.3`, `1.2`, ` 1.2.3`, `1.2.3\n` => error (no trimming: the section is written by tools)
///
/// # Errors
/// [`Error::InvalidModule`] naming the section and giving `offset`.
pub fn parse_version(data: &[u8], offset: u64) -> Result<semver::Version> {
    let text = std::str::from_utf8(data).map_err(|e| Error::InvalidModule {
        reason: format!("section `{VERSION_SECTION}` is not UTF-8"),
        offset: Some(offset + e.valid_up_to() as u64),
    })?;
    semver::Version::parse(text).map_err(|e| Error::InvalidModule {
        reason: format!(
            "section `{VERSION_SECTION}` holds `{}`, which is not a semantic version: {e}",
            text
        ),
        offset: Some(offset),
    })
}

/// One `producers` field: `language`, `processed-by` or `sdk`, with its names and versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProducerField {
    /// The field's name.
    pub field: String,
    /// `(name, version)` pairs, in section order.
    pub values: Vec<(String, String)>,
}

/// Descriptive metadata of a module. Every field is optional; none is part of its interface.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Metadata {
    /// The module name, from the `name` section.
    pub name: Option<String>,
    /// `authors`.
    pub authors: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `licenses`, an SPDX expression.
    pub licenses: Option<String>,
    /// `source`, a URL.
    pub source: Option<String>,
    /// `homepage`, a URL.
    pub homepage: Option<String>,
    /// `revision`, a source-control revision.
    pub revision: Option<String>,
    /// `producers`: languages, tools and SDKs that made the module.
    pub producers: Vec<ProducerField>,
}

impl Metadata {
    /// The text field a custom section of this name fills, if it is one of them.
    fn text_field(&mut self, section: &str) -> Option<&mut Option<String>> {
        Some(match section {
            "authors" => &mut self.authors,
            "description" => &mut self.description,
            "licenses" => &mut self.licenses,
            "source" => &mut self.source,
            "homepage" => &mut self.homepage,
            "revision" => &mut self.revision,
            _ => return None,
        })
    }

    /// Appends the fields of a `producers` section.
    fn read_producers(&mut self, reader: ProducersSectionReader<'_>) -> wasmparser::Result<()> {
        for field in reader {
            let field = field?;
            let values = field
                .values
                .into_iter()
                .map(|v| v.map(|v| (v.name.to_string(), v.version.to_string())))
                .collect::<wasmparser::Result<_>>()?;
            self.producers.push(ProducerField {
                field: field.name.to_string(),
                values,
            });
        }
        Ok(())
    }
}

/// Reads the metadata sections of one module as the pass meets them: `version` and the
/// [`Metadata`] sections. Other custom sections are left alone.
#[derive(Debug, Default)]
pub(crate) struct MetadataReader {
    version: Option<semver::Version>,
    metadata: Metadata,
    /// The name and byte offset of each once-only section read so far.
    seen: Vec<(String, u64)>,
}

impl MetadataReader {
    /// Reads `section` if it is a metadata section.
    ///
    /// # Errors
    /// [`Error::InvalidModule`] naming the section with its byte offset: `version` or a text
    /// section that appears twice ([`first_time`]), a `version` that [`parse_version`] refuses,
    /// a text section that is not UTF-8, or a malformed `producers` or `name` section.
    pub(crate) fn read(&mut self, section: &CustomSectionReader<'_>) -> Result<()> {
        let name = section.name();
        let offset = section.range().start;
        if name == VERSION_SECTION {
            first_time(&mut self.seen, name, offset)?;
            self.version = Some(parse_version(section.data(), section.data_offset())?);
        } else if let Some(field) = self.metadata.text_field(name) {
            first_time(&mut self.seen, name, offset)?;
            let text = std::str::from_utf8(section.data()).map_err(|e| Error::InvalidModule {
                reason: format!("section `{name}` is not UTF-8"),
                offset: Some(section.data_offset() + e.valid_up_to() as u64),
            })?;
            *field = Some(text.to_string());
        } else {
            self.read_binary(section)?;
        }
        Ok(())
    }

    /// Reads `section` if it is `producers` or `name`, the two metadata sections in binary.
    fn read_binary(&mut self, section: &CustomSectionReader<'_>) -> Result<()> {
        let name = section.name();
        let malformed = |e: wasmparser::BinaryReaderError| Error::InvalidModule {
            reason: format!("section `{name}` is malformed: {}", e.message()),
            offset: Some(e.offset()),
        };
        // The two readers are built directly: `as_known()` would link every other known
        // section's reader (core dumps, linking, relocations) into the runtime.
        let reader = BinaryReader::new(section.data(), section.data_offset());
        match name {
            "producers" => ProducersSectionReader::new(reader)
                .and_then(|r| self.metadata.read_producers(r))
                .map_err(malformed),
            "name" => {
                for subsection in NameSectionReader::new(reader) {
                    if let Name::Module { name, .. } = subsection.map_err(malformed)? {
                        self.metadata.name = Some(name.to_string());
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The version and the metadata read.
    pub(crate) fn finish(self) -> (Option<semver::Version>, Metadata) {
        (self.version, self.metadata)
    }
}

/// The one duplicate-section check of the metadata sections: `version` and each text section
/// may appear once. `seen` holds the name and offset of each such section read so far.
///
/// - `licenses` at 20, first => ok, and `seen` gains `("licenses", 20)`
/// - `authors` at 40 after `licenses` at 20 => ok
/// - `licenses` at 60 after `licenses` at 20 => error "section `licenses` appears twice (first
///   at byte offset 20)" at byte offset 60
///
/// # Errors
/// [`Error::InvalidModule`] at `offset` if `name` is in `seen`.
fn first_time(seen: &mut Vec<(String, u64)>, name: &str, offset: u64) -> Result<()> {
    if let Some((_, first)) = seen.iter().find(|(seen, _)| seen == name) {
        return Err(Error::InvalidModule {
            reason: format!("section `{name}` appears twice (first at byte offset {first})"),
            offset: Some(offset),
        });
    }
    seen.push((name.to_string(), offset));
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::error::Error;
    use crate::inspect::read_interface;
    use crate::interface::Interface;

    fn interface(wat: &str) -> crate::error::Result<Interface> {
        read_interface(&wat::parse_str(wat).unwrap())
    }

    fn metadata_of(sections: &str) -> crate::error::Result<super::Metadata> {
        read_interface(&wat::parse_str(format!("(module $counter {sections})")).unwrap())
            .map(|i| i.metadata)
    }

    #[test]
    fn reads_every_metadata_section_present() {
        let metadata = metadata_of(
            r#"(@custom "authors" "Ada <ada@example.com>")
               (@custom "description" "A counter")
               (@custom "licenses" "MIT OR Apache-2.0")
               (@custom "source" "https://example.com/src")
               (@custom "homepage" "https://example.com")
               (@custom "revision" "abc123")
               (@producers (language "Rust" "1.95.0") (processed-by "rustc" "1.95.0 (59807616e)"))"#,
        )
        .unwrap();
        assert_eq!(metadata.name.as_deref(), Some("counter"));
        assert_eq!(metadata.authors.as_deref(), Some("Ada <ada@example.com>"));
        assert_eq!(metadata.description.as_deref(), Some("A counter"));
        assert_eq!(metadata.licenses.as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!(metadata.source.as_deref(), Some("https://example.com/src"));
        assert_eq!(metadata.homepage.as_deref(), Some("https://example.com"));
        assert_eq!(metadata.revision.as_deref(), Some("abc123"));
        let producers: Vec<String> = metadata
            .producers
            .iter()
            .map(|f| format!("{}: {:?}", f.field, f.values))
            .collect();
        assert_eq!(
            producers,
            [
                r#"language: [("Rust", "1.95.0")]"#,
                r#"processed-by: [("rustc", "1.95.0 (59807616e)")]"#
            ]
        );
    }

    #[test]
    fn absent_sections_leave_fields_empty() {
        let metadata = read_interface(&wat::parse_str("(module)").unwrap())
            .unwrap()
            .metadata;
        assert_eq!(metadata, super::Metadata::default());
    }

    #[test]
    fn a_text_section_that_is_not_utf8_or_twice_is_invalid_with_its_offset() {
        let err = metadata_of(r#"(@custom "authors" "\ff")"#).unwrap_err();
        assert_eq!(err.code(), "INVALID_MODULE");
        assert!(
            err.to_string()
                .contains("section `authors` is not UTF-8 (at byte offset"),
            "{err}"
        );
        let err = metadata_of(r#"(@custom "licenses" "MIT") (@custom "licenses" "GPL-3.0")"#)
            .unwrap_err();
        assert!(
            err.to_string().contains("section `licenses` appears twice"),
            "{err}"
        );
    }

    #[test]
    fn a_malformed_producers_section_is_invalid_with_its_offset() {
        let err = metadata_of(r#"(@custom "producers" "\05")"#).unwrap_err();
        assert_eq!(err.code(), "INVALID_MODULE");
        assert!(
            err.to_string().contains("section `producers` is malformed"),
            "{err}"
        );
        assert!(err.to_string().contains("byte offset"), "{err}");
    }

    #[test]
    fn reads_the_version_section() {
        let found = interface(r#"(module (@custom "version" "2.1.0-rc.1+build.7"))"#).unwrap();
        assert_eq!(found.version.unwrap().to_string(), "2.1.0-rc.1+build.7");
    }

    #[test]
    fn version_section_rules_follow_the_table() {
        for (text, ok) in [
            ("1.2.3", true),
            ("1.2.3-rc.1+build.5", true),
            ("v1.2.3", false),
            ("1.2", false),
            (" 1.2.3", false),
            ("1.2.3\n", false),
            ("", false),
        ] {
            let result = super::parse_version(text.as_bytes(), 100);
            assert_eq!(result.is_ok(), ok, "{text:?}: {result:?}");
            if let Err(err) = result {
                assert_eq!(err.code(), "INVALID_MODULE");
                assert!(err.to_string().contains("section `version`"), "{err}");
                assert!(err.to_string().contains("byte offset 100"), "{err}");
            }
        }
    }

    #[test]
    fn version_section_that_is_not_utf8_names_the_offset_of_the_bad_byte() {
        let err = super::parse_version(b"1.\xff.3", 40).unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
        assert!(err.to_string().contains("byte offset 42"), "{err}");
    }

    #[test]
    fn malformed_version_in_a_module_names_the_section_and_its_offset() {
        let bytes = wat::parse_str(r#"(module (@custom "version" "one point oh"))"#).unwrap();
        let at = bytes
            .windows(12)
            .position(|w| w == b"one point oh")
            .unwrap();
        let err = read_interface(&bytes).unwrap_err();
        assert_eq!(err.code(), "INVALID_MODULE");
        assert!(
            err.to_string().contains(&format!("byte offset {at}")),
            "{err}"
        );
        assert!(err.to_string().contains("`one point oh`"), "{err}");
    }

    #[test]
    fn duplicated_version_section_is_invalid() {
        let err = interface(r#"(module (@custom "version" "1.0.0") (@custom "version" "1.0.1"))"#)
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_MODULE");
        assert!(err.to_string().contains("appears twice"), "{err}");
    }

    #[test]
    fn first_time_follows_the_table() {
        let mut seen = Vec::new();
        for (name, offset, first) in [
            ("licenses", 20, None),
            ("authors", 40, None),
            ("version", 50, None),
            ("licenses", 60, Some(20)),
            ("version", 70, Some(50)),
        ] {
            let result = super::first_time(&mut seen, name, offset);
            match first {
                None => assert_eq!(result, Ok(()), "{name} at {offset}"),
                Some(first) => assert_eq!(
                    result,
                    Err(Error::InvalidModule {
                        reason: format!(
                            "section `{name}` appears twice (first at byte offset {first})"
                        ),
                        offset: Some(offset),
                    })
                ),
            }
        }
    }

    #[test]
    fn a_duplicated_text_section_names_both_offsets() {
        let bytes = wat::parse_str(
            r#"(module (@custom "licenses" "MIT") (@custom "version" "1.0.0") (@custom "licenses" "GPL-3.0"))"#,
        )
        .unwrap();
        let err = read_interface(&bytes).unwrap_err();
        // A section's offset is where its contents begin: at the name's length byte.
        let at = |name: &[u8]| bytes.windows(name.len()).position(|w| w == name).unwrap() - 1;
        let first = at(b"licensesMIT");
        let second = at(b"licensesGPL");
        assert_eq!(
            err.to_string(),
            format!("invalid module: section `licenses` appears twice (first at byte offset {first}) (at byte offset {second})")
        );
    }
}
