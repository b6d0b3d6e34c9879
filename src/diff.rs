//! Interface diffs: what changed between two versions of a module, classified and named.

use std::fmt;

use serde::Serialize;

use crate::interface::{ExternType, Import, Interface};

/// How much a change can break a host, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Nothing a host can observe changed.
    None,
    /// Something was added; everything that was there still is.
    Additive,
    /// Something a host may rely on was removed or changed.
    Breaking,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::None => "none",
            Severity::Additive => "additive",
            Severity::Breaking => "breaking",
        })
    }
}

/// One difference, naming its item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// How much it can break a host.
    pub severity: Severity,
    /// The item: export `increment`, import `env.log`.
    pub item: String,
    /// What happened to it.
    pub detail: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.item, self.detail)
    }
}

/// Every difference between two interfaces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// The differences, exports first, in the order of the old then the new module.
    pub changes: Vec<Change>,
}

impl Diff {
    /// The most severe change, or [`Severity::None`].
    pub fn severity(&self) -> Severity {
        self.changes
            .iter()
            .map(|c| c.severity)
            .max()
            .unwrap_or(Severity::None)
    }

    /// The changes of exactly `severity`.
    pub fn of(&self, severity: Severity) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.severity == severity)
    }
}

/// Compares two interfaces.
///
/// | change | severity |
/// |---|---|
/// | export removed | breaking |
/// | export of a function or global whose type changed in any way | breaking |
/// | exported memory or table: other index type, sharedness or element type, or a maximum that shrinks or appears | breaking |
/// | exported memory or table: initial size changed, maximum grows or disappears | none |
/// | export added | additive |
/// | import added: the host must now provide it | breaking ([`diff_for_host`]: none when the host provides it) |
/// | import whose type changed | breaking |
/// | import removed | none |
///
/// The version section is not part of the interface.
pub fn diff(old: &Interface, new: &Interface) -> Diff {
    diff_for_host(old, new, |_| false)
}

/// [`diff`] for a known host: an added import that `provides` says the host has is not a
/// change a host can observe (severity none). The browser gate uses this; the CLI, which
/// knows no host, uses [`diff`].
pub fn diff_for_host(old: &Interface, new: &Interface, provides: impl Fn(&Import) -> bool) -> Diff {
    let mut changes = diff_exports(old, new);
    changes.extend(diff_imports(old, new, provides));
    Diff { changes }
}

/// The export rows of [`diff`]'s table.
pub fn diff_exports(old: &Interface, new: &Interface) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut push = |severity, item: String, detail: String| {
        changes.push(Change {
            severity,
            item,
            detail,
        })
    };
    for before in &old.exports {
        let item = format!("export `{}`", before.name);
        match new.export(&before.name) {
            None => push(
                Severity::Breaking,
                item,
                format!("({}) was removed", before.ty),
            ),
            Some(after) if before.ty == after.ty => {}
            Some(after) if export_compatible(&before.ty, &after.ty) => {}
            Some(after) => push(
                Severity::Breaking,
                item,
                format!("changed from {} to {}", before.ty, after.ty),
            ),
        }
    }
    for after in &new.exports {
        if old.export(&after.name).is_none() {
            push(
                Severity::Additive,
                format!("export `{}`", after.name),
                format!("({}) was added", after.ty),
            );
        }
    }
    changes
}

/// The import rows of [`diff`]'s table.
pub fn diff_imports(
    old: &Interface,
    new: &Interface,
    provides: impl Fn(&Import) -> bool,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut push = |severity, item: String, detail: String| {
        changes.push(Change {
            severity,
            item,
            detail,
        })
    };
    for after in &new.imports {
        let item = format!("import `{}.{}`", after.module, after.name);
        match old
            .imports
            .iter()
            .find(|i| i.module == after.module && i.name == after.name)
        {
            None if provides(after) => push(
                Severity::None,
                item,
                format!("({}) is new; the host provides it", after.ty),
            ),
            None => push(
                Severity::Breaking,
                item,
                format!("({}) is new: the host must provide it", after.ty),
            ),
            Some(before) if before.ty != after.ty => push(
                Severity::Breaking,
                item,
                format!("changed from {} to {}", before.ty, after.ty),
            ),
            Some(_) => {}
        }
    }
    for before in &old.imports {
        if !new
            .imports
            .iter()
            .any(|i| i.module == before.module && i.name == before.name)
        {
            let item = format!("import `{}.{}`", before.module, before.name);
            push(
                Severity::None,
                item,
                format!("({}) is no longer needed", before.ty),
            );
        }
    }
    changes
}

