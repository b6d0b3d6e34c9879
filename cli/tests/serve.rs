//! `hotswap serve`: the real binary on 127.0.0.1, spoken to over raw HTTP/1.1, stopped when
//! each test ends. Every wait is bounded.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::{bindgen, bindgen_output, counter, glue, hotswap, published, wasm, BINDINGS, TALLY};
use serde_json::Value;
use wasm_hotswap::digest::Digest;

const PATIENCE: Duration = Duration::from_secs(10);

/// A running `hotswap serve --json --port 0`, killed on drop.
struct Served {
    child: Child,
    port: u16,
    lines: Receiver<Value>,
}

impl Served {
    fn start(dir: &Path, extra: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hotswap"))
            .args(["serve", "--json", "--port", "0"])
            .arg(dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("hotswap serve starts");
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).expect("each line is JSON");
                if send.send(value).is_err() {
                    return;
                }
            }
        });
        let mut served = Served {
            child,
            port: 0,
            lines,
        };
        let first = served.line();
        served.port = first["port"].as_u64().expect("the port is printed") as u16;
        assert_eq!(
            first["listening"],
            format!("http://127.0.0.1:{}/", served.port)
        );
        served
    }

    /// The next JSON line it prints.
    fn line(&self) -> Value {
        self.lines
            .recv_timeout(PATIENCE)
            .expect("hotswap serve printed a line in time")
    }

    /// The next JSON line that has `key`, skipping others.
    fn line_with(&self, key: &str) -> Value {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            let line = self.line();
            if line.get(key).is_some() {
                return line;
            }
        }
        panic!("no line with `{key}` in time")
    }

    fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[])
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut stream = self.connect();
        let mut head =
            format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (name, value) in headers {
            head += &format!("{name}: {value}\r\n");
        }
        head += "\r\n";
        stream.write_all(head.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .expect("a complete response in time");
        Reply::parse(&raw)
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = std::str::from_utf8(&raw[..end]).unwrap();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap();
                (name.to_ascii_lowercase(), value.trim().to_string())
            })
            .collect();
        Reply {
            status,
            headers,
            body: raw[end + 4..].to_vec(),
        }
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map_or_else(|| panic!("no {name} in {:?}", self.headers), String::as_str)
    }
}

/// An SSE connection to `/events`, read event by event.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(served: &Served) -> (Events, HashMap<String, String>) {
        let mut stream = served.connect();
        stream
            .write_all(
                b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
            )
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut headers = HashMap::new();
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.insert(name.to_ascii_lowercase(), value.trim().to_string());
        }
        (Events { reader }, headers)
    }

    /// The next event's `(event, data)`, skipping comments and `retry`.
    fn next(&mut self) -> (String, String) {
        let (mut event, mut data) = (String::new(), String::new());
        loop {
            let mut line = String::new();
            let read = self.reader.read_line(&mut line).expect("an event in time");
            assert!(read > 0, "the stream ended");
            let line = line.trim_end_matches('\n');
            if line.is_empty() && !event.is_empty() {
                return (event, data);
            }
            if let Some(value) = line.strip_prefix("event: ") {
                event = value.into();
            } else if let Some(value) = line.strip_prefix("data: ") {
                data = value.into();
            }
        }
    }

    fn published(&mut self) -> Value {
        let (event, data) = self.next();
        assert_eq!(event, "published");
        serde_json::from_str(&data).unwrap()
    }
}

/// A registry with `acme/counter@1.0.0` and a few page files; returns the blob's digest.
fn registry(dir: &Path) -> (PathBuf, String) {
    let reg = dir.join("registry");
    let m = common::module(dir, "m.wasm", &counter(""));
    published(&m, "acme/counter", "1.0.0", &reg);
    std::fs::copy(&m, reg.join("m.wasm")).unwrap();
    for (file, text) in [
        ("index.html", "<!doctype html>"),
        ("app.js", "export {}"),
        ("style.css", "body {}"),
    ] {
        std::fs::write(reg.join(file), text).unwrap();
    }
    let index: Value = serde_json::from_slice(
        &std::fs::read(reg.join("packages/acme/counter/index.json")).unwrap(),
    )
    .unwrap();
    let digest = index["versions"][0]["digest"].as_str().unwrap().to_string();
    (reg, digest)
}

