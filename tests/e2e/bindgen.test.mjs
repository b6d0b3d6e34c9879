// wasm-bindgen guests, end to end in Chromium: the demo's notes crates (www/notes/v1, v2), built
// by scripts/build.sh with cargo and the wasm-bindgen CLI, loaded with their glue and swapped
// with their strings kept; and every bad input the issue lists, each leaving the old version
// serving with its notes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

// Runs `body` in a fresh page with the runtime imported and these helpers in scope:
// `HotModule`, `digestOf(bytes)`, `bytesOf(path)`, `guest(v)` (the `{ url, digest, glue }`
// options of www/build/notes_<v>), `withSaveState(v, first)` (those options with `first`
// run first in the glue's `save_state`), `withVersion(bytes, version)` (the module with another
// `version` section) and `failure(promise)` (`code: message` of its rejection).
async function inPage(body, { csp } = {}) {
  const tab = await env.page();
  try {
    if (csp !== undefined) {
      await tab.page.route("**/csp.html", (route) =>
        route.fulfill({
          status: 200,
          headers: { "content-type": "text/html", "content-security-policy": csp },
          body: "<!doctype html><title>CSP</title>",
        }),
      );
      await tab.page.goto(new URL("/csp.html", env.url).href);
    } else {
      await tab.page.goto(new URL("tests/e2e/fixtures/app.html", env.url).href);
    }
    const result = await tab.page.evaluate(`(async () => {
      const { HotModule } = await import("/dist/index.js");
      const digestOf = async (bytes) => "sha256:" + Array.from(
        new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)),
        (b) => b.toString(16).padStart(2, "0")).join("");
      const bytesOf = async (path) => new Uint8Array(await (await fetch(path)).arrayBuffer());
      const guest = async (v) => {
        const dir = "/www/build/notes_" + v + "/";
        const url = dir + "notes_" + v + "_bg.wasm", glueUrl = dir + "notes_" + v + ".js";
        return {
          url, digest: await digestOf(await bytesOf(url)),
          glue: { url: glueUrl, digest: await digestOf(await bytesOf(glueUrl)) },
        };
      };
      const withSaveState = async (v, first) => {
        const { url, digest, glue } = await guest(v);
        const text = new TextDecoder().decode(await bytesOf(glue.url));
        const bytes = new TextEncoder().encode(
          text.replace("export function save_state() {", "export function save_state() { " + first));
        return { url, digest, glue: { bytes, digest: await digestOf(bytes) } };
      };
      const failure = (promise) => promise.then(
        () => "resolved", (e) => (e instanceof Error ? "" : "not an Error: ") + e.code + ": " + e.message);
      const withVersion = (bytes, version) => {
        // The module's sections, its \`version\` custom section replaced.
        const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
        const read = (at) => { let n = 0, shift = 0, b; do { b = bytes[at++]; n |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80); return [n, at]; };
        const parts = [bytes.slice(0, 8)];
        for (let at = 8; at < bytes.length;) {
          const id = bytes[at];
          const [size, body] = read(at + 1);
          const end = body + size;
          const [len, name] = id === 0 ? read(body) : [0, body];
          if (id !== 0 || new TextDecoder().decode(bytes.slice(name, name + len)) !== "version") parts.push(bytes.slice(at, end));
          at = end;
        }
        const text = new TextEncoder().encode(version), name = new TextEncoder().encode("version");
        const content = [...leb(name.length), ...name, ...text];
        parts.push(new Uint8Array([0, ...leb(content.length), ...content]));
        const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0; for (const p of parts) { out.set(p, at); at += p.length; }
        return out;
      };
      ${body}
    })()`);
    assert.deepEqual(tab.errors.map(String), [], "no uncaught page error");
    return result;
  } finally {
    await tab.close();
  }
}

