//! Reading the JS options objects of `load`, `swap` and `watch` into the plain Rust values of
//! [`crate::options`], checking each field's type. The rules between fields are there.

use js_sys::{Array, ArrayBuffer, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::Error;
use crate::js::get;
use crate::options::{
    invalid, AllowMajor, Defaults, ExpectFields, Fields, GlueFields, Host, Options, Probation,
    UpdatePolicy,
};
use crate::policy::Policy;
use crate::signature::Trust;

/// The browser's values: what JS hands the runtime.
#[derive(Default)]
pub struct Js;

impl Host for Js {
    type Bytes = Uint8Array;
    type Imports = Object;
    type Function = Function;
}

/// `load` or `swap` options, checked.
pub type JsOptions = Options<Js>;

/// A string field: absent, or a string.
fn text(object: &JsValue, key: &str, option: &'static str) -> Result<Option<String>, Error> {
    text_value(get(object, key), option)
}

/// A string field's value: absent, or a string.
fn text_value(value: JsValue, option: &'static str) -> Result<Option<String>, Error> {
    match value {
        v if v.is_undefined() => Ok(None),
        v => v
            .as_string()
            .map(Some)
            .ok_or_else(|| invalid(option, "expected a string")),
    }
}

/// A field's value of one JS type: absent, or `check` passes.
fn typed_value<T: JsCast>(
    value: JsValue,
    key: &'static str,
    check: fn(&JsValue) -> bool,
    reason: &str,
) -> Result<Option<T>, Error> {
    match value {
        v if v.is_undefined() => Ok(None),
        v if check(&v) => Ok(Some(v.unchecked_into())),
        _ => Err(invalid(key, reason)),
    }
}

/// A number field's value: absent, or a number (anything else is NaN, which the rules refuse).
fn number_value(value: JsValue) -> Option<f64> {
    match value {
        v if v.is_undefined() => None,
        v => Some(v.as_f64().unwrap_or(f64::NAN)),
    }
}

/// Reads and checks `load` or `swap` options.
///
/// # Errors
/// [`Error::InvalidOptions`] naming the option, [`Error::InvalidDigest`], and the rules of
/// [`Options::check`].
pub fn read(value: &JsValue, defaults: &Defaults<Js>) -> Result<JsOptions, Error> {
    if !value.is_object() {
        return Err(invalid(
            "options",
            "expected an object such as { url, digest }",
        ));
    }
    // One call reads every field (`optionFields`, in this order); a getter that throws makes
    // the options invalid.
    let fields = crate::js::option_fields(value).map_err(|cause| {
        invalid(
            "options",
            &format!("reading a field threw: {}", crate::js::describe(&cause)),
        )
    })?;
    let field = |i: u32| fields.get(i);
    let fields = Fields {
        url: text_value(field(0), "url")?,
        bytes: bytes_value(field(1), "bytes")?,
        digest: text_value(field(2), "digest")?,
        registry: text_value(field(3), "registry")?,
        name: text_value(field(4), "name")?,
        range: text_value(field(5), "range")?,
        version: text_value(field(6), "version")?,
        imports: typed_value(
            field(7),
            "imports",
            JsValue::is_object,
            "expected an object of import namespaces",
        )?,
        fetch: typed_value(
            field(8),
            "fetch",
            JsValue::is_function,
            "expected a function (url) => Promise<Response>",
        )?,
        timeout: number_value(field(9)),
        expect: optional(&field(10), read_expect)?,
        policy: optional(&field(11), read_policy)?,
        glue: optional(&field(12), read_glue)?,
        on_progress: typed_value(
            field(13),
            "onProgress",
            JsValue::is_function,
            "expected a function ({ loaded, total, url }) => void",
        )?,
        retain: number_value(field(14)),
        drain_timeout: number_value(field(15)),
    };
    Options::check(fields, defaults)
}

fn optional<T>(
    value: &JsValue,
    read: fn(&JsValue) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    if value.is_undefined() {
        Ok(None)
    } else {
        read(value).map(Some)
    }
}

fn read_glue(value: &JsValue) -> Result<GlueFields<Uint8Array>, Error> {
    if !value.is_object() {
        return Err(invalid(
            "glue",
            "expected an object such as { url, digest }: the JS glue wasm-bindgen (or `asc --bindings raw`, with `kind: \"assemblyscript\"`) wrote",
        ));
    }
    let bytes = bytes(value, "glue.bytes")?;
    Ok(GlueFields {
        url: text(value, "url", "glue.url")?,
        bytes,
        digest: text(value, "digest", "glue.digest")?,
        kind: text(value, "kind", "glue.kind")?,
    })
}

fn read_expect(value: &JsValue) -> Result<ExpectFields, Error> {
    if !value.is_object() {
        return Err(invalid(
            "expect",
            "expected an object such as { exports: { get: \"() -> i32\" } }",
        ));
    }
    let mut fields = ExpectFields {
        wit: text(value, "wit", "expect.wit")?,
        world: text(value, "world", "expect.world")?,
        ..ExpectFields::default()
    };
    match get(value, "exports") {
        v if v.is_undefined() => {}
        v if v.is_object() => {
            for entry in Object::entries(v.unchecked_ref()) {
                let entry: Array = entry.unchecked_into();
                let name = entry.get(0).as_string().unwrap_or_default();
                let text = entry.get(1).as_string().ok_or_else(|| {
                    let reason =
                        format!("export `{name}`: expected a type text such as \"(i32) -> i32\"");
                    Error::InvalidOptions {
                        option: "expect.exports",
                        reason,
                    }
                })?;
                fields.exports.push((name, text));
            }
        }
        _ => {
            return Err(invalid(
                "expect.exports",
                "expected an object of export name => type text",
            ))
        }
    }
    Ok(fields)
}

fn read_policy(value: &JsValue) -> Result<UpdatePolicy<Function>, Error> {
    if !value.is_object() {
        return Err(invalid(
            "policy",
            "expected an object such as { allowMajor: true }",
        ));
    }
    let flag = |key: &str, option: &'static str| match get(value, key) {
        v if v.is_undefined() => Ok(false),
        v => v
            .as_bool()
            .ok_or_else(|| invalid(option, "expected a boolean")),
    };
    let probation = match get(value, "probation") {
        v if v.is_undefined() => None,
        v if v.is_object() => {
            let number = |key: &str| match get(&v, key) {
                n if n.is_undefined() => Ok(None),
                n => n
                    .as_f64()
                    .map(Some)
                    .ok_or_else(|| invalid("policy.probation", "`ms` and `calls` are numbers")),
            };
            Some(Probation::new(number("ms")?, number("calls")?)?)
        }
        _ => {
            return Err(invalid(
                "policy.probation",
                "expected an object such as { ms: 5000, calls: 100 }",
            ))
        }
    };
    let health_check = match get(value, "healthCheck") {
        v if v.is_undefined() => None,
        v if v.is_function() => Some(v.unchecked_into()),
        _ => {
            return Err(invalid(
                "policy.healthCheck",
                "expected a function (exports) => boolean | Promise<boolean>",
            ))
        }
    };
    let trust = match get(value, "trust") {
        v if v.is_undefined() => None,
        v => Some(std::rc::Rc::new(read_trust(&v)?)),
    };
    Ok(UpdatePolicy {
        trust,
        allow_major: read_allow_major(&get(value, "allowMajor"), "policy.allowMajor")?,
        rules: Policy {
            allow_downgrade: flag("allowDowngrade", "policy.allowDowngrade")?,
            require_version: flag("requireVersion", "policy.requireVersion")?,
        },
        probation,
        health_check,
    })
}

