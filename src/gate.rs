//! The gate: a new module is checked against the one serving and against the host before it
//! is instantiated.
//!
//! It runs in two halves around the one thing that may need the host's asynchronous answer,
//! consent to a major upgrade: [`open`] makes a [`Pending`], and only [`Pending::close`] makes a
//! [`Checked`]. Compilation can only be claimed, and instantiation only run, with a `Checked`,
//! so a module that failed the gate cannot be instantiated. Both carry the payload that came
//! with the module's bytes (in the browser, the compilation started on the same stream), so
//! the module compiled is always the one checked.
//!
//! What the gate compares is the guest kind's to say ([`crate::guest::Kind::compared`]): the
//! serving side is given as its compared interface.

use crate::diff::{diff_exports, Severity};
use crate::error::{Error, Result};
use crate::expect::Expectation;
use crate::guest::Guest;
use crate::inspect::Inspected;
use crate::interface::{ExternType, Import, Interface, Sort};
use crate::policy::{self, Judgement, Policy};
use crate::registry::index::GlueKind;

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
    /// An object: what a component's imported interface is read from.
    Instance,
    /// Something else.
    Other,
}

impl Provided {
    /// What an import of type `ty` needs the host to provide.
    pub fn wanted_by(ty: &ExternType) -> Provided {
        match ty {
            ExternType::Func(_) => Provided::Function,
            ExternType::Memory { .. } => Provided::Memory,
            ExternType::Table { .. } => Provided::Table,
            ExternType::Global { .. } => Provided::Global,
            ExternType::Tag(_) => Provided::Tag,
            ExternType::Item {
                sort: Sort::Func, ..
            } => Provided::Function,
            ExternType::Item { .. } => Provided::Instance,
        }
    }
}

/// A module that passed the first half of the gate ([`open`]): it honours the guest contract,
/// the host provides its imports, and its version step is allowed, save for the host's consent
/// to a major upgrade, which [`Pending::close`] takes.
#[derive(Debug)]
pub struct Pending<'a, C = ()> {
    inspected: Inspected<C>,
    guest: Guest,
    serving: Option<&'a Interface>,
    judgement: Option<Judgement>,
}

/// A module that passed the whole gate: contract, imports, version step, the serving module's
/// exports (unless the host consented to a major upgrade) and the host's expectation.
#[derive(Debug)]
pub struct Checked<C = ()> {
    inspected: Inspected<C>,
    guest: Guest,
    judgement: Option<Judgement>,
}

impl<C> Checked<C> {
    /// The inspected module.
    pub fn inspected(&self) -> &Inspected<C> {
        &self.inspected
    }

    /// Its kind, and whether it carries state.
    pub fn guest(&self) -> Guest {
        self.guest
    }

    /// The part of the interface the app reaches, by the guest's kind.
    pub fn compared(&self) -> std::borrow::Cow<'_, Interface> {
        self.guest.kind.compared(self.inspected.interface())
    }

    /// Takes the payload out, leaving the proof.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn split(self) -> (Checked, C) {
        let (inspected, payload) = self.inspected.split();
        let checked = Checked {
            inspected,
            guest: self.guest,
            judgement: self.judgement,
        };
        (checked, payload)
    }

    /// The version step from the module serving, when one was serving.
    pub fn judgement(&self) -> Option<&Judgement> {
        self.judgement.as_ref()
    }

    /// The inspected module, its kind and its version step, apart.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn into_parts(self) -> (Inspected<C>, Guest, Option<Judgement>) {
        (self.inspected, self.guest, self.judgement)
    }
}

impl Checked {
    /// Puts back a payload made from the payload [`Checked::split`] took out.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn with<D>(self, payload: D) -> Checked<D> {
        Checked {
            inspected: self.inspected.with(payload),
            guest: self.guest,
            judgement: self.judgement,
        }
    }
}

