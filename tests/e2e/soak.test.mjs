// The fault soak: a bounded run of update attempts against a registry that randomly lies.
//
// Versions 1.0.0 … 1.0.5 of a stateful counter (examples/c-counter, built here from source by
// Debian's clang, one build per version) are published by the real `hotswap publish` into a
// registry folder, which tests/e2e/fixtures/faulty-registry.mjs serves on 127.0.0.1. A page
// loads the newest with the runtime (`/dist/index.js`, the default build) and then makes
// ATTEMPTS update attempts, each awaited, while a timer keeps calling the guest's `increment`
// (also during the swaps). Before each attempt a seeded PRNG picks what the registry does:
//   clean           an exact version other than the serving one (`policy.allowDowngrade`), or
//                   the newest in `^1` (`m.swap({})`): the swap succeeds
//   500             on the index or on the blob: FETCH_FAILED
//   truncate        the blob's first half: HASH_MISMATCH; the index's: INVALID_INDEX
//   tamper          the blob with one byte flipped, same length: HASH_MISMATCH
//   stall           the index or the blob held (before its headers, or after half its body)
//                   until the swap's `timeout` (STALL_TIMEOUT ms) aborts it: FETCH_FAILED
//   flip            the index answers as it was before the serving version was published:
//                   asked for the newest in `^1` (no downgrade consent), the runtime must not
//                   go back, DOWNGRADE_REFUSED; asked for a newer exact version, which that
//                   index lacks, NO_MATCHING_VERSION
//   lie             the index names another version's blob for the version asked for:
//                   INVALID_INDEX (the blob's `version` section disagrees)
// A failed attempt must reject with its fault's code and a message naming what failed (the
// URL, the digests, the versions), and the version that served must still serve. At the end:
//   - every Module the page instantiated was compiled from the bytes of a published, intact
//     blob, or is the runtime's own wasm (identified by its URL and digest), and every byte
//     buffer given to WebAssembly was one of those, and nothing was streamed into it but the
//     runtime's own wasm (tests/e2e/fixtures/wasm-recorder.js wraps compile,
//     compileStreaming, instantiate, instantiateStreaming, Module and Instance before the
//     runtime loads);
//   - the guest's own count equals the number of calls made, and every call returned the
//     count it should;
//   - after forced GCs, the JS heap at the end is within HEAP_BOUND of the heap after WARMUP
//     attempts, and no more instances and memories are alive than the runtime keeps (the
//     serving version, the one `retain: 2` keeps for rollback, and the runtime's own);
//   - every request went to 127.0.0.1, and the registry saw only the page's requests, each
//     for the index or a published blob.
// A second test checks the stronger claim that no tampered or truncated blob's bytes were
// ever given to a WebAssembly compile at all (see its comment). A third has `m.watch()` poll a
// registry whose every other index is flipped back, while a newer version is published.
//
//   node --test tests/e2e/soak.test.mjs                 (after `bash scripts/build.sh`)
//   SOAK_SEED=1234 node --test tests/e2e/soak.test.mjs  replays the run of seed 1234
//   SOAK_ATTEMPTS=5000 SOAK_LIMIT=600000 ...            a longer run (default 1000 attempts,
//                                                       a limit of 240 s)
//   SOAK_KEEP_MEASURES=1 ...                            leaves the runtime's User Timing
//                                                       measures in the timeline
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";
import { faultyRegistry, older, sha256 } from "./fixtures/faulty-registry.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const NAME = "acme/soak";
const VERSIONS = ["1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5"];
const ATTEMPTS = Number(process.env.SOAK_ATTEMPTS ?? 1000);
const SEED = process.env.SOAK_SEED !== undefined ? Number(process.env.SOAK_SEED) >>> 0 : randomInt(2 ** 32);
// ms: the runtime's `timeout` option. `load` sets a long one, which every swap keeps; a swap
// that meets a stall adds a short one of its own (a swap's `timeout` applies on top of load's),
// so that only the stalled request depends on it and a busy machine does not time out others.
const LOAD_TIMEOUT = 10_000;
const STALL_TIMEOUT = 300;
const WARMUP = Math.min(100, ATTEMPTS); // attempts before the first heap measurement
// Bytes the JS heap (after GC) may grow from WARMUP to the end. Measured: 120-160 KB, the
// engine warming up (flat from ~1,750 attempts on: 1.27-1.28 MB through 5,000).
const HEAP_BOUND = 384 * 1024;
const DRAIN_EVERY = 100; // attempts between reads of the page's WebAssembly records
const CLEAR_MEASURES = process.env.SOAK_KEEP_MEASURES !== "1";
const SAMPLE_EVERY = 250; // attempts between heap samples (printed; the bound is on WARMUP..end)
// ms: the soak, set-up included, fails if it has not finished by then (a busy 2-core machine
// runs the 1,000 attempts in 40-100 s).
const LIMIT = Number(process.env.SOAK_LIMIT ?? 240_000);
const RUNTIME_WASM = "pkg/wasm_hotswap_bg.wasm"; // what /dist/index.js instantiates

