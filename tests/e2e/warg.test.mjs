// Warg registries end to end: a real `warg-server` (scripts/warg-server.sh: 127.0.0.1, a fresh
// operator key, the memory store), the C counter published with the real `warg` CLI (a
// flat-file keyring in a temporary home, non-interactive), and the packed npm package's
// `wasm-hotswap/warg` loading and swapping it in headless Chromium through
// `warg+http://127.0.0.1:PORT`: the checkpoint, the operator and package logs, every
// signature and the inclusion proofs verified on the way.
//
// warg-server answers CORS itself, so the page talks to it directly. A small proxy stands in
// front of it only to tamper, page, freeze or count on purpose (see `tamperingProxy`): it
// forwards everything else untouched.
//
// Without warg-server and warg (scripts/setup.sh installs them into ~/.cache/warg) this fails,
// unless HOTSWAP_WARG_OPTIONAL=1, which skips it.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PACKED = join(ROOT, "www/build/packed-warg");
const GUESTS = join(ROOT, "www/build/examples/c-counter");
const NAME = "example:counter";
const WARG = process.env.WARG_CLI ?? join(process.env.HOME, ".cache/warg/bin/warg");
const SERVER = process.env.WARG_SERVER ?? join(process.env.HOME, ".cache/warg/bin/warg-server");
const missing = [WARG, SERVER].filter((bin) => !existsSync(bin));
const skip = missing.length > 0 && process.env.HOTSWAP_WARG_OPTIONAL === "1" && `no ${missing.join(", ")} (HOTSWAP_WARG_OPTIONAL=1)`;

let env, state, registry, proxy, warg;
let pages = 0;
let consistencyProofs = 0;
let frozen; // the checkpoint of the first four records, signed by the server

/** Runs the `warg` CLI in its own home (config, flat-file keyring, caches); fails on error. */
function cli(...args) {
  const run = spawnSync(WARG, args, { env: warg, encoding: "utf8", timeout: 120_000 });
  assert.equal(run.status, 0, `warg ${args.join(" ")}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/**
 * `warg publish yank`, which has no flag to skip its confirmation and refuses to run without
 * a terminal: run in a pseudo-terminal (util-linux `script`) that answers `y`.
 */
function yank(version) {
  const command = [WARG, "publish", "yank", "--name", NAME, "--version", version].join(" ");
  const run = spawnSync("script", ["-qec", command, "/dev/null"], { env: warg, input: "y", encoding: "utf8", timeout: 120_000 });
  assert.equal(run.status, 0, `warg publish yank:\n${run.stdout}`);
  assert.match(run.stdout, new RegExp(`yanked version ${version.replaceAll(".", "\\.")}`));
}

/** Waits until the server's latest checkpoint covers `length` records (one every 5 s). */
async function checkpointed(length) {
  for (let i = 0; i < 200; i++) {
    const checkpoint = await (await fetch(`${registry}/v1/fetch/checkpoint`)).json();
    if (checkpoint.contents.logLength >= length) return checkpoint;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no checkpoint of ${length} records within 20 s`);
}

before(async () => {
  if (skip) return;
  assert.deepEqual(missing, [], "scripts/setup.sh installs warg-server and warg (HOTSWAP_WARG_OPTIONAL=1 skips this file)");
  execFileSync("bash", ["examples/c-counter/build.sh"], { cwd: ROOT, stdio: "inherit" });
  // The shim as apps get it: the tarball `npm pack` makes, unpacked where the server serves it.
  rmSync(PACKED, { recursive: true, force: true });
  mkdirSync(PACKED, { recursive: true });
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", PACKED], { cwd: ROOT, encoding: "utf8" }));
  execFileSync("tar", ["-xzf", join(PACKED, filename), "-C", PACKED]);

  state = mkdtempSync(join(tmpdir(), "wasm-hotswap-warg-"));
  const started = spawnSync("bash", ["scripts/warg-server.sh", "start"], {
    cwd: ROOT, env: { ...process.env, WARG_SERVER_DIR: join(state, "server") }, encoding: "utf8",
  });
  assert.equal(started.status, 0, `scripts/warg-server.sh start:\n${started.stderr}`);
  registry = Object.fromEntries(started.stdout.trim().split("\n").map((l) => l.split("=", 2))).WARG_REGISTRY;

  // No OS keyring on these machines: the flat-file backend, in a home of the test's own.
  const home = join(state, "home");
  warg = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, "config"), XDG_CACHE_HOME: join(home, "cache"), XDG_DATA_HOME: join(home, "data") };
  cli("config", "--registry", registry, "--keyring-backend", "flat-file", "--overwrite",
    "--registries-dir", join(home, "registries"), "--content-dir", join(home, "content"));
  cli("key", "new");
  cli("publish", "init", NAME);
  cli("publish", "release", "--name", NAME, "--version", "1.0.0", join(GUESTS, "counter-v1.wasm"));
  cli("publish", "release", "--name", NAME, "--version", "1.1.0", join(GUESTS, "counter-v2.wasm"));
  // Operator init, package init, two releases.
  frozen = await checkpointed(4);
  assert.equal(frozen.contents.logLength, 4);

  proxy = await tamperingProxy(new URL(registry));
  env = await start();
});

