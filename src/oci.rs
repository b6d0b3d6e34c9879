//! OCI registries: the Wasm artifact layout, and the pure parts of talking to a registry
//! (bearer challenges, `Link` pagination, tag selection, manifest checks). The browser's
//! requests are in `oci_fetch`; the CLI pushes with the same types.
//!
//! A module is stored as the CNCF Wasm OCI artifact (what wkg and `oci-wasm` push and pull):
//!
//! ```text
//! image manifest   application/vnd.oci.image.manifest.v1+json, schemaVersion 2, tagged with
//!                  the version (`1.2.0`), annotation org.opencontainers.image.version
//!   config         application/vnd.wasm.config.v0+json
//!                  {"created", "architecture": "wasm", "os": "wasip1", "layerDigests": [..]}
//!   one layer      application/wasm: the module's bytes, `version` section included
//! ```
//!
//! Resolving `name` + range against a registry:
//! 1. `GET /v2/<name>/tags/list`, following `Link: <…>; rel="next"` pages;
//! 2. keep the tags that are semantic versions and pick one with [`Wanted::select`]'s rule
//!    ([`select_tag`]); OCI has no yank flag, so a deleted tag is the way to withdraw one;
//! 3. `GET /v2/<name>/manifests/<tag>` with `Accept: application/vnd.oci.image.manifest.v1+json`
//!    and check it is a Wasm artifact ([`Manifest::wasm_layer`]);
//! 4. the layer is `GET /v2/<name>/blobs/<digest>` (registries may redirect it to storage),
//!    verified against the digest the manifest names: a response header is never trusted.
//!
//! A registry that wants a token answers 401 with `WWW-Authenticate: Bearer realm="…",
//! service="…",scope="…"`; the client asks the realm anonymously for a token
//! ([`Challenge::token_url`]) and repeats the request with `Authorization: Bearer <token>`.

use std::collections::BTreeMap;

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::resolve::{Entry, Index, Wanted};

/// The image manifest's media type.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// The Wasm config's media type.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The layer's media type: the module's bytes.
pub const LAYER_MEDIA_TYPE: &str = "application/wasm";
/// The config's `architecture`.
pub const ARCHITECTURE: &str = "wasm";
/// The config's `os` for a core module (`wasip2` is for components). The spec asks for a
/// `GOOS`-like value and core modules have none, so `wasip1` it is, as `oci-wasm` writes.
pub const MODULE_OS: &str = "wasip1";
/// The annotation holding the version, the OCI twin of the `version` custom section.
pub const VERSION_ANNOTATION: &str = "org.opencontainers.image.version";

/// A content descriptor: what a manifest says about a blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The blob's media type.
    pub media_type: String,
    /// `sha256:<hex>` (OCI allows other algorithms; this runtime does not).
    pub digest: String,
    /// The blob's size in bytes.
    pub size: u64,
    /// Annotations (`org.opencontainers.image.title`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// An OCI image manifest, as much of it as a Wasm artifact uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always 2.
    pub schema_version: u32,
    /// [`MANIFEST_MEDIA_TYPE`]; optional in the spec, always written here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The config blob.
    pub config: Descriptor,
    /// The layers: exactly one for a Wasm artifact.
    pub layers: Vec<Descriptor>,
    /// Annotations, [`VERSION_ANNOTATION`] among them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// The Wasm config blob (`application/vnd.wasm.config.v0+json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WasmConfig {
    /// When it was made, RFC 3339.
    pub created: String,
    /// Who made it, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Always [`ARCHITECTURE`].
    pub architecture: String,
    /// [`MODULE_OS`] for a core module.
    pub os: String,
    /// The layers' digests in manifest order (this makes every config, and so its digest,
    /// unique to its layers).
    pub layer_digests: Vec<String>,
}

impl Manifest {
    /// A Wasm artifact's manifest: `config`, one `layer`, and `annotations`.
    pub fn wasm(
        config: Descriptor,
        layer: Descriptor,
        annotations: BTreeMap<String, String>,
    ) -> Self {
        Manifest {
            schema_version: 2,
            media_type: Some(MANIFEST_MEDIA_TYPE.to_string()),
            config,
            layers: vec![layer],
            annotations,
        }
    }