/** mulberry32: a small seeded PRNG; `next()` in [0, 1). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fault kinds with their weights, and what each attempt asks for and expects. */
const KINDS = [
  ["clean", 26],
  ["clean-range", 8],
  ["500", 12],
  ["truncate", 12],
  ["tamper", 14],
  ["stall", 5],
  ["flip", 14],
  ["lie", 6],
  ["signature", 12],
];

/**
 * The next attempt: `{ kind, fault, options, expect }`, where `fault` arms the registry (or is
 * null), `options` are the page's `m.swap` options and `expect` is `{ version }` for a success
 * or `{ code }` for a failure. `serving` is the version serving now.
 */
function pick(next, serving) {
  const total = KINDS.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = next() * total;
  const [kind] = KINDS.find(([, weight]) => (roll -= weight) < 0) ?? KINDS[0];
  const one = (list) => list[Math.floor(next() * list.length)];
  // Exact targets are never 1.0.0, so that the serving version always has an older one for
  // a flipped index to go back to.
  const exact = () => {
    const version = one(VERSIONS.slice(1).filter((v) => v !== serving));
    return { version, policy: { allowDowngrade: true } };
  };
  const newest = { policy: { allowDowngrade: false } };
  switch (kind) {
    case "clean": {
      const options = exact();
      return { kind, fault: null, options, expect: { version: options.version } };
    }
    case "clean-range":
      return { kind, fault: null, options: newest, expect: { version: VERSIONS.at(-1) } };
    case "500": {
      const on = one(["index", "blob"]);
      return { kind: `500 ${on}`, fault: { kind: "500", on }, options: exact(), expect: { code: "FETCH_FAILED" } };
    }
    case "truncate":
      if (next() < 0.25) {
        return { kind: "truncate index", fault: { kind, on: "index" }, options: exact(), expect: { code: "INVALID_INDEX" } };
      }
    // fall through: a truncated blob fails like a tampered one
    case "tamper":
      return { kind, fault: { kind, at: Math.floor(next() * 1e9) }, options: exact(), expect: { code: "HASH_MISMATCH" } };
    case "stall": {
      const [on, phase] = one([["index", "head"], ["blob", "head"], ["blob", "body"]]);
      const options = { ...exact(), timeout: STALL_TIMEOUT };
      return { kind: `stall ${on} ${phase}`, fault: { kind, on, phase }, options, expect: { code: "FETCH_FAILED" } };
    }
    case "flip": {
      const newer = VERSIONS.filter((v) => older(serving, v));
      if (newer.length === 0 || next() < 0.5) {
        return { kind: "flip range", fault: { kind, below: serving }, options: newest, expect: { code: "DOWNGRADE_REFUSED" } };
      }
      const options = { version: one(newer), policy: { allowDowngrade: true } };
      return { kind: "flip exact", fault: { kind, below: serving }, options, expect: { code: "NO_MATCHING_VERSION" } };
    }
    case "lie": {
      const options = exact();
      const as = one(VERSIONS.filter((v) => v !== options.version));
      // Signed, the entry no longer matches its version's signature, which names the digest.
      return { kind, fault: { kind, version: options.version, as }, options, expect: { code: "SIGNATURE_INVALID" } };
    }
    case "signature": {
      const options = exact();
      const how = one(["flipped", "other", "missing"]);
      const as = one(VERSIONS.filter((v) => v !== options.version));
      const fault = { kind, how, as, at: Math.floor(next() * 1e9) };
      const code = how === "missing" ? "SIGNATURE_MISSING" : "SIGNATURE_INVALID";
      return { kind: `signature ${how}`, fault, options, expect: { code } };
    }
  }
  throw new Error(`no plan for ${kind}`);
}

