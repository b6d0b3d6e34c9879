//! `hotswap types m.wasm [--glue m.js] [--out DIR]`: TypeScript types for a module's exports,
//! and the `expect` object that holds a swap to them.
//!
//! Writes, next to each other (`<stem>` is the module's file stem without `_bg`; the names
//! keep clear of wasm-bindgen's own `<stem>.js` and `<stem>.d.ts` in the same folder):
//!
//! - `<stem>.types.d.ts`: `export interface <Stem>Exports { … }`, what `HotModule.load<E>()`
//!   types `m.exports` with, and `export declare const expect`;
//! - `<stem>.types.js`: `export const expect = { exports: { … } }`, the module's own signatures as
//!   `expect.exports` type texts, so that a later version lacking an export the app's types
//!   promise is refused by the gate before it serves.
//!
//! A raw core module's exports are typed from their Wasm signatures (`i32`, `f32`, `f64` =>
//! `number`, `i64` => `bigint`, several results => a tuple; memories, tables and globals as
//! the `WebAssembly` objects). A wasm-bindgen guest's functions take the types wasm-bindgen
//! wrote in the `.d.ts` beside its glue (`--glue notes.js` => `notes.d.ts`), its classes are
//! that `.d.ts`'s classes. The state functions are the runtime's and are left out.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;
use wasm_hotswap::contract::{MEMORY, STATE_FUNCTIONS};
use wasm_hotswap::guest::{is_wasm_bindgen, Kind};
use wasm_hotswap::interface::{ExternType, FuncType, ValType};

use super::Report;
use crate::exit::{Exit, Failure};
use crate::module::Module;
use crate::table::columns;

/// Writes the types of `module` (with its wasm-bindgen `glue`, whose `.d.ts` is read) into
/// `out` (default: the module's folder).
///
/// JSON: `{"types", "expect", "interface", "exports"}`: the two files written, the interface's
/// name and the exports typed.
///
/// # Errors
/// `IO_ERROR` (exit 3); the module's read errors (exit 2); `INVALID_GUEST` (exit 2) for a
/// component (its types come from jco's `.d.ts`) or a wasm-bindgen module without `--glue`.
pub fn run(module: &Path, glue: Option<&Path>, out: Option<&Path>) -> Result<Report, Failure> {
    let module = Module::read(module)?;
    let refuse = |reason: String| Failure::new(Exit::InvalidInput, "INVALID_GUEST", reason);
    if module.interface.component {
        return Err(refuse(format!("{}: a component's types are the `.d.ts` jco writes (`jco transpile --instantiation async` without `--no-typescript`); `hotswap types` types core modules", module.path.display())));
    }
    let bindgen = is_wasm_bindgen(&module.interface);
    let declarations = match (bindgen, glue) {
        (true, Some(glue)) => {
            let dts = glue.with_extension("d.ts");
            let text = std::fs::read_to_string(&dts).map_err(|e| Failure::io("reading", &dts, &e))?;
            Some((dts, text))
        }
        (true, None) => return Err(refuse(format!("{}: a wasm-bindgen module: give its glue with --glue, whose `.d.ts` (written beside it by wasm-bindgen) has the exports' JS types", module.path.display()))),
        (false, _) => None,
    };
    let kind = if bindgen {
        Kind::WasmBindgen
    } else {
        Kind::Raw
    };
    let compared = kind.compared(&module.interface);
    let exports: Vec<_> = compared
        .exports
        .iter()
        .filter(|e| !STATE_FUNCTIONS.contains(&e.name.as_str()))
        .collect();

    let stem = stem(&module.path);
    let name = format!("{}Exports", pascal(&stem));
    let dir = out.map_or_else(
        || module.path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        Path::to_path_buf,
    );
    std::fs::create_dir_all(&dir).map_err(|e| Failure::io("creating", &dir, &e))?;
    let (dts_path, js_path) = (
        dir.join(format!("{stem}.types.d.ts")),
        dir.join(format!("{stem}.types.js")),
    );

    let version = module
        .interface
        .version
        .as_ref()
        .map_or_else(String::new, |v| format!(" {v}"));
    let origin = format!(
        "// Written by `hotswap types` from {}{version} ({}).\n",
        module
            .path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy(),
        module.digest
    );
    let mut dts = origin.clone();
    let mut typed = Vec::new();
    match &declarations {
        Some((path, text)) => {
            let from = relative_module(&dir, path);
            let _ = writeln!(
                dts,
                "\n/** The exports of {stem}{version}, for `HotModule.load<{name}>()`. */"
            );
            let _ = writeln!(dts, "export interface {name} {{");
            for (export, line) in bindgen_members(text, &from) {
                typed.push(export);
                let _ = writeln!(dts, "  {line}");
            }
        }
        None => {
            let _ = writeln!(
                dts,
                "\n/** The exports of {stem}{version}, for `HotModule.load<{name}>()`. */"
            );
            let _ = writeln!(dts, "export interface {name} {{");
            for export in &exports {
                typed.push(export.name.clone());
                let _ = writeln!(dts, "  {}", member(&export.name, &export.ty));
            }
        }
    }
    dts.push_str("}\n");
    let entries: Vec<(String, String)> = exports
        .iter()
        .filter_map(|e| expect_text(&e.ty).map(|t| (e.name.clone(), t)))
        .collect();
    let object = entries
        .iter()
        .map(|(name, text)| format!("    {}: {},", json!(name), json!(text)))
        .collect::<Vec<_>>()
        .join("\n");
    let _ = write!(
        dts,
        "\n/** What `expect` holds a swap to: these exports with these signatures. */\nexport declare const expect: {{ exports: Record<string, string> }};\n"
    );
    let js = format!("{origin}\n/** What `expect` holds a swap to: these exports with these signatures. */\nexport const expect = {{\n  exports: {{\n{object}\n  }},\n}};\n");
    std::fs::write(&dts_path, dts).map_err(|e| Failure::io("writing", &dts_path, &e))?;
    std::fs::write(&js_path, js).map_err(|e| Failure::io("writing", &js_path, &e))?;

    let json = json!({
        "types": dts_path,
        "expect": js_path,
        "interface": name,
        "exports": typed,
    });
    let rows = [
        ("types", dts_path.display().to_string()),
        ("expect", js_path.display().to_string()),
        ("interface", format!("{name} ({} exports)", typed.len())),
    ];
    Ok(Report {
        json,
        human: columns(0, &rows),
        exit: Exit::Success,
    })
}

