//! The `component-type` custom sections: decode them into a world, or embed one from WIT text.

use std::borrow::Cow;

use serde::Serialize;
use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentEntityType, ComponentFuncTypeId, ComponentItem, ComponentTypeId,
};
use wasmparser::names::{ComponentName, ComponentNameKind, ResourceFuncKind};
use wasmparser::types::Types;
use wasmparser::{
    BinaryReader, BinaryReaderError, CustomSectionReader, Encoding, Parser, Payload, ValidPayload,
    Validator, WasmFeatures,
};
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
/// A component's own world is its type: [`component_world`].
///
/// # Errors
///
/// - [`Error::InvalidModule`] for bytes that are not a module, with the byte offset.
/// - [`Error::InvalidModule`] naming the section for one that does not decode, or two sections
///   whose worlds conflict, with the offset of the bad byte when the decoder reports one and
///   otherwise the offset of the section's contents.
/// - [`Error::InvalidModule`] naming the section and the item for a world holding a type WIT
///   cannot represent (a function's, instance's or component's type exported as a type),
///   which wit-parser would panic on.
pub fn module_world(bytes: &[u8]) -> Result<Option<ModuleWorld>> {
    let mut found: Option<ModuleWorld> = None;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::Version {
                encoding: Encoding::Component,
                ..
            } => return component_world(bytes).map(Some),
            Payload::CustomSection(section) if section.name().starts_with(SECTION_PREFIX) => {
                let (resolve, world) = decode_section(&section)?;
                let world = ModuleWorld { resolve, world };
                found = match found {
                    None => Some(world),
                    Some(mut merged) => {
                        merged.merge(world).map_err(|err| {
                            in_section(
                                &section,
                                err.context("its world conflicts with an earlier section's"),
                            )
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
/// bytes are a WIT package rather than a component; with the byte offset when the bytes do
/// not parse or validate, or an import or export holds a type WIT cannot represent (naming
/// it).
pub fn component_world(bytes: &[u8]) -> Result<ModuleWorld> {
    let invalid = |reason: String| Error::InvalidModule {
        reason,
        offset: None,
    };
    precheck(bytes, 0, false)?;
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

/// `err`, from decoding the world in `section`, as [`Error::InvalidModule`] naming the section.
/// Offsets inside the section count from its data, the module's from 0: the offset is the
/// bad byte's when the decoder reports one, and otherwise the section's.
fn in_section(section: &CustomSectionReader<'_>, err: anyhow::Error) -> Error {
    let at = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<BinaryReaderError>())
        .map(|e| section.data_offset() + e.offset().min(section.data().len() as u64));
    Error::InvalidModule {
        reason: format!("section `{}`: {err:#}", section.name()),
        offset: Some(at.unwrap_or(section.range().start)),
    }
}

/// What wit-parser 0.263 cannot be given: the checks [`component_world`] and [`module_world`]
/// make before it reads the bytes, by a parse and validation of their own (`base` is the
/// offset of `bytes` in the file, for the errors).
///
/// - wit-parser reads its input through `io::Read` and reserves the size each piece declares
///   (a section, a function body) before reading it: a body claiming 4 GiB in a 45-byte
///   component would have it allocate 4 GiB, which in a browser aborts the runtime. The parse
///   here checks every size against the bytes present and allocates nothing for it.
/// - wit-parser reaches `unreachable!()` (`register_type_export`) on a type that a world or
///   an interface exports or imports and that is neither a defined type nor a resource, such
///   as `(export "t" (type (eq $f)))` with `$f` a function's type: valid Component Model, with
///   no WIT form. The validated types are walked as wit-parser walks them (a component's
///   imports and exports; a WIT package's component types, their worlds and interfaces; each
///   instance's exports), and such a type is refused, naming it.
/// - On the same walk, a function wit-parser would take but panic on (`unreachable!()` or
///   `panic!` in `convert_function`) is refused: one whose name is an interface's
///   (`(export "a:b/c" (func …))`, valid Component Model), an async accessor, a constructor
///   with an accessor.
/// - With `world` (a section in the current format, which wit-parser reads with
///   `decode_world`), the one component type it exports must have no imports and one export,
///   which wit-parser asserts ([`world_shape`]).
///
/// # Errors
/// [`Error::InvalidModule`] with the byte offset: of the bad byte for bytes that do not
/// parse or validate, of the import or export that holds the type for a type WIT cannot hold.
fn precheck(bytes: &[u8], base: u64, world: bool) -> Result<()> {
    // wit-parser validates with every feature on, so what it reads validates here too.
    let mut validator = Validator::new_with_features(WasmFeatures::all());
    let mut depth = 1;
    let mut types = None;
    let mut externs = Vec::new();
    for payload in Parser::new(base).parse_all(bytes) {
        let payload = payload?;
        match validator.payload(&payload)? {
            ValidPayload::Parser(_) => depth += 1,
            ValidPayload::End(t) => {
                depth -= 1;
                if depth == 0 {
                    types = Some(t);
                }
            }
            ValidPayload::Ok | ValidPayload::Func(..) => {}
        }
        match payload {
            Payload::ComponentImportSection(s) if depth == 1 => {
                for import in s.into_iter_with_offsets() {
                    let (at, import) = import?;
                    externs.push((true, import.name.name, at));
                }
            }
            Payload::ComponentExportSection(s) if depth == 1 => {
                for export in s.into_iter_with_offsets() {
                    let (at, export) = export?;
                    externs.push((false, export.name.name, at));
                }
            }
            _ => {}
        }
    }
    let Some(types) = types else {
        return Ok(());
    };
    if world {
        world_shape(&types, &externs)?;
    }
    representable(&types, &externs)
}

/// For a `component-type` section in the current format, which wit-parser decodes with
/// `decode_world`: when it exports one component type (what that function reads), the type
/// must have no imports and one export, the world, which wit-parser asserts (`assert_eq!`, a
/// panic) rather than checks.
///
/// # Errors
/// [`Error::InvalidModule`] at the export's offset.
fn world_shape(types: &Types, externs: &[(bool, &str, u64)]) -> Result<()> {
    let [(false, name, at)] = externs else {
        return Ok(());
    };
    let Some(item) = types.as_ref().component_item_for_export(name) else {
        return Ok(());
    };
    let ComponentEntityType::Type {
        created: ComponentAnyTypeId::Component(id),
        ..
    } = item.ty
    else {
        return Ok(());
    };
    let world = &types[id];
    if world.imports.is_empty() && world.exports.len() == 1 {
        return Ok(());
    }
    Err(Error::InvalidModule {
        reason: format!(
            "export `{name}`: a world's encoding is a component type with no imports and one export (the world), but this one has {} imports and {} exports",
            world.imports.len(),
            world.exports.len()
        ),
        offset: Some(*at),
    })
}

/// The check of [`precheck`] on a validated component's `types`, with its imports and exports
/// (`true` for an import, the name, the offset).
fn representable(types: &Types, externs: &[(bool, &str, u64)]) -> Result<()> {
    let types_ref = types.as_ref();
    let items: Vec<(String, String, &ComponentItem, u64)> = externs
        .iter()
        .filter_map(|&(import, name, at)| {
            let item = if import {
                types_ref.component_item_for_import(name)
            } else {
                types_ref.component_item_for_export(name)
            }?;
            let kind = if import { "import" } else { "export" };
            Some((format!("{kind} `{name}`"), name.to_string(), item, at))
        })
        .collect();
    // A WIT package (what a `component-type` section holds) exports only component types,
    // each a world or an interface; wit-parser reads it as such, and a component otherwise.
    let package = !items.is_empty()
        && externs.iter().all(|&(import, ..)| !import)
        && items.iter().all(|(_, _, item, _)| {
            matches!(
                item.ty,
                ComponentEntityType::Type {
                    created: ComponentAnyTypeId::Component(_),
                    ..
                }
            )
        });
    let mut scopes = Vec::new();
    for (path, name, item, at) in items {
        match item.ty {
            ComponentEntityType::Type {
                created: ComponentAnyTypeId::Component(id),
                ..
            } if package => scopes.push((path, id, at)),
            _ => in_world(types, &path, &name, item, at, &mut scopes)?,
        }
    }
    // A component type in scope holds a world's or a package's items, and may nest more
    // (a package's worlds): a work list rather than recursion, and each type once.
    let mut seen = std::collections::HashSet::new();
    while let Some((path, id, at)) = scopes.pop() {
        if !seen.insert(id) {
            continue;
        }
        let component = &types[id];
        for (kind, map) in [
            ("import", &component.imports),
            ("export", &component.exports),
        ] {
            for (name, item) in map {
                let path = format!("{path}, {kind} `{name}`");
                in_world(types, &path, name, item, at, &mut scopes)?;
            }
        }
    }
    Ok(())
}

/// One item of a world, `name` (`path` names it from the top): a type must be one WIT can
/// hold, and a function one wit-parser can convert, an instance's exports too; a component
/// type is queued in `scopes` for its own items.
fn in_world(
    types: &Types,
    path: &str,
    name: &str,
    item: &ComponentItem,
    at: u64,
    scopes: &mut Vec<(String, ComponentTypeId, u64)>,
) -> Result<()> {
    let refuse = |what: &str| Error::InvalidModule {
        reason: format!("{what}, a type WIT cannot represent (only value types and resources)"),
        offset: Some(at),
    };
    let refuse_func = |what: &str| Error::InvalidModule {
        reason: format!("{what}, which WIT cannot represent"),
        offset: Some(at),
    };
    match item.ty {
        ComponentEntityType::Type { referenced, .. } => match not_wit(referenced) {
            Some(kind) => Err(refuse(&format!("{path} is {kind}"))),
            None => Ok(()),
        },
        ComponentEntityType::Func(id) => match not_wit_func(types, name, id) {
            Some(kind) => Err(refuse_func(&format!("{path} is {kind}"))),
            None => Ok(()),
        },
        ComponentEntityType::Instance(id) => {
            for (name, export) in &types[id].exports {
                match export.ty {
                    ComponentEntityType::Type { referenced, .. } => {
                        if let Some(kind) = not_wit(referenced) {
                            return Err(refuse(&format!(
                                "{path}: its instance exports type `{name}` as {kind}"
                            )));
                        }
                    }
                    ComponentEntityType::Func(id) => {
                        if let Some(kind) = not_wit_func(types, name, id) {
                            return Err(refuse_func(&format!(
                                "{path}: its instance exports `{name}`, {kind}"
                            )));
                        }
                    }
                    _ => {}
                }
            }
            Ok(())
        }
        ComponentEntityType::Component(id) => {
            scopes.push((path.to_string(), id, at));
            Ok(())
        }
        _ => Ok(()),
    }
}

/// What a function named `name` is when wit-parser cannot convert it to WIT: `None` for one
/// it can.
fn not_wit_func(types: &Types, name: &str, id: ComponentFuncTypeId) -> Option<&'static str> {
    // wit-parser parses the name so, and unwraps the result.
    let name = match ComponentName::new_with_features(name, 0, WasmFeatures::all()) {
        Ok(name) => name,
        Err(_) => return Some("a function whose name does not parse"),
    };
    match name.kind() {
        ComponentNameKind::Interface(_) => Some("a function with an interface's name"),
        ComponentNameKind::Plain(plain) if plain.accessor.is_some() && types[id].async_ => {
            Some("an async accessor")
        }
        ComponentNameKind::Plain(plain)
            if plain.accessor.is_some()
                && plain.resource_func == Some(ResourceFuncKind::Constructor) =>
        {
            Some("a constructor with an accessor")
        }
        ComponentNameKind::Plain(_) => None,
    }
}

/// What a type is when WIT has no form for it: `None` for a defined type or a resource.
fn not_wit(ty: ComponentAnyTypeId) -> Option<&'static str> {
    match ty {
        ComponentAnyTypeId::Defined(_) | ComponentAnyTypeId::Resource(_) => None,
        ComponentAnyTypeId::Func(_) => Some("a function's type"),
        ComponentAnyTypeId::Instance(_) => Some("an instance's type"),
        ComponentAnyTypeId::Component(_) => Some("a component's type"),
    }
}

/// One section's world, after [`precheck`] of the bytes wit-parser reads.
fn decode_section(section: &CustomSectionReader<'_>) -> Result<(Resolve, WorldId)> {
    let data = section.data();
    let named = |err: Error| match err {
        Error::InvalidModule { reason, offset } => Error::InvalidModule {
            reason: format!("section `{}`: {reason}", section.name()),
            offset,
        },
        other => other,
    };
    if data.first() != Some(&0x03) {
        precheck(data, section.data_offset(), true).map_err(named)?;
        return wit_parser::decoding::decode_world(data).map_err(|e| in_section(section, e));
    }
    // The historical format: 0x03, a string-encoding byte, the world's name, then the
    // package encoded as a binary WIT package.
    let mut reader = BinaryReader::new(data, 0);
    let header = (|| {
        reader.read_u8()?;
        reader.read_u8()?;
        reader.read_string().map(str::to_string)
    })();
    let world_name = header.map_err(|e| in_section(section, e.into()))?;
    let at = reader.original_position() as usize;
    let rest = &data[at..];
    precheck(rest, section.data_offset() + at as u64, false).map_err(named)?;
    let decoded = || -> anyhow::Result<(Resolve, WorldId)> {
        match wit_parser::decoding::decode(rest)? {
            DecodedWasm::WitPackage(resolve, pkg) => {
                let world = resolve.select_world(&[pkg], Some(&world_name))?;
                Ok((resolve, world))
            }
            DecodedWasm::Component(..) => anyhow::bail!("expected an encoded WIT package"),
        }
    };
    decoded().map_err(|e| in_section(section, e))
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
/// The module is read before the text, so a bad module is refused as such whatever the text:
///
/// - [`Error::UnsupportedComponent`] for a Component Model binary.
/// - [`Error::InvalidModule`] for bytes that are not a module, with the byte offset.
/// - [`Error::InvalidOptions`] for option `wit` when the text does not parse or resolve, or
///   does not have the world asked for (or, with `None`, has several).
pub fn embed_world(module: &[u8], wit: &str, world_name: Option<&str>) -> Result<Vec<u8>> {
    // The module is read first: it is the cheaper of the two to refuse.
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
    let (resolve, world) = parse_wit(wit, world_name, "wit")?;
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
