//! The update policy: which version steps a swap may take before the interface is looked at.

use std::cmp::Ordering;

use crate::bump::{self, Bump};
use crate::diff::{diff_for_host, Diff};
use crate::error::{Error, Result};
use crate::interface::{Import, Interface};

/// The host's rules for version steps. Consent to a major upgrade is asked separately, since
/// it may be an async callback in the host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// Allow a lower version to replace a higher one.
    pub allow_downgrade: bool,
    /// Refuse modules without a `version` section.
    pub require_version: bool,
}

/// What a swap from one interface to another amounts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Every difference between the two interfaces.
    pub diff: Diff,
    /// The bump the versions declare; `None` when either module has no version.
    pub declared: Option<Bump>,
}

impl Judgement {
    /// Whether the step is a major upgrade, which needs the host's consent.
    pub fn is_major(&self) -> bool {
        self.declared == Some(Bump::Major)
    }
}

/// The `version` section a module must have under `policy`, for the first load.
///
/// # Errors
/// [`Error::MissingVersion`] when the policy requires a version and there is none.
pub fn check_first(new: &Interface, policy: &Policy) -> Result<()> {
    if policy.require_version && new.version.is_none() {
        return Err(Error::MissingVersion {
            module: "the new module".into(),
        });
    }
    Ok(())
}

/// Judges the step from `old` to `new`:
///
/// 1. With `require_version`, both must have a `version` section.
/// 2. When both have one: a lower new version is refused unless `allow_downgrade`; otherwise
///    the declared bump must be at least what the interface change needs ([`bump::check`]):
///    `1.2.0 => 1.3.0` removing an export is refused, `1.2.0 => 2.0.0` is a major step.
/// 3. Without versions, no semver rule applies; the gate still checks the interface.
///
/// # Errors
/// [`Error::MissingVersion`], [`Error::DowngradeRefused`], or [`Error::SemverViolation`]
/// naming every change that needs more than the declared bump.
///
/// `provides` tells whether the host provides an import the new module adds
/// ([`diff_for_host`]).
pub fn judge(
    old: &Interface,
    new: &Interface,
    policy: &Policy,
    provides: impl Fn(&Import) -> bool,
) -> Result<Judgement> {
    check_first(new, policy)?;
    if policy.require_version && old.version.is_none() {
        return Err(Error::MissingVersion {
            module: "the module serving".into(),
        });
    }
    let diff = diff_for_host(old, new, provides);
    let (Some(from), Some(to)) = (&old.version, &new.version) else {
        return Ok(Judgement {
            diff,
            declared: None,
        });
    };
    if to.cmp_precedence(from) == Ordering::Less {
        if !policy.allow_downgrade {
            return Err(Error::DowngradeRefused {
                from: from.to_string(),
                to: to.to_string(),
            });
        }
        return Ok(Judgement {
            diff,
            declared: None,
        });
    }
    match bump::check(from, to, diff.severity()) {
        Ok(declared) => Ok(Judgement {
            diff,
            declared: Some(declared),
        }),
        Err((declared, required)) => Err(Error::SemverViolation {
            from: from.to_string(),
            to: to.to_string(),
            declared: declared.to_string(),
            required: required.to_string(),
            changes: diff
                .changes
                .iter()
                .filter(|c| bump::required(c.severity) > declared)
                .map(ToString::to_string)
                .collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::read_interface;

    fn module(version: Option<&str>, exports: &str) -> Interface {
        let section = version
            .map(|v| format!(r#"(@custom "version" "{v}")"#))
            .unwrap_or_default();
        read_interface(&wat::parse_str(format!("(module {exports} {section})")).unwrap()).unwrap()
    }

    const GET: &str = r#"(func (export "get") (result i32) (i32.const 0))"#;
    const GET_SET: &str =
        r#"(func (export "get") (result i32) (i32.const 0)) (func (export "set") (param i32))"#;

    #[test]
    fn steps_follow_the_gate_table() {
        let strict = Policy::default();
        // (from version, old exports, to version, new exports, policy, declared bump or error code)
        type Row = (
            Option<&'static str>,
            &'static str,
            Option<&'static str>,
            &'static str,
            Policy,
            std::result::Result<Option<Bump>, &'static str>,
        );
        let table: [Row; 10] = [
            (
                Some("1.0.0"),
                GET,
                Some("1.0.1"),
                GET,
                strict,
                Ok(Some(Bump::Patch)),
            ),
            (
                Some("1.0.0"),
                GET,
                Some("1.1.0"),
                GET_SET,
                strict,
                Ok(Some(Bump::Minor)),
            ),
            (
                Some("1.0.0"),
                GET,
                Some("1.0.1"),
                GET_SET,
                strict,
                Err("SEMVER_VIOLATION"),
            ),
            (
                Some("1.0.0"),
                GET_SET,
                Some("1.1.0"),
                GET,
                strict,
                Err("SEMVER_VIOLATION"),
            ),
            (
                Some("1.0.0"),
                GET_SET,
                Some("2.0.0"),
                GET,
                strict,
                Ok(Some(Bump::Major)),
            ),
            (
                Some("1.2.0"),
                GET,
                Some("1.1.0"),
                GET,
                strict,
                Err("DOWNGRADE_REFUSED"),
            ),
            (
                Some("1.2.0"),
                GET,
                Some("1.1.0"),
                GET,
                Policy {
                    allow_downgrade: true,
                    ..strict
                },
                Ok(None),
            ),
            (None, GET, Some("1.0.0"), GET, strict, Ok(None)),
            (
                None,
                GET,
                Some("1.0.0"),
                GET,
                Policy {
                    require_version: true,
                    ..strict
                },
                Err("MISSING_VERSION"),
            ),
            (
                Some("1.0.0"),
                GET,
                None,
                GET,
                Policy {
                    require_version: true,
                    ..strict
                },
                Err("MISSING_VERSION"),
            ),
        ];
        for (from, old, to, new, policy, expected) in table {
            let result = judge(&module(from, old), &module(to, new), &policy, |_| false);
            match (result, expected) {
                (Ok(judgement), Ok(declared)) => {
                    assert_eq!(judgement.declared, declared, "{from:?} => {to:?}")
                }
                (Err(err), Err(code)) => assert_eq!(err.code(), code, "{from:?} => {to:?}: {err}"),
                (other, expected) => panic!("{from:?} => {to:?}: {other:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn semver_violation_names_the_changes_that_need_more() {
        let err = judge(
            &module(Some("1.4.2"), GET_SET),
            &module(Some("1.5.0"), GET),
            &Policy::default(),
            |_| false,
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("1.4.2 => 1.5.0 declares a minor bump, but the change needs major"),
            "{message}"
        );
        assert!(
            message.contains("export `set` (function (i32) -> ()) was removed"),
            "{message}"
        );
    }

    #[test]
    fn a_major_step_is_flagged_for_consent() {
        let judgement = judge(
            &module(Some("0.3.1"), GET_SET),
            &module(Some("0.4.0"), GET),
            &Policy::default(),
            |_| false,
        )
        .unwrap();
        assert!(
            judgement.is_major(),
            "0.3 => 0.4 is major under the 0.x convention"
        );
        let judgement = judge(
            &module(Some("1.0.0"), GET),
            &module(Some("1.1.0"), GET_SET),
            &Policy::default(),
            |_| false,
        )
        .unwrap();
        assert!(!judgement.is_major());
    }
}
