//! Inspection: a module's interface and metadata, read from the binary with wasmparser.
//!
//! JS's `WebAssembly.Module.exports()` gives names and kinds but no signatures, so the gate
//! could not tell `increment(i32) -> i32` from `increment(i64) -> i64`. This stage reads the
//! type, import, function, table, memory, tag, global, export and custom sections in one pass:
//! [`read_interface`] dispatches each payload to the function for its section, and the custom
//! sections to [`crate::metadata`], which reads `version` ([`VERSION_SECTION`],
//! [`parse_version`], re-exported here) with the other metadata sections. Function bodies are
//! skipped whole; the initializers of globals and tables are skipped by a constant-expression
//! skipper of our own, not wasmparser's operator decoder, which would more than double the
//! runtime's share of wasmparser.

use std::ops::Range;

use wasmparser::{
    BinaryReader, Chunk, CompositeInnerType, Encoding, ExportSectionReader, ExternalKind,
    FunctionSectionReader, ImportSectionReader, MemorySectionReader, Parser, Payload,
    TagSectionReader, TypeRef, TypeSectionReader,
};

use crate::error::{Error, Result};
use crate::interface::{Export, ExternType, FuncType, Import, Interface, ValType};
use crate::metadata::MetadataReader;
pub use crate::metadata::{parse_version, VERSION_SECTION};
use crate::verify::Verified;

/// A module that passed verification, with its interface read, and the payload that came with
/// its bytes ([`crate::verify::Verified::with`]).
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

    /// The verified bytes and the interface, apart.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn into_parts(self) -> (Verified<C>, Interface) {
        (self.verified, self.interface)
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

/// Reads a module's interface in one pass over its payloads. Function bodies are skipped, not
/// validated: the engine's compiler validates them.
///
/// # Errors
/// - [`Error::InvalidModule`] with the byte offset, for bytes that are not a module (bad magic,
///   truncation, an invalid LEB128, a section running past the end, a non-UTF-8 name, an
///   unknown section id, an export naming an item that does not exist, an instruction that is
///   not constant in an initializer), or a malformed metadata section: a `version` that is not
///   UTF-8 or not semver, a text section that is not UTF-8, a `version` or text section that
///   appears twice, a malformed `producers` or `name` section.
///
/// A Component Model component's interface is read by its own rules: see
/// [`component`](self::component).
pub fn read_interface(bytes: &[u8]) -> Result<Interface> {
    let mut module = Module::default();
    for payload in payloads(bytes) {
        match payload? {
            Payload::Version {
                encoding: Encoding::Component,
                ..
            } => return component::read_component(bytes),
            Payload::TypeSection(reader) => module.type_section(reader)?,
            Payload::ImportSection(reader) => module.import_section(reader)?,
            Payload::FunctionSection(reader) => module.function_section(reader)?,
            Payload::TableSection(reader) => module.table_section(bytes, reader.range())?,
            Payload::MemorySection(reader) => module.memory_section(reader)?,
            Payload::TagSection(reader) => module.tag_section(reader)?,
            Payload::GlobalSection(reader) => module.global_section(bytes, reader.range())?,
            Payload::ExportSection(reader) => module.export_section(reader)?,
            Payload::CustomSection(section) => module.metadata.read(&section)?,
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
    module.into_interface()
}

/// The payloads of `bytes` as [`Parser::parse_all`] gives them, through [`Payload::End`],
/// except that the code section is skipped whole ([`Payload::CodeSectionStart`] and its
/// entries are not yielded), and so are the modules and components nested in a component:
/// their [`Payload::ModuleSection`] or [`Payload::ComponentSection`] is, not what is in them.
fn payloads(bytes: &[u8]) -> impl Iterator<Item = Result<Payload<'_>>> {
    let mut parser = Parser::new(0);
    let mut rest = bytes;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let payload = next_payload(&mut parser, bytes, &mut rest);
        done = matches!(payload, Err(_) | Ok(Payload::End(_)));
        Some(payload)
    })
}

