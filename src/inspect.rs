//! Inspection: a module's interface and metadata, read from the binary with wasmparser.
//!
//! JS's `WebAssembly.Module.exports()` gives names and kinds but no signatures, so the gate
//! could not tell `increment(i32) -> i32` from `increment(i64) -> i64`. This stage reads the
//! type, import, function, table, memory, global, export and custom sections in one pass.

use wasmparser::{BinaryReader, Chunk, Encoding, ExternalKind, Parser, Payload, TypeRef};

use crate::error::{Error, Result};
use crate::interface::{Export, ExternType, FuncType, Import, Interface, ValType};
use crate::verify::Verified;

/// A module that passed verification, with its interface read, and the payload that came with
/// its bytes ([`crate::verify::Verifier::alongside`]).
#[derive(Debug)]
pub struct Inspected<C = ()> {
    verified: Verified<C>,
    interface: Interface,
}

impl<C> Inspected<C> {
    /// The verified bytes and digest.
    pub fn verified(&self) -> &Verified<C> {
        &self.verified
    }

    /// The interface read from them.
    pub fn interface(&self) -> &Interface {
        &self.interface
    }

    /// Takes the payload out, leaving the proof.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn split(self) -> (Inspected, C) {
        let (verified, payload) = self.verified.split();
        let inspected = Inspected {
            verified,
            interface: self.interface,
        };
        (inspected, payload)
    }
}

impl Inspected {
    /// Puts back a payload made from the payload [`Inspected::split`] took out.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn with<D>(self, payload: D) -> Inspected<D> {
        Inspected {
            verified: self.verified.with(payload),
            interface: self.interface,
        }
    }
}

/// Reads the interface of verified bytes.
///
/// # Errors
/// As [`read_interface`].
pub fn inspect<C>(verified: Verified<C>) -> Result<Inspected<C>> {
    let interface = read_interface(verified.bytes())?;
    Ok(Inspected {
        verified,
        interface,
    })
}

/// The name of the custom section that holds a module's semver version.
pub const VERSION_SECTION: &str = "version";

