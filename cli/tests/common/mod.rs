//! Helpers shared by the CLI tests: run the built binary, build modules from WAT.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of `hotswap` printed and exited with.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs the built `hotswap` binary with `args`.
pub fn hotswap<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_hotswap"))
        .args(args)
        .output()
        .expect("the hotswap binary runs");
    let run = Run {
        code: output
            .status
            .code()
            .expect("exited, not killed by a signal"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "hotswap panicked:\n{}",
        run.stderr
    );
    run
}

/// A module built from WAT.
pub fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).unwrap()
}

/// Writes `bytes` as `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Writes the module built from `wat` as `dir/name`.
pub fn module(dir: &Path, name: &str, wat: &str) -> PathBuf {
    write(dir, name, &wasm(wat))
}

/// A stateful counter guest; `extra` is spliced into the module.
pub fn counter(extra: &str) -> String {
    format!(
        r#"(module
  (import "env" "log" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "save_state") (result i32) (i32.const 0))
  (func (export "alloc_state") (param i32) (result i32) (i32.const 0))
  (func (export "load_state") (param i32 i32) (result i32) (i32.const 0))
  (func (export "increment") (param i32) (result i32) (local.get 0))
  {extra})"#
    )
}
