// wasm-hotswap/updates: the same API as `wasm-hotswap`, over the runtime build that also
// delivers updates: `m.watch()` (polling, server-sent events, one poller across tabs) and OCI
// registries (`registry: "oci+https://…"`).
import init, { HotModule as RuntimeModule, registerErrorClass } from "../pkg-updates/wasm_hotswap.js";
import { entry } from "./entry.js";

// Every type of the main entry; the values below take precedence over its values.
export type * from "./index.js";
import type { HotModule as Module } from "./index.js";

/** A module that can be replaced while it runs (see `wasm-hotswap`). */
export type HotModule<E extends object = Record<string, any>> = Module<E>;
export { HotSwapError } from "./entry.js";

export const { initRuntime, HotModule } = entry({
  dir: "pkg-updates",
  init,
  registerErrorClass,
  load: (options) => RuntimeModule.load(options),
  // This file ships bundled with the glue (scripts/build.sh), next to the wasm: the glue's URL.
  wasm: () => new URL("wasm_hotswap_bg.wasm", import.meta.url),
});
