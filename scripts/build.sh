#!/usr/bin/env bash
# Builds everything the package and the demo serve:
#   pkg/        the runtime (wasm-pack, then npm's wasm-opt)
#   dist/       the TypeScript shim (tsc)
#   www/build/  the demo guests, a corrupted copy and their manifest
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf 'build: %s\n' "$*"; }
elapsed() { echo "$(($(date +%s) - $1))s"; }

# wasm-pack's own wasm-opt is off in Cargo.toml (it would download binaryen). npm's binaryen
# optimises instead; never Debian's binaryen 108, whose output breaks wasm-bindgen tables.
# The feature flags are what rustc >= 1.87 enables by default for wasm32-unknown-unknown.
WASM_OPT=node_modules/.bin/wasm-opt
WASM_FEATURES=(
  --enable-bulk-memory
  --enable-nontrapping-float-to-int
  --enable-sign-ext
  --enable-mutable-globals
  --enable-reference-types
  --enable-multivalue
)

if [ ! -x "$WASM_OPT" ]; then
  echo "build: $WASM_OPT missing: run scripts/setup.sh first" >&2
  exit 1
fi

t=$(date +%s)
step "runtime: wasm-pack build --target web --release"
wasm-pack --quiet build --target web --release --out-dir pkg --out-name wasm_hotswap
# wasm-pack writes pkg/.gitignore = "*", which npm pack also obeys: pkg/ would be left out of
# the package. The root .gitignore already keeps pkg/ out of git.
rm -f pkg/.gitignore
raw=pkg/wasm_hotswap_bg.wasm
before=$(stat -c %s "$raw")
if ! "$WASM_OPT" -Oz "${WASM_FEATURES[@]}" "$raw" -o "$raw.opt"; then
  rm -f "$raw.opt"
  echo "build: wasm-opt FAILED on $raw" >&2
  exit 1
fi
mv "$raw.opt" "$raw"
step "runtime: wasm-opt -Oz $before -> $(stat -c %s "$raw") bytes ($(elapsed "$t"))"

t=$(date +%s)
step "shim: tsc -p tsconfig.json"
node_modules/.bin/tsc -p tsconfig.json
step "shim: dist/index.js + dist/index.d.ts ($(elapsed "$t"))"

t=$(date +%s)
step "demo guests: cargo build -p counter-v1 -p counter-v2"
mkdir -p target
cargo build --release --target wasm32-unknown-unknown -p counter-v1 -p counter-v2 \
  --message-format=json-render-diagnostics >target/demo-guests.jsonl
node scripts/demo-assets.mjs target/demo-guests.jsonl www/build
step "demo guests: www/build/ ($(elapsed "$t"))"
