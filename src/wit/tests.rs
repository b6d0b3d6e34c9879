//! Native tests of the WIT stage. Fixtures are built at test time: WAT for the module, then
//! [`embed_world`] (or wit-component's encoder) for its `component-type` section.

use std::borrow::Cow;

use super::*;
use crate::error::Error;

const COUNTER: &str = "package example:counter@1.0.0;
world counter {
    export increment: func(by: u32) -> u32;
}";

fn module() -> Vec<u8> {
    wat::parse_str(r#"(module (func (export "increment") (param i32) (result i32) local.get 0))"#)
        .unwrap()
}

fn module_with(wit: &str) -> Vec<u8> {
    embed_world(&module(), wit, None).unwrap()
}

fn world_of(wit: &str) -> ModuleWorld {
    module_world(&module_with(wit)).unwrap().unwrap()
}

/// The problems of a failed check, or a panic if it passed or failed otherwise.
fn problems(module_wit: &str, host_wit: &str) -> Vec<String> {
    match check_world(&world_of(module_wit), host_wit, None) {
        Err(Error::IncompatibleInterface { problems }) => problems,
        other => panic!("expected INCOMPATIBLE_INTERFACE, got {other:?}"),
    }
}

/// `data` as a custom section named `name` appended to `module`.
fn with_section(module: &[u8], name: &str, data: &[u8]) -> Vec<u8> {
    let mut bytes = module.to_vec();
    let section = wasm_encoder::CustomSection {
        name: name.into(),
        data: Cow::Borrowed(data),
    };
    bytes.push(wasm_encoder::Section::id(&section));
    wasm_encoder::Encode::encode(&section, &mut bytes);
    bytes
}

/// The encoded world, as wit-bindgen would write it into its section.
fn encoded(wit: &str) -> Vec<u8> {
    let (resolve, world) = section::parse_wit(wit, None, "wit").unwrap();
    wit_component::metadata::encode(
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
        None,
        false,
    )
    .unwrap()
}

/// The reason and offset of an `INVALID_MODULE` (`error`: a call's `.err()`); anything else
/// fails the test, naming what came instead.
fn invalid_module(error: Option<Error>) -> (String, Option<u64>) {
    match error {
        Some(Error::InvalidModule { reason, offset }) => (reason, offset),
        other => panic!("expected INVALID_MODULE, got {other:?}"),
    }
}

fn custom_sections(bytes: &[u8]) -> Vec<(String, u64)> {
    wasmparser::Parser::new(0)
        .parse_all(bytes)
        .filter_map(|p| match p.unwrap() {
            wasmparser::Payload::CustomSection(s) => Some((s.name().to_string(), s.range().start)),
            _ => None,
        })
        .collect()
}

#[test]
fn embedded_world_reads_back_with_its_name_package_and_typed_exports() {
    let world = world_of(COUNTER);
    assert_eq!(world.name(), "counter");
    assert_eq!(world.package(), "example:counter@1.0.0");
    assert_eq!(
        world.exports(),
        vec![WitItem {
            name: "increment".into(),
            kind: "function",
            ty: "func(by: u32) -> u32".into(),
        }]
    );
    assert!(world.imports().is_empty());
}

#[test]
fn embedding_keeps_the_module_and_adds_one_component_type_section() {
    let bytes = module_with(COUNTER);
    assert!(bytes.starts_with(&module()));
    assert_eq!(custom_sections(&bytes).len(), 1);
    assert_eq!(custom_sections(&bytes)[0].0, SECTION_PREFIX);
    wasmparser::Validator::new().validate_all(&bytes).unwrap();
}

#[test]
fn embedding_again_replaces_the_world() {
    let other = COUNTER.replace("increment", "decrement");
    let bytes = embed_world(&module_with(COUNTER), &other, None).unwrap();
    assert_eq!(custom_sections(&bytes).len(), 1);
    let world = module_world(&bytes).unwrap().unwrap();
    assert_eq!(world.exports()[0].name, "decrement");
}

#[test]
fn embedding_picks_the_named_world() {
    let wit = "package example:two; world a { export f: func(); } world b { export g: func(); }";
    let world = module_world(&embed_world(&module(), wit, Some("b")).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(world.name(), "b");
    let err = embed_world(&module(), wit, None).unwrap_err();
    assert!(
        matches!(err, Error::InvalidOptions { option: "wit", .. }),
        "{err}"
    );
}

#[test]
fn module_without_a_component_type_section_has_no_world() {
    assert!(module_world(&module()).unwrap().is_none());
}

#[test]
fn wit_bindgen_section_name_is_read() {
    let name = "component-type:wit-bindgen:0.41.0:example:counter@1.0.0:counter:encoded world";
    let bytes = with_section(&module(), name, &encoded(COUNTER));
    assert_eq!(module_world(&bytes).unwrap().unwrap().name(), "counter");
}

#[test]
fn several_sections_merge_into_one_world() {
    let first = with_section(&module(), "component-type:a", &encoded(COUNTER));
    let reset = "package example:reset; world reset { export reset: func(); }";
    let bytes = with_section(&first, "component-type:b", &encoded(reset));
    let world = module_world(&bytes).unwrap().unwrap();
    assert_eq!(world.name(), "counter");
    let names: Vec<String> = world.exports().into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["increment", "reset"]);
}

#[test]
fn malformed_section_is_invalid_module_naming_the_section_with_its_offset() {
    let bytes = with_section(&module(), "component-type", b"not a component");
    let data_offset = custom_sections(&bytes)[0].1 + 1 + "component-type".len() as u64;
    match module_world(&bytes).unwrap_err() {
        err @ Error::InvalidModule { .. } => {
            assert_eq!(err.code(), "INVALID_MODULE");
            let Error::InvalidModule { reason, offset } = &err else {
                unreachable!()
            };
            assert!(reason.contains("section `component-type`"), "{reason}");
            assert_eq!(*offset, Some(data_offset), "{err}");
        }
        other => panic!("expected INVALID_MODULE, got {other:?}"),
    }
}

#[test]
fn truncated_section_points_inside_the_section() {
    let data = encoded(COUNTER);
    let bytes = with_section(&module(), "component-type", &data[..data.len() - 3]);
    let start = custom_sections(&bytes)[0].1;
    let (_, offset) = invalid_module(module_world(&bytes).err());
    let at = offset.expect("an offset");
    assert!(at > start && at <= bytes.len() as u64, "{at}");
}

/// Found by the `inspect_diff` fuzz target: wit-parser reads a component through `io::Read`
/// and reserves what each piece declares before reading it, so a nested module's function body
/// claiming 4 GiB in a 45-byte component made it allocate 4 GiB (in a browser, an abort of
/// the runtime). The sizes are checked against the bytes first.
#[test]
fn a_nested_function_body_claiming_more_bytes_than_there_are_is_invalid_without_allocating_them() {
    let mut core = b"\0asm\x01\0\0\0".to_vec();
    core.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type section: func()
    core.extend_from_slice(&[3, 2, 1, 0]); // function section: one function
    core.extend_from_slice(&[10, 6, 1]); // code section: one body,
    core.extend_from_slice(&[0xf0, 0xff, 0xff, 0xff, 0x0f]); // of 0xffff_fff0 bytes
    let mut component = b"\0asm\x0d\0\x01\0".to_vec();
    component.extend_from_slice(&[1, core.len() as u8]); // a core module section
    component.extend_from_slice(&core);
    for result in [
        component_world(&component).err(),
        module_world(&component).err(),
    ] {
        assert!(invalid_module(result).1.is_some(), "an offset");
    }
}

/// Found by the `wit` fuzz target: wit-parser's `decode_world` asserts (`assert_eq!`, a
/// panic) that the component type a `component-type` section exports has no imports and one
/// export. A type with an import is refused, naming the export, instead.
#[test]
fn a_world_encoding_whose_component_type_has_imports_is_invalid_not_a_panic() {
    let encoding = wat::parse_str(
        r#"(component
            (type $w (component
              (import "f" (func))
              (export "a:b/w" (component))))
            (export "w" (type $w)))"#,
    )
    .unwrap();
    let bytes = with_section(&module(), "component-type", &encoding);
    let (reason, offset) = invalid_module(module_world(&bytes).err());
    assert!(offset.is_some(), "an offset");
    assert!(
        reason.contains("export `w`") && reason.contains("has 1 imports and 1 exports"),
        "{reason}"
    );
}