/// The next payload after `rest`, the unparsed tail of `bytes`, skipping the code section.
fn next_payload<'a>(
    parser: &mut Parser,
    bytes: &'a [u8],
    rest: &mut &'a [u8],
) -> Result<Payload<'a>> {
    loop {
        match parser.parse(rest, true)? {
            // Function bodies are the engine's to validate: skip them whole, not one by one.
            Chunk::Parsed {
                consumed,
                payload:
                    Payload::CodeSectionStart {
                        size,
                        unchecked_range,
                        ..
                    },
            } => {
                *rest = rest[consumed..]
                    .get(size as usize..)
                    .ok_or(Error::InvalidModule {
                        reason: "the code section runs past the end of the module".into(),
                        offset: Some(unchecked_range.start),
                    })?;
                parser.skip_section();
            }
            Chunk::Parsed { consumed, payload } => {
                *rest = &rest[consumed..];
                // A nested module or component: the parser is already past it; so is `rest`.
                if let Payload::ModuleSection {
                    unchecked_range, ..
                }
                | Payload::ComponentSection {
                    unchecked_range, ..
                } = &payload
                {
                    let len = (unchecked_range.end - unchecked_range.start) as usize;
                    *rest = rest.get(len..).ok_or(Error::InvalidModule {
                        reason: "a nested module runs past the end of the component".into(),
                        offset: Some(unchecked_range.start),
                    })?;
                }
                return Ok(payload);
            }
            // With `eof` set the parser reports truncation as an error instead.
            Chunk::NeedMoreData(_) => {
                return Err(Error::InvalidModule {
                    reason: "unexpected end-of-file".into(),
                    offset: Some((bytes.len() - rest.len()) as u64),
                })
            }
        }
    }
}

/// What the pass has read of a module so far: its index spaces, in index order, its imports,
/// and its exports, whose types are looked up once every space is complete.
#[derive(Default)]
struct Module {
    types: Vec<Option<FuncType>>,
    funcs: Vec<u32>,
    tables: Vec<ExternType>,
    memories: Vec<ExternType>,
    globals: Vec<ExternType>,
    tags: Vec<ExternType>,
    imports: Vec<Import>,
    /// `(byte offset, name, kind, index)` of each export, in section order.
    exports: Vec<(u64, String, ExternalKind, u32)>,
    /// The `version` and the other metadata sections.
    metadata: MetadataReader,
}

impl Module {
    /// The type section: function types by index; other composite types hold their index as
    /// `None`.
    fn type_section(&mut self, reader: TypeSectionReader<'_>) -> Result<()> {
        for group in reader {
            for sub in group?.into_types() {
                self.types.push(match sub.composite_type.inner {
                    CompositeInnerType::Func(f) => Some(convert_func(&f)),
                    _ => None,
                });
            }
        }
        Ok(())
    }

    /// The import section: each import with its type, which also takes the next index of its
    /// space.
    fn import_section(&mut self, reader: ImportSectionReader<'_>) -> Result<()> {
        for item in reader.into_imports_with_offsets() {
            let (offset, import) = item?;
            let ty = match import.ty {
                TypeRef::Func(index) | TypeRef::FuncExact(index) => {
                    self.funcs.push(index);
                    ExternType::Func(func_type(&self.types, index, offset)?)
                }
                TypeRef::Table(t) => push(&mut self.tables, convert_table(t)),
                TypeRef::Memory(m) => push(&mut self.memories, convert_memory(m)),
                TypeRef::Global(g) => push(&mut self.globals, convert_global(g)),
                TypeRef::Tag(t) => push(
                    &mut self.tags,
                    ExternType::Tag(func_type(&self.types, t.func_type_idx, offset)?),
                ),
            };
            self.imports.push(Import {
                module: import.module.to_string(),
                name: import.name.to_string(),
                ty,
            });
        }
        Ok(())
    }

    /// The function section: the type index of each defined function.
    fn function_section(&mut self, reader: FunctionSectionReader<'_>) -> Result<()> {
        for index in reader {
            self.funcs.push(index?);
        }
        Ok(())
    }