    /// Checks that this is a Wasm artifact's manifest for `version`, and returns its one
    /// layer's digest and size:
    ///
    /// - `schemaVersion` 2, `mediaType` absent or [`MANIFEST_MEDIA_TYPE`] (an image index, a
    ///   Docker manifest => refused);
    /// - `config.mediaType` [`CONFIG_MEDIA_TYPE`] (a container image's config => refused);
    /// - exactly one layer, of media type [`LAYER_MEDIA_TYPE`], with a `sha256:` digest;
    /// - [`VERSION_ANNOTATION`], when present, equal to `version` (the tag it was found by).
    ///
    /// # Errors
    /// [`Error::InvalidIndex`] naming `url` and what is wrong.
    pub fn wasm_layer(&self, url: &str, version: &Version) -> Result<(Digest, u64)> {
        let invalid = |reason: String| Error::InvalidIndex {
            url: url.to_string(),
            reason,
        };
        if self.schema_version != 2 {
            return Err(invalid(format!(
                "`schemaVersion` is {}, not 2",
                self.schema_version
            )));
        }
        if let Some(media_type) = self.media_type.as_deref() {
            if media_type != MANIFEST_MEDIA_TYPE {
                return Err(invalid(format!(
                    "its media type is `{media_type}`, not `{MANIFEST_MEDIA_TYPE}`"
                )));
            }
        }
        if self.config.media_type != CONFIG_MEDIA_TYPE {
            return Err(invalid(format!(
                "config media type `{}` is not `{CONFIG_MEDIA_TYPE}`: not a Wasm artifact",
                self.config.media_type
            )));
        }
        let [layer] = self.layers.as_slice() else {
            return Err(invalid(format!(
                "it has {} layers; a Wasm artifact has exactly one",
                self.layers.len()
            )));
        };
        if layer.media_type != LAYER_MEDIA_TYPE {
            return Err(invalid(format!(
                "layer media type `{}` is not `{LAYER_MEDIA_TYPE}`",
                layer.media_type
            )));
        }
        let digest = layer
            .digest
            .parse()
            .map_err(|e| invalid(format!("layer digest: {e}")))?;
        if let Some(annotated) = self.annotations.get(VERSION_ANNOTATION) {
            if annotated != &version.to_string() {
                return Err(invalid(format!(
                    "annotation `{VERSION_ANNOTATION}` says {annotated}, but the tag is {version}"
                )));
            }
        }
        Ok((digest, layer.size))
    }
}

/// The version `wanted` selects among a repository's `tags`, by [`Wanted::select`]'s rule
/// (the highest match; prereleases only for a range that names one). Tags that are not
/// semantic versions (`latest`, `v1.2.0`, `main`) are ignored. Returns the version and the
/// tag it was listed as.
///
/// - tags `1.0.0 1.2.0 latest 2.0.0-rc.1`, `^1` => `1.2.0`; `>=2.0.0-rc.1` => `2.0.0-rc.1`
///
/// # Errors
/// [`Error::NoMatchingVersion`] naming the repository, what was asked and the versions found.
pub fn select_tag<'a>(
    repository: &str,
    tags: &'a [String],
    wanted: &Wanted,
) -> Result<(Version, &'a str)> {
    // The index format's selection rule, on an index of the tags (OCI tags have no digest
    // until their manifest is read, and no yank flag).
    let mut index = Index {
        name: repository.to_string(),
        versions: Vec::new(),
    };
    for tag in tags {
        if let Ok(version) = Version::parse(tag) {
            index.insert(Entry {
                version,
                digest: String::new(),
                size: 0,
                yanked: false,
                published: String::new(),
            });
        }
    }
    let version = index.resolve(wanted)?.version.clone();
    let tag = tags
        .iter()
        .find(|tag| Version::parse(tag).ok().as_ref() == Some(&version))
        .expect("the selected version came from a tag");
    Ok((version, tag))
}

/// The highest semver tag by precedence, prerelease or not: what a new version must exceed.
pub fn newest_tag(tags: &[String]) -> Option<Version> {
    tags.iter()
        .filter_map(|tag| Version::parse(tag).ok())
        .max_by(|a, b| a.cmp_precedence(b))
}

