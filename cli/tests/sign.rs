//! `hotswap keygen` and `publish --sign`, held to openssl: the keys are PEM that `openssl
//! pkey` reads, and the signatures verify with `openssl dgst -sha256 -verify`, over the
//! payload the core builds (static registries) or cosign's simple-signing layer (OCI, against
//! the real registry `scripts/oci-registry.sh` starts).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bindgen_output, component, counter, hotswap, module, publish_args, write, To};
use wasm_hotswap::digest::Digest;
use wasm_hotswap::registry::index::Index;
use wasm_hotswap::registry::oci::{Manifest, MANIFEST_MEDIA_TYPE};
use wasm_hotswap::signature::{
    base64_decode, signature_tag, simple_signing_payload, static_payload, SimpleSigning,
    COSIGN_CONFIG_MEDIA_TYPE, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE,
};

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `openssl args`, which must succeed; what it printed.
fn openssl_ok(args: &[&str]) -> String {
    let (ok, text) = openssl(args);
    assert!(ok, "openssl {}: {text}", args.join(" "));
    text
}

fn keygen(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let base = dir.join(name);
    let run = hotswap(&["keygen".as_ref(), base.as_os_str(), "--json".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pub")),
    )
}

/// Whether openssl accepts the base64 signature in `sig` over the bytes of `payload` under
/// the public key in `public`.
fn openssl_verifies(public: &Path, sig_b64: &str, payload: &[u8]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let sig = dir.path().join("sig.der");
    std::fs::write(&sig, base64_decode(sig_b64).expect("base64")).unwrap();
    let data = dir.path().join("payload");
    std::fs::write(&data, payload).unwrap();
    let (ok, text) = openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        public.to_str().unwrap(),
        "-signature",
        sig.to_str().unwrap(),
        data.to_str().unwrap(),
    ]);
    assert_eq!(ok, text.contains("Verified OK"), "{text}");
    ok
}

fn signed_publish(
    module: &Path,
    glue: Option<&Path>,
    name: &str,
    version: &str,
    to: To<'_>,
    key: &Path,
) -> serde_json::Value {
    let mut args = publish_args(module, name, version, to);
    if let Some(glue) = glue {
        args.extend(["--glue".into(), glue.into()]);
    }
    args.extend(["--sign".into(), key.into(), "--json".into()]);
    let run = hotswap(&args);
    assert_eq!(run.code, 0, "{}", run.stdout);
    run.json()
}

fn entry(registry: &Path, name: &str, version: &str) -> wasm_hotswap::registry::index::Entry {
    let path = registry.join("packages").join(name).join("index.json");
    let index: Index = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    index
        .versions
        .into_iter()
        .find(|e| e.version.to_string() == version)
        .unwrap()
}

#[test]
fn keygen_writes_a_pkcs8_private_key_for_its_owner_and_an_spki_public_key_openssl_reads() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = keygen(dir.path(), "release");
    let text = std::fs::read_to_string(&private).unwrap();
    assert!(text.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let text = openssl_ok(&["pkey", "-in", private.to_str().unwrap(), "-noout", "-text"]);
    assert!(
        text.contains("prime256v1") || text.contains("P-256"),
        "{text}"
    );
    // openssl derives the same public key from the private one.
    let derived = openssl_ok(&["pkey", "-in", private.to_str().unwrap(), "-pubout"]);
    assert_eq!(derived, std::fs::read_to_string(&public).unwrap());
    openssl_ok(&["pkey", "-pubin", "-in", public.to_str().unwrap(), "-noout"]);
}

#[test]
fn keygen_never_overwrites_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let (private, _) = keygen(dir.path(), "k");
    let before = std::fs::read(&private).unwrap();
    let base = dir.path().join("k");
    let run = hotswap(&["keygen".as_ref(), base.as_os_str(), "--json".as_ref()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "KEY_EXISTS");
    assert_eq!(std::fs::read(&private).unwrap(), before);
}

#[test]
fn publish_sign_writes_a_signature_openssl_verifies_over_the_entrys_payload() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let (key, public) = keygen(dir.path(), "release");
    let m = module(dir.path(), "m.wasm", &counter(""));
    let out = signed_publish(&m, None, "acme/counter", "1.0.0", To::Registry(&reg), &key);
    let sig_path = reg.join("packages/acme/counter/1.0.0.sig");
    assert_eq!(out["signature"], sig_path.display().to_string());
    let signature = std::fs::read_to_string(&sig_path).unwrap();
    let payload = std::fs::read(reg.join("packages/acme/counter/1.0.0.payload.json")).unwrap();
    // The payload file is exactly what the runtime rebuilds from the index entry.
    let entry = entry(&reg, "acme/counter", "1.0.0");
    assert_eq!(payload, static_payload("acme/counter", &entry).as_bytes());
    assert!(String::from_utf8_lossy(&payload).contains(&entry.digest));
    assert!(openssl_verifies(&public, &signature, &payload));
    // A payload changed by one byte does not verify.
    let mut changed = payload.clone();
    let at = changed.len() / 2;
    changed[at] ^= 1;
    assert!(!openssl_verifies(&public, &signature, &changed));
}

