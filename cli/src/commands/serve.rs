//! `hotswap serve DIR [--watch PATH...] [--port N] [--name N] [--jco PATH]`: the arguments
//! checked, then [`crate::serve::Server`] runs.

use std::path::PathBuf;

use crate::exit::{Exit, Failure};
use crate::registry::PackageName;
use crate::serve::log::Log;
use crate::serve::watched::WatchedGuest;
use crate::serve::Server;

/// What `hotswap serve` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The registry folder; created if missing.
    pub dir: PathBuf,
    /// Modules, or wasm-bindgen or AssemblyScript output folders, to publish whenever they
    /// change.
    pub watch: Vec<PathBuf>,
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The package the watched module is published as; default: its file stem.
    pub name: Option<PackageName>,
    /// Print JSON lines instead of text.
    pub json: bool,
    /// The `jco` program that transpiles a watched component.
    pub jco: Option<PathBuf>,
}

/// Serves until the process ends.
///
/// # Errors
/// Only at start: `USAGE` (exit 64) for a watched file stem (or a folder's crate name) that is
/// not a package name, a watched folder that is not a wasm-bindgen or AssemblyScript output
/// folder, or `--name` with several `--watch`; as [`Server::bind`] otherwise.
pub fn run(options: &Options) -> Result<std::convert::Infallible, Failure> {
    let watched = packages(options)?;
    let server = Server::bind(&options.dir, options.port, watched)?.with_jco(options.jco.clone());
    let log = Log { json: options.json };
    log.listening(server.root(), server.port(), server.watched());
    server.run(log)
}

/// The watched paths with the package each is published as: a module file's stem, or a
/// wasm-bindgen folder's crate name (`notes` of `notes_bg.wasm`), unless `--name` says.
fn packages(options: &Options) -> Result<Vec<(WatchedGuest, PackageName)>, Failure> {
    if options.name.is_some() && options.watch.len() > 1 {
        return Err(Failure::new(
            Exit::Usage,
            "USAGE",
            "--name names the package of one watched module; with several --watch, each is \
             published under its file stem",
        ));
    }
    let usage = |message: String| Failure::new(Exit::Usage, "USAGE", message);
    let name_of = |path: &PathBuf, stem: Option<String>| -> Result<PackageName, Failure> {
        if let Some(name) = &options.name {
            return Ok(name.clone());
        }
        stem.unwrap_or_default().parse().map_err(|e| {
            usage(format!(
                "--watch {}: its file stem is not a package name, give --name ({e})",
                path.display()
            ))
        })
    };
    options
        .watch
        .iter()
        .map(|path| {
            if path.is_dir() {
                let (watch, stem) = WatchedGuest::folder(path.clone()).map_err(|reason| {
                    usage(format!(
                        "--watch {}: a folder must be wasm-bindgen's output, but {reason}",
                        path.display()
                    ))
                })?;
                return Ok((watch, name_of(path, Some(stem))?));
            }
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
            Ok((WatchedGuest::file(path.clone()), name_of(path, stem)?))
        })
        .collect()
}