/// Checks an OCI repository name (distribution spec): path components of lowercase letters
/// and digits, joined inside by `.`, `_`, `__` or runs of `-`, separated by `/`.
///
/// - `counter`, `acme/counter`, `acme/wasm/my-app.core__2` => ok
/// - `Acme/counter`, `acme//counter`, `-counter`, `counter_`, `a___b`, `` => refused
///
/// # Errors
/// [`Error::InvalidOptions`] for `option`, naming the component at fault.
pub fn check_repository(name: &str, option: &'static str) -> Result<()> {
    let refuse = |problem: String| {
        Error::InvalidOptions {
        option,
        reason: format!(
            "OCI repository `{name}`: {problem}; each `/`-separated part is lowercase letters and digits, joined by `.`, `_`, `__` or `-`"
        ),
    }
    };
    for part in name.split('/') {
        let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        let bytes = part.as_bytes();
        if bytes.is_empty() {
            return Err(refuse("a part is empty".into()));
        }
        if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
            return Err(refuse(format!(
                "`{part}` must start and end with a lowercase letter or a digit"
            )));
        }
        let mut i = 0;
        while i < bytes.len() {
            if alnum(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && !alnum(bytes[i]) {
                i += 1;
            }
            let separator = &part[start..i];
            let ok = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
            if !ok {
                return Err(refuse(format!("`{part}` contains `{separator}`")));
            }
        }
    }
    Ok(())
}

/// A registry's base URL without a trailing `/` and without the `oci+` prefix a registry
/// option may carry: `oci+http://127.0.0.1:5000/` => `http://127.0.0.1:5000`.
pub fn base_url(registry: &str) -> &str {
    let base = registry.strip_prefix("oci+").unwrap_or(registry);
    base.trim_end_matches('/')
}

/// The scheme and authority of `url`: `http://host:5000/v2/x` => `http://host:5000`.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

/// Resolves a `Link` target or a `Location` against the URL of the request that returned it:
/// absolute URLs stay, `/v2/…` gets the request's origin, anything else its directory.
pub fn resolve_url(request_url: &str, target: &str) -> String {
    if target.starts_with("http://") || target.starts_with("https://") {
        target.to_string()
    } else if target.starts_with('/') {
        format!("{}{target}", origin(request_url))
    } else {
        let path_end = request_url.find('?').unwrap_or(request_url.len());
        let dir = &request_url[..path_end];
        let dir = &dir[..dir.rfind('/').map_or(dir.len(), |i| i + 1)];
        format!("{dir}{target}")
    }
}

/// The `rel="next"` target of a `Link` header (RFC 8288), as tag and catalog listings page:
/// `</v2/acme/counter/tags/list?n=2&last=1.1.0>; rel="next"` => `/v2/acme/…&last=1.1.0`.
pub fn next_link(header: &str) -> Option<&str> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let params_end = rest[close..].find('<').map_or(rest.len(), |i| close + i);
        let params = &rest[close + 1..params_end];
        let is_next = params.split(';').any(|param| {
            let Some((key, value)) = param.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target);
        }
        rest = &rest[params_end..];
    }
    None
}

/// A `Bearer` challenge from `WWW-Authenticate` (RFC 6750, and the Docker/OCI token flow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Where to ask for a token.
    pub realm: String,
    /// The `service` to name in the token request.
    pub service: Option<String>,
    /// The `scope` to ask for: `repository:acme/counter:pull`.
    pub scope: Option<String>,
}

impl Challenge {
    /// Reads the `Bearer` challenge of a `WWW-Authenticate` value, which may list several
    /// challenges (`Basic realm="r", Bearer realm="…"`). Schemes and parameter names are
    /// case-insensitive; values are tokens or quoted strings (with `\` escapes, and commas
    /// inside, as scopes have).
    ///
    /// - `Bearer realm="https://auth/token",service="reg",scope="repository:a/b:pull,push"`
    ///   => realm, service and scope
    /// - `Basic realm="registry"`, `Bearer service="x"` (no realm), `` => `None`
    pub fn parse(header: &str) -> Option<Challenge> {
        let mut params = AuthParams::new(header);
        let mut current_is_bearer = false;
        let mut found: Option<Challenge> = None;
        while let Some(item) = params.next() {
            match item {
                AuthItem::Scheme(scheme) => {
                    if found.as_ref().is_some_and(|c| !c.realm.is_empty()) {
                        break;
                    }
                    current_is_bearer = scheme.eq_ignore_ascii_case("bearer");
                    if current_is_bearer {
                        found = Some(Challenge {
                            realm: String::new(),
                            service: None,
                            scope: None,
                        });
                    }
                }
                AuthItem::Param(key, value) if current_is_bearer => {
                    let challenge = found.as_mut().expect("a bearer challenge is open");
                    match key.to_ascii_lowercase().as_str() {
                        "realm" => challenge.realm = value,
                        "service" => challenge.service = Some(value),
                        "scope" => challenge.scope = Some(value),
                        _ => {}
                    }
                }
                AuthItem::Param(..) => {}
            }
        }
        found.filter(|c| !c.realm.is_empty())
    }

