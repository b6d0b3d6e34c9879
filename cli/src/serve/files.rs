//! The registry folder's files over HTTP, with the headers the registry format relies on.
//!
//! | path | `Content-Type` | `Cache-Control` |
//! |---|---|---|
//! | `blobs/sha256/<hex>` | `application/wasm` | `public, max-age=31536000, immutable` |
//! | `packages/…/index.json` | `application/json` | `no-cache` |
//! | anything else | by extension (`.wasm`, `.json`, `.html`, `.js`, `.css`, …) | `no-cache` |
//!
//! Every file has a strong `ETag` (its SHA-256), and a matching `If-None-Match` gets a 304, so
//! revalidating an unchanged index costs one small response. Every response allows any origin
//! (`Access-Control-Allow-Origin: *`) and exposes `ETag` to scripts.
//!
//! Refused: `..` or `.` segments, backslashes and NUL bytes (403), names starting with `.` (404:
//! the temp files of an interrupted publish), and anything whose real path, symlinks resolved,
//! is outside the folder (403).

use std::path::{Path, PathBuf};

use wasm_hotswap::digest::Digest;

/// `Cache-Control` of blobs: their name is their digest, so they never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else: cache, but revalidate every time.
pub const REVALIDATE: &str = "no-cache";

/// Headers on every response.
pub const CORS: [(&str, &str); 4] = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "ETag"),
    // A cross-origin-isolated page may load the files without CORS too.
    ("Cross-Origin-Resource-Policy", "cross-origin"),
    ("X-Content-Type-Options", "nosniff"),
];

/// A response to send: status, headers beyond [`CORS`], body (omitted for `HEAD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The headers, beyond [`CORS`].
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A plain-text reply.
    pub fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            headers: vec![
                ("Content-Type", "text/plain; charset=utf-8".into()),
                ("Cache-Control", REVALIDATE.into()),
            ],
            body: text.as_bytes().to_vec(),
        }
    }

    /// The value of header `name`, if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The reply to `GET` (or `HEAD`) of `url` from the folder `root` (canonical), given the
/// request's `If-None-Match`.
pub fn get(root: &Path, url: &str, if_none_match: Option<&str>) -> Reply {
    let relative = match relative_path(url) {
        Ok(relative) => relative,
        Err(status) => return Reply::text(status, refusal(status)),
    };
    let mut file = root.join(&relative);
    if file.is_dir() {
        file.push("index.html");
    }
    let real = match file.canonicalize() {
        Ok(real) => real,
        Err(_) => return Reply::text(404, "not found\n"),
    };
    if !real.starts_with(root) {
        return Reply::text(403, refusal(403));
    }
    // Read whole: registry files are small, and the ETag is then of exactly the bytes sent.
    let Ok(body) = std::fs::read(&real) else {
        return Reply::text(404, "not found\n");
    };
    let relative = real.strip_prefix(root).unwrap_or(&real);
    let etag = format!("\"{}\"", Digest::of(&body));
    let mut headers = vec![
        ("Content-Type", content_type(relative).to_string()),
        ("Cache-Control", cache_control(relative).to_string()),
        ("ETag", etag.clone()),
    ];
    if if_none_match.is_some_and(|list| matches_etag(list, &etag)) {
        headers.retain(|(name, _)| *name != "Content-Type");
        return Reply {
            status: 304,
            headers,
            body: Vec::new(),
        };
    }
    Reply {
        status: 200,
        headers,
        body,
    }
}

/// The path below the root that `url` names, or the status refusing it.
///
/// - `/packages/acme/counter/index.json?x=1` => `packages/acme/counter/index.json`
/// - `/a%20b.wasm` => `a b.wasm`
/// - `/../etc/passwd`, `/%2e%2e/x`, `/a/./b`, `/a%5cb`, `/a%00` => 403
/// - `/packages/.index.json.tmp-1-2` => 404
pub fn relative_path(url: &str) -> Result<PathBuf, u16> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path).ok_or(400u16)?;
    let mut relative = PathBuf::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." || segment.contains(['\\', '\0']) {
            return Err(403);
        }
        if segment.starts_with('.') {
            return Err(404);
        }
        relative.push(segment);
    }
    Ok(relative)
}

fn refusal(status: u16) -> &'static str {
    match status {
        400 => "bad request: the path is not valid percent-encoded UTF-8\n",
        403 => "forbidden: the path leaves the registry folder\n",
        _ => "not found\n",
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` of the file at `relative`: blobs are modules, others go by extension.
pub fn content_type(relative: &Path) -> &'static str {
    if is_blob(relative) {
        return "application/wasm";
    }
    match relative.extension().and_then(|e| e.to_str()) {
        Some("wasm") => "application/wasm",
        Some("json" | "map") => "application/json",
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("txt" | "wit" | "wat") => "text/plain; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// The `Cache-Control` of the file at `relative`.
pub fn cache_control(relative: &Path) -> &'static str {
    if is_blob(relative) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

fn is_blob(relative: &Path) -> bool {
    relative.parent() == Some(Path::new("blobs/sha256"))
}

/// Whether an `If-None-Match` list holds `etag` (`*` holds any), by the weak comparison that
/// RFC 9110 prescribes for it: `W/"x"` matches `"x"`.
pub fn matches_etag(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths_map_below_the_root_or_are_refused() {
        let ok = [
            (
                "/packages/acme/counter/index.json?x=1",
                "packages/acme/counter/index.json",
            ),
            ("/a%20b.wasm", "a b.wasm"),
            ("//blobs//sha256/ab", "blobs/sha256/ab"),
            ("/", ""),
        ];
        for (url, path) in ok {
            assert_eq!(relative_path(url), Ok(PathBuf::from(path)), "{url}");
        }
        let refused = [
            ("/../etc/passwd", 403),
            ("/%2e%2e/x", 403),
            ("/a/%2E%2E/%2e%2e/b", 403),
            ("/a/./b", 403),
            ("/a%5cb", 403),
            ("/a%00", 403),
            ("/packages/.index.json.tmp-1-2", 404),
            ("/%ff", 400),
            ("/%2", 400),
        ];
        for (url, status) in refused {
            assert_eq!(relative_path(url), Err(status), "{url}");
        }
    }

    #[test]
    fn blobs_are_immutable_modules_and_the_rest_is_revalidated_by_type() {
        let table = [
            ("blobs/sha256/e3b0", "application/wasm", IMMUTABLE),
            (
                "packages/counter/index.json",
                "application/json",
                REVALIDATE,
            ),
            ("m.wasm", "application/wasm", REVALIDATE),
            ("index.html", "text/html; charset=utf-8", REVALIDATE),
            ("app.js", "text/javascript; charset=utf-8", REVALIDATE),
            ("style.css", "text/css; charset=utf-8", REVALIDATE),
            ("blobs/README", "application/octet-stream", REVALIDATE),
        ];
        for (path, mime, cache) in table {
            assert_eq!(content_type(Path::new(path)), mime, "{path}");
            assert_eq!(cache_control(Path::new(path)), cache, "{path}");
        }
    }

    #[test]
    fn if_none_match_compares_weakly_and_star_matches_anything() {
        assert!(matches_etag("\"a\"", "\"a\""));
        assert!(matches_etag("\"b\", W/\"a\"", "\"a\""));
        assert!(matches_etag("*", "\"a\""));
        assert!(!matches_etag("\"b\"", "\"a\""));
        assert!(!matches_etag("a", "\"a\""));
    }
}