    /// The table section, read by hand so that initializers go through [`skip_const_expr`].
    fn table_section(&mut self, bytes: &[u8], range: Range<u64>) -> Result<()> {
        let mut reader = section_reader(bytes, range);
        for _ in 0..reader.read_var_u32()? {
            // `0x40 0x00 tabletype expr` for a table with an initializer.
            let init = reader.clone().read_u8()? == 0x40;
            if init {
                reader.read_bytes(2)?;
            }
            self.tables.push(convert_table(reader.read()?));
            if init {
                skip_const_expr(&mut reader)?;
            }
        }
        Ok(())
    }

    /// The memory section.
    fn memory_section(&mut self, reader: MemorySectionReader<'_>) -> Result<()> {
        for memory in reader {
            self.memories.push(convert_memory(memory?));
        }
        Ok(())
    }

    /// The tag section: each tag's signature, named by a type index.
    fn tag_section(&mut self, reader: TagSectionReader<'_>) -> Result<()> {
        for item in reader.into_iter_with_offsets() {
            let (offset, tag) = item?;
            let ty = func_type(&self.types, tag.func_type_idx, offset)?;
            self.tags.push(ExternType::Tag(ty));
        }
        Ok(())
    }

    /// The global section, read by hand so that initializers go through [`skip_const_expr`].
    fn global_section(&mut self, bytes: &[u8], range: Range<u64>) -> Result<()> {
        let mut reader = section_reader(bytes, range);
        for _ in 0..reader.read_var_u32()? {
            self.globals.push(convert_global(reader.read()?));
            skip_const_expr(&mut reader)?;
        }
        Ok(())
    }

    /// The export section, kept as read: its types are looked up by [`Module::into_interface`].
    fn export_section(&mut self, reader: ExportSectionReader<'_>) -> Result<()> {
        for item in reader.into_iter_with_offsets() {
            let (offset, export) = item?;
            let entry = (offset, export.name.to_string(), export.kind, export.index);
            self.exports.push(entry);
        }
        Ok(())
    }

    /// The interface, once every section is read: each export gets the type its index names.
    fn into_interface(self) -> Result<Interface> {
        let exports = self
            .exports
            .iter()
            .map(|(offset, name, kind, index)| {
                let ty = self.export_type(*offset, name, *kind, *index)?;
                Ok(Export {
                    name: name.clone(),
                    ty,
                })
            })
            .collect::<Result<_>>()?;
        let (version, metadata) = self.metadata.finish();
        Ok(Interface {
            imports: self.imports,
            exports,
            version,
            metadata,
            component: false,
        })
    }

    /// The type of export `name`, the `index`th item of `kind`'s space.
    fn export_type(
        &self,
        offset: u64,
        name: &str,
        kind: ExternalKind,
        index: u32,
    ) -> Result<ExternType> {
        let missing = |what: &str| Error::InvalidModule {
            reason: format!("export `{name}` refers to {what} {index}, which does not exist"),
            offset: Some(offset),
        };
        let lookup = |space: &[ExternType], what: &str| {
            space
                .get(index as usize)
                .cloned()
                .ok_or_else(|| missing(what))
        };
        match kind {
            ExternalKind::Func | ExternalKind::FuncExact => {
                let type_index = *self
                    .funcs
                    .get(index as usize)
                    .ok_or_else(|| missing("function"))?;
                Ok(ExternType::Func(func_type(
                    &self.types,
                    type_index,
                    offset,
                )?))
            }
            ExternalKind::Table => lookup(&self.tables, "table"),
            ExternalKind::Memory => lookup(&self.memories, "memory"),
            ExternalKind::Global => lookup(&self.globals, "global"),
            ExternalKind::Tag => lookup(&self.tags, "tag"),
        }
    }
}

/// A reader over one section's contents, positioned at its item count.
fn section_reader(bytes: &[u8], range: Range<u64>) -> BinaryReader<'_> {
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

mod component;

#[cfg(test)]
mod tests;