test("a wasm-bindgen guest swaps with its strings kept, and a function captured before reaches v2", async () => {
  const result = await inPage(`
    const m = await HotModule.load(await guest("v1"));
    const add = m.exports.add;
    add("milk"); add("eggs");
    const before = { version: m.version, list: m.exports.list(), exports: Object.keys(m.exports).sort() };
    const report = await m.swap(await guest("v2"));
    const count = add("tea");
    m.exports.pin(2, true);
    return {
      before, report: { from: report.fromVersion, to: report.toVersion, guest: report.guest, bytes: report.stateBytes },
      after: { version: m.version, list: m.exports.list(), count, pinned: m.exports.is_pinned(2) },
    };
  `);
  assert.equal(result.before.version, "1.0.0");
  assert.deepEqual(result.before.list, ["milk", "eggs"]);
  assert.ok(!result.before.exports.includes("save_state"), "the state functions are the runtime's");
  assert.ok(!result.before.exports.includes("initSync"), "the glue's init is the runtime's");
  assert.deepEqual(result.report.from, "1.0.0");
  assert.deepEqual(result.report.to, "1.1.0");
  assert.equal(result.report.guest, "stateful");
  assert.ok(result.report.bytes > 0, "state bytes moved");
  assert.deepEqual(result.after, { version: "1.1.0", list: ["milk", "eggs", "tea"], count: 3, pinned: true });
});

test("a wasm-bindgen module loaded without its glue is INVALID_GUEST saying its glue is needed", async () => {
  const message = await inPage(`
    const { url, digest } = await guest("v1");
    return failure(HotModule.load({ url, digest }));
  `);
  assert.match(message, /^INVALID_GUEST: .*glue/);
});

test("a glue whose digest does not match is HASH_MISMATCH naming the glue, and v1 keeps its notes", async () => {
  const result = await inPage(`
    const m = await HotModule.load(await guest("v1"));
    m.exports.add("milk");
    const v2 = await guest("v2");
    v2.glue.digest = (await guest("v1")).glue.digest;
    return { message: await failure(m.swap(v2)), version: m.version, list: m.exports.list() };
  `);
  assert.match(result.message, /^HASH_MISMATCH: .*glue \/www\/build\/notes_v2\/notes_v2\.js/);
  assert.deepEqual({ version: result.version, list: result.list }, { version: "1.0.0", list: ["milk"] });
});

test("a glue that is not JS, throws while it runs, or lacks initSync is INVALID_GUEST, and v1 keeps serving", async () => {
  const result = await inPage(`
    const m = await HotModule.load(await guest("v1"));
    m.exports.add("milk");
    const v2 = await guest("v2");
    const text = new TextDecoder().decode(await bytesOf(v2.glue.url));
    const swapWith = async (glueText) => {
      const bytes = new TextEncoder().encode(glueText);
      return failure(m.swap({ url: v2.url, digest: v2.digest, glue: { bytes, digest: await digestOf(bytes) } }));
    };
    return {
      notJs: await swapWith("this is not JavaScript {{{\\nexport { initSync };\\n"),
      throws: await swapWith("throw new Error('glue boom');\\n" + text),
      noInit: await swapWith(text.replace(/^export \\{[^}]*\\};$/m, "")),
      list: m.exports.list(), version: m.version,
    };
  `);
  assert.match(result.notJs, /^INVALID_GUEST: /);
  assert.match(result.throws, /^INVALID_GUEST: .*threw.*glue boom/);
  assert.match(result.noInit, /^INVALID_GUEST: .*initSync/);
  assert.deepEqual({ list: result.list, version: result.version }, { list: ["milk"], version: "1.0.0" });
});

test("a glue written for another module is a HotSwapError, not a TypeError, and v1 keeps serving", async () => {
  const result = await inPage(`
    const m = await HotModule.load(await guest("v1"));
    m.exports.add("milk");
    const v1 = await guest("v1"), v2 = await guest("v2");
    return { message: await failure(m.swap({ url: v2.url, digest: v2.digest, glue: v1.glue })), list: m.exports.list() };
  `);
  assert.match(result.message, /^INVALID_GUEST: .*another/);
  assert.deepEqual(result.list, ["milk"]);
});

