//! A component's interface: what it imports and exports at its top level, and its metadata.
//!
//! A component is loaded from its transpiled JS and core modules (`guest::component`); the
//! component's own bytes are what the gate reads. Its items become [`ExternType::Item`]s:
//!
//! - an exported function `add` => export `add`, sort `func`;
//! - an exported interface `hotswap:counter/api@1.0.0` => export `hotswap:counter/api`, sort
//!   `instance` (the version is dropped, as semver-check drops it: the semver gate judges
//!   versions);
//! - an imported interface `wasi:cli/environment@0.2.0` => import `wasi:cli/environment`
//!   with an empty name, sort `instance`: the transpiled JS reads
//!   `imports["wasi:cli/environment"]`, so the host must provide an object there;
//! - an imported function `log` => import `log.default`, sort `func`, as jco reads
//!   `imports.log.default`.
//!
//! The default build reads the component's import and export sections with wasmparser and
//! gives each item its sort only, so the gate compares components by the names of their
//! items. The `wit` build decodes the component's WIT world instead ([`read_world`]): each
//! function carries its WIT signature, and an exported interface becomes one export per
//! function and type (`hotswap:counter/api#add`), so that the gate's diff is the item-by-item
//! comparison of `wasm-tools component semver-check`: an added item is minor, a removed or
//! changed one breaking.
//!
//! The custom sections at the component's top level are its metadata (`version`, …); those
//! of the core modules nested in it are not read, nor are the nested modules themselves.

use wasmparser::{ComponentExternalKind, ComponentTypeRef, Payload};

use super::payloads;
use crate::error::Result;
use crate::interface::{Export, ExternType, Import, Interface, Sort};
use crate::metadata::MetadataReader;

/// Reads a component's interface from its top-level sections.
///
/// # Errors
/// [`crate::error::Error::InvalidModule`] with the byte offset, for a malformed binary or
/// metadata section.
pub(super) fn read_component(bytes: &[u8]) -> Result<Interface> {
    let mut metadata = MetadataReader::default();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for payload in payloads(bytes) {
        match payload? {
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    let import = import?;
                    imports.push(import_item(import.name.name, ref_sort(import.ty), None));
                }
            }
            Payload::ComponentExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    exports.push(Export {
                        name: unversioned(export.name.name).to_string(),
                        ty: item(kind_sort(export.kind), None),
                    });
                }
            }
            Payload::CustomSection(section) => metadata.read(&section)?,
            _ => {}
        }
    }
    let (version, metadata) = metadata.finish();
    #[allow(unused_mut)]
    let mut interface = Interface {
        imports,
        exports,
        version,
        metadata,
        component: true,
    };
    #[cfg(feature = "wit")]
    read_world(bytes, &mut interface)?;
    Ok(interface)
}

/// The import a component's top-level import `name` of `sort` is, as the transpiled JS
/// reads it from the host's imports object.
fn import_item(name: &str, sort: Sort, wit: Option<String>) -> Import {
    let module = unversioned(name).to_string();
    let name = if sort == Sort::Func { "default" } else { "" };
    Import {
        module,
        name: name.into(),
        ty: item(sort, wit),
    }
}

fn item(sort: Sort, wit: Option<String>) -> ExternType {
    ExternType::Item { sort, wit }
}

/// `wasi:cli/environment@0.2.0` => `wasi:cli/environment`; a plain name as it is.
fn unversioned(name: &str) -> &str {
    match name.split_once('@') {
        Some((unversioned, _)) if name.contains(':') => unversioned,
        _ => name,
    }
}

fn ref_sort(ty: ComponentTypeRef) -> Sort {
    match ty {
        ComponentTypeRef::Func(_) => Sort::Func,
        ComponentTypeRef::Instance(_) => Sort::Instance,
        ComponentTypeRef::Type(_) => Sort::Type,
        _ => Sort::Other,
    }
}

fn kind_sort(kind: ComponentExternalKind) -> Sort {
    match kind {
        ComponentExternalKind::Func => Sort::Func,
        ComponentExternalKind::Instance => Sort::Instance,
        ComponentExternalKind::Type => Sort::Type,
        _ => Sort::Other,
    }
}

/// The `wit` build: the items of the component's decoded WIT world, with their WIT types,
/// in place of the sorts read from its sections.
///
/// # Errors
/// [`crate::error::Error::InvalidModule`] when the world does not decode.
#[cfg(feature = "wit")]
fn read_world(bytes: &[u8], interface: &mut Interface) -> Result<()> {
    use wit_parser::{Type, WorldItem};

    use crate::wit::render;

    let world = crate::wit::component_world(bytes)?;
    let (resolve, id) = (world.resolve(), world.world_id());
    let w = &resolve.worlds[id];
    let name = |key: &wit_parser::WorldKey| unversioned(&resolve.name_world_key(key)).to_string();
    interface.imports = w
        .imports
        .iter()
        .filter_map(|(key, item)| match item {
            WorldItem::Function(f) => Some(import_item(
                &name(key),
                Sort::Func,
                Some(render::func(resolve, f)),
            )),
            WorldItem::Interface { .. } => Some(import_item(&name(key), Sort::Instance, None)),
            WorldItem::Type { .. } => None,
        })
        .collect();
    let mut exports = Vec::new();
    for (key, item) in &w.exports {
        match item {
            WorldItem::Function(f) => exports.push(Export {
                name: name(key),
                ty: item_of(Sort::Func, render::func(resolve, f)),
            }),
            WorldItem::Interface { id, .. } => {
                for (item_name, rendered) in render::interface(resolve, &resolve.interfaces[*id]) {
                    let sort = match rendered {
                        render::Item::Func(_) => Sort::Func,
                        render::Item::Type(_) => Sort::Type,
                    };
                    exports.push(Export {
                        name: format!("{}#{item_name}", name(key)),
                        ty: item_of(sort, rendered.text().to_string()),
                    });
                }
            }
            WorldItem::Type { id, .. } => exports.push(Export {
                name: name(key),
                ty: item_of(Sort::Type, render::ty(resolve, &Type::Id(*id))),
            }),
        }
    }
    interface.exports = exports;
    Ok(())
}

#[cfg(feature = "wit")]
fn item_of(sort: Sort, wit: String) -> ExternType {
    item(sort, Some(wit))
}