fn blob_url(digest: &str) -> String {
    format!("/blobs/sha256/{}", digest.strip_prefix("sha256:").unwrap())
}

#[test]
fn files_get_their_mime_type_and_the_cache_headers_the_registry_format_documents() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, digest) = registry(dir.path());
    let served = Served::start(&reg, &[]);
    let table = [
        (
            blob_url(&digest),
            "application/wasm",
            "public, max-age=31536000, immutable",
        ),
        (
            "/packages/acme/counter/index.json".into(),
            "application/json",
            "no-cache",
        ),
        ("/m.wasm".into(), "application/wasm", "no-cache"),
        ("/index.html".into(), "text/html; charset=utf-8", "no-cache"),
        ("/".into(), "text/html; charset=utf-8", "no-cache"),
        (
            "/app.js".into(),
            "text/javascript; charset=utf-8",
            "no-cache",
        ),
        ("/style.css".into(), "text/css; charset=utf-8", "no-cache"),
    ];
    for (path, mime, cache) in table {
        let reply = served.get(&path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), mime, "{path}");
        assert_eq!(reply.header("cache-control"), cache, "{path}");
        assert_eq!(reply.header("access-control-allow-origin"), "*", "{path}");
        assert_eq!(
            reply.header("access-control-expose-headers"),
            "ETag",
            "{path}"
        );
        let etag = format!("\"{}\"", Digest::of(&reply.body));
        assert_eq!(
            reply.header("etag"),
            etag,
            "{path}: a strong ETag of the bytes"
        );
    }
    let blob = served.get(&blob_url(&digest));
    assert_eq!(Digest::of(&blob.body).to_string(), digest);
}

#[test]
fn an_index_is_revalidated_with_if_none_match_and_a_304() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, _) = registry(dir.path());
    let served = Served::start(&reg, &[]);
    let path = "/packages/acme/counter/index.json";
    let first = served.get(path);
    let etag = first.header("etag").to_string();

    let again = served.request("GET", path, &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), etag);
    assert_eq!(again.header("cache-control"), "no-cache");
    assert_eq!(again.header("access-control-allow-origin"), "*");
    let weak = format!("\"other\", W/{etag}");
    assert_eq!(
        served
            .request("GET", path, &[("If-None-Match", &weak)])
            .status,
        304
    );

    let m2 = common::module(
        dir.path(),
        "m2.wasm",
        &counter(r#"(func (export "get") (result i32) (i32.const 0))"#),
    );
    published(&m2, "acme/counter", "1.1.0", &reg);
    let changed = served.request("GET", path, &[("If-None-Match", &etag)]);
    assert_eq!(changed.status, 200, "a new version changes the ETag");
    assert_ne!(changed.header("etag"), etag);
}

#[test]
fn head_sends_the_headers_without_the_body() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, digest) = registry(dir.path());
    let served = Served::start(&reg, &[]);
    let get = served.get(&blob_url(&digest));
    let head = served.request("HEAD", &blob_url(&digest), &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("content-length"), get.body.len().to_string());
    assert_eq!(head.header("etag"), get.header("etag"));
    assert_eq!(head.header("content-type"), "application/wasm");
}

#[test]
fn a_preflight_is_answered_for_conditional_and_authorized_requests() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, _) = registry(dir.path());
    let served = Served::start(&reg, &[]);
    let reply = served.request(
        "OPTIONS",
        "/packages/acme/counter/index.json",
        &[
            ("Origin", "http://127.0.0.1:1"),
            ("Access-Control-Request-Method", "GET"),
            (
                "Access-Control-Request-Headers",
                "if-none-match, authorization",
            ),
        ],
    );
    assert_eq!(reply.status, 204);
    assert_eq!(reply.header("access-control-allow-origin"), "*");
    assert_eq!(
        reply.header("access-control-allow-headers"),
        "if-none-match, authorization"
    );
    assert!(reply.header("access-control-allow-methods").contains("GET"));
    assert_eq!(served.request("POST", "/m.wasm", &[]).status, 405);
}

