//! The JS glue wasm-bindgen writes (`--target web`), made into a function body so that each
//! version runs its own copy, in its own closure, that the garbage collector can reclaim.
//!
//! An ES module would not do: a module record is never unloaded (wasm-bindgen#5339), so each
//! version's glue, and through its `wasm` variable the instance and its memory, would stay
//! alive for the page's life. So the runtime evaluates the verified glue text as the body of
//! a function instead, and [`function_body`] rewrites the module's top level for that:
//!
//! - `export function f`, `export async function f`, `export class C`, `export const x`,
//!   `export let x` => the same declaration without `export`, and `f`, `C`, `x` exported;
//! - `export { initSync, __wbg_init as default };`, and `export default __wbg_init;` (before
//!   0.2.106) => removed, their names exported;
//! - `import.meta.url` (the default path of the `.wasm`) => the glue's URL, a parameter;
//! - an `import` statement (inline JS snippets, `--target web` with `module` imports) =>
//!   refused: the snippets would be fetched unverified.
//!
//! The body ends with `return { name: local, … }`. wasm-bindgen writes every top-level
//! statement of its glue at column 0, which is what the rewrite relies on; a glue passed
//! through a bundler or a minifier is not wasm-bindgen's output any more and is refused if it
//! has no `initSync`.

use crate::error::{Error, Result};

/// The name of the parameter that stands for `import.meta.url` in [`GlueScript::body`].
pub const META_URL: &str = "__hotswap_meta_url";

/// A glue rewritten as a function body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlueScript {
    /// The body of a function of one parameter, [`META_URL`], returning the exports object.
    pub body: String,
    /// The names the glue exports, in order.
    pub exports: Vec<String>,
}

/// Rewrites wasm-bindgen's `--target web` glue as a function body (see the module doc).
///
/// - a glue without `initSync` (not wasm-bindgen's web output, or older than 0.2.100) =>
///   [`Error::InvalidGuest`];
/// - an `import` statement, or an `export` form not listed above => [`Error::InvalidGuest`]
///   naming the line.
///
/// # Errors
/// As listed; `source` (the glue's URL, or `glue.bytes`) names the glue.
pub fn function_body(text: &str, source: &str) -> Result<GlueScript> {
    let refuse = |line: usize, reason: &str| Error::InvalidGuest {
        reason: format!("glue `{source}`, line {}: {reason}", line + 1),
    };
    let mut body = String::with_capacity(text.len() + 256);
    body.push_str("\"use strict\";\n");
    let mut exports: Vec<(String, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("import ") || line.starts_with("import{") {
            return Err(refuse(n, "the glue imports another module (an inline JS snippet?), which would run unverified; hot-swapped wasm-bindgen guests cannot use `#[wasm_bindgen(module = …)]` or `inline_js`"));
        }
        let Some(rest) = line.strip_prefix("export ") else {
            body.push_str(&line.replace("import.meta.url", META_URL));
            body.push('\n');
            continue;
        };
        if let Some(list) = rest.strip_prefix('{') {
            let list = list
                .trim_end()
                .strip_suffix("};")
                .ok_or_else(|| refuse(n, "an `export { … }` list that does not end on its line"))?;
            for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let (local, name) = match item.split_once(" as ") {
                    Some((local, name)) => (local.trim(), name.trim()),
                    None => (item, item),
                };
                // Both go into the returned object as they are: identifiers only.
                if !is_identifier(local) || !is_identifier(name) {
                    return Err(refuse(
                        n,
                        "an `export { … }` item that is not `name` or `local as name`",
                    ));
                }
                exports.push((name.to_string(), local.to_string()));
            }
            continue;
        }
        if let Some(local) = rest
            .strip_prefix("default ")
            .and_then(|r| r.trim_end().strip_suffix(';'))
        {
            if is_identifier(local) {
                exports.push(("default".to_string(), local.to_string()));
                continue;
            }
        }
        let name =
            declared_name(rest).ok_or_else(|| refuse(n, "an export this runtime cannot read"))?;
        exports.push((name.to_string(), name.to_string()));
        body.push_str(&rest.replace("import.meta.url", META_URL));
        body.push('\n');
    }
    if !exports.iter().any(|(name, _)| name == "initSync") {
        return Err(Error::InvalidGuest {
            reason: format!("glue `{source}` exports no `initSync`: it is not the JS glue `wasm-bindgen --target web` (0.2.100 or later) writes"),
        });
    }
    body.push_str("return {");
    for (name, local) in &exports {
        // Both are identifiers: they need no escaping.
        for part in [" \"", name.as_str(), "\": ", local.as_str(), ","] {
            body.push_str(part);
        }
    }
    body.push_str(" };\n");
    Ok(GlueScript {
        body,
        exports: exports.into_iter().map(|(name, _)| name).collect(),
    })
}