/// Found by the `wit` fuzz target: a code section running past the end of the module made
/// `embed_world` slice past the end of the bytes and panic.
#[test]
fn embedding_into_a_module_whose_section_runs_past_its_end_is_invalid() {
    let mut bytes = module();
    let code = bytes.len() - 8; // the code section: id 10, size 6, one 5-byte body
    assert_eq!(bytes[code], 10);
    bytes[code + 1] += 4;
    let (_, offset) = invalid_module(embed_world(&bytes, COUNTER, None).err());
    assert!(offset.is_some(), "an offset");
}

/// The module is read before the WIT text (the cheaper refusal, and what the `wit` fuzz
/// target spends most of its inputs on): bad bytes with bad text are refused for the bytes,
/// and the text's error still comes for a good module.
#[test]
fn embedding_bad_wit_into_bytes_that_are_not_a_module_is_refused_for_the_bytes() {
    let (_, offset) = invalid_module(embed_world(b"\0asm\x01\0\0\0\x01", "not wit", None).err());
    assert!(offset.is_some(), "an offset");
    match embed_world(&module(), "not wit", None) {
        Err(Error::InvalidOptions { option: "wit", .. }) => {}
        other => panic!("expected INVALID_OPTIONS for `wit`, got {other:?}"),
    }
}

