//! What the host declares it needs from a module: exports with their types, written as text
//! that is easy to put in TypeScript (`{ increment: "(i32) -> i32", memory: "memory" }`).

use crate::error::{Error, Result};
use crate::interface::{ExternType, FuncType, Interface, ValType};

/// The type the host expects of one export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A function with exactly this signature.
    Func(FuncType),
    /// A global of this content type and mutability.
    Global {
        /// Content type.
        content: ValType,
        /// Whether it must be mutable.
        mutable: bool,
    },
    /// Any memory.
    Memory,
    /// Any table.
    Table,
}

/// The exports a host needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectation {
    /// Export name and expected type, in declaration order.
    pub exports: Vec<(String, Expected)>,
    /// The WIT world the module must carry and satisfy (the `wit` feature checks it).
    pub wit: Option<WitExpectation>,
}

/// A WIT world the host expects, as WIT text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitExpectation {
    /// The WIT package text.
    pub text: String,
    /// Which world of it; `None` when it has exactly one.
    pub world: Option<String>,
}

impl WitExpectation {
    /// Checks the world that `module`'s `component-type` sections carry against this one, with
    /// the rules of `wasm-tools component semver-check` ([`crate::wit::check_world`]).
    ///
    /// # Errors
    /// [`Error::IncompatibleInterface`] naming each failing WIT item, or when the module
    /// carries no world; [`Error::InvalidModule`] for a malformed section;
    /// [`Error::InvalidOptions`] for host WIT that does not parse.
    #[cfg(feature = "wit")]
    pub fn check(&self, module: &[u8]) -> Result<()> {
        match crate::wit::module_world(module)? {
            Some(world) => crate::wit::check_world(&world, &self.text, self.world.as_deref()),
            None => Err(Error::IncompatibleInterface {
                problems: vec![
                    "the module carries no WIT world (no `component-type` custom section), and the host expects one".into(),
                ],
            }),
        }
    }

    /// Without the `wit` feature there is nothing to check a world with.
    ///
    /// # Errors
    /// Always [`Error::InvalidOptions`], pointing at the build that has it.
    #[cfg(not(feature = "wit"))]
    pub fn check(&self, _module: &[u8]) -> Result<()> {
        Err(Error::InvalidOptions {
            option: "expect.wit",
            reason:
                "this build of the runtime has no WIT support; import `wasm-hotswap/wit` instead"
                    .into(),
        })
    }
}

impl Expectation {
    /// Parses `(name, type text)` pairs.
    ///
    /// Type texts:
    /// - `(i32, i32) -> i32`, `() -> ()`, `(f64) -> (i32, i64)`, optionally after `function `
    /// - `global i32`, `global mut i64`
    /// - `memory`, `table`
    ///
    /// Value types: `i32`, `i64`, `f32`, `f64`, `v128`, `funcref`, `externref`.
    ///
    /// # Errors
    /// [`Error::InvalidOptions`] for `expect.exports`, naming the export and its text.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self> {
        let exports = pairs
            .into_iter()
            .map(|(name, text)| {
                parse_expected(text).map(|ty| (name.to_string(), ty)).ok_or_else(|| Error::InvalidOptions {
                    option: "expect.exports",
                    reason: format!(
                        "export `{name}`: `{text}` is not a type; write `(i32, i32) -> i32`, `global mut i64`, `memory` or `table`"
                    ),
                })
            })
            .collect::<Result<_>>()?;
        Ok(Expectation { exports, wit: None })
    }

    /// The problems of `interface` against this expectation, one line each naming its export.
    pub fn problems(&self, interface: &Interface) -> Vec<String> {
        let mut problems = Vec::new();
        for (name, expected) in &self.exports {
            match interface.export(name) {
                None => problems.push(format!(
                    "export `{name}`, which the host expects, is missing"
                )),
                Some(found) if !satisfies(&found.ty, expected) => problems.push(format!(
                    "export `{name}` is {}, the host expects {}",
                    found.ty,
                    describe(expected)
                )),
                Some(_) => {}
            }
        }
        problems
    }
}

fn satisfies(found: &ExternType, expected: &Expected) -> bool {
    match (found, expected) {
        (ExternType::Func(f), Expected::Func(e)) => f == e,
        (
            ExternType::Global { content, mutable },
            Expected::Global {
                content: ec,
                mutable: em,
            },
        ) => content == ec && mutable == em,
        (ExternType::Memory { .. }, Expected::Memory)
        | (ExternType::Table { .. }, Expected::Table) => true,
        _ => false,
    }
}

