//! The commands: each turns its arguments into a [`Report`], human and JSON.

pub mod diff;
pub mod diff_component;
pub mod embed_wit;
pub mod inspect;
pub mod inspect_component;
pub mod keygen;
pub mod publish;
pub mod serve;
pub mod types;

use crate::exit::Exit;

/// What a command prints and exits with.
#[derive(Debug, Clone)]
pub struct Report {
    /// The `--json` output.
    pub json: serde_json::Value,
    /// The human output.
    pub human: String,
    /// The exit status: [`Exit::Success`], or [`Exit::Refused`] for `diff --check`.
    pub exit: Exit,
}
