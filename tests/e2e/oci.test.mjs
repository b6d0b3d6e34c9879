// The OCI round trip against a real registry: Debian's `docker-registry` (CNCF distribution),
// started by scripts/oci-registry.sh (anonymous, and over the same storage behind
// distribution's token auth), modules pushed by the CLI (`hotswap publish --oci`), pulled in
// headless Chromium by the runtime's OCI client (tests/browser_oci.rs, built here with the
// registry's URLs and the pushed digests baked in).
//
// A small proxy stands in front of the registry only where the registry cannot misbehave on
// purpose: `/redirect` answers blob GETs with 307 to the registry (as registries send blobs
// to storage), `/loop` redirects to itself, `/tampered` serves other bytes for a blob with a
// `Docker-Content-Digest` that matches them. Everything else it forwards untouched.
//
// Without a registry this fails, unless HOTSWAP_OCI_OPTIONAL=1, which skips it.
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { start } from "./harness.mjs";

const SCRIPT = "scripts/oci-registry.sh";
const optional = process.env.HOTSWAP_OCI_OPTIONAL === "1";
const sha256 = (bytes) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "Authorization, Accept, Content-Type",
  "access-control-expose-headers": "Docker-Content-Digest, WWW-Authenticate, Link, Location",
};

/** Runs a command to its end without blocking this process; its status and output. */
function runAsync(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Starts the registries; null when they cannot start and HOTSWAP_OCI_OPTIONAL=1. */
function startRegistry(dir) {
  const run = spawnSync("bash", [SCRIPT, "start", "--token"], {
    env: { ...process.env, OCI_REGISTRY_DIR: dir },
    encoding: "utf8",
  });
  if (run.status !== 0) {
    if (optional) return null;
    throw new Error(`${SCRIPT} failed (HOTSWAP_OCI_OPTIONAL=1 skips this test):\n${run.stderr}`);
  }
  return Object.fromEntries(run.stdout.trim().split("\n").map((line) => line.split("=", 2)));
}

/** `hotswap publish --json … --oci URL`, through cargo; the parsed JSON report. */
function publish(file, version, oci) {
  const out = execFileSync(
    "cargo",
    ["run", "-q", "-p", "hotswap-cli", "--", "publish", "--json", file, "--name", "acme/counter",
      "--version", version, "--oci", oci],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  return JSON.parse(out);
}

/** Pushes a blob the way any client does: POST an upload, PUT its bytes. */
async function putBlob(registry, repository, bytes) {
  const digest = sha256(bytes);
  const started = await fetch(`${registry}/v2/${repository}/blobs/uploads/`, { method: "POST" });
  assert.equal(started.status, 202);
  const location = new URL(started.headers.get("location"), registry);
  location.searchParams.set("digest", digest);
  const put = await fetch(location, { method: "PUT", body: bytes, headers: { "content-type": "application/octet-stream" } });
  assert.equal(put.status, 201, await put.text());
  return digest;
}

/** A container image (not a Wasm artifact) tagged 1.0.0 in `acme/container`. */
async function pushContainerImage(registry) {
  const config = await putBlob(registry, "acme/container", Buffer.from("{}"));
  const layer = await putBlob(registry, "acme/container", Buffer.from("layer"));
  const manifest = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: config, size: 2 },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layer, size: 5 }],
  };
  const put = await fetch(`${registry}/v2/acme/container/manifests/1.0.0`, {
    method: "PUT",
    body: JSON.stringify(manifest),
    headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
  });
  assert.equal(put.status, 201, await put.text());
}

