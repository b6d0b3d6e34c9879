//! The interface model: imports and exports with their full types, as the binary declares
//! them. [`crate::inspect`] reads it; the gate, the diff and the WIT check compare it.

use std::fmt;

use serde::Serialize;

use crate::metadata::Metadata;

/// A value type, as it appears in a signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `v128`
    V128,
    /// A reference type, in the text format's spelling (`funcref`, `externref`, …).
    Ref(String),
}

impl From<wasmparser::ValType> for ValType {
    fn from(ty: wasmparser::ValType) -> Self {
        match ty {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(r) => ValType::Ref(r.to_string()),
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValType::I32 => f.write_str("i32"),
            ValType::I64 => f.write_str("i64"),
            ValType::F32 => f.write_str("f32"),
            ValType::F64 => f.write_str("f64"),
            ValType::V128 => f.write_str("v128"),
            ValType::Ref(name) => f.write_str(name),
        }
    }
}

/// A function signature. Displays as `(i32, i32) -> i32`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FuncType {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

impl FuncType {
    /// A signature from its parameter and result types.
    pub fn new(params: impl Into<Vec<ValType>>, results: impl Into<Vec<ValType>>) -> Self {
        FuncType {
            params: params.into(),
            results: results.into(),
        }
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |types: &[ValType]| {
            types
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(f, "({})", list(&self.params))?;
        match self.results.as_slice() {
            [] => f.write_str(" -> ()"),
            [one] => write!(f, " -> {one}"),
            many => write!(f, " -> ({})", list(many)),
        }
    }
}

/// What an import or export is, with its full type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ExternType {
    /// A function.
    Func(FuncType),
    /// A table.
    Table {
        /// Element type (`funcref`, `externref`, …).
        element: String,
        /// Initial size, in elements.
        initial: u64,
        /// Maximum size, in elements.
        maximum: Option<u64>,
        /// 64-bit indices.
        table64: bool,
        /// Shared between threads.
        shared: bool,
    },
    /// A linear memory.
    Memory {
        /// Initial size, in 64 KiB pages.
        initial: u64,
        /// Maximum size, in pages.
        maximum: Option<u64>,
        /// 64-bit addresses.
        memory64: bool,
        /// Shared between threads.
        shared: bool,
    },
    /// A global.
    Global {
        /// Content type.
        #[serde(rename = "type")]
        content: ValType,
        /// Whether it can be set.
        mutable: bool,
    },
    /// An exception tag, with the signature of its payload.
    Tag(FuncType),
    /// A component's import or export: a Component Model item at the component's top level,
    /// with its WIT type where the `wit` build read it (`func(key: string) -> u32`). Without
    /// the `wit` feature only its sort is read, so two items compare equal by sort.
    Item {
        /// What sort of item.
        sort: Sort,
        /// Its WIT type, rendered; `None` in a build without the `wit` feature.
        wit: Option<String>,
    },
}

/// The sort of a component's top-level item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// A function.
    Func,
    /// An instance: an imported or exported interface.
    Instance,
    /// A type.
    Type,
    /// A value, a core module or a nested component.
    Other,
}

impl Sort {
    /// Its name in WIT and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Sort::Func => "func",
            Sort::Instance => "instance",
            Sort::Type => "type",
            Sort::Other => "item",
        }
    }
}

impl ExternType {
    /// `function`, `table`, `memory`, `global` or `tag`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            ExternType::Func(_) => "function",
            ExternType::Table { .. } => "table",
            ExternType::Memory { .. } => "memory",
            ExternType::Global { .. } => "global",
            ExternType::Tag(_) => "tag",
            ExternType::Item { sort, .. } => sort.name(),
        }
    }
}

impl fmt::Display for ExternType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let limits =
            |f: &mut fmt::Formatter<'_>, initial: &u64, maximum: &Option<u64>| match maximum {
                Some(max) => write!(f, "{initial}..{max}"),
                None => write!(f, "{initial}.."),
            };
        match self {
            ExternType::Item { wit: Some(wit), .. } => f.write_str(wit),
            ExternType::Item { sort, wit: None } => f.write_str(sort.name()),
            ExternType::Func(ty) => write!(f, "function {ty}"),
            ExternType::Tag(ty) => write!(f, "tag {ty}"),
            ExternType::Global { content, mutable } => {
                write!(f, "global {}{content}", if *mutable { "mut " } else { "" })
            }
            ExternType::Memory {
                initial,
                maximum,
                memory64,
                shared,
            } => {
                f.write_str("memory ")?;
                limits(f, initial, maximum)?;
                f.write_str(if *memory64 {
                    " pages (64-bit)"
                } else {
                    " pages"
                })?;
                f.write_str(if *shared { " shared" } else { "" })
            }
            ExternType::Table {
                element,
                initial,
                maximum,
                table64,
                shared,
            } => {
                write!(f, "table {element} ")?;
                limits(f, initial, maximum)?;
                f.write_str(if *table64 { " (64-bit)" } else { "" })?;
                f.write_str(if *shared { " shared" } else { "" })
            }
        }
    }
}

/// One import: `module.name` and its type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Import {
    /// The import's module name (`env`).
    pub module: String,
    /// The import's item name (`log`).
    pub name: String,
    /// Its type.
    #[serde(flatten)]
    pub ty: ExternType,
}

/// One export: its name and type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Export {
    /// The export's name.
    pub name: String,
    /// Its type.
    #[serde(flatten)]
    pub ty: ExternType,
}

/// A module's interface: imports and exports with their full types, and its version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Interface {
    /// Imports, in module order.
    pub imports: Vec<Import>,
    /// Exports, in module order.
    pub exports: Vec<Export>,
    /// The `version` custom section, when present.
    pub version: Option<semver::Version>,
    /// The other metadata sections. Not part of the interface: [`crate::diff`] ignores it.
    pub metadata: Metadata,
    /// Whether the binary is a Component Model component, whose imports and exports are
    /// [`ExternType::Item`]s, rather than a core module.
    #[serde(skip)]
    pub component: bool,
}

impl Interface {
    /// The export called `name`.
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.name == name)
    }
}