#[test]
fn a_components_world_is_its_type_and_embedding_into_one_is_unsupported() {
    let component = wat::parse_str(
        r#"(component
            (import "wasi:cli/environment@0.2.0" (instance))
            (core module $m (func (export "f") (param i32) (result i32) local.get 0))
            (core instance $i (instantiate $m))
            (func (export "increment") (param "by" u32) (result u32)
              (canon lift (core func $i "f"))))"#,
    )
    .unwrap();
    let world = module_world(&component).unwrap().unwrap();
    let exports: Vec<_> = world.exports().into_iter().map(|e| e.name).collect();
    assert_eq!(exports, ["increment"]);
    // A component keeps no package name for its world: it satisfies the host's in any package;
    // its imports (WASI's, here) are the imports object's to provide, not the host's world's.
    check_world(&world, COUNTER, None).unwrap();
    let err = check_world(
        &world,
        "package example:counter; world counter { export increment: func(by: u64) -> u64; }",
        None,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("export `increment` has type"),
        "{err}"
    );
    assert_eq!(
        embed_world(&component, COUNTER, None).unwrap_err(),
        Error::UnsupportedComponent
    );
}

#[test]
fn bytes_that_are_not_a_module_are_invalid_module() {
    let (reason, offset) = invalid_module(module_world(b"\0asm\x01\0\0\0\x01\xff").err());
    assert!(offset.is_some(), "{reason}");
}

#[test]
fn same_world_passes() {
    check_world(&world_of(COUNTER), COUNTER, None).unwrap();
}

#[test]
fn added_export_passes() {
    let module = COUNTER.replace("}", "    export reset: func();\n}");
    check_world(&world_of(&module), COUNTER, Some("counter")).unwrap();
}

#[test]
fn package_versions_are_ignored() {
    let host = COUNTER.replace("@1.0.0", "@2.3.0");
    check_world(&world_of(COUNTER), &host, None).unwrap();
    let unversioned = COUNTER.replace("@1.0.0", "");
    check_world(&world_of(COUNTER), &unversioned, None).unwrap();
}

#[test]
fn world_name_does_not_matter() {
    let host = COUNTER.replace("world counter", "world app");
    check_world(&world_of(COUNTER), &host, None).unwrap();
}

#[test]
fn removed_export_fails_naming_it() {
    let host = COUNTER.replace("}", "    export reset: func();\n}");
    assert_eq!(
        problems(COUNTER, &host),
        ["world `counter`: export `reset` is missing"]
    );
}

#[test]
fn changed_signature_fails_naming_the_export_and_both_types() {
    let module = COUNTER.replace("-> u32", "-> u64");
    assert_eq!(
        problems(&module, COUNTER),
        ["world `counter`: export `increment` has type `func(by: u32) -> u64`, expected `func(by: u32) -> u32`"]
    );
}