/// Rewrites the JS `jco transpile --instantiation async` wrote for a component as a function
/// body returning its `instantiate(getCoreModule, imports, instantiateCore)`:
///
/// - a leading `"use components";` directive => kept (a directive is harmless in a body);
/// - `export function instantiate(` at the start => `function instantiate(`;
/// - the closing `export const _util` => `const _util`;
/// - `import.meta.url` (jco's fallback for a missing `getCoreModule`, never taken here) =>
///   [`META_URL`].
///
/// The text may be jco's readable output or its `--minify` output; either is one top-level
/// function and that constant. Anything else at the top level makes the body fail to compile,
/// which the runtime reports as an invalid guest.
///
/// # Errors
/// [`Error::InvalidGuest`] naming `source` when the text does not begin with jco's
/// `instantiate` export (the default ESM output of `jco transpile`, without
/// `--instantiation`, keeps its instance at module level and fetches its own core modules).
pub fn jco_body(text: &str, source: &str) -> Result<String> {
    let directive = "\"use components\";";
    let rest = text.trim_start();
    let rest = rest.strip_prefix(directive).unwrap_or(rest).trim_start();
    let Some(rest) = rest.strip_prefix("export function instantiate(") else {
        return Err(Error::InvalidGuest {
            reason: format!("component JS `{source}` does not begin with `export function instantiate(`: it is not what `jco transpile --instantiation async` writes"),
        });
    };
    let mut body = String::with_capacity(text.len() + 64);
    body.push_str("function instantiate(");
    match rest.rfind("export const _util") {
        Some(at) => {
            body.push_str(&rest[..at]);
            body.push_str(&rest[at + "export ".len()..]);
        }
        None => body.push_str(rest),
    }
    let body = body.replace("import.meta.url", META_URL);
    Ok(body + "\n;return instantiate;\n")
}

/// How the JS `asc --bindings raw` writes begins; the CLI recognizes AssemblyScript's glue by
/// it ([`is_assemblyscript_bindings`]).
pub const ASSEMBLYSCRIPT_START: &str = "export async function instantiate(module, imports";

/// Whether `text` is the JS `asc --bindings raw` writes: it begins (after blank space) with
/// [`ASSEMBLYSCRIPT_START`]. wasm-bindgen's and jco's JS never do.
///
/// - `export async function instantiate(module, imports = {}) {` => `true`
/// - `export function instantiate(getCoreModule, …` (jco) => `false`
/// - `let wasm;` … (wasm-bindgen) => `false`
pub fn is_assemblyscript_bindings(text: &str) -> bool {
    text.trim_start().starts_with(ASSEMBLYSCRIPT_START)
}