#[test]
fn paths_that_leave_the_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, _) = registry(dir.path());
    std::fs::write(dir.path().join("secret.txt"), "do not serve").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), reg.join("link.txt")).unwrap();
    std::fs::write(reg.join("packages/.index.json.tmp-1-2"), "{}").unwrap();
    let served = Served::start(&reg, &[]);
    let table = [
        ("/../secret.txt", 403),
        ("/%2e%2e/secret.txt", 403),
        ("/packages/..%2f..%2fsecret.txt", 403),
        ("/packages/%2E%2E/%2E%2E/secret.txt", 403),
        ("/..%5csecret.txt", 403),
        ("/link.txt", 403),
        ("/packages/.index.json.tmp-1-2", 404),
        ("/nothing-here.wasm", 404),
    ];
    for (path, status) in table {
        let reply = served.get(path);
        assert_eq!(reply.status, status, "{path}");
        assert!(
            !String::from_utf8_lossy(&reply.body).contains("do not serve"),
            "{path}"
        );
    }
}

#[test]
fn a_watched_module_is_published_as_the_next_dev_version_and_announced() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let watched = dir.path().join("counter.wasm");
    let served = Served::start(
        &reg,
        &[
            "--watch",
            watched.to_str().unwrap(),
            "--name",
            "acme/counter",
        ],
    );
    let (mut events, headers) = Events::open(&served);
    assert_eq!(served.line_with("stream")["stream"], "opened");
    assert_eq!(headers["content-type"], "text/event-stream");
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["access-control-allow-origin"], "*");

    // A module carrying another version: its section is replaced.
    let v1 = counter(r#"(@custom "version" "3.0.0-dev.4")"#);
    std::fs::write(&watched, wasm(&v1)).unwrap();
    let first = events.published();
    assert_eq!(first["name"], "acme/counter");
    assert_eq!(
        first["version"], "3.0.0",
        "the first keeps the module's release"
    );
    let blob = served.get(&blob_url(first["digest"].as_str().unwrap()));
    assert_eq!(blob.status, 200);
    let interface = wasm_hotswap::inspect::read_interface(&blob.body).unwrap();
    assert_eq!(interface.version.unwrap().to_string(), "3.0.0");
    assert_eq!(
        served.line_with("published")["published"]["version"],
        "3.0.0"
    );

    // Broken: printed, nothing published, still serving.
    std::fs::write(&watched, b"\0asm\x01\0\0\0\x07garbage").unwrap();
    let refused = served.line_with("error");
    assert_eq!(refused["error"]["code"], "INVALID_MODULE", "{refused}");
    assert_eq!(served.get("/packages/acme/counter/index.json").status, 200);

    // An added export: a minor bump.
    let v2 = counter(r#"(func (export "get") (result i32) (i32.const 0))"#);
    std::fs::write(&watched, wasm(&v2)).unwrap();
    let second = events.published();
    assert_eq!(second["version"], "3.1.0");
    let index: Value =
        serde_json::from_slice(&served.get("/packages/acme/counter/index.json").body).unwrap();
    assert_eq!(index["versions"][1]["digest"], second["digest"]);
}

#[test]
fn a_watched_wasm_bindgen_folder_publishes_module_and_glue_together() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let out = dir.path().join("pkg");
    std::fs::create_dir_all(&out).unwrap();
    let (wasm_path, js_path) = bindgen_output(&out, "87482a37f0854b09", "");
    let served = Served::start(&reg, &["--watch", out.to_str().unwrap()]);
    let (mut events, _) = Events::open(&served);

    let first = events.published();
    assert_eq!(first["name"], "notes", "named after the crate");
    assert_eq!(first["version"], "0.1.0");
    let index: Value =
        serde_json::from_slice(&served.get("/packages/notes/index.json").body).unwrap();
    let entry = &index["versions"][0];
    assert_eq!(entry["digest"], first["digest"]);
    let glue_bytes = std::fs::read(&js_path).unwrap();
    assert_eq!(entry["glue"]["digest"], Digest::of(&glue_bytes).to_string());
    let stored = served.get(&blob_url(entry["glue"]["digest"].as_str().unwrap()));
    assert_eq!(stored.status, 200);
    assert_eq!(stored.body, glue_bytes);

    // A rebuild rewrites both: one version, with the new glue.
    std::fs::write(&wasm_path, wasm(&bindgen("3f72c1d6a0b9e854", ""))).unwrap();
    std::fs::write(&js_path, glue("3f72c1d6a0b9e854")).unwrap();
    let second = events.published();
    assert_eq!(
        second["version"], "0.1.1",
        "glue imports are no interface change"
    );
    let index: Value =
        serde_json::from_slice(&served.get("/packages/notes/index.json").body).unwrap();
    assert_eq!(index["versions"].as_array().unwrap().len(), 2, "{index}");
    assert_eq!(
        index["versions"][1]["glue"]["digest"],
        Digest::of(glue("3f72c1d6a0b9e854").as_bytes()).to_string()
    );
}

