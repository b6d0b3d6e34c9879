//! A manifest's shape read from parsed JSON, by hand.

use std::collections::BTreeMap;

use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};

use super::{Descriptor, Manifest};
use crate::js::get;

/// Reads a manifest's shape from parsed JSON, naming the field at fault (by hand, as the
/// index is: a JS-value deserializer would cost the runtime ~20 KB).
pub(super) fn manifest_from_json(json: &JsValue) -> Result<Manifest, String> {
    if !json.is_object() {
        return Err("it is not a JSON object".into());
    }
    let schema_version = get(json, "schemaVersion")
        .as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= 0.0)
        .ok_or("`schemaVersion` is not a whole number")? as u32;
    let media_type = match get(json, "mediaType") {
        v if v.is_undefined() => None,
        v => Some(v.as_string().ok_or("`mediaType` is not a string")?),
    };
    let config = descriptor(&get(json, "config"), "config")?;
    let layers = get(json, "layers");
    if !Array::is_array(&layers) {
        return Err("`layers` is not an array".into());
    }
    let layers = layers
        .unchecked_into::<Array>()
        .iter()
        .enumerate()
        .map(|(i, layer)| descriptor(&layer, &format!("layers[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Manifest {
        schema_version,
        media_type,
        config,
        layers,
        annotations: annotations(&get(json, "annotations")),
    })
}

fn descriptor(json: &JsValue, at: &str) -> Result<Descriptor, String> {
    if !json.is_object() {
        return Err(format!("`{at}` is not an object"));
    }
    let text = |key: &str| {
        get(json, key)
            .as_string()
            .ok_or_else(|| format!("`{at}.{key}` is not a string"))
    };
    Ok(Descriptor {
        media_type: text("mediaType")?,
        digest: text("digest")?,
        size: get(json, "size")
            .as_f64()
            .filter(|n| n.fract() == 0.0 && *n >= 0.0)
            .ok_or_else(|| format!("`{at}.size` is not a whole number"))? as u64,
        annotations: annotations(&get(json, "annotations")),
    })
}

/// The string-valued entries of an annotations object (others are ignored).
fn annotations(json: &JsValue) -> BTreeMap<String, String> {
    if !json.is_object() {
        return Default::default();
    }
    Object::entries(json.unchecked_ref())
        .iter()
        .filter_map(|entry| {
            let entry: Array = entry.unchecked_into();
            Some((entry.get(0).as_string()?, entry.get(1).as_string()?))
        })
        .collect()
}
