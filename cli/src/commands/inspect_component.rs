//! `hotswap inspect c.component.wasm`: what `inspect` shows of a component.

use serde_json::json;

use super::Report;
use crate::component::Component;
use crate::exit::{Exit, Failure};
use crate::table::columns;

/// Shows the component: its file, size, digest, top-level version, kind `component`, and its
/// WIT world (name, package, imports, exports with their types, and the world as WIT text).
///
/// JSON: `{"file", "size", "digest", "version", "kind": "component", "imports", "exports",
/// "wit": {"world": {"name", "package", "imports", "exports"}, "sections": [], "text"}}`,
/// where imports and exports are the world's (`{"name", "kind", "ty"}`).
///
/// # Errors
/// None beyond reading it ([`Component::from_bytes`]).
pub fn run(component: &Component) -> Result<Report, Failure> {
    let world = component.world.shown();
    let version = component.version.as_ref().map(ToString::to_string);
    let json = json!({
        "file": component.path,
        "size": component.bytes.len(),
        "digest": component.digest.to_string(),
        "version": version,
        "kind": "component",
        "imports": world.imports,
        "exports": world.exports,
        "wit": {
            "world": world,
            "sections": [],
            "text": component.world.wit,
        },
    });
    let rows: Vec<(&str, String)> = vec![
        ("file", component.path.display().to_string()),
        ("size", format!("{} bytes", component.bytes.len())),
        ("digest", component.digest.to_string()),
        (
            "version",
            version.unwrap_or_else(|| "none (no top-level `version` section)".into()),
        ),
        (
            "kind",
            "component: published with the JS and core modules jco transpiles it to".into(),
        ),
        (
            "wit",
            format!(
                "world {} in {}, decoded from the component's type",
                world.name, world.package
            ),
        ),
    ];
    let mut human = columns(0, &rows);
    for (title, items) in [("imports", &world.imports), ("exports", &world.exports)] {
        let rows: Vec<(String, String)> = items
            .iter()
            .map(|i| (i.name.clone(), format!("{} {}", i.kind, i.ty)))
            .collect();
        human.push_str(&format!("{title} ({})\n", rows.len()));
        human.push_str(&columns(2, &rows));
    }
    Ok(Report {
        json,
        human,
        exit: Exit::Success,
    })
}
