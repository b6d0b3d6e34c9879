//! `hotswap publish --oci URL`: publishing to an OCI registry in the CNCF Wasm artifact
//! layout ([`wasm_hotswap::registry::oci`]), under the static publish's rules.
//!
//! What is pushed, for `--name acme/counter --version 1.2.0 --oci http://127.0.0.1:5000/acme/counter`:
//!
//! ```text
//! blob      application/vnd.wasm.config.v0+json  {"created", "architecture": "wasm",
//!                                                 "os": "wasip1", "layerDigests": [<layer>]}
//! blob      application/wasm                     the module, `version` section = 1.2.0
//! blob      application/vnd.wasm-hotswap.glue.v1+javascript
//!                                                a wasm-bindgen module's JS glue (`--glue`),
//!                                                the second layer, after the module's
//! manifest  application/vnd.oci.image.manifest.v1+json, tag 1.2.0, annotations
//!           org.opencontainers.image.version = 1.2.0, .created, and the module's
//!           metadata sections under their OCI names (description, licenses, source, …)
//! ```
//!
//! The rules are [`crate::registry::publish::publish`]'s, with the registry's tags as the
//! published versions: the `version` section is checked or written the same way, `V` must be
//! greater than every semver tag, and the bump from the highest one must cover the interface
//! change from the module that tag holds (fetched and verified against its manifest).
//!
//! - [`client`]: blocking HTTP with the anonymous bearer-token flow;
//! - [`push`]: the rules, then the blobs (skipped when the registry has them), then the
//!   manifest;
//! - [`push_component`]: the same for a component, whose manifest has the component's
//!   `application/wasm` layer first, then its JS and each core module (`os` `wasip2`).
//!
//! The command's report is [`crate::commands::publish::oci`]'s.
//!
//! Limitations: anonymous tokens only (no username/password; a registry that asks for Basic
//! credentials is an error naming it); like the static publish, no lock against a concurrent
//! publisher of the same repository.

pub mod client;
pub mod push;
pub mod push_component;
pub mod signature;

use wasm_hotswap::registry::oci::check_repository;

use crate::exit::{Exit, Failure};
use crate::registry::PackageName;

/// Where `--oci` points: a registry and a repository in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `http(s)://host[:port]`, no trailing `/`.
    pub base: String,
    /// `acme/counter`.
    pub repository: String,
    /// The key each version pushed is signed with (`publish --sign`), in cosign's layout.
    pub signer: Option<crate::sign::Signer>,
}

impl Target {
    /// Reads `--oci`: `http(s)://host[:port]/repository/path` (an `oci+` prefix is allowed);
    /// without a path the repository is the package `name`. A URL without a scheme is https.
    ///
    /// - `http://127.0.0.1:5000/acme/counter` => base `http://127.0.0.1:5000`, `acme/counter`
    /// - `ghcr.io/acme` with name `counter` => `https://ghcr.io`, `acme`
    /// - `oci+http://127.0.0.1:5000` with name `acme/counter` => `acme/counter`
    ///
    /// # Errors
    /// `USAGE` (exit 64) for a repository the distribution spec does not allow.
    pub fn parse(text: &str, name: &PackageName) -> Result<Target, Failure> {
        let text = text.strip_prefix("oci+").unwrap_or(text);
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme @ ("http" | "https"), rest)) => (scheme, rest),
            Some((other, _)) => {
                return Err(usage(format!(
                    "--oci `{text}`: scheme `{other}` is not http or https"
                )))
            }
            None => ("https", text),
        };
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() {
            return Err(usage(format!("--oci `{text}` names no host")));
        }
        let path = path.trim_end_matches('/');
        let repository = if path.is_empty() {
            name.to_string()
        } else {
            path.to_string()
        };
        check_repository(&repository, "oci").map_err(|e| usage(format!("--oci `{text}`: {e}")))?;
        Ok(Target {
            base: format!("{scheme}://{host}"),
            repository,
            signer: None,
        })
    }

    /// `base/v2/<repository>/<rest>`.
    pub fn url(&self, rest: &str) -> String {
        format!("{}/v2/{}/{rest}", self.base, self.repository)
    }

    /// The same target, each version pushed to it signed by `signer`.
    pub fn signed_by(self, signer: Option<crate::sign::Signer>) -> Self {
        Target { signer, ..self }
    }

    /// `host[:port]/repository`, the `docker-reference` a signature names.
    pub fn repository_reference(&self) -> String {
        let host = self.base.split_once("://").map_or(&*self.base, |(_, h)| h);
        format!("{host}/{}", self.repository)
    }

    /// `host[:port]/repository:tag`, the reference other OCI tools take.
    pub fn reference(&self, tag: &str) -> String {
        let host = self.base.split_once("://").map_or(&*self.base, |(_, h)| h);
        format!("{host}/{}:{tag}", self.repository)
    }
}

fn usage(message: String) -> Failure {
    Failure::new(Exit::Usage, "USAGE", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oci_targets_take_the_repository_from_the_url_or_the_name() {
        let name: PackageName = "acme/counter".parse().unwrap();
        let t = Target::parse("http://127.0.0.1:5000/acme/counter", &name).unwrap();
        assert_eq!(t.base, "http://127.0.0.1:5000");
        assert_eq!(t.repository, "acme/counter");
        assert_eq!(
            t.url("tags/list"),
            "http://127.0.0.1:5000/v2/acme/counter/tags/list"
        );
        assert_eq!(t.reference("1.0.0"), "127.0.0.1:5000/acme/counter:1.0.0");
        let t = Target::parse("oci+http://127.0.0.1:5000/", &name).unwrap();
        assert_eq!(t.repository, "acme/counter");
        let t = Target::parse("ghcr.io/acme/wasm/counter", &name).unwrap();
        assert_eq!(t.base, "https://ghcr.io");
        assert_eq!(t.repository, "acme/wasm/counter");
        for bad in [
            "ftp://x/y",
            "http:///acme",
            "http://h/Acme",
            "http://h/a//b",
        ] {
            let err = Target::parse(bad, &name).unwrap_err();
            assert_eq!(err.code, "USAGE", "{bad}");
        }
    }
}