/// Reads a module's interface in one pass over its payloads. Function bodies are skipped, not
/// validated: the engine's compiler validates them.
///
/// # Errors
/// - [`Error::InvalidModule`] with the byte offset, for bytes that are not a module (bad magic,
///   truncation, an invalid LEB128, a section running past the end, a non-UTF-8 name, an
///   unknown section id) or a malformed `version` section (not UTF-8, not semver, duplicated).
/// - [`Error::UnsupportedComponent`] for a Component Model binary.
pub fn read_interface(bytes: &[u8]) -> Result<Interface> {
    let mut interface = Interface::default();
    let mut types: Vec<Option<FuncType>> = Vec::new();
    let mut funcs: Vec<u32> = Vec::new();
    let mut tables: Vec<ExternType> = Vec::new();
    let mut memories: Vec<ExternType> = Vec::new();
    let mut globals: Vec<ExternType> = Vec::new();
    let mut tags: Vec<ExternType> = Vec::new();
    let mut exports = Vec::new();
    let mut version_offset = None;

    let mut parser = Parser::new(0);
    let mut rest = bytes;
    loop {
        let payload = match parser.parse(rest, true)? {
            Chunk::Parsed { consumed, payload } => {
                rest = &rest[consumed..];
                payload
            }
            // With `eof` set the parser reports truncation as an error instead.
            Chunk::NeedMoreData(_) => {
                return Err(Error::InvalidModule {
                    reason: "unexpected end-of-file".into(),
                    offset: Some((bytes.len() - rest.len()) as u64),
                })
            }
        };
        match payload {
            Payload::End(_) => break,
            // Function bodies are the engine's to validate: skip them whole, not one by one.
            Payload::CodeSectionStart {
                size,
                unchecked_range,
                ..
            } => {
                rest = rest.get(size as usize..).ok_or(Error::InvalidModule {
                    reason: "the code section runs past the end of the module".into(),
                    offset: Some(unchecked_range.start),
                })?;
                parser.skip_section();
            }
            Payload::Version {
                encoding: Encoding::Component,
                ..
            } => return Err(Error::UnsupportedComponent),
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group?.into_types() {
                        types.push(match sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => Some(convert_func(&f)),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for item in reader.into_imports_with_offsets() {
                    let (offset, import) = item?;
                    let ty = match import.ty {
                        TypeRef::Func(index) | TypeRef::FuncExact(index) => {
                            funcs.push(index);
                            ExternType::Func(func_type(&types, index, offset)?)
                        }
                        TypeRef::Table(t) => push(&mut tables, convert_table(t)),
                        TypeRef::Memory(m) => push(&mut memories, convert_memory(m)),
                        TypeRef::Global(g) => push(&mut globals, convert_global(g)),
                        TypeRef::Tag(t) => push(
                            &mut tags,
                            ExternType::Tag(func_type(&types, t.func_type_idx, offset)?),
                        ),
                    };
                    interface.imports.push(Import {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        ty,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for index in reader {
                    funcs.push(index?);
                }
            }
            Payload::TableSection(reader) => {
                let mut reader = section_reader(bytes, reader.range());
                for _ in 0..reader.read_var_u32()? {
                    // `0x40 0x00 tabletype expr` for a table with an initializer.
                    let init = reader.clone().read_u8()? == 0x40;
                    if init {
                        reader.read_bytes(2)?;
                    }
                    tables.push(convert_table(reader.read()?));
                    if init {
                        skip_const_expr(&mut reader)?;
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    memories.push(convert_memory(memory?));
                }
            }
            Payload::GlobalSection(reader) => {
                let mut reader = section_reader(bytes, reader.range());
                for _ in 0..reader.read_var_u32()? {
                    globals.push(convert_global(reader.read()?));
                    skip_const_expr(&mut reader)?;
                }
            }
            Payload::TagSection(reader) => {
                for item in reader.into_iter_with_offsets() {
                    let (offset, tag) = item?;
                    tags.push(ExternType::Tag(func_type(
                        &types,
                        tag.func_type_idx,
                        offset,
                    )?));
                }
            }
            Payload::ExportSection(reader) => {
                for item in reader.into_iter_with_offsets() {
                    let (offset, export) = item?;
                    exports.push((offset, export.name.to_string(), export.kind, export.index));
                }
            }
            Payload::CustomSection(section) if section.name() == VERSION_SECTION => {
                if let Some(first) = version_offset {
                    return Err(Error::InvalidModule {
                        reason: format!("section `{VERSION_SECTION}` appears twice (first at byte offset {first})"),
                        offset: Some(section.range().start),
                    });
                }
                version_offset = Some(section.range().start);
                interface.version = Some(parse_version(section.data(), section.data_offset())?);
            }
            Payload::CustomSection(section) => interface.metadata.read(&section)?,
            Payload::UnknownSection { id, range, .. } => {
                // The engine would refuse it too; say where, before compiling.
                return Err(Error::InvalidModule {
                    reason: format!("unknown section id {id}, whose contents begin here"),
                    offset: Some(range.start),
                });
            }
            _ => {}
        }
    }

    for (offset, name, kind, index) in exports {
        let lookup = |space: &[ExternType], what: &str| {
            space
                .get(index as usize)
                .cloned()
                .ok_or_else(|| Error::InvalidModule {
                    reason: format!(
                        "export `{name}` refers to {what} {index}, which does not exist"
                    ),
                    offset: Some(offset),
                })
        };
        let ty = match kind {
            ExternalKind::Func | ExternalKind::FuncExact => {
                let type_index =
                    *funcs
                        .get(index as usize)
                        .ok_or_else(|| Error::InvalidModule {
                            reason: format!(
                                "export `{name}` refers to function {index}, which does not exist"
                            ),
                            offset: Some(offset),
                        })?;
                ExternType::Func(func_type(&types, type_index, offset)?)
            }
            ExternalKind::Table => lookup(&tables, "table")?,
            ExternalKind::Memory => lookup(&memories, "memory")?,
            ExternalKind::Global => lookup(&globals, "global")?,
            ExternalKind::Tag => lookup(&tags, "tag")?,
        };
        interface.exports.push(Export { name, ty });
    }
    Ok(interface)
}

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

/// A reader over one section's contents, positioned at its item count.
fn section_reader(bytes: &[u8], range: std::ops::Range<u64>) -> BinaryReader<'_> {
    BinaryReader::new(
        &bytes[range.start as usize..range.end as usize],
        range.start,
    )
}

/// Skips a constant expression, through its `end`.
///
/// The global and table sections put one after each item, and wasmparser's own skipping runs
/// its full operator decoder, which would more than double the runtime's share of wasmparser.
/// A constant expression can only hold these instructions (MVP, extended-const, SIMD, GC).
fn skip_const_expr(reader: &mut BinaryReader<'_>) -> Result<()> {
    loop {
        let at = reader.original_position();
        match reader.read_u8()? {
            0x0b => return Ok(()),
            0x41 => drop(reader.read_var_i32()?),
            0x42 => drop(reader.read_var_i64()?),
            0x43 => drop(reader.read_bytes(4)?),
            0x44 => drop(reader.read_bytes(8)?),
            0x23 | 0xd2 => drop(reader.read_var_u32()?),
            0xd0 => drop(reader.read_var_s33()?),
            0x6a..=0x6c | 0x7c..=0x7e => {}
            0xfd if reader.read_var_u32()? == 12 => drop(reader.read_bytes(16)?),
            0xfb => match reader.read_var_u32()? {
                0 | 1 | 6 | 7 => drop(reader.read_var_u32()?),
                8 => drop((reader.read_var_u32()?, reader.read_var_u32()?)),
                0x1a..=0x1c => {}
                op => return Err(const_expr_error(format!("0xfb {op}"), at)),
            },
            op => return Err(const_expr_error(format!("{op:#04x}"), at)),
        }
    }
}

fn const_expr_error(opcode: String, offset: u64) -> Error {
    Error::InvalidModule {
        reason: format!("instruction {opcode} cannot appear in a constant expression"),
        offset: Some(offset),
    }
}

fn push(space: &mut Vec<ExternType>, ty: ExternType) -> ExternType {
    space.push(ty.clone());
    ty
}

fn func_type(types: &[Option<FuncType>], index: u32, offset: u64) -> Result<FuncType> {
    types
        .get(index as usize)
        .cloned()
        .flatten()
        .ok_or_else(|| Error::InvalidModule {
            reason: format!("type {index} is not a function type"),
            offset: Some(offset),
        })
}

fn convert_func(ty: &wasmparser::FuncType) -> FuncType {
    FuncType::new(
        ty.params()
            .iter()
            .copied()
            .map(ValType::from)
            .collect::<Vec<_>>(),
        ty.results()
            .iter()
            .copied()
            .map(ValType::from)
            .collect::<Vec<_>>(),
    )
}

fn convert_table(t: wasmparser::TableType) -> ExternType {
    ExternType::Table {
        element: t.element_type.to_string(),
        initial: t.initial,
        maximum: t.maximum,
        table64: t.table64,
        shared: t.shared,
    }
}

fn convert_memory(m: wasmparser::MemoryType) -> ExternType {
    ExternType::Memory {
        initial: m.initial,
        maximum: m.maximum,
        memory64: m.memory64,
        shared: m.shared,
    }
}

fn convert_global(g: wasmparser::GlobalType) -> ExternType {
    ExternType::Global {
        content: g.content_type.into(),
        mutable: g.mutable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interface(wat: &str) -> Result<Interface> {
        read_interface(&wat::parse_str(wat).unwrap())
    }

    #[test]
    fn reads_exports_of_every_kind_with_their_types() {
        let found = interface(
            r#"(module
                 (memory (export "memory") 1 16)
                 (table (export "table") 2 funcref)
                 (global (export "counter") (mut i64) (i64.const 0))
                 (global (export "limit") f32 (f32.const 1))
                 (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
                 (func (export "pair") (result i32 f64) (i32.const 1) (f64.const 2))
                 (func (export "nothing")))"#,
        )
        .unwrap();
        let shown: Vec<String> = found
            .exports
            .iter()
            .map(|e| format!("{}: {}", e.name, e.ty))
            .collect();
        assert_eq!(
            shown,
            [
                "memory: memory 1..16 pages",
                "table: table funcref 2..",
                "counter: global mut i64",
                "limit: global f32",
                "add: function (i32, i32) -> i32",
                "pair: function () -> (i32, f64)",
                "nothing: function () -> ()",
            ]
        );
        assert_eq!(found.version, None);
    }

    #[test]
    fn exported_function_indices_count_imported_functions_first() {
        let found = interface(
            r#"(module
                 (import "env" "log" (func (param i32 i32)))
                 (import "env" "mem" (memory 1))
                 (import "env" "base" (global i32))
                 (func (export "run") (param f64) (result f64) (local.get 0))
                 (export "log_again" (func 0))
                 (export "mem_again" (memory 0)))"#,
        )
        .unwrap();
        let imports: Vec<String> = found
            .imports
            .iter()
            .map(|i| format!("{}.{}: {}", i.module, i.name, i.ty))
            .collect();
        assert_eq!(
            imports,
            [
                "env.log: function (i32, i32) -> ()",
                "env.mem: memory 1.. pages",
                "env.base: global i32"
            ]
        );
        assert_eq!(
            found.export("run").unwrap().ty.to_string(),
            "function (f64) -> f64"
        );
        assert_eq!(
            found.export("log_again").unwrap().ty.to_string(),
            "function (i32, i32) -> ()"
        );
        assert_eq!(
            found.export("mem_again").unwrap().ty.to_string(),
            "memory 1.. pages"
        );
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
            let result = parse_version(text.as_bytes(), 100);
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
        let err = parse_version(b"1.\xff.3", 40).unwrap_err();
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
    fn bytes_that_are_not_wasm_fail_at_offset_zero() {
        let err = read_interface(b"<!doctype html>").unwrap_err();
        assert_eq!(err.code(), "INVALID_MODULE");
        assert!(err.to_string().contains("magic header"), "{err}");
        assert!(err.to_string().contains("byte offset 0"), "{err}");
    }

    #[test]
    fn every_truncation_of_a_module_is_an_error_with_an_offset_not_a_panic() {
        let whole = wat::parse_str(
            r#"(module (memory (export "memory") 1) (func (export "f") (param i32) (result i32) (local.get 0)) (@custom "version" "1.0.0"))"#,
        )
        .unwrap();
        for cut in 0..whole.len() {
            match read_interface(&whole[..cut]) {
                Err(Error::InvalidModule {
                    offset: Some(at), ..
                }) => assert!(at <= cut as u64, "cut {cut}: offset {at}"),
                // A cut that falls between sections leaves a shorter but well-formed module.
                Ok(_) => {}
                Err(other) => panic!("cut {cut}: {other}"),
            }
        }
        assert!(read_interface(&whole).is_ok());
    }

    #[test]
    fn an_unknown_section_id_is_invalid_with_its_offset() {
        let mut bytes = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
        let contents = bytes.len() as u64 + 2;
        bytes.extend_from_slice(&[0x42, 0x01, 0x00]);
        let err = read_interface(&bytes).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid module: unknown section id 66, whose contents begin here (at byte offset {contents})")
        );
    }

    #[test]
    fn globals_and_tables_with_every_kind_of_initializer_are_read() {
        let found = interface(
            r#"(module
                 (type $s (struct (field i32)))
                 (global $base (import "env" "base") i32)
                 (global (export "sum") i32 (i32.add (global.get $base) (i32.mul (i32.const 2) (i32.const -3))))
                 (global (export "wide") i64 (i64.sub (i64.const 0x7fffffffffffffff) (i64.const 1)))
                 (global (export "f") f32 (f32.const 1.5))
                 (global (export "d") f64 (f64.const -2.25))
                 (global (export "v") v128 (v128.const i32x4 1 2 3 4))
                 (global (export "null") externref (ref.null extern))
                 (global (export "fn") funcref (ref.func $f))
                 (global (export "obj") (ref null $s) (struct.new $s (i32.const 7)))
                 (table (export "plain") 1 funcref)
                 (table (export "filled") 2 funcref (ref.func $f))
                 (func $f (export "f_") ))"#,
        )
        .unwrap();
        let shown: Vec<String> = found
            .exports
            .iter()
            .map(|e| format!("{}: {}", e.name, e.ty))
            .collect();
        assert_eq!(
            shown,
            [
                "sum: global i32",
                "wide: global i64",
                "f: global f32",
                "d: global f64",
                "v: global v128",
                "null: global externref",
                "fn: global funcref",
                "obj: global (ref null (module 0))",
                "plain: table funcref 1..",
                "filled: table funcref 2..",
                "f_: function () -> ()",
            ]
        );
    }

    #[test]
    fn an_instruction_that_is_not_constant_in_an_initializer_is_invalid_with_its_offset() {
        let mut bytes =
            wat::parse_str(r#"(module (global (export "g") i32 (i32.const 5)))"#).unwrap();
        let at = bytes.windows(2).position(|w| w == [0x41, 0x05]).unwrap();
        bytes[at] = 0x45; // i32.eqz
        let err = read_interface(&bytes).unwrap_err();
        assert_eq!(err.to_string(), format!("invalid module: instruction 0x45 cannot appear in a constant expression (at byte offset {at})"));
    }

    #[test]
    fn component_binaries_are_unsupported() {
        let err = read_interface(b"\0asm\x0d\0\x01\0").unwrap_err();
        assert_eq!(err, Error::UnsupportedComponent);
        assert_eq!(err.code(), "UNSUPPORTED_COMPONENT");
    }
}
