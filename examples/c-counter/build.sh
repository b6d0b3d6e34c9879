#!/usr/bin/env bash
# Builds the C counter guests with Debian's clang and lld (scripts/setup.sh installs them):
#   counter-v1.wasm          1.0.0: increment, get
#   counter-v2.wasm          1.1.0: adds calls, and `calls` to the state (-DCOUNTER_V2)
#   counter-v1-as-1.2.0.wasm v1's source declared 1.2.0: a minor version without v2's `calls`,
#                            which the gate refuses (-DVERSION)
# into OUT_DIR (default: www/build/examples/c-counter, which the e2e server serves).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../www/build/examples/c-counter}
mkdir -p "$out"

# No libc, no start function: the exports are the whole interface. wasm-ld exports `memory`
# by itself.
build() {
  local name=$1
  shift
  "${CC:-clang}" --target=wasm32 -O2 -nostdlib -Wl,--no-entry \
    -Wl,--export=increment -Wl,--export=get \
    -Wl,--export=save_state -Wl,--export=alloc_state -Wl,--export=load_state \
    "$@" -o "$out/$name.wasm" "$here/counter.c"
}

build counter-v1
build counter-v2 -DCOUNTER_V2 -Wl,--export=calls
build counter-v1-as-1.2.0 '-DVERSION="1.2.0"'
