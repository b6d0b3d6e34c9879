// `wasm-hotswap/warg` on Node ≥ 20, Deno 2 and Bun (package.json's `node` condition): the
// API of warg.ts, with the runtime's wasm read from disk and `file:` URLs and paths accepted.
import init, { HotModule as RuntimeModule, registerErrorClass } from "../pkg-warg/wasm_hotswap.js";
import { entry } from "./entry.js";
import { onServer } from "./node.js";

export type * from "./warg.js";
import type { HotModule as Module } from "./warg.js";

/** A module that can be replaced while it runs (see `wasm-hotswap`). */
export type HotModule<E extends object = Record<string, any>> = Module<E>;
export { HotSwapError } from "./entry.js";

export const { initRuntime, HotModule } = entry(
  onServer({ dir: "pkg-warg", init, registerErrorClass, load: (options) => RuntimeModule.load(options) }, new URL("../pkg-warg/wasm_hotswap_bg.wasm", import.meta.url)),
);