fn describe(expected: &Expected) -> String {
    match expected {
        Expected::Func(f) => format!("function {f}"),
        Expected::Global {
            content,
            mutable: true,
        } => format!("global mut {content}"),
        Expected::Global {
            content,
            mutable: false,
        } => format!("global {content}"),
        Expected::Memory => "a memory".into(),
        Expected::Table => "a table".into(),
    }
}

fn parse_expected(text: &str) -> Option<Expected> {
    let text = text.trim();
    match text {
        "memory" => return Some(Expected::Memory),
        "table" => return Some(Expected::Table),
        _ => {}
    }
    if let Some(rest) = text.strip_prefix("global ") {
        let (mutable, ty) = match rest.trim().strip_prefix("mut ") {
            Some(ty) => (true, ty),
            None => (false, rest),
        };
        return Some(Expected::Global {
            content: parse_valtype(ty.trim())?,
            mutable,
        });
    }
    let text = text.strip_prefix("function").map(str::trim).unwrap_or(text);
    let (params, results) = text.split_once("->")?;
    Some(Expected::Func(FuncType::new(
        parse_list(params.trim(), false)?,
        parse_list(results.trim(), true)?,
    )))
}

/// `(a, b)`, `()`, or for results also a bare `a`.
fn parse_list(text: &str, bare_allowed: bool) -> Option<Vec<ValType>> {
    let inner = match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) => inner,
        None if bare_allowed => return Some(vec![parse_valtype(text)?]),
        None => return None,
    };
    if inner.trim().is_empty() {
        return Some(Vec::new());
    }
    inner.split(',').map(|t| parse_valtype(t.trim())).collect()
}

fn parse_valtype(text: &str) -> Option<ValType> {
    Some(match text {
        "i32" => ValType::I32,
        "i64" => ValType::I64,
        "f32" => ValType::F32,
        "f64" => ValType::F64,
        "v128" => ValType::V128,
        "funcref" | "externref" => ValType::Ref(text.to_string()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::read_interface;

    #[test]
    fn type_texts_parse_as_documented() {
        use ValType::*;
        let table = [
            (
                "(i32, i32) -> i32",
                Some(Expected::Func(FuncType::new([I32, I32], [I32]))),
            ),
            ("() -> ()", Some(Expected::Func(FuncType::new([], [])))),
            (
                "function (f64) -> (i32, i64)",
                Some(Expected::Func(FuncType::new([F64], [I32, I64]))),
            ),
            (
                "(externref)->f32",
                Some(Expected::Func(FuncType::new(
                    [Ref("externref".into())],
                    [F32],
                ))),
            ),
            (
                "global i32",
                Some(Expected::Global {
                    content: I32,
                    mutable: false,
                }),
            ),
            (
                "global mut i64",
                Some(Expected::Global {
                    content: I64,
                    mutable: true,
                }),
            ),
            ("memory", Some(Expected::Memory)),
            (" table ", Some(Expected::Table)),
            ("i32 -> i32", None),
            ("(i33) -> ()", None),
            ("(i32,) -> ()", None),
            ("global", None),
            ("func", None),
        ];
        for (text, expected) in table {
            assert_eq!(parse_expected(text), expected, "{text}");
        }
    }

    #[test]
    fn a_bad_type_text_is_invalid_options_naming_the_export() {
        let err = Expectation::parse([("get", "returns i32")]).unwrap_err();
        assert_eq!(err.code(), "INVALID_OPTIONS");
        assert!(
            err.to_string().contains("export `get`: `returns i32`"),
            "{err}"
        );
    }

    #[test]
    fn problems_name_missing_and_mismatched_exports() {
        let interface = read_interface(
            &wat::parse_str(
                r#"(module (memory (export "memory") 1) (global (export "g") (mut i32) (i32.const 0))
                   (func (export "increment") (param i64) (result i64) (local.get 0)))"#,
            )
            .unwrap(),
        )
        .unwrap();
        let expect = Expectation::parse([
            ("memory", "memory"),
            ("g", "global mut i32"),
            ("increment", "(i32) -> i32"),
            ("get", "() -> i32"),
            ("memory", "table"),
        ])
        .unwrap();
        assert_eq!(
            expect.problems(&interface),
            [
                "export `increment` is function (i64) -> i64, the host expects function (i32) -> i32",
                "export `get`, which the host expects, is missing",
                "export `memory` is memory 1.. pages, the host expects a table",
            ]
        );
    }
}
