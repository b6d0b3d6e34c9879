//! `hotswap serve DIR [--watch PATH...] [--port N] [--name N]`: a registry folder over HTTP on
//! 127.0.0.1, a server-sent-events stream of the versions published while it runs, and the
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

pub mod events;
pub mod files;
pub mod watch;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tiny_http::{Header, Method, Request, Response, Server};

use crate::exit::{Exit, Failure};
use crate::module::Module;
use crate::registry::dev::publish_next;
use crate::registry::publish::Published;
use crate::registry::{PackageName, Registry};
use events::{Announcement, Hub};
use watch::{Indexes, Watched, POLL};

/// The port `serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8787;

const SCAN_EVERY: u32 = 12; // polls: about 250 ms

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
/// `--name` with several `--watch`; `IO_ERROR` (exit 3) when the folder cannot be created or
/// the port cannot be bound.
pub fn run(options: &Options) -> Result<std::convert::Infallible, Failure> {
    let watched = packages(options)?;
    std::fs::create_dir_all(&options.dir).map_err(|e| Failure::io("creating", &options.dir, &e))?;
    let root = options
        .dir
        .canonicalize()
        .map_err(|e| Failure::io("opening", &options.dir, &e))?;
    let server = Server::http(("127.0.0.1", options.port)).map_err(|e| {
        Failure::io(
            "listening on",
            Path::new(&format!("127.0.0.1:{}", options.port)),
            &std::io::Error::other(e.to_string()),
        )
    })?;
    let port = server
        .server_addr()
        .to_ip()
        .map_or(options.port, |a| a.port());
    let log = Log { json: options.json };
    log.listening(&root, port, &watched);

    let hub = Arc::new(Hub::default());
    let mut indexes = Indexes::default();
    indexes.scan(&root, &hub, false);
    let poller = {
        let (hub, root) = (hub.clone(), root.clone());
        move || poll(&root, watched, indexes, &hub, log)
    };
    std::thread::spawn(poller);

    for request in server.incoming_requests() {
        let (hub, root) = (hub.clone(), root.clone());
        std::thread::spawn(move || answer(request, &root, &hub, log));
    }
    Err(Failure::new(
        Exit::Io,
        "IO_ERROR",
        "the server stopped accepting connections",
    ))
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

fn poll(
    root: &Path,
    mut watched: Vec<(Watched, PackageName)>,
    mut indexes: Indexes,
    hub: &Hub,
    log: Log,
) {
    let registry = Registry::at(root);
    for tick in 0u32.. {
        let now = Instant::now();
        for (file, name) in &mut watched {
            if let Some(bytes) = file.poll(now) {
                let started = Instant::now();
                let published = Module::from_bytes(&file.path, bytes)
                    .and_then(|m| publish_next(&registry, name, &m));
                match published {
                    Ok(Some(done)) => {
                        log.published(&file.path, &done, started.elapsed());
                        hub.announce(&Announcement {
                            name: done.name,
                            version: done.version.to_string(),
                            digest: done.digest,
                        });
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

/// What the server prints: text lines, or one JSON object per line with `--json`.
#[derive(Debug, Clone, Copy)]
struct Log {
    json: bool,
}

impl Log {
    fn listening(self, root: &Path, port: u16, watched: &[(Watched, PackageName)]) {
        let url = format!("http://127.0.0.1:{port}/");
        if self.json {
            let watch: Vec<_> = watched
                .iter()
                .map(|(w, n)| serde_json::json!({"path": w.path, "name": n.as_str()}))
                .collect();
            self.line(&serde_json::json!({
                "listening": url, "port": port, "dir": root, "events": format!("{url}events"),
                "watch": watch,
            }));
        } else {
            let mut text = format!("serving {} on {url} (events: {url}events)", root.display());
            for (file, name) in watched {
                text += &format!("\nwatching {} as {name}", file.path.display());
            }
            self.text(&text);
        }
    }

    fn published(self, path: &Path, done: &Published, took: Duration) {
        let ms = took.as_secs_f64() * 1000.0;
        if self.json {
            self.line(&serde_json::json!({ "published": done, "file": path, "ms": ms }));
        } else {
            self.text(&format!(
                "published {}@{} {} from {} in {ms:.1} ms",
                done.name,
                done.version,
                done.digest,
                path.display()
            ));
        }
    }

    fn unchanged(self, path: &Path, name: &PackageName) {
        if self.json {
            self.line(&serde_json::json!({ "unchanged": name.as_str(), "file": path }));
        } else {
            self.text(&format!(
                "{}: unchanged, the newest version of {name} already",
                path.display()
            ));
        }
    }

    fn refused(self, path: &Path, failure: &Failure) {
        if self.json {
            self.line(&serde_json::json!({ "error": failure, "file": path }));
        } else {
            let _ = writeln!(
                std::io::stderr().lock(),
                "{failure}\n  not published: {} (still serving the published versions)",
                path.display()
            );
        }
    }

    /// An event stream `opened` or `closed`: whether a page is listening.
    fn stream(self, what: &str, peer: Option<&str>) {
        let peer = peer.unwrap_or("?");
        if self.json {
            self.line(&serde_json::json!({ "stream": what, "peer": peer }));
        } else {
            self.text(&format!("event stream {what}: {peer}"));
        }
    }

    fn line(self, value: &serde_json::Value) {
        self.text(&value.to_string());
    }

    fn text(self, text: &str) {
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }
}