#[test]
fn publish_sign_takes_an_openssl_key_and_signs_a_wasm_bindgen_guests_glue_too() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let key = dir.path().join("openssl.key");
    let public = dir.path().join("openssl.pub");
    openssl_ok(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        key.to_str().unwrap(),
    ]);
    openssl_ok(&[
        "pkey",
        "-in",
        key.to_str().unwrap(),
        "-pubout",
        "-out",
        public.to_str().unwrap(),
    ]);
    let (wasm, glue) = bindgen_output(dir.path(), "1a2b3c4d5e6f7a8b", "");
    signed_publish(
        &wasm,
        Some(&glue),
        "notes",
        "0.1.0",
        To::Registry(&reg),
        &key,
    );
    let entry = entry(&reg, "notes", "0.1.0");
    let payload = static_payload("notes", &entry);
    let glue_digest = &entry.glue.as_ref().unwrap().digest;
    assert!(
        payload.contains(&format!(
            r#""glue":{{"digest":"{glue_digest}","kind":"wasm-bindgen"}}"#
        )),
        "{payload}"
    );
    let signature = std::fs::read_to_string(reg.join("packages/notes/0.1.0.sig")).unwrap();
    assert!(openssl_verifies(&public, &signature, payload.as_bytes()));
}

#[test]
fn publish_sign_of_a_component_names_its_js_and_every_core_module() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let (key, public) = keygen(dir.path(), "release");
    let file = write(dir.path(), "counter.component.wasm", &component::v1());
    signed_publish(&file, None, "counter", "1.0.0", To::Registry(&reg), &key);
    let entry = entry(&reg, "counter", "1.0.0");
    assert!(!entry.cores.is_empty());
    let payload = std::fs::read_to_string(reg.join("packages/counter/1.0.0.payload.json")).unwrap();
    assert_eq!(payload, static_payload("counter", &entry));
    assert!(payload.contains(r#""kind":"jco""#), "{payload}");
    for core in &entry.cores {
        assert!(
            payload.contains(&format!(
                r#"{{"name":"{}","digest":"{}"}}"#,
                core.name, core.digest
            )),
            "{payload}"
        );
    }
    let signature = std::fs::read_to_string(reg.join("packages/counter/1.0.0.sig")).unwrap();
    assert!(openssl_verifies(&public, &signature, payload.as_bytes()));
}

#[test]
fn publish_next_sign_signs_the_dev_version_it_picks() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let (key, public) = keygen(dir.path(), "dev");
    let m = module(dir.path(), "m.wasm", &counter(""));
    let run = hotswap(&[
        "publish".as_ref(),
        m.as_os_str(),
        "--name=counter".as_ref(),
        "--next".as_ref(),
        "--registry".as_ref(),
        reg.as_os_str(),
        "--sign".as_ref(),
        key.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let version = run.json()["version"].as_str().unwrap().to_string();
    let entry = entry(&reg, "counter", &version);
    let signature =
        std::fs::read_to_string(reg.join(format!("packages/counter/{version}.sig"))).unwrap();
    assert!(openssl_verifies(
        &public,
        &signature,
        static_payload("counter", &entry).as_bytes()
    ));
}

#[test]
fn publish_sign_refuses_an_encrypted_key_and_a_key_that_is_not_p256_before_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let m = module(dir.path(), "m.wasm", &counter(""));
    let encrypted = dir.path().join("enc.key");
    let rsa = dir.path().join("rsa.key");
    openssl_ok(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-aes256",
        "-pass",
        "pass:secret",
        "-out",
        encrypted.to_str().unwrap(),
    ]);
    openssl_ok(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        rsa.to_str().unwrap(),
    ]);
    for (key, expected) in [(&encrypted, "encrypted"), (&rsa, "RSA")] {
        let mut args = publish_args(&m, "counter", "1.0.0", To::Registry(&reg));
        args.extend(["--sign".into(), key.into(), "--json".into()]);
        let run = hotswap(&args);
        assert_eq!(run.code, 2, "{}", run.stdout);
        let error = &run.json()["error"];
        assert_eq!(error["code"], "INVALID_KEY");
        assert!(
            error["message"].as_str().unwrap().contains(expected),
            "{error}"
        );
        assert!(
            !reg.exists(),
            "nothing is published with a key that cannot sign"
        );
    }
}

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/oci-registry.sh");

