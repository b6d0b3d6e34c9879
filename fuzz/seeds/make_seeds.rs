//! Writes the seed corpus of every target into `corpus/<target>/`, from the text below: no
//! binary seed is committed.
//!
//! - `inspect_diff`: pairs of modules and components built from WAT, each seed being the split
//!   point (u16 LE, the old one's length) then the old binary then the new one, as the target
//!   splits them;
//! - `wit`: modules carrying a WIT world (embedded with `wit::embed_world`) and components;
//! - the text targets: the formats as the project's own tests and registries write them.

use std::fs;
use std::path::Path;

const V1: &str = r#"(module
  (import "env" "log" (func (param i32)))
  (memory (export "memory") 1 100)
  (table (export "t") 1 10 funcref)
  (global (export "g") (mut i64) (i64.const 0))
  (tag (export "e") (param i32))
  (func (export "save_state") (result i32) (i32.const 0))
  (func (export "alloc_state") (param i32) (result i32) (i32.const 0))
  (func (export "load_state") (param i32 i32) (result i32) (i32.const 0))
  (func (export "increment") (param i32) (result i32) (local.get 0))
  (@custom "version" "1.2.3")
  (@custom "component-type:x" "abc"))"#;

const V2: &str = r#"(module
  (import "env" "log" (func (param i64)))
  (import "env" "now" (func (result f64)))
  (memory (export "memory") 2 50)
  (table (export "t") 1 externref)
  (func (export "increment") (param i32) (result i32) (local.get 0))
  (func (export "reset"))
  (@custom "version" "2.0.0-rc.1+build.7"))"#;

const ZERO: &str = r#"(module (memory (export "memory") i64 1) (@custom "version" "0.0.3"))"#;
const EMPTY: &str = "(module)";
// Version numbers one below u64::MAX: the edge of what semver text may hold.
const EDGE: &str = r#"(module (func (export "f")) (@custom "version" "18446744073709551614.18446744073709551614.18446744073709551614"))"#;

/// A component as jco's users have them (the inspector's own test fixture): an imported WASI
/// interface and function, exported functions among them the state contract, a `version`.
const COMPONENT: &str = r#"(component
    (import "wasi:cli/environment@0.2.0" (instance))
    (import "log" (func $log (param "msg" string)))
    (core module $m
      (memory (export "memory") 1)
      (func (export "add") (param i32 i32) (result i32) local.get 1)
      (func (export "save") (result i32) i32.const 0)
      (func (export "load") (param i32 i32) (result i32) i32.const 0)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 8)
      (@custom "version" "9.9.9"))
    (core instance $i (instantiate $m))
    (alias core export $i "memory" (core memory $mem))
    (alias core export $i "realloc" (core func $realloc))
    (func (export "add") (param "key" string) (result u32)
      (canon lift (core func $i "add") (memory $mem) (realloc $realloc)))
    (func (export "save-state") (result (list u8))
      (canon lift (core func $i "save") (memory $mem)))
    (func (export "load-state") (param "state" (list u8)) (result (result (error string)))
      (canon lift (core func $i "load") (memory $mem) (realloc $realloc)))
    (@custom "version" "1.2.0"))"#;

/// The next version of [`COMPONENT`]: `add` changed, `load-state` gone, an exported interface.
const COMPONENT_V2: &str = r#"(component
    (import "log" (func $log (param "msg" string)))
    (core module $m
      (memory (export "memory") 1)
      (func (export "add") (param i32) (result i32) local.get 0))
    (core instance $i (instantiate $m))
    (func $add (param "by" u32) (result u32) (canon lift (core func $i "add")))
    (instance $api (export "add" (func $add)))
    (export "hotswap:counter/api@1.1.0" (instance $api))
    (func (export "add") (param "by" u32) (result u32) (canon lift (core func $i "add")))
    (@custom "version" "2.0.0"))"#;

/// WIT worlds for the `wit` target, each embedded into a module.
const WITS: [&str; 3] = [
    "package example:counter@1.0.0;
world counter {
    export increment: func(by: u32) -> u32;
}",
    "package example:counter@1.0.0;
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
}",
    "package other:thing;
world thing {
    variant shape { circle(f64), square(tuple<u8, u16>), none }
    flags perms { read, write }
    enum color { red, green }
    export area: func(s: shape, p: perms, c: color) -> f32;
}",
];

