//! A guard around the core's `bump::smallest_allowed`, which adds 1 to a version number
//! without checking for overflow: a version such as `1.2.18446744073709551615` (valid
//! semver) panics in a debug build and wraps to a smaller version in a release build. Until
//! the core returns `None` there itself, the CLI does not ask it about such versions and
//! checks what it answers with the core's own `bump::check`. Delete this file when it does.

use semver::Version;
use wasm_hotswap::bump;
use wasm_hotswap::diff::Severity;

/// The smallest version after `old` that allows a change of `severity`, or `None` when a
/// number of `old` is `u64::MAX`, so that no greater version may exist at the needed level.
pub fn smallest_allowed(old: &Version, severity: Severity) -> Option<Version> {
    if [old.major, old.minor, old.patch].contains(&u64::MAX) {
        return None;
    }
    let next = bump::smallest_allowed(old, severity);
    bump::check(old, &next, severity).is_ok().then_some(next)
}
