//! Package names: lowercase, OCI-repository-like, with at most one namespace.

use std::fmt;
use std::str::FromStr;

/// A valid package name: `name` or `namespace/name`, each part matching
/// `[a-z0-9]([a-z0-9-_.]*[a-z0-9])?` and at most 255 bytes long (it is a directory name).
///
/// - `counter`, `acme/counter`, `my-app.core_2` => ok
/// - `Counter`, `-counter`, `counter-`, `a/b/c`, `/counter`, `acme/`, `..`, `` => refused
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageName(String);

impl PackageName {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The parts (`namespace`, `name`), which become nested directories under `packages/`.
    pub fn parts(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }
}

impl FromStr for PackageName {
    type Err = String;

    /// Validates a package name.
    ///
    /// # Errors
    /// A message naming the name, the part at fault and the rule.
    fn from_str(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split('/').collect();
        let rule = "a package name is lowercase `[a-z0-9]([a-z0-9-_.]*[a-z0-9])?`, \
                    optionally with one `namespace/` prefix of the same form";
        if parts.len() > 2 {
            return Err(format!(
                "package name `{text}` has more than one `/`: {rule}"
            ));
        }
        for part in &parts {
            if let Some(problem) = part_problem(part) {
                return Err(format!("package name `{text}`: {problem}: {rule}"));
            }
        }
        Ok(PackageName(text.to_string()))
    }
}

fn part_problem(part: &str) -> Option<String> {
    let edge = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let inner = |c: char| edge(c) || matches!(c, '-' | '_' | '.');
    if part.is_empty() {
        return Some("a part is empty".into());
    }
    if part.len() > 255 {
        return Some(format!(
            "a part is {} bytes long, more than 255",
            part.len()
        ));
    }
    if let Some(bad) = part.chars().find(|&c| !inner(c)) {
        return Some(format!("`{part}` contains `{bad}`"));
    }
    let (first, last) = (part.chars().next()?, part.chars().last()?);
    if !edge(first) || !edge(last) {
        return Some(format!(
            "`{part}` must start and end with a letter or digit"
        ));
    }
    None
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::PackageName;

    #[test]
    fn names_follow_the_documented_rule() {
        let long = "a".repeat(256);
        let table = [
            ("counter", true),
            ("acme/counter", true),
            ("my-app.core_2", true),
            ("0", true),
            ("a.b", true),
            ("Counter", false),
            ("-counter", false),
            ("counter-", false),
            ("a/b/c", false),
            ("/counter", false),
            ("acme/", false),
            ("..", false),
            ("", false),
            ("cöunter", false),
            ("a b", false),
            (long.as_str(), false),
        ];
        for (text, ok) in table {
            let parsed = text.parse::<PackageName>();
            assert_eq!(parsed.is_ok(), ok, "{text:?}: {parsed:?}");
        }
    }
}
