//! Bearer challenges (`WWW-Authenticate`) and the anonymous token request they call for.

/// A `Bearer` challenge from `WWW-Authenticate` (RFC 6750, and the Docker/OCI token flow).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Where to ask for a token.
    pub realm: String,
    /// The `service` to name in the token request.
    pub service: Option<String>,
    /// The `scope` to ask for: `repository:acme/counter:pull`.
    pub scope: Option<String>,
}

impl Challenge {
    /// Reads the `Bearer` challenge of a `WWW-Authenticate` value, which may list several
    /// challenges (`Basic realm="r", Bearer realm="…"`). Schemes and parameter names are
    /// case-insensitive; values are tokens or quoted strings (with `\` escapes, and commas
    /// inside, as scopes have).
    ///
    /// - `Bearer realm="https://auth/token",service="reg",scope="repository:a/b:pull,push"`
    ///   => realm, service and scope
    /// - `Basic realm="registry"`, `Bearer service="x"` (no realm), `` => `None`
    pub fn parse(header: &str) -> Option<Challenge> {
        let mut params = AuthParams::new(header);
        let mut current_is_bearer = false;
        let mut found: Option<Challenge> = None;
        while let Some(item) = params.next() {
            match item {
                AuthItem::Scheme(scheme) => {
                    if found.as_ref().is_some_and(|c| !c.realm.is_empty()) {
                        break;
                    }
                    current_is_bearer = scheme.eq_ignore_ascii_case("bearer");
                    if current_is_bearer {
                        found = Some(Challenge {
                            realm: String::new(),
                            service: None,
                            scope: None,
                        });
                    }
                }
                AuthItem::Param(key, value) if current_is_bearer => {
                    let challenge = found.as_mut().expect("a bearer challenge is open");
                    match key.to_ascii_lowercase().as_str() {
                        "realm" => challenge.realm = value,
                        "service" => challenge.service = Some(value),
                        "scope" => challenge.scope = Some(value),
                        _ => {}
                    }
                }
                AuthItem::Param(..) => {}
            }
        }
        found.filter(|c| !c.realm.is_empty())
    }

    /// The token request: the realm with `service` and each space-separated `scope` as query
    /// parameters, percent-encoded.
    ///
    /// - realm `http://a/token`, service `reg`, scope `repository:x/y:pull`
    ///   => `http://a/token?service=reg&scope=repository%3Ax%2Fy%3Apull`
    pub fn token_url(&self) -> String {
        let mut url = self.realm.clone();
        let mut separator = if url.contains('?') { '&' } else { '?' };
        let mut add = |key: &str, value: &str| {
            url.push(separator);
            url.push_str(key);
            url.push('=');
            url.push_str(&percent_encode(value));
            separator = '&';
        };
        if let Some(service) = &self.service {
            add("service", service);
        }
        if let Some(scope) = &self.scope {
            for scope in scope.split_ascii_whitespace() {
                add("scope", scope);
            }
        }
        url
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

enum AuthItem {
    Scheme(String),
    Param(String, String),
}

/// A tokenizer for `WWW-Authenticate`: `scheme`, then `key=value` pairs, commas between.
struct AuthParams<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> AuthParams<'a> {
    fn new(text: &'a str) -> Self {
        AuthParams {
            text: text.as_bytes(),
            at: 0,
        }
    }

    fn skip(&mut self, also_commas: bool) {
        while self.at < self.text.len()
            && (self.text[self.at].is_ascii_whitespace()
                || (also_commas && self.text[self.at] == b','))
        {
            self.at += 1;
        }
    }

    fn token(&mut self) -> String {
        let start = self.at;
        while self.at < self.text.len()
            && !self.text[self.at].is_ascii_whitespace()
            && !matches!(self.text[self.at], b',' | b'=' | b'"')
        {
            self.at += 1;
        }
        String::from_utf8_lossy(&self.text[start..self.at]).into_owned()
    }

    fn quoted(&mut self) -> String {
        let mut out = Vec::new();
        self.at += 1; // the opening quote
        while self.at < self.text.len() {
            match self.text[self.at] {
                b'"' => {
                    self.at += 1;
                    break;
                }
                b'\\' if self.at + 1 < self.text.len() => {
                    out.push(self.text[self.at + 1]);
                    self.at += 2;
                }
                byte => {
                    out.push(byte);
                    self.at += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn next(&mut self) -> Option<AuthItem> {
        self.skip(true);
        if self.at >= self.text.len() {
            return None;
        }
        let word = self.token();
        if word.is_empty() {
            // A stray `=` or `"`: step over it rather than loop.
            self.at += 1;
            return self.next();
        }
        let after_word = self.at;
        self.skip(false);
        if self.text.get(self.at) == Some(&b'=') {
            self.at += 1;
            self.skip(false);
            let value = if self.text.get(self.at) == Some(&b'"') {
                self.quoted()
            } else {
                self.token()
            };
            return Some(AuthItem::Param(word, value));
        }
        self.at = after_word;
        Some(AuthItem::Scheme(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenges_are_read_with_quoted_commas_and_any_case() {
        let c = Challenge::parse(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:acme/counter:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.realm, "https://auth.example/token");
        assert_eq!(c.service.as_deref(), Some("registry.example"));
        assert_eq!(
            c.scope.as_deref(),
            Some("repository:acme/counter:pull,push")
        );

        let c = Challenge::parse(
            r#"Basic realm="basic", bearer  Realm = "http://a/t" , SCOPE="x:y:pull""#,
        )
        .unwrap();
        assert_eq!(c.realm, "http://a/t");
        assert_eq!(c.service, None);
        assert_eq!(c.scope.as_deref(), Some("x:y:pull"));

        let c = Challenge::parse(r#"Bearer realm="http://a/\"q\"",service=plain"#).unwrap();
        assert_eq!(c.realm, r#"http://a/"q""#);
        assert_eq!(c.service.as_deref(), Some("plain"));
    }

    #[test]
    fn challenges_without_a_bearer_realm_are_none() {
        for header in [
            r#"Basic realm="registry""#,
            r#"Bearer service="x""#,
            "",
            "Bearer",
            r#"="x", ,,"#,
        ] {
            assert_eq!(Challenge::parse(header), None, "{header}");
        }
    }

    #[test]
    fn token_urls_carry_service_and_each_scope_encoded() {
        let c = Challenge {
            realm: "http://a/token".into(),
            service: Some("reg".into()),
            scope: Some("repository:x/y:pull repository:x/z:pull,push".into()),
        };
        assert_eq!(
            c.token_url(),
            "http://a/token?service=reg&scope=repository%3Ax%2Fy%3Apull&scope=repository%3Ax%2Fz%3Apull%2Cpush"
        );
        let bare = Challenge {
            realm: "http://a/token?x=1".into(),
            service: None,
            scope: Some("s".into()),
        };
        assert_eq!(bare.token_url(), "http://a/token?x=1&scope=s");
    }
}
