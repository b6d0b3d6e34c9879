//! Builds the demo guests (www/counter/v1, v2 and the wasm-bindgen www/notes/v1, v2) for
//! wasm32 and checks what the SDK's macros put in the binary: for the raw counters no imports
//! and exactly the contract's exports with their signatures, for all a `version` section
//! holding exactly the crate version. Native-only: it runs cargo.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use wasmparser::{ExternalKind, Parser, Payload, Validator};

/// The guests cargo builds together. Raw and wasm-bindgen guests are built apart: cargo
/// unifies the features of one build, so building the counters with the notes would turn on
/// `hotswap-guest/wasm-bindgen` for the counters too and link wasm-bindgen's imports into them.
const GROUPS: [[&str; 2]; 2] = [["counter-v1", "counter-v2"], ["notes-v1", "notes-v2"]];

/// Builds each group of guests once, into their own target dir (the outer `cargo test` holds
/// the lock on the main one).
fn built(package: &str) -> Vec<u8> {
    static BUILT: [OnceLock<PathBuf>; 2] = [OnceLock::new(), OnceLock::new()];
    let group = GROUPS.iter().position(|g| g.contains(&package)).unwrap();
    let target_dir = BUILT[group].get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let target_dir = root.join("target").join("guest-check");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(root)
            .env("CARGO_TARGET_DIR", &target_dir)
            .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
            .args(GROUPS[group].iter().flat_map(|p| ["-p", p]))
            .status()
            .expect("run cargo");
        assert!(status.success(), "building {:?} failed", GROUPS[group]);
        target_dir
    });
    let file = format!("{}.wasm", package.replace('-', "_"));
    std::fs::read(target_dir.join("wasm32-unknown-unknown/release").join(file)).unwrap()
}

struct Inspected {
    imports: Vec<String>,
    /// Export name => kind, and the signature for functions.
    exports: BTreeMap<String, String>,
    version: Vec<Vec<u8>>,
}

fn inspect(wasm: &[u8]) -> Inspected {
    let types = Validator::new().validate_all(wasm).expect("valid module");
    let mut out = Inspected {
        imports: Vec::new(),
        exports: BTreeMap::new(),
        version: Vec::new(),
    };
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.unwrap();
                    out.imports
                        .push(format!("{}.{}", import.module, import.name));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.unwrap();
                    let desc = match export.kind {
                        ExternalKind::Func => {
                            let ty = &types[types.as_ref().core_function_at(export.index)];
                            ty.unwrap_func().to_string()
                        }
                        other => format!("{other:?}"),
                    };
                    out.exports.insert(export.name.to_string(), desc);
                }
            }
            Payload::CustomSection(reader) if reader.name() == "version" => {
                out.version.push(reader.data().to_vec());
            }
            _ => {}
        }
    }
    out
}

const STATE_EXPORTS: [(&str, &str); 4] = [
    ("memory", "Memory"),
    ("save_state", "(func (result i32))"),
    ("alloc_state", "(func (param i32) (result i32))"),
    ("load_state", "(func (param i32 i32) (result i32))"),
];

/// Globals rustc's wasm linker exports from every cdylib; harmless, and not ours to drop.
const LINKER_GLOBALS: [(&str, &str); 2] = [("__data_end", "Global"), ("__heap_base", "Global")];

fn expected(app: &[(&str, &str)]) -> BTreeMap<String, String> {
    STATE_EXPORTS
        .iter()
        .chain(&LINKER_GLOBALS)
        .chain(app)
        .map(|(n, d)| (n.to_string(), d.to_string()))
        .collect()
}

#[test]
fn counter_v1_imports_nothing_and_exports_exactly_the_contract() {
    let guest = inspect(&built("counter-v1"));
    assert_eq!(guest.imports, Vec::<String>::new());
    let app = [
        ("increment", "(func (param i32) (result i32))"),
        ("get", "(func (result i32))"),
    ];
    assert_eq!(guest.exports, expected(&app));
}

#[test]
fn counter_v2_imports_nothing_and_exports_exactly_the_contract() {
    let guest = inspect(&built("counter-v2"));
    assert_eq!(guest.imports, Vec::<String>::new());
    let app = [
        ("increment", "(func (param i32) (result i32))"),
        ("get", "(func (result i32))"),
        ("decrement", "(func (param i32) (result i32))"),
        ("clicks", "(func (result i32))"),
    ];
    assert_eq!(guest.exports, expected(&app));
}

#[test]
fn version_section_is_exactly_the_crate_version() {
    assert_eq!(inspect(&built("counter-v1")).version, [b"1.0.0".to_vec()]);
    assert_eq!(inspect(&built("counter-v2")).version, [b"1.1.0".to_vec()]);
}

#[test]
fn notes_version_section_is_exactly_the_crate_version() {
    assert_eq!(inspect(&built("notes-v1")).version, [b"1.0.0".to_vec()]);
    assert_eq!(inspect(&built("notes-v2")).version, [b"1.1.0".to_vec()]);
}

/// Runs the wasm-bindgen CLI (which must equal the workspace's wasm-bindgen, as in CI) on the
/// notes guests and then `glue/notes_swap.mjs` in Node: v1's state reaches v2 through the real
/// glue, and v1's `load_state` throws on v2's state, a bad envelope and a bad payload.
#[test]
fn notes_glue_carries_v1_state_into_v2_and_throws_on_refusal() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("target")
        .join("guest-check")
        .join("notes-glue");
    for package in ["notes-v1", "notes-v2"] {
        let out = dir.join(package);
        std::fs::create_dir_all(&out).unwrap();
        let input = out.join(format!("{}.wasm", package.replace('-', "_")));
        std::fs::write(&input, built(package)).unwrap();
        let status = Command::new("wasm-bindgen")
            .args(["--target", "web", "--out-dir"])
            .args([&out, &input])
            .status()
            .expect("run wasm-bindgen (the CLI, version = Cargo.lock's wasm-bindgen)");
        assert!(status.success(), "wasm-bindgen on {package} failed");
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/glue/notes_swap.mjs");
    let output = Command::new("node")
        .arg(script)
        .arg(&dir)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert_eq!(stdout.trim(), "notes glue: ok");
}
