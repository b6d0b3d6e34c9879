//! A publish interrupted between the blob and the index leaves the previous index valid.

mod common;

use std::path::Path;

use hotswap_cli::module::Module;
use hotswap_cli::registry::publish::{publish, FailPoint, Request};
use hotswap_cli::registry::{Index, Registry};

fn request(dir: &Path, reg: &Path, version: &str) -> Request {
    let path = common::module(dir, "m.wasm", &common::counter(""));
    Request {
        module: Module::read(&path).unwrap(),
        glue: None,
        name: "acme/counter".parse().unwrap(),
        version: version.parse().unwrap(),
        registry: Registry::at(reg),
    }
}

fn read_index(reg: &Path) -> (Vec<u8>, Index) {
    let bytes = std::fs::read(reg.join("packages/acme/counter/index.json")).unwrap();
    let index = serde_json::from_slice(&bytes).expect("the index still parses");
    (bytes, index)
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn a_failure_after_the_blob_leaves_the_previous_index_valid_and_a_retry_completes() {
    for fail_at in [FailPoint::AfterBlob, FailPoint::BeforeIndexRename] {
        let dir = tempfile::tempdir().unwrap();
        let reg = dir.path().join("registry");
        publish(&request(dir.path(), &reg, "1.0.0"), None).unwrap();
        let (before, _) = read_index(&reg);

        let failed = publish(&request(dir.path(), &reg, "1.1.0"), Some(fail_at)).unwrap_err();
        assert_eq!(failed.code, "IO_ERROR", "{fail_at:?}");
        assert!(
            failed.message.contains("failure injected"),
            "{}",
            failed.message
        );

        let (after, index) = read_index(&reg);
        assert_eq!(after, before, "{fail_at:?}: the index is untouched");
        assert_eq!(index.versions.len(), 1);
        for entry in &index.versions {
            let digest = entry.digest.parse().unwrap();
            assert!(
                Registry::at(&reg).read_blob(&digest).is_ok(),
                "indexed blobs exist"
            );
        }
        assert_eq!(
            std::fs::read_dir(reg.join("blobs/sha256")).unwrap().count(),
            2,
            "{fail_at:?}: the new blob was written first"
        );
        assert!(leftovers(&reg.join("packages/acme/counter")).is_empty());

        let done = publish(&request(dir.path(), &reg, "1.1.0"), None).unwrap();
        assert!(done.blob_existed, "the retry reuses the blob");
        let (_, index) = read_index(&reg);
        assert_eq!(index.versions.len(), 2);
    }
}
