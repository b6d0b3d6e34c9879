//! # hotswap
//!
//! The `hotswap` command line tool for [wasm-hotswap](../wasm_hotswap/index.html) modules. It
//! reuses the runtime's pure core (`wasm_hotswap::{inspect, interface, contract, diff, bump,
//! digest, metadata, wit, resolve, oci}`), so the interface it reads, the changes it
//! classifies, the semver rule it applies and the registry layouts it writes are the very ones
//! the browser runtime gates swaps and resolves versions with: there is one implementation of
//! each rule, and it is not here.
//!
//! # Commands
//!
//! | command | what it does |
//! |---|---|
//! | `hotswap inspect m.wasm [--glue m.js]` | the guest kind (`wasm-bindgen guest` or raw; with `--glue`, as `publish --glue` would publish it, and the glue's size, digest and kind), version, digest, size, metadata (name, producers, authors, description, licenses, source, homepage, revision), imports and exports with signatures, state-protocol support, the WIT world decoded from its `component-type` sections (name, package, imports, exports) and the sections' names, sizes and offsets |
//! | `hotswap diff old.wasm new.wasm [--check]` | the classified change, item by item; the overall severity; the declared bump and whether it satisfies the rule; the smallest version after old's the change allows |
//! | `hotswap embed-wit m.wasm --wit W.wit [--world N] -o OUT` | writes the module with the `.wit` file's world in its `component-type` section |
//! | `hotswap publish m.wasm [--glue m.js] --name N --version V --registry DIR` | writes the `version` section if missing, refuses what the rules refuse, stores the blobs (a wasm-bindgen module's JS glue too, which the index entry names as `"glue": {"digest", "size"}`), then the index |
//! | `hotswap publish m.wasm [--glue m.js] --name N --version V --oci URL` | the same rules against an OCI registry's tags; pushes the Wasm artifact, the glue as a second layer of media type `application/vnd.wasm-hotswap.glue.v1+javascript` ([`oci`]) |
//! | `hotswap publish c.component.wasm --name N --version V (--registry DIR \| --oci URL) [--jco PATH]` | a component: the `version` section at its top level, the WIT change held to the bump by the semver-check rules ([`component::diff`]), transpiled with the npm jco ([`jco`]); stores the component, its JS (`glue`, `kind: "jco"`) and every core module (`cores`), or pushes them as layers ([`oci::push_component`]) |
//! | `hotswap serve DIR [--watch PATH...] [--port N] [--name N] [--jco PATH]` | serves the folder on 127.0.0.1 with its cache headers, CORS and a server-sent-events stream of new versions; publishes each watched module, component (transpiled with jco) or wasm-bindgen or AssemblyScript output folder (module and glue together), as the next dev version when it changes ([`serve`]) |
//!
//! wasm-bindgen guests: a `_bg.wasm` is published with its glue (`--glue`, the `.js` that
//! `wasm-bindgen --target web` wrote); one without it, or glue with another module, is
//! refused ([`glue::guest`]). Versions are compared by what the app reaches of each module
//! ([`module::Module::compared`]): a wasm-bindgen build's renamed glue imports and its own
//! `__wbindgen_*` exports are no interface change.
//!
//! Every command takes `--json`. Exit statuses are in [`exit`]: 0 success, 1 refused by a
//! rule, 2 invalid input, 3 I/O error, 64 usage error.
//!
//! # How it is laid out
//!
//! [`args`] parses the command line; [`run`] hands it to the command's module in
//! [`commands`] (one per command: [`commands::inspect`], [`commands::diff`],
//! [`commands::embed_wit`], [`commands::publish`] with its `--registry` and `--oci` halves,
//! [`commands::serve`]), which returns a [`commands::Report`] or an [`exit::Failure`], printed
//! here as text or JSON. What the commands use are libraries:
//!
//! - [`module`]: a module file read once (bytes, digest, the core's interface, its kind);
//! - [`glue`]: a wasm-bindgen guest's JS glue file, and the check that it comes exactly with
//!   a wasm-bindgen module;
//! - [`metadata`]: the metadata sections as the core reads them, and the `version` section
//!   written;
//! - [`wit`]: the WIT world and its `component-type` sections, as `inspect` shows them;
//! - [`component`]: a component read once (bytes, digest, top-level version, WIT world) and
//!   the classification of a WIT change ([`component::diff`]);
//! - [`jco`]: finding the npm `jco` and transpiling a component with it (why npm: there);
//! - [`registry`]: the registry folder, its publish rules ([`registry::publish::publish`]),
//!   the dev loop's next version ([`registry::dev`]) and the crash-safe writer
//!   ([`registry::durable`]);
//! - [`oci`]: the OCI target, the blocking client with its token flow, and the push;
//! - [`serve`]: the HTTP server, its file answers, the event stream and the watcher;
//! - [`table`]: aligned human output.
//!
//! # The registry folder
//!
//! See [`registry`] for the format, the publish rules in [`registry::publish::publish`] and
//! the crash-safety argument in [`registry::durable`].
//!
//! # Limitations
//!
//! - Publishers are not locked against each other: one `publish` per package at a time (a
//!   `serve --watch` of the package counts as one).
//! - `publish` never yanks; editing `yanked` is left to other tools.
//! - Components need Node and the npm jco to publish; `serve --watch` and `embed-wit` take
//!   core modules only.
//! - `publish --oci` gets anonymous bearer tokens only; a registry that asks for credentials
//!   is an error naming it ([`oci`]).
//! - `serve` is a development server: loopback only, no TLS, no authentication, polling
//!   rather than file events ([`serve`]).

