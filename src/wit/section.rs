//! The `component-type` custom sections: decode them into a world, or embed one from WIT text.

use std::borrow::Cow;

use serde::Serialize;
use wasmparser::{BinaryReader, BinaryReaderError, Encoding, Parser, Payload};
use wit_parser::decoding::DecodedWasm;
use wit_parser::{CloneMaps, Resolve, Span, Type, WorldId, WorldItem};

use super::render;
use crate::error::{Error, Result};

/// Every custom section whose name starts with this holds an encoded WIT world, as in
/// wit-component: wit-bindgen writes `component-type:wit-bindgen:<version>:<package>:<world>:encoded world`,
/// `wasm-tools component embed` and [`embed_world`] write `component-type`.
pub const SECTION_PREFIX: &str = "component-type";

/// The WIT world a core module carries, resolved: its package, imports and exports with their
/// types.
#[derive(Debug, Clone)]
pub struct ModuleWorld {
    resolve: Resolve,
    world: WorldId,
}

/// One import or export of a world, for display: `increment` / `function` /
/// `func(by: u32) -> u32`, or `example:counter/store` / `interface` /
/// `interface { get: func() -> u32 }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WitItem {
    /// The name in the world: a plain name, or an interface's `namespace:package/name@version`.
    pub name: String,
    /// `function`, `interface` or `type`.
    pub kind: &'static str,
    /// The signature or structure, written out in full.
    pub ty: String,
}

impl ModuleWorld {
    /// The world's name: `world counter { … }` => `counter`.
    pub fn name(&self) -> &str {
        &self.resolve.worlds[self.world].name
    }

    /// The world's package with its version: `package example:counter@1.2.0;` =>
    /// `example:counter@1.2.0`; `package example:counter;` => `example:counter`.
    pub fn package(&self) -> String {
        match self.resolve.worlds[self.world].package {
            Some(pkg) => self.resolve.packages[pkg].name.to_string(),
            None => String::new(),
        }
    }

    /// What the world imports, in order, with each item's type written out.
    pub fn imports(&self) -> Vec<WitItem> {
        self.items(true)
    }

    /// What the world exports, in order, with each item's type written out.
    pub fn exports(&self) -> Vec<WitItem> {
        self.items(false)
    }

    /// The resolved WIT (wit-parser's `Resolve`) the world lives in, for printing or analysis.
    pub fn resolve(&self) -> &Resolve {
        &self.resolve
    }

    /// The world's id in [`ModuleWorld::resolve`].
    pub fn world_id(&self) -> WorldId {
        self.world
    }

    pub(crate) fn from_parts(resolve: Resolve, world: WorldId) -> Self {
        ModuleWorld { resolve, world }
    }

    pub(crate) fn into_parts(self) -> (Resolve, WorldId) {
        (self.resolve, self.world)
    }

    fn items(&self, imports: bool) -> Vec<WitItem> {
        let world = &self.resolve.worlds[self.world];
        let map = if imports {
            &world.imports
        } else {
            &world.exports
        };
        map.iter()
            .map(|(key, item)| {
                let name = self.resolve.name_world_key(key);
                let (kind, ty) = match item {
                    WorldItem::Function(f) => ("function", render::func(&self.resolve, f)),
                    WorldItem::Interface { id, .. } => {
                        let items: Vec<String> =
                            render::interface(&self.resolve, &self.resolve.interfaces[*id])
                                .into_iter()
                                .map(|(name, item)| format!("{name}: {}", item.text()))
                                .collect();
                        ("interface", format!("interface {{ {} }}", items.join(", ")))
                    }
                    WorldItem::Type { id, .. } => {
                        ("type", render::ty(&self.resolve, &Type::Id(*id)))
                    }
                };
                WitItem { name, kind, ty }
            })
            .collect()
    }

