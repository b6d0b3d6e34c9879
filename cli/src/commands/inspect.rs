//! `hotswap inspect m.wasm`.

use std::path::Path;

use serde_json::json;
use wasm_hotswap::contract::{guest_kind, GuestKind};

use super::Report;
use crate::exit::{Exit, Failure};
use crate::module::Module;
use crate::table::columns;
use crate::{metadata, wit};

/// Reads everything `inspect` shows about the module in `path`.
///
/// JSON: `{"file", "size", "digest", "version", "guest": {"kind", "reason"?}, "metadata",
/// "imports", "exports", "wit": {"sections": [{"name", "size", "offset"}]}}`, where imports
/// and exports have the core's form (`{"name", "kind": "func", "params", "results"}`, …).
///
/// # Errors
/// `IO_ERROR` (exit 3); `INVALID_MODULE`, `UNSUPPORTED_COMPONENT`, `INVALID_METADATA` (exit 2).
pub fn run(path: &Path) -> Result<Report, Failure> {
    let module = Module::read(path)?;
    let meta = metadata::read(path, &module.bytes)?;
    let wit = wit::sections(path, &module.bytes)?;
    let (kind, reason) = match guest_kind(&module.interface) {
        Ok(GuestKind::Stateless) => ("stateless", None),
        Ok(GuestKind::Stateful) => ("stateful", None),
        Err(e) => ("invalid", Some(e.to_string())),
    };
    let interface = &module.interface;
    let version = interface.version.as_ref().map(ToString::to_string);

    let json = json!({
        "file": path,
        "size": module.bytes.len(),
        "digest": module.digest.to_string(),
        "version": version,
        "guest": match &reason {
            Some(reason) => json!({ "kind": kind, "reason": reason }),
            None => json!({ "kind": kind }),
        },
        "metadata": meta,
        "imports": interface.imports,
        "exports": interface.exports,
        "wit": { "sections": wit },
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
            "guest",
            match &reason {
                Some(reason) => format!("invalid: {reason}"),
                None => kind.to_string(),
            },
        ),
    ];
    rows.extend(meta.fields());
    let wit_shown: Vec<String> = wit
        .iter()
        .map(|s| format!("{} ({} bytes)", s.name, s.size))
        .collect();
    rows.push((
        "wit",
        if wit_shown.is_empty() {
            "none (no `component-type` section)".into()
        } else {
            wit_shown.join("\n")
        },
    ));
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
    Ok(Report {
        json,
        human,
        exit: Exit::Success,
    })
}