/// Whether an export of type `before` can be replaced by one of type `after` without breaking
/// a host that holds it: equal types, or a memory or table whose limits did not narrow.
pub fn export_compatible(before: &ExternType, after: &ExternType) -> bool {
    let max_kept = |old: &Option<u64>, new: &Option<u64>| match (old, new) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(old), Some(new)) => new >= old,
    };
    match (before, after) {
        (
            ExternType::Memory {
                maximum: old_max,
                memory64: a64,
                shared: ashared,
                ..
            },
            ExternType::Memory {
                maximum: new_max,
                memory64: b64,
                shared: bshared,
                ..
            },
        ) => a64 == b64 && ashared == bshared && max_kept(old_max, new_max),
        (
            ExternType::Table {
                element: ae,
                maximum: old_max,
                table64: a64,
                shared: ashared,
                ..
            },
            ExternType::Table {
                element: be,
                maximum: new_max,
                table64: b64,
                shared: bshared,
                ..
            },
        ) => ae == be && a64 == b64 && ashared == bshared && max_kept(old_max, new_max),
        _ => before == after,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::read_interface;

    fn iface(body: &str) -> Interface {
        read_interface(&wat::parse_str(format!("(module {body})")).unwrap()).unwrap()
    }

    const V1: &str = r#"
        (import "env" "log" (func (param i32)))
        (import "env" "gone" (func))
        (memory (export "memory") 1 100)
        (func (export "increment") (param i32) (result i32) (local.get 0))
        (func (export "get") (result i32) (i32.const 0))"#;

    #[test]
    fn identical_interfaces_have_no_changes() {
        let d = diff(&iface(V1), &iface(V1));
        assert!(d.changes.is_empty());
        assert_eq!(d.severity(), Severity::None);
    }

    #[test]
    fn each_change_is_classified_and_named() {
        let v2 = r#"
            (import "env" "log" (func (param i64)))
            (import "env" "now" (func (result f64)))
            (memory (export "memory") 2 50)
            (func (export "increment") (param i32) (result i32) (local.get 0))
            (func (export "reset"))"#;
        let d = diff(&iface(V1), &iface(v2));
        let shown: Vec<(Severity, String)> = d
            .changes
            .iter()
            .map(|c| (c.severity, c.to_string()))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    Severity::Breaking,
                    "export `memory` changed from memory 1..100 pages to memory 2..50 pages".into()
                ),
                (
                    Severity::Breaking,
                    "export `get` (function () -> i32) was removed".into()
                ),
                (
                    Severity::Additive,
                    "export `reset` (function () -> ()) was added".into()
                ),
                (
                    Severity::Breaking,
                    "import `env.log` changed from function (i32) -> () to function (i64) -> ()"
                        .into()
                ),
                (
                    Severity::Breaking,
                    "import `env.now` (function () -> f64) is new: the host must provide it".into()
                ),
                (
                    Severity::None,
                    "import `env.gone` (function () -> ()) is no longer needed".into()
                ),
            ]
        );
        assert_eq!(d.severity(), Severity::Breaking);
    }

    #[test]
    fn an_added_import_the_host_provides_is_no_change() {
        let v2 = V1.replace(
            r#"(import "env" "gone" (func))"#,
            r#"(import "env" "gone" (func)) (import "env" "now" (func (result f64)))"#,
        );
        let d = diff_for_host(&iface(V1), &iface(&v2), |import| import.name == "now");
        assert_eq!(d.severity(), Severity::None);
        assert_eq!(
            d.changes[0].to_string(),
            "import `env.now` (function () -> f64) is new; the host provides it"
        );
        assert_eq!(diff(&iface(V1), &iface(&v2)).severity(), Severity::Breaking);
    }

    #[test]
    fn added_exports_alone_are_additive() {
        let v2 = format!(r#"{V1} (func (export "reset"))"#);
        assert_eq!(diff(&iface(V1), &iface(&v2)).severity(), Severity::Additive);
    }

    #[test]
    fn wider_limits_are_not_a_change_and_narrower_ones_break() {
        let wider = V1.replace("1 100", "4");
        assert_eq!(diff(&iface(V1), &iface(&wider)).severity(), Severity::None);
        let bounded = iface(r#"(memory (export "memory") 1 8)"#);
        let unbounded = iface(r#"(memory (export "memory") 1)"#);
        assert_eq!(diff(&unbounded, &bounded).severity(), Severity::Breaking);
        let table = |t: &str| iface(&format!(r#"(table (export "t") {t})"#));
        assert_eq!(
            diff(&table("1 10 funcref"), &table("1 20 funcref")).severity(),
            Severity::None
        );
        assert_eq!(
            diff(&table("1 10 funcref"), &table("1 10 externref")).severity(),
            Severity::Breaking
        );
    }
}
