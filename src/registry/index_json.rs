//! The index's shape read from parsed JSON, by hand.

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};

use super::index::{Entry, Index};
use crate::js::get;

/// Reads the index's shape from parsed JSON, naming the field at fault. (By hand rather than
/// through serde: a JS-value deserializer costs the runtime ~20 KB of wasm.)
pub(super) fn index_from_json(json: &JsValue) -> Result<Index, String> {
    let text = |object: &JsValue, key: &str, at: &str| {
        get(object, key)
            .as_string()
            .ok_or_else(|| format!("{at}`{key}` is not a string"))
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
        let size = get(&entry, "size")
            .as_f64()
            .filter(|n| *n >= 0.0 && n.fract() == 0.0)
            .ok_or_else(|| format!("{at}`size` is not a whole number"))?;
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
            size: size as u64,
            yanked,
            published,
        });
    }
    Ok(Index {
        name,
        versions: entries,
    })
}
