// The lifecycle from the packed npm package, as an app uses it: a staged update committed when
// the app says, a rollback (the current state, else the older version's own snapshot), and a
// faulty version on probation whose first call traps and is rolled back by itself, each
// announced as an event, with the notes (a wasm-bindgen guest's state) intact after each.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { start } from "./harness.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
// Inside www/build/ (git-ignored), so that the test's static server serves it.
const PACKED = join(ROOT, "www/build/packed-lifecycle");

let env;
before(async () => {
  rmSync(PACKED, { recursive: true, force: true });
  mkdirSync(PACKED, { recursive: true });
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", PACKED], { cwd: ROOT, encoding: "utf8" }));
  execFileSync("tar", ["-xzf", join(PACKED, filename), "-C", PACKED]);
  env = await start();
});
after(async () => {
  await env?.stop();
  rmSync(PACKED, { recursive: true, force: true });
});

// Runs `body` in a fresh page with `HotModule` from the packed package, `notes(v)` (the demo
// manifest's entry for v1, v2 or v3 as load/swap options), `failure(promise)` and `events`
// (every `swapped` and `rolledback` of the modules passed to `listen(m)`).
const inPage = (body) =>
  env.evaluate("tests/e2e/fixtures/app.html", `(async () => {
    const { HotModule, HotSwapError } = await import("/www/build/packed-lifecycle/package/dist/index.js");
    const manifest = await (await fetch("/www/build/manifest.json")).json();
    const abs = (url) => new URL(url, new URL("/www/", location.href)).href;
    const notes = (v) => ({ url: abs(manifest[v].url), digest: manifest[v].digest, glue: { url: abs(manifest[v].glue.url), digest: manifest[v].glue.digest } });
    const failure = (promise) => promise.then(() => "resolved", (e) => (e instanceof HotSwapError ? "" : "not a HotSwapError: ") + e.code + ": " + e.message);
    const events = [];
    const listen = (m) => {
      m.addEventListener("swapped", (e) => events.push(["swapped", e.detail.report.toVersion]));
      m.addEventListener("rolledback", (e) => events.push(["rolledback", e.detail.reason, e.detail.from, e.detail.to]));
    };
    ${body}
  })()`);

test("a staged update serves only from its synchronous commit, and rollback returns with the state the older version can read", async () => {
  const result = await inPage(`
    const m = await HotModule.load(notes("v1"));
    listen(m);
    const add = m.exports.add;
    add("milk"); add("eggs");
    const staged = await m.prepare(notes("v2"));
    const whilePrepared = m.version;
    add("tea");
    const report = staged.commit();
    const committed = { version: m.version, notes: m.exports.list(), bytes: report.stateBytes > 0 };
    add("bread");
    // v1 cannot read v2's newer state: the rollback with it is refused, v2 serving on.
    const refused = await failure(m.rollback());
    const stillV2 = { version: m.version, notes: m.exports.list() };
    const snapshot = await m.rollback({ restore: "snapshot" });
    const none = await failure(m.rollback());
    return {
      whilePrepared, committed, refused, stillV2,
      rolledBack: { version: m.version, notes: m.exports.list(), restore: snapshot.rollback.restore, lost: snapshot.rollback.lost },
      none, events,
    };
  `);
  assert.equal(result.whilePrepared, "1.0.0");
  assert.deepEqual(result.committed, { version: "1.1.0", notes: ["milk", "eggs", "tea"], bytes: true });
  assert.match(result.refused, /^STATE_LOAD_FAILED: .*schema 2/);
  assert.deepEqual(result.stillV2, { version: "1.1.0", notes: ["milk", "eggs", "tea", "bread"] });
  assert.equal(result.rolledBack.version, "1.0.0");
  assert.deepEqual(result.rolledBack.notes, ["milk", "eggs", "tea"], "v1's state when it was swapped out");
  assert.equal(result.rolledBack.restore, "snapshot");
  assert.ok(result.rolledBack.lost.includes("the state 1.1.0 held"), JSON.stringify(result.rolledBack.lost));
  assert.ok(result.rolledBack.lost.some((item) => /export `pin`/.test(item)), JSON.stringify(result.rolledBack.lost));
  assert.match(result.none, /^NOTHING_TO_ROLL_BACK: /);
  assert.deepEqual(result.events, [["swapped", "1.1.0"], ["rolledback", "requested", "1.1.0", "1.0.0"]]);
});

test("a version on probation whose first call traps is rolled back by itself, the trap reaching its caller", async () => {
  const result = await inPage(`
    const m = await HotModule.load(notes("v2"));
    listen(m);
    m.exports.add("milk"); m.exports.add("eggs");
    await m.swap({ ...notes("v3"), policy: { probation: { ms: 30000 } } });
    const onV3 = m.version;
    let trap;
    try { m.exports.list(); } catch (e) { trap = e instanceof WebAssembly.RuntimeError ? "RuntimeError" : String(e); }
    return { onV3, trap, version: m.version, notes: m.exports.list(), events };
  `);
  assert.equal(result.onV3, "1.2.0");
  assert.equal(result.trap, "RuntimeError");
  assert.equal(result.version, "1.1.0");
  assert.deepEqual(result.notes, ["milk", "eggs"]);
  assert.deepEqual(result.events, [["swapped", "1.2.0"], ["rolledback", "trap", "1.2.0", "1.1.0"]]);
});

test("a health check that says no rolls back and the swap rejects with HEALTH_CHECK_FAILED", async () => {
  const result = await inPage(`
    const m = await HotModule.load(notes("v1"));
    listen(m);
    m.exports.add("milk");
    const message = await failure(m.swap({ ...notes("v2"), policy: { healthCheck: async (exports) => exports.count() > 5 } }));
    return { message, version: m.version, notes: m.exports.list(), events };
  `);
  assert.match(result.message, /^HEALTH_CHECK_FAILED: health check failed: it answered false; rolled back to 1\.0\.0/);
  assert.equal(result.version, "1.0.0");
  assert.deepEqual(result.notes, ["milk"]);
  assert.deepEqual(result.events, [["swapped", "1.1.0"], ["rolledback", "health-check", "1.1.0", "1.0.0"]]);
});
