//! `hotswap inspect m.wasm`.

use std::path::Path;

use serde_json::json;
use wasm_hotswap::contract::Statefulness;
use wasm_hotswap::guest::Kind;

use super::Report;
use crate::exit::{Exit, Failure};
use crate::module::Module;
use crate::table::columns;
use crate::wit::Wit;
use crate::{metadata, wit};

/// Reads everything `inspect` shows about the module in `path`.
///
/// JSON: `{"file", "size", "digest", "version", "kind": "raw" | "wasm-bindgen",
/// "guest": {"kind": "stateless" | "stateful" | "invalid", "reason"?}, "metadata",
/// "imports", "exports", "wit": {"world": {"name", "package", "imports", "exports"} | null,
/// "sections": [{"name", "size", "offset"}]}}`, where imports
/// and exports have the core's form (`{"name", "kind": "func", "params", "results"}`, …).
/// A component is shown by [`super::inspect_component::run`].
///
/// # Errors
/// `IO_ERROR` (exit 3); `INVALID_MODULE`, `UNSUPPORTED_COMPONENT` (exit 2).
pub fn run(path: &Path) -> Result<Report, Failure> {
    if let Some(component) = crate::component::read_if_component(path)? {
        return super::inspect_component::run(&component);
    }
    let module = Module::read(path)?;
    let wit = wit::read(path, &module.bytes)?;
    // A wasm-bindgen module is stateful by the glue's contract, not the raw ABI's.
    let guest_kind = module.kind();
    let (kind, reason) = match guest_kind.contract(&module.interface) {
        Ok(Statefulness::Stateless) => ("stateless", None),
        Ok(Statefulness::Stateful) => ("stateful", None),
        Err(e) => ("invalid", Some(e.to_string())),
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
