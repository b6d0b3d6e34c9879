//! wasm-bindgen guests: `publish --glue`, the refusals around it, `inspect`'s kind, and the
//! comparison of what the app reaches.

mod common;

use std::path::Path;

use common::{bindgen_output, counter, hotswap, module, publish_args, To};
use serde_json::Value;
use wasm_hotswap::digest::Digest;

fn publish_glue(module: &Path, glue: &Path, version: &str, registry: &Path) -> common::Run {
    let mut args = publish_args(module, "notes", version, To::Registry(registry));
    args.extend(["--glue".into(), glue.into(), "--json".into()]);
    hotswap(&args)
}

/// Asserts that `run` was refused with exit 2 and `code`, its message naming each of `names`,
/// and that nothing was stored in `registry`.
fn assert_refused(run: &common::Run, code: &str, names: &[&str], registry: &Path) -> Value {
    assert_eq!(run.code, 2, "{}", run.stdout);
    let error = run.json()["error"].clone();
    assert_eq!(error["code"], code);
    let message = error["message"].as_str().unwrap();
    for name in names {
        assert!(message.contains(name), "{name}: {message}");
    }
    assert!(!registry.join("blobs").exists(), "nothing is stored");
    error
}

fn index(registry: &Path) -> Value {
    let text = std::fs::read(registry.join("packages/notes/index.json")).unwrap();
    serde_json::from_slice(&text).unwrap()
}

#[test]
fn publish_with_glue_stores_both_blobs_and_the_entry_names_the_glue_digest() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let (wasm, js) = bindgen_output(dir.path(), "87482a37f0854b09", "");
    let run = publish_glue(&wasm, &js, "1.0.0", &reg);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = run.json();

    let glue_bytes = std::fs::read(&js).unwrap();
    let glue_digest = Digest::of(&glue_bytes).to_string();
    assert_eq!(out["glue"]["digest"], glue_digest);
    assert_eq!(out["glue"]["size"], glue_bytes.len());
    assert_eq!(out["glue"]["blob_existed"], false);
    let hex = glue_digest.strip_prefix("sha256:").unwrap();
    let stored = reg.join("blobs/sha256").join(hex);
    assert_eq!(std::fs::read(&stored).unwrap(), glue_bytes);
    assert_eq!(Path::new(out["glue"]["blob"].as_str().unwrap()), stored);
    let module_hex = out["digest"]
        .as_str()
        .unwrap()
        .strip_prefix("sha256:")
        .unwrap();
    assert!(reg.join("blobs/sha256").join(module_hex).is_file());

    let entry = &index(&reg)["versions"][0];
    assert_eq!(entry["digest"], out["digest"]);
    assert_eq!(
        entry["glue"],
        serde_json::json!({ "digest": glue_digest, "size": glue_bytes.len() })
    );

    // A raw module's entry has no `glue` at all.
    let raw = module(dir.path(), "counter.wasm", &counter(""));
    let mut args = publish_args(&raw, "counter", "1.0.0", To::Registry(&reg));
    args.push("--json".into());
    assert_eq!(hotswap(&args).code, 0);
    let text = std::fs::read_to_string(reg.join("packages/counter/index.json")).unwrap();
    assert!(!text.contains("glue"), "{text}");
}

#[test]
fn a_wasm_bindgen_module_without_glue_is_refused_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let (wasm, _) = bindgen_output(dir.path(), "87482a37f0854b09", "");
    let mut args = publish_args(&wasm, "notes", "1.0.0", To::Registry(&reg));
    args.push("--json".into());
    let names = ["notes_bg.wasm", "wasm-bindgen module", "--glue"];
    assert_refused(&hotswap(&args), "INVALID_GUEST", &names, &reg);
    assert!(!reg.join("packages/notes/index.json").exists());
}

#[test]
fn glue_with_a_raw_module_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let (_, js) = bindgen_output(dir.path(), "87482a37f0854b09", "");
    let raw = module(dir.path(), "counter.wasm", &counter(""));
    let run = publish_glue(&raw, &js, "1.0.0", &reg);
    let names = [
        "counter.wasm",
        "--glue",
        "notes.js",
        "not a wasm-bindgen module",
    ];
    assert_refused(&run, "INVALID_GUEST", &names, &reg);
}

#[test]
fn glue_that_is_not_text_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let (wasm, _) = bindgen_output(dir.path(), "87482a37f0854b09", "");
    let binary = common::write(dir.path(), "notes.js", b"// \xff\xfe not UTF-8");
    let run = publish_glue(&wasm, &binary, "1.0.0", &reg);
    let error = assert_refused(&run, "INVALID_GLUE", &["notes.js", "UTF-8"], &reg);
    assert_eq!(error["offset"], 3);
}

