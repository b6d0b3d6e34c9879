//! A blocking registry client: requests, and the anonymous bearer-token flow.
//!
//! A request answered 401 with `WWW-Authenticate: Bearer realm=…,service=…,scope=…` is
//! repeated once with a token fetched anonymously from the realm ([`Challenge::token_url`]).
//! The token is kept for the next requests; when one of them is challenged again (a push
//! needs `pull,push` where the tag listing needed `pull`), a new token is fetched.

use std::cell::RefCell;
use std::time::Duration;

use ureq::http::{self, HeaderMap, Method};
use wasm_hotswap::registry::oci::Challenge;

use crate::exit::{Exit, Failure};

/// The largest body read: the module of the previous version, a manifest, a token.
const MAX_BODY: u64 = 1 << 30;

/// A registry's answer, its body read.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body (empty for `HEAD`).
    pub body: Vec<u8>,
}

impl Reply {
    /// A header's value as text, if present and ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The registry's own error text (`{"errors": [{"code", "message"}]}`), or the status.
    pub fn reason(&self) -> String {
        let errors = serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|json| json.get("errors").and_then(|e| e.as_array()).cloned())
            .unwrap_or_default();
        let detail: Vec<String> = errors
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    e.get("code").and_then(|c| c.as_str()).unwrap_or("?"),
                    e.get("message").and_then(|m| m.as_str()).unwrap_or("")
                )
            })
            .collect();
        if detail.is_empty() {
            format!("HTTP {}", self.status)
        } else {
            format!("HTTP {} ({})", self.status, detail.join("; "))
        }
    }
}

/// A client for one registry, keeping its last bearer token.
pub struct Client {
    agent: ureq::Agent,
    token: RefCell<Option<String>>,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    /// A client with 60-second connect and 10-minute overall timeouts; statuses are
    /// returned, not raised, so that a 401's challenge can be read.
    pub fn new() -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(60)))
            .timeout_global(Some(Duration::from_secs(600)))
            .user_agent(concat!("hotswap/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent: config.into(),
            token: RefCell::new(None),
        }
    }

    /// Sends `method url` with `headers` and `body`, through the token flow on a 401.
    ///
    /// # Errors
    /// `REGISTRY_ERROR` (exit 3): the registry cannot be reached, or it asks for credentials
    /// other than an anonymous bearer token, or the token request fails.
    pub fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Reply, Failure> {
        let token = self.token.borrow().clone();
        let reply = self.exchange(&method, url, headers, body, token.as_deref())?;
        if reply.status != 401 {
            return Ok(reply);
        }
        let challenge = reply.header("www-authenticate").unwrap_or("").to_string();
        let Some(challenge) = Challenge::parse(&challenge) else {
            return Err(registry_error(
                &method,
                url,
                format!(
                    "{}; it asks for credentials (`WWW-Authenticate: {challenge}`), and only \
                     anonymous bearer tokens are supported",
                    reply.reason()
                ),
            ));
        };
        let token = self.fetch_token(&challenge)?;
        *self.token.borrow_mut() = Some(token.clone());
        self.exchange(&method, url, headers, body, Some(&token))
    }

    fn fetch_token(&self, challenge: &Challenge) -> Result<String, Failure> {
        let url = challenge.token_url();
        let reply = self.exchange(&Method::GET, &url, &[], None, None)?;
        if !reply.ok() {
            return Err(registry_error(
                &Method::GET,
                &url,
                format!("the token request failed: {}", reply.reason()),
            ));
        }
        let json: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
        ["token", "access_token"]
            .iter()
            .find_map(|key| json.get(key).and_then(|t| t.as_str()))
            .map(str::to_string)
            .ok_or_else(|| {
                registry_error(
                    &Method::GET,
                    &url,
                    "the token response has no `token` or `access_token`".into(),
                )
            })
    }

    fn exchange(
        &self,
        method: &Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
        token: Option<&str>,
    ) -> Result<Reply, Failure> {
        let mut request = http::Request::builder().method(method.clone()).uri(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let failed = |e: &dyn std::fmt::Display| registry_error(method, url, e.to_string());
        let result = match body {
            Some(body) => self.agent.run(request.body(body).map_err(|e| failed(&e))?),
            None => self.agent.run(request.body(()).map_err(|e| failed(&e))?),
        };
        let mut response = result.map_err(|e| failed(&e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = if *method == Method::HEAD {
            Vec::new()
        } else {
            response
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .map_err(|e| failed(&format!("reading the body: {e}")))?
        };
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// `REGISTRY_ERROR` (exit 3) naming the request.
pub fn registry_error(method: &Method, url: &str, reason: String) -> Failure {
    Failure::new(
        Exit::Io,
        "REGISTRY_ERROR",
        format!("{method} {url}: {reason}"),
    )
}
