//! The check of a module's world against the world the host expects.

use wasm_encoder::{ComponentBuilder, ComponentExportKind, ComponentTypeRef};
use wit_parser::{Resolve, Type, WorldId, WorldItem, WorldKey};

use super::render;
use super::section::{parse_wit, ModuleWorld};
use crate::error::{Error, Result};

/// Checks that the module's world can be used where the host expects the world
/// `world_name` of the WIT text `expected_wit`, with the rules of
/// `wasm-tools component semver-check`.
///
/// # Direction
///
/// The module is the implementation and the host's world is the contract, so the module's
/// world must be a *subtype* of the host's: a component built from the module must be
/// accepted wherever a component of the host's world is expected. In
/// `wit_component::semver_check(resolve, prev, new)` terms, `prev` is the module's world and
/// `new` the host's: "`new` may have more imports and fewer exports" is "the host may provide
/// more than the module imports and expect less than it exports".
///
/// # How
///
/// semver-check encodes both worlds as Component Model types and lets wasmparser's validator
/// decide whether one may stand for the other (its steps 1–3). This function asks wasmparser
/// the same question about the same encodings (wit-component's), with versions dropped as
/// semver-check drops them; it only takes the module's side from the world's type where
/// semver-check componentizes a dummy module, which would put a WAT parser and the whole
/// component encoder into the browser runtime (about 320 KB more, gzipped). A native test
/// runs both on every case and checks that they agree.
///
/// The verdict is wasmparser's, but for a component (below). The named problems come from a
/// walk of both worlds by the rules below, which state what that check enforces item by item; wasmparser's own message
/// ("ascribed type of export is not compatible with item's type") names no item.
///
/// # Rules
///
/// 1. Both worlds are in the same package (`example:counter`); versions are ignored here, as
///    semver-check ignores them, because the semver gate judges versions.
/// 2. Every export of the host's world is exported by the module, with the same type. The
///    module may export more (an additive change). For an exported interface, every function
///    and type the host's interface has must be in the module's, with the same type; the
///    module's may have more.
/// 3. Every import of the module's world is provided by the host's world, with the same
///    type. The host may provide more.
///
/// A component's world is checked by rules 2 and 4 alone, item by item, and that walk is the
/// verdict: its imports are checked against the imports object instead (where its WASI
/// imports come from), and its world keeps no package name (it decodes as `root:component`),
/// so it is taken to be in the host's package. For an imported interface, every function and type the
///    module's interface needs must be in the host's.
/// 4. Types are compared by structure with aliases expanded, exactly (record fields, variant
///    cases, flags, parameter names and order, results); resources by name; the world's own
///    name does not matter.
///
/// Examples, with the host expecting
/// `package example:counter; world counter { export increment: func(by: u32) -> u32; }`
/// (each problem is one string of [`Error::IncompatibleInterface`]'s `problems`):
///
/// | the module's world | result |
/// |---|---|
/// | the same, in `example:counter@1.4.0` | `Ok(())` |
/// | also `export reset: func();` | `Ok(())`: an added export |
/// | `export increment: func(by: u32) -> u64;` | ``world `counter`: export `increment` has type `func(by: u32) -> u64`, expected `func(by: u32) -> u32` `` |
/// | `export increment: func(step: u32) -> u32;` | ``world `counter`: export `increment` has type `func(step: u32) -> u32`, expected `func(by: u32) -> u32` `` |
/// | no `increment` | ``world `counter`: export `increment` is missing`` |
/// | also `import log: func(msg: string);` | ``world `counter`: import `log` is not provided by the host's world`` |
/// | in package `other:counter` | ``world `counter`: the module's world is in package `other:counter`, expected package `example:counter` `` |
///
/// # Errors
///
/// - [`Error::InvalidOptions`] for option `expect.wit` when the text does not parse or
///   resolve, or does not have the world asked for (`None` asks for the package's only world).
/// - [`Error::IncompatibleInterface`] with one problem per failing item, each naming the
///   host's world and the item. Should wasmparser refuse for a reason none of the rules above
///   names, its own message is the problem.
pub fn check_world(
    module: &ModuleWorld,
    expected_wit: &str,
    world_name: Option<&str>,
) -> Result<()> {
    let (resolve, host) = parse_wit(expected_wit, world_name, "expect.wit")?;
    let (module, component) = match exports_only(module) {
        Some(exports) => (std::borrow::Cow::Owned(exports), true),
        None => (std::borrow::Cow::Borrowed(module), false),
    };
    let mut problems = diff(module.resolve(), module.world_id(), &resolve, host);
    if component {
        return match problems.is_empty() {
            true => Ok(()),
            false => Err(Error::IncompatibleInterface { problems }),
        };
    }
    let host_name = resolve.worlds[host].name.clone();

    let verdict = subtype(&module, resolve, host);
    match verdict {
        Ok(()) => Ok(()),
        Err(err) => {
            if problems.is_empty() {
                problems.push(format!("world `{host_name}`: {err:#}"));
            }
            Err(Error::IncompatibleInterface { problems })
        }
    }
}

