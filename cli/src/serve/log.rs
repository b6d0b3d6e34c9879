//! What `hotswap serve` prints while it runs: text lines, or one JSON object per line with
//! `--json`.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::watched::WatchedGuest;
use super::Done;
use crate::exit::Failure;
use crate::registry::PackageName;

/// What the server prints: text lines, or one JSON object per line with `--json`.
#[derive(Debug, Clone, Copy)]
pub struct Log {
    /// One JSON object per line instead of text.
    pub json: bool,
}

impl Log {
    /// The address it listens on, the folder and the watched modules.
    pub fn listening(self, root: &Path, port: u16, watched: &[(WatchedGuest, PackageName)]) {
        let url = format!("http://127.0.0.1:{port}/");
        if self.json {
            let watch: Vec<_> = watched
                .iter()
                .map(|(w, n)| {
                    serde_json::json!({
                        "path": w.path, "name": n.as_str(),
                        "module": w.module_path(), "glue": w.glue_path(),
                    })
                })
                .collect();
            self.line(&serde_json::json!({
                "listening": url, "port": port, "dir": root, "events": format!("{url}events"),
                "watch": watch,
            }));
        } else {
            let mut text = format!("serving {} on {url} (events: {url}events)", root.display());
            for (file, name) in watched {
                text += &format!("\nwatching {} as {name}", file.path.display());
                if let Some(glue) = file.glue_path() {
                    text += &format!(
                        " (wasm-bindgen: {} with its glue {})",
                        file.module_path().display(),
                        glue.display()
                    );
                }
            }
            self.text(&text);
        }
    }

    /// A watched guest published as `done`, which took `took`.
    pub fn published(self, path: &Path, done: &Done, took: Duration) {
        let ms = took.as_secs_f64() * 1000.0;
        if self.json {
            self.line(&serde_json::json!({ "published": done, "file": path, "ms": ms }));
        } else {
            let event = done.announcement();
            let kind = match done {
                Done::Component(_) => " (component, with jco's JS)",
                Done::Module(_) => "",
            };
            self.text(&format!(
                "published {}@{} {}{kind} from {} in {ms:.1} ms",
                event.name,
                event.version,
                event.digest,
                path.display()
            ));
        }
    }

    /// A watched module changed on disk into the newest version already published.
    pub fn unchanged(self, path: &Path, name: &PackageName) {
        if self.json {
            self.line(&serde_json::json!({ "unchanged": name.as_str(), "file": path }));
        } else {
            self.text(&format!(
                "{}: unchanged, the newest version of {name} already",
                path.display()
            ));
        }
    }

    /// A watched module the publish rules refused.
    pub fn refused(self, path: &Path, failure: &Failure) {
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
    pub fn stream(self, what: &str, peer: Option<&str>) {
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