// Runs in the page: loads the newest version and starts calling it, keeping what the
// attempts need on `window.soak`.
async function setUp([registry, name, timeout, key]) {
  const { HotModule, HotSwapError } = await import("/dist/index.js");
  const m = await HotModule.load({ registry, name, range: "^1", timeout, policy: { trust: { keys: [key] } } });
  const soak = { m, calls: 0, during: 0, swapping: 0, wrong: [] };
  soak.call = () => {
    const got = m.exports.increment(1);
    soak.calls += 1;
    if (soak.swapping > 0) soak.during += 1;
    if (got !== soak.calls && soak.wrong.length < 10) soak.wrong.push({ got, expected: soak.calls });
  };
  soak.timer = setInterval(() => {
    for (let i = 0; i < 4; i++) soak.call();
  }, 1);
  soak.attempt = async (options) => {
    soak.swapping += 1;
    const swap = m.swap(options);
    soak.call(); // while the swap is under way
    try {
      const report = await swap;
      return { ok: true, version: m.version, digest: m.digest, to: report.toVersion };
    } catch (e) {
      const message = String(e?.message);
      return { ok: false, code: e?.code, message, hotSwapError: e instanceof HotSwapError, version: m.version, digest: m.digest };
    } finally {
      soak.swapping -= 1;
      soak.call();
    }
  };
  window.soak = soak;
  return { version: m.version, digest: m.digest };
}

// Runs in the page: stops the calls and says how many were made and what the guest counted.
function finish() {
  const { soak } = window;
  clearInterval(soak.timer);
  return { calls: soak.calls, during: soak.during, count: soak.m.exports.get(), wrong: soak.wrong, version: soak.m.version };
}

let env;
let registry;
let dir;
let cli;
let soak; // what the first test found, for the second

/** Builds the C counter as `version`, as examples/c-counter/build.sh builds counter-v1 (its
 *  VERSION macro names the `version` section), and publishes it with the CLI. */
function publish(version) {
  const wasm = join(dir, `counter-${version}.wasm`);
  execFileSync(process.env.CC ?? "clang", [
    "--target=wasm32", "-O2", "-nostdlib", "-Wl,--no-entry",
    "-Wl,--export=increment", "-Wl,--export=get",
    "-Wl,--export=save_state", "-Wl,--export=alloc_state", "-Wl,--export=load_state",
    `-DVERSION="${version}"`, "-o", wasm, join(ROOT, "examples/c-counter/counter.c"),
  ]);
  const args = ["publish", "--json", wasm, "--name", NAME, "--version", version, "--registry", join(dir, "registry"), "--sign", join(dir, "soak.key")];
  const published = JSON.parse(execFileSync(cli, args, { encoding: "utf8" }));
  assert.equal(published.version, version, JSON.stringify(published));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "hotswap-soak-"));
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, "cargo build -p hotswap-cli");
  cli = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
  execFileSync(cli, ["keygen", join(dir, "soak")]);
  for (const version of VERSIONS) publish(version);
  registry = await faultyRegistry(join(dir, "registry"), NAME);
  env = await start();
});