#[test]
fn inspect_says_a_module_is_a_wasm_bindgen_guest() {
    let dir = tempfile::tempdir().unwrap();
    let (wasm, _) = bindgen_output(dir.path(), "87482a37f0854b09", "");
    let json = hotswap(&["inspect".as_ref(), wasm.as_os_str(), "--json".as_ref()]).json();
    assert_eq!(json["kind"], "wasm-bindgen");
    assert_eq!(json["guest"]["kind"], "stateless");
    let text = hotswap(&["inspect".as_ref(), wasm.as_os_str()]);
    assert_eq!(text.code, 0);
    assert!(
        text.stdout.contains("wasm-bindgen guest"),
        "{}",
        text.stdout
    );

    let raw = module(dir.path(), "counter.wasm", &counter(""));
    let json = hotswap(&["inspect".as_ref(), raw.as_os_str(), "--json".as_ref()]).json();
    assert_eq!(json["kind"], "raw");
    assert_eq!(json["guest"]["kind"], "stateful");
}

#[test]
fn inspect_with_glue_shows_the_glue_and_refuses_a_pairing_publish_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let (wasm, js) = bindgen_output(dir.path(), "87482a37f0854b09", "");
    let inspect = |module: &Path, glue: &Path| {
        hotswap(&[
            "inspect".as_ref(),
            module.as_os_str(),
            "--glue".as_ref(),
            glue.as_os_str(),
            "--json".as_ref(),
        ])
    };
    let run = inspect(&wasm, &js);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    let bytes = std::fs::read(&js).unwrap();
    assert_eq!(json["glue"]["digest"], Digest::of(&bytes).to_string());
    assert_eq!(json["glue"]["size"], bytes.len());
    assert_eq!(json["glue"]["kind"], "wasm-bindgen");
    assert_eq!(json["kind"], "wasm-bindgen");
    assert_eq!(json["guest"]["kind"], "stateless");

    // wasm-bindgen's glue with a module it did not write: what publish refuses, shown.
    let raw = module(dir.path(), "counter.wasm", &counter(""));
    let run = inspect(&raw, &js);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let guest = &run.json()["guest"];
    assert_eq!(guest["kind"], "invalid");
    let reason = guest["reason"].as_str().unwrap();
    assert!(
        reason.contains("notes.js") && reason.contains("not a wasm-bindgen module"),
        "{reason}"
    );

    // Glue that is not text is refused, as publish refuses it.
    let binary = common::write(dir.path(), "bad.js", b"// \xff\xfe not UTF-8");
    let run = inspect(&wasm, &binary);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "INVALID_GLUE");
}

#[test]
fn a_rebuild_with_renamed_glue_imports_is_no_interface_change() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let v1 = dir.path().join("v1");
    let v2 = dir.path().join("v2");
    std::fs::create_dir_all(&v1).unwrap();
    std::fs::create_dir_all(&v2).unwrap();
    let (wasm1, js1) = bindgen_output(&v1, "87482a37f0854b09", "");
    // Another build: the glue import's hash changed and a glue-internal export appeared.
    let (wasm2, js2) = bindgen_output(
        &v2,
        "3f72c1d6a0b9e854",
        r#"(func (export "__wbindgen_free") (param i32 i32))"#,
    );

    let diff = hotswap(&[
        "diff".as_ref(),
        wasm1.as_os_str(),
        wasm2.as_os_str(),
        "--json".as_ref(),
    ])
    .json();
    assert_eq!(diff["severity"], "none", "{diff}");
    assert_eq!(diff["old"]["kind"], "wasm-bindgen");

    assert_eq!(publish_glue(&wasm1, &js1, "1.0.0", &reg).code, 0);
    let run = publish_glue(&wasm2, &js2, "1.0.1", &reg);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["previous"]["severity"], "none");

    // An export the app reaches, removed: breaking, even for wasm-bindgen.
    let v3 = dir.path().join("v3");
    std::fs::create_dir_all(&v3).unwrap();
    let (wasm3, js3) = bindgen_output(&v3, "3f72c1d6a0b9e854", "");
    let wasm3_text = common::bindgen("3f72c1d6a0b9e854", "").replace(r#"(export "add")"#, "");
    common::module(&v3, "notes_bg.wasm", &wasm3_text);
    let run = publish_glue(&wasm3, &js3, "1.0.2", &reg);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "SEMVER_VIOLATION");
}
