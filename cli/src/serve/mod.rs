//! The server behind `hotswap serve` ([`crate::commands::serve`]): a registry folder over HTTP
//! on 127.0.0.1, a server-sent-events stream of the versions published while it runs, and the
//! dev loop that publishes watched modules.
//!
//! # How it works
//!
//! - One thread takes requests from [`tiny_http`] and starts a thread per request: files are
//!   answered by [`files::get`], `GET /events` holds its connection open and writes the
//!   [`events`] stream to it.
//! - One thread polls ([`watch`]): every 20 ms the watched modules, and every 250 ms the
//!   package indexes. A watched module that changed and then stayed unchanged for 50 ms is
//!   published as the next dev version ([`crate::registry::dev::publish_next`]) and announced;
//!   a watched wasm-bindgen output folder ([`watched`]) is published when its `_bg.wasm` or
//!   its `.js` glue changed and both have settled, the two together, and so is an
//!   AssemblyScript one (its `.wasm` and `asc --bindings raw`'s `.js`); a watched file that
//!   is a component is transpiled with jco and published with its JS and core modules
//!   ([`crate::registry::dev::publish_next_component`]), the JS transpile taking about a
//!   second of the publish;
//!   a version that any other publisher added to an index is announced when the index is
//!   next scanned. Each `(name, version)` is announced once.
//! - A refused publish (a broken module, a guest-contract violation, a bump the rule refuses)
//!   is printed and the server keeps serving the versions it has.
//!
//! # Limitations
//!
//! - Loopback only: it is a development server, without TLS or authentication.
//! - Events are not replayed: a client that connects later reads the indexes.
//! - Files are read whole into memory per request: registries hold small modules.
//! - Publishers are not locked against each other (see [`crate::registry`]): do not run a
//!   `hotswap publish` of a package while the watcher may publish it too.
//! - Polling, not inotify: a change is seen up to 20 ms late, plus the 50 ms settle time.
//! - A wasm-bindgen build that writes its `.js` more than 50 ms after its `_bg.wasm` (or
//!   the other way round) is published twice: first the new module with the old glue, then
//!   the pair.

pub mod events;
pub mod files;
pub mod log;
pub mod watch;
pub mod watched;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tiny_http::{Header, Method, Request, Response};

use crate::component::{is_component, Component};
use crate::exit::{Exit, Failure};
use crate::glue::Glue;
use crate::module::Module;
use crate::registry::dev::{publish_next, publish_next_component};
use crate::registry::publish::Published;
use crate::registry::{publish_component, PackageName, Registry};
use events::{Announcement, Hub};
use log::Log;
use watch::{Indexes, POLL};
use watched::{Change, WatchedGuest};

/// The port `serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8787;

const SCAN_EVERY: u32 = 12; // polls: about 250 ms

/// A registry folder with a listening socket on 127.0.0.1, and the modules it publishes when
/// they change.
pub struct Server {
    http: tiny_http::Server,
    root: PathBuf,
    port: u16,
    watched: Vec<(WatchedGuest, PackageName)>,
    jco: Option<PathBuf>,
}

impl Server {
    /// Creates the folder `dir` if missing and listens on 127.0.0.1:`port` (0 picks a free
    /// one); `watched` are the modules to publish, each with its package.
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3) when the folder cannot be created or the port cannot be bound.
    pub fn bind(
        dir: &Path,
        port: u16,
        watched: Vec<(WatchedGuest, PackageName)>,
    ) -> Result<Server, Failure> {
        std::fs::create_dir_all(dir).map_err(|e| Failure::io("creating", dir, &e))?;
        let root = dir
            .canonicalize()
            .map_err(|e| Failure::io("opening", dir, &e))?;
        let http = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| {
            Failure::io(
                "listening on",
                Path::new(&format!("127.0.0.1:{port}")),
                &std::io::Error::other(e.to_string()),
            )
        })?;
        let port = http.server_addr().to_ip().map_or(port, |a| a.port());
        Ok(Server {
            http,
            root,
            port,
            watched,
            jco: None,
        })
    }

    /// The `jco` program that transpiles a watched component
    /// ([`crate::jco::locate`]: default $HOTSWAP_JCO, else `node_modules/.bin/jco` here or
    /// above, else jco on PATH).
    pub fn with_jco(self, jco: Option<PathBuf>) -> Server {
        Server { jco, ..self }
    }

    /// The folder served, symlinks resolved.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The watched modules and their packages.
    pub fn watched(&self) -> &[(WatchedGuest, PackageName)] {
        &self.watched
    }

    /// Serves until the process ends, printing what happens to `log`.
    ///
    /// # Errors
    /// `IO_ERROR` (exit 3) if the socket stops accepting connections.
    pub fn run(self, log: Log) -> Result<std::convert::Infallible, Failure> {
        let Server {
            http,
            root,
            watched,
            jco,
            ..
        } = self;
        let hub = Arc::new(Hub::default());
        let mut indexes = Indexes::default();
        indexes.scan(&root, &hub, false);
        let poller = {
            let (hub, root) = (hub.clone(), root.clone());
            move || poll(&root, watched, jco, indexes, &hub, log)
        };
        std::thread::spawn(poller);

        for request in http.incoming_requests() {
            let (hub, root) = (hub.clone(), root.clone());
            std::thread::spawn(move || answer(request, &root, &hub, log));
        }
        Err(Failure::new(
            Exit::Io,
            "IO_ERROR",
            "the server stopped accepting connections",
        ))
    }
}