    /// The token request: the realm with `service` and each space-separated `scope` as query
    /// parameters, percent-encoded.
    ///
    /// - realm `http://a/token`, service `reg`, scope `repository:x/y:pull`
    ///   => `http://a/token?service=reg&scope=repository%3Ax%2Fy%3Apull`
    pub fn token_url(&self) -> String {
        let mut url = self.realm.clone();
        let mut separator = if url.contains('?') { '&' } else { '?' };
        let mut add = |key: &str, value: &str| {
            url.push(separator);
            url.push_str(key);
            url.push('=');
            url.push_str(&percent_encode(value));
            separator = '&';
        };
        if let Some(service) = &self.service {
            add("service", service);
        }
        if let Some(scope) = &self.scope {
            for scope in scope.split_ascii_whitespace() {
                add("scope", scope);
            }
        }
        url
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

enum AuthItem {
    Scheme(String),
    Param(String, String),
}

/// A tokenizer for `WWW-Authenticate`: `scheme`, then `key=value` pairs, commas between.
struct AuthParams<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> AuthParams<'a> {
    fn new(text: &'a str) -> Self {
        AuthParams {
            text: text.as_bytes(),
            at: 0,
        }
    }

    fn skip(&mut self, also_commas: bool) {
        while self.at < self.text.len()
            && (self.text[self.at].is_ascii_whitespace()
                || (also_commas && self.text[self.at] == b','))
        {
            self.at += 1;
        }
    }

    fn token(&mut self) -> String {
        let start = self.at;
        while self.at < self.text.len()
            && !self.text[self.at].is_ascii_whitespace()
            && !matches!(self.text[self.at], b',' | b'=' | b'"')
        {
            self.at += 1;
        }
        String::from_utf8_lossy(&self.text[start..self.at]).into_owned()
    }

    fn quoted(&mut self) -> String {
        let mut out = Vec::new();
        self.at += 1; // the opening quote
        while self.at < self.text.len() {
            match self.text[self.at] {
                b'"' => {
                    self.at += 1;
                    break;
                }
                b'\\' if self.at + 1 < self.text.len() => {
                    out.push(self.text[self.at + 1]);
                    self.at += 2;
                }
                byte => {
                    out.push(byte);
                    self.at += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn next(&mut self) -> Option<AuthItem> {
        self.skip(true);
        if self.at >= self.text.len() {
            return None;
        }
        let word = self.token();
        if word.is_empty() {
            // A stray `=` or `"`: step over it rather than loop.
            self.at += 1;
            return self.next();
        }
        let after_word = self.at;
        self.skip(false);
        if self.text.get(self.at) == Some(&b'=') {
            self.at += 1;
            self.skip(false);
            let value = if self.text.get(self.at) == Some(&b'"') {
                self.quoted()
            } else {
                self.token()
            };
            return Some(AuthItem::Param(word, value));
        }
        self.at = after_word;
        Some(AuthItem::Scheme(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn descriptor(media_type: &str) -> Descriptor {
        Descriptor {
            media_type: media_type.into(),
            digest: D.into(),
            size: 8,
            annotations: BTreeMap::new(),
        }
    }

    fn wasm_manifest() -> Manifest {
        let annotations = BTreeMap::from([(VERSION_ANNOTATION.to_string(), "1.2.0".to_string())]);
        Manifest::wasm(
            descriptor(CONFIG_MEDIA_TYPE),
            descriptor(LAYER_MEDIA_TYPE),
            annotations,
        )
    }

    #[test]
    fn bearer_challenges_are_read_with_quoted_commas_and_any_case() {
        let c = Challenge::parse(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:acme/counter:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.realm, "https://auth.example/token");
        assert_eq!(c.service.as_deref(), Some("registry.example"));
        assert_eq!(
            c.scope.as_deref(),
            Some("repository:acme/counter:pull,push")
        );

        let c = Challenge::parse(
            r#"Basic realm="basic", bearer  Realm = "http://a/t" , SCOPE="x:y:pull""#,
        )
        .unwrap();
        assert_eq!(c.realm, "http://a/t");
        assert_eq!(c.service, None);
        assert_eq!(c.scope.as_deref(), Some("x:y:pull"));

        let c = Challenge::parse(r#"Bearer realm="http://a/\"q\"",service=plain"#).unwrap();
        assert_eq!(c.realm, r#"http://a/"q""#);
        assert_eq!(c.service.as_deref(), Some("plain"));
    }

    #[test]
    fn challenges_without_a_bearer_realm_are_none() {
        for header in [
            r#"Basic realm="registry""#,
            r#"Bearer service="x""#,
            "",
            "Bearer",
            r#"="x", ,,"#,
        ] {
            assert_eq!(Challenge::parse(header), None, "{header}");
        }
    }

    #[test]
    fn token_urls_carry_service_and_each_scope_encoded() {
        let c = Challenge {
            realm: "http://a/token".into(),
            service: Some("reg".into()),
            scope: Some("repository:x/y:pull repository:x/z:pull,push".into()),
        };
        assert_eq!(
            c.token_url(),
            "http://a/token?service=reg&scope=repository%3Ax%2Fy%3Apull&scope=repository%3Ax%2Fz%3Apull%2Cpush"
        );
        let bare = Challenge {
            realm: "http://a/token?x=1".into(),
            service: None,
            scope: Some("s".into()),
        };
        assert_eq!(bare.token_url(), "http://a/token?x=1&scope=s");
    }

    #[test]
    fn a_wasm_artifact_manifest_yields_its_layer() {
        let (digest, size) = wasm_manifest()
            .wasm_layer("u", &"1.2.0".parse().unwrap())
            .unwrap();
        assert_eq!(digest.to_string(), D);
        assert_eq!(size, 8);
    }

    #[test]
    fn manifests_that_are_not_wasm_artifacts_are_invalid_index_naming_the_field() {
        let version: Version = "1.2.0".parse().unwrap();
        type Spoil = Box<dyn Fn(&mut Manifest)>;
        let cases: Vec<(Spoil, &str)> = vec![
            (Box::new(|m| m.schema_version = 1), "`schemaVersion` is 1"),
            (
                Box::new(|m| m.media_type = Some("application/vnd.oci.image.index.v1+json".into())),
                "media type is `application/vnd.oci.image.index.v1+json`",
            ),
            (
                Box::new(|m| {
                    m.config.media_type = "application/vnd.oci.image.config.v1+json".into()
                }),
                "config media type `application/vnd.oci.image.config.v1+json`",
            ),
            (Box::new(|m| m.layers.clear()), "it has 0 layers"),
            (
                Box::new(|m| m.layers.push(m.layers[0].clone())),
                "it has 2 layers",
            ),
            (
                Box::new(|m| {
                    m.layers[0].media_type = "application/vnd.oci.image.layer.v1.tar+gzip".into()
                }),
                "layer media type `application/vnd.oci.image.layer.v1.tar+gzip`",
            ),
            (
                Box::new(|m| m.layers[0].digest = "sha512:abcd".into()),
                "layer digest: invalid digest `sha512:abcd`",
            ),
            (
                Box::new(|m| {
                    m.annotations
                        .insert(VERSION_ANNOTATION.into(), "1.3.0".into());
                }),
                "says 1.3.0, but the tag is 1.2.0",
            ),
        ];
        for (spoil, expected) in cases {
            let mut manifest = wasm_manifest();
            spoil(&mut manifest);
            let err = manifest
                .wasm_layer("http://r/v2/acme/counter/manifests/1.2.0", &version)
                .unwrap_err();
            assert_eq!(err.code(), "INVALID_INDEX");
            let text = err.to_string();
            assert!(text.contains(expected), "{text}");
            assert!(
                text.contains("http://r/v2/acme/counter/manifests/1.2.0"),
                "{text}"
            );
        }
        let mut no_media_type = wasm_manifest();
        no_media_type.media_type = None;
        no_media_type.annotations.clear();
        assert!(no_media_type.wasm_layer("u", &version).is_ok());
    }

    #[test]
    fn manifest_json_has_the_spec_field_names() {
        let json = serde_json::to_value(wasm_manifest()).unwrap();
        assert_eq!(json["schemaVersion"], 2);
        assert_eq!(json["mediaType"], MANIFEST_MEDIA_TYPE);
        assert_eq!(json["config"]["mediaType"], CONFIG_MEDIA_TYPE);
        assert_eq!(json["layers"][0]["mediaType"], LAYER_MEDIA_TYPE);
        assert_eq!(json["annotations"][VERSION_ANNOTATION], "1.2.0");
        assert!(json["config"].get("annotations").is_none());
        let config = WasmConfig {
            created: "2026-05-20T10:00:00Z".into(),
            author: None,
            architecture: ARCHITECTURE.into(),
            os: MODULE_OS.into(),
            layer_digests: vec![D.into()],
        };
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(json["layerDigests"][0], D);
        assert_eq!(json["architecture"], "wasm");
        assert!(json.get("author").is_none());
    }

    #[test]
    fn tags_select_by_the_index_rule_ignoring_non_versions() {
        let tags: Vec<String> = ["1.0.0", "latest", "1.2.0", "v1.3.0", "2.0.0-rc.1", "main"]
            .map(String::from)
            .to_vec();
        let table = [
            ("^1", Some("1.2.0")),
            ("~1.0", Some("1.0.0")),
            (">=2.0.0-rc.1", Some("2.0.0-rc.1")),
            ("*", Some("1.2.0")),
            ("^2", None),
        ];
        for (range, expected) in table {
            let wanted = Wanted::range(range, "range").unwrap();
            let got = select_tag("acme/counter", &tags, &wanted)
                .ok()
                .map(|(v, tag)| {
                    assert_eq!(v.to_string(), tag);
                    v.to_string()
                });
            assert_eq!(got.as_deref(), expected, "{range}");
        }
        let err = select_tag(
            "acme/counter",
            &tags,
            &Wanted::range("^3", "range").unwrap(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "NO_MATCHING_VERSION");
        assert_eq!(
            err.to_string(),
            "no version of `acme/counter` matches `^3`; published: 1.0.0, 1.2.0, 2.0.0-rc.1"
        );
        let exact = Wanted::version("1.0.0", "version").unwrap();
        assert_eq!(select_tag("x", &tags, &exact).unwrap().1, "1.0.0");
        assert_eq!(newest_tag(&tags).unwrap().to_string(), "2.0.0-rc.1");
        assert_eq!(newest_tag(&["latest".to_string()]), None);
    }

    #[test]
    fn repository_names_follow_the_distribution_grammar() {
        for ok in [
            "counter",
            "acme/counter",
            "acme/wasm/my-app.core__2",
            "a--b",
            "0",
        ] {
            assert!(check_repository(ok, "name").is_ok(), "{ok}");
        }
        for bad in [
            "Acme/counter",
            "acme//counter",
            "-counter",
            "counter_",
            "a___b",
            "",
            "a..b",
            "a b",
            "/x",
            "x/",
        ] {
            let err = check_repository(bad, "name").unwrap_err();
            assert_eq!(err.code(), "INVALID_OPTIONS", "{bad}");
        }
    }

    #[test]
    fn link_headers_and_locations_resolve_against_the_request() {
        assert_eq!(
            next_link(r#"</v2/acme/counter/tags/list?n=2&last=1.1.0>; rel="next""#),
            Some("/v2/acme/counter/tags/list?n=2&last=1.1.0")
        );
        assert_eq!(
            next_link(r#"<https://a/prev>; rel=prev, <https://a/next>; rel="next last""#),
            Some("https://a/next")
        );
        assert_eq!(next_link(r#"<https://a/prev>; rel="prev""#), None);
        assert_eq!(next_link(""), None);
        let request = "http://127.0.0.1:5000/v2/acme/counter/tags/list?n=2";
        assert_eq!(
            resolve_url(request, "/v2/acme/counter/tags/list?last=b"),
            "http://127.0.0.1:5000/v2/acme/counter/tags/list?last=b"
        );
        assert_eq!(resolve_url(request, "https://cdn/x"), "https://cdn/x");
        assert_eq!(
            resolve_url(request, "list?last=b"),
            "http://127.0.0.1:5000/v2/acme/counter/tags/list?last=b"
        );
        assert_eq!(
            base_url("oci+http://127.0.0.1:5000/"),
            "http://127.0.0.1:5000"
        );
        assert_eq!(base_url("https://ghcr.io"), "https://ghcr.io");
    }
}
