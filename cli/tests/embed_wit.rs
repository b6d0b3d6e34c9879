//! `hotswap embed-wit`: a world from a `.wit` file goes into the module, and `inspect` reads it.

mod common;

use common::*;

const WORLD: &str = "package example:counter@1.0.0;
world counter {
    export increment: func(by: s32) -> s32;
}";

#[test]
fn an_embedded_world_is_what_inspect_then_reads() {
    let dir = tempfile::tempdir().unwrap();
    let module = module(dir.path(), "m.wasm", &counter(""));
    let wit = write(dir.path(), "world.wit", WORLD.as_bytes());
    let out = dir.path().join("out.wasm");
    let run = hotswap(&[
        "embed-wit".as_ref(),
        module.as_os_str(),
        "--wit".as_ref(),
        wit.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["world"], "counter");
    assert_eq!(run.json()["package"], "example:counter@1.0.0");

    let inspected = hotswap(&["inspect".as_ref(), out.as_os_str(), "--json".as_ref()]);
    assert_eq!(inspected.code, 0, "{}", inspected.stderr);
    assert_eq!(inspected.json()["wit"]["world"]["name"], "counter");
}

#[test]
fn wit_that_does_not_parse_is_invalid_input_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let module = module(dir.path(), "m.wasm", &counter(""));
    let wit = write(dir.path(), "world.wit", b"world {");
    let out = dir.path().join("out.wasm");
    let run = hotswap(&[
        "embed-wit".as_ref(),
        module.as_os_str(),
        "--wit".as_ref(),
        wit.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "INVALID_OPTIONS");
    assert!(!out.exists());
}