#[test]
fn a_watched_assemblyscript_folder_publishes_module_and_bindings_as_assemblyscript_glue() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let out = dir.path().join("build");
    std::fs::create_dir_all(&out).unwrap();
    // What `asc assembly/index.ts --outFile build/tally.wasm --bindings raw` leaves there.
    std::fs::write(out.join("tally.wasm"), wasm(TALLY)).unwrap();
    std::fs::write(out.join("tally.js"), BINDINGS).unwrap();
    std::fs::write(
        out.join("tally.d.ts"),
        "export declare function add(n: number): number;\n",
    )
    .unwrap();
    let served = Served::start(&reg, &["--watch", out.to_str().unwrap()]);
    let (mut events, _) = Events::open(&served);

    let first = events.published();
    assert_eq!(first["name"], "tally", "named after the module");
    let index: Value =
        serde_json::from_slice(&served.get("/packages/tally/index.json").body).unwrap();
    let glue = &index["versions"][0]["glue"];
    assert_eq!(glue["kind"], "assemblyscript", "{index}");
    assert_eq!(glue["digest"], Digest::of(BINDINGS.as_bytes()).to_string());

    // A rebuild that adds an export: the next version an addition allows (a patch below
    // 1.0.0), with the bindings again.
    let added = TALLY.replace(
        "(func (export \"add\")",
        "(func (export \"sub\") (param i32) (result i32) i32.const 2)\n  (func (export \"add\")",
    );
    std::fs::write(out.join("tally.wasm"), wasm(&added)).unwrap();
    let second = events.published();
    assert_eq!(second["version"], "0.1.1", "{second}");
    let index: Value =
        serde_json::from_slice(&served.get("/packages/tally/index.json").body).unwrap();
    assert_eq!(
        index["versions"][1]["glue"]["kind"], "assemblyscript",
        "{index}"
    );
}

