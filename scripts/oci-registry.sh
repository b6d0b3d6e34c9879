#!/usr/bin/env bash
# A real OCI registry on 127.0.0.1 for the tests: Debian's `docker-registry` (CNCF
# distribution 2.8), filesystem storage in a state folder, CORS headers for browsers.
#
#   scripts/oci-registry.sh start [--port N] [--token]   start (or find running); print URLs
#   scripts/oci-registry.sh stop                          stop what `start` started
#
# `start` prints, one per line, for `eval` or for a test to parse:
#   OCI_REGISTRY=http://127.0.0.1:PORT           anonymous pull and push
# and with --token also a second registry over the same storage that wants bearer tokens
# (distribution's own `auth.token`: it answers 401 with `WWW-Authenticate: Bearer realm=…`
# and checks the JWTs), and the token server its challenges name, which gives any anonymous
# client a token for the scope it asks (ES256 JWTs, signed by a key made here):
#   OCI_TOKEN_REGISTRY=http://127.0.0.1:PORT2
#   OCI_TOKEN_REALM=http://127.0.0.1:PORT3/token
#
# State (configs, storage, logs, PID files) lives in $OCI_REGISTRY_DIR, by default
# ${TMPDIR:-/tmp}/wasm-hotswap-oci; give each concurrent test its own. Idempotent: a second
# `start` with the same folder reuses what runs. Installs `docker-registry` with apt if it is
# missing (its package may try to start a system service; it is not used).
set -euo pipefail

dir=${OCI_REGISTRY_DIR:-${TMPDIR:-/tmp}/wasm-hotswap-oci}
say() { printf 'oci-registry: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_one() {
  if alive "$dir/$1.pid"; then kill "$(cat "$dir/$1.pid")" 2>/dev/null || true; fi
  rm -f "$dir/$1.pid" "$dir/$1.url"
}

stop() {
  for name in registry token-registry token; do stop_one "$name"; done
  rm -f "$dir/token-front.url"
}

install_registry() {
  command -v docker-registry >/dev/null && return
  say "installing docker-registry (apt)"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >&2; then
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >&2
  fi
}

# $1 distinct free ports on 127.0.0.1 (default 1), one per line: all held open together while
# they are chosen, so that no two are the same. Another process can still take one before its
# server binds it: the starts below retry with new ports when a server could not listen.
free_ports() {
  node -e 'const n = Number(process.argv[1]); const net = require("net"); const held = [];
    const next = () => { if (held.length === n) { console.log(held.map((s) => s.address().port).join("\n")); held.forEach((s) => s.close()); return; }
      const s = net.createServer().listen(0, "127.0.0.1", () => { held.push(s); next(); }); };
    next();' "${1:-1}"
}

# Waits until `GET URL` answers with any HTTP status (a 401 counts: the server is up).
wait_http() {
  local url=$1 pidfile=$2 log=$3
  for _ in $(seq 1 100); do
    if ! alive "$pidfile"; then
      say "the server for $url exited; its log ($log):"
      cat "$log" >&2 || true
      return 1
    fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null || true)" != 000 ]; then
      return 0
    fi
    sleep 0.1
  done
  say "$url did not answer within 10 s; log ($log):"
  cat "$log" >&2 || true
  return 1
}

# A registry config: port $2, extra top-level YAML $3 (the auth section) or nothing.
write_config() {
  local file=$1 port=$2 auth=$3 secret
  secret=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  cat >"$file" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: $secret
  headers:
    Access-Control-Allow-Origin: ["*"]
    Access-Control-Allow-Methods: ["GET, HEAD, OPTIONS, POST, PUT, PATCH"]
    Access-Control-Allow-Headers: ["Authorization, Content-Type, Content-Range, Accept, Range, If-None-Match, Docker-Content-Digest"]
    Access-Control-Expose-Headers: ["Docker-Content-Digest, Location, WWW-Authenticate, Link, Content-Length, Range, ETag"]
    Access-Control-Max-Age: ["600"]
$auth
EOF
}

# Starts `docker-registry serve $2` as $1 (PID in $1.pid) and waits for it on port $3.
start_registry() {
  local name=$1 config=$2 port=$3
  setsid docker-registry serve "$config" >"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
  wait_http "http://127.0.0.1:$port/v2/" "$dir/$name.pid" "$dir/$name.log" || return 1
  echo "http://127.0.0.1:$port" >"$dir/$name.url"
}

