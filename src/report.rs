//! The swap report: what moved and how long each stage took.

use serde::Serialize;

use crate::bump::Bump;
use crate::contract::Statefulness;
use crate::diff::Change;

/// Milliseconds spent in each stage before the commit. Fetching, hashing and compiling
/// overlap: `fetch_verify` runs until the last byte is hashed, `compile` is the wait for the
/// compiler after the gate, which is often near zero.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stages {
    /// Fetching the registry index and choosing the version (0 without a registry).
    pub resolve: f64,
    /// Request, download and SHA-256, with compilation running alongside.
    pub fetch_verify: f64,
    /// Reading the interface and the version section.
    pub inspect: f64,
    /// The guest contract, imports, version policy (including the host's consent to a major
    /// upgrade), exports and expectation checks.
    pub gate: f64,
    /// Waiting for the compiler to finish.
    pub compile: f64,
    /// Instantiating the new module in isolation.
    pub instantiate: f64,
}

/// Milliseconds spent in each step of the synchronous commit, the time calls are held.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitStages {
    /// The old instance's `save_state`.
    pub save: f64,
    /// `alloc_state` and the copy between memories.
    pub copy: f64,
    /// The new instance's `load_state`.
    pub load: f64,
    /// Pointing the exports at the new instance.
    pub rebind: f64,
    /// The whole commit.
    pub total: f64,
}

/// What `swap` resolves with.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SwapReport {
    /// Digest of the instance that served before.
    pub from: String,
    /// Digest of the instance serving now.
    pub to: String,
    /// Version of the instance that served before.
    pub from_version: Option<String>,
    /// Version of the instance serving now.
    pub to_version: Option<String>,
    /// Whether the new guest is stateful or stateless.
    pub guest: Statefulness,
    /// The bump the versions declare; `None` without versions or for a downgrade.
    pub bump: Option<Bump>,
    /// Every difference between the two interfaces.
    pub changes: Vec<Change>,
    /// Bytes of state moved (0 when either side is stateless).
    pub state_bytes: f64,
    /// Milliseconds per stage before the commit.
    pub stages: Stages,
    /// Milliseconds of the commit, during which calls are held.
    pub commit: f64,
    /// The commit's steps.
    pub commit_stages: CommitStages,
    /// Milliseconds from the call to `swap` (after any queued swap finished) to the end.
    pub total: f64,
    /// Milliseconds this swap waited for earlier swaps of the same module.
    pub queued: f64,
    /// For a rollback: which state it restored and what was lost; `None` for a swap.
    pub rollback: Option<RollbackReport>,
}

/// Which state a rollback gives the version it returns to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Restore {
    /// The current state, moved into it like any swap's (`rollback()`): it may refuse it.
    State,
    /// The state it had when it was swapped out (`rollback({ restore: "snapshot" })`).
    Snapshot,
}

/// What a rollback did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RollbackReport {
    /// Which state it restored.
    pub restore: Restore,
    /// What the version rolled back from had that is gone: its state (restoring the
    /// snapshot), and the exports only it had.
    pub lost: Vec<String>,
}
