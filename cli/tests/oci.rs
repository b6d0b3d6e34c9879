//! `hotswap publish --oci` against a real registry: Debian's `docker-registry` (CNCF
//! distribution), started per test by `scripts/oci-registry.sh` in a temp folder and stopped
//! when the test ends. Without the registry the tests fail, unless `HOTSWAP_OCI_OPTIONAL=1`,
//! which makes them skip with a message.

mod common;

use std::process::Command;

use common::{counter, hotswap, module, publish_oci};
use ureq::http::{self, Method};
use wasm_hotswap::digest::Digest;
use wasm_hotswap::inspect::read_interface;
use wasm_hotswap::registry::index::GlueKind;
use wasm_hotswap::registry::oci::{
    Challenge, Manifest, WasmConfig, ASSEMBLYSCRIPT_MEDIA_TYPE, GLUE_MEDIA_TYPE,
};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/oci-registry.sh");

/// A registry (and a token-protected one over the same storage) for one test.
struct Registry {
    dir: tempfile::TempDir,
    url: String,
    token_url: String,
}

impl Registry {
    fn start() -> Option<Registry> {
        let dir = tempfile::tempdir().unwrap();
        let output = Command::new("bash")
            .arg(SCRIPT)
            .args(["start", "--token"])
            .env("OCI_REGISTRY_DIR", dir.path())
            .output()
            .expect("bash runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            if std::env::var("HOTSWAP_OCI_OPTIONAL").as_deref() == Ok("1") {
                eprintln!("SKIPPED: no OCI registry (HOTSWAP_OCI_OPTIONAL=1): {stderr}");
                return None;
            }
            panic!(
                "scripts/oci-registry.sh could not start the registry (set HOTSWAP_OCI_OPTIONAL=1 to skip):\n{stderr}"
            );
        }
        let value = |key: &str| {
            stdout
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key}=")))
                .unwrap_or_else(|| panic!("no {key} in:\n{stdout}"))
                .to_string()
        };
        Some(Registry {
            url: value("OCI_REGISTRY"),
            token_url: value("OCI_TOKEN_REGISTRY"),
            dir,
        })
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(SCRIPT)
            .arg("stop")
            .env("OCI_REGISTRY_DIR", self.dir.path())
            .status();
    }
}

/// A plain request, statuses returned rather than raised.
fn request(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, http::HeaderMap, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut builder = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let mut response = agent.run(builder.body(body).unwrap()).unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.body_mut().read_to_vec().unwrap_or_default();
    (status, headers, body)
}

fn get(url: &str, accept: &str) -> (u16, http::HeaderMap, Vec<u8>) {
    request(Method::GET, url, &[("accept", accept)], &[])
}

/// Pushes a blob the monolithic way, as any client would.
fn put_blob(base: &str, repository: &str, bytes: &[u8]) -> String {
    let digest = Digest::of(bytes).to_string();
    let (status, headers, _) = request(
        Method::POST,
        &format!("{base}/v2/{repository}/blobs/uploads/"),
        &[],
        &[],
    );
    assert_eq!(status, 202);
    let location = headers["location"].to_str().unwrap().to_string();
    let (status, _, body) = request(
        Method::PUT,
        &format!("{location}&digest={digest}"),
        &[("content-type", "application/octet-stream")],
        bytes,
    );
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    digest
}