test("save_state throwing is STATE_SAVE_FAILED, and the old version keeps its notes", async () => {
  const result = await inPage(`
    const m = await HotModule.load(await withSaveState("v1", "throw new Error('cannot save');"));
    m.exports.add("milk");
    return { message: await failure(m.swap(await guest("v2"))), list: m.exports.list(), version: m.version };
  `);
  assert.match(result.message, /^STATE_SAVE_FAILED: .*cannot save/);
  assert.deepEqual({ list: result.list, version: result.version }, { list: ["milk"], version: "1.0.0" });
});

test("v2's load_state refusing a state it cannot read is STATE_LOAD_FAILED with the guest's error as cause", async () => {
  const result = await inPage(`
    // v1 whose glue hands over bytes that are no state envelope: v2's Rust load_state refuses them.
    const m = await HotModule.load(await withSaveState("v1", "return new Uint8Array([1, 2, 3]);"));
    m.exports.add("milk");
    let cause;
    const message = await m.swap(await guest("v2")).then(
      () => "resolved",
      (e) => { cause = e.cause instanceof Error ? e.cause.message : String(e.cause); return e.code + ": " + e.message; });
    return { message, cause, list: m.exports.list(), version: m.version };
  `);
  assert.match(result.message, /^STATE_LOAD_FAILED: /);
  assert.ok(result.cause && result.cause !== "undefined", `the guest's error is the cause: ${result.cause}`);
  assert.ok(result.message.includes(result.cause), "the message repeats the guest's error");
  assert.deepEqual({ list: result.list, version: result.version }, { list: ["milk"], version: "1.0.0" });
});

test("a wasm-bindgen export removed in a minor release is refused, naming the export", async () => {
  const result = await inPage(`
    const m = await HotModule.load(await guest("v2"));
    m.exports.add("milk");
    const v1 = await guest("v1");
    const minor = withVersion(await bytesOf(v1.url), "1.2.0");
    const message = await failure(m.swap({ bytes: minor, digest: await digestOf(minor), glue: v1.glue }));
    return { message, list: m.exports.list(), version: m.version };
  `);
  assert.match(result.message, /^SEMVER_VIOLATION: .*`clear`/);
  assert.deepEqual({ list: result.list, version: result.version }, { list: ["milk"], version: "1.1.0" });
});

test("under a strict CSP with Trusted Types, 'trusted-types-eval' lets exactly the runtime's glue run", async () => {
  const strict = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; require-trusted-types-for 'script'";
  const refused = await inPage(`return failure(HotModule.load(await guest("v1")));`, { csp: strict });
  assert.match(refused, /^INVALID_GUEST: .*trusted-types-eval/s);
  const allowed = await inPage(
    `const m = await HotModule.load(await guest("v1")); m.exports.add("milk");
     await m.swap(await guest("v2")); return m.exports.list();`,
    { csp: strict.replace("'wasm-unsafe-eval'", "'wasm-unsafe-eval' 'trusted-types-eval'") + "; trusted-types wasm-hotswap" },
  );
  assert.deepEqual(allowed, ["milk"]);
});

test("the glue of wasm-bindgen 0.2.100 runs too: each copy starts its instance once and the notes carry over", async () => {
  const result = await inPage(`
    const dir = "/www/build/notes_legacy/";
    const source = async () => ({
      url: dir + "notes_legacy_bg.wasm", digest: await digestOf(await bytesOf(dir + "notes_legacy_bg.wasm")),
      glue: { url: dir + "notes_legacy.js", digest: await digestOf(await bytesOf(dir + "notes_legacy.js")) },
    });
    const m = await HotModule.load(await source());
    const starts = [m.exports.starts()];
    m.exports.add("milk"); m.exports.add("eggs");
    const report = await m.swap(await source());
    starts.push(m.exports.starts());
    m.exports.add("tea");
    return { starts, joined: m.exports.joined(), bytes: report.stateBytes, version: m.version };
  `);
  assert.deepEqual(result.starts, [1, 1], "start runs exactly once per instance");
  assert.equal(result.joined, "milk\neggs\ntea");
  assert.ok(result.bytes > 0);
  assert.equal(result.version, "1.0.0");
});
