// `hotswap types` end to end: the .d.ts it writes types `m.exports` through
// `HotModule.load<Exports>()` against the packed package's own types, strictly, and the expect
// object beside it is one the runtime takes. A misuse the types must catch is marked
// `@ts-expect-error`, so the check fails if the types let it through.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const DIR = join(ROOT, "www/build/types-check");

let cli;
before(() => {
  const built = spawnSync("cargo", ["build", "-q", "-p", "hotswap-cli"], { cwd: ROOT, stdio: "inherit" });
  assert.equal(built.status, 0, "cargo build -p hotswap-cli");
  cli = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "debug", "hotswap");
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  // The package as an app installs it: the packed tarball, unpacked as node_modules/wasm-hotswap.
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", DIR], { cwd: ROOT, encoding: "utf8" }));
  mkdirSync(join(DIR, "node_modules"), { recursive: true });
  execFileSync("tar", ["-xzf", join(DIR, filename), "-C", join(DIR, "node_modules")]);
  execFileSync("mv", [join(DIR, "node_modules/package"), join(DIR, "node_modules/wasm-hotswap")]);
});
after(() => rmSync(DIR, { recursive: true, force: true }));

function types(...args) {
  const run = spawnSync(cli, ["types", ...args, "--out", DIR, "--json"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

test("hotswap types types m.exports through HotModule.load<Exports>() and catches misuse", () => {
  assert.equal(types("www/build/counter-v1.wasm").interface, "CounterV1Exports");
  assert.equal(types("www/build/notes_v2/notes_v2_bg.wasm", "--glue", "www/build/notes_v2/notes_v2.js").interface, "NotesV2Exports");
  writeFileSync(join(DIR, "app.ts"), `
    import { HotModule } from "wasm-hotswap";
    import { expect, type CounterV1Exports } from "./counter-v1.types.js";
    import type { NotesV2Exports } from "./notes_v2.types.js";

    const counter = await HotModule.load<CounterV1Exports>({ url: "/counter-v1.wasm", digest: "sha256:00", expect });
    const count: number = counter.exports.increment(1);
    const memory: WebAssembly.Memory = counter.exports.memory;
    // @ts-expect-error: increment takes a number
    counter.exports.increment("one");
    // @ts-expect-error: there is no such export
    counter.exports.decrement();

    const notes = await HotModule.load<NotesV2Exports>({ url: "/n.wasm", digest: "sha256:00" });
    const added: number = notes.exports.add("milk");
    const list: string[] = notes.exports.list();
    // @ts-expect-error: add takes a string, as wasm-bindgen typed it
    notes.exports.add(1);
    export { count, memory, added, list };
  `);
  writeFileSync(join(DIR, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "ES2022", module: "ESNext", moduleResolution: "bundler", lib: ["ES2022", "DOM"], skipLibCheck: true },
    files: ["app.ts"],
  }));
  const tsc = spawnSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", join(DIR, "tsconfig.json")], { encoding: "utf8" });
  assert.equal(tsc.status, 0, `tsc: ${tsc.stdout}${tsc.stderr}`);
});