const DIGEST: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn main() {
    let modules = [V1, V2, ZERO, EMPTY, EDGE, COMPONENT, COMPONENT_V2]
        .map(|wat| wat::parse_str(wat).unwrap());
    let mut pairs = Vec::new();
    for old in &modules {
        for new in &modules {
            let mut seed = (old.len() as u16).to_le_bytes().to_vec();
            seed.extend_from_slice(old);
            seed.extend_from_slice(new);
            pairs.push(seed);
        }
    }
    write("inspect_diff", pairs);

    let mut worlds: Vec<Vec<u8>> = WITS
        .iter()
        .map(|wit| wasm_hotswap::wit::embed_world(&modules[0], wit, None).unwrap())
        .collect();
    worlds.extend(modules.iter().cloned());
    write("wit", worlds);

    write("index", texts(&index_seeds()));
    write("oci_manifest", texts(&manifest_seeds()));
    write(
        "oci_tags",
        texts(&[
            "^1\n{\"name\":\"acme/counter\",\"tags\":[\"1.0.0\",\"latest\",\"1.2.0\",\"v1.3.0\",\"2.0.0-rc.1\"]}",
            ">=2.0.0-rc.1\n{\"name\":\"acme/counter\",\"tags\":[\"2.0.0-rc.1\",\"2.0.0-rc.2\",\"1.9.9\"]}",
            "1.0.0\n{\"name\":\"a/b/c\",\"tags\":[\"1.0.0+build.1\",\"1.0.0\"]}",
            "*\n{\"name\":\"x\",\"tags\":null}",
        ]),
    );
    write(
        "oci_challenge",
        texts(&[
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull""#,
            r#"Basic realm="r", Bearer realm="http://127.0.0.1:5001/token", service="reg", scope="repository:a/b:pull,push repository:c:pull""#,
            r#"bearer REALM=http://a/token?x=1 , SERVICE="s\"q\\", Bearer realm="second""#,
            r#"Bearer service="no realm""#,
        ]),
    );
    write(
        "oci_link",
        texts(&[
            "http://127.0.0.1:5000/v2/acme/counter/tags/list?n=2\n</v2/acme/counter/tags/list?n=2&last=1.1.0>; rel=\"next\"",
            "https://ghcr.io/v2/x/tags/list\n<https://a/prev>; rel=prev, <https://a/next>; rel=\"next last\"",
            "oci+http://127.0.0.1:5000/\n<list?last=b>; REL = NEXT",
            "http://host\n<a>;rel=\"prev\",<b>",
        ]),
    );
    write("envelope", envelope_seeds());
    write("glue", texts(&[BINDGEN_GLUE, JCO, JCO_MIN, ASC]));
    write(
        "expect",
        texts(&[
            "increment: (i32) -> i32\nmemory: memory\nt: table",
            "g: global mut i64\nh: global f32\nf: function (i32, i64) -> (f64, v128)",
            "r: (funcref, externref) -> ()\ns: () -> i32",
        ]),
    );
}

/// Where the seeds go: the first argument (`make_seeds /tmp/seeds` writes `/tmp/seeds/<target>/`,
/// as `scripts/fuzz-smoke.sh` does), or `corpus/` beside this crate's manifest.
fn out_dir() -> std::path::PathBuf {
    match std::env::args_os().nth(1) {
        Some(dir) => dir.into(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
    }
}

fn write(target: &str, seeds: Vec<Vec<u8>>) {
    let dir = out_dir().join(target);
    fs::create_dir_all(&dir).unwrap();
    for (i, seed) in seeds.iter().enumerate() {
        fs::write(dir.join(format!("seed-{i}")), seed).unwrap();
    }
    println!("wrote {} seeds to {}", seeds.len(), dir.display());
}

fn texts(texts: &[&str]) -> Vec<Vec<u8>> {
    texts.iter().map(|t| t.as_bytes().to_vec()).collect()
}

fn index_seeds() -> Vec<&'static str> {
    let base: &'static str = Box::leak(
        format!(
            r#"^1
{{"name":"acme/counter","versions":[
 {{"version":"1.0.0","digest":"{DIGEST}","size":10,"yanked":false,"published":"2026-05-20T10:00:00Z"}},
 {{"version":"1.1.0","digest":"{DIGEST}","size":11,"glue":{{"digest":"{DIGEST}","size":5}}}},
 {{"version":"1.2.0","digest":"{DIGEST}","size":12,"yanked":true}},
 {{"version":"1.3.0","digest":"{DIGEST}","size":13,"glue":{{"digest":"{DIGEST}","size":6,"kind":"jco"}},
  "cores":[{{"name":"counter.core.wasm","digest":"{DIGEST}","size":7}},{{"name":"counter.core2.wasm","digest":"{DIGEST}","size":8}}]}},
 {{"version":"1.4.0-rc.1","digest":"{DIGEST}","size":14,"glue":{{"digest":"{DIGEST}","size":6,"kind":"assemblyscript"}}}}
]}}"#
        )
        .into_boxed_str(),
    );
    let mut seeds = vec![base];
    for wanted in ["=1.2.0", ">=1.4.0-rc.1", "1.1.0", "~1.0, <1.0.5", "*"] {
        let rest = &base[base.find('\n').unwrap()..];
        seeds.push(Box::leak(format!("{wanted}{rest}").into_boxed_str()));
    }
    seeds.push("*\n{\"name\":\"x\",\"versions\":[]}");
    seeds
}