after(async () => {
  await env?.stop();
  await registry?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(`${ATTEMPTS} update attempts against a registry that fails at random: each fails with its fault's code or succeeds, nothing unverified is instantiated, no call is lost, memory stays flat, and only 127.0.0.1 is asked`, { timeout: LIMIT }, async () => {
  const began = performance.now();
  const deadline = began + LIMIT - 20_000; // leaves time for the checks and the clean-up
  console.log(`soak: seed ${SEED} (SOAK_SEED=${SEED} replays it), ${ATTEMPTS} attempts, stalls ended by a ${STALL_TIMEOUT} ms timeout`);
  const index = JSON.parse(readFileSync(join(dir, "registry", registry.indexPath)));
  const published = new Map(index.versions.map((entry) => [entry.digest, entry.version]));
  assert.deepEqual([...published.values()], VERSIONS);
  const runtimeDigest = sha256(readFileSync(join(ROOT, RUNTIME_WASM)));

  const tab = await env.page();
  try {
    const { page } = tab;
    // The harness prints every console error; the browser's line for each injected 500 (and
    // 404, a signature left out) is expected here, and only counted.
    let failedLoads = 0;
    page.removeAllListeners("console");
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      if (/^Failed to load resource: the server responded with a status of (500|404)/.test(msg.text())) failedLoads += 1;
      else process.stderr.write(`[page console] ${msg.text()}\n`);
    });
    await page.addInitScript({ path: join(ROOT, "tests/e2e/fixtures/wasm-recorder.js") });
    const pageRequests = [];
    page.on("request", (request) => pageRequests.push(request.url()));
    await page.goto(new URL("tests/e2e/fixtures/soak.html", env.url).href);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");

    // The page's WebAssembly records, read every DRAIN_EVERY attempts. The runtime also adds
    // seven User Timing measures for each swap (README: User Timing), which the timeline keeps
    // until the page clears them (2,428 for 1,000 attempts, ~0.3 MB of Blink's heap, measured
    // with SOAK_KEEP_MEASURES=1); the soak clears them here, as a page that swaps for days
    // would, and counts them.
    const records = [];
    let measuresCleared = 0;
    const drain = async () => {
      records.push(...(await page.evaluate(() => window.wasmRecorder.drain())));
      if (CLEAR_MEASURES) {
        measuresCleared += await page.evaluate(() => {
          const count = performance.getEntriesByType("measure").length;
          performance.clearMeasures();
          return count;
        });
      }
    };
    /** The heaps after forced GCs (each followed by a task, in which finalizers run), what
     *  WebAssembly objects are still alive, and how many User Timing measures are in the
     *  timeline. */
    const measure = async (attempts) => {
      await drain();
      for (let i = 0; i < 3; i++) {
        await cdp.send("HeapProfiler.collectGarbage");
        await page.evaluate(() => new Promise((done) => setTimeout(done, 20)));
      }
      const heap = await cdp.send("Runtime.getHeapUsage");
      const { metrics } = await cdp.send("Performance.getMetrics");
      const jsHeapUsed = metrics.find((metric) => metric.name === "JSHeapUsedSize")?.value;
      const alive = await page.evaluate(() => window.wasmRecorder.alive());
      const measures = await page.evaluate(() => performance.getEntriesByType("measure").length);
      const sample = {
        attempts,
        usedSize: heap.usedSize,
        embedder: heap.embedderHeapUsedSize,
        backing: heap.backingStorageSize,
        jsHeapUsed,
        alive,
        measures,
      };
      series.push(sample);
      return sample;
    };
    const series = [];

    const digestOf = new Map(index.versions.map((entry) => [entry.version, entry.digest]));
    const blobUrl = (version) => `${registry.url}blobs/sha256/${digestOf.get(version).slice("sha256:".length)}`;
    const indexUrl = `${registry.url}${registry.indexPath.slice(1)}`;
    /** What a failed attempt's message must name: the URL that failed, the digests, the
     *  versions. */
    const named = (plan, fired, from) => {
      const { version } = plan.options;
      switch (fired?.kind) {
        case "500":
          return [fired.on === "index" ? indexUrl : blobUrl(version), "500"];
        case "stall":
          return [fired.on === "index" ? indexUrl : blobUrl(version), "TimeoutError"];
        case "truncate":
          if (fired.on === "index") return [indexUrl, "not JSON"];
        // fall through
        case "tamper":
          return [blobUrl(version), `expected ${digestOf.get(version)}`, `got ${fired.sent.digest} (${fired.sent.length} bytes)`];
        case "flip":
          return version ? [version] : [`${fired.listed.at(-1)} is lower than the serving ${from}`];
        case "lie":
          return [`${NAME}@${fired.version}`];
        case "signature":
          return [`${NAME}@${version}`];
      }
      return [];
    };

    const key = readFileSync(join(dir, "soak.pub"), "utf8");
    const loaded = await page.evaluate(setUp, [registry.url, NAME, LOAD_TIMEOUT, key]);
    assert.deepEqual(loaded.version, VERSIONS.at(-1));
    let serving = { version: loaded.version, digest: loaded.digest };

    const next = prng(SEED);
    const byKind = {};
    const byOutcome = {};
    const slowest = { ms: 0 };
    let warm = null;
    for (let i = 0; i < ATTEMPTS; i++) {
      assert.ok(performance.now() < deadline, `the soak reached only attempt ${i} of ${ATTEMPTS} within its time limit`);
      const plan = pick(next, serving.version);
      if (plan.fault) registry.arm(plan.fault);
      const t = performance.now();
      const result = await page.evaluate((options) => window.soak.attempt(options), plan.options);
      const ms = performance.now() - t;
      const fired = registry.fired();
      const what = `attempt ${i} (seed ${SEED}): ${plan.kind} ${JSON.stringify(plan.options)} while ${serving.version} served`;
      if (plan.kind.startsWith("clean") && ms > slowest.ms) Object.assign(slowest, { ms, kind: plan.kind });
      assert.equal(fired?.kind ?? null, plan.fault?.kind ?? null, `${what}: the fault was not applied`);
      const outcome = result.ok ? "ok" : result.code;
      byKind[plan.kind] = (byKind[plan.kind] ?? 0) + 1;
      byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
      if (plan.expect.version) {
        assert.deepEqual(
          { ok: result.ok, version: result.version, to: result.to },
          { ok: true, version: plan.expect.version, to: plan.expect.version },
          `${what}: ${result.code}: ${result.message}`,
        );
        assert.equal(published.get(result.digest), result.version, `${what}: serving a digest not published as ${result.version}`);
        serving = { version: result.version, digest: result.digest };
      } else {
        assert.deepEqual(
          { ok: result.ok, code: result.code, hotSwapError: result.hotSwapError },
          { ok: false, code: plan.expect.code, hotSwapError: true },
          `${what}: ${result.message}`,
        );
        assert.deepEqual({ version: result.version, digest: result.digest }, serving, `${what}: the old version stopped serving`);
        for (const part of named(plan, fired, serving.version)) {
          assert.ok(result.message.includes(part), `${what}: the message does not name ${part}: ${result.message}`);
        }
      }
      if ((i + 1) % DRAIN_EVERY === 0) await drain();
      if (i + 1 === WARMUP) warm = await measure(i + 1);
      else if ((i + 1) % SAMPLE_EVERY === 0 && i + 1 < ATTEMPTS) await measure(i + 1);
    }
    const end = await measure(ATTEMPTS);
    const calls = await page.evaluate(finish);
    const elapsed = performance.now() - began;

    // Counts, for the console and the README.
    const mb = (bytes) => (bytes / 2 ** 20).toFixed(2);
    console.log(`soak: by fault: ${JSON.stringify(byKind)}`);
    console.log(`soak: by outcome: ${JSON.stringify(byOutcome)}`);
    console.log(`soak: calls: ${calls.calls} made (${calls.during} during swaps), guest count ${calls.count}; slowest clean attempt ${slowest.ms.toFixed(0)} ms`);
    console.log(
      `soak: JS heap after GC: ${mb(warm.usedSize)} MB after ${WARMUP} attempts, ${mb(end.usedSize)} MB after ${ATTEMPTS}` +
        ` (JSHeapUsedSize ${mb(warm.jsHeapUsed)} -> ${mb(end.jsHeapUsed)} MB; Blink's heap ${mb(warm.embedder ?? 0)} -> ${mb(end.embedder ?? 0)} MB;` +
        ` ArrayBuffer backing stores ${mb(warm.backing ?? 0)} -> ${mb(end.backing ?? 0)} MB;` +
        ` ${end.measures} User Timing measures in the timeline);` +
        ` alive at the end: ${end.alive.instances} instances, ${end.alive.modules} modules, ${end.alive.memories} memories` +
        ` (${(end.alive.memoryBytes / 1024).toFixed(0)} KB) of ${end.alive.made.instances} instances and ${end.alive.made.modules} modules made`,
    );
    console.log(
      `soak: JS heap by attempts: ${series.map((s) => `${s.attempts}: ${mb(s.usedSize)}`).join(", ")} MB;` +
        ` Blink's heap ${series.map((s) => mb(s.embedder ?? 0)).join(", ")} MB;` +
        ` alive instances ${series.map((s) => s.alive.instances).join(", ")}; ${measuresCleared} measures cleared`,
    );
    console.log(
      `soak: ${pageRequests.length} page requests, ${registry.requests.length} at the registry` +
        ` (${failedLoads} answered 500 or 404), in ${(elapsed / 1000).toFixed(1)} s`,
    );

    assert.deepEqual(tab.errors.map(String), [], "uncaught errors in the page");

    // The guest counted every call, and each call saw the count it should.
    assert.deepEqual(calls.wrong, [], "calls that returned another count");
    assert.equal(calls.count, calls.calls, "the guest's count against the calls made");
    assert.ok(calls.during > 0, "no call was made during a swap");

    // Nothing unverified was instantiated, and no byte buffer given to WebAssembly was
    // anything but a published blob or the runtime's own wasm.
    await drain();
    const runtimeUrl = new URL(RUNTIME_WASM, env.url).href;
    const isRuntime = (r) => r.api === "instantiateStreaming" && r.url === runtimeUrl && r.digest === runtimeDigest && !r.error;
    const streamed = ({ api }) => api === "compileStreaming" || api === "instantiateStreaming";
    assert.equal(records.filter(isRuntime).length, 1, "the runtime's own wasm, instantiated once from its URL");
    const instantiated = records.filter((r) => r.given === "module");
    assert.ok(instantiated.length > 0, "no instantiation was recorded");
    const unverifiedInstances = instantiated.filter((r) => r.error || !published.has(r.from?.digest) || r.from?.error);
    assert.deepEqual(unverifiedInstances, [], "instances of modules not compiled from a published, intact blob");
    const buffers = records.filter((r) => r.given !== "module" && !streamed(r));
    const unverifiedBuffers = buffers.filter((r) => r.error || !published.has(r.digest));
    assert.deepEqual(unverifiedBuffers, [], "byte buffers given to WebAssembly that are not a published blob");
    const others = records.filter((r) => r.given !== "module" && streamed(r) && !isRuntime(r));
    assert.deepEqual(others, [], "streaming compiles or instantiations other than the runtime's");

    // Memory: flat, and only what the runtime keeps is alive.
    assert.ok(
      end.usedSize - warm.usedSize <= HEAP_BOUND,
      `the JS heap grew by ${end.usedSize - warm.usedSize} bytes from attempt ${WARMUP} to ${ATTEMPTS} (bound ${HEAP_BOUND})`,
    );
    // The serving guest, the one kept for rollback (`retain` defaults to 2), the runtime's own.
    assert.ok(end.alive.instances <= 3, `${end.alive.instances} instances alive at the end`);
    assert.ok(end.alive.memories <= 3, `${end.alive.memories} memories alive at the end`);
    assert.ok(end.alive.modules <= 3, `${end.alive.modules} modules alive at the end`);

    // Only 127.0.0.1, and the registry saw the page's requests and nothing else.
    const origins = new Set([new URL(env.url).origin, new URL(registry.url).origin]);
    assert.deepEqual(pageRequests.filter((url) => !origins.has(new URL(url).origin)), [], "requests elsewhere");
    const toRegistry = pageRequests.filter((url) => new URL(url).origin === new URL(registry.url).origin);
    assert.equal(registry.requests.length, toRegistry.length, "requests the registry saw against those the page made");
    const known = new Set([
      registry.indexPath,
      ...[...published.keys()].map((digest) => `/blobs/sha256/${digest.slice("sha256:".length)}`),
      ...VERSIONS.map((version) => `/packages/${NAME}/${version}.sig`),
    ]);
    const strays = registry.requests.filter(
      (r) => r.method !== "GET" || r.host !== `127.0.0.1:${registry.port}` || !known.has(r.path),
    );
    assert.deepEqual(strays, [], "requests for anything but the index, the published blobs and their signatures");

    soak = { records, corrupted: registry.corrupted, published, runtimeDigest, byKind };
  } finally {
    await tab.close();
  }
});

