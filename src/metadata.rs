//! The wasm-metadata fields a module may carry besides its `version`: one custom section each,
//! as `wasm-tools metadata add` writes them (and OCI maps them to image annotations), plus the
//! module name from the `name` section and the toolchains from `producers`.

use serde::Serialize;
use wasmparser::{
    BinaryReader, CustomSectionReader, Name, NameSectionReader, ProducersSectionReader,
};

use crate::error::{Error, Result};

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

    /// Reads `section` into these fields if it is a metadata section; other sections are left
    /// alone.
    ///
    /// # Errors
    /// [`Error::InvalidModule`] naming the section with its byte offset: a text section that is
    /// not UTF-8 or appears twice, or a malformed `producers` or `name` section.
    pub fn read(&mut self, section: &CustomSectionReader<'_>) -> Result<()> {
        let name = section.name();
        let offset = section.range().start;
        if let Some(field) = self.text_field(name) {
            if field.is_some() {
                return Err(Error::InvalidModule {
                    reason: format!("section `{name}` appears twice"),
                    offset: Some(offset),
                });
            }
            let text = std::str::from_utf8(section.data()).map_err(|e| Error::InvalidModule {
                reason: format!("section `{name}` is not UTF-8"),
                offset: Some(section.data_offset() + e.valid_up_to() as u64),
            })?;
            *field = Some(text.to_string());
            return Ok(());
        }
        let malformed = |e: wasmparser::BinaryReaderError| Error::InvalidModule {
            reason: format!("section `{name}` is malformed: {}", e.message()),
            offset: Some(e.offset()),
        };
        // The two readers are built directly: `as_known()` would link every other known
        // section's reader (core dumps, linking, relocations) into the runtime.
        let reader = BinaryReader::new(section.data(), section.data_offset());
        match name {
            "producers" => ProducersSectionReader::new(reader)
                .and_then(|r| self.read_producers(r))
                .map_err(malformed),
            "name" => {
                for subsection in NameSectionReader::new(reader) {
                    if let Name::Module { name, .. } = subsection.map_err(malformed)? {
                        self.name = Some(name.to_string());
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

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

#[cfg(test)]
mod tests {
    use crate::inspect::read_interface;

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
}