fn manifest_seeds() -> Vec<&'static str> {
    let layer = |media: &str, title: Option<&str>| match title {
        Some(t) => format!(
            r#"{{"mediaType":"{media}","digest":"{DIGEST}","size":3,"annotations":{{"org.opencontainers.image.title":"{t}"}}}}"#
        ),
        None => format!(r#"{{"mediaType":"{media}","digest":"{DIGEST}","size":3}}"#),
    };
    let manifest = |layers: Vec<String>| -> &'static str {
        Box::leak(format!(
            r#"1.2.0
{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.wasm.config.v0+json","digest":"{DIGEST}","size":2}},"layers":[{}],"annotations":{{"org.opencontainers.image.version":"1.2.0"}}}}"#,
            layers.join(",")
        ).into_boxed_str())
    };
    let wasm = layer("application/wasm", None);
    vec![
        manifest(vec![wasm.clone()]),
        manifest(vec![wasm.clone(), layer("application/vnd.wasm-hotswap.glue.v1+javascript", None)]),
        manifest(vec![wasm.clone(), layer("application/vnd.wasm-hotswap.assemblyscript.v1+javascript", None)]),
        manifest(vec![
            wasm.clone(),
            layer("application/vnd.wasm-hotswap.jco.v1+javascript", None),
            layer("application/vnd.wasm-hotswap.core.v1+wasm", Some("counter.core.wasm")),
            layer("application/vnd.wasm-hotswap.core.v1+wasm", Some("counter.core2.wasm")),
        ]),
        Box::leak(format!(
            r#"
{{"created":"2026-05-20T10:00:00Z","author":"me","architecture":"wasm","os":"wasip1","layerDigests":["{DIGEST}"]}}"#
        ).into_boxed_str()),
    ]
}

/// Envelopes as `hotswap_guest::envelope::encode` writes them, and two it refuses.
fn envelope_seeds() -> Vec<Vec<u8>> {
    let envelope = |schema: u32, payload: &str| {
        let mut bytes = b"HSWP".to_vec();
        bytes.extend_from_slice(&1u32.to_le_bytes());
        bytes.extend_from_slice(&schema.to_le_bytes());
        bytes.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        bytes.extend_from_slice(payload.as_bytes());
        bytes
    };
    vec![
        envelope(
            2,
            r#"{"count":3,"notes":["a","b"],"extra":{"k":[1,2.5,null,true]}}"#,
        ),
        envelope(1, r#"{"count":-9223372036854775808}"#),
        envelope(3, r#"{"count":1}"#),
        envelope(2, r#"{"count":"not a number"}"#),
        b"HSWP\x02\0\0\0".to_vec(),
    ]
}

/// wasm-bindgen's `--target web` glue, in the shape the rewrite's own tests use.
const BINDGEN_GLUE: &str = r#"/* @ts-self-types="./notes.d.ts" */

export class Counter {
    free() {}
}
export function add(note) {
    return wasm.add(note);
}
export const Color = Object.freeze({ Red: 0 });
function __wbg_get_imports() { return {}; }
let wasm;
function initSync(module) { return wasm; }
async function __wbg_init_once(module_or_path) {
    if (module_or_path === undefined) {
        module_or_path = new URL('notes_bg.wasm', import.meta.url);
    }
}
export default __wbg_init;
export { initSync, __wbg_init as default };
"#;

const JCO: &str = "\"use components\";\nexport function instantiate(getCoreModule, imports, instantiateCore = WebAssembly.instantiate) {\n  if (!getCoreModule) getCoreModule = (name) => fetchCompile(new URL(`./${name}`, import.meta.url));\n  const module0 = getCoreModule('counter.core.wasm');\n  const module1 = getCoreModule(\"counter.core2.wasm\");\n  return { greet: () => 'hi' };\n}\n\nexport const _util = {\n  \n}\n";
const JCO_MIN: &str = "\"use components\";export function instantiate(getCoreModule,e,t=WebAssembly.instantiate){getCoreModule||(getCoreModule=e=>fetchCompile(new URL(`./${e}`,import.meta.url)));let a=getCoreModule(`c.core.wasm`);return{}}export const _util={};";
const ASC: &str = "export async function instantiate(module, imports = {}) {\n  const { exports } = await WebAssembly.instantiate(module, imports);\n  return exports;\n}\nexport const version = new URL('v', import.meta.url);\n";
