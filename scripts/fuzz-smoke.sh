#!/usr/bin/env bash
# A short run of every cargo-fuzz target in fuzz/ over its seed corpus, failing on the first
# crash (a panic, an abort, a timeout or running out of memory). `npm test` runs it
# (scripts/test.sh); the long runs (10^7 executions per target) are by hand: fuzz/README.md.
#
# Stable Rust, no sanitizer: `cargo fuzz build -s none` needs no nightly (it passes only
# stable `-C` flags then), so it runs wherever the rest of the suite does. What it catches is
# what the targets assert, panics included; not the memory errors AddressSanitizer would
# (the code fuzzed is safe Rust).
#
# FUZZ_SMOKE_RUNS   executions per target (default 10000, seeds included)
# FUZZ_SMOKE_TARGET target dir (default ~/.cache/wasm-hotswap/fuzz-target, for CI to cache)
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

runs=${FUZZ_SMOKE_RUNS:-10000}
export CARGO_TARGET_DIR=${FUZZ_SMOKE_TARGET:-$HOME/.cache/wasm-hotswap/fuzz-target}
host=$(rustc -vV | sed -n 's/^host: //p')
bin=$CARGO_TARGET_DIR/$host/release

# Every target in one build (the default `wit` build, plus `warg` for warg_log): release, as
# `cargo fuzz run` builds them, but with the crates' codegen split (cargo-fuzz's release
# default is one unit, for the long runs' speed).
cargo fuzz build -s none --features warg --codegen-units 16

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run --quiet --example make_seeds -- "$work" >/dev/null

for target in $(cargo fuzz list); do
  case $target in
    index | oci_manifest | oci_tags) dict=json.dict ;;
    oci_challenge | oci_link) dict=headers.dict ;;
    glue) dict=glue.dict ;;
    expect) dict=expect.dict ;;
    inspect_diff | wit | envelope) dict=inspect_diff.dict ;;
    signature) dict=signature.dict ;;
    warg_log) dict=warg.dict ;;
    *) dict= ;;
  esac
  mkdir -p "$work/$target" "artifacts/$target"
  started=$(date +%s)
  # New inputs go into the copy of the seeds, which is deleted; a crash stays in artifacts/.
  if ! "$bin/$target" -runs="$runs" -timeout=10 -rss_limit_mb=2048 ${dict:+-dict=$dict} \
    -artifact_prefix="artifacts/$target/" "$work/$target" >"$work/$target.log" 2>&1; then
    tail -n 40 "$work/$target.log"
    echo "fuzz-smoke: target $target crashed; the input is in fuzz/artifacts/$target/," \
      "replay it with: cd fuzz && cargo +nightly fuzz run $target artifacts/$target/<file>" >&2
    exit 1
  fi
  done_line=$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$work/$target.log" || true)
  echo "fuzz-smoke: $target: ${done_line:-done} ($(($(date +%s) - started)) s)"
done
