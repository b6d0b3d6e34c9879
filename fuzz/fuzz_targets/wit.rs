//! Fuzzes the WIT worlds the `wit` build reads: a core module's `component-type` sections
//! (`wit::module_world`) and a Component Model component's type (`wit::component_world`),
//! each checked against a fixed host world (`wit::check_world`).
//!
//! Any panic is a bug. What reads is also embedded back: `embed_world` with the host's WIT
//! gives a module whose world satisfies the host.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_hotswap::wit::{check_world, component_world, embed_world, module_world, ModuleWorld};

/// The host's world, with an interface, a record and a resource, as a host declares it in
/// `expect.wit`.
const HOST: &str = "package example:counter@1.0.0;
interface store {
    record entry { key: string, value: list<u8> }
    resource cursor {
        constructor(start: u32);
        next: func() -> option<entry>;
    }
    get: func(key: string) -> result<list<u8>, string>;
}
world counter {
    import store;
    import log: func(msg: string);
    export increment: func(by: u32) -> u32;
    export reset: func();
}";

fuzz_target!(|data: &[u8]| {
    match module_world(data) {
        Ok(Some(world)) => check(&world),
        Ok(None) => {}
        Err(err) => {
            assert_eq!(err.code(), "INVALID_MODULE", "{err}");
            let _ = err.to_string();
        }
    }
    if let Ok(world) = component_world(data) {
        check(&world);
    }
    if let Ok(embedded) = embed_world(data, HOST, None) {
        let world = module_world(&embedded)
            .expect("an embedded world reads back")
            .expect("an embedded world is there");
        check_world(&world, HOST, None).expect("the host's own world satisfies the host");
    }
});

fn check(world: &ModuleWorld) {
    let _ = world.package();
    for item in world.imports().iter().chain(&world.exports()) {
        let _ = (world.name(), &item.name, format!("{item:?}"));
    }
    if let Err(err) = check_world(world, HOST, None) {
        assert_eq!(err.code(), "INCOMPATIBLE_INTERFACE", "{err}");
        let _ = err.to_string();
    }
}
