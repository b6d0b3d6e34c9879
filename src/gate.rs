//! The gate: a new module is checked against the one serving and against the host before it
//! is instantiated.
//!
//! [`Checked`] is built only by [`check`], and instantiation takes a `Checked`, so a module
//! that failed the gate cannot be instantiated.

use crate::contract::{guest_kind, GuestKind};
use crate::diff::{diff_exports, Severity};
use crate::error::{Error, Result};
use crate::inspect::{ExternType, Inspected, Interface};

/// What the host's imports object provides for one `module.name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provided {
    /// Nothing: the module or the name is missing.
    Nothing,
    /// A callable.
    Function,
    /// A `WebAssembly.Memory`.
    Memory,
    /// A `WebAssembly.Table`.
    Table,
    /// A `WebAssembly.Global`, or a number or BigInt for an immutable global.
    Global,
    /// A `WebAssembly.Tag`.
    Tag,
    /// Something else.
    Other,
}

/// A module that passed the gate: its interface keeps every export of the module serving, the
/// host provides every import, and it honours the guest contract.
#[derive(Debug)]
pub struct Checked {
    inspected: Inspected,
    guest: GuestKind,
}

impl Checked {
    /// The inspected module.
    pub fn inspected(&self) -> &Inspected {
        &self.inspected
    }

    /// Stateless or stateful.
    pub fn guest(&self) -> GuestKind {
        self.guest
    }
}

/// Runs the gate.
///
/// 1. The guest contract ([`guest_kind`]).
/// 2. Every import is provided by the host, with the right kind ([`check_imports`]).
/// 3. When a module is serving, every one of its exports is still there with the same type
///    ([`check_exports`]).
///
/// # Errors
/// [`Error::InvalidGuest`], or [`Error::IncompatibleInterface`] listing every problem of steps
/// 2 and 3 together, each naming its item.
pub fn check(
    inspected: Inspected,
    serving: Option<&Interface>,
    host: impl Fn(&str, &str) -> Provided,
) -> Result<Checked> {
    let interface = inspected.interface();
    let guest = guest_kind(interface)?;
    let mut problems = check_imports(interface, host);
    if let Some(old) = serving {
        problems.extend(check_exports(old, interface));
    }
    if !problems.is_empty() {
        return Err(Error::IncompatibleInterface { problems });
    }
    Ok(Checked { inspected, guest })
}

/// Every export of `old` must stay in `new` with a compatible type
/// ([`diff::export_compatible`](crate::diff::export_compatible)): a removed export, or one whose
/// type changed, is a problem; new exports are fine.
///
/// Returns one line per problem, naming the export.
pub fn check_exports(old: &Interface, new: &Interface) -> Vec<String> {
    diff_exports(old, new)
        .into_iter()
        .filter(|change| change.severity == Severity::Breaking)
        .map(|change| change.to_string())
        .collect()
}

/// Every import of `interface` must be provided by the host with the right kind.
///
/// Returns one line per problem, naming the import as `module.name`.
pub fn check_imports(interface: &Interface, host: impl Fn(&str, &str) -> Provided) -> Vec<String> {
    let mut problems = Vec::new();
    for import in &interface.imports {
        let wanted = match import.ty {
            ExternType::Func(_) => Provided::Function,
            ExternType::Memory { .. } => Provided::Memory,
            ExternType::Table { .. } => Provided::Table,
            ExternType::Global { .. } => Provided::Global,
            ExternType::Tag(_) => Provided::Tag,
        };
        let item = format!("{}.{}", import.module, import.name);
        match host(&import.module, &import.name) {
            got if got == wanted => {}
            Provided::Nothing => problems.push(format!(
                "import `{item}` ({}) is not provided by the host's imports",
                import.ty
            )),
            got => problems.push(format!(
                "import `{item}` must be a {}, the host's imports give {}",
                import.ty.kind_name(),
                describe(got)
            )),
        }
    }
    problems
}