#[test]
fn renamed_parameter_fails() {
    let module = COUNTER.replace("by: u32", "step: u32");
    assert_eq!(
        problems(&module, COUNTER),
        ["world `counter`: export `increment` has type `func(step: u32) -> u32`, expected `func(by: u32) -> u32`"]
    );
}

const STORE: &str = "package example:counter@1.0.0;
interface store {
    record entry { key: string, value: u32 }
    get: func(key: string) -> option<entry>;
}
world counter {
    export increment: func(by: u32) -> u32;
    export store;
}";

#[test]
fn missing_interface_fails_naming_it() {
    assert_eq!(
        problems(COUNTER, STORE),
        ["world `counter`: export `example:counter/store` is missing"]
    );
}

#[test]
fn exported_interface_may_grow_but_not_change() {
    let grown = STORE.replace("get: func", "put: func(e: entry);\n    get: func");
    check_world(&world_of(&grown), STORE, None).unwrap();

    let changed = STORE.replace("value: u32", "value: u64");
    let found = problems(&changed, STORE);
    assert!(
        found.contains(
            &"world `counter`: export `example:counter/store`: type `entry` has type `record { key: string, value: u64 }`, expected `record { key: string, value: u32 }`".to_string()
        ),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.starts_with(
            "world `counter`: export `example:counter/store`: function `get` has type"
        )),
        "{found:?}"
    );

    let removed = STORE.replace("get: func(key: string) -> option<entry>;", "");
    assert_eq!(
        problems(&removed, STORE),
        ["world `counter`: export `example:counter/store`: function `get` is missing"]
    );
}

const LOGGING: &str = "package example:counter@1.0.0;
world counter {
    import log: func(msg: string);
    export increment: func(by: u32) -> u32;
}";

#[test]
fn import_the_host_does_not_provide_fails_naming_it() {
    assert_eq!(
        problems(LOGGING, COUNTER),
        ["world `counter`: import `log` is not provided by the host's world"]
    );
}

#[test]
fn host_may_provide_more_imports_than_the_module_uses() {
    check_world(&world_of(COUNTER), LOGGING, None).unwrap();
}

#[test]
fn import_with_another_type_fails_naming_both_types() {
    let host = LOGGING.replace("msg: string", "msg: string, level: u8");
    assert_eq!(
        problems(LOGGING, &host),
        ["world `counter`: import `log` has type `func(msg: string)` in the module, but the host provides `func(msg: string, level: u8)`"]
    );
}

#[test]
fn imported_interface_must_offer_what_the_module_needs() {
    let module = "package example:counter;
        interface host { now: func() -> u64; sleep: func(ms: u32); }
        world counter { import host; export increment: func(by: u32) -> u32; }";
    let host = module.replace(" sleep: func(ms: u32);", "");
    assert_eq!(
        problems(module, &host),
        ["world `counter`: import `example:counter/host`: function `sleep` is not provided by the host's world"]
    );
    // The host's interface may offer more than the module uses.
    check_world(&world_of(&host), module, None).unwrap();
}

#[test]
fn different_package_fails_naming_both() {
    let host = COUNTER.replace("example:counter", "other:counter");
    assert_eq!(
        problems(COUNTER, &host),
        ["world `counter`: the module's world is in package `example:counter`, expected package `other:counter`"]
    );
}

#[test]
fn same_package_version_with_different_contents_is_compared_not_merged() {
    let module = COUNTER.replace("-> u32", "-> s32");
    let found = problems(&module, COUNTER);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("export `increment`"), "{found:?}");
}

const RESOURCE: &str = "package example:counter;
interface counters {
    resource counter {
        constructor(start: u32);
        get: func() -> u32;
    }
}
world counter { export counters; }";

#[test]
fn worlds_with_resources_are_checked() {
    check_world(&world_of(RESOURCE), RESOURCE, None).unwrap();
    let module = RESOURCE.replace("get: func() -> u32", "get: func() -> u64");
    assert_eq!(
        problems(&module, RESOURCE),
        ["world `counter`: export `example:counter/counters`: function `[method]counter.get` has type `func(self: borrow<counter>) -> u64`, expected `func(self: borrow<counter>) -> u32`"]
    );
}

