//! OCI repository names, by the distribution spec's grammar.

use crate::error::{Error, Result};

/// Checks an OCI repository name (distribution spec): path components of lowercase letters
/// and digits, joined inside by `.`, `_`, `__` or runs of `-`, separated by `/`.
///
/// - `counter`, `acme/counter`, `acme/wasm/my-app.core__2` => ok
/// - `Acme/counter`, `acme//counter`, `-counter`, `counter_`, `a___b`, `` => refused
///
/// # Errors
/// [`Error::InvalidOptions`] for `option`, naming the component at fault.
pub fn check_repository(name: &str, option: &'static str) -> Result<()> {
    let refuse = |problem: String| {
        Error::InvalidOptions {
        option,
        reason: format!(
            "OCI repository `{name}`: {problem}; each `/`-separated part is lowercase letters and digits, joined by `.`, `_`, `__` or `-`"
        ),
    }
    };
    for part in name.split('/') {
        let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        let bytes = part.as_bytes();
        if bytes.is_empty() {
            return Err(refuse("a part is empty".into()));
        }
        if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
            return Err(refuse(format!(
                "`{part}` must start and end with a lowercase letter or a digit"
            )));
        }
        let mut i = 0;
        while i < bytes.len() {
            if alnum(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && !alnum(bytes[i]) {
                i += 1;
            }
            let separator = &part[start..i];
            let ok = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
            if !ok {
                return Err(refuse(format!("`{part}` contains `{separator}`")));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names_follow_the_distribution_grammar() {
        for ok in [
            "counter",
            "acme/counter",
            "acme/wasm/my-app.core__2",
            "a--b",
            "0",
        ] {
            assert!(check_repository(ok, "name").is_ok(), "{ok}");
        }
        for bad in [
            "Acme/counter",
            "acme//counter",
            "-counter",
            "counter_",
            "a___b",
            "",
            "a..b",
            "a b",
            "/x",
            "x/",
        ] {
            let err = check_repository(bad, "name").unwrap_err();
            assert_eq!(err.code(), "INVALID_OPTIONS", "{bad}");
        }
    }
}