#[test]
fn a_watched_component_is_transpiled_and_published_with_its_js_and_cores_and_announced() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let watched = dir.path().join("counter.component.wasm");
    let served = Served::start(
        &reg,
        &["--watch", watched.to_str().unwrap(), "--name", "counter"],
    );
    let (mut events, _) = Events::open(&served);
    assert_eq!(served.line_with("stream")["stream"], "opened");

    std::fs::write(&watched, common::component::v1()).unwrap();
    let first = events.published();
    assert_eq!(
        (first["name"].as_str(), first["version"].as_str()),
        (Some("counter"), Some("0.1.0"))
    );
    let line = served.line_with("published");
    assert_eq!(line["published"]["kind"], "component", "{line}");
    let index: Value =
        serde_json::from_slice(&served.get("/packages/counter/index.json").body).unwrap();
    let entry = &index["versions"][0];
    assert_eq!(entry["digest"], first["digest"]);
    assert_eq!(entry["glue"]["kind"], "jco", "{index}");
    // Everything the page's `load` fetches is served: the component, jco's JS, each core.
    let js = served.get(&blob_url(entry["glue"]["digest"].as_str().unwrap()));
    assert_eq!(js.status, 200);
    assert!(String::from_utf8_lossy(&js.body).contains("export function instantiate("));
    let cores = entry["cores"].as_array().unwrap();
    assert!(!cores.is_empty(), "{index}");
    for digest in cores.iter().map(|c| &c["digest"]).chain([&entry["digest"]]) {
        let blob = served.get(&blob_url(digest.as_str().unwrap()));
        assert_eq!(blob.status, 200, "{digest}");
        assert_eq!(Digest::of(&blob.body).to_string(), digest.as_str().unwrap());
    }

    // Not a component that decodes: printed, nothing published, still serving.
    let mut broken = common::component::v1();
    broken.truncate(broken.len() / 2);
    std::fs::write(&watched, &broken).unwrap();
    let refused = served.line_with("error");
    assert_eq!(refused["error"]["code"], "INVALID_MODULE", "{refused}");

    // An export added to the world: the next version that allows it.
    std::fs::write(&watched, common::component::v2()).unwrap();
    let second = events.published();
    assert_eq!(second["version"], "0.1.1", "{second}");
    // Saved again unchanged: not published twice.
    std::fs::write(&watched, common::component::v2()).unwrap();
    assert_eq!(served.line_with("unchanged")["unchanged"], "counter");
    // `add` changed: breaking, 0.x's shift.
    std::fs::write(&watched, common::component::breaking()).unwrap();
    let third = events.published();
    assert_eq!(third["version"], "0.2.0", "{third}");
    let index: Value =
        serde_json::from_slice(&served.get("/packages/counter/index.json").body).unwrap();
    let versions: Vec<&str> = index["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["0.1.0", "0.1.1", "0.2.0"]);
}

#[test]
fn a_watched_folder_must_be_wasm_bindgen_or_assemblyscript_output() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let run = hotswap(&[
        "serve".as_ref(),
        dir.path().join("registry").as_os_str(),
        "--watch".as_ref(),
        empty.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(run.code, 64, "{}", run.stdout);
    let message = run.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("no `*_bg.wasm`"), "{message}");
    assert!(message.contains("asc --bindings raw"), "{message}");
}

#[test]
fn a_version_another_publisher_adds_is_announced_and_earlier_ones_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, _) = registry(dir.path());
    let served = Served::start(&reg, &[]);
    let (mut events, _) = Events::open(&served);
    let m2 = common::module(
        dir.path(),
        "m2.wasm",
        &counter(r#"(func (export "get") (result i32) (i32.const 0))"#),
    );
    let started = Instant::now();
    published(&m2, "acme/counter", "1.1.0", &reg);
    let event = events.published();
    assert_eq!(event["name"], "acme/counter");
    assert_eq!(
        event["version"], "1.1.0",
        "1.0.0 was there before: not announced"
    );
    assert!(started.elapsed() < PATIENCE);
}

#[test]
fn name_must_be_a_package_name_and_names_one_watched_module() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("registry");
    let reg = reg.to_str().unwrap();
    let run = hotswap(&["serve", reg, "--port", "0", "--watch", "Counter.wasm"]);
    assert_eq!(run.code, 64, "{}", run.stderr);
    assert!(run.stderr.contains("give --name"), "{}", run.stderr);
    let run = hotswap(&[
        "serve", reg, "--port", "0", "--watch", "a.wasm", "--watch", "b.wasm", "--name", "x",
    ]);
    assert_eq!(run.code, 64, "{}", run.stderr);
}
