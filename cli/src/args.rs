//! The command line, parsed with clap.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::registry::PackageName;

const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   refused by a rule: publish refused, or `diff --check` found a bump violation
  2   invalid input: the module, a registry index or blob cannot be read (the error has its
      code and byte offset)
  3   I/O error: a file cannot be read or written
  64  usage error: unknown flag, missing argument, malformed --name or --version

With --json, results and errors are JSON on stdout; an error is
{\"error\": {\"code\": \"INVALID_MODULE\", \"message\": \"...\", \"offset\": 12}} with the same exit code.";

/// `hotswap`: inspect, diff and publish WebAssembly modules for wasm-hotswap.
#[derive(Debug, Parser)]
#[command(name = "hotswap", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// Print machine-readable JSON on stdout, errors included.
    #[arg(long, global = true)]
    pub json: bool,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a module's version, digest, metadata, interface, state-protocol support and WIT
    /// sections.
    #[command(after_help = EXIT_CODES)]
    Inspect {
        /// The module file.
        module: PathBuf,
        /// The guest's JS glue (`wasm-bindgen --target web`'s `.js`, or `asc --bindings raw`'s):
        /// the module is then classified as `publish --glue` would publish it.
        #[arg(long, value_name = "FILE")]
        glue: Option<PathBuf>,
    },
    /// Classify the interface change between two modules, check their version bump, and show
    /// the smallest version the change allows.
    #[command(after_help = EXIT_CODES)]
    Diff {
        /// The older module.
        old: PathBuf,
        /// The newer module.
        new: PathBuf,
        /// Exit 1 unless both modules have versions and the bump is large enough.
        #[arg(long)]
        check: bool,
    },
    /// Embed the WIT world of a `.wit` file into a module's `component-type` custom section,
    /// as wit-bindgen does: what a host's `expect.wit` is checked against.
    #[command(after_help = EXIT_CODES)]
    EmbedWit {
        /// The module file.
        module: PathBuf,
        /// The WIT package text to take the world from.
        #[arg(long)]
        wit: PathBuf,
        /// Which world of it, when it has several.
        #[arg(long)]
        world: Option<String>,
        /// Where to write the module with the world.
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Publish a module into a static content-addressed registry folder, or to an OCI
    /// registry as a Wasm artifact (`--oci`).
    #[command(after_help = EXIT_CODES)]
    #[command(group(clap::ArgGroup::new("target").required(true).args(["registry", "oci"])))]
    Publish {
        /// The module file, or a component (`*.component.wasm`), which is transpiled to JS
        /// with jco and published with its core modules.
        module: PathBuf,
        /// A module's JS glue: the `.js` file `wasm-bindgen --target web` wrote beside the
        /// `_bg.wasm` (required for such a module), or the `.js` file `asc --bindings raw`
        /// wrote for an AssemblyScript module, recognized by its first line
        /// `export async function instantiate(module, imports`.
        #[arg(long, value_name = "FILE")]
        glue: Option<PathBuf>,
        /// Package name: lowercase `[a-z0-9]([a-z0-9-_.]*[a-z0-9])?`, optionally `namespace/name`.
        #[arg(long, value_parser = parse_name)]
        name: PackageName,
        /// Version to publish, semver (`1.2.0`, `2.0.0-rc.1`).
        #[arg(long, value_parser = parse_version, required_unless_present = "next")]
        version: Option<semver::Version>,
        /// Instead of --version: the next dev version, as `serve --watch` publishes (the
        /// module's own version for a package's first, then the smallest the interface change
        /// allows); a module equal to the newest published one is not published again.
        /// Registry folders only.
        #[arg(long, conflicts_with_all = ["version", "oci"])]
        next: bool,
        /// The registry folder; created if missing.
        #[arg(long)]
        registry: Option<PathBuf>,
        /// An OCI registry repository instead: `http(s)://host[:port]/repository` (without
        /// a path, the repository is --name).
        #[arg(long, value_name = "URL")]
        oci: Option<String>,
        /// The `jco` program that transpiles a component (default: $HOTSWAP_JCO, else
        /// node_modules/.bin/jco here or above, else jco on PATH).
        #[arg(long, value_name = "PATH")]
        jco: Option<PathBuf>,
        /// Sign the version with this ECDSA P-256 private key (PKCS#8 PEM, unencrypted:
        /// `hotswap keygen`'s NAME.key or openssl's): a registry folder gets
        /// packages/<name>/<version>.sig, an OCI registry cosign's `sha256-<digest>.sig` tag.
        #[arg(long, value_name = "KEY")]
        sign: Option<PathBuf>,
    },
    /// Write an ECDSA P-256 key pair for `publish --sign`: NAME.key (PKCS#8 PEM, mode 0600)
    /// and NAME.pub (SPKI PEM, for `policy.trust.keys`).
    #[command(after_help = EXIT_CODES)]
    Keygen {
        /// The files' path without extension: `release` writes release.key and release.pub.
        name: PathBuf,
    },
    /// Write TypeScript types for a module's exports (`<stem>.types.d.ts`, for
    /// `HotModule.load<Exports>()`) and the `expect` object that holds a swap to them
    /// (`<stem>.types.js`).
    #[command(after_help = EXIT_CODES)]
    Types {
        /// The module file.
        module: PathBuf,
        /// A wasm-bindgen module's glue: the `.d.ts` wasm-bindgen wrote beside it gives the
        /// exports' JS types.
        #[arg(long, value_name = "FILE")]
        glue: Option<PathBuf>,
        /// The folder to write into; default: the module's.
        #[arg(long, short, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Serve a registry folder on 127.0.0.1 with the headers the registry format relies on and
    /// a server-sent-events stream at /events; publish watched modules as they change.
    #[command(after_help = SERVE_HELP)]
    Serve {
        /// The registry folder; created if missing.
        dir: PathBuf,
        /// A module or a component to publish as the next dev version of its package
        /// whenever it changes, or a wasm-bindgen output folder (`*_bg.wasm` and its `.js`
        /// glue) or an AssemblyScript one (`*.wasm` and `asc --bindings raw`'s `.js`),
        /// published together (repeatable).
        #[arg(long, value_name = "PATH")]
        watch: Vec<PathBuf>,
        /// The port on 127.0.0.1; 0 picks a free one (the address is printed).
        #[arg(long, default_value_t = crate::serve::DEFAULT_PORT)]
        port: u16,
        /// The package a watched module is published as; default: the file stem.
        #[arg(long, value_parser = parse_name)]
        name: Option<PackageName>,
        /// The `jco` program that transpiles a watched component (default: $HOTSWAP_JCO,
        /// else node_modules/.bin/jco here or above, else jco on PATH).
        #[arg(long, value_name = "PATH")]
        jco: Option<PathBuf>,
    },
}

const SERVE_HELP: &str = "\
Each change to a watched module is published once it has stayed unchanged for 50 ms, as the
smallest version after the newest published one that its interface change allows (the
first one keeps the module's own version, or 0.1.0); its version section is replaced to
match. A watched component is transpiled with jco and published with its JS and core
modules, its WIT change judged as `hotswap publish` judges it. A refused publish is printed
and the server keeps serving.

GET /events streams `event: published` with data
{\"name\": ..., \"version\": ..., \"digest\": ...} for each version published while it runs.

Exit codes: 3 when the port cannot be bound, 64 for a usage error; otherwise it runs until
stopped.";

fn parse_name(text: &str) -> Result<PackageName, String> {
    use wasm_hotswap::error::Error;
    // The core names the option; clap already says `--name`, so only the reason is kept.
    text.parse().map_err(|e: Error| match e {
        Error::InvalidOptions { reason, .. } => reason,
        other => other.to_string(),
    })
}

fn parse_version(text: &str) -> Result<semver::Version, String> {
    semver::Version::parse(text).map_err(|e| format!("`{text}` is not a semantic version: {e}"))
}