// The stronger claim: no byte of a tampered or truncated blob, nor a body a stall cut off, was
// ever given to a WebAssembly compile, not even one whose module would then be dropped. (The
// runtime used to stream a blob into `compileStreaming` while hashing it; this failed then, with
// every corrupted body compiled, and passes since it compiles only verified bytes.)
test("no tampered or truncated blob's bytes, nor a body cut off, were ever given to WebAssembly to compile", () => {
  assert.ok(soak, "the soak ran");
  const { records, corrupted, published, runtimeDigest, byKind } = soak;
  // The faults were real: the registry did send corrupted bodies.
  assert.ok(corrupted.size > 0 && byKind.tamper > 0 && byKind.truncate > 0, "the registry sent no corrupted blob");
  const compiles = records.filter((r) => r.given !== "module");
  const given = (list) => list.map((r) => `${r.api} of ${r.digest ?? r.error}`);
  const corrupt = compiles.filter((r) => corrupted.has(r.digest));
  const cut = compiles.filter((r) => r.error);
  const unknown = compiles.filter((r) => !r.error && !corrupted.has(r.digest) && !published.has(r.digest) && r.digest !== runtimeDigest);
  console.log(`soak: compile inputs: ${compiles.length}, of which ${corrupt.length} corrupted, ${cut.length} cut off, ${unknown.length} unknown`);
  assert.deepEqual(
    { corrupt: given(corrupt), cut: given(cut), unknown: given(unknown) },
    { corrupt: [], cut: [], unknown: [] },
  );
});

