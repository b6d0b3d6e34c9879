//! Components: `publish` transpiles them with jco (`node_modules/.bin/jco`, found upward from
//! the crate) and stores the component, its JS and every core module; the WIT change is
//! held to the bump; `inspect` and `diff` read them. Components are built here from WAT and
//! WIT ([`common::component`]).

mod common;

use std::path::Path;
use std::process::Command;

use common::{component, hotswap, publish, write, Run};
use wasm_hotswap::digest::Digest;
use wasmparser::{Encoding, Parser, Payload};

fn blob(registry: &Path, digest: &str) -> Vec<u8> {
    let hex = digest.strip_prefix("sha256:").expect("a sha256 digest");
    let bytes = std::fs::read(registry.join("blobs/sha256").join(hex)).unwrap();
    assert_eq!(
        Digest::of(&bytes).to_string(),
        digest,
        "the blob has its digest"
    );
    bytes
}

fn encoding(bytes: &[u8]) -> Encoding {
    match Parser::new(0).parse_all(bytes).next() {
        Some(Ok(Payload::Version { encoding, .. })) => encoding,
        other => panic!("not wasm: {other:?}"),
    }
}

/// `hotswap publish FILE --name counter --next --json --registry REGISTRY`, with `extra`.
fn publish_next(file: &Path, registry: &Path, extra: &[&std::ffi::OsStr]) -> Run {
    let mut args: Vec<&std::ffi::OsStr> = vec!["publish".as_ref(), file.as_os_str()];
    args.extend(extra);
    args.extend(["--name", "counter", "--next", "--json", "--registry"].map(std::ffi::OsStr::new));
    args.push(registry.as_os_str());
    hotswap(&args)
}

/// The `version` section at the component's top level.
fn top_level_version(bytes: &[u8]) -> Option<String> {
    hotswap_cli::component::top_level_version(bytes)
        .unwrap()
        .map(|v| v.to_string())
}

fn index(registry: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(registry.join("packages/counter/index.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn publishing_a_component_stores_it_its_jco_js_and_every_core_module_the_js_asks_for() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("reg");
    let file = write(dir.path(), "counter.component.wasm", &component::v1());
    let run = publish(&file, "counter", "1.0.0", &registry);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["kind"], "component");
    assert_eq!(run.json()["version_section"], "written");

    let entry = &index(&registry)["versions"][0];
    let stored = blob(&registry, entry["digest"].as_str().unwrap());
    assert_eq!(encoding(&stored), Encoding::Component);
    assert_eq!(entry["size"], stored.len());
    assert_eq!(
        top_level_version(&stored).as_deref(),
        Some("1.0.0"),
        "the version section is the component's own"
    );

    assert_eq!(entry["glue"]["kind"], "jco");
    let js = blob(&registry, entry["glue"]["digest"].as_str().unwrap());
    assert_eq!(entry["glue"]["size"], js.len());
    let js = String::from_utf8(js).unwrap();
    assert!(
        js.contains("export function instantiate("),
        "async instantiation"
    );
    let asked = hotswap_cli::jco::core_module_names(&js);
    assert!(
        asked.contains(&"counter.core.wasm".to_string()),
        "{asked:?}"
    );

    let cores = entry["cores"].as_array().unwrap();
    let names: Vec<&str> = cores.iter().map(|c| c["name"].as_str().unwrap()).collect();
    for name in &asked {
        assert!(names.contains(&name.as_str()), "{name} is not in {names:?}");
    }
    assert_eq!(names.len(), asked.len(), "no core the JS never asks for");
    for core in cores {
        let bytes = blob(&registry, core["digest"].as_str().unwrap());
        assert_eq!(core["size"], bytes.len());
        assert_eq!(encoding(&bytes), Encoding::Module, "{}", core["name"]);
    }
}

#[test]
fn a_compatible_wit_change_publishes_as_a_minor_bump() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("reg");
    let v1 = write(dir.path(), "v1.component.wasm", &component::v1());
    let v2 = write(dir.path(), "v2.component.wasm", &component::v2());
    assert_eq!(publish(&v1, "counter", "1.0.0", &registry).code, 0);
    let run = publish(&v2, "counter", "1.1.0", &registry);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let previous = &run.json()["previous"];
    assert_eq!(previous["severity"], "additive");
    assert_eq!(previous["declared"], "minor");
    assert_eq!(index(&registry)["versions"].as_array().unwrap().len(), 2);
}

