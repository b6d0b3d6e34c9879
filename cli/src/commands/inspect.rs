//! `hotswap inspect m.wasm [--glue m.js]`.

use std::path::Path;

use serde_json::json;
use wasm_hotswap::contract::Statefulness;
use wasm_hotswap::guest::Kind;
use wasm_hotswap::registry::index::GlueKind;

use super::Report;
use crate::exit::{Exit, Failure};
use crate::glue::Glue;
use crate::module::Module;
use crate::table::columns;
use crate::wit::Wit;
use crate::{metadata, wit};

/// Reads everything `inspect` shows about the module in `path`.
///
/// JSON: `{"file", "size", "digest", "version", "kind": "raw" | "wasm-bindgen" |
/// "assemblyscript", "guest": {"kind": "stateless" | "stateful" | "invalid", "reason"?},
/// "glue": {"file", "size", "digest", "kind": "wasm-bindgen" | "assemblyscript"} | null,
/// "metadata", "imports", "exports", "wit": {"world": {"name", "package", "imports",
/// "exports"} | null, "sections": [{"name", "size", "offset"}]}}`, where imports and exports
/// have the core's form (`{"name", "kind": "func", "params", "results"}`, …).
/// A component is shown by [`super::inspect_component::run`].
///
/// With `glue`, the module is classified as `publish --glue` classifies it
/// ([`crate::glue::guest`]): an AssemblyScript module by its glue-level state functions, and a
/// pairing `publish` would refuse (a wasm-bindgen module without glue, wasm-bindgen glue with
/// another module) shown as `invalid` with publish's reason. Without it, a wasm-bindgen module
/// is told by its interface and any other module is raw.
///
/// # Errors
/// `IO_ERROR` (exit 3); `INVALID_MODULE`, `UNSUPPORTED_COMPONENT`, `INVALID_GLUE` (exit 2).
pub fn run(path: &Path, glue: Option<&Path>) -> Result<Report, Failure> {
    if let Some(component) = crate::component::read_if_component(path)? {
        return super::inspect_component::run(&component);
    }
    let module = Module::read(path)?;
    let glue = glue.map(Glue::read).transpose()?;
    let wit = wit::read(path, &module.bytes)?;
    // A wasm-bindgen module is stateful by the glue's contract, not the raw ABI's; with the
    // glue given, the kind is the one publish would give it.
    let (guest_kind, contract) = match &glue {
        None => {
            let kind = module.kind();
            (
                kind,
                kind.contract(&module.interface).map_err(|e| e.to_string()),
            )
        }
        Some(glue) => match crate::glue::guest(&module, Some(glue)) {
            Ok(guest) => (guest.kind, Ok(guest.state)),
            Err(refused) => (module.kind(), Err(refused.message)),
        },
    };
    let (kind, reason) = match contract {
        Ok(Statefulness::Stateless) => ("stateless", None),
        Ok(Statefulness::Stateful) => ("stateful", None),
        Err(reason) => ("invalid", Some(reason)),
    };
    let interface = &module.interface;
    let version = interface.version.as_ref().map(ToString::to_string);

    let json = json!({
        "file": path,
        "size": module.bytes.len(),
        "digest": module.digest.to_string(),
        "version": version,
        "kind": guest_kind,
        "guest": match &reason {
            Some(reason) => json!({ "kind": kind, "reason": reason }),
            None => json!({ "kind": kind }),
        },
        "glue": glue.as_ref().map(|g| json!({
            "file": g.path,
            "size": g.bytes.len(),
            "digest": g.digest.to_string(),
            "kind": g.kind,
        })),
        "metadata": module.interface.metadata,
        "imports": interface.imports,
        "exports": interface.exports,
        "wit": wit,
    });

    let mut rows: Vec<(&str, String)> = vec![
        ("file", path.display().to_string()),
        ("size", format!("{} bytes", module.bytes.len())),
        ("digest", module.digest.to_string()),
        (
            "version",
            version.unwrap_or_else(|| "none (no `version` section)".into()),
        ),
        (
            "kind",
            match guest_kind {
                Kind::WasmBindgen => "wasm-bindgen guest: instantiated by its JS glue, the \
                                      `.js` wasm-bindgen wrote beside it (publish with --glue)"
                    .to_string(),
                Kind::AssemblyScript => "AssemblyScript guest: instantiated by the JS \
                                         `asc --bindings raw` wrote (its --glue)"
                    .to_string(),
                _ => "raw core module".to_string(),
            },
        ),
        (
            "guest",
            match &reason {
                Some(reason) => format!("invalid: {reason}"),
                None => kind.to_string(),
            },
        ),
    ];
    if let Some(g) = &glue {
        let kind = match g.kind {
            GlueKind::AssemblyScript => "asc --bindings raw",
            _ => "wasm-bindgen --target web",
        };
        rows.push((
            "glue",
            format!(
                "{}: {} bytes, {}, {kind}",
                g.path.display(),
                g.bytes.len(),
                g.digest
            ),
        ));
    }
    rows.extend(metadata::fields(&module.interface.metadata));
    rows.push(("wit", wit_summary(&wit)));
    let mut human = columns(0, &rows);
    let imports: Vec<(String, String)> = interface
        .imports
        .iter()
        .map(|i| (format!("{}.{}", i.module, i.name), i.ty.to_string()))
        .collect();
    let exports: Vec<(String, String)> = interface
        .exports
        .iter()
        .map(|e| (e.name.clone(), e.ty.to_string()))
        .collect();
    for (title, list) in [("imports", imports), ("exports", exports)] {
        human.push_str(&format!("{title} ({})\n", list.len()));
        human.push_str(&columns(2, &list));
    }
    if let Some(world) = &wit.world {
        for (title, items) in [
            ("wit imports", &world.imports),
            ("wit exports", &world.exports),
        ] {
            let rows: Vec<(String, String)> = items
                .iter()
                .map(|i| (i.name.clone(), format!("{} {}", i.kind, i.ty)))
                .collect();
            human.push_str(&format!("{title} ({})\n", rows.len()));
            human.push_str(&columns(2, &rows));
        }
    }
    Ok(Report {
        json,
        human,
        exit: Exit::Success,
    })
}

/// `world counter in example:counter@1.0.0, from component-type:… (123 bytes)`, or none.
fn wit_summary(wit: &Wit) -> String {
    let sections: Vec<String> = wit
        .sections
        .iter()
        .map(|s| format!("{} ({} bytes)", s.name, s.size))
        .collect();
    match &wit.world {
        None => "none (no `component-type` section)".to_string(),
        Some(world) => {
            let package = if world.package.is_empty() {
                String::new()
            } else {
                format!(" in {}", world.package)
            };
            format!(
                "world {}{package}, from\n{}",
                world.name,
                sections.join("\n")
            )
        }
    }
}