/// `notes_v1_bg.wasm` => `notes_v1`; `counter.wasm` => `counter`.
fn stem(path: &Path) -> String {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    stem.strip_suffix("_bg").unwrap_or(&stem).to_string()
}

/// `notes_v1` => `NotesV1`; `acme-counter` => `AcmeCounter`.
fn pascal(stem: &str) -> String {
    stem.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<String>()
}

/// A TS member for a raw export: `increment(a0: number): number;`, `readonly memory:
/// WebAssembly.Memory;`.
fn member(name: &str, ty: &ExternType) -> String {
    let key = if is_identifier(name) {
        name.to_string()
    } else {
        json!(name).to_string()
    };
    match ty {
        ExternType::Func(f) => format!("{key}({}): {};", params(f), results(f)),
        ExternType::Memory { .. } => format!("readonly {key}: WebAssembly.Memory;"),
        ExternType::Table { .. } => format!("readonly {key}: WebAssembly.Table;"),
        ExternType::Global { .. } => format!("readonly {key}: WebAssembly.Global;"),
        ExternType::Tag(_) => format!("readonly {key}: WebAssembly.Tag;"),
        ExternType::Item { .. } => format!("readonly {key}: unknown;"),
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

fn ts(ty: &ValType) -> &'static str {
    match ty {
        ValType::I32 | ValType::F32 | ValType::F64 => "number",
        ValType::I64 => "bigint",
        ValType::V128 => "never",
        ValType::Ref(_) => "unknown",
    }
}

fn params(f: &FuncType) -> String {
    f.params
        .iter()
        .enumerate()
        .map(|(i, p)| format!("a{i}: {}", ts(p)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn results(f: &FuncType) -> String {
    match f.results.as_slice() {
        [] => "void".into(),
        [one] => ts(one).into(),
        many => format!("[{}]", many.iter().map(ts).collect::<Vec<_>>().join(", ")),
    }
}

/// The `expect.exports` type text of an export: `(i32) -> i32`, `memory`, `global mut i64`.
fn expect_text(ty: &ExternType) -> Option<String> {
    match ty {
        ExternType::Func(f) => {
            let list = |types: &[ValType]| {
                types
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let results = match f.results.as_slice() {
                [] => "()".to_string(),
                [one] => one.to_string(),
                many => format!("({})", list(many)),
            };
            Some(format!("({}) -> {results}", list(&f.params)))
        }
        ExternType::Memory { .. } => Some(MEMORY.into()),
        ExternType::Table { .. } => Some("table".into()),
        ExternType::Global { content, mutable } => Some(format!(
            "global {}{content}",
            if *mutable { "mut " } else { "" }
        )),
        _ => None,
    }
}

/// The members of a wasm-bindgen glue's `.d.ts`: each `export function f(…): T;` becomes
/// `f(…): T;`, each `export class C` becomes `readonly C: typeof import(from).C;`; the glue's
/// own (`initSync`, the default init, the state functions) are left out.
fn bindgen_members(dts: &str, from: &str) -> Vec<(String, String)> {
    let glue_own =
        |name: &str| name == "initSync" || name == "__wbg_init" || STATE_FUNCTIONS.contains(&name);
    let mut members = Vec::new();
    for line in dts.lines() {
        if let Some(rest) = line.strip_prefix("export function ") {
            let name = rest.split('(').next().unwrap_or_default().trim();
            if !glue_own(name) && !name.is_empty() {
                members.push((name.to_string(), rest.trim_end().to_string()));
            }
        } else if let Some(rest) = line.strip_prefix("export class ") {
            let name = rest
                .split(|c: char| c.is_whitespace() || c == '{')
                .next()
                .unwrap_or_default();
            if !name.is_empty() {
                let member = format!("readonly {name}: typeof import({}).{name};", json!(from));
                members.push((name.to_string(), member));
            }
        }
    }
    members
}

/// How `dir`'s `.d.ts` imports `path`: `./notes.js` for `path` `dir/notes.d.ts`.
fn relative_module(dir: &Path, path: &Path) -> String {
    let target = path.with_extension("").with_extension("js");
    let relative = pathdiff(&target, dir).unwrap_or(target);
    let text = relative.to_string_lossy().replace('\\', "/");
    if text.starts_with('.') {
        text
    } else {
        format!("./{text}")
    }
}

/// `path` relative to `base`, both made absolute.
fn pathdiff(path: &Path, base: &Path) -> Option<PathBuf> {
    let path = std::path::absolute(path).ok()?;
    let base = std::path::absolute(base).ok()?;
    let common = path
        .components()
        .zip(base.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in base.components().skip(common) {
        out.push("..");
    }
    for part in path.components().skip(common) {
        out.push(part);
    }
    Some(out)
}
