// Builds the AssemblyScript counter guests with asc (npm `assemblyscript`, a devDependency):
//   counter-v1.wasm          1.0.0: increment, get
//   counter-v2.wasm          1.1.0: adds calls, and `calls` to the state
//   counter-v1-as-1.2.0.wasm v1's source declared 1.2.0: a minor version without v2's `calls`,
//                            which the gate refuses
// into OUT_DIR (default: www/build/examples/assemblyscript-counter, which the e2e server serves).
//
//   node examples/assemblyscript-counter/build.mjs [OUT_DIR]
//
// asc has no option for a custom section, so a compiler transform adds the `version` section
// to the module once it is compiled (binaryen keeps custom sections through optimization).
import asc from "assemblyscript/asc";
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "../../www/build/examples/assemblyscript-counter"));

/** A transform that gives the module a `version` custom section holding `version`. */
const versionSection = (version) => ({
  afterCompile(module) {
    module.addCustomSection("version", new TextEncoder().encode(version));
  },
});

async function build(name, source, version) {
  // --runtime stub: the guest allocates nothing; no import is needed (not even env.abort).
  const argv = [join(here, source), "-O3", "--runtime", "stub", "--outFile", join(out, `${name}.wasm`)];
  const { error, stderr } = await asc.main(argv, { transforms: [versionSection(version)] });
  if (error) throw new Error(`asc ${source}: ${error.message}\n${stderr.toString()}`);
}

await mkdir(out, { recursive: true });
await build("counter-v1", "counter-v1.ts", "1.0.0");
await build("counter-v2", "counter-v2.ts", "1.1.0");
await build("counter-v1-as-1.2.0", "counter-v1.ts", "1.2.0");
