#!/usr/bin/env bash
# Builds the Rust counter components with `cargo build --release --target wasm32-wasip2`
# (wit-bindgen; scripts/setup.sh adds the target) into OUT_DIR:
#   counter-v1.component.wasm             1.0.0: add, get, entries, apply, save-state, load-state
#   counter-v2.component.wasm             1.1.0: adds remove (a compatible, minor change)
#   counter-breaking.component.wasm       2.0.0: add takes and returns u64 (needs a major)
#   counter-v2-refuse-state.component.wasm  1.1.0 built with feature refuse-state: its
#                                         `load-state` answers `err` to every state
# OUT_DIR defaults to www/build/examples/rust-component, beside the other examples.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../www/build/examples/rust-component}
mkdir -p "$out"
target_dir=${CARGO_TARGET_DIR:-$here/target}
release=$target_dir/wasm32-wasip2/release

cd "$here"
# The target directory is shared by both builds of v2, so each is copied out before the next.
cargo build --release --target wasm32-wasip2 --quiet
cp "$release/counter_component_v1.wasm" "$out/counter-v1.component.wasm"
cp "$release/counter_component_v2.wasm" "$out/counter-v2.component.wasm"
cp "$release/counter_component_breaking.wasm" "$out/counter-breaking.component.wasm"
cargo build --release --target wasm32-wasip2 --quiet -p counter-component-v2 --features refuse-state
cp "$release/counter_component_v2.wasm" "$out/counter-v2-refuse-state.component.wasm"
ls -l "$out"/*.component.wasm