    /// Folds another section's world into this one, as wit-component does when it
    /// componentizes a module with several sections: the worlds' imports and exports are
    /// unioned, and overlapping items must agree.
    fn merge(&mut self, other: ModuleWorld) -> anyhow::Result<()> {
        let remap = self.resolve.merge(other.resolve)?;
        let world = remap.map_world(other.world, Span::default())?;
        self.resolve
            .merge_worlds(world, self.world, &mut CloneMaps::default())
    }
}

/// Decodes the WIT world a core module carries in its `component-type*` custom sections.
///
/// - a module with no such section => `Ok(None)`;
/// - a module built by wit-bindgen for `world counter { export increment: func(by: u32) -> u32; }`
///   => `Ok(Some(world))` with `world.name() == "counter"` and one export, `increment`;
/// - several sections (one per crate that generated bindings) => one world, their union, named
///   after the first, as wit-component merges them.
///
/// Both encodings wit-component reads are accepted: the current one (the section is a
/// component holding the world's type) and the historical one starting with byte `0x03`.
///
/// # Errors
///
/// A component's own world is its type: [`component_world`].
///
/// # Errors
///
/// - [`Error::InvalidModule`] for bytes that are not a module, with the byte offset.
/// - [`Error::InvalidModule`] naming the section for one that does not decode, or two sections
///   whose worlds conflict, with the offset of the bad byte when the decoder reports one and
///   otherwise the offset of the section's contents.
pub fn module_world(bytes: &[u8]) -> Result<Option<ModuleWorld>> {
    let mut found: Option<ModuleWorld> = None;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::Version {
                encoding: Encoding::Component,
                ..
            } => return component_world(bytes).map(Some),
            Payload::CustomSection(section) if section.name().starts_with(SECTION_PREFIX) => {
                let invalid = |err: anyhow::Error| {
                    // Offsets inside the section count from its data; the module's from 0.
                    let at = err
                        .chain()
                        .find_map(|cause| cause.downcast_ref::<BinaryReaderError>())
                        .map(|e| {
                            section.data_offset() + e.offset().min(section.data().len() as u64)
                        });
                    Error::InvalidModule {
                        reason: format!("section `{}`: {err:#}", section.name()),
                        offset: Some(at.unwrap_or(section.range().start)),
                    }
                };
                let (resolve, world) = decode_section(section.data()).map_err(invalid)?;
                let world = ModuleWorld { resolve, world };
                found = match found {
                    None => Some(world),
                    Some(mut merged) => {
                        merged.merge(world).map_err(|err| {
                            invalid(err.context("its world conflicts with an earlier section's"))
                        })?;
                        Some(merged)
                    }
                };
            }
            _ => {}
        }
    }
    Ok(found)
}

/// Decodes a Component Model component's world: what it imports and exports, with their
/// types, as `wit-component` decodes a component (its `component-type` sections have become
/// its type).
///
/// # Errors
/// [`Error::InvalidModule`] when the component's type does not decode into a world, or the
/// bytes are a WIT package rather than a component.
pub fn component_world(bytes: &[u8]) -> Result<ModuleWorld> {
    let invalid = |reason: String| Error::InvalidModule {
        reason,
        offset: None,
    };
    check_sizes(bytes)?;
    match wit_parser::decoding::decode(bytes) {
        Ok(DecodedWasm::Component(resolve, world)) => Ok(ModuleWorld { resolve, world }),
        Ok(DecodedWasm::WitPackage(..)) => Err(invalid(
            "this is a WIT package encoded as a component, not a component".into(),
        )),
        Err(err) => Err(invalid(format!(
            "the component's world does not decode: {err:#}"
        ))),
    }
}

/// wit-parser reads its input through `io::Read` and reserves the size each piece declares
/// (a section, a function body) before reading it: a body claiming 4 GiB in a 45-byte
/// component would have it allocate 4 GiB, which in a browser aborts the runtime. So every
/// size is checked against the bytes present first, by a parse that allocates nothing.
fn check_sizes(bytes: &[u8]) -> std::result::Result<(), BinaryReaderError> {
    Parser::new(0)
        .parse_all(bytes)
        .try_for_each(|payload| payload.map(drop))
}