/// Rewrites the JS `asc --bindings raw` wrote for an AssemblyScript module as a function body
/// returning its `instantiate(module, imports)`. The text is an ES module whose top level
/// statements start at column 0:
///
/// - `export async function instantiate(` => `async function instantiate(`;
/// - any other `export function f`, `export const x`, … => the declaration without `export`;
/// - `import.meta.url` => [`META_URL`];
/// - an `import` statement (the raw bindings have none; a module that imports runs
///   unverified code) => refused.
///
/// Every per-instance thing (the instance, its memory views, the lifted exports) lives inside
/// one call of `instantiate`, so each call, given the runtime's verified module, is an
/// independent instance.
///
/// # Errors
/// [`Error::InvalidGuest`] naming `source`: an `import` statement or an `export` form other
/// than a declaration (naming the line), or no `instantiate` function (`--bindings esm`
/// output, which fetches and instantiates its own module at import time).
pub fn assemblyscript_body(text: &str, source: &str) -> Result<String> {
    let refuse = |line: usize, reason: &str| Error::InvalidGuest {
        reason: format!(
            "AssemblyScript glue `{source}`, line {}: {reason}",
            line + 1
        ),
    };
    let mut body = String::with_capacity(text.len() + 64);
    body.push_str("\"use strict\";\n");
    let mut instantiate = false;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("import ") || line.starts_with("import{") {
            return Err(refuse(n, "the glue imports another module, which would run unverified; give the JS `asc --bindings raw` writes (not `--bindings esm`)"));
        }
        let line = line.replace("import.meta.url", META_URL);
        let Some(rest) = line.strip_prefix("export ") else {
            body.push_str(&line);
            body.push('\n');
            continue;
        };
        match declared_name(rest) {
            Some("instantiate") if rest.starts_with("async function ") => instantiate = true,
            Some(_) => {}
            None => return Err(refuse(n, "an export this runtime cannot read")),
        }
        body.push_str(rest);
        body.push('\n');
    }
    if !instantiate {
        return Err(Error::InvalidGuest {
            reason: format!("AssemblyScript glue `{source}` exports no `async function instantiate(module, imports)`: it is not the JS `asc --bindings raw` writes"),
        });
    }
    Ok(body + "return instantiate;\n")
}