// What a watch does with indexes flipped back: it polls, and every other index it gets is one
// from before the serving version was published. It must never swap back (a watch chooses
// nothing lower than what serves), and it still applies the newer version published meanwhile,
// once, with the state.
test("a watch whose every other poll gets an index flipped back to older versions never swaps back, and applies the version published meanwhile once", { timeout: 60_000 }, async () => {
  const PATIENCE = 15_000;
  const tab = await env.page();
  try {
    const { page } = tab;
    await page.goto(new URL("tests/e2e/fixtures/soak.html", env.url).href);
    const loaded = await page.evaluate(async ([registry, name]) => {
      const { HotModule } = await import("/dist/updates.js");
      const m = await HotModule.load({ registry, name, range: "^1" });
      for (let i = 0; i < 5; i++) m.exports.increment(1);
      const watched = { m, events: [], versions: new Set([m.version]) };
      const watcher = m.watch({ interval: 100, shared: false });
      for (const type of ["available", "applied", "rejected", "error"]) {
        watcher.addEventListener(type, ({ detail }) => {
          watched.events.push(`${type} ${detail.version ?? ""} ${detail.code ?? ""}`.trim());
          watched.versions.add(m.version);
        });
      }
      watched.watcher = watcher;
      window.watched = watched;
      return m.version;
    }, [registry.url, NAME]);
    assert.equal(loaded, VERSIONS.at(-1));
    const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
    const state = () =>
      page.evaluate(() => {
        const { m, events, versions } = window.watched;
        return { version: m.version, count: m.exports.get(), events, versions: [...versions] };
      });

    // While 1.0.5 serves: every other index is as it was before 1.0.5 was published.
    registry.standing({ kind: "flip", below: VERSIONS.at(-1) }, 2);
    await sleep(2_000);
    const before = await state();
    const flippedBefore = registry.standing(null);

    // 1.0.6 is published; the flipped indexes now are those from before it was.
    const newer = "1.0.6";
    registry.standing({ kind: "flip", below: newer }, 2);
    publish(newer);
    await page
      .waitForFunction((v) => window.watched.m.version === v, newer, { timeout: PATIENCE })
      .catch(() => assert.fail(`the watch did not apply ${newer} within ${PATIENCE} ms`));
    registry.standing(null);
    registry.standing({ kind: "flip", below: newer }, 2);
    await sleep(2_000);
    const flippedAfter = registry.standing(null);
    const after = await state();
    await page.evaluate(() => window.watched.watcher.stop());

    assert.ok(flippedBefore >= 3 && flippedAfter >= 3, `flipped indexes served: ${flippedBefore} before, ${flippedAfter} after`);
    assert.deepEqual(before, { version: "1.0.5", count: 5, events: [], versions: ["1.0.5"] });
    assert.deepEqual(after, { version: newer, count: 5, events: [`available ${newer}`, `applied ${newer}`], versions: ["1.0.5", newer] });
    assert.deepEqual(tab.errors.map(String), [], "uncaught errors in the page");
    console.log(`soak: watch: ${flippedBefore} + ${flippedAfter} flipped indexes polled, never followed; ${newer} applied once`);
  } finally {
    await tab.close();
  }
});
