// Signatures end to end: keys from `hotswap keygen` (and openssl), versions signed by
// `hotswap publish --sign` into a static registry folder (served by the test's static server)
// and to the real OCI registry scripts/oci-registry.sh starts, and a page that loads them with
// `policy.trust` in headless Chromium through the public API (dist/updates.js).
//
// Each page records every fetch and every WebAssembly compile or instantiate after the runtime
// itself is up, so a refused version is shown to have compiled nothing, and an accepted one to
// have fetched its signature before any blob.
//
// Without an OCI registry the OCI half fails, unless HOTSWAP_OCI_OPTIONAL=1, which skips it.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { start } from "./harness.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
// Inside www/build/ (git-ignored), so that the test's static server serves it.
const REGISTRY = join(ROOT, "www/build/registry-signed");
const REGISTRY_PATH = "/www/build/registry-signed";
const SCRIPT = join(ROOT, "scripts/oci-registry.sh");
const optional = process.env.HOTSWAP_OCI_OPTIONAL === "1";
const sha256 = (bytes) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

let env, cli, work, trusted, other;

before(async () => {
  for (const file of ["www/build/counter-v1.wasm", "www/build/counter-v2.wasm", "www/build/notes_v1/notes_v1_bg.wasm"]) {
    assert.ok(existsSync(join(ROOT, file)), `${file} is missing: run scripts/build.sh first`);
  }
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, "cargo build -p hotswap-cli");
  cli = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
  work = mkdtempSync(join(tmpdir(), "hotswap-sign-"));
  trusted = keygen("trusted");
  other = keygen("other");
  rmSync(REGISTRY, { recursive: true, force: true });
  mkdirSync(REGISTRY, { recursive: true });
  env = await start();
});
after(async () => {
  await env?.stop();
  rmSync(REGISTRY, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

function hotswap(args) {
  const run = spawnSync(cli, [...args, "--json"], { encoding: "utf8" });
  assert.equal(run.status, 0, `hotswap ${args.join(" ")}: ${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout);
}

function keygen(name) {
  hotswap(["keygen", join(work, name)]);
  return { key: join(work, `${name}.key`), pub: readFileSync(join(work, `${name}.pub`), "utf8") };
}

/** The module bytes of `file` without their `version` section, so publish writes any version. */
function unversioned(file) {
  const bytes = readFileSync(join(ROOT, file));
  const parts = [bytes.subarray(0, 8)];
  let at = 8;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do {
      byte = bytes[at++];
      value |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const size = leb();
    const body = at;
    at = body + size;
    if (id === 0) {
      const save = at;
      at = body;
      const nameLength = leb();
      const name = bytes.subarray(at, at + nameLength).toString("utf8");
      at = save;
      if (name === "version") continue;
    }
    parts.push(bytes.subarray(start, at));
  }
  const out = join(work, `${file.replaceAll("/", "_")}.unversioned.wasm`);
  writeFileSync(out, Buffer.concat(parts));
  return out;
}

/** Publishes `file` as `name@version` to the static registry, signed with `key` if given. */
function publish(file, name, version, { key, glue } = {}) {
  const args = ["publish", file, "--name", name, "--version", version, "--registry", REGISTRY];
  if (glue) args.push("--glue", glue);
  if (key) args.push("--sign", key);
  return hotswap(args);
}

/** The base64 DER signature openssl makes of `bytes` with the private key in `key`. */
function opensslSign(key, bytes) {
  const file = join(work, `payload-${Math.random()}`);
  writeFileSync(file, bytes);
  return execFileSync("openssl", ["dgst", "-sha256", "-sign", key, file]).toString("base64");
}

/**
 * Opens a page that records, once the runtime is initialised, each fetch's URL and each
 * WebAssembly compile or instantiate (`compile`, `compileStreaming`, `instantiate`,
 * `instantiateStreaming`, `new WebAssembly.Module`) into `window.log`.
 */
async function page() {
  const tab = await env.page();
  await tab.page.addInitScript(() => {
    window.log = [];
    window.recording = false;
    const note = (entry) => window.recording && window.log.push(entry);
    const realFetch = window.fetch;
    window.fetch = (input, init) => {
      note(`fetch ${new URL(String(input?.url ?? input), location.href).pathname}`);
      return realFetch(input, init);
    };
    for (const fn of ["compile", "compileStreaming", "instantiate", "instantiateStreaming"]) {
      const real = WebAssembly[fn];
      WebAssembly[fn] = function (...args) {
        note(`wasm ${fn}`);
        return real.apply(this, args);
      };
    }
    WebAssembly.Module = new Proxy(WebAssembly.Module, {
      construct(target, args, newTarget) {
        note("wasm new Module");
        return Reflect.construct(target, args, newTarget);
      },
    });
  });
  // A page that runs nothing of its own (the fixtures run their apps).
  await tab.page.goto(new URL("/package.json", env.url).href);
  await tab.page.evaluate(async () => {
    const { initRuntime } = await import("/dist/updates.js");
    await initRuntime();
    window.recording = true;
  });
  return tab;
}

/** Runs `fn(HotModule, arg)` in the page; what it returns, with the log since the last call. */
async function run(tab, fn, arg) {
  return tab.page.evaluate(
    async ({ source, arg }) => {
      window.log.length = 0;
      const { HotModule } = await import("/dist/updates.js");
      const result = await (0, eval)(`(${source})`)(HotModule, arg);
      return { ...result, log: [...window.log] };
    },
    { source: fn.toString(), arg },
  );
}

/** What a failing call rejected with. */
const caught = (error) => ({ code: error.code, message: error.message });
const compiles = (log) => log.filter((line) => line.startsWith("wasm "));

describe("a static registry", { timeout: 300_000 }, () => {
  test("a signed version loads and a signed one swaps in with the state; the signature comes before any blob", async () => {
    publish(join(ROOT, "www/build/counter-v1.wasm"), "good", "1.0.0", { key: trusted.key });
    publish(join(ROOT, "www/build/counter-v2.wasm"), "good", "1.1.0", { key: trusted.key });
    const tab = await page();
    try {
      const result = await run(tab, async (HotModule, { registry, pub }) => {
        const policy = { trust: { keys: [pub] } };
        window.m = await HotModule.load({ registry, name: "good", range: "=1.0.0", policy });
        window.m.exports.increment(5);
        const report = await window.m.swap({ version: "1.1.0" });
        return { version: window.m.version, count: window.m.exports.get(), to: report.toVersion };
      }, { registry: REGISTRY_PATH, pub: trusted.pub });
      assert.equal(result.version, "1.1.0");
      assert.equal(result.count, 5, "the state moved");
      const sig = (v) => result.log.indexOf(`fetch ${REGISTRY_PATH}/packages/good/${v}.sig`);
      const firstBlob = (from) => result.log.findIndex((line, i) => i > from && line.includes("/blobs/"));
      const firstCompile = (from) => result.log.findIndex((line, i) => i > from && line.startsWith("wasm "));
      for (const v of ["1.0.0", "1.1.0"]) {
        assert.ok(sig(v) >= 0, `${v}.sig fetched: ${result.log.join("\n")}`);
        assert.ok(firstBlob(sig(v)) > sig(v) && firstCompile(sig(v)) > sig(v), result.log.join("\n"));
      }
      // Before 1.0.0's signature, nothing was fetched from the blobs or compiled.
      assert.deepEqual(result.log.slice(0, sig("1.0.0")).filter((l) => l.includes("/blobs/") || l.startsWith("wasm ")), []);
    } finally {
      await tab.close();
    }
  });

  test("an unsigned update is SIGNATURE_MISSING, one signed by another key or over a changed payload SIGNATURE_INVALID; nothing of them compiles and the old version serves with its state", async () => {
    const v2 = unversioned("www/build/counter-v2.wasm");
    publish(join(ROOT, "www/build/counter-v1.wasm"), "counter", "1.0.0", { key: trusted.key });
    publish(v2, "counter", "1.1.0");
    publish(v2, "counter", "1.2.0", { key: other.key });
    publish(v2, "counter", "1.3.0", { key: trusted.key });
    // 1.3.0: a signature, by the trusted key, over its payload with one byte changed.
    const dir = join(REGISTRY, "packages/counter");
    const payload = readFileSync(join(dir, "1.3.0.payload.json"));
    const changed = Buffer.from(payload);
    changed[changed.indexOf("1.3.0")] ^= 1;
    writeFileSync(join(dir, "1.3.0.sig"), opensslSign(trusted.key, changed));
    // 1.4.0: 1.0.0's signature, replayed.
    publish(v2, "counter", "1.4.0");
    copyFileSync(join(dir, "1.0.0.sig"), join(dir, "1.4.0.sig"));
    assert.ok(!existsSync(join(dir, "1.1.0.sig")));

    const tab = await page();
    try {
      await run(tab, async (HotModule, { registry, pub }) => {
        window.m = await HotModule.load({ registry, name: "counter", range: "=1.0.0", policy: { trust: { keys: [pub] } } });
        window.m.exports.increment(7);
        return {};
      }, { registry: REGISTRY_PATH, pub: trusted.pub });
      for (const [version, code, message] of [
        ["1.1.0", "SIGNATURE_MISSING", /counter@1\.1\.0.*1\.1\.0\.sig.*HTTP 404/],
        ["1.2.0", "SIGNATURE_INVALID", /counter@1\.2\.0: it does not verify under the 1 trusted key/],
        ["1.3.0", "SIGNATURE_INVALID", /counter@1\.3\.0: it does not verify/],
        ["1.4.0", "SIGNATURE_INVALID", /counter@1\.4\.0: it does not verify/],
      ]) {
        const result = await run(tab, async (HotModule, version) => {
          try {
            await window.m.swap({ version });
            return { swapped: true };
          } catch (error) {
            return { error: { code: error.code, message: error.message }, version: window.m.version, count: window.m.exports.increment(1) };
          }
        }, version);
        assert.equal(result.error?.code, code, `${version}: ${JSON.stringify(result)}`);
        assert.match(result.error.message, message);
        assert.equal(result.version, "1.0.0", "the old version serves");
        assert.deepEqual(compiles(result.log), [], `${version}: nothing compiled: ${result.log.join("\n")}`);
        assert.ok(!result.log.some((l) => l.includes("/blobs/")), `${version}: no blob fetched: ${result.log}`);
      }
      const count = await tab.page.evaluate(() => window.m.exports.get());
      assert.equal(count, 7 + 4, "its state went on");
      // A swap's policy without `trust` keeps load's.
      const loosened = await run(tab, async () => {
        try {
          await window.m.swap({ version: "1.1.0", policy: { allowMajor: true } });
          return { swapped: true };
        } catch (error) {
          return { code: error.code };
        }
      });
      assert.equal(loosened.code, "SIGNATURE_MISSING");
    } finally {
      await tab.close();
    }
  });

  test("a signature made with openssl over the payload verifies", async () => {
    const v2 = unversioned("www/build/counter-v2.wasm");
    publish(join(ROOT, "www/build/counter-v1.wasm"), "external", "1.0.0", { key: trusted.key });
    // Published unsigned; the payload is what the runtime rebuilds from the entry (here taken
    // from a signed publish of the same entry with a throwaway key), signed by openssl.
    publish(v2, "external", "1.1.0", { key: other.key });
    const dir = join(REGISTRY, "packages/external");
    writeFileSync(join(dir, "1.1.0.sig"), opensslSign(trusted.key, readFileSync(join(dir, "1.1.0.payload.json"))));
    const tab = await page();
    try {
      const result = await run(tab, async (HotModule, { registry, pub }) => {
        const m = await HotModule.load({ registry, name: "external", range: "=1.0.0", policy: { trust: { keys: [pub] } } });
        m.exports.increment(3);
        await m.swap({ version: "1.1.0" });
        return { version: m.version, count: m.exports.get() };
      }, { registry: REGISTRY_PATH, pub: trusted.pub });
      assert.deepEqual([result.version, result.count], ["1.1.0", 3]);
    } finally {
      await tab.close();
    }
  });

  test("a wasm-bindgen guest's signature covers its glue: another glue in the entry is SIGNATURE_INVALID", async () => {
    const notes = (v) => [join(ROOT, `www/build/notes_${v}/notes_${v}_bg.wasm`), join(ROOT, `www/build/notes_${v}/notes_${v}.js`)];
    const [w1, g1] = notes("v1");
    const [w2, g2] = notes("v2");
    const [w3, g3] = notes("v3");
    publish(w1, "notes", "1.0.0", { key: trusted.key, glue: g1 });
    publish(w2, "notes", "1.1.0", { key: trusted.key, glue: g2 });
    const v3 = publish(w3, "notes", "1.2.0", { key: trusted.key, glue: g3 });
    // The index's 1.2.0 entry now names 1.1.0's glue (a blob that exists and hashes right).
    const indexPath = join(REGISTRY, "packages/notes/index.json");
    const index = JSON.parse(readFileSync(indexPath, "utf8"));
    const entry = index.versions.find((e) => e.version === "1.2.0");
    assert.equal(entry.glue.digest, v3.glue.digest);
    entry.glue = { ...index.versions.find((e) => e.version === "1.1.0").glue };
    writeFileSync(indexPath, JSON.stringify(index));
    const tab = await page();
    try {
      const result = await run(tab, async (HotModule, { registry, pub }) => {
        const m = await HotModule.load({ registry, name: "notes", range: "=1.0.0", policy: { trust: { keys: [pub] } } });
        m.exports.add("milk");
        await m.swap({ version: "1.1.0" });
        const swapped = { version: m.version, notes: m.exports.list?.() ?? null };
        window.log.length = 0;
        try {
          await m.swap({ version: "1.2.0" });
          return { swapped };
        } catch (error) {
          return { swapped, error: { code: error.code, message: error.message }, version: m.version, after: [...window.log] };
        }
      }, { registry: REGISTRY_PATH, pub: trusted.pub });
      assert.equal(result.swapped.version, "1.1.0");
      assert.equal(result.error?.code, "SIGNATURE_INVALID", JSON.stringify(result));
      assert.match(result.error.message, /notes@1\.2\.0/);
      assert.equal(result.version, "1.1.0");
      assert.deepEqual(compiles(result.after), []);
    } finally {
      await tab.close();
    }
  });

  test("a module given by url and digest under trust is SIGNATURE_MISSING; a malformed key is INVALID_OPTIONS naming it", async () => {
    const digest = sha256(readFileSync(join(ROOT, "www/build/counter-v1.wasm")));
    const tab = await page();
    try {
      const result = await run(tab, async (HotModule, { digest, pub }) => {
        const out = {};
        for (const [name, options] of [
          ["fixed", { url: "/www/build/counter-v1.wasm", digest, policy: { trust: { keys: [pub] } } }],
          ["badKey", { url: "/www/build/counter-v1.wasm", digest, policy: { trust: { keys: [pub, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"] } } }],
        ]) {
          try {
            await HotModule.load(options);
            out[name] = "loaded";
          } catch (error) {
            out[name] = { code: error.code, message: error.message };
          }
        }
        return out;
      }, { digest, pub: trusted.pub });
      assert.equal(result.fixed.code, "SIGNATURE_MISSING", JSON.stringify(result));
      assert.match(result.fixed.message, /counter-v1\.wasm/);
      assert.equal(result.badKey.code, "INVALID_OPTIONS");
      assert.match(result.badKey.message, /policy\.trust.*keys\[1\]/);
      assert.deepEqual(compiles(result.log), []);
    } finally {
      await tab.close();
    }
  });

  test("watch skips an unsigned update and applies a later signed one", async () => {
    const v2 = unversioned("www/build/counter-v2.wasm");
    publish(join(ROOT, "www/build/counter-v1.wasm"), "watched", "1.0.0", { key: trusted.key });
    const tab = await page();
    try {
      await run(tab, async (HotModule, { registry, pub }) => {
        const m = await HotModule.load({ registry, name: "watched", range: "^1", policy: { trust: { keys: [pub] } } });
        m.exports.increment(4);
        window.events = [];
        const watcher = m.watch({ interval: 100, shared: false });
        for (const kind of ["available", "applied", "rejected"]) {
          watcher.addEventListener(kind, (e) => window.events.push({ kind, version: e.detail.version, code: e.detail.code }));
        }
        window.m = m;
        return {};
      }, { registry: REGISTRY_PATH, pub: trusted.pub });
      const waitFor = (predicate) => tab.page.waitForFunction(predicate, null, { timeout: 15_000 });
      publish(v2, "watched", "1.1.0");
      await waitFor(() => window.events.some((e) => e.kind === "rejected"));
      publish(v2, "watched", "1.2.0", { key: trusted.key });
      await waitFor(() => window.events.some((e) => e.kind === "applied"));
      const { events, version, count } = await tab.page.evaluate(() => ({
        events: window.events,
        version: window.m.version,
        count: window.m.exports.get(),
      }));
      const seen = events.filter((e) => e.kind !== "available");
      assert.deepEqual(seen, [
        { kind: "rejected", version: "1.1.0", code: "SIGNATURE_MISSING" },
        { kind: "applied", version: "1.2.0", code: undefined },
      ]);
      assert.deepEqual([version, count], ["1.2.0", 4]);
    } finally {
      await tab.close();
    }
  });
});

describe("an OCI registry", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "hotswap-sign-oci-"));
  let urls;

  before(() => {
    const started = spawnSync("bash", [SCRIPT, "start", "--token"], {
      env: { ...process.env, OCI_REGISTRY_DIR: dir },
      encoding: "utf8",
    });
    if (started.status !== 0) {
      if (optional) return;
      throw new Error(`${SCRIPT} failed (HOTSWAP_OCI_OPTIONAL=1 skips this):\n${started.stderr}`);
    }
    urls = Object.fromEntries(started.stdout.trim().split("\n").map((line) => line.split("=", 2)));
  });
  after(() => {
    spawnSync("bash", [SCRIPT, "stop"], { env: { ...process.env, OCI_REGISTRY_DIR: dir } });
    rmSync(dir, { recursive: true, force: true });
  });

  /** `hotswap publish --oci` of `file` as `acme/counter@version` through the token registry. */
  const push = (file, version, key) => {
    const args = ["publish", file, "--name", "acme/counter", "--version", version, "--oci", `${urls.OCI_TOKEN_REGISTRY}/acme/counter`];
    if (key) args.push("--sign", key);
    return hotswap(args);
  };

  async function putBlob(bytes) {
    const started = await fetch(`${urls.OCI_REGISTRY}/v2/acme/counter/blobs/uploads/`, { method: "POST" });
    assert.equal(started.status, 202);
    const location = new URL(started.headers.get("location"), urls.OCI_REGISTRY);
    location.searchParams.set("digest", sha256(bytes));
    const put = await fetch(location, { method: "PUT", body: bytes, headers: { "content-type": "application/octet-stream" } });
    assert.equal(put.status, 201, await put.text());
    return sha256(bytes);
  }

  /**
   * Pushes a signature for the manifest `digest` the way `cosign sign --key` lays it out,
   * written here by hand (not by our CLI) and signed by openssl; `tamper` changes the payload
   * blob after signing.
   */
  async function pushCosignSignature(digest, key, { tamper = false } = {}) {
    const host = new URL(urls.OCI_REGISTRY).host;
    const payload = Buffer.from(JSON.stringify({
      critical: {
        identity: { "docker-reference": `${host}/acme/counter` },
        image: { "docker-manifest-digest": digest },
        type: "cosign container image signature",
      },
      optional: null,
    }));
    const signature = opensslSign(key, payload);
    // One byte of the host changed: the payload still names this manifest and repository
    // (the host is not compared), so only the signature can refuse it.
    if (tamper) payload[payload.indexOf(host)] ^= 1;
    const layer = await putBlob(payload);
    const config = Buffer.from(JSON.stringify({ architecture: "", created: "0001-01-01T00:00:00Z", os: "", rootfs: { type: "layers", diff_ids: [layer] }, config: {} }));
    const manifest = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: await putBlob(config), size: config.length },
      layers: [{
        mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
        digest: layer,
        size: payload.length,
        annotations: { "dev.cosignproject.cosign/signature": signature },
      }],
    };
    const tag = `${digest.replace(":", "-")}.sig`;
    const put = await fetch(`${urls.OCI_REGISTRY}/v2/acme/counter/manifests/${tag}`, {
      method: "PUT",
      body: JSON.stringify(manifest),
      headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" },
    });
    assert.equal(put.status, 201, await put.text());
  }

  test("signed versions load and swap; unsigned, wrong-key and tampered ones are refused with nothing compiled; an openssl-made cosign signature verifies", async (t) => {
    if (!urls) return t.skip("no registry (HOTSWAP_OCI_OPTIONAL=1)");
    const v2 = unversioned("www/build/counter-v2.wasm");
    push(join(ROOT, "www/build/counter-v1.wasm"), "1.0.0", trusted.key);
    push(v2, "1.1.0", trusted.key);
    push(v2, "1.2.0");
    push(v2, "1.3.0", other.key);
    const tampered = push(v2, "1.4.0");
    await pushCosignSignature(tampered.manifest_digest, trusted.key, { tamper: true });
    const external = push(v2, "1.5.0");
    await pushCosignSignature(external.manifest_digest, trusted.key);

    const tab = await page();
    try {
      const loaded = await run(tab, async (HotModule, { registry, pub }) => {
        window.m = await HotModule.load({ registry: `oci+${registry}`, name: "acme/counter", range: "=1.0.0", policy: { trust: { keys: [pub] } } });
        window.m.exports.increment(6);
        await window.m.swap({ version: "1.1.0" });
        return { version: window.m.version, count: window.m.exports.get() };
      }, { registry: urls.OCI_TOKEN_REGISTRY, pub: trusted.pub });
      assert.deepEqual([loaded.version, loaded.count], ["1.1.0", 6]);
      const sigAt = loaded.log.findIndex((l) => /manifests\/sha256-[0-9a-f]{64}\.sig$/.test(l));
      const blobAt = loaded.log.findIndex((l) => /blobs\/sha256:/.test(l) && !l.includes("blobs/uploads"));
      assert.ok(sigAt >= 0 && sigAt < blobAt, loaded.log.join("\n"));

      for (const [version, code, message] of [
        ["1.2.0", "SIGNATURE_MISSING", /acme\/counter@1\.2\.0.*no signature tag `sha256-[0-9a-f]{64}\.sig`/],
        ["1.3.0", "SIGNATURE_INVALID", /does not verify/],
        ["1.4.0", "SIGNATURE_INVALID", /acme\/counter@1\.4\.0: it does not verify/],
      ]) {
        const result = await run(tab, async (HotModule, version) => {
          try {
            await window.m.swap({ version });
            return { swapped: true };
          } catch (error) {
            return { error: { code: error.code, message: error.message }, version: window.m.version, count: window.m.exports.get() };
          }
        }, version);
        assert.equal(result.error?.code, code, `${version}: ${JSON.stringify(result)}`);
        assert.match(result.error.message, message);
        assert.deepEqual([result.version, result.count], ["1.1.0", 6], "the old version serves with its state");
        assert.deepEqual(compiles(result.log), [], `${version}: nothing compiled: ${result.log.join("\n")}`);
      }
      const last = await run(tab, async () => {
        await window.m.swap({ version: "1.5.0" });
        return { version: window.m.version, count: window.m.exports.get() };
      });
      assert.deepEqual([last.version, last.count], ["1.5.0", 6]);
    } finally {
      await tab.close();
    }
  });
});
