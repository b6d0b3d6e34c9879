#!/usr/bin/env bash
# A real Warg registry on 127.0.0.1 for the tests: `warg-server` (the Bytecode Alliance's
# reference server, installed by scripts/setup.sh into ~/.cache/warg), its memory data store,
# a content folder and a fresh operator key in a state folder. warg-server sends CORS headers
# itself (any origin; GET and POST; Content-Type and Accept), so browsers reach it directly.
#
#   scripts/warg-server.sh start [--port N] [--namespace NS]   start (or find running); print
#   scripts/warg-server.sh stop                                  stop what `start` started
#
# `start` prints, one per line, for `eval` or for a test to parse:
#   WARG_REGISTRY=http://127.0.0.1:PORT     the server (for `warg config --registry`)
#   WARG_NAMESPACE=NS                       the namespace it defines (default `example`)
#   WARG_OPERATOR_KEY_ID=sha256:…           the id of the operator key it signs checkpoints with
#
# State (the operator key, the content, the log, the PID) lives in $WARG_SERVER_DIR, by
# default ${TMPDIR:-/tmp}/wasm-hotswap-warg; give each concurrent test its own. Idempotent: a
# second `start` with the same folder reuses what runs. The memory store forgets every
# package when the server stops.
set -euo pipefail

dir=${WARG_SERVER_DIR:-${TMPDIR:-/tmp}/wasm-hotswap-warg}
server=${WARG_SERVER:-$(command -v warg-server || echo "$HOME/.cache/warg/bin/warg-server")}
say() { printf 'warg-server: %s\n' "$*" >&2; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop() {
  if alive "$dir/server.pid"; then kill "$(cat "$dir/server.pid")" 2>/dev/null || true; fi
  rm -f "$dir/server.pid" "$dir/server.url"
}

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# A fresh P-256 operator key in warg's text form `ecdsa-p256:<base64 of the 32-byte scalar>`
# (no newline: warg-server reads the file whole), and its key id.
operator_key() {
  node -e '
    const { generateKeyPairSync, createPublicKey, createHash } = require("crypto");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const d = Buffer.from(privateKey.export({ format: "jwk" }).d, "base64url");
    const point = createPublicKey(privateKey).export({ format: "jwk" });
    const y = Buffer.from(point.y, "base64url");
    const compressed = Buffer.concat([Buffer.from([2 + (y[31] & 1)]), Buffer.from(point.x, "base64url")]);
    const text = "ecdsa-p256:" + compressed.toString("base64");
    require("fs").writeFileSync(process.argv[1], "ecdsa-p256:" + d.toString("base64"), { mode: 0o600 });
    require("fs").writeFileSync(process.argv[2], "sha256:" + createHash("sha256").update(text).digest("hex"));
  ' "$dir/operator.key" "$dir/operator.id"
}

start() {
  local port="" namespace=example
  while [ $# -gt 0 ]; do
    case $1 in
      --port) port=$2; shift 2 ;;
      --namespace) namespace=$2; shift 2 ;;
      *) say "unknown option $1"; exit 64 ;;
    esac
  done
  if [ ! -x "$server" ]; then
    say "no warg-server at $server: run scripts/setup.sh (it installs it into ~/.cache/warg)"
    exit 1
  fi
  mkdir -p "$dir"
  if ! alive "$dir/server.pid"; then
    local attempt
    for attempt in 1 2 3; do
      rm -rf "$dir/content"
      mkdir -p "$dir/content"
      operator_key
      port=${port:-$(free_port)}
      setsid "$server" --listen "127.0.0.1:$port" --content-dir "$dir/content" \
        --operator-key-file "$dir/operator.key" --namespace "$namespace" \
        >"$dir/server.log" 2>&1 </dev/null &
      echo $! >"$dir/server.pid"
      echo "$namespace" >"$dir/namespace"
      local up=false
      for _ in $(seq 1 100); do
        alive "$dir/server.pid" || break
        if curl -sf -o /dev/null "http://127.0.0.1:$port/v1/fetch/checkpoint"; then up=true; break; fi
        sleep 0.1
      done
      if $up; then
        echo "http://127.0.0.1:$port" >"$dir/server.url"
        break
      fi
      say "warg-server did not come up on port $port; its log ($dir/server.log):"
      cat "$dir/server.log" >&2 || true
      stop
      # A port taken between its choice and the bind: again, with another.
      port=""
      [ "$attempt" -lt 3 ] || exit 1
    done
  fi
  echo "WARG_REGISTRY=$(cat "$dir/server.url")"
  echo "WARG_NAMESPACE=$(cat "$dir/namespace")"
  echo "WARG_OPERATOR_KEY_ID=$(cat "$dir/operator.id")"
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) say "usage: $0 start [--port N] [--namespace NS] | stop"; exit 64 ;;
esac
