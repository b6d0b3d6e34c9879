//! Fuzzes the OCI image manifest a registry answers `GET /v2/<name>/manifests/<tag>` with.
//!
//! The input is the tag it was found by (its first line; `1.0.0` when that is not a version)
//! and the manifest's JSON (the rest). What deserializes round-trips through JSON and goes
//! through `Manifest::wasm_layers`; the layers it accepts name the manifest's digests, and a
//! component's core modules are named as the static index requires (`Entry::validate_cores`).
//! The same JSON is also read as the Wasm config blob, which must round-trip too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use semver::Version;
use wasm_hotswap::registry::index::{Core, Entry, Glue, GlueKind};
use wasm_hotswap::registry::oci::{Manifest, WasmConfig};

const URL: &str = "https://registry.test/v2/acme/counter/manifests/1.0.0";

fuzz_target!(|data: &[u8]| {
    let (line, json) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&[][..], data),
    };
    let version = std::str::from_utf8(line)
        .ok()
        .and_then(|v| Version::parse(v).ok())
        .unwrap_or(Version::new(1, 0, 0));
    if let Ok(config) = serde_json::from_slice::<WasmConfig>(json) {
        let text = serde_json::to_string(&config).unwrap();
        assert_eq!(serde_json::from_str::<WasmConfig>(&text).unwrap(), config);
    }
    let Ok(manifest) = serde_json::from_slice::<Manifest>(json) else {
        return;
    };
    let text = serde_json::to_string(&manifest).unwrap();
    assert_eq!(
        serde_json::from_str::<Manifest>(&text).unwrap(),
        manifest,
        "{text}"
    );
    let layers = match manifest.wasm_layers(URL, &version) {
        Ok(layers) => layers,
        Err(err) => {
            assert_eq!(err.code(), "INVALID_INDEX");
            let _ = err.to_string();
            return;
        }
    };
    assert_eq!(layers.module.digest.to_string(), manifest.layers[0].digest);
    assert_eq!(layers.module.size, manifest.layers[0].size);
    if let Some(glue) = &layers.glue {
        assert_eq!(glue.digest.to_string(), manifest.layers[1].digest);
    }
    assert_eq!(layers.glue.is_some(), manifest.layers.len() > 1);
    // The same version, as the static index would list it, passes the index's rules.
    let entry = Entry {
        version,
        digest: layers.module.digest.to_string(),
        size: layers.module.size,
        glue: layers.glue.as_ref().map(|g| Glue {
            digest: g.digest.to_string(),
            size: g.size,
            kind: layers.kind,
        }),
        cores: layers
            .cores
            .iter()
            .map(|(name, layer)| Core {
                name: name.clone(),
                digest: layer.digest.to_string(),
                size: layer.size,
            })
            .collect(),
        yanked: false,
        published: String::new(),
    };
    assert_eq!(layers.kind == GlueKind::Jco, !layers.cores.is_empty());
    if let Err(reason) = entry.validate_cores() {
        panic!("wasm_layers accepted what the index refuses: {reason}");
    }
});