#[test]
fn oci_publish_pushes_the_wasm_artifact_layout() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let m = module(dir.path(), "counter.wasm", &counter(""));
    let oci = format!("{}/acme/counter", registry.url);
    let run = publish_oci(&m, "acme/counter", "1.0.0", &oci);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = run.json();
    assert_eq!(out["version_section"], "written");
    assert_eq!(out["previous"], serde_json::Value::Null);
    let host = registry.url.strip_prefix("http://").unwrap();
    assert_eq!(out["reference"], format!("{host}/acme/counter:1.0.0"));

    let (status, _, body) = get(
        &format!(
            "{oci_base}/v2/acme/counter/tags/list",
            oci_base = registry.url
        ),
        "application/json",
    );
    assert_eq!(status, 200);
    let tags: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(tags["tags"], serde_json::json!(["1.0.0"]));

    let (status, headers, body) = get(
        &format!("{}/v2/acme/counter/manifests/1.0.0", registry.url),
        "application/vnd.oci.image.manifest.v1+json",
    );
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        headers["docker-content-digest"].to_str().unwrap(),
        out["manifest_digest"]
    );
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["schemaVersion"], 2);
    assert_eq!(
        json["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        json["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    assert_eq!(json["layers"].as_array().unwrap().len(), 1);
    assert_eq!(json["layers"][0]["mediaType"], "application/wasm");
    assert_eq!(json["layers"][0]["digest"], out["digest"]);
    assert_eq!(
        json["layers"][0]["annotations"]["org.opencontainers.image.title"],
        "counter.wasm"
    );
    assert_eq!(
        json["annotations"]["org.opencontainers.image.version"],
        "1.0.0"
    );
    let manifest: Manifest = serde_json::from_slice(&body).unwrap();
    let layers = manifest
        .wasm_layers("manifest", &"1.0.0".parse().unwrap())
        .unwrap();
    let (layer, size) = (layers.module.digest, layers.module.size);
    assert_eq!(size, out["size"].as_u64().unwrap());
    assert_eq!(layers.glue, None);

    let (status, _, config) = get(
        &format!(
            "{}/v2/acme/counter/blobs/{}",
            registry.url, manifest.config.digest
        ),
        "*/*",
    );
    assert_eq!(status, 200);
    assert_eq!(Digest::of(&config).to_string(), manifest.config.digest);
    let config: WasmConfig = serde_json::from_slice(&config).unwrap();
    assert_eq!(config.architecture, "wasm");
    assert_eq!(config.os, "wasip1");
    assert_eq!(config.layer_digests, vec![layer.to_string()]);
    assert!(
        config.created.parse::<jiff::Timestamp>().is_ok(),
        "{}",
        config.created
    );

    let (status, _, bytes) = get(
        &format!("{}/v2/acme/counter/blobs/{layer}", registry.url),
        "*/*",
    );
    assert_eq!(status, 200);
    assert_eq!(Digest::of(&bytes), layer);
    let interface = read_interface(&bytes).unwrap();
    assert_eq!(interface.version.unwrap().to_string(), "1.0.0");
}

#[test]
fn oci_publish_with_glue_pushes_it_as_the_second_layer() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (wasm_path, js_path) = common::bindgen_output(dir.path(), "87482a37f0854b09", "");
    let oci = format!("{}/acme/notes", registry.url);
    let mut args = common::publish_args(&wasm_path, "acme/notes", "1.0.0", common::To::Oci(&oci));
    args.extend(["--glue".into(), js_path.clone().into(), "--json".into()]);
    let run = hotswap(&args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = run.json();
    let glue_bytes = std::fs::read(&js_path).unwrap();
    let glue_digest = Digest::of(&glue_bytes).to_string();
    assert_eq!(out["glue"]["digest"], glue_digest);
    assert_eq!(out["glue"]["media_type"], GLUE_MEDIA_TYPE);

    let (status, _, body) = get(
        &format!("{}/v2/acme/notes/manifests/1.0.0", registry.url),
        "application/vnd.oci.image.manifest.v1+json",
    );
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let layers = json["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    assert_eq!(
        layers[0]["mediaType"], "application/wasm",
        "the module first"
    );
    assert_eq!(layers[0]["digest"], out["digest"]);
    assert_eq!(
        layers[1]["mediaType"],
        "application/vnd.wasm-hotswap.glue.v1+javascript"
    );
    assert_eq!(layers[1]["digest"], glue_digest);
    assert_eq!(layers[1]["size"], glue_bytes.len());
    assert_eq!(
        layers[1]["annotations"]["org.opencontainers.image.title"],
        "notes.js"
    );
    let manifest: Manifest = serde_json::from_slice(&body).unwrap();
    let checked = manifest
        .wasm_layers("manifest", &"1.0.0".parse().unwrap())
        .unwrap();
    assert_eq!(checked.glue.unwrap().digest.to_string(), glue_digest);

    let (status, _, stored) = get(
        &format!("{}/v2/acme/notes/blobs/{glue_digest}", registry.url),
        "*/*",
    );
    assert_eq!(status, 200);
    assert_eq!(stored, glue_bytes);
    let (_, _, config) = get(
        &format!(
            "{}/v2/acme/notes/blobs/{}",
            registry.url, manifest.config.digest
        ),
        "*/*",
    );
    let config: WasmConfig = serde_json::from_slice(&config).unwrap();
    assert_eq!(
        config.layer_digests,
        vec![out["digest"].as_str().unwrap().to_string(), glue_digest]
    );

    // The next version builds on it: the rules read the module layer of a two-layer manifest.
    let v2 = dir.path().join("v2");
    std::fs::create_dir_all(&v2).unwrap();
    let (wasm2, js2) = common::bindgen_output(&v2, "3f72c1d6a0b9e854", "");
    let mut args = common::publish_args(&wasm2, "acme/notes", "1.0.1", common::To::Oci(&oci));
    args.extend(["--glue".into(), js2.into(), "--json".into()]);
    let run = hotswap(&args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["previous"]["severity"], "none");

    // Without its glue, a wasm-bindgen module is refused before anything is pushed.
    let run = publish_oci(&wasm2, "acme/notes", "1.0.2", &oci);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "INVALID_GUEST");
}

