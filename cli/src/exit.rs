//! Exit statuses and the one failure type every command returns.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | refused by a rule: `publish` refused, or `diff --check` found a bump violation |
//! | 2 | invalid input: a module, registry index or blob that cannot be read as what it should be |
//! | 3 | I/O error: a file that cannot be read or written |
//! | 64 | usage error: unknown flag, missing argument, malformed `--name` or `--version` |

use std::path::Path;

use serde::Serialize;
use wasm_hotswap::error::Error;

/// What the process exits with. Scripts may rely on these numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the command did what was asked.
    Success = 0,
    /// 1: a rule refused it (publish refused, `diff --check` found a violation).
    Refused = 1,
    /// 2: an input is not what it should be (invalid module, corrupt registry).
    InvalidInput = 2,
    /// 3: reading or writing a file failed.
    Io = 3,
    /// 64: the command line is wrong (as `EX_USAGE` in sysexits.h).
    Usage = 64,
}

impl Exit {
    /// The process exit status.
    pub fn status(self) -> i32 {
        self as i32
    }
}

/// Why a command failed: an exit status, a stable code, and a message naming the item.
///
/// In `--json` mode it is printed on stdout as
/// `{"error": {"code": "INVALID_MODULE", "message": "...", "offset": 12}}`; `offset` appears
/// when the failure has a byte offset and `items` when a rule names several items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The exit status.
    #[serde(skip)]
    pub exit: Exit,
    /// A stable code: the core's (`INVALID_MODULE`, …) or the CLI's (`IO_ERROR`, …).
    pub code: &'static str,
    /// What went wrong, naming the file, section, export or version.
    pub message: String,
    /// Where in the module, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// The items a refusal names, one per entry.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
}

impl Failure {
    /// A failure without an offset or items.
    pub fn new(exit: Exit, code: &'static str, message: impl Into<String>) -> Self {
        Failure {
            exit,
            code,
            message: message.into(),
            offset: None,
            items: Vec::new(),
        }
    }

    /// An I/O failure on `path`: exit 3, code `IO_ERROR`.
    pub fn io(action: &str, path: &Path, err: &std::io::Error) -> Self {
        Failure::new(
            Exit::Io,
            "IO_ERROR",
            format!("{action} `{}` failed: {err}", path.display()),
        )
    }

    /// A core error about the module in `path`: exit 2 with the core's code and offset.
    pub fn module(path: &Path, err: &Error) -> Self {
        let offset = match err {
            Error::InvalidModule { offset, .. } => *offset,
            _ => None,
        };
        Failure {
            offset,
            ..Failure::new(
                Exit::InvalidInput,
                err.code(),
                format!("{}: {err}", path.display()),
            )
        }
    }

    /// The JSON document printed for this failure in `--json` mode.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "error": self })
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)?;
        for item in &self.items {
            write!(f, "\n  {item}")?;
        }
        Ok(())
    }
}