/// For a component, its world without its imports: the host's `expect.wit` says what it
/// calls (rule 2), and what a component imports is checked against the imports object the
/// host gives it (its WASI imports, say, which a host's WIT would have to spell out in full).
/// `None` for a core module's world, which is checked whole.
fn exports_only(module: &ModuleWorld) -> Option<ModuleWorld> {
    let (resolve, world) = (module.resolve(), module.world_id());
    let package = resolve.worlds[world].package?;
    let name = &resolve.packages[package].name;
    if format!("{}:{}", name.namespace, name.name) != DECODED_COMPONENT_PACKAGE {
        return None;
    }
    let (mut resolve, world) = module.clone().into_parts();
    resolve.worlds[world].imports.clear();
    Some(ModuleWorld::from_parts(resolve, world))
}

/// The package `wit_component::decode` gives a component's own world.
const DECODED_COMPONENT_PACKAGE: &str = "root:component";

/// The failing items, named, by rules 1–4 of [`check_world`].
fn diff(module: &Resolve, mworld: WorldId, host: &Resolve, hworld: WorldId) -> Vec<String> {
    let mut problems = Vec::new();
    let m = &module.worlds[mworld];
    let h = &host.worlds[hworld];
    let at = |what: String| format!("world `{}`: {what}", h.name);

    let package = |resolve: &Resolve, world: &wit_parser::World| {
        world.package.map(|p| {
            let name = &resolve.packages[p].name;
            format!("{}:{}", name.namespace, name.name)
        })
    };
    let (mp, hp) = (package(module, m), package(host, h));
    // A component keeps no name for its own world's package: decoded, it is always
    // `root:component`, so it is in whichever package the host's world is.
    if mp != hp && mp.as_deref() != Some(DECODED_COMPONENT_PACKAGE) {
        problems.push(at(format!(
            "the module's world is in package `{}`, expected package `{}`",
            mp.unwrap_or_default(),
            hp.unwrap_or_default()
        )));
    }

    for (key, hitem) in &h.exports {
        let name = key_name(host, key);
        let found = m.exports.iter().find(|(k, _)| key_name(module, k) == name);
        match found {
            None => problems.push(at(format!("export `{name}` is missing"))),
            Some((_, mitem)) => compare(
                &mut problems,
                &at(format!("export `{name}`")),
                (module, mitem),
                (host, hitem),
                Side::Export,
            ),
        }
    }
    for (key, mitem) in &m.imports {
        let name = key_name(module, key);
        let found = h.imports.iter().find(|(k, _)| key_name(host, k) == name);
        match found {
            None => problems.push(at(format!(
                "import `{name}` is not provided by the host's world"
            ))),
            Some((_, hitem)) => compare(
                &mut problems,
                &at(format!("import `{name}`")),
                (module, mitem),
                (host, hitem),
                Side::Import,
            ),
        }
    }
    problems
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Export,
    Import,
}

/// A world key without its package version: `example:counter/store@1.0.0` =>
/// `example:counter/store`; `increment` => `increment`.
fn key_name(resolve: &Resolve, key: &WorldKey) -> String {
    match key {
        WorldKey::Name(name) => name.clone(),
        WorldKey::Interface(id) => {
            let iface = &resolve.interfaces[*id];
            match (iface.package, &iface.name) {
                (Some(pkg), Some(name)) => {
                    let pkg = &resolve.packages[pkg].name;
                    format!("{}:{}/{name}", pkg.namespace, pkg.name)
                }
                _ => resolve.name_world_key(key),
            }
        }
    }
}