#[test]
fn oci_publish_applies_the_static_publish_rules_to_the_tags() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let v1 = module(dir.path(), "v1.wasm", &counter(""));
    let v2 = module(
        dir.path(),
        "v2.wasm",
        &counter(r#"(func (export "get") (result i32) (i32.const 7))"#),
    );
    let oci = format!("{}/acme/counter", registry.url);
    assert_eq!(publish_oci(&v1, "acme/counter", "1.0.0", &oci).code, 0);

    let run = publish_oci(&v2, "acme/counter", "1.0.1", &oci);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let err = &run.json()["error"];
    assert_eq!(err["code"], "SEMVER_VIOLATION");
    assert!(
        err["items"][0].as_str().unwrap().contains("export `get`"),
        "{err}"
    );

    let run = publish_oci(&v2, "acme/counter", "1.1.0", &oci);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let out = run.json();
    assert_eq!(out["previous"]["version"], "1.0.0");
    assert_eq!(out["previous"]["severity"], "additive");
    assert_eq!(out["previous"]["declared"], "minor");

    let run = publish_oci(&v1, "acme/counter", "1.0.5", &oci);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["error"]["code"], "VERSION_NOT_GREATER");

    let pinned = module(
        dir.path(),
        "pinned.wasm",
        &counter(r#"(@custom "version" "3.0.0")"#),
    );
    let run = publish_oci(&pinned, "acme/counter", "2.0.0", &oci);
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["error"]["code"], "VERSION_MISMATCH");

    // Refusals upload nothing: the tags are the two published versions.
    let (_, _, body) = get(
        &format!("{}/v2/acme/counter/tags/list", registry.url),
        "application/json",
    );
    let mut tags: Vec<String> = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    tags.sort();
    assert_eq!(tags, ["1.0.0", "1.1.0"]);
}

#[test]
fn oci_publish_skips_a_blob_the_repository_already_has() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let m = module(
        dir.path(),
        "m.wasm",
        &counter(r#"(@custom "version" "1.0.0")"#),
    );
    let oci = format!("{}/acme/counter", registry.url);
    let first = publish_oci(&m, "acme/counter", "1.0.0", &oci).json();
    assert_eq!(first["layer_existed"], false);
    assert_eq!(first["version_section"], "present");
    // Untag 1.0.0 (the manifest goes, the blobs stay), then publish the same bytes again.
    let url = format!(
        "{}/v2/acme/counter/manifests/{}",
        registry.url,
        first["manifest_digest"].as_str().unwrap()
    );
    let (status, _, _) = request(Method::DELETE, &url, &[], &[]);
    assert_eq!(status, 202);
    let again = publish_oci(&m, "acme/counter", "1.0.0", &oci);
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert_eq!(again.json()["layer_existed"], true);
    assert_eq!(again.json()["digest"], first["digest"]);
}

