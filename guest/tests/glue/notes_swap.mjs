// Run by guest/tests/demo_guests.rs: the notes guests' `--target web` glue, given compiled
// modules through initSync, carries v1's state into v2 and refuses what it cannot read.
// usage: node notes_swap.mjs <dir with notes-v1/ and notes-v2/>
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.argv[2];
const load = async (v) => {
  const glue = await import(pathToFileURL(join(dir, `notes-v${v}`, `notes_v${v}.js`)).href);
  const bytes = readFileSync(join(dir, `notes-v${v}`, `notes_v${v}_bg.wasm`));
  const module = new WebAssembly.Module(bytes);
  const [version] = WebAssembly.Module.customSections(module, "version");
  glue.initSync({ module });
  return { glue, version: new TextDecoder().decode(version) };
};

const { glue: v1, version: v1version } = await load(1);
const { glue: v2, version: v2version } = await load(2);
assert.deepEqual([v1version, v2version], ["1.0.0", "1.1.0"]);

assert.deepEqual([v1.add("milk"), v1.add("eggs"), v1.add("bread")], [1, 2, 3]);
assert.equal(v1.remove(1), "eggs");
assert.equal(v1.remove(9), undefined);
const saved = v1.save_state();
assert.ok(saved instanceof Uint8Array);
assert.equal(new TextDecoder().decode(saved.subarray(0, 4)), "HSWP");

v2.load_state(saved);
assert.deepEqual(v2.list(), ["milk", "bread"]);
assert.equal(v2.count(), 2);
// The on_restore hook padded `pinned`: a carried note can be pinned.
assert.equal(v2.is_pinned(1), false);
assert.equal(v2.pin(1, true), true);
assert.equal(v2.is_pinned(1), true);

const refusals = [
  [v2.save_state(), /^state has schema 2 \(byte 8\) but this guest reads schema 1 or older/],
  [new Uint8Array([1, 2, 3]), /^state envelope: expected magic `HSWP` at byte 0/],
  [Uint8Array.from(saved, (b, i) => (i === 16 ? 0x5b : b)), /^state payload \(schema 1, byte 16 on\) does not deserialize/],
];
for (const [bytes, message] of refusals) {
  assert.throws(() => v1.load_state(bytes), (e) => e instanceof Error && message.test(e.message));
}
assert.deepEqual(v1.list(), ["milk", "bread"], "a refused load leaves the state untouched");

v2.clear();
assert.equal(v2.count(), 0);
console.log("notes glue: ok");