#[test]
fn a_breaking_wit_change_with_a_minor_bump_is_refused_naming_the_item() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("reg");
    let v1 = write(dir.path(), "v1.component.wasm", &component::v1());
    let broken = write(dir.path(), "b.component.wasm", &component::breaking());
    assert_eq!(publish(&v1, "counter", "1.0.0", &registry).code, 0);
    let before = index(&registry);

    let run = publish(&broken, "counter", "1.1.0", &registry);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "SEMVER_VIOLATION");
    let items = error["items"].to_string();
    assert!(items.contains("export `add`"), "{items}");
    assert!(items.contains("by: u64"), "{items}");
    assert!(
        error["message"].as_str().unwrap().contains("2.0.0"),
        "{error}"
    );
    assert_eq!(index(&registry), before, "nothing was published");

    assert_eq!(publish(&broken, "counter", "2.0.0", &registry).code, 0);
}

#[test]
fn a_component_whose_version_section_disagrees_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let versioned = component::versioned(&component::v1(), "1.0.0");
    let file = write(dir.path(), "c.component.wasm", &versioned);
    let run = publish(&file, "counter", "1.2.0", &dir.path().join("reg"));
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["error"]["code"], "VERSION_MISMATCH");
    let run = publish(&file, "counter", "1.0.0", &dir.path().join("reg"));
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["version_section"], "present");
}

#[test]
fn glue_given_with_a_component_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "c.component.wasm", &component::v1());
    let js = write(dir.path(), "c.js", b"export {};");
    let reg = dir.path().join("reg");
    let run = hotswap(&[
        "--json".as_ref(),
        "publish".as_ref(),
        file.as_os_str(),
        "--glue".as_ref(),
        js.as_os_str(),
        "--name=counter".as_ref(),
        "--version=1.0.0".as_ref(),
        "--registry".as_ref(),
        reg.as_os_str(),
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["error"]["code"], "INVALID_GUEST");
    assert!(!reg.exists());
}

/// `hotswap --json publish FILE` with `PATH`, `HOTSWAP_JCO` and the current directory set,
/// so that no jco can be found by accident.
fn publish_without_jco(dir: &Path, file: &Path, extra: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_hotswap"))
        .args(["--json", "publish"])
        .arg(file)
        .args(["--name=counter", "--version=1.0.0", "--registry", "reg"])
        .args(extra)
        .current_dir(dir)
        .env("PATH", "")
        .env_remove("HOTSWAP_JCO")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn without_jco_publish_fails_with_jco_not_found_saying_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "c.component.wasm", &component::v1());
    let run = publish_without_jco(dir.path(), &file, &[]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "JCO_NOT_FOUND");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("npm install --save-dev @bytecodealliance/jco"),
        "{message}"
    );
    assert!(
        !dir.path().join("reg/packages").exists(),
        "nothing was published"
    );

    let run = publish_without_jco(dir.path(), &file, &["--jco", "/nonexistent/jco"]);
    assert_eq!(run.json()["error"]["code"], "JCO_NOT_FOUND");
    assert!(run.stdout.contains("/nonexistent/jco"), "{}", run.stdout);
}

#[test]
fn a_failing_jco_is_transpile_failed_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "c.component.wasm", &component::v1());
    let fake = write(
        dir.path(),
        "jco",
        b"#!/bin/sh\necho 'no such component' >&2\nexit 1\n",
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = publish_without_jco(dir.path(), &file, &["--jco", fake.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "TRANSPILE_FAILED");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("c.component.wasm"), "{message}");
    assert!(message.contains("no such component"), "{message}");
}

#[test]
fn inspect_shows_a_component_its_world_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "c.component.wasm", &component::v2());
    let run = hotswap(&["--json".as_ref(), "inspect".as_ref(), file.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["kind"], "component");
    let exports: Vec<(String, String)> = json["exports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().into(),
                e["ty"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(exports.contains(&("add".into(), "func(key: string, by: u32) -> u32".into())));
    assert!(exports.contains(&("remove".into(), "func(key: string) -> bool".into())));
    assert!(exports.contains(&(
        "load-state".into(),
        "func(state: list<u8>) -> result<_, string>".into()
    )));
    let text = json["wit"]["text"].as_str().unwrap();
    assert!(
        text.contains("export remove: func(key: string) -> bool;"),
        "{text}"
    );

    let human = hotswap(&["inspect".as_ref(), file.as_os_str()]).stdout;
    assert!(human.contains("component"), "{human}");
    assert!(human.contains("exports (4)"), "{human}");
}

#[test]
fn diff_of_components_classifies_by_the_semver_check_rules_and_check_fails_on_breaking() {
    let dir = tempfile::tempdir().unwrap();
    let version = |bytes: Vec<u8>, v: &str| component::versioned(&bytes, v);
    let v1 = write(dir.path(), "v1.wasm", &version(component::v1(), "1.0.0"));
    let v2 = write(dir.path(), "v2.wasm", &version(component::v2(), "1.1.0"));
    let broken = write(
        dir.path(),
        "b.wasm",
        &version(component::breaking(), "1.1.0"),
    );
    let diff = |old: &Path, new: &Path| {
        hotswap(&[
            "--json".as_ref(),
            "diff".as_ref(),
            old.as_os_str(),
            new.as_os_str(),
            "--check".as_ref(),
        ])
    };

    let run = diff(&v1, &v2);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["severity"], "additive");
    assert_eq!(json["old"]["kind"], "component");
    assert_eq!(json["changes"]["additive"][0]["item"], "export `remove`");

    let run = diff(&v1, &broken);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["severity"], "breaking");
    assert_eq!(json["changes"]["breaking"][0]["item"], "export `add`");
    assert_eq!(json["smallest_allowed"], "2.0.0");
    assert_eq!(json["check"]["passed"], false);

    let run = diff(&v2, &v1);
    assert_eq!(
        run.json()["changes"]["breaking"][0]["item"],
        "export `remove`"
    );

    let module = write(dir.path(), "m.wasm", &common::wasm("(module)"));
    let run = diff(&module, &v1);
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["error"]["code"], "KIND_MISMATCH");
}

