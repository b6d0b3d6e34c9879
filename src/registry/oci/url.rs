//! URLs of a registry: its base, and the `Link` pages and `Location`s it answers with.

/// A registry's base URL without a trailing `/` and without the `oci+` prefix a registry
/// option may carry: `oci+http://127.0.0.1:5000/` => `http://127.0.0.1:5000`.
pub fn base_url(registry: &str) -> &str {
    let base = registry.strip_prefix("oci+").unwrap_or(registry);
    base.trim_end_matches('/')
}

/// The scheme and authority of `url`: `http://host:5000/v2/x` => `http://host:5000`.
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

/// Resolves a `Link` target or a `Location` against the URL of the request that returned it:
/// absolute URLs stay, `/v2/…` gets the request's origin, anything else its directory.
pub fn resolve_url(request_url: &str, target: &str) -> String {
    if target.starts_with("http://") || target.starts_with("https://") {
        target.to_string()
    } else if target.starts_with('/') {
        format!("{}{target}", origin(request_url))
    } else {
        let path_end = request_url.find('?').unwrap_or(request_url.len());
        let dir = &request_url[..path_end];
        let dir = &dir[..dir.rfind('/').map_or(dir.len(), |i| i + 1)];
        format!("{dir}{target}")
    }
}

/// The `rel="next"` target of a `Link` header (RFC 8288), as tag and catalog listings page:
/// `</v2/acme/counter/tags/list?n=2&last=1.1.0>; rel="next"` => `/v2/acme/…&last=1.1.0`.
pub fn next_link(header: &str) -> Option<&str> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let params_end = rest[close..].find('<').map_or(rest.len(), |i| close + i);
        let params = &rest[close + 1..params_end];
        let is_next = params.split(';').any(|param| {
            let Some((key, value)) = param.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target);
        }
        rest = &rest[params_end..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_and_locations_resolve_against_the_request() {
        assert_eq!(
            next_link(r#"</v2/acme/counter/tags/list?n=2&last=1.1.0>; rel="next""#),
            Some("/v2/acme/counter/tags/list?n=2&last=1.1.0")
        );
        assert_eq!(
            next_link(r#"<https://a/prev>; rel=prev, <https://a/next>; rel="next last""#),
            Some("https://a/next")
        );
        assert_eq!(next_link(r#"<https://a/prev>; rel="prev""#), None);
        assert_eq!(next_link(""), None);
        let request = "http://127.0.0.1:5000/v2/acme/counter/tags/list?n=2";
        assert_eq!(
            resolve_url(request, "/v2/acme/counter/tags/list?last=b"),
            "http://127.0.0.1:5000/v2/acme/counter/tags/list?last=b"
        );
        assert_eq!(resolve_url(request, "https://cdn/x"), "https://cdn/x");
        assert_eq!(
            resolve_url(request, "list?last=b"),
            "http://127.0.0.1:5000/v2/acme/counter/tags/list?last=b"
        );
        assert_eq!(
            base_url("oci+http://127.0.0.1:5000/"),
            "http://127.0.0.1:5000"
        );
        assert_eq!(base_url("https://ghcr.io"), "https://ghcr.io");
    }
}
