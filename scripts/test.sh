#!/usr/bin/env bash
# Everything CI checks, in order, stopping at the first failure. Run scripts/setup.sh first
# (`npm test` does both).
set -euo pipefail
cd "$(dirname "$0")/.."

# wasm-pack finds chromedriver on PATH only (it ignores CHROMEDRIVER); Debian puts it in
# /usr/bin. Appended, so a Debian cargo there never shadows rustup's.
export PATH="$PATH:/usr/bin"
export CHROMEDRIVER=/usr/bin/chromedriver

started=$(date +%s)
step() {
  printf '\n=== %s\n' "$*"
  local t
  t=$(date +%s)
  "$@"
  printf '=== (%ss) %s\n' "$(($(date +%s) - t))" "$1"
}

step cargo fmt --all --check
step cargo clippy --workspace --all-targets -- -D warnings
step cargo clippy -p wasm-hotswap --target wasm32-unknown-unknown --all-targets -- -D warnings
step cargo clippy -p wasm-hotswap --target wasm32-unknown-unknown --all-targets --features updates -- -D warnings
step cargo clippy -p wasm-hotswap --target wasm32-unknown-unknown --all-targets --features wit,updates -- -D warnings
step cargo clippy -p wasm-hotswap --target wasm32-unknown-unknown --all-targets --features warg,updates -- -D warnings
step cargo clippy -p wasm-hotswap --all-targets --features warg -- -D warnings
# The workspace build turns the `wit` feature on (the CLI uses it); the runtime alone, without it:
step cargo test -p wasm-hotswap --lib
# The Warg protocol's validators, against records and proofs warg's own crates make.
step cargo test -p wasm-hotswap --lib --features warg registry::warg
step cargo test --workspace
step bash scripts/fuzz-smoke.sh
# chromedriver makes a browser profile (~70 MB) in $TMPDIR for each test binary, and
# wasm-bindgen-test-runner ends it with SIGKILL, so the profile is never removed (some 3 GB a
# run): the browser tests run with a TMPDIR of their own, removed at the end.
browser_tmp=$(mktemp -d)
trap 'rm -rf "$browser_tmp"' EXIT
TMPDIR=$browser_tmp step wasm-pack test --headless --chrome
TMPDIR=$browser_tmp step wasm-pack test --headless --chrome --features updates
# The WIT build's test binaries are ~85 MB of debug wasm each: only the WIT tests load one
# (the others run above, in the default and `updates` builds, with the same code paths).
TMPDIR=$browser_tmp step wasm-pack test --headless --chrome --features wit,updates --test browser_wit
step bash scripts/build.sh
step node_modules/.bin/tsc -p tsconfig.json --noEmit
step node --test tests/e2e/

printf '\n=== all checks passed in %ss\n' "$(($(date +%s) - started))"