# The token server: a key pair and self-signed certificate the token registry trusts, and a
# small Node server signing ES256 JWTs (distribution's token format, x5c header). The same
# process fronts the token registry for browsers: distribution wants a token even for CORS
# preflights, which browsers send without credentials, so the front answers `OPTIONS` itself
# and forwards every other request unchanged (the 401s, the token checks, the manifests and
# the blobs are all the registry's own).
start_token_server() {
  local token_port=$1 front_port=$2 upstream_port=$3
  mkdir -p "$dir/token"
  if [ ! -f "$dir/token/cert.pem" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
      -subj /CN=wasm-hotswap-test-token -keyout "$dir/token/key.pem" \
      -out "$dir/token/cert.pem" 2>/dev/null
  fi
  cat >"$dir/token/server.mjs" <<'JS'
import { createServer, request } from "node:http";
import { createPrivateKey, randomUUID, sign } from "node:crypto";
import { readFileSync } from "node:fs";

const [dir, tokenPort, frontPort, upstreamPort, service, issuer] = process.argv.slice(2);
const key = createPrivateKey(readFileSync(`${dir}/key.pem`));
const der = readFileSync(`${dir}/cert.pem`, "utf8").replace(/-----[^-]+-----|\s/g, "");
const b64url = (data) => Buffer.from(data).toString("base64url");
const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS, POST, PUT, PATCH",
  "access-control-allow-headers":
    "Authorization, Content-Type, Content-Range, Accept, Range, If-None-Match, Docker-Content-Digest",
  "access-control-max-age": "600",
};

// `repository:acme/counter:pull,push` => { type, name, actions }; a name may hold `:`.
function access(scope) {
  const first = scope.indexOf(":"), last = scope.lastIndexOf(":");
  if (first < 0 || last === first) return null;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(",").filter(Boolean),
  };
}

// Anonymous tokens for whatever scope is asked: this registry exists for tests.
createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
  if (url.pathname !== "/token") return res.writeHead(404, cors).end();
  if (url.searchParams.get("service") !== service) {
    res.writeHead(400, { ...cors, "content-type": "application/json" });
    return res.end(JSON.stringify({ errors: [{ code: "DENIED", message: "unknown service" }] }));
  }
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: "JWT", alg: "ES256", x5c: [der] };
  const claims = {
    iss: issuer, sub: "", aud: service, exp: now + 300, nbf: now - 10, iat: now,
    jti: randomUUID(),
    access: url.searchParams.getAll("scope").flatMap((s) => s.split(" ")).map(access).filter(Boolean),
  };
  const signed = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = sign("sha256", Buffer.from(signed), { key, dsaEncoding: "ieee-p1363" });
  const token = `${signed}.${b64url(signature)}`;
  res.writeHead(200, { ...cors, "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
}).listen(Number(tokenPort), "127.0.0.1");

createServer((req, res) => {
  if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
  const forward = request(
    { host: "127.0.0.1", port: Number(upstreamPort), method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  forward.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502, cors).end()));
  req.pipe(forward);
}).listen(Number(frontPort), "127.0.0.1");
JS
  setsid node "$dir/token/server.mjs" "$dir/token" "$token_port" "$front_port" "$upstream_port" \
    wasm-hotswap-test wasm-hotswap-test-issuer >"$dir/token.log" 2>&1 </dev/null &
  echo $! >"$dir/token.pid"
  wait_http "http://127.0.0.1:$token_port/token" "$dir/token.pid" "$dir/token.log" || return 1
  echo "http://127.0.0.1:$token_port/token" >"$dir/token.url"
  echo "http://127.0.0.1:$front_port" >"$dir/token-front.url"
}

start() {
  local port="" token=false
  while [ $# -gt 0 ]; do
    case $1 in
      --port) port=$2; shift 2 ;;
      --token) token=true; shift ;;
      *) say "unknown option $1"; exit 64 ;;
    esac
  done
  install_registry
  mkdir -p "$dir/data"
  if ! alive "$dir/registry.pid"; then
    local plain_port attempt
    for attempt in 1 2 3; do
      plain_port=${port:-$(free_ports 1)}
      write_config "$dir/registry.yml" "$plain_port" ""
      if start_registry registry "$dir/registry.yml" "$plain_port"; then break; fi
      # A port taken between its choice and the bind: again, with another (not a given one).
      [ -z "$port" ] && [ "$attempt" -lt 3 ] || exit 1
      stop_one registry
    done
  fi
  echo "OCI_REGISTRY=$(cat "$dir/registry.url")"
  if $token; then
    if ! alive "$dir/token-registry.pid" || ! alive "$dir/token.pid"; then
      stop_one token-registry
      stop_one token
      local token_port registry_port front_port attempt ports
      for attempt in 1 2 3; do
        ports=$(free_ports 3)
        token_port=$(sed -n 1p <<<"$ports")
        registry_port=$(sed -n 2p <<<"$ports")
        front_port=$(sed -n 3p <<<"$ports")
        # The certificate the registry's config names is made by the token server's start.
        if start_token_server "$token_port" "$front_port" "$registry_port"; then
          write_config "$dir/token-registry.yml" "$registry_port" "auth:
  token:
    realm: http://127.0.0.1:$token_port/token
    service: wasm-hotswap-test
    issuer: wasm-hotswap-test-issuer
    rootcertbundle: $dir/token/cert.pem"
          if start_registry token-registry "$dir/token-registry.yml" "$registry_port"; then break; fi
        fi
        # A port taken between its choice and the bind: again, with new ones.
        [ "$attempt" -lt 3 ] || exit 1
        stop_one token-registry
        stop_one token
      done
    fi
    echo "OCI_TOKEN_REGISTRY=$(cat "$dir/token-front.url")"
    echo "OCI_TOKEN_REALM=$(cat "$dir/token.url")"
  fi
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) stop ;;
  *) say "usage: $0 start [--port N] [--token] | stop"; exit 64 ;;
esac
