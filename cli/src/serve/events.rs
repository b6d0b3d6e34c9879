//! The server-sent-events stream at `GET /events`: one `published` event per version published
//! while the server runs, and a keep-alive comment every 15 seconds.
//!
//! ```text
//! event: published
//! data: {"name":"acme/counter","version":"1.2.1","digest":"sha256:…"}
//!
//! ```

use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

/// How often an idle stream gets a comment line, so that proxies and the browser keep it open.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What a `published` event announces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Announcement {
    /// The package name.
    pub name: String,
    /// The version published.
    pub version: String,
    /// `sha256:<64 hex>` of its blob.
    pub digest: String,
}

impl Announcement {
    /// The event as it goes on the wire: `event: published`, one `data:` line, a blank line.
    pub fn to_event(&self) -> String {
        let data = serde_json::to_string(self).expect("an announcement serializes");
        format!("event: published\ndata: {data}\n\n")
    }
}

/// Hands every announcement to every open stream, once per `(name, version)`.
#[derive(Debug, Default)]
pub struct Hub {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    streams: Vec<Sender<Arc<str>>>,
    seen: HashSet<(String, String)>,
}

impl Hub {
    /// Records `(name, version)` as known without announcing it: versions published before the
    /// server started.
    pub fn remember(&self, name: &str, version: &str) {
        self.lock().seen.insert((name.into(), version.into()));
    }

    /// Sends `announcement` to every open stream, unless its `(name, version)` was announced
    /// or remembered before. Returns whether it was sent.
    pub fn announce(&self, announcement: &Announcement) -> bool {
        let mut state = self.lock();
        let key = (announcement.name.clone(), announcement.version.clone());
        if !state.seen.insert(key) {
            return false;
        }
        let event: Arc<str> = announcement.to_event().into();
        // A stream whose client went away has dropped its receiver: forget it.
        state.streams.retain(|s| s.send(event.clone()).is_ok());
        true
    }

    /// A new stream's feed of events.
    pub fn subscribe(&self) -> Receiver<Arc<str>> {
        let (sender, receiver) = mpsc::channel();
        self.lock().streams.push(sender);
        receiver
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves the state usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The response head of the stream. The body has no length and is not chunked: it ends when
/// the connection closes, so each event reaches the client as soon as it is flushed.
pub const HEAD: &str = "HTTP/1.1 200 OK\r\n\
Content-Type: text/event-stream\r\n\
Cache-Control: no-cache\r\n\
Connection: close\r\n\
Access-Control-Allow-Origin: *\r\n\
Cross-Origin-Resource-Policy: cross-origin\r\n\
X-Accel-Buffering: no\r\n\
\r\n";

/// Writes the stream to `out` until the client goes away: the head, a `retry` hint (reconnect
/// after one second), then each event from `feed` as it comes and a keep-alive comment after
/// `keep_alive` without one.
///
/// # Errors
/// The write error that ends the stream (normally: the client closed it).
pub fn stream(
    out: &mut dyn Write,
    feed: &Receiver<Arc<str>>,
    keep_alive: Duration,
) -> io::Result<()> {
    out.write_all(HEAD.as_bytes())?;
    out.write_all(b"retry: 1000\n: connected\n\n")?;
    out.flush()?;
    loop {
        match feed.recv_timeout(keep_alive) {
            Ok(event) => out.write_all(event.as_bytes())?,
            Err(RecvTimeoutError::Timeout) => out.write_all(b": keep-alive\n\n")?,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
        out.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter(version: &str) -> Announcement {
        Announcement {
            name: "acme/counter".into(),
            version: version.into(),
            digest: "sha256:00".into(),
        }
    }

    #[test]
    fn an_event_is_one_published_event_with_json_data() {
        assert_eq!(
            counter("1.2.1").to_event(),
            "event: published\ndata: {\"name\":\"acme/counter\",\"version\":\"1.2.1\",\"digest\":\"sha256:00\"}\n\n"
        );
    }

    #[test]
    fn each_version_is_announced_once_and_remembered_ones_never() {
        let hub = Hub::default();
        let feed = hub.subscribe();
        hub.remember("acme/counter", "1.0.0");
        assert!(!hub.announce(&counter("1.0.0")));
        assert!(hub.announce(&counter("1.0.1")));
        assert!(!hub.announce(&counter("1.0.1")));
        let got: Vec<Arc<str>> = feed.try_iter().collect();
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("\"1.0.1\""));
    }

    #[test]
    fn a_stream_sends_keep_alive_comments_when_idle_and_ends_when_its_client_goes() {
        let hub = Hub::default();
        let feed = hub.subscribe();
        hub.announce(&counter("1.0.0"));
        drop(hub); // no more events: the stream ends after what is queued
        let mut out = Vec::new();
        stream(&mut out, &feed, Duration::from_millis(1)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("\r\n\r\nretry: 1000\n"), "{text}");
        assert!(text.ends_with(&counter("1.0.0").to_event()), "{text}");

        let (sender, idle) = mpsc::channel::<Arc<str>>();
        let writer = std::thread::spawn(move || {
            let mut out = Vec::new();
            stream(&mut out, &idle, Duration::from_millis(5)).unwrap();
            String::from_utf8(out).unwrap()
        });
        std::thread::sleep(Duration::from_millis(40));
        drop(sender);
        assert!(writer.join().unwrap().contains(": keep-alive\n\n"));
    }
}