/// One section's contents => its world.
fn decode_section(data: &[u8]) -> anyhow::Result<(Resolve, WorldId)> {
    if data.first() != Some(&0x03) {
        check_sizes(data)?;
        return wit_parser::decoding::decode_world(data);
    }
    // The historical format: 0x03, a string-encoding byte, the world's name, then the
    // package encoded as a binary WIT package.
    let mut reader = BinaryReader::new(data, 0);
    reader.read_u8()?;
    reader.read_u8()?;
    let world_name = reader.read_string()?.to_string();
    let rest = &data[reader.original_position() as usize..];
    check_sizes(rest)?;
    match wit_parser::decoding::decode(rest)? {
        DecodedWasm::WitPackage(resolve, pkg) => {
            let world = resolve.select_world(&[pkg], Some(&world_name))?;
            Ok((resolve, world))
        }
        DecodedWasm::Component(..) => anyhow::bail!("expected an encoded WIT package"),
    }
}

/// Parses WIT text and picks a world in its package.
///
/// `world_name` is a plain name (`counter`) or a full id (`example:counter/counter`); `None`
/// picks the package's only world. A failure is [`Error::InvalidOptions`] for `option`.
pub(crate) fn parse_wit(
    text: &str,
    world_name: Option<&str>,
    option: &'static str,
) -> Result<(Resolve, WorldId)> {
    let invalid = |err: anyhow::Error| Error::InvalidOptions {
        option,
        reason: format!("{err:#}"),
    };
    let mut resolve = Resolve::default();
    let pkg = resolve.push_source("expected.wit", text).map_err(invalid)?;
    let world = resolve.select_world(&[pkg], world_name).map_err(invalid)?;
    Ok((resolve, world))
}

/// Writes the world `world_name` of the WIT text `wit` into a core module, as a
/// `component-type` custom section at its end, as `wasm-tools component embed` does (UTF-8
/// strings). A `component-type*` section already there is replaced, so the module carries
/// exactly this world afterwards.
///
/// `(module)` + `package example:counter; world counter { export increment: func(by: u32) -> u32; }`
/// => the module plus a section that [`module_world`] reads back as world `counter`.
///
/// # Errors
///
/// - [`Error::InvalidOptions`] for option `wit` when the text does not parse or resolve, or
///   does not have the world asked for (or, with `None`, has several).
/// - [`Error::UnsupportedComponent`] for a Component Model binary.
/// - [`Error::InvalidModule`] for bytes that are not a module, with the byte offset.
pub fn embed_world(module: &[u8], wit: &str, world_name: Option<&str>) -> Result<Vec<u8>> {
    let (resolve, world) = parse_wit(wit, world_name, "wit")?;
    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload?;
        match &payload {
            Payload::Version {
                encoding: Encoding::Component,
                ..
            } => return Err(Error::UnsupportedComponent),
            Payload::CustomSection(section) if section.name().starts_with(SECTION_PREFIX) => {
                continue
            }
            _ => {}
        }
        if let Some((id, range)) = payload.as_section() {
            // The code section comes before its bodies are read: its size is unchecked yet.
            let data = module
                .get(range.start as usize..range.end as usize)
                .ok_or_else(|| Error::InvalidModule {
                    reason: format!("section {id} runs past the end of the module"),
                    offset: Some(range.start),
                })?;
            out.section(&wasm_encoder::RawSection { id, data });
        }
    }
    let encoded = wit_component::metadata::encode(
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
        None,
        false,
    )
    .map_err(|err| Error::InvalidOptions {
        option: "wit",
        reason: format!("{err:#}"),
    })?;
    out.section(&wasm_encoder::CustomSection {
        name: SECTION_PREFIX.into(),
        data: Cow::Borrowed(&encoded),
    });
    Ok(out.finish())
}
