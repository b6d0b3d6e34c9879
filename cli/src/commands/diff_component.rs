//! `hotswap diff old.component.wasm new.component.wasm [--check]`: two components' worlds,
//! classified by the rules of `wasm-tools component semver-check`
//! ([`crate::component::diff::diff`]).

use std::path::Path;

use serde_json::json;

use super::diff::{report, Side};
use super::Report;
use crate::component::{diff::diff, Component};
use crate::exit::{Exit, Failure};

/// Both components, when both files are; `None` when neither is (two modules).
///
/// # Errors
/// `KIND_MISMATCH` (exit 2) naming the file when one is a component and the other a core
/// module: there is no interface change to classify between them.
pub fn both(
    read: (Option<Component>, Option<Component>),
    old_path: &Path,
    new_path: &Path,
) -> Result<Option<(Component, Component)>, Failure> {
    let mismatch = |component: &Path, module: &Path| {
        Failure::new(
            Exit::InvalidInput,
            "KIND_MISMATCH",
            format!(
                "`{}` is a component and `{}` a core module; diff compares two modules or two \
                 components",
                component.display(),
                module.display()
            ),
        )
    };
    match read {
        (Some(old), Some(new)) => Ok(Some((old, new))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(mismatch(old_path, new_path)),
        (None, Some(_)) => Err(mismatch(new_path, old_path)),
    }
}

/// The report of the WIT change from `old` to `new`, in the form of modules' diffs
/// ([`super::diff::run`]), each side with `"kind": "component"`.
pub fn run(old: &Component, new: &Component, check: bool) -> Report {
    let change = diff(&old.world, &new.world);
    fn side(c: &Component) -> Side<'_> {
        Side {
            path: &c.path,
            version: c.version.as_ref(),
            json: json!({
                "file": c.path,
                "version": c.version.as_ref().map(ToString::to_string),
                "digest": c.digest.to_string(),
                "kind": "component",
            }),
        }
    }
    report(side(old), side(new), &change, check)
}