/// The names a component's transpiled JS asks `getCoreModule` for, in order, each once: each
/// `getCoreModule('name')` in its text, with any of JS's three quotes (jco's `--minify`
/// writes `` getCoreModule(`name`) ``).
pub fn jco_core_names(text: &str) -> Vec<&str> {
    const CALL: &str = "getCoreModule(";
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(CALL) {
        rest = &rest[at + CALL.len()..];
        let Some(quote) = rest
            .chars()
            .next()
            .filter(|c| matches!(c, '\'' | '"' | '`'))
        else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            let name = &rest[1..=end];
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// Whether `text` is an identifier as [`declared_name`] reads one: ASCII letters, digits, `_`
/// and `$`, not starting with a digit.
fn is_identifier(text: &str) -> bool {
    declared_name(&format!("let {text}")) == Some(text)
}

/// The name a declaration (after `export `) declares: `function f(`, `async function f(`,
/// `class C {`, `const x =`, `let x =`.
fn declared_name(declaration: &str) -> Option<&str> {
    let rest = [
        "async function ",
        "function* ",
        "function ",
        "class ",
        "const ",
        "let ",
        "var ",
    ]
    .iter()
    .find_map(|keyword| declaration.strip_prefix(keyword))?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(rest.len());
    let starts = rest.chars().next().is_some_and(|c| !c.is_ascii_digit());
    (end > 0 && starts).then(|| &rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = r#"/* @ts-self-types="./notes.d.ts" */

export class Counter {
    free() {}
}
export function add(note) {
    return wasm.add(note);
}
export const Color = Object.freeze({ Red: 0 });
function __wbg_get_imports() { return {}; }
let wasm;
function initSync(module) { return wasm; }
async function __wbg_init_once(module_or_path) {
    if (module_or_path === undefined) {
        module_or_path = new URL('notes_bg.wasm', import.meta.url);
    }
}
export { initSync, __wbg_init as default };
"#;

    #[test]
    fn exports_become_the_returned_object_and_declarations_stay() {
        let script = function_body(GLUE, "notes.js").unwrap();
        assert_eq!(
            script.exports,
            ["Counter", "add", "Color", "initSync", "default"]
        );
        assert!(script.body.starts_with("\"use strict\";\n"));
        assert!(script.body.contains("\nclass Counter {"));
        assert!(script.body.contains("\nfunction add(note) {"));
        assert!(script.body.contains("\nconst Color = "));
        assert!(!script.body.contains("export "));
        assert!(script.body.ends_with(
            "return { \"Counter\": Counter, \"add\": add, \"Color\": Color, \"initSync\": initSync, \"default\": __wbg_init, };\n"
        ));
    }

    #[test]
    fn an_older_glues_export_default_is_read_too() {
        let older = GLUE.replace(
            "export { initSync, __wbg_init as default };",
            "export { initSync };\nexport default __wbg_init;",
        );
        let script = function_body(&older, "notes.js").unwrap();
        assert_eq!(
            script.exports,
            ["Counter", "add", "Color", "initSync", "default"]
        );
        assert!(!script.body.contains("export"));
    }

    #[test]
    fn import_meta_url_becomes_the_parameter() {
        let script = function_body(GLUE, "notes.js").unwrap();
        assert!(!script.body.contains("import.meta"));
        assert!(script
            .body
            .contains(&format!("new URL('notes_bg.wasm', {META_URL})")));
    }

    /// Found by the `glue` fuzz target: an `export { … }` item that is not an identifier went
    /// into the returned object unescaped, so the body no longer had the documented shape.
    #[test]
    fn an_export_list_item_that_is_not_an_identifier_is_refused_naming_the_line() {
        for list in [
            "export { initSync, a\": 1, \"b as c };",
            "export { initSync, x }; alert(1) as y };",
            "export { initSync, f(`a`) as default };",
            "export { initSync, x as 1y };",
        ] {
            let glue = GLUE.replace("export { initSync, __wbg_init as default };", list);
            let err = function_body(&glue, "notes.js").unwrap_err();
            assert_eq!(err.code(), "INVALID_GUEST", "{list}");
            assert!(err.to_string().contains("line 18"), "{list}: {err}");
        }
        let glue = GLUE.replace("__wbg_init as default", "$init_1 as default, _x");
        let script = function_body(&glue, "notes.js").unwrap();
        assert!(script.body.contains("\"default\": $init_1, \"_x\": _x,"));
    }

    /// Found by the `glue` fuzz target: `import.meta.url` on an `export` line stayed, and a
    /// function body cannot hold `import.meta`.
    #[test]
    fn import_meta_url_on_an_export_line_becomes_the_parameter_too() {
        let glue =
            format!("{GLUE}export const wasmUrl = new URL('notes_bg.wasm', import.meta.url);\n");
        let script = function_body(&glue, "notes.js").unwrap();
        assert!(!script.body.contains("import.meta"), "{}", script.body);
        assert!(script.body.contains(&format!(
            "\nconst wasmUrl = new URL('notes_bg.wasm', {META_URL});\n"
        )));
    }

    #[test]
    fn a_glue_importing_a_snippet_is_refused_naming_the_line() {
        let glue = format!("import {{ f }} from './snippets/x/inline0.js';\n{GLUE}");
        let err = function_body(&glue, "https://cdn.example/notes.js").unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
        let message = err.to_string();
        assert!(
            message.contains("https://cdn.example/notes.js"),
            "{message}"
        );
        assert!(message.contains("line 1"), "{message}");
    }

    #[test]
    fn a_script_without_init_sync_is_not_wasm_bindgen_glue() {
        let err = function_body("export function main() {}\n", "app.js").unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
        assert!(err.to_string().contains("initSync"), "{err}");
        let err = function_body("export default 5;\n", "app.js").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    /// The shape of `jco transpile --instantiation async` output, readable and minified.
    const JCO: &str = "\"use components\";\nexport function instantiate(getCoreModule, imports, instantiateCore = WebAssembly.instantiate) {\n  if (!getCoreModule) getCoreModule = (name) => fetchCompile(new URL(`./${name}`, import.meta.url));\n  const module0 = getCoreModule('counter.core.wasm');\n  const module1 = getCoreModule(\"counter.core2.wasm\");\n  return { greet: () => 'hi' };\n}\n\nexport const _util = {\n  \n}\n";
    const JCO_MIN: &str = "\"use components\";export function instantiate(getCoreModule,e,t=WebAssembly.instantiate){getCoreModule||(getCoreModule=e=>fetchCompile(new URL(`./${e}`,import.meta.url)));let a=getCoreModule(`c.core.wasm`);return{}}export const _util={};";

    #[test]
    fn jcos_instantiation_output_becomes_a_body_returning_instantiate() {
        for text in [JCO, JCO_MIN] {
            let body = jco_body(text, "c.js").unwrap();
            assert!(
                body.contains("function instantiate(getCoreModule"),
                "{body}"
            );
            assert!(!body.contains("export "), "{body}");
            assert!(body.contains("const _util"), "{body}");
            assert!(body.trim_end().ends_with("return instantiate;"), "{body}");
        }
        assert!(jco_body(JCO, "c.js")
            .unwrap()
            .contains(&format!("URL(`./${{name}}`, {META_URL})")));
    }

    #[test]
    fn jcos_default_esm_output_is_refused_naming_the_instantiation_mode() {
        let esm = "import { environment } from '@bytecodealliance/preview2-shim/cli';\nexport const greet = () => 1;\n";
        let err = jco_body(esm, "c.js").unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
        assert!(err.to_string().contains("--instantiation async"), "{err}");
    }

    #[test]
    fn the_core_modules_a_components_js_asks_for_are_read_in_order() {
        assert_eq!(
            jco_core_names(JCO),
            ["counter.core.wasm", "counter.core2.wasm"]
        );
        assert_eq!(jco_core_names(JCO_MIN), ["c.core.wasm"]);
    }

    /// The shape of `asc --bindings raw` output (assemblyscript 0.28), shortened.
    const ASC: &str = "export async function instantiate(module, imports = {}) {\n  const adaptedImports = {\n    env: Object.setPrototypeOf({\n      abort(message, fileName, lineNumber, columnNumber) {\n        throw Error(`${message}`);\n      },\n    }, Object.assign(Object.create(globalThis), imports.env || {})),\n  };\n  const { exports } = await WebAssembly.instantiate(module, adaptedImports);\n  const memory = exports.memory || imports.env.memory;\n  const adaptedExports = Object.setPrototypeOf({\n    add(key) {\n      return exports.add(key);\n    },\n  }, exports);\n  return adaptedExports;\n}\n";

    #[test]
    fn ascs_raw_bindings_become_a_body_returning_instantiate() {
        assert!(is_assemblyscript_bindings(ASC));
        let body = assemblyscript_body(ASC, "tally.js").unwrap();
        assert!(
            body.starts_with(
                "\"use strict\";\nasync function instantiate(module, imports = {}) {\n"
            ),
            "{body}"
        );
        assert!(!body.contains("export "), "{body}");
        assert!(body.ends_with("}\nreturn instantiate;\n"), "{body}");
        let other = format!("{ASC}export const version = new URL('v', import.meta.url);\n");
        let body = assemblyscript_body(&other, "tally.js").unwrap();
        assert!(
            body.contains(&format!("\nconst version = new URL('v', {META_URL});\n")),
            "{body}"
        );
    }

    #[test]
    fn wasm_bindgen_and_jco_js_are_not_assemblyscript_bindings() {
        assert!(!is_assemblyscript_bindings(GLUE));
        assert!(!is_assemblyscript_bindings(JCO));
        assert!(is_assemblyscript_bindings(&format!("\n\n{ASC}")));
    }

    #[test]
    fn ascs_esm_bindings_and_imports_are_refused_naming_the_glue() {
        let esm = "async function instantiate(module, imports = {}) {}\nexport const {\n  memory,\n  add,\n} = await (async url => instantiate(await WebAssembly.compileStreaming(fetch(url)), {}))(new URL(\"tally.wasm\", import.meta.url));\n";
        let err = assemblyscript_body(esm, "tally.js").unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST");
        assert!(err.to_string().contains("`tally.js`, line 2"), "{err}");
        let importing = format!("import * as env from './env.js';\n{ASC}");
        let err = assemblyscript_body(&importing, "tally.js").unwrap_err();
        assert!(
            err.to_string().contains("line 1: the glue imports"),
            "{err}"
        );
        let err = assemblyscript_body("export function main() {}\n", "app.js").unwrap_err();
        assert!(
            err.to_string()
                .contains("exports no `async function instantiate"),
            "{err}"
        );
    }
}
