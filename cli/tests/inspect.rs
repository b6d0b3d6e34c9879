mod common;

use common::{counter, hotswap, module};
use wasm_hotswap::digest::Digest;
use wasm_hotswap::wit::embed_world;

const WORLD: &str = "package example:counter@1.2.0;
world counter { export increment: func(by: u32) -> u32; }";

#[test]
fn inspect_shows_version_digest_guest_metadata_wit_and_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = common::wasm(&counter(
        r#"(@custom "version" "1.2.0") (@custom "description" "a counter")"#,
    ));
    let bytes = embed_world(&bytes, WORLD, None).unwrap();
    let path = common::write(dir.path(), "counter.wasm", &bytes);
    let digest = Digest::of(&std::fs::read(&path).unwrap()).to_string();
    let run = hotswap(&["inspect".as_ref(), path.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = run.stdout;
    for expected in [
        "version      1.2.0\n",
        &format!("digest       {digest}\n"),
        "guest        stateful\n",
        "description  a counter\n",
        "wit          world counter in example:counter@1.2.0, from\n             component-type (",
        "wit exports (1)\n  increment  function func(by: u32) -> u32\n",
        "imports (1)\n  env.log  function (i32) -> ()\n",
        "  increment    function (i32) -> i32\n",
        "  memory       memory 1.. pages\n",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}

#[test]
fn inspect_json_has_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = module(
        dir.path(),
        "m.wasm",
        &counter(r#"(@custom "version" "0.3.1")"#),
    );
    let run = hotswap(&["inspect".as_ref(), "--json".as_ref(), path.as_os_str()]);
    assert_eq!(run.code, 0);
    let json = run.json();
    assert_eq!(json["version"], "0.3.1");
    assert_eq!(json["guest"]["kind"], "stateful");
    assert_eq!(
        json["size"].as_u64().unwrap(),
        std::fs::metadata(&path).unwrap().len()
    );
    assert!(json["digest"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(json["imports"][0]["module"], "env");
    assert_eq!(json["imports"][0]["kind"], "func");
    let increment = json["exports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "increment")
        .unwrap();
    assert_eq!(increment["params"], serde_json::json!(["i32"]));
    assert_eq!(increment["results"], serde_json::json!(["i32"]));
    assert_eq!(json["wit"]["sections"], serde_json::json!([]));
}

#[test]
fn inspect_reports_a_guest_that_breaks_the_contract_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = module(
        dir.path(),
        "half.wasm",
        r#"(module (memory (export "memory") 1) (func (export "save_state") (result i32) (i32.const 0)))"#,
    );
    let run = hotswap(&["inspect".as_ref(), "--json".as_ref(), path.as_os_str()]);
    assert_eq!(run.code, 0, "an invalid guest is still inspectable");
    let json = run.json();
    assert_eq!(json["guest"]["kind"], "invalid");
    assert!(json["guest"]["reason"]
        .as_str()
        .unwrap()
        .contains("not `alloc_state`"));
    assert_eq!(json["version"], serde_json::Value::Null);

    let human = hotswap(&["inspect".as_ref(), path.as_os_str()]).stdout;
    assert!(
        human.contains("guest    invalid: invalid guest:"),
        "{human}"
    );
    assert!(
        human.contains("version  none (no `version` section)"),
        "{human}"
    );
}

#[test]
fn inspect_of_a_stateless_module_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = module(dir.path(), "s.wasm", r#"(module (func (export "f")))"#);
    let run = hotswap(&["inspect".as_ref(), "--json".as_ref(), path.as_os_str()]);
    assert_eq!(run.json()["guest"]["kind"], "stateless");
}

#[test]
fn inspect_of_a_missing_file_is_an_io_error() {
    let run = hotswap(&["inspect", "/nonexistent/m.wasm"]);
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("error[IO_ERROR]"), "{}", run.stderr);
    let run = hotswap(&["inspect", "--json", "/nonexistent/m.wasm"]);
    assert_eq!(run.code, 3);
    assert_eq!(run.json()["error"]["code"], "IO_ERROR");
}

#[test]
fn inspect_json_decodes_the_wit_world() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = embed_world(&common::wasm(&counter("")), WORLD, None).unwrap();
    let path = common::write(dir.path(), "m.wasm", &bytes);
    let json = hotswap(&["inspect".as_ref(), "--json".as_ref(), path.as_os_str()]).json();
    let world = &json["wit"]["world"];
    assert_eq!(world["name"], "counter");
    assert_eq!(world["package"], "example:counter@1.2.0");
    assert_eq!(world["exports"][0]["name"], "increment");
    assert_eq!(json["wit"]["sections"][0]["name"], "component-type");
}

#[test]
fn a_component_type_section_that_does_not_decode_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = module(
        dir.path(),
        "m.wasm",
        &counter(r#"(@custom "component-type:bogus" "abcd")"#),
    );
    let run = hotswap(&["inspect".as_ref(), "--json".as_ref(), path.as_os_str()]);
    assert_eq!(run.code, 2);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "INVALID_MODULE");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("component-type:bogus"),
        "{error}"
    );
    assert!(error["offset"].is_u64(), "{error}");
}