/// The first half of the gate, in this order, so that the most fundamental problem is the one
/// reported:
///
/// 1. The guest's kind, given the kind of `glue` that came with it, and its contract
///    ([`Guest::of`]): [`Error::InvalidGuest`], [`Error::UnsupportedComponent`].
/// 2. Every import is provided by the host, with the right kind ([`check_imports`]):
///    [`Error::IncompatibleInterface`] naming each.
/// 3. The version step from the module serving, or the version rule of a first load
///    ([`policy::judge`], [`policy::check_first`]): [`Error::MissingVersion`],
///    [`Error::DowngradeRefused`], [`Error::SemverViolation`].
///
/// # Errors
/// As listed.
pub fn open<'a, C>(
    inspected: Inspected<C>,
    glue: Option<GlueKind>,
    serving: Option<&'a Interface>,
    policy: &Policy,
    host: impl Fn(&str, &str) -> Provided,
) -> Result<Pending<'a, C>> {
    let guest = Guest::of(inspected.interface(), glue)?;
    let problems = check_imports(guest.kind.host_imports(inspected.interface()), &host);
    if !problems.is_empty() {
        return Err(Error::IncompatibleInterface { problems });
    }
    let judgement = match serving {
        Some(old) => {
            let provides = |import: &Import| {
                host(&import.module, &import.name) == Provided::wanted_by(&import.ty)
            };
            let compared = guest.kind.compared(inspected.interface());
            Some(policy::judge(old, &compared, policy, provides)?)
        }
        None => {
            policy::check_first(inspected.interface(), policy)?;
            None
        }
    };
    Ok(Pending {
        inspected,
        guest,
        serving,
        judgement,
    })
}