/// The real registry for one test, stopped when dropped; `None` (skipped) only with
/// `HOTSWAP_OCI_OPTIONAL=1`.
struct Oci {
    dir: tempfile::TempDir,
    url: String,
}

impl Oci {
    fn start() -> Option<Oci> {
        let dir = tempfile::tempdir().unwrap();
        let output = Command::new("bash")
            .args([SCRIPT, "start"])
            .env("OCI_REGISTRY_DIR", dir.path())
            .output()
            .expect("bash runs");
        if !output.status.success() {
            if std::env::var("HOTSWAP_OCI_OPTIONAL").as_deref() == Ok("1") {
                eprintln!("SKIPPED: no OCI registry");
                return None;
            }
            panic!(
                "oci-registry.sh: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        let url = stdout
            .lines()
            .find_map(|l| l.strip_prefix("OCI_REGISTRY="))
            .expect("OCI_REGISTRY=")
            .to_string();
        Some(Oci { dir, url })
    }
}

impl Drop for Oci {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .args([SCRIPT, "stop"])
            .env("OCI_REGISTRY_DIR", self.dir.path())
            .status();
    }
}

fn get(url: &str, accept: &str) -> (u16, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.get(url).header("accept", accept).call().unwrap();
    let status = response.status().as_u16();
    (
        status,
        response.body_mut().read_to_vec().unwrap_or_default(),
    )
}

#[test]
fn oci_publish_sign_pushes_cosigns_signature_tag_layer_and_annotation_which_openssl_verifies() {
    let Some(registry) = Oci::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keygen(dir.path(), "release");
    let m = module(dir.path(), "m.wasm", &counter(""));
    let oci = format!("{}/acme/counter", registry.url);
    let out = signed_publish(&m, None, "acme/counter", "1.0.0", To::Oci(&oci), &key);

    let base = format!("{}/v2/acme/counter", registry.url);
    let (status, manifest_bytes) = get(&format!("{base}/manifests/1.0.0"), MANIFEST_MEDIA_TYPE);
    assert_eq!(status, 200);
    let digest = Digest::of(&manifest_bytes);
    assert_eq!(out["manifest_digest"], digest.to_string());
    let tag = signature_tag(&digest);
    assert_eq!(tag, format!("sha256-{}.sig", &digest.to_string()[7..]));
    let host = registry.url.split_once("://").unwrap().1;
    assert_eq!(out["signature"], format!("{host}/acme/counter:{tag}"));

    // cosign's layout: an OCI image manifest, the OCI config type, one simple-signing layer
    // annotated with the signature.
    let (status, bytes) = get(&format!("{base}/manifests/{tag}"), MANIFEST_MEDIA_TYPE);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let sig_manifest: Manifest = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(sig_manifest.schema_version, 2);
    assert_eq!(
        sig_manifest.media_type.as_deref(),
        Some(MANIFEST_MEDIA_TYPE)
    );
    assert_eq!(sig_manifest.config.media_type, COSIGN_CONFIG_MEDIA_TYPE);
    let [layer] = sig_manifest.layers.as_slice() else {
        panic!("one layer: {sig_manifest:?}");
    };
    assert_eq!(layer.media_type, SIMPLE_SIGNING_MEDIA_TYPE);
    let signature = &layer.annotations[SIGNATURE_ANNOTATION];

    let (status, payload) = get(&format!("{base}/blobs/{}", layer.digest), "*/*");
    assert_eq!(status, 200);
    assert_eq!(Digest::of(&payload).to_string(), layer.digest);
    assert_eq!(layer.size, payload.len() as u64);
    let reference = format!("{host}/acme/counter");
    assert_eq!(
        payload,
        simple_signing_payload(&reference, &digest).as_bytes()
    );
    let parsed: SimpleSigning = serde_json::from_slice(&payload).unwrap();
    assert_eq!(parsed.check(&digest, "acme/counter"), Ok(()));
    let config: serde_json::Value = {
        let (status, bytes) = get(
            &format!("{base}/blobs/{}", sig_manifest.config.digest),
            "*/*",
        );
        assert_eq!(status, 200);
        serde_json::from_slice(&bytes).unwrap()
    };
    assert_eq!(config["rootfs"]["diff_ids"][0], layer.digest);

    assert!(openssl_verifies(&public, signature, &payload));
    let mut changed = payload.clone();
    changed[20] ^= 1;
    assert!(!openssl_verifies(&public, signature, &changed));
}
