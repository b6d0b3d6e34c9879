//! `hotswap serve DIR [--watch PATH...] [--port N] [--name N]`: the arguments checked, then
//! [`crate::serve::Server`] runs.

use std::path::PathBuf;

use crate::exit::{Exit, Failure};
use crate::registry::PackageName;
use crate::serve::log::Log;
use crate::serve::watch::Watched;
use crate::serve::Server;

/// What `hotswap serve` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The registry folder; created if missing.
    pub dir: PathBuf,
    /// Modules to publish whenever they change.
    pub watch: Vec<PathBuf>,
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The package the watched module is published as; default: its file stem.
    pub name: Option<PackageName>,
    /// Print JSON lines instead of text.
    pub json: bool,
}

/// Serves until the process ends.
///
/// # Errors
/// Only at start: `USAGE` (exit 64) for a watched file stem that is not a package name, or
/// `--name` with several `--watch`; as [`Server::bind`] otherwise.
pub fn run(options: &Options) -> Result<std::convert::Infallible, Failure> {
    let watched = packages(options)?;
    let server = Server::bind(&options.dir, options.port, watched)?;
    let log = Log { json: options.json };
    log.listening(server.root(), server.port(), server.watched());
    server.run(log)
}

/// The watched paths with the package each is published as.
fn packages(options: &Options) -> Result<Vec<(Watched, PackageName)>, Failure> {
    if options.name.is_some() && options.watch.len() > 1 {
        return Err(Failure::new(
            Exit::Usage,
            "USAGE",
            "--name names the package of one watched module; with several --watch, each is \
             published under its file stem",
        ));
    }
    let name_of = |path: &PathBuf| -> Result<PackageName, Failure> {
        if let Some(name) = &options.name {
            return Ok(name.clone());
        }
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        stem.unwrap_or_default().parse().map_err(|e| {
            Failure::new(
                Exit::Usage,
                "USAGE",
                format!(
                    "--watch {}: its file stem is not a package name, give --name ({e})",
                    path.display()
                ),
            )
        })
    };
    options
        .watch
        .iter()
        .map(|path| Ok((Watched::new(path.clone()), name_of(path)?)))
        .collect()
}