#[test]
fn a_component_publish_interrupted_before_the_index_leaves_the_previous_index_and_a_retry_completes(
) {
    use hotswap_cli::component::Component;
    use hotswap_cli::registry::publish::FailPoint;
    use hotswap_cli::registry::publish_component::{publish, Request};
    use hotswap_cli::registry::Registry;

    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("reg");
    let request = |bytes: Vec<u8>, version: &str| Request {
        component: Component::from_bytes(Path::new("c.component.wasm"), bytes).unwrap(),
        name: "counter".parse().unwrap(),
        version: version.parse().unwrap(),
        registry: Registry::at(&registry),
        jco: None,
    };
    publish(&request(component::v1(), "1.0.0"), None).unwrap();
    let before = index(&registry);
    for fail_at in [FailPoint::AfterBlob, FailPoint::BeforeIndexRename] {
        let failed = publish(&request(component::v2(), "1.1.0"), Some(fail_at)).unwrap_err();
        assert_eq!(failed.code, "IO_ERROR", "{fail_at:?}");
        assert_eq!(index(&registry), before, "{fail_at:?}");
    }
    let done = publish(&request(component::v2(), "1.1.0"), None).unwrap();
    assert!(
        done.blob_existed,
        "the interrupted publish's blob is reused"
    );
    assert!(done.glue.blob_existed && done.cores.iter().all(|c| c.blob_existed));
    let versions = index(&registry)["versions"].as_array().unwrap().len();
    assert_eq!(versions, 2);
}

#[test]
fn publish_next_of_a_component_takes_the_dev_rule_replaces_its_version_and_skips_an_equal_one() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("reg");
    let next = |file: &Path| publish_next(file, &registry, &[]);
    // The build's own version, a prerelease: the first dev version is its release.
    let own = component::versioned(&component::v1(), "3.0.0-dev.4");
    let v1 = write(dir.path(), "v1.component.wasm", &own);
    let first = next(&v1);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert_eq!(first.json()["kind"], "component");
    assert_eq!(first.json()["version"], "3.0.0");
    let entry = &index(&registry)["versions"][0];
    assert_eq!(entry["glue"]["kind"], "jco");
    let stored = blob(&registry, entry["digest"].as_str().unwrap());
    assert_eq!(
        top_level_version(&stored).as_deref(),
        Some("3.0.0"),
        "the build's version section is replaced by the published one"
    );

    let again = next(&v1).json();
    assert_eq!(
        (again["version"].as_str(), again["unchanged"].as_bool()),
        (Some("3.0.0"), Some(true)),
        "{again}"
    );

    let v2 = write(dir.path(), "v2.component.wasm", &component::v2());
    let added = next(&v2).json();
    assert_eq!(added["version"], "3.1.0", "an export added: {added}");
    assert_eq!(added["previous"]["severity"], "additive");

    let broken = write(dir.path(), "b.component.wasm", &component::breaking());
    let breaking = next(&broken).json();
    assert_eq!(breaking["version"], "4.0.0", "`add` changed: {breaking}");
    assert_eq!(index(&registry)["versions"].as_array().unwrap().len(), 3);

    let glued = publish_next(&broken, &registry, &["--glue".as_ref(), v1.as_os_str()]);
    assert_eq!(glued.code, 2, "{}", glued.stdout);
    assert_eq!(glued.json()["error"]["code"], "INVALID_GUEST");
}

#[test]
fn publish_next_of_a_component_after_a_core_module_is_a_major_version() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("reg");
    let module = common::module(dir.path(), "m.wasm", &common::counter(""));
    assert_eq!(publish(&module, "counter", "1.4.0", &registry).code, 0);
    let file = write(dir.path(), "c.component.wasm", &component::v1());
    let run = publish_next(&file, &registry, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.json()["version"],
        "2.0.0",
        "a component is not a drop-in module"
    );
}