after(async () => {
  await env?.stop();
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve()));
  if (state) {
    spawnSync("bash", ["scripts/warg-server.sh", "stop"], { cwd: ROOT, env: { ...process.env, WARG_SERVER_DIR: join(state, "server") } });
    rmSync(state, { recursive: true, force: true });
  }
  rmSync(PACKED, { recursive: true, force: true });
});

/**
 * Forwards to the registry; under `/tampered-checkpoint` the checkpoint's timestamp is one
 * second later (its signature no longer matches), under `/tampered-record` the package log's
 * last record carries its first record's signature, under `/malformed-record` its bytes are not
 * protobuf, under `/paged` each `/v1/fetch/logs`
 * asks the server for one record a page (`limit: 1`), counted in `pages`, under `/frozen` the
 * checkpoint is always the one of four records (`frozen`); `/plain` forwards only. Requests
 * for consistency proofs are counted in `consistencyProofs`.
 */
function tamperingProxy(upstream) {
  const server = createServer((req, res) => {
    const [, mode, ...rest] = req.url.split("/");
    const path = "/" + rest.join("/");
    const sent = [];
    req.on("data", (chunk) => sent.push(chunk));
    req.on("end", () => {
      let sentBody = Buffer.concat(sent);
      // Uncompressed answers, so that the JSON can be read and rewritten.
      const { "accept-encoding": _, ...headers } = req.headers;
      if (mode === "paged" && req.method === "POST" && path === "/v1/fetch/logs") {
        sentBody = Buffer.from(JSON.stringify({ ...JSON.parse(sentBody), limit: 1 }));
        headers["content-length"] = sentBody.length;
      }
      const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers }, (answer) => {
        const chunks = [];
        answer.on("data", (chunk) => chunks.push(chunk));
        answer.on("end", () => {
          let body = Buffer.concat(chunks);
          const read = answer.statusCode === 200 && req.method !== "OPTIONS"; // not a preflight's
          if (read && mode === "tampered-checkpoint" && path === "/v1/fetch/checkpoint") {
            const checkpoint = JSON.parse(body);
            checkpoint.contents.timestamp += 1;
            body = Buffer.from(JSON.stringify(checkpoint));
          }
          if (read && mode === "tampered-record" && path === "/v1/fetch/logs") {
            const logs = JSON.parse(body);
            for (const records of Object.values(logs.packages ?? {})) {
              if (records.length > 1) records[records.length - 1].signature = records[0].signature;
            }
            body = Buffer.from(JSON.stringify(logs));
          }
          if (read && mode === "malformed-record" && path === "/v1/fetch/logs") {
            const logs = JSON.parse(body);
            // Three zero bytes: protobuf field number 0, which no message has.
            for (const records of Object.values(logs.packages ?? {})) records.at(-1).contentBytes = "AAAA";
            body = Buffer.from(JSON.stringify(logs));
          }
          if (read && mode === "paged" && path === "/v1/fetch/logs") pages++;
          if (read && path === "/v1/proof/consistency") consistencyProofs++;
          if (read && mode === "frozen" && path === "/v1/fetch/checkpoint") body = Buffer.from(JSON.stringify(frozen));
          const { "transfer-encoding": __, ...answered } = answer.headers;
          res.writeHead(answer.statusCode, { ...answered, "content-length": body.length }).end(body);
        });
      });
      forward.on("error", () => res.writeHead(502).end());
      forward.end(sentBody);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const proxied = (mode) => `warg+http://127.0.0.1:${proxy.address().port}/${mode}`;

// Runs `body` in a fresh page with `HotModule`, `registry` (the server's `warg+` URL) and
// `failure(promise)` (`code: message` of its rejection) in scope.
const inPage = (body, values = {}) =>
  env.evaluate("tests/e2e/fixtures/warg.html", `(async () => {
    const { HotModule } = await import("/www/build/packed-warg/package/dist/warg.js");
    const registry = ${JSON.stringify(`warg+${registry}`)};
    const values = ${JSON.stringify(values)};
    const failure = (promise) => promise.then(
      () => "resolved", (e) => (e instanceof Error ? "" : "not an Error: ") + e.code + ": " + e.message);
    ${body}
  })()`);

test("a module the warg CLI published loads from warg+http and swaps to 1.1.0 with its count; a log served a record a page is followed to its end", { skip }, async () => {
  const result = await inPage(`
    const paged = await HotModule.load({ registry: values.paged, name: "example:counter", range: "^1" });
    const m = await HotModule.load({ registry, name: "example:counter", range: "~1.0.0" });
    const increment = m.exports.increment;
    increment(5); increment(2);
    const before = { version: m.version, digest: m.digest, get: m.exports.get() };
    const report = await m.swap({ version: "1.1.0" });
    return {
      before, report: { from: report.fromVersion, to: report.toVersion, guest: report.guest },
      after: { version: m.version, get: m.exports.get(), increment: increment(1), calls: m.exports.calls() },
      paged: paged.version,
    };
  `, { paged: proxied("paged") });
  assert.equal(result.before.version, "1.0.0");
  assert.equal(result.before.get, 7);
  assert.deepEqual(result.report, { from: "1.0.0", to: "1.1.0", guest: "stateful" });
  assert.deepEqual(result.after, { version: "1.1.0", get: 7, increment: 8, calls: 1 });
  // One operator record and three package records, one a page: 3 pages at least (4 in all).
  assert.equal(result.paged, "1.1.0");
  assert.ok(pages >= 3, `${pages} pages`);
});

test("on Node the package's warg entry (its node condition) loads and swaps from the same registry", { skip }, async () => {
  const script = `
    const { HotModule } = await import(${JSON.stringify(join(PACKED, "package/dist/warg.node.js"))});
    const m = await HotModule.load({ registry: ${JSON.stringify(`warg+${registry}`)}, name: "example:counter", range: "~1.0.0" });
    m.exports.increment(9);
    const from = m.version;
    await m.swap({ version: "1.1.0" });
    console.log(JSON.stringify({ from, to: m.version, get: m.exports.get(), calls: m.exports.calls() }));
  `;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { from: "1.0.0", to: "1.1.0", get: 9, calls: 0 });
});

test("a range no release matches is NO_MATCHING_VERSION listing the releases, and 1.0.0 keeps serving", { skip }, async () => {
  const result = await inPage(`
    const m = await HotModule.load({ registry, name: "example:counter", range: "~1.0.0" });
    m.exports.increment(3);
    const message = await failure(m.swap({ range: "^2" }));
    const missing = await failure(HotModule.load({ registry, name: "example:nothing", range: "*" }));
    const watch = (() => { try { m.watch(); return "watching"; } catch (e) { return e.code + ": " + e.message; } })();
    return { message, missing, watch, version: m.version, get: m.exports.get() };
  `);
  assert.match(result.message, /^NO_MATCHING_VERSION: no version of `example:counter` matches `\^2`; published: 1\.0\.0, 1\.1\.0/);
  assert.match(result.missing, /^NO_MATCHING_VERSION: .*example:nothing.*has no log for it/);
  assert.match(result.watch, /^INVALID_OPTIONS: .*Warg/);
  assert.deepEqual({ version: result.version, get: result.get }, { version: "1.0.0", get: 3 });
});

test("a checkpoint or a record tampered in flight is REGISTRY_LOG_INVALID naming it, a record that is not protobuf INVALID_INDEX, and 1.0.0 keeps serving", { skip }, async () => {
  const result = await inPage(`
    const m = await HotModule.load({ registry, name: "example:counter", range: "~1.0.0" });
    m.exports.increment(4);
    const checkpoint = await failure(m.swap({ registry: values.checkpoint, version: "1.1.0" }));
    const record = await failure(m.swap({ registry: values.record, version: "1.1.0" }));
    const malformed = await failure(m.swap({ registry: values.malformed, version: "1.1.0" }));
    return { checkpoint, record, malformed, version: m.version, get: m.exports.get() };
  `, { checkpoint: proxied("tampered-checkpoint"), record: proxied("tampered-record"), malformed: proxied("malformed-record") });
  assert.match(result.checkpoint, /^REGISTRY_LOG_INVALID: .*the checkpoint at log length \d+: its signature does not verify with key sha256:/);
  assert.match(result.record, /^REGISTRY_LOG_INVALID: .*package record 2 \(sha256:[0-9a-f]{64}\) of `example:counter`: its signature does not verify/);
  assert.match(result.malformed, /^INVALID_INDEX: .*\/v1\/fetch\/logs`: package record 2 \(sha256:[0-9a-f]{64}\) of `example:counter`: it is not a PackageRecord/);
  assert.deepEqual({ version: result.version, get: result.get }, { version: "1.0.0", get: 4 });
});

test("a content blob tampered with on the server is HASH_MISMATCH, a yanked release is skipped, and 1.1.0 keeps serving", { skip }, async () => {
  // 1.2.0 is released, its stored content then replaced by other bytes; 1.3.0 is released
  // and yanked.
  cli("publish", "release", "--name", NAME, "--version", "1.2.0", join(GUESTS, "counter-v1-as-1.2.0.wasm"));
  const digest = execFileSync("sha256sum", [join(GUESTS, "counter-v1-as-1.2.0.wasm")], { encoding: "utf8" }).split(" ")[0];
  copyFileSync(join(GUESTS, "counter-v1.wasm"), join(state, "server/content/files", `sha256-${digest}`));
  await checkpointed(5);
  const result = await inPage(`
    const m = await HotModule.load({ registry, name: "example:counter", version: "1.1.0" });
    m.exports.increment(6);
    const tampered = await failure(m.swap({ version: "1.2.0" }));
    return { tampered, version: m.version, get: m.exports.get(), calls: m.exports.calls() };
  `);
  assert.match(result.tampered, new RegExp(`^HASH_MISMATCH: .*content/sha256-${digest}.*expected sha256:${digest}`));
  assert.deepEqual({ version: result.version, get: result.get, calls: result.calls }, { version: "1.1.0", get: 6, calls: 1 });

  cli("publish", "release", "--name", NAME, "--version", "1.3.0", join(GUESTS, "counter-v2.wasm"));
  yank("1.3.0");
  await checkpointed(7);
  const yanked = await inPage(`
    const m = await HotModule.load({ registry, name: "example:counter", range: ">=1.3.0" }).then(() => "loaded", (e) => e.code + ": " + e.message);
    const any = await HotModule.load({ registry, name: "example:counter", range: "~1.1" });
    return { m, version: any.version };
  `);
  assert.match(yanked.m, /^NO_MATCHING_VERSION: .*1\.3\.0 \(yanked\)/);
  assert.equal(yanked.version, "1.1.0");
});

test("a checkpoint older than one the page verified is REGISTRY_LOG_INVALID, a newer one is proven consistent with it, and 1.1.0 keeps serving", { skip }, async () => {
  const before = consistencyProofs;
  const result = await inPage(`
    // First sight of the registry: the checkpoint of four records, signed and still provable.
    const m = await HotModule.load({ registry: values.frozen, name: "example:counter", version: "1.0.0" });
    m.exports.increment(2);
    // The latest checkpoint: a consistency proof from four records to it.
    await m.swap({ registry: values.plain, version: "1.1.0" });
    const newer = m.version;
    // Back to the old checkpoint: refused, although it is signed.
    const older = await failure(m.swap({ registry: values.frozen, version: "1.1.0" }));
    return { newer, older, version: m.version, get: m.exports.get(), calls: m.exports.calls() };
  `, { frozen: proxied("frozen"), plain: proxied("plain") });
  assert.equal(result.newer, "1.1.0");
  assert.equal(consistencyProofs - before, 1, "one consistency proof, from 4 records to the latest");
  assert.match(result.older, /^REGISTRY_LOG_INVALID: .*the checkpoint at log length 4 is older than one verified earlier at log length \d+: the log went back/);
  assert.deepEqual({ version: result.version, get: result.get, calls: result.calls }, { version: "1.1.0", get: 2, calls: 0 });
});
