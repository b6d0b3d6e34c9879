#!/usr/bin/env bash
# Installs everything the build and the tests need, from the package registries only.
# Idempotent: with everything present it only checks, in a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf 'setup: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Browser and driver for wasm-pack's headless tests and Playwright. Same Debian source, so
# their versions always match. No browser is ever downloaded from anywhere else.
# Debian's docker-registry (CNCF distribution) is the real OCI registry the OCI tests push to
# and pull from (scripts/oci-registry.sh starts it on 127.0.0.1).
# clang and lld (wasm-ld) build the C guest in examples/c-counter.
# openssl signs and verifies outside the project in the signature tests (cli/tests/sign.rs,
# tests/e2e/signatures.test.mjs).
apt_missing=()
command -v chromium >/dev/null || apt_missing+=(chromium)
command -v chromedriver >/dev/null || apt_missing+=(chromium-driver)
[ -x /usr/bin/docker-registry ] || apt_missing+=(docker-registry)
command -v clang >/dev/null || apt_missing+=(clang)
command -v wasm-ld >/dev/null || apt_missing+=(lld)
command -v openssl >/dev/null || apt_missing+=(openssl)
if [ ${#apt_missing[@]} -eq 0 ]; then
  step "chromium + chromedriver + docker-registry + clang + lld present"
else
  step "installing ${apt_missing[*]} (apt)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}"
fi

installed_targets=$(rustup target list --installed)
if grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
  step "rust target wasm32-unknown-unknown present"
else
  step "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# wasm32-wasip2: the Rust component example (examples/rust-component), built with wit-bindgen.
if grep -qx wasm32-wasip2 <<<"$installed_targets"; then
  step "rust target wasm32-wasip2 present"
else
  step "adding rust target wasm32-wasip2"
  rustup target add wasm32-wasip2
fi

installed_components=$(rustup component list --installed)
for component in rustfmt clippy; do
  if grep -q "^$component-" <<<"$installed_components"; then
    step "rust component $component present"
  else
    step "adding rust component $component"
    rustup component add "$component"
  fi
done

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock exactly, or the generated glue and
# the test runner disagree with the library. Not --locked: its lock file pins a webpki-roots
# version the registry mirror lacks.
if [ ! -f Cargo.lock ]; then
  step "no Cargo.lock yet: generating it"
  cargo generate-lockfile --quiet
fi
wbg_want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ -z "$wbg_want" ]; then
  step "Cargo.lock has no wasm-bindgen: skipping wasm-bindgen-cli"
else
  wbg_have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$wbg_have" = "$wbg_want" ]; then
    step "wasm-bindgen-cli $wbg_want present"
  else
    step "installing wasm-bindgen-cli $wbg_want (have: ${wbg_have:-none}; takes ~2 minutes)"
    cargo install wasm-bindgen-cli --version "=$wbg_want" --force
  fi
fi

# The oldest wasm-bindgen whose glue the runtime supports, for the guest the e2e tests build
# with it (tests/guests/notes-wasm-bindgen-0.2.100). Kept apart from the pinned CLI on PATH.
wbg_old=0.2.100
wbg_old_root="$HOME/.cache/wasm-hotswap/wasm-bindgen-$wbg_old"
if [ "$("$wbg_old_root/bin/wasm-bindgen" --version 2>/dev/null | awk '{print $2}')" = "$wbg_old" ]; then
  step "wasm-bindgen-cli $wbg_old (for the older-glue test) present"
else
  step "installing wasm-bindgen-cli $wbg_old into $wbg_old_root (takes ~2 minutes)"
  cargo install wasm-bindgen-cli --version "=$wbg_old" --root "$wbg_old_root" --force
fi

wasm_pack_want=0.15.1
wasm_pack_have=$(wasm-pack --version 2>/dev/null | awk '{print $2}' || true)
if [ "$wasm_pack_have" = "$wasm_pack_want" ]; then
  step "wasm-pack $wasm_pack_want present"
else
  step "installing wasm-pack $wasm_pack_want (have: ${wasm_pack_have:-none}; takes ~2 minutes)"
  cargo install wasm-pack --version "$wasm_pack_want" --locked --force
fi

# The Warg reference server and CLI (scripts/warg-server.sh and tests/e2e/warg.test.mjs), into
# ~/.cache/warg with a target folder of their own. A cold build takes about 10 minutes on two
# cores; a warm run only reads `cargo install --list` of that root.
warg_version=0.10.0
warg_root="$HOME/.cache/warg"
warg_installed=$(cargo install --list --root "$warg_root" 2>/dev/null || true)
if [ -x "$warg_root/bin/warg-server" ] && [ -x "$warg_root/bin/warg" ] &&
  grep -qx "warg-server v$warg_version:" <<<"$warg_installed" &&
  grep -qx "warg-cli v$warg_version:" <<<"$warg_installed"; then
  step "warg-server and warg-cli $warg_version present"
else
  step "installing warg-server and warg-cli $warg_version into $warg_root (takes ~10 minutes)"
  cargo install "warg-server@$warg_version" "warg-cli@$warg_version" --locked \
    --root "$warg_root" --target-dir "$warg_root/target"
fi

# cargo-fuzz for the fuzz smoke run (scripts/fuzz-smoke.sh); it builds on stable (`-s none`).
if cargo fuzz --version >/dev/null 2>&1; then
  step "cargo-fuzz present"
else
  step "installing cargo-fuzz (takes ~2 minutes)"
  cargo install cargo-fuzz --locked
fi

# npm ci only when node_modules is missing or was installed from another package-lock.json.
stamp=node_modules/.package-lock.sha256
lock_sum=$(sha256sum package-lock.json | awk '{print $1}')
if [ -d node_modules ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
  step "node_modules matches package-lock.json"
else
  step "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s\n' "$lock_sum" >"$stamp"
fi

step "done"