/** The misbehaving front: /redirect, /loop and /tampered before `registry`'s paths. */
function startProxy(registry) {
  const upstream = new URL(registry);
  const server = createServer(async (req, res) => {
    const [, mode, ...rest] = req.url.split("/");
    const path = `/${rest.join("/")}`;
    const isBlob = req.method === "GET" && /^\/v2\/.+\/blobs\/sha256:[0-9a-f]{64}$/.test(path);
    if (req.method === "OPTIONS") return res.writeHead(204, cors).end();
    if (mode === "loop") return res.writeHead(307, { ...cors, location: req.url }).end();
    if (mode === "redirect" && isBlob) {
      return res.writeHead(307, { ...cors, location: `${registry}${path}` }).end();
    }
    if (mode === "tampered" && isBlob) {
      const real = Buffer.from(await (await fetch(`${registry}${path}`)).arrayBuffer());
      const bytes = Buffer.concat([real, Buffer.from([0])]);
      res.writeHead(200, {
        ...cors,
        "content-type": "application/octet-stream",
        "docker-content-digest": sha256(bytes),
        "content-length": bytes.length,
      });
      return res.end(bytes);
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502, cors).end()));
    req.pipe(forward);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}`, server }));
  });
}

describe("OCI registry round trip", { timeout: 900_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "hotswap-oci-"));
  let urls;
  let proxy;
  let pushed;

  before(async () => {
    urls = startRegistry(dir);
    if (!urls) return;
    for (const file of ["www/build/counter-v1.wasm", "www/build/counter-v2.wasm"]) {
      assert.ok(existsSync(file), `${file} is missing: run scripts/build.sh first`);
    }
    // Pushed through the token registry: the CLI's bearer flow; the storage is shared.
    const oci = `${urls.OCI_TOKEN_REGISTRY}/acme/counter`;
    pushed = {
      v1: publish("www/build/counter-v1.wasm", "1.0.0", oci),
      v2: publish("www/build/counter-v2.wasm", "1.1.0", oci),
    };
    await pushContainerImage(urls.OCI_REGISTRY);
    proxy = await startProxy(urls.OCI_REGISTRY);
  });

  after(() => {
    proxy?.server.close();
    spawnSync("bash", [SCRIPT, "stop"], { env: { ...process.env, OCI_REGISTRY_DIR: dir } });
    rmSync(dir, { recursive: true, force: true });
  });

  test("the CLI pushed both versions, the second checked against the first", (t) => {
    if (!urls) return t.skip("no registry (HOTSWAP_OCI_OPTIONAL=1)");
    assert.equal(pushed.v1.previous, null);
    assert.deepEqual(pushed.v2.previous, { version: "1.0.0", severity: "additive", declared: "minor" });
    assert.equal(pushed.v2.version_section, "present");
  });

  test("headless Chromium resolves, follows redirects, gets tokens and verifies (tests/browser_oci.rs)", async (t) => {
    if (!urls) return t.skip("no registry (HOTSWAP_OCI_OPTIONAL=1)");
    // Asynchronously: the proxy runs in this process and must keep answering.
    const run = await runAsync(
      "cargo",
      ["test", "-p", "wasm-hotswap", "--features", "updates", "--target", "wasm32-unknown-unknown", "--test", "browser_oci"],
      {
        env: {
          ...process.env,
          PATH: `${process.env.PATH}:/usr/bin`,
          CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER: "wasm-bindgen-test-runner",
          CHROMEDRIVER: process.env.CHROMEDRIVER ?? "/usr/bin/chromedriver",
          OCI_REGISTRY: urls.OCI_REGISTRY,
          OCI_TOKEN_REGISTRY: urls.OCI_TOKEN_REGISTRY,
          OCI_PROXY: proxy.url,
          OCI_V1_DIGEST: pushed.v1.digest,
          OCI_V2_DIGEST: pushed.v2.digest,
        },
      },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, output);
    assert.match(output, /test result: ok\. 7 passed; 0 failed/, output);
  });

  test("an app loads acme/counter@^1 from the registry through the public API", async (t) => {
    if (!urls) return t.skip("no registry (HOTSWAP_OCI_OPTIONAL=1)");
    const env = await start();
    try {
      const tab = await env.page();
      await tab.page.goto(new URL("/package.json", env.url).href);
      const result = await tab.page.evaluate(async (registry) => {
        const { HotModule } = await import("/dist/updates.js");
        const m = await HotModule.load({ registry: `oci+${registry}`, name: "acme/counter", range: "^1" });
        const before = m.exports.increment(2);
        return { version: m.version, digest: m.digest, before, get: m.exports.get() };
      }, urls.OCI_TOKEN_REGISTRY);
      assert.equal(result.version, "1.1.0");
      assert.equal(result.digest, pushed.v2.digest);
      assert.equal(result.get, result.before);
      await tab.close();
    } finally {
      await env.stop();
    }
  });
});
