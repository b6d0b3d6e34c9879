//! The semver rule: how large a version bump a change needs.

use std::fmt;

use semver::Version;
use serde::Serialize;

use crate::diff::Severity;

/// The compatibility level a version bump declares, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// The same version.
    None,
    /// A patch: no interface change.
    Patch,
    /// A minor release: additions.
    Minor,
    /// A major release: anything.
    Major,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

/// The level a change of `severity` needs.
///
/// - breaking => [`Bump::Major`]
/// - additive => [`Bump::Minor`]
/// - none => [`Bump::None`] (any bump will do, even none)
pub fn required(severity: Severity) -> Bump {
    match severity {
        Severity::Breaking => Bump::Major,
        Severity::Additive => Bump::Minor,
        Severity::None => Bump::None,
    }
}

/// The compatibility level that going from `old` to `new` declares, or `None` when `new` is
/// not greater than `old` (a downgrade, or the same version).
///
/// From 1.0.0 on, the level is the leftmost number that grew:
/// - `1.2.3 => 2.0.0` major, `1.2.3 => 1.3.0` minor, `1.2.3 => 1.2.4` patch
///
/// Below 1.0.0, semver makes no promise, and the convention (Cargo's, npm's caret) shifts every
/// level one place right: the leftmost non-zero number is the major one.
/// - `0.2.3 => 0.3.0` major, `0.2.3 => 0.2.4` minor (there is no patch level)
/// - `0.0.3 => 0.0.4` major (every 0.0.x release may break)
/// - `0.9.0 => 1.0.0` major
///
/// Prereleases make no compatibility promise either. A bump is judged on `major.minor.patch`;
/// when those are equal (`2.0.0-rc.1 => 2.0.0-rc.2`, `2.0.0-rc.2 => 2.0.0`) the level is the
/// one that leads to that version from the last release before it, which for a prerelease of
/// a new major is major:
/// - `2.0.0-rc.1 => 2.0.0` major, `1.3.0-beta.1 => 1.3.0-beta.2` minor,
///   `1.2.4-rc.1 => 1.2.4` patch
/// - `1.2.3 => 2.0.0-rc.1` major
/// - `1.2.3 => 1.2.3`, `1.2.3 => 1.2.2`, `2.0.0 => 2.0.0-rc.1` => `None` (not an upgrade)
///
/// Build metadata (`+build.5`) is ignored, as semver says.
pub fn declared(old: &Version, new: &Version) -> Option<Bump> {
    if new.cmp_precedence(old) != std::cmp::Ordering::Greater {
        return None;
    }
    let (o, n) = (
        (old.major, old.minor, old.patch),
        (new.major, new.minor, new.patch),
    );
    if o == n {
        // Only the prerelease part moved: the level of the release this leads to.
        return Some(level_of_release(new));
    }
    let raw = if n.0 > o.0 {
        Bump::Major
    } else if n.1 > o.1 {
        Bump::Minor
    } else {
        Bump::Patch
    };
    Some(match (old.major, old.minor, raw) {
        (0, 0, _) => Bump::Major,
        (0, _, Bump::Minor) => Bump::Major,
        (0, _, Bump::Patch) => Bump::Minor,
        _ => raw,
    })
}

/// The level of the release `version` names, judged as the bump that would lead to it:
/// `x.0.0` major, `x.y.0` minor, `x.y.z` patch, with the 0.x shift.
fn level_of_release(version: &Version) -> Bump {
    match (version.major, version.minor, version.patch) {
        (0, 0, _) => Bump::Major,
        (0, _, 0) => Bump::Major,
        (0, _, _) => Bump::Minor,
        (_, 0, 0) => Bump::Major,
        (_, _, 0) => Bump::Minor,
        _ => Bump::Patch,
    }
}

/// The smallest version after `old` that allows a change of `severity`.
///
/// - `1.2.3`, breaking => `2.0.0`; additive => `1.3.0`; none => `1.2.4`
/// - `0.2.3`, breaking => `0.3.0`; additive => `0.2.4`; none => `0.2.4`
/// - `0.0.3`, anything => `0.0.4`
/// - `2.0.0-rc.1`, anything => `2.0.0-rc.1` is followed by `2.0.0`
///
/// `None` when no such version exists: a number that would have to grow is `u64::MAX`.
pub fn smallest_allowed(old: &Version, severity: Severity) -> Option<Version> {
    let need = required(severity);
    let release = Version::new(old.major, old.minor, old.patch);
    if !old.pre.is_empty() && level_of_release(&release) >= need {
        return Some(release);
    }
    let (major, minor, patch) = (old.major, old.minor, old.patch);
    // Which number to raise: below 1.0.0 every level sits one place further right.
    Some(match (major, minor, need) {
        (0, 0, _) | (0, _, Bump::Minor | Bump::Patch | Bump::None) => {
            Version::new(0, minor, patch.checked_add(1)?)
        }
        (0, _, Bump::Major) => Version::new(0, minor.checked_add(1)?, 0),
        (_, _, Bump::Major) => Version::new(major.checked_add(1)?, 0, 0),
        (_, _, Bump::Minor) => Version::new(major, minor.checked_add(1)?, 0),
        (_, _, Bump::Patch | Bump::None) => Version::new(major, minor, patch.checked_add(1)?),
    })
}

