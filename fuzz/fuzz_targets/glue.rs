//! Fuzzes the rewrites of the JS glue a guest ships (verified by digest, but written by
//! whoever published it): wasm-bindgen's `--target web` glue (`function_body`), jco's
//! transpiled JS (`jco_body`, `jco_core_names`) and AssemblyScript's raw bindings
//! (`is_assemblyscript_bindings`, `assemblyscript_body`).
//!
//! Each rewrite either refuses with `INVALID_GUEST` or gives a body of the documented shape,
//! with no `import.meta.url` left (a function body cannot hold it).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasm_hotswap::guest::glue::{
    assemblyscript_body, function_body, is_assemblyscript_bindings, jco_body, jco_core_names,
    ASSEMBLYSCRIPT_START,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    match function_body(text, "fuzz.js") {
        Ok(script) => {
            assert!(script.body.starts_with("\"use strict\";\n"));
            assert!(script.body.ends_with(" };\n"));
            assert!(script.exports.iter().any(|e| e == "initSync"));
            assert!(!script.body.contains("import.meta.url"), "{}", script.body);
        }
        Err(err) => refused(&err),
    }
    match jco_body(text, "fuzz.js") {
        Ok(body) => {
            assert!(body.starts_with("function instantiate("));
            assert!(body.ends_with("\n;return instantiate;\n"));
            assert!(!body.contains("import.meta.url"));
        }
        Err(err) => refused(&err),
    }
    let names = jco_core_names(text);
    for (i, name) in names.iter().enumerate() {
        assert!(!names[..i].contains(name), "{name} twice");
        assert!(
            ['\'', '"', '`']
                .iter()
                .any(|q| text.contains(&format!("getCoreModule({q}{name}{q}"))),
            "{name}"
        );
    }
    assert_eq!(
        is_assemblyscript_bindings(text),
        text.trim_start().starts_with(ASSEMBLYSCRIPT_START)
    );
    match assemblyscript_body(text, "fuzz.js") {
        Ok(body) => {
            assert!(body.starts_with("\"use strict\";\n"));
            assert!(body.ends_with("return instantiate;\n"));
            assert!(!body.contains("import.meta.url"));
            assert!(!body.lines().any(|l| l.starts_with("export ")));
        }
        Err(err) => refused(&err),
    }
});

fn refused(err: &wasm_hotswap::error::Error) {
    assert_eq!(err.code(), "INVALID_GUEST", "{err}");
    assert!(err.to_string().contains("fuzz.js"), "{err}");
}
