#!/usr/bin/env bash
# Builds everything the package and the demo serve:
#   pkg/        the runtime (wasm-pack, then npm's wasm-opt)
#   dist/       the TypeScript shim (tsc)
#   www/build/  the demo guests (the notes, the counter), a corrupted copy and their manifest
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

# build_runtime OUT_DIR [CARGO_ARGS...]: the runtime as a wasm-pack web build, then wasm-opt.
build_runtime() {
  local out=$1
  shift
  local t
  t=$(date +%s)
  step "runtime ($out): wasm-pack build --target web --release $*"
  rm -rf "$out" # no snippet of an earlier build may linger in the package
  wasm-pack --quiet build --target web --release --out-dir "$out" --out-name wasm_hotswap -- "$@"
  # wasm-pack writes $out/.gitignore = "*", which npm pack also obeys: the build would be left
  # out of the package. The root .gitignore already keeps it out of git.
  rm -f "$out/.gitignore"
  local raw=$out/wasm_hotswap_bg.wasm
  local before
  before=$(stat -c %s "$raw")
  # -ocimfs 20: binaryen inlines a function with one caller whatever its size unless told
  # otherwise; keeping the larger ones apart makes the gzipped runtime smaller (default build
  # 139.6 -> 132.8 KB, updates 167.2 -> 158.7, WIT 596.3 -> 546.3, gzip -9 of the wasm) and a
  # page's first load compiles less of it (V8 compiles a wasm function at its first call: 121 ->
  # 95 KB of code; node bench/probe-first-load.mjs). Measured on 2026-12-01 over -1, 0, 20, 40,
  # 60, 100 and 300.
  if ! "$WASM_OPT" -Oz -ocimfs 20 "${WASM_FEATURES[@]}" "$raw" -o "$raw.opt"; then
    rm -f "$raw.opt"
    echo "build: wasm-opt FAILED on $raw" >&2
    exit 1
  fi
  mv "$raw.opt" "$raw"
  # The JS glue ships minified too (esbuild, from npm): the runtime's size budget counts it.
  local js
  for js in "$out"/wasm_hotswap.js "$out"/snippets/*/src/js/*.js; do
    node_modules/.bin/esbuild "$js" --minify --format=esm --log-level=warning --allow-overwrite --outfile="$js"
  done
  step "runtime ($out): wasm-opt -Oz $before -> $(stat -c %s "$raw") bytes, $(gzip -9c "$raw" | wc -c) gzipped ($(elapsed "$t"))"
}

# The entry points: `wasm-hotswap`; `wasm-hotswap/updates` with update delivery (watch, OCI);
# `wasm-hotswap/wit` with that and the WIT world check (several times larger).
build_runtime pkg
build_runtime pkg-updates --features updates
build_runtime pkg-wit --features wit,updates
# `wasm-hotswap/warg`: `updates` and the Warg registry client (+33 KB gzipped, so not in `updates`).
build_runtime pkg-warg --features warg,updates

t=$(date +%s)
step "shim: tsc -p tsconfig.json"
node_modules/.bin/tsc -p tsconfig.json
step "shim: dist/index.js, dist/updates.js, dist/wit.js, dist/warg.js and their .d.ts ($(elapsed "$t"))"

# Each browser entry ships as one module next to its wasm: the shim, the runtime's glue and
# its snippets bundled (esbuild) into pkg*/index.js, which package.json's `exports` name. A
# page fetches one file, not three levels of imports before the runtime's wasm is requested
# (bench figure 12); the glue's `new URL("wasm_hotswap_bg.wasm", import.meta.url)` still points
# next to it. dist/<entry>.js re-exports the bundle, for pages that import dist/ directly.
t=$(date +%s)
for pair in index:pkg updates:pkg-updates wit:pkg-wit warg:pkg-warg; do
  name=${pair%%:*} dir=${pair#*:}
  # wasm-bindgen's glue lists its snippet module once per import group: the same module
  # namespace under one key several times, which esbuild reports as duplicate keys.
  node_modules/.bin/esbuild "dist/$name.js" --bundle --format=esm --minify --target=es2022 \
    --log-level=warning --log-override:duplicate-object-key=silent --outfile="$dir/index.js"
  printf '// The bundle scripts/build.sh wrote: the shim and the runtime in one module.\nexport * from "../%s/index.js";\n' "$dir" >"dist/$name.js"
done
step "shim: bundled into pkg/index.js, pkg-updates/index.js, pkg-wit/index.js, pkg-warg/index.js ($(elapsed "$t"))"

# The wasm-bindgen guests: each crate's `_bg.wasm` and the glue `wasm-bindgen --target web`
# writes for it (the CLI is the version Cargo.lock pins; setup installs it). The demo page's
# guests, so they are built before the manifest is written.
t=$(date +%s)
step "wasm-bindgen guests: cargo build -p notes-v1 -p notes-v2 -p notes-v3, wasm-bindgen --target web"
mkdir -p target
cargo build --release --target wasm32-unknown-unknown -p notes-v1 -p notes-v2 -p notes-v3 \
  --message-format=json-render-diagnostics >target/bindgen-guests.jsonl
for crate in notes_v1 notes_v2 notes_v3; do
  wasm=$(node -e '
    const [file, name] = process.argv.slice(1);
    for (const line of require("fs").readFileSync(file, "utf8").split("\n")) {
      const m = line && JSON.parse(line);
      if (m.reason === "compiler-artifact" && m.target.name === name)
        for (const f of m.filenames) if (f.endsWith(".wasm")) console.log(f);
    }' target/bindgen-guests.jsonl "$crate")
  rm -rf "www/build/$crate"
  wasm-bindgen --target web --out-dir "www/build/$crate" "$wasm"
done
step "wasm-bindgen guests: www/build/notes_v1/, notes_v2/, notes_v3/ ($(elapsed "$t"))"

t=$(date +%s)
step "counter guests: cargo build -p counter-v1 -p counter-v2; the demo manifest"
cargo build --release --target wasm32-unknown-unknown -p counter-v1 -p counter-v2 \
  --message-format=json-render-diagnostics >target/demo-guests.jsonl
node scripts/demo-assets.mjs target/demo-guests.jsonl www/build
step "counter guests and the demo manifest: www/build/manifest.json ($(elapsed "$t"))"

# The same notes against wasm-bindgen 0.2.100, the oldest glue the runtime supports: a
# workspace of its own (one lock file cannot hold two wasm-bindgen versions), built with the
# matching CLI that setup installs.
t=$(date +%s)
step "wasm-bindgen 0.2.100 guest: tests/guests/notes-wasm-bindgen-0.2.100"
legacy_target="${CARGO_TARGET_DIR:-$PWD/target}/legacy-guests"
cargo build --release --target wasm32-unknown-unknown --quiet \
  --manifest-path tests/guests/notes-wasm-bindgen-0.2.100/Cargo.toml --target-dir "$legacy_target"
rm -rf www/build/notes_legacy
"$HOME/.cache/wasm-hotswap/wasm-bindgen-0.2.100/bin/wasm-bindgen" --target web --out-dir www/build/notes_legacy \
  --out-name notes_legacy "$legacy_target/wasm32-unknown-unknown/release/notes_wasm_bindgen_legacy.wasm"
step "wasm-bindgen 0.2.100 guest: www/build/notes_legacy/ ($(elapsed "$t"))"

# The bench's wasm-bindgen guest (bench/guests/ballast, figure 8b), in a cargo build of its own
# like the notes (features unify within one build), written to bench/build/ballast/.
t=$(date +%s)
step "bench guest: cargo build -p bench-ballast, wasm-bindgen --target web"
cargo build --release --target wasm32-unknown-unknown -p bench-ballast \
  --message-format=json-render-diagnostics >target/bench-guests.jsonl
ballast=$(node -e '
  for (const line of require("fs").readFileSync(process.argv[1], "utf8").split("\n")) {
    const m = line && JSON.parse(line);
    if (m.reason === "compiler-artifact" && m.target.name === "bench_ballast")
      for (const f of m.filenames) if (f.endsWith(".wasm")) console.log(f);
  }' target/bench-guests.jsonl)
rm -rf bench/build/ballast
wasm-bindgen --target web --out-dir bench/build/ballast --out-name ballast "$ballast"
step "bench guest: bench/build/ballast/ ($(elapsed "$t"))"
