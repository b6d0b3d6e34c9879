// Builds the AssemblyScript tally guests with asc (npm `assemblyscript`, a devDependency), each
// with the JS `asc --bindings raw` writes beside it (`<name>.js`), the glue the runtime runs
// with the verified module:
//   tally-v1        1.0.0: add(key: string), get(key: string)
//   tally-v2        1.1.0: adds keys() and remove(key)
//   tally-v1-as-1.2.0     v1's source declared 1.2.0: a minor without v2's keys and remove,
//                         which the gate refuses
//   tally-v2-forgetful    v2's source declared 1.2.0, reading only state format 2 and later:
//                         its load_state throws on the state v2 saves
// into OUT_DIR (default: www/build/examples/assemblyscript-glue-counter).
//
//   node examples/assemblyscript-glue-counter/build.mjs [OUT_DIR]
import asc from "assemblyscript/asc";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "../../www/build/examples/assemblyscript-glue-counter"));

/** A transform that gives the module a `version` custom section holding `version`. */
const versionSection = (version) => ({
  afterCompile(module) {
    module.addCustomSection("version", new TextEncoder().encode(version));
  },
});

/** Compiles `source` (its text changed by `edit`) to `<name>.wasm` and `<name>.js`. */
async function build(name, source, version, edit = (text) => text) {
  // --bindings raw writes `instantiate(module, imports)`, which takes the module rather than
  // fetching it (--bindings esm would fetch its own .wasm, unverified); --exportRuntime gives
  // the bindings `__new`, `__pin`, `__unpin` to lower strings and arrays with.
  const argv = [join(here, source), "-O3", "--bindings", "raw", "--exportRuntime", "--outFile", join(out, `${name}.wasm`)];
  const read = (file, baseDir) => {
    const path = resolve(baseDir, file);
    return readFile(path, "utf8").then((text) => (path === join(here, source) ? edit(text) : text), () => null);
  };
  const { error, stderr } = await asc.main(argv, { transforms: [versionSection(version)], readFile: read });
  if (error) throw new Error(`asc ${source}: ${error.message}\n${stderr.toString()}`);
}

await mkdir(out, { recursive: true });
await build("tally-v1", "tally-v1.ts", "1.0.0");
await build("tally-v2", "tally-v2.ts", "1.1.0");
await build("tally-v1-as-1.2.0", "tally-v1.ts", "1.2.0");
await build("tally-v2-forgetful", "tally-v2.ts", "1.2.0", (text) => text.replace("const READS_FROM: u32 = 1;", "const READS_FROM: u32 = 2;"));