impl<C> Pending<'_, C> {
    /// The step is a major upgrade: [`Pending::close`] needs the host's consent.
    pub fn needs_consent(&self) -> bool {
        self.judgement.as_ref().is_some_and(Judgement::is_major)
    }

    /// The version step, when a module is serving.
    pub fn judgement(&self) -> Option<&Judgement> {
        self.judgement.as_ref()
    }

    /// The versions of the step, serving first, for messages (`?` where there is none).
    pub fn versions(&self) -> (String, String) {
        let text =
            |v: Option<&semver::Version>| v.map_or_else(|| "?".to_string(), ToString::to_string);
        (
            text(self.serving.and_then(|s| s.version.as_ref())),
            text(self.inspected.interface().version.as_ref()),
        )
    }

    /// The second half of the gate:
    ///
    /// 4. A major upgrade needs `major_consented`: [`Error::MajorUpgradeRefused`].
    /// 5. Unless it is a consented major upgrade, every export of the module serving is still
    ///    there with the same type ([`check_exports`]).
    /// 6. Every export the host declared in `expect` is there with that type.
    /// 7. The module's WIT world satisfies the one the host declared in `expect`, if any
    ///    ([`crate::expect::WitExpectation::check`]).
    ///
    /// # Errors
    /// As listed; steps 5 and 6 together as one [`Error::IncompatibleInterface`] naming every
    /// item.
    pub fn close(self, expect: &Expectation, major_consented: bool) -> Result<Checked<C>> {
        let major = self.needs_consent();
        if major && !major_consented {
            let (from, to) = self.versions();
            return Err(Error::MajorUpgradeRefused { from, to });
        }
        let interface = self.guest.kind.compared(self.inspected.interface());
        let mut problems = Vec::new();
        if let (Some(old), false) = (self.serving, major) {
            problems.extend(check_exports(old, &interface));
        }
        problems.extend(expect.problems(&interface));
        if !problems.is_empty() {
            return Err(Error::IncompatibleInterface { problems });
        }
        if let Some(wit) = &expect.wit {
            wit.check(self.inspected.verified().bytes())?;
        }
        Ok(Checked {
            inspected: self.inspected,
            guest: self.guest,
            judgement: self.judgement,
        })
    }
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
pub fn check_imports<'i>(
    imports: impl IntoIterator<Item = &'i Import>,
    host: impl Fn(&str, &str) -> Provided,
) -> Vec<String> {
    let mut problems = Vec::new();
    for import in imports {
        let wanted = Provided::wanted_by(&import.ty);
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
        Provided::Instance => "an object",
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
            check_imports(&needs.imports, host),
            [
                "import `env.mem` must be a memory, the host's imports give a function",
                "import `wasi.clock` (function () -> ()) is not provided by the host's imports",
            ]
        );
    }

    fn inspected(wat: &str) -> Inspected {
        let bytes = wat::parse_str(wat).unwrap();
        crate::inspect::inspect(verify(crate::digest::Digest::of(&bytes), "bytes", &bytes).unwrap())
            .unwrap()
    }

    fn versioned(version: &str, body: &str) -> String {
        format!(r#"(module {body} (@custom "version" "{version}"))"#)
    }

    const NO_HOST: fn(&str, &str) -> Provided = |_, _| Provided::Nothing;

    #[test]
    fn the_gate_reports_the_most_fundamental_problem_first() {
        let old = iface(&format!(r#"{V1} (@custom "version" "1.0.0")"#));
        let policy = Policy::default();
        let needs_log = r#"(import "env" "log" (func))"#;
        let partial_guest =
            format!(r#"{needs_log} (func (export "save_state") (result i32) (i32.const 0))"#);

        let err = open(
            inspected(&versioned("1.1.0", &partial_guest)),
            None,
            Some(&old),
            &policy,
            NO_HOST,
        )
        .unwrap_err();
        assert_eq!(err.code(), "INVALID_GUEST", "{err}");
        let err = open(
            inspected(&versioned("1.1.0", needs_log)),
            None,
            Some(&old),
            &policy,
            NO_HOST,
        )
        .unwrap_err();
        assert_eq!(err.code(), "INCOMPATIBLE_INTERFACE", "{err}");
        assert!(err.to_string().contains("import `env.log`"), "{err}");
        let host = |_: &str, name: &str| {
            if name == "log" {
                Provided::Function
            } else {
                Provided::Nothing
            }
        };
        let err = open(
            inspected(&versioned("1.1.0", needs_log)),
            None,
            Some(&old),
            &policy,
            host,
        )
        .unwrap_err();
        assert_eq!(
            err.code(),
            "SEMVER_VIOLATION",
            "every export of 1.0.0 is gone: {err}"
        );
    }

    #[test]
    fn a_major_step_closes_only_with_consent_and_then_needs_only_the_expectation() {
        let old = iface(&format!(r#"{V1} (@custom "version" "1.0.0")"#));
        let new = versioned(
            "2.0.0",
            r#"(func (export "increment") (param i32) (result i32) (local.get 0))"#,
        );
        let policy = Policy::default();
        let expect_get = Expectation::parse([("get", "() -> i32")]).unwrap();
        let expect_increment = Expectation::parse([("increment", "(i32) -> i32")]).unwrap();

        let pending = open(inspected(&new), None, Some(&old), &policy, NO_HOST).unwrap();
        assert!(pending.needs_consent());
        assert_eq!(
            pending.versions(),
            ("1.0.0".to_string(), "2.0.0".to_string())
        );
        let err = pending.close(&expect_increment, false).unwrap_err();
        assert_eq!(err.code(), "MAJOR_UPGRADE_REFUSED");

        let pending = open(inspected(&new), None, Some(&old), &policy, NO_HOST).unwrap();
        let err = pending.close(&expect_get, true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "incompatible interface: export `get`, which the host expects, is missing"
        );

        let pending = open(inspected(&new), None, Some(&old), &policy, NO_HOST).unwrap();
        let checked = pending.close(&expect_increment, true).unwrap();
        assert!(checked.judgement().unwrap().is_major());
    }

    #[test]
    fn without_versions_the_exports_and_the_expectation_are_checked_together() {
        let old = iface(V1);
        let new = format!("(module {})", V1.replace(r#""get""#, r#""got""#));
        let expect = Expectation::parse([("reset", "() -> ()")]).unwrap();
        let pending = open(
            inspected(&new),
            None,
            Some(&old),
            &Policy::default(),
            NO_HOST,
        )
        .unwrap();
        assert!(!pending.needs_consent());
        let err = pending.close(&expect, false).unwrap_err();
        assert_eq!(
            err,
            Error::IncompatibleInterface {
                problems: vec![
                    "export `get` (function () -> i32) was removed".into(),
                    "export `reset`, which the host expects, is missing".into(),
                ]
            }
        );
        let checked = open(
            inspected(&format!("(module {V1})")),
            None,
            Some(&old),
            &Policy::default(),
            NO_HOST,
        )
        .unwrap()
        .close(&Expectation::default(), false)
        .unwrap();
        assert_eq!(
            checked.guest().state,
            crate::contract::Statefulness::Stateless
        );
    }
}