/// Compares one item present on both sides. For an export the host's items must all be in
/// the module's; for an import the module's must all be in the host's.
fn compare(
    problems: &mut Vec<String>,
    label: &str,
    (module, mitem): (&Resolve, &WorldItem),
    (host, hitem): (&Resolve, &WorldItem),
    side: Side,
) {
    let mismatch = |mine: &str, theirs: &str| match side {
        Side::Export => format!("has type `{mine}`, expected `{theirs}`"),
        Side::Import => {
            format!("has type `{mine}` in the module, but the host provides `{theirs}`")
        }
    };
    match (mitem, hitem) {
        (WorldItem::Function(mf), WorldItem::Function(hf)) => {
            let (mine, theirs) = (render::func(module, mf), render::func(host, hf));
            if mine != theirs {
                problems.push(format!("{label} {}", mismatch(&mine, &theirs)));
            }
        }
        (WorldItem::Type { id: mt, .. }, WorldItem::Type { id: ht, .. }) => {
            let mine = render::ty(module, &Type::Id(*mt));
            let theirs = render::ty(host, &Type::Id(*ht));
            if mine != theirs {
                problems.push(format!("{label} {}", mismatch(&mine, &theirs)));
            }
        }
        (WorldItem::Interface { id: mi, .. }, WorldItem::Interface { id: hi, .. }) => {
            let mine = render::interface(module, &module.interfaces[*mi]);
            let theirs = render::interface(host, &host.interfaces[*hi]);
            // The side that must be covered: the host's expectations for an export, the
            // module's needs for an import.
            let (required, offered) = match side {
                Side::Export => (&theirs, &mine),
                Side::Import => (&mine, &theirs),
            };
            for (name, want) in required {
                match offered.iter().find(|(n, _)| n == name) {
                    None => problems.push(match side {
                        Side::Export => format!("{label}: {} `{name}` is missing", want.kind()),
                        Side::Import => format!(
                            "{label}: {} `{name}` is not provided by the host's world",
                            want.kind()
                        ),
                    }),
                    Some((_, have)) if have != want => {
                        let (m, h) = match side {
                            Side::Export => (have, want),
                            Side::Import => (want, have),
                        };
                        problems.push(format!(
                            "{label}: {} `{name}` {}",
                            want.kind(),
                            mismatch(m.text(), h.text())
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
        _ => problems.push(format!(
            "{label} is {}, expected {}",
            describe(mitem),
            describe(hitem)
        )),
    }
}

fn describe(item: &WorldItem) -> &'static str {
    match item {
        WorldItem::Function(_) => "a function",
        WorldItem::Interface { .. } => "an interface",
        WorldItem::Type { .. } => "a type",
    }
}

/// Whether a component of the module's world may stand where one of the host's world is
/// expected, decided by wasmparser's Component Model subtyping on the worlds as wit-component
/// encodes them. semver-check asks wasmparser the same question about the same encodings
/// (its step 3); it only gets the module's side from a componentized dummy module instead
/// of from the world's type, which needs a WAT parser and the whole component encoder.
fn subtype(module: &ModuleWorld, mut host: Resolve, hworld: WorldId) -> anyhow::Result<()> {
    let (mut mine, mworld) = module.clone().into_parts();
    // As semver-check does: versions are not compared, and names must line up exactly.
    for resolve in [&mut mine, &mut host] {
        for (_, pkg) in resolve.packages.iter_mut() {
            pkg.name.version = None;
        }
    }
    let name = host.worlds[hworld].name.clone();
    mine.worlds[mworld].name = name.clone();
    let encode = |resolve: &Resolve, world| {
        wit_component::metadata::encode(
            resolve,
            world,
            wit_component::StringEncoding::UTF8,
            None,
            true,
        )
    };
    let (mine, theirs) = (encode(&mine, mworld)?, encode(&host, hworld)?);

    // (component
    //   (component $m …) (component $h …)          ;; each exports its world's type as `name`
    //   (instance $mi (instantiate $m)) (instance $hi (instantiate $h))
    //   (alias export $mi "name" (type $M)) (alias export $hi "name" (type $H))
    //   (import "module" (component $c (type $M)))
    //   (export "host" (component $c) (component (type $H))))   ;; valid iff $M <: $H
    let mut root = ComponentBuilder::default();
    let m = root.component_raw(None, &mine);
    let h = root.component_raw(None, &theirs);
    let none: [(&str, ComponentExportKind, u32); 0] = [];
    let mi = root.instantiate(None, m, none);
    let hi = root.instantiate(None, h, none);
    let mt = root.alias_export(mi, &name, ComponentExportKind::Type);
    let ht = root.alias_export(hi, &name, ComponentExportKind::Type);
    let c = root.import("module", ComponentTypeRef::Component(mt));
    root.export(
        "host",
        ComponentExportKind::Component,
        c,
        Some(ComponentTypeRef::Component(ht)),
    );
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&root.finish())?;
    Ok(())
}