#[test]
fn oci_publish_fetches_an_anonymous_token_when_the_registry_challenges() {
    let Some(registry) = Registry::start() else {
        return;
    };
    // The registry really wants a token: distribution's own 401 and challenge.
    let (status, headers, _) = get(
        &format!("{}/v2/acme/counter/tags/list", registry.token_url),
        "application/json",
    );
    assert_eq!(status, 401);
    let challenge = Challenge::parse(headers["www-authenticate"].to_str().unwrap())
        .expect("a Bearer challenge");
    assert_eq!(
        challenge.scope.as_deref(),
        Some("repository:acme/counter:pull")
    );

    let dir = tempfile::tempdir().unwrap();
    let m = module(dir.path(), "m.wasm", &counter(""));
    let oci = format!("{}/acme/counter", registry.token_url);
    let run = publish_oci(&m, "acme/counter", "1.0.0", &oci);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let m2 = module(
        dir.path(),
        "m2.wasm",
        &counter(r#"(func (export "get") (result i32) (i32.const 7))"#),
    );
    // The second publish reads 1.0.0 back through the token flow to diff against it.
    let run = publish_oci(&m2, "acme/counter", "1.1.0", &oci);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["previous"]["version"], "1.0.0");
    // Both registries share the storage: the open one lists what went through the token one.
    let (_, _, body) = get(
        &format!("{}/v2/acme/counter/tags/list", registry.url),
        "application/json",
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&body).unwrap()["tags"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn oci_publish_refuses_to_build_on_a_newest_tag_that_is_not_a_wasm_artifact() {
    let Some(registry) = Registry::start() else {
        return;
    };
    // A container image's manifest, tagged 1.0.0 by another tool.
    let config = put_blob(&registry.url, "acme/counter", b"{}");
    let layer = put_blob(&registry.url, "acme/counter", b"not wasm");
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": 2},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": 8}],
    });
    let (status, _, body) = request(
        Method::PUT,
        &format!("{}/v2/acme/counter/manifests/1.0.0", registry.url),
        &[("content-type", "application/vnd.oci.image.manifest.v1+json")],
        manifest.to_string().as_bytes(),
    );
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));

    let dir = tempfile::tempdir().unwrap();
    let m = module(dir.path(), "m.wasm", &counter(""));
    let run = publish_oci(
        &m,
        "acme/counter",
        "1.1.0",
        &format!("{}/acme/counter", registry.url),
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    let err = &run.json()["error"];
    assert_eq!(err["code"], "REGISTRY_CORRUPT");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("not a Wasm artifact"),
        "{err}"
    );
}

#[test]
fn oci_publish_to_a_registry_that_is_down_is_a_registry_error() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(dir.path(), "m.wasm", &counter(""));
    // Port 9 (discard) on loopback: nothing listens there.
    let run = publish_oci(
        &m,
        "acme/counter",
        "1.0.0",
        "http://127.0.0.1:9/acme/counter",
    );
    assert_eq!(run.code, 3, "{}", run.stdout);
    let err = &run.json()["error"];
    assert_eq!(err["code"], "REGISTRY_ERROR");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("http://127.0.0.1:9/v2/acme/counter/tags/list"),
        "{err}"
    );
}

