mod common;

use std::path::{Path, PathBuf};

use common::{counter, hotswap, module, publish, publish_args, To};
use wasm_hotswap::digest::Digest;
use wasm_hotswap::inspect::read_interface;

fn index(registry: &Path, name: &str) -> serde_json::Value {
    let path = registry.join("packages").join(name).join("index.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn blob(registry: &Path, digest: &str) -> PathBuf {
    registry
        .join("blobs/sha256")
        .join(digest.strip_prefix("sha256:").unwrap())
}

#[test]
fn publish_stores_the_blob_under_its_digest_and_lists_it_in_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let m = module(dir.path(), "m.wasm", &counter(""));
    let run = publish(&m, "acme/counter", "1.0.0", &reg);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let out = run.json();
    let digest = out["digest"].as_str().unwrap();
    let stored = std::fs::read(blob(&reg, digest)).unwrap();
    assert_eq!(Digest::of(&stored).to_string(), digest);
    assert_eq!(out["size"].as_u64().unwrap(), stored.len() as u64);
    assert_eq!(out["blob_existed"], false);
    assert_eq!(out["previous"], serde_json::Value::Null);

    let index = index(&reg, "acme/counter");
    assert_eq!(index["name"], "acme/counter");
    let entry = &index["versions"][0];
    assert_eq!(entry["version"], "1.0.0");
    assert_eq!(entry["digest"], digest);
    assert_eq!(entry["size"].as_u64().unwrap(), stored.len() as u64);
    assert_eq!(entry["yanked"], false);
    let published = entry["published"].as_str().unwrap();
    assert!(
        published.ends_with('Z') && published.len() == 20,
        "{published}"
    );
    assert!(
        published.parse::<jiff::Timestamp>().is_ok(),
        "RFC 3339: {published}"
    );
}

#[test]
fn publish_writes_a_version_section_the_core_then_reads() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let m = module(dir.path(), "m.wasm", &counter(""));
    let original = std::fs::read(&m).unwrap();
    assert_eq!(read_interface(&original).unwrap().version, None);

    let out = publish(&m, "counter", "1.4.0-rc.1", &reg).json();
    assert_eq!(out["version_section"], "written");
    let stored = std::fs::read(blob(&reg, out["digest"].as_str().unwrap())).unwrap();
    let interface = read_interface(&stored).unwrap();
    assert_eq!(interface.version.unwrap().to_string(), "1.4.0-rc.1");
    assert_eq!(
        interface.exports,
        read_interface(&original).unwrap().exports,
        "only the version section was added"
    );
    assert_eq!(
        std::fs::read(&m).unwrap(),
        original,
        "the input file is not modified"
    );

    let human = hotswap(&[
        "inspect".as_ref(),
        blob(&reg, out["digest"].as_str().unwrap()).as_os_str(),
    ]);
    assert!(
        human.stdout.contains("version  1.4.0-rc.1\n"),
        "{}",
        human.stdout
    );
}

#[test]
fn publish_keeps_a_version_section_that_agrees_and_refuses_one_that_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let m = module(
        dir.path(),
        "m.wasm",
        &counter(r#"(@custom "version" "2.1.0")"#),
    );
    let refused = publish(&m, "counter", "2.2.0", &reg);
    assert_eq!(refused.code, 1);
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "VERSION_MISMATCH");
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("section `version` says 2.1.0"));
    assert!(
        !reg.join("packages").exists(),
        "nothing written on a refusal"
    );

    let out = publish(&m, "counter", "2.1.0", &reg);
    assert_eq!(out.code, 0);
    assert_eq!(out.json()["version_section"], "present");
    let stored = std::fs::read(blob(&reg, out.json()["digest"].as_str().unwrap())).unwrap();
    assert_eq!(stored, std::fs::read(&m).unwrap(), "bytes stored unchanged");
}

#[test]
fn publish_refuses_a_version_not_greater_than_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let m = module(dir.path(), "m.wasm", &counter(""));
    assert_eq!(publish(&m, "counter", "1.2.0", &reg).code, 0);
    for version in ["1.2.0", "1.1.9", "1.2.0-rc.1", "1.2.0+build.2"] {
        let run = publish(&m, "counter", version, &reg);
        assert_eq!(run.code, 1, "{version}");
        assert_eq!(
            run.json()["error"]["code"],
            "VERSION_NOT_GREATER",
            "{version}"
        );
    }
    let human = hotswap(&publish_args(&m, "counter", "1.0.0", To::Registry(&reg)));
    assert_eq!(human.code, 1);
    assert!(
        human
            .stderr
            .contains("error[VERSION_NOT_GREATER]: version 1.0.0 is not greater than 1.2.0"),
        "{}",
        human.stderr
    );
    assert_eq!(
        index(&reg, "counter")["versions"].as_array().unwrap().len(),
        1
    );
}

