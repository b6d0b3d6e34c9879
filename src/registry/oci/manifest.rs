//! The CNCF Wasm OCI artifact: its media types, the image manifest and config a module is
//! stored under, and the check that a manifest is one ([`Manifest::wasm_layers`]).

use std::collections::BTreeMap;

use semver::Version;
use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::error::Result;
use crate::registry::index::GlueKind;
use crate::registry::invalid_index;

/// The image manifest's media type.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// The Wasm config's media type.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The layer's media type: the module's bytes.
pub const LAYER_MEDIA_TYPE: &str = "application/wasm";
/// The media type of a wasm-bindgen guest's second layer: its JS glue, the `.js` file
/// `wasm-bindgen --target web` wrote for the module.
///
/// Why this name: the glue is wasm-hotswap's extension of the CNCF Wasm artifact, so it is in
/// the vendor tree under the project's name rather than a generic `text/javascript`, which
/// would not say that the layer is this module's glue (nor which glue contract: `v1` is the
/// `--target web` ES module, instantiated from its text); the `+javascript` suffix says what
/// its bytes are. Tools that know only the Wasm artifact take the `application/wasm` layer,
/// which comes first, and leave this one alone.
pub const GLUE_MEDIA_TYPE: &str = "application/vnd.wasm-hotswap.glue.v1+javascript";
/// The media type of a component's transpiled JS: the ES module `jco transpile
/// --instantiation async` wrote, whose `instantiate(getCoreModule, imports)` the runtime runs.
/// It follows the component's own [`LAYER_MEDIA_TYPE`] layer, which stays first so that
/// other OCI Wasm tools (`wkg oci pull`) take the component and leave the rest.
pub const JCO_MEDIA_TYPE: &str = "application/vnd.wasm-hotswap.jco.v1+javascript";
/// The media type of an AssemblyScript guest's second layer: the JS `asc --bindings raw`
/// wrote for the module, whose `instantiate(module, imports)` the runtime runs with the
/// verified module of the first layer.
pub const ASSEMBLYSCRIPT_MEDIA_TYPE: &str =
    "application/vnd.wasm-hotswap.assemblyscript.v1+javascript";
/// The media type of each of a component's core modules, after its [`JCO_MEDIA_TYPE`] layer,
/// in the order jco wrote them; the annotation [`TITLE_ANNOTATION`] is the name the JS asks
/// `getCoreModule` for.
pub const CORE_MEDIA_TYPE: &str = "application/vnd.wasm-hotswap.core.v1+wasm";
/// The annotation naming a layer's file.
pub const TITLE_ANNOTATION: &str = "org.opencontainers.image.title";
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
    /// The layers: the module's, then a wasm-bindgen guest's glue.
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

/// A blob a manifest's layer names, its digest checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// The digest the blob's bytes must have.
    pub digest: Digest,
    /// Its size in bytes.
    pub size: u64,
}

/// The layers of a Wasm artifact: the module, and a wasm-bindgen guest's glue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WasmLayers {
    /// The [`LAYER_MEDIA_TYPE`] layer: the module.
    pub module: Layer,
    /// The [`GLUE_MEDIA_TYPE`] or [`JCO_MEDIA_TYPE`] layer, if there is one.
    pub glue: Option<Layer>,
    /// Which of the two the glue layer is.
    pub kind: GlueKind,
    /// A component's [`CORE_MEDIA_TYPE`] layers, each with its name.
    pub cores: Vec<(String, Layer)>,
}

impl Manifest {
    /// A Wasm artifact's manifest: `config`, the module's `layer`, then the `glue` layer of a
    /// wasm-bindgen guest, and `annotations`.
    pub fn wasm(
        config: Descriptor,
        layer: Descriptor,
        glue: Option<Descriptor>,
        annotations: BTreeMap<String, String>,
    ) -> Self {
        Manifest {
            schema_version: 2,
            media_type: Some(MANIFEST_MEDIA_TYPE.to_string()),
            config,
            layers: std::iter::once(layer).chain(glue).collect(),
            annotations,
        }
    }