#![warn(missing_docs)]

pub mod args;
pub mod commands;
pub mod component;
pub mod exit;
pub mod glue;
pub mod jco;
pub mod metadata;
pub mod module;
pub mod oci;
pub mod registry;
pub mod serve;
pub mod sign;
pub mod table;
pub mod wit;

use std::ffi::OsString;
use std::io::Write;

use clap::error::ErrorKind;
use clap::Parser;

use args::{Cli, Command};
use commands::publish::Destination;
use commands::Report;
use exit::{Exit, Failure};

/// Runs the command line `args` (program name first), prints its output, and returns the
/// exit status.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => return usage(&args, &err),
    };
    let result = match &cli.command {
        Command::Inspect { module, glue } => commands::inspect::run(module, glue.as_deref()),
        Command::Diff { old, new, check } => commands::diff::run(old, new, *check),
        Command::EmbedWit {
            module,
            wit,
            world,
            output,
        } => commands::embed_wit::run(module, wit, world.as_deref(), output),
        Command::Types { module, glue, out } => {
            commands::types::run(module, glue.as_deref(), out.as_deref())
        }
        Command::Publish {
            module,
            glue,
            name,
            version,
            next,
            registry,
            oci,
            jco,
            sign,
        } => {
            let signer = sign.as_deref().map(sign::Signer::read).transpose();
            let to = match (registry, oci) {
                (_, Some(oci)) => Destination::Oci(oci),
                (Some(registry), None) => Destination::Folder(registry),
                (None, None) => unreachable!("clap requires --registry or --oci"),
            };
            match (signer, version, to) {
                (Err(failure), _, _) => Err(failure),
                (Ok(signer), _, Destination::Folder(registry)) if *next => {
                    commands::publish::registry::run_next(
                        module,
                        glue.as_deref(),
                        name,
                        registry,
                        jco.as_deref(),
                        signer.as_ref(),
                    )
                }
                (Ok(signer), Some(version), to) => commands::publish::run(
                    module,
                    glue.as_deref(),
                    name,
                    version,
                    to,
                    jco.as_deref(),
                    signer.as_ref(),
                ),
                _ => unreachable!("clap requires --version, or --next with --registry"),
            }
        }
        Command::Keygen { name } => commands::keygen::run(name),
        Command::Serve {
            dir,
            watch,
            port,
            name,
            jco,
        } => commands::serve::run(&commands::serve::Options {
            dir: dir.clone(),
            watch: watch.clone(),
            port: *port,
            name: name.clone(),
            json: cli.json,
            jco: jco.clone(),
        })
        .map(|never| match never {}),
    };
    match result {
        Ok(report) => print_report(&report, cli.json),
        Err(failure) => print_failure(&failure, cli.json),
    }
}

fn print_report(report: &Report, json: bool) -> i32 {
    let mut out = std::io::stdout().lock();
    let text = if json {
        format!("{:#}\n", report.json)
    } else {
        report.human.clone()
    };
    // A closed pipe (`hotswap inspect m.wasm | head -1`) is not worth a panic.
    let _ = out.write_all(text.as_bytes());
    report.exit.status()
}

fn print_failure(failure: &Failure, json: bool) -> i32 {
    if json {
        let _ = writeln!(std::io::stdout().lock(), "{:#}", failure.to_json());
    } else {
        let _ = writeln!(std::io::stderr().lock(), "{failure}");
    }
    failure.exit.status()
}

fn usage(args: &[OsString], err: &clap::Error) -> i32 {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = err.print();
        return Exit::Success.status();
    }
    // Parsing failed, so `--json` is looked for among the raw arguments.
    if args.iter().skip(1).any(|a| a == "--json") {
        let failure = Failure::new(Exit::Usage, "USAGE", err.render().to_string().trim_end());
        print_failure(&failure, true)
    } else {
        let _ = err.print();
        Exit::Usage.status()
    }
}