fn poll(
    root: &Path,
    mut watched: Vec<(WatchedGuest, PackageName)>,
    jco: Option<PathBuf>,
    mut indexes: Indexes,
    hub: &Hub,
    log: Log,
) {
    let registry = Registry::at(root);
    for tick in 0u32.. {
        let now = Instant::now();
        for (file, name) in &mut watched {
            if let Some(change) = file.poll(now) {
                let started = Instant::now();
                let published = publish_change(&registry, name, change, jco.as_deref());
                match published {
                    Ok(Some(done)) => {
                        log.published(&file.path, &done, started.elapsed());
                        hub.announce(&done.announcement());
                    }
                    Ok(None) => log.unchanged(&file.path, name),
                    Err(failure) => log.refused(&file.path, &failure),
                }
            }
        }
        if tick % SCAN_EVERY == 0 {
            indexes.scan(root, hub, true);
        }
        std::thread::sleep(POLL.saturating_sub(now.elapsed()));
    }
}

/// What a watched guest's publish stored: a module's or a component's report.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Done {
    /// A module, with the glue of a wasm-bindgen or AssemblyScript folder.
    Module(Published),
    /// A component, with the JS and core modules jco wrote.
    Component(publish_component::Published),
}

impl Done {
    /// The event announcing it.
    pub fn announcement(&self) -> Announcement {
        let (name, version, digest) = match self {
            Done::Module(p) => (&p.name, &p.version, &p.digest),
            Done::Component(p) => (&p.name, &p.version, &p.digest),
        };
        Announcement {
            name: name.clone(),
            version: version.to_string(),
            digest: digest.clone(),
        }
    }
}

/// A watched guest's settled change, published as the next dev version: a component (told by
/// its preamble) transpiled with the `jco` program, anything else as a module.
fn publish_change(
    registry: &Registry,
    name: &PackageName,
    change: Change,
    jco: Option<&Path>,
) -> Result<Option<Done>, Failure> {
    if change.glue.is_none() && is_component(&change.module) {
        let component = Component::from_bytes(&change.module_path, change.module)?;
        let done = publish_next_component(registry, name, &component, jco)?;
        return Ok(done.map(Done::Component));
    }
    let module = Module::from_bytes(&change.module_path, change.module)?;
    let glue = match change.glue {
        Some((path, bytes)) => Some(Glue::from_bytes(&path, bytes)?),
        None => None,
    };
    Ok(publish_next(registry, name, &module, glue.as_ref())?.map(Done::Module))
}

fn answer(request: Request, root: &Path, hub: &Hub, log: Log) {
    let path = request.url().split('?').next().unwrap_or("");
    match (request.method(), path) {
        (Method::Get, "/events") => {
            let peer = request.remote_addr().map(ToString::to_string);
            let feed = hub.subscribe();
            let mut out = request.into_writer();
            log.stream("opened", peer.as_deref());
            // It ends when the client goes away, which is no error.
            let _ = events::stream(&mut out, &feed, events::KEEP_ALIVE);
            log.stream("closed", peer.as_deref());
        }
        (Method::Get | Method::Head, _) => {
            let if_none_match = header(&request, "If-None-Match");
            let reply = files::get(root, request.url(), if_none_match.as_deref());
            respond(request, reply);
        }
        (Method::Options, _) => {
            // A preflight: a script that sends If-None-Match or Authorization itself asks first.
            let asked = header(&request, "Access-Control-Request-Headers").unwrap_or_default();
            let reply = files::Reply {
                status: 204,
                headers: vec![
                    ("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS".into()),
                    ("Access-Control-Allow-Headers", asked),
                    ("Access-Control-Max-Age", "600".into()),
                ],
                body: Vec::new(),
            };
            respond(request, reply);
        }
        _ => {
            let mut reply = files::Reply::text(405, "method not allowed\n");
            reply.headers.push(("Allow", "GET, HEAD, OPTIONS".into()));
            respond(request, reply);
        }
    }
}

fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}

fn respond(request: Request, reply: files::Reply) {
    let mut response = Response::from_data(reply.body).with_status_code(reply.status);
    let headers = files::CORS
        .iter()
        .map(|&(n, v)| (n, v.to_string()))
        .chain(reply.headers);
    for (name, value) in headers {
        if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    // The client may have gone; there is nobody to tell.
    let _ = request.respond(response);
}