    /// Checks that this is a Wasm artifact's manifest for `version`, and returns its layers:
    ///
    /// - `schemaVersion` 2, `mediaType` absent or [`MANIFEST_MEDIA_TYPE`] (an image index, a
    ///   Docker manifest => refused);
    /// - `config.mediaType` [`CONFIG_MEDIA_TYPE`] (a container image's config => refused);
    /// - the first layer of media type [`LAYER_MEDIA_TYPE`], the module, with a `sha256:`
    ///   digest;
    /// - then nothing, or one layer of media type [`GLUE_MEDIA_TYPE`] (a wasm-bindgen guest's
    ///   glue), or a component's [`JCO_MEDIA_TYPE`] layer and its [`CORE_MEDIA_TYPE`] layers,
    ///   each named by [`TITLE_ANNOTATION`]; every digest `sha256:`;
    /// - [`VERSION_ANNOTATION`], when present, equal to `version` (the tag it was found by).
    ///
    /// # Errors
    /// [`Error::InvalidIndex`](crate::error::Error::InvalidIndex) naming `url` and what is wrong.
    pub fn wasm_layers(&self, url: &str, version: &Version) -> Result<WasmLayers> {
        let invalid = |reason: String| invalid_index(url, reason);
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
        let digest = |layer: &Descriptor, what: &str| {
            layer
                .digest
                .parse::<Digest>()
                .map_err(|e| invalid(format!("{what} digest: {e}")))
        };
        let Some((layer, rest)) = self.layers.split_first() else {
            return Err(invalid(format!(
                "it has no layers; a Wasm artifact has one `{LAYER_MEDIA_TYPE}` layer"
            )));
        };
        if layer.media_type != LAYER_MEDIA_TYPE {
            return Err(invalid(format!(
                "layer media type `{}` is not `{LAYER_MEDIA_TYPE}`",
                layer.media_type
            )));
        }
        let module = Layer {
            digest: digest(layer, "layer")?,
            size: layer.size,
        };
        let (glue, kind, cores) = match rest {
            [] => (None, GlueKind::WasmBindgen, &[][..]),
            [glue] if glue.media_type == GLUE_MEDIA_TYPE => {
                (Some(glue), GlueKind::WasmBindgen, &[][..])
            }
            [glue] if glue.media_type == ASSEMBLYSCRIPT_MEDIA_TYPE => {
                (Some(glue), GlueKind::AssemblyScript, &[][..])
            }
            [glue, cores @ ..] if glue.media_type == JCO_MEDIA_TYPE && !cores.is_empty() => {
                (Some(glue), GlueKind::Jco, cores)
            }
            _ => {
                return Err(invalid(format!(
                    "its layers are {}; a Wasm artifact has one `{LAYER_MEDIA_TYPE}` layer, then for a wasm-bindgen guest one `{GLUE_MEDIA_TYPE}` layer, for an AssemblyScript guest one `{ASSEMBLYSCRIPT_MEDIA_TYPE}` layer, or for a component one `{JCO_MEDIA_TYPE}` layer and one `{CORE_MEDIA_TYPE}` layer for each core module",
                    self.layers.iter().map(|l| format!("`{}`", l.media_type)).collect::<Vec<_>>().join(", ")
                )))
            }
        };
        let glue = match glue {
            Some(glue) => Some(Layer {
                digest: digest(glue, "glue layer")?,
                size: glue.size,
            }),
            None => None,
        };
        let mut named = Vec::with_capacity(cores.len());
        for (i, core) in cores.iter().enumerate() {
            let name = core.annotations.get(TITLE_ANNOTATION);
            let name = match (core.media_type == CORE_MEDIA_TYPE, name) {
                (true, Some(name)) if !name.is_empty() => name.clone(),
                _ => {
                    return Err(invalid(format!(
                        "core layer {i} is not a `{CORE_MEDIA_TYPE}` layer with the annotation `{TITLE_ANNOTATION}` naming the core module"
                    )))
                }
            };
            named.push((
                name,
                Layer {
                    digest: digest(core, "core layer")?,
                    size: core.size,
                },
            ));
        }
        if let Some(annotated) = self.annotations.get(VERSION_ANNOTATION) {
            if annotated != &version.to_string() {
                return Err(invalid(format!(
                    "annotation `{VERSION_ANNOTATION}` says {annotated}, but the tag is {version}"
                )));
            }
        }
        Ok(WasmLayers {
            module,
            glue,
            kind,
            cores: named,
        })
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
            None,
            annotations,
        )
    }

    #[test]
    fn a_wasm_artifact_manifest_yields_its_layer() {
        let layers = wasm_manifest()
            .wasm_layers("u", &"1.2.0".parse().unwrap())
            .unwrap();
        assert_eq!(layers.module.digest.to_string(), D);
        assert_eq!(layers.module.size, 8);
        assert_eq!(layers.glue, None);
    }

    #[test]
    fn a_wasm_bindgen_guest_has_its_glue_as_the_second_layer() {
        let mut manifest = wasm_manifest();
        manifest.layers.push(Descriptor {
            size: 99,
            ..descriptor(GLUE_MEDIA_TYPE)
        });
        let layers = manifest
            .wasm_layers("u", &"1.2.0".parse().unwrap())
            .unwrap();
        assert_eq!(layers.module.size, 8);
        let glue = layers.glue.unwrap();
        assert_eq!((glue.digest.to_string().as_str(), glue.size), (D, 99));
    }

    #[test]
    fn an_assemblyscript_guest_has_its_raw_bindings_as_the_second_layer() {
        let mut manifest = wasm_manifest();
        manifest.layers.push(descriptor(ASSEMBLYSCRIPT_MEDIA_TYPE));
        let layers = manifest
            .wasm_layers("u", &"1.2.0".parse().unwrap())
            .unwrap();
        assert_eq!(layers.kind, GlueKind::AssemblyScript);
        assert!(layers.glue.is_some() && layers.cores.is_empty());
    }

    #[test]
    fn a_components_manifest_has_its_js_and_named_core_layers_after_the_component() {
        let mut manifest = wasm_manifest();
        manifest.layers.push(descriptor(JCO_MEDIA_TYPE));
        for name in ["c.core.wasm", "c.core2.wasm"] {
            manifest.layers.push(Descriptor {
                annotations: BTreeMap::from([(TITLE_ANNOTATION.into(), name.into())]),
                ..descriptor(CORE_MEDIA_TYPE)
            });
        }
        let layers = manifest
            .wasm_layers("u", &"1.2.0".parse().unwrap())
            .unwrap();
        assert_eq!(layers.kind, GlueKind::Jco);
        assert!(layers.glue.is_some());
        let names: Vec<_> = layers.cores.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["c.core.wasm", "c.core2.wasm"]);
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
            (Box::new(|m| m.layers.clear()), "it has no layers"),
            (
                Box::new(|m| m.layers.push(m.layers[0].clone())),
                "its layers are `application/wasm`, `application/wasm`;",
            ),
            (
                Box::new(|m| {
                    m.layers.push(descriptor(GLUE_MEDIA_TYPE));
                    m.layers.push(descriptor(GLUE_MEDIA_TYPE));
                }),
                "its layers are `application/wasm`, `application/vnd.wasm-hotswap.glue.v1+javascript`, `application/vnd.wasm-hotswap.glue.v1+javascript`",
            ),
            (
                Box::new(|m| m.layers.push(descriptor(JCO_MEDIA_TYPE))),
                "or for a component one `application/vnd.wasm-hotswap.jco.v1+javascript` layer and one",
            ),
            (
                Box::new(|m| {
                    m.layers.push(descriptor(JCO_MEDIA_TYPE));
                    m.layers.push(descriptor(CORE_MEDIA_TYPE));
                }),
                "core layer 0 is not a `application/vnd.wasm-hotswap.core.v1+wasm` layer with the annotation `org.opencontainers.image.title`",
            ),
            (
                Box::new(|m| {
                    m.layers.insert(0, descriptor(GLUE_MEDIA_TYPE));
                }),
                "layer media type `application/vnd.wasm-hotswap.glue.v1+javascript` is not",
            ),
            (
                Box::new(|m| {
                    m.layers.push(Descriptor {
                        digest: "md5:x".into(),
                        ..descriptor(GLUE_MEDIA_TYPE)
                    });
                }),
                "glue layer digest: invalid digest `md5:x`",
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
                .wasm_layers("http://r/v2/acme/counter/manifests/1.2.0", &version)
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
        assert!(no_media_type.wasm_layers("u", &version).is_ok());
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
}
