//! `hotswap diff old.wasm new.wasm [--check]`.

use std::path::Path;

use serde_json::json;
use wasm_hotswap::bump;
use wasm_hotswap::diff::{diff, Diff, Severity};

use super::Report;
use crate::exit::{Exit, Failure};
use crate::module::Module;
use crate::table::columns;

const GROUPS: [Severity; 3] = [Severity::Breaking, Severity::Additive, Severity::None];

/// Compares the modules in `old` and `new`: what the app reaches of each
/// ([`Module::compared`]), so that a wasm-bindgen module's own exports and its imports from
/// the glue, renamed by every build, are not changes.
///
/// JSON: `{"old": {"file", "version", "digest", "kind": "raw" | "wasm-bindgen"}, "new": {…},
/// "severity",
/// "changes": {"breaking": [{"severity", "item", "detail"}], "additive": […], "none": […]},
/// "required": "major", "bump": {"declared", "ok"} | null, "smallest_allowed": "2.0.0" | null,
/// "check": {"passed", "reason"} | null}`.
///
/// `bump` is null unless both modules have a `version` section; `declared` is null when the
/// new version is not greater. `smallest_allowed` needs the old version. With `check`, the
/// exit status is 1 unless `bump.ok`.
///
/// # Errors
/// `IO_ERROR` (exit 3); the core's errors (exit 2) for either module.
pub fn run(old_path: &Path, new_path: &Path, check: bool) -> Result<Report, Failure> {
    let components = (
        crate::component::read_if_component(old_path)?,
        crate::component::read_if_component(new_path)?,
    );
    if let Some((old, new)) = super::diff_component::both(components, old_path, new_path)? {
        return Ok(super::diff_component::run(&old, &new, check));
    }
    let old = Module::read(old_path)?;
    let new = Module::read(new_path)?;
    let change = diff(&old.compared(), &new.compared());
    fn side(m: &Module) -> Side<'_> {
        Side {
            path: &m.path,
            version: m.interface.version.as_ref(),
            json: json!({
                "file": m.path,
                "version": m.interface.version.as_ref().map(ToString::to_string),
                "digest": m.digest.to_string(),
                "kind": m.kind(),
            }),
        }
    }
    Ok(report(side(&old), side(&new), &change, check))
}

/// One side of a diff, as [`report`] shows it.
pub(crate) struct Side<'a> {
    /// The file.
    pub path: &'a Path,
    /// Its `version` section.
    pub version: Option<&'a semver::Version>,
    /// Its `"old"` or `"new"` JSON.
    pub json: serde_json::Value,
}

/// The report of a classified `change` from `old` to `new`, for modules and components alike.
pub(crate) fn report(old: Side<'_>, new: Side<'_>, change: &Diff, check: bool) -> Report {
    let (old_path, new_path) = (old.path, new.path);
    let severity = change.severity();
    let required = bump::required(severity);
    let versions = old.version.zip(new.version);
    let verdict = versions.map(|(o, n)| (bump::declared(o, n), bump::check(o, n, severity)));
    let smallest = old
        .version
        .and_then(|o| bump::smallest_allowed(o, severity));

    let failed_check = match (&verdict, versions) {
        (_, None) => Some(format!(
            "cannot check the bump: {} has no `version` section",
            if old.version.is_none() {
                old_path
            } else {
                new_path
            }
            .display()
        )),
        (Some((_, Err((declared, needed)))), Some((o, n))) => Some(format!(
            "{o} => {n} declares {declared}, but the change is {severity} and needs {needed}"
        )),
        _ => None,
    };

    let groups: serde_json::Map<String, serde_json::Value> = GROUPS
        .iter()
        .map(|s| (s.to_string(), json!(change.of(*s).collect::<Vec<_>>())))
        .collect();
    let json = json!({
        "old": old.json,
        "new": new.json,
        "severity": severity,
        "changes": groups,
        "required": required,
        "bump": verdict.as_ref().map(|(declared, result)| json!({
            "declared": declared,
            "ok": result.is_ok(),
        })),
        "smallest_allowed": smallest.as_ref().map(ToString::to_string),
        "check": check.then(|| json!({
            "passed": failed_check.is_none(),
            "reason": failed_check,
        })),
    });

    let mut human = String::new();
    for group in GROUPS {
        let rows: Vec<(String, String)> = change
            .of(group)
            .map(|c| (c.item.clone(), c.detail.clone()))
            .collect();
        if !rows.is_empty() {
            human.push_str(&format!("{group} ({})\n", rows.len()));
            human.push_str(&columns(2, &rows));
        }
    }
    if change.changes.is_empty() {
        human.push_str("no interface changes\n");
    }
    let mut rows = vec![
        ("severity", severity.to_string()),
        ("required", format!("{required} bump")),
    ];
    rows.push((
        "declared",
        match (&verdict, versions) {
            (Some((declared, result)), Some((o, n))) => {
                let level = declared.map_or("no upgrade".to_string(), |b| format!("{b} bump"));
                let ok = if result.is_ok() {
                    "ok".to_string()
                } else {
                    format!("VIOLATION: needs {required}")
                };
                format!("{o} => {n}: {level}, {ok}")
            }
            _ => "unknown: both modules need a `version` section".to_string(),
        },
    ));
    if let (Some(next), Some(o)) = (&smallest, old.version) {
        rows.push((
            "smallest",
            format!("{next} (the smallest version after {o} this change allows)"),
        ));
    }
    human.push_str(&columns(0, &rows));
    if check {
        if let Some(reason) = &failed_check {
            human.push_str(&format!("check failed: {reason}\n"));
        }
    }
    Report {
        json,
        human,
        exit: if check && failed_check.is_some() {
            Exit::Refused
        } else {
            Exit::Success
        },
    }
}