/// `policy.trust`: `{ keys: [PEM…] }`, each key checked by [`Trust::from_pems`].
///
/// # Errors
/// [`Error::InvalidOptions`] naming `policy.trust` (and the key's index).
fn read_trust(value: &JsValue) -> Result<Trust, Error> {
    let option = "policy.trust";
    let keys = get(value, "keys");
    if !value.is_object() || !js_sys::Array::is_array(&keys) {
        return Err(invalid(
            option,
            "expected { keys: [\"-----BEGIN PUBLIC KEY-----…\"] }",
        ));
    }
    let mut pems = Vec::new();
    for (i, key) in js_sys::Array::from(&keys).iter().enumerate() {
        pems.push(key.as_string().ok_or_else(|| Error::InvalidOptions {
            option,
            reason: format!("`keys[{i}]` is not a string (a PEM public key)"),
        })?);
    }
    Trust::from_pems(&pems)
}

/// `allowMajor`: absent or a boolean, or a consent callback.
///
/// # Errors
/// [`Error::InvalidOptions`] naming `option`.
pub fn read_allow_major(
    value: &JsValue,
    option: &'static str,
) -> Result<AllowMajor<Function>, Error> {
    match value {
        v if v.is_undefined() || v.as_bool() == Some(false) => Ok(AllowMajor::No),
        v if v.as_bool() == Some(true) => Ok(AllowMajor::Yes),
        v if v.is_function() => Ok(AllowMajor::Ask(v.clone().unchecked_into())),
        _ => Err(invalid(
            option,
            "expected a boolean or a function (upgrade) => boolean",
        )),
    }
}

/// `object.bytes`: absent, or an `ArrayBuffer` or typed array (`option` names it in errors).
fn bytes(object: &JsValue, option: &'static str) -> Result<Option<Uint8Array>, Error> {
    bytes_value(get(object, "bytes"), option)
}

/// A `bytes` field's value: absent, or an `ArrayBuffer` or typed array, as a byte view.
fn bytes_value(value: JsValue, option: &'static str) -> Result<Option<Uint8Array>, Error> {
    match value {
        v if v.is_undefined() => Ok(None),
        v => byte_view(&v)
            .map(Some)
            .ok_or_else(|| invalid(option, "expected an ArrayBuffer or a typed array")),
    }
}

/// A `Uint8Array` over an `ArrayBuffer` or over the bytes an `ArrayBufferView` covers.
pub(crate) fn byte_view(value: &JsValue) -> Option<Uint8Array> {
    if let Some(view) = value.dyn_ref::<Uint8Array>() {
        return Some(view.clone());
    }
    if value.is_instance_of::<ArrayBuffer>() {
        return Some(Uint8Array::new(value));
    }
    let buffer = Reflect::get(value, &"buffer".into()).ok()?;
    if !ArrayBuffer::is_view(value) {
        return None;
    }
    let offset = Reflect::get(value, &"byteOffset".into()).ok()?.as_f64()? as u32;
    let length = Reflect::get(value, &"byteLength".into()).ok()?.as_f64()? as u32;
    Some(Uint8Array::new_with_byte_offset_and_length(
        &buffer, offset, length,
    ))
}