#[test]
fn publish_takes_exactly_one_of_registry_and_oci() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(dir.path(), "m.wasm", &counter(""));
    let m = m.to_str().unwrap();
    let both = hotswap(&[
        "publish",
        m,
        "--name",
        "acme/counter",
        "--version",
        "1.0.0",
        "--registry",
        "r",
        "--oci",
        "http://127.0.0.1:9/acme/counter",
    ]);
    assert_eq!(both.code, 64, "{}", both.stderr);
    let neither = hotswap(&["publish", m, "--name", "acme/counter", "--version", "1.0.0"]);
    assert_eq!(neither.code, 64, "{}", neither.stderr);
    let bad = hotswap(&[
        "publish",
        m,
        "--name",
        "acme/counter",
        "--version",
        "1.0.0",
        "--oci",
        "http://h/Acme",
    ]);
    assert_eq!(bad.code, 64, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("OCI repository `Acme`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn oci_publish_of_a_component_pushes_the_component_then_its_js_then_each_core_module() {
    use wasm_hotswap::registry::oci::{CORE_MEDIA_TYPE, JCO_MEDIA_TYPE, TITLE_ANNOTATION};
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let v1 = common::write(dir.path(), "v1.component.wasm", &common::component::v1());
    let v2 = common::write(dir.path(), "v2.component.wasm", &common::component::v2());
    let broken = common::write(
        dir.path(),
        "b.component.wasm",
        &common::component::breaking(),
    );
    let oci = format!("{}/acme/counter", registry.url);
    let run = publish_oci(&v1, "acme/counter", "1.0.0", &oci);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["kind"], "component");

    let (status, _, body) = get(
        &format!("{}/v2/acme/counter/manifests/1.0.0", registry.url),
        "application/vnd.oci.image.manifest.v1+json",
    );
    assert_eq!(status, 200);
    let manifest: Manifest = serde_json::from_slice(&body).unwrap();
    let types: Vec<&str> = manifest
        .layers
        .iter()
        .map(|l| l.media_type.as_str())
        .collect();
    assert_eq!(types[0], "application/wasm", "the component first, for wkg");
    assert_eq!(types[1], JCO_MEDIA_TYPE);
    assert!(types.len() > 2, "{types:?}");
    assert!(
        types[2..].iter().all(|t| *t == CORE_MEDIA_TYPE),
        "{types:?}"
    );
    let title = |i: usize| manifest.layers[i].annotations[TITLE_ANNOTATION].clone();
    assert_eq!(title(1), "counter.js");
    assert_eq!(title(2), "counter.core.wasm");

    let fetch = |digest: &str| {
        let (status, _, bytes) = get(
            &format!("{}/v2/acme/counter/blobs/{digest}", registry.url),
            "*/*",
        );
        assert_eq!(status, 200);
        assert_eq!(Digest::of(&bytes).to_string(), digest);
        bytes
    };
    let component = fetch(&manifest.layers[0].digest);
    assert!(
        wasmparser::Parser::is_component(&component),
        "layer 0 is the component"
    );
    let js = String::from_utf8(fetch(&manifest.layers[1].digest)).unwrap();
    for name in hotswap_cli::jco::core_module_names(&js) {
        assert!(
            (2..manifest.layers.len()).any(|i| title(i) == name),
            "the JS asks for {name}, which no core layer is"
        );
    }
    let config: WasmConfig = serde_json::from_slice(&fetch(&manifest.config.digest)).unwrap();
    assert_eq!(config.os, "wasip2");
    let digests: Vec<String> = manifest.layers.iter().map(|l| l.digest.clone()).collect();
    assert_eq!(config.layer_digests, digests);

    let run = publish_oci(&broken, "acme/counter", "1.1.0", &oci);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "SEMVER_VIOLATION");
    assert!(run.stdout.contains("export `add`"), "{}", run.stdout);
    let run = publish_oci(&v2, "acme/counter", "1.1.0", &oci);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["previous"]["severity"], "additive");
}

#[test]
fn oci_publish_with_asc_bindings_pushes_them_as_an_assemblyscript_layer() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let wasm = module(
        dir.path(),
        "tally.wasm",
        r#"(module (func (export "add") (param i32) (result i32) i32.const 1))"#,
    );
    let js = common::write(
        dir.path(),
        "tally.js",
        b"export async function instantiate(module, imports = {}) {\n  return (await WebAssembly.instantiate(module, imports)).exports;\n}\n",
    );
    let oci = format!("{}/acme/tally", registry.url);
    let mut args = common::publish_args(&wasm, "acme/tally", "1.0.0", common::To::Oci(&oci));
    args.extend(["--glue".into(), js.into(), "--json".into()]);
    let run = hotswap(&args);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["glue"]["media_type"], ASSEMBLYSCRIPT_MEDIA_TYPE);
    let (status, _, body) = get(
        &format!("{}/v2/acme/tally/manifests/1.0.0", registry.url),
        "application/vnd.oci.image.manifest.v1+json",
    );
    assert_eq!(status, 200);
    let manifest: Manifest = serde_json::from_slice(&body).unwrap();
    let layers = manifest
        .wasm_layers("manifest", &"1.0.0".parse().unwrap())
        .unwrap();
    assert_eq!(layers.kind, GlueKind::AssemblyScript);
}