/// Checks that going from `old` to `new` declares a bump large enough for a change of
/// `severity`: `Err` holds the declared and the required level.
///
/// | change | needs |
/// |---|---|
/// | breaking | major (from 0.y: y+1; from 0.0.z: z+1) |
/// | additive | minor or more (from 0.y.z: z+1 will do) |
/// | none | any upgrade |
///
/// A `new` that is not greater than `old` declares [`Bump::None`], which only a change of
/// severity none satisfies.
pub fn check(old: &Version, new: &Version, severity: Severity) -> Result<Bump, (Bump, Bump)> {
    let declared = declared(old, new).unwrap_or(Bump::None);
    let needed = required(severity);
    if declared >= needed {
        Ok(declared)
    } else {
        Err((declared, needed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn declared_bumps_follow_the_documented_table() {
        let table = [
            ("1.2.3", "2.0.0", Some(Bump::Major)),
            ("1.2.3", "1.3.0", Some(Bump::Minor)),
            ("1.2.3", "1.2.4", Some(Bump::Patch)),
            ("1.2.3", "1.9.0+build.1", Some(Bump::Minor)),
            ("0.2.3", "0.3.0", Some(Bump::Major)),
            ("0.2.3", "0.2.4", Some(Bump::Minor)),
            ("0.0.3", "0.0.4", Some(Bump::Major)),
            ("0.9.0", "1.0.0", Some(Bump::Major)),
            ("2.0.0-rc.1", "2.0.0", Some(Bump::Major)),
            ("2.0.0-rc.1", "2.0.0-rc.2", Some(Bump::Major)),
            ("1.3.0-beta.1", "1.3.0-beta.2", Some(Bump::Minor)),
            ("1.2.4-rc.1", "1.2.4", Some(Bump::Patch)),
            ("1.2.3", "2.0.0-rc.1", Some(Bump::Major)),
            ("1.2.3", "1.2.3", None),
            ("1.2.3", "1.2.3+other", None),
            ("1.2.3", "1.2.2", None),
            ("2.0.0", "2.0.0-rc.1", None),
            ("2.0.0", "1.9.9", None),
        ];
        for (old, new, expected) in table {
            assert_eq!(declared(&v(old), &v(new)), expected, "{old} => {new}");
        }
    }

    #[test]
    fn check_requires_major_for_breaking_and_minor_for_additive() {
        let table = [
            ("1.2.3", "2.0.0", Severity::Breaking, Ok(Bump::Major)),
            (
                "1.2.3",
                "1.3.0",
                Severity::Breaking,
                Err((Bump::Minor, Bump::Major)),
            ),
            (
                "1.2.3",
                "1.2.4",
                Severity::Additive,
                Err((Bump::Patch, Bump::Minor)),
            ),
            ("1.2.3", "1.3.0", Severity::Additive, Ok(Bump::Minor)),
            ("1.2.3", "1.2.4", Severity::None, Ok(Bump::Patch)),
            ("1.2.3", "1.2.3", Severity::None, Ok(Bump::None)),
            (
                "1.2.3",
                "1.2.3",
                Severity::Additive,
                Err((Bump::None, Bump::Minor)),
            ),
            ("0.2.3", "0.3.0", Severity::Breaking, Ok(Bump::Major)),
            (
                "0.2.3",
                "0.2.4",
                Severity::Breaking,
                Err((Bump::Minor, Bump::Major)),
            ),
            ("0.2.3", "0.2.4", Severity::Additive, Ok(Bump::Minor)),
            ("0.0.3", "0.0.4", Severity::Breaking, Ok(Bump::Major)),
            (
                "2.0.0-rc.1",
                "2.0.0-rc.2",
                Severity::Breaking,
                Ok(Bump::Major),
            ),
            (
                "1.2.4-rc.1",
                "1.2.4",
                Severity::Additive,
                Err((Bump::Patch, Bump::Minor)),
            ),
        ];
        for (old, new, severity, expected) in table {
            assert_eq!(
                check(&v(old), &v(new), severity),
                expected,
                "{old} => {new}, {severity}"
            );
        }
    }

    #[test]
    fn no_version_is_allowed_past_the_largest_number() {
        let max = u64::MAX;
        assert_eq!(
            smallest_allowed(&Version::new(max, 0, 0), Severity::Breaking),
            None
        );
        assert_eq!(
            smallest_allowed(&Version::new(1, max, 0), Severity::Additive),
            None
        );
        assert_eq!(
            smallest_allowed(&Version::new(1, 2, max), Severity::None),
            None
        );
        assert_eq!(
            smallest_allowed(&Version::new(1, 2, max), Severity::Breaking),
            Some(Version::new(2, 0, 0))
        );
    }

    #[test]
    fn smallest_allowed_version_for_each_change() {
        let table = [
            ("1.2.3", Severity::Breaking, "2.0.0"),
            ("1.2.3", Severity::Additive, "1.3.0"),
            ("1.2.3", Severity::None, "1.2.4"),
            ("0.2.3", Severity::Breaking, "0.3.0"),
            ("0.2.3", Severity::Additive, "0.2.4"),
            ("0.0.3", Severity::Breaking, "0.0.4"),
            ("2.0.0-rc.1", Severity::Breaking, "2.0.0"),
            ("1.2.4-rc.1", Severity::Additive, "1.3.0"),
            ("1.2.4-rc.1", Severity::None, "1.2.4"),
        ];
        for (old, severity, expected) in table {
            let next = smallest_allowed(&v(old), severity).unwrap();
            assert_eq!(next.to_string(), expected, "{old}, {severity}");
            assert!(
                check(&v(old), &next, severity).is_ok(),
                "{old} => {next} passes its own check"
            );
        }
    }
}