fn describe(provided: Provided) -> &'static str {
    match provided {
        Provided::Nothing => "nothing",
        Provided::Function => "a function",
        Provided::Memory => "a memory",
        Provided::Table => "a table",
        Provided::Global => "a global",
        Provided::Tag => "a tag",
        Provided::Other => "a value that is none of function, memory, table, global or tag",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::read_interface;
    use crate::verify::verify;

    fn iface(body: &str) -> Interface {
        read_interface(&wat::parse_str(format!("(module {body})")).unwrap()).unwrap()
    }

    const V1: &str = r#"
        (memory (export "memory") 1 100)
        (global (export "g") i32 (i32.const 0))
        (func (export "increment") (param i32) (result i32) (local.get 0))
        (func (export "get") (result i32) (i32.const 0))"#;

    #[test]
    fn same_or_added_exports_are_compatible() {
        assert!(check_exports(&iface(V1), &iface(V1)).is_empty());
        let added = format!(r#"{V1} (func (export "reset"))"#);
        assert!(check_exports(&iface(V1), &iface(&added)).is_empty());
        let grown = V1.replace("1 100", "2 200");
        assert!(
            check_exports(&iface(V1), &iface(&grown)).is_empty(),
            "initial and maximum may grow"
        );
    }

    #[test]
    fn removed_and_changed_exports_are_named() {
        let changed = r#"
            (memory (export "memory") 1 50)
            (global (export "g") (mut i32) (i32.const 0))
            (func (export "increment") (param i64) (result i64) (local.get 0))"#;
        let problems = check_exports(&iface(V1), &iface(changed));
        assert_eq!(
            problems,
            [
                "export `memory` changed from memory 1..100 pages to memory 1..50 pages",
                "export `g` changed from global i32 to global mut i32",
                "export `increment` changed from function (i32) -> i32 to function (i64) -> i64",
                "export `get` (function () -> i32) was removed",
            ]
        );
    }

    #[test]
    fn an_export_that_changes_kind_is_named() {
        let problems = check_exports(
            &iface(V1),
            &iface(
                &V1.replace(r#"(export "g") i32"#, r#"(export "x") i32"#)
                    .replace(r#"(func (export "get")"#, r#"(func (export "g")"#),
            ),
        );
        assert!(
            problems
                .contains(&"export `g` changed from global i32 to function () -> i32".to_string()),
            "{problems:?}"
        );
    }

    #[test]
    fn imports_must_be_provided_with_the_right_kind() {
        let needs = iface(
            r#"(import "env" "log" (func (param i32))) (import "env" "mem" (memory 1)) (import "wasi" "clock" (func))"#,
        );
        let host = |module: &str, name: &str| match (module, name) {
            ("env", "log") => Provided::Function,
            ("env", "mem") => Provided::Function,
            _ => Provided::Nothing,
        };
        assert_eq!(
            check_imports(&needs, host),
            [
                "import `env.mem` must be a memory, the host's imports give a function",
                "import `wasi.clock` (function () -> ()) is not provided by the host's imports",
            ]
        );
    }

    #[test]
    fn check_reports_imports_and_exports_together_and_passes_a_good_module() {
        let bytes = wat::parse_str(format!(
            r#"(module (import "env" "log" (func)) {})"#,
            V1.replace(r#""get""#, r#""got""#)
        ))
        .unwrap();
        let digest = crate::digest::Digest::of(&bytes);
        let inspected = crate::inspect::inspect(verify(digest, "bytes", &bytes).unwrap()).unwrap();
        let err = check(inspected, Some(&iface(V1)), |_, _| Provided::Nothing).unwrap_err();
        assert_eq!(err.code(), "INCOMPATIBLE_INTERFACE");
        let message = err.to_string();
        assert!(
            message.contains("import `env.log`") && message.contains("export `get`"),
            "{message}"
        );

        let bytes = wat::parse_str(format!("(module {V1})")).unwrap();
        let inspected = crate::inspect::inspect(
            verify(crate::digest::Digest::of(&bytes), "bytes", &bytes).unwrap(),
        )
        .unwrap();
        let checked = check(inspected, Some(&iface(V1)), |_, _| Provided::Nothing).unwrap();
        assert_eq!(checked.guest(), GuestKind::Stateless);
    }
}
