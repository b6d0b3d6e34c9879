//! Writes the seed corpus of `inspect_diff` into `corpus/inspect_diff/`: pairs of modules
//! built from WAT, each seed being the split point (u16 LE, the old module's length) then the
//! old module then the new one, as the target splits them.

use std::fs;
use std::path::Path;

const V1: &str = r#"(module
  (import "env" "log" (func (param i32)))
  (memory (export "memory") 1 100)
  (table (export "t") 1 10 funcref)
  (global (export "g") (mut i64) (i64.const 0))
  (tag (export "e") (param i32))
  (func (export "save_state") (result i32) (i32.const 0))
  (func (export "alloc_state") (param i32) (result i32) (i32.const 0))
  (func (export "load_state") (param i32 i32) (result i32) (i32.const 0))
  (func (export "increment") (param i32) (result i32) (local.get 0))
  (@custom "version" "1.2.3")
  (@custom "component-type:x" "abc"))"#;

const V2: &str = r#"(module
  (import "env" "log" (func (param i64)))
  (import "env" "now" (func (result f64)))
  (memory (export "memory") 2 50)
  (table (export "t") 1 externref)
  (func (export "increment") (param i32) (result i32) (local.get 0))
  (func (export "reset"))
  (@custom "version" "2.0.0-rc.1+build.7"))"#;

const ZERO: &str = r#"(module (memory (export "memory") i64 1) (@custom "version" "0.0.3"))"#;
const EMPTY: &str = "(module)";
// Version numbers one below u64::MAX: the edge of what semver text may hold.
const EDGE: &str = r#"(module (func (export "f")) (@custom "version" "18446744073709551614.18446744073709551614.18446744073709551614"))"#;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/inspect_diff");
    fs::create_dir_all(&dir).unwrap();
    let modules = [V1, V2, ZERO, EMPTY, EDGE].map(|wat| wat::parse_str(wat).unwrap());
    let mut count = 0;
    for (i, old) in modules.iter().enumerate() {
        for (j, new) in modules.iter().enumerate() {
            let mut seed = (old.len() as u16).to_le_bytes().to_vec();
            seed.extend_from_slice(old);
            seed.extend_from_slice(new);
            fs::write(dir.join(format!("seed-{i}-{j}")), seed).unwrap();
            count += 1;
        }
    }
    println!("wrote {count} seeds to {}", dir.display());
}