#[test]
fn publish_refuses_a_bump_too_small_for_the_change_naming_the_items() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let v1 = module(
        dir.path(),
        "v1.wasm",
        &counter(r#"(func (export "get") (result i32) (i32.const 0))"#),
    );
    assert_eq!(publish(&v1, "counter", "1.0.0", &reg).code, 0);

    let v2 = module(
        dir.path(),
        "v2.wasm",
        &counter(r#"(func (export "reset"))"#),
    );
    let run = publish(&v2, "counter", "1.1.0", &reg);
    assert_eq!(run.code, 1);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "SEMVER_VIOLATION");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("1.0.0 => 1.1.0 is a minor bump"),
        "{message}"
    );
    assert!(message.contains("needs major"), "{message}");
    assert!(
        message.contains("smallest version it allows is 2.0.0"),
        "{message}"
    );
    assert_eq!(
        error["items"],
        serde_json::json!(["breaking (major): export `get` (function () -> i32) was removed"]),
        "names the breaking item only: the addition needs no more than minor"
    );

    let human = hotswap(&publish_args(&v2, "counter", "1.0.1", To::Registry(&reg)));
    assert_eq!(human.code, 1);
    assert!(human.stderr.contains("export `get`"), "{}", human.stderr);
    assert!(
        human.stderr.contains("export `reset`"),
        "the addition needs minor: {}",
        human.stderr
    );

    let ok = publish(&v2, "counter", "2.0.0", &reg);
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert_eq!(ok.json()["previous"]["severity"], "breaking");
    assert_eq!(ok.json()["previous"]["declared"], "major");
}

#[test]
fn publishing_identical_bytes_again_under_a_new_allowed_version_works() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let m = module(dir.path(), "m.wasm", &counter(""));
    let first = publish(&m, "counter", "1.0.0", &reg).json();
    let second = publish(&m, "counter", "1.0.1", &reg);
    assert_eq!(second.code, 0, "{}", second.stdout);
    let second = second.json();
    assert_eq!(second["previous"]["severity"], "none");
    assert_ne!(
        first["digest"], second["digest"],
        "each version's section differs"
    );
    let versions: Vec<String> = index(&reg, "counter")["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(versions, ["1.0.0", "1.0.1"]);
}

#[test]
fn the_same_versioned_bytes_under_two_names_share_one_blob() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let m = module(
        dir.path(),
        "m.wasm",
        &counter(r#"(@custom "version" "3.0.0")"#),
    );
    let a = publish(&m, "a", "3.0.0", &reg).json();
    let b = publish(&m, "b", "3.0.0", &reg).json();
    assert_eq!(a["digest"], b["digest"]);
    assert_eq!(a["blob_existed"], false);
    assert_eq!(b["blob_existed"], true);
    assert_eq!(
        std::fs::read_dir(reg.join("blobs/sha256")).unwrap().count(),
        1
    );
}

#[test]
fn the_index_is_sorted_by_semver_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let m = module(dir.path(), "m.wasm", &counter(""));
    for v in ["0.9.0", "0.9.1", "1.0.0-rc.1", "1.0.0", "1.10.0", "2.0.0"] {
        assert_eq!(publish(&m, "counter", v, &reg).code, 0, "{v}");
    }
    let index: serde_json::Value = index(&reg, "counter");
    let versions: Vec<&str> = index["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(
        versions,
        ["0.9.0", "0.9.1", "1.0.0-rc.1", "1.0.0", "1.10.0", "2.0.0"]
    );
}

#[test]
fn bad_package_names_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let m = module(dir.path(), "m.wasm", &counter(""));
    for name in ["Counter", "a/b/c", "-x", "x-", "", "../x", "a b", "ns/"] {
        let run = hotswap(&publish_args(&m, name, "1.0.0", To::Registry(&reg)));
        assert_eq!(run.code, 64, "{name:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("package name"),
            "{name:?}: {}",
            run.stderr
        );
    }
    assert!(!reg.exists(), "nothing written");
}

#[test]
fn an_invalid_guest_is_not_published() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let m = module(
        dir.path(),
        "half.wasm",
        r#"(module (memory (export "memory") 1) (func (export "load_state") (param i32 i32) (result i32) (i32.const 0)))"#,
    );
    let run = publish(&m, "counter", "1.0.0", &reg);
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["error"]["code"], "INVALID_GUEST");
    assert!(!reg.exists());
}

#[test]
fn a_corrupt_index_is_invalid_input_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let m = module(dir.path(), "m.wasm", &counter(""));
    let path = reg.join("packages/counter/index.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "{not json").unwrap();
    let run = publish(&m, "counter", "1.0.0", &reg);
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["error"]["code"], "REGISTRY_CORRUPT");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{not json");
}

#[test]
fn publish_next_takes_the_dev_rule_and_skips_a_module_equal_to_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let next = |m: &Path| {
        let mut args: Vec<std::ffi::OsString> = vec!["publish".into(), m.into()];
        args.extend(["--name", "acme/counter", "--next", "--json", "--registry"].map(Into::into));
        args.push(reg.clone().into());
        let run = hotswap(&args);
        assert_eq!(run.code, 0, "{}", run.stdout);
        run.json()
    };
    let m = module(dir.path(), "m.wasm", &counter(""));
    assert_eq!(
        next(&m)["version"],
        "0.1.0",
        "no version section: the first is 0.1.0"
    );
    let again = next(&m);
    assert_eq!(
        (again["version"].as_str(), again["unchanged"].as_bool()),
        (Some("0.1.0"), Some(true))
    );
    let added = module(
        dir.path(),
        "m2.wasm",
        &counter(r#"(func (export "reset"))"#),
    );
    assert_eq!(
        next(&added)["version"],
        "0.1.1",
        "an added export, with 0.x's shift"
    );
    assert_eq!(
        index(&reg, "acme/counter")["versions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let both = hotswap(&[
        "publish",
        "m.wasm",
        "--name",
        "x",
        "--next",
        "--version",
        "1.0.0",
        "--registry",
        "r",
    ]);
    assert_eq!(both.code, 64, "--next and --version together");
    let oci = hotswap(&[
        "publish",
        "m.wasm",
        "--name",
        "x",
        "--next",
        "--oci",
        "http://127.0.0.1:1/x",
    ]);
    assert_eq!(oci.code, 64, "--next with --oci");
}