#[test]
fn bad_host_wit_is_invalid_options() {
    let err =
        check_world(&world_of(COUNTER), "package example:counter; world {", None).unwrap_err();
    assert_eq!(err.code(), "INVALID_OPTIONS");
    assert!(
        matches!(
            err,
            Error::InvalidOptions {
                option: "expect.wit",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn unknown_host_world_is_invalid_options() {
    let err = check_world(&world_of(COUNTER), COUNTER, Some("nope")).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidOptions {
                option: "expect.wit",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn incompatible_interface_message_lists_every_problem() {
    let host = STORE
        .replace("}\nworld", "}\ninterface extra { f: func(); }\nworld")
        .replace("export store;", "export store;\n    export extra;");
    let err = check_world(&world_of(LOGGING), &host, None).unwrap_err();
    assert_eq!(err.code(), "INCOMPATIBLE_INTERFACE");
    let text = err.to_string();
    for item in [
        "`example:counter/store`",
        "`example:counter/extra`",
        "import `log`",
    ] {
        assert!(text.contains(item), "{text}");
    }
}

/// What `wasm-tools component semver-check` itself says (wit-component's `semver_check`, with
/// `prev` the module's world and `new` the host's), for the native cross-check below.
#[cfg(not(target_arch = "wasm32"))]
fn semver_check_accepts(module_wit: &str, host_wit: &str) -> bool {
    let (mut resolve, host) = section::parse_wit(host_wit, None, "expect.wit").unwrap();
    let (mut mine, world) = world_of(module_wit).into_parts();
    // Both worlds go into one resolve. A version of its own keeps every package of the
    // module's apart from the host's when they share a name; semver-check drops versions.
    let apart = semver::Version::parse("0.0.0-module").unwrap();
    for (_, pkg) in mine.packages.iter_mut() {
        pkg.name.version = Some(apart.clone());
    }
    mine.package_names = mine
        .packages
        .iter()
        .map(|(id, pkg)| (pkg.name.clone(), id))
        .collect();
    let remap = resolve.merge(mine).unwrap();
    let world = remap.map_world(world, Default::default()).unwrap();
    wit_component::semver_check(resolve, world, host).is_ok()
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn check_agrees_with_wit_component_semver_check() {
    let store_grown = STORE.replace("get: func", "put: func(e: entry);\n    get: func");
    let host_iface = "package example:counter;
        interface host { now: func() -> u64; sleep: func(ms: u32); }
        world counter { import host; export increment: func(by: u32) -> u32; }";
    let host_iface_less = host_iface.replace(" sleep: func(ms: u32);", "");
    let resource_changed = RESOURCE.replace("get: func() -> u32", "get: func() -> u64");
    let resource_ctor = RESOURCE.replace("constructor(start: u32);", "");
    let cases: Vec<(String, String)> = [
        (COUNTER.into(), COUNTER.into()),
        (
            COUNTER.replace('}', "    export reset: func();\n}"),
            COUNTER.into(),
        ),
        (
            COUNTER.into(),
            COUNTER.replace('}', "    export reset: func();\n}"),
        ),
        (COUNTER.into(), COUNTER.replace("@1.0.0", "@2.3.0")),
        (COUNTER.into(), COUNTER.replace("@1.0.0", "")),
        (
            COUNTER.into(),
            COUNTER.replace("world counter", "world app"),
        ),
        (COUNTER.replace("-> u32", "-> u64"), COUNTER.into()),
        (COUNTER.replace("-> u32", "-> s32"), COUNTER.into()),
        (COUNTER.replace("by: u32", "step: u32"), COUNTER.into()),
        (
            COUNTER.into(),
            COUNTER.replace("example:counter", "other:counter"),
        ),
        (COUNTER.into(), STORE.into()),
        (STORE.into(), STORE.into()),
        (store_grown.clone(), STORE.into()),
        (STORE.into(), store_grown),
        (STORE.replace("value: u32", "value: u64"), STORE.into()),
        (
            STORE.replace("key: string, value", "value: u32, key"),
            STORE.into(),
        ),
        (LOGGING.into(), COUNTER.into()),
        (COUNTER.into(), LOGGING.into()),
        (
            LOGGING.into(),
            LOGGING.replace("msg: string", "msg: string, level: u8"),
        ),
        (host_iface.into(), host_iface_less.clone()),
        (host_iface_less, host_iface.into()),
        (RESOURCE.into(), RESOURCE.into()),
        (resource_changed, RESOURCE.into()),
        (resource_ctor.clone(), RESOURCE.into()),
        (RESOURCE.into(), resource_ctor),
    ]
    .into_iter()
    .collect();
    let mut verdicts = (0, 0);
    for (module, host) in &cases {
        let ours = check_world(&world_of(module), host, None).is_ok();
        assert_eq!(
            ours,
            semver_check_accepts(module, host),
            "module:\n{module}\nhost:\n{host}"
        );
        if ours {
            verdicts.0 += 1
        } else {
            verdicts.1 += 1
        }
    }
    // The table holds both outcomes, so agreement is not agreement on one answer.
    assert!(verdicts.0 >= 8 && verdicts.1 >= 8, "{verdicts:?}");
}

/// A component whose imports are `(import "x" (instance … (export "t" (type (eq $f)))))`
/// with `$f` the type `entity` declares: an instance exporting a type that is neither a
/// defined type nor a resource.
fn importing_an_instance_exporting(entity: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(component (import "x" (instance (type $f {entity}) (export "t" (type (eq $f))))))"#
    ))
    .unwrap()
}

/// Found by the `inspect_diff` fuzz target: wit-parser 0.263 reaches `unreachable!()` (in
/// `register_type_export`) on a type export that WIT cannot represent, a function's,
/// instance's or component's type; in a browser that panic aborts the runtime. It is
/// refused before wit-parser reads it, naming the export.
#[test]
fn an_instance_exporting_a_type_that_is_not_a_value_type_or_resource_is_invalid_naming_it() {
    let entities = ["(func)", "(instance)", "(component)"];
    for entity in entities {
        let bytes = importing_an_instance_exporting(entity);
        for result in [component_world(&bytes).err(), module_world(&bytes).err()] {
            let (reason, offset) = invalid_module(result);
            assert!(offset.is_some(), "{entity}: an offset");
            assert!(
                reason.contains("`x`") && reason.contains("`t`"),
                "{entity}: {reason}"
            );
        }
    }
}

/// The same shape at the top of a component and inside a world a core module carries in its
/// `component-type` section: each is refused as `INVALID_MODULE`, not a panic.
#[test]
fn a_world_importing_a_type_that_is_not_a_value_type_or_resource_is_invalid_naming_it() {
    let top =
        wat::parse_str(r#"(component (type $f (func)) (import "t" (type (eq $f))))"#).unwrap();
    let (reason, _) = invalid_module(component_world(&top).err());
    assert!(reason.contains("`t`"), "{reason}");
    let package = wat::parse_str(
        r#"(component
            (type $w (component
                (type $world (component
                    (import "x" (instance (type $f (func)) (export "t" (type (eq $f)))))))
                (export "example:p/w" (component (type $world)))))
            (export "w" (type $w)))"#,
    )
    .unwrap();
    let bytes = with_section(&module(), SECTION_PREFIX, &package);
    let (reason, _) = invalid_module(module_world(&bytes).err());
    assert!(reason.contains("`x`") && reason.contains("`t`"), "{reason}");
}

/// Found by the `inspect_diff` fuzz target after the fix above: a component exporting a
/// function under an interface's name, `(export "a:b/c" (func …))`, is valid Component Model,
/// and wit-parser 0.263 reaches `unreachable!()` in `convert_function` on it. It is refused
/// before wit-parser reads it, naming the function, exported or imported.
#[test]
fn a_function_with_an_interfaces_name_is_invalid_naming_it() {
    let exported = wat::parse_str(
        r#"(component
            (core module $m (func (export "f")))
            (core instance $i (instantiate $m))
            (func $f (canon lift (core func $i "f")))
            (export "a:b/c" (func $f)))"#,
    )
    .unwrap();
    let imported = wat::parse_str(r#"(component (import "a:b/c" (func)))"#).unwrap();
    for bytes in [exported, imported] {
        for result in [component_world(&bytes).err(), module_world(&bytes).err()] {
            let (reason, offset) = invalid_module(result);
            assert!(offset.is_some(), "an offset");
            assert!(
                reason.contains("`a:b/c`") && reason.contains("interface's name"),
                "{reason}"
            );
        }
    }
}
