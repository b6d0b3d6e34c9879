//! The index's shape read from parsed JSON, by hand.

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};

use super::index::{Core, Entry, Glue, GlueKind, Index};
use crate::js::get;

/// Reads the index's shape from parsed JSON, naming the field at fault. (By hand rather than
/// through serde: a JS-value deserializer costs the runtime ~20 KB of wasm.)
pub(super) fn index_from_json(json: &JsValue) -> Result<Index, String> {
    // `field` is named in errors; its last part (`digest` of `glue.digest`) is read.
    fn key(field: &str) -> &str {
        field.rsplit_once('.').map_or(field, |(_, key)| key)
    }
    let text = |object: &JsValue, field: &str, at: &str| {
        get(object, key(field))
            .as_string()
            .ok_or_else(|| format!("{at}`{field}` is not a string"))
    };
    let whole = |object: &JsValue, field: &str, at: &str| {
        get(object, key(field))
            .as_f64()
            .filter(|n| *n >= 0.0 && n.fract() == 0.0)
            .map(|n| n as u64)
            .ok_or_else(|| format!("{at}`{field}` is not a whole number"))
    };
    if !json.is_object() {
        return Err("it is not a JSON object".into());
    }
    let name = text(json, "name", "")?;
    let versions = get(json, "versions");
    if !Array::is_array(&versions) {
        return Err("`versions` is not an array".into());
    }
    let versions: Array = versions.unchecked_into();
    let mut entries = Vec::with_capacity(versions.length() as usize);
    for (i, entry) in versions.iter().enumerate() {
        let at = format!("versions[{i}]: ");
        if !entry.is_object() {
            return Err(format!("{at}not an object"));
        }
        let version = text(&entry, "version", &at)?;
        let version = version
            .parse()
            .map_err(|e| format!("{at}`version` `{version}` is not a semantic version: {e}"))?;
        let size = whole(&entry, "size", &at)?;
        // Absent (or null) for a module that needs no glue.
        let glue = match get(&entry, "glue") {
            v if v.is_undefined() || v.is_null() => None,
            v if !v.is_object() => return Err(format!("{at}`glue` is not an object")),
            v => Some(Glue {
                digest: text(&v, "glue.digest", &at)?,
                size: whole(&v, "glue.size", &at)?,
                kind: match get(&v, "kind") {
                    k if k.is_undefined() => GlueKind::WasmBindgen,
                    k => match k.as_string().as_deref() {
                        Some("wasm-bindgen") => GlueKind::WasmBindgen,
                        Some("jco") => GlueKind::Jco,
                        Some("assemblyscript") => GlueKind::AssemblyScript,
                        _ => {
                            return Err(format!(
                                "{at}`glue.kind` is not `wasm-bindgen`, `jco` or `assemblyscript`"
                            ))
                        }
                    },
                },
            }),
        };
        // Absent for anything but a component.
        let cores = match get(&entry, "cores") {
            v if v.is_undefined() || v.is_null() => Vec::new(),
            v if !Array::is_array(&v) => return Err(format!("{at}`cores` is not an array")),
            v => {
                let mut cores = Vec::new();
                for (j, core) in v.unchecked_into::<Array>().iter().enumerate() {
                    let at = format!("{at}cores[{j}]: ");
                    if !core.is_object() {
                        return Err(format!("{at}not an object"));
                    }
                    cores.push(Core {
                        name: text(&core, "name", &at)?,
                        digest: text(&core, "digest", &at)?,
                        size: whole(&core, "size", &at)?,
                    });
                }
                cores
            }
        };
        let yanked = match get(&entry, "yanked") {
            v if v.is_undefined() => false,
            v => v
                .as_bool()
                .ok_or_else(|| format!("{at}`yanked` is not a boolean"))?,
        };
        let published = match get(&entry, "published") {
            v if v.is_undefined() => String::new(),
            v => v
                .as_string()
                .ok_or_else(|| format!("{at}`published` is not a string"))?,
        };
        entries.push(Entry {
            version,
            digest: text(&entry, "digest", &at)?,
            size,
            glue,
            cores,
            yanked,
            published,
        });
    }
    Ok(Index {
        name,
        versions: entries,
    })
}
