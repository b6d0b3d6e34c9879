// What both entry points share: the error class and the one-time initialisation of a runtime
// build (../pkg for `wasm-hotswap`, ../pkg-wit for `wasm-hotswap/wit`).
import type { HotSwapErrorCode, InitInput, LoadOptions } from "../pkg/wasm_hotswap.js";
import type { HotModule } from "./index.js";

/** Every failure of `load` and `swap`, and of a call made during a commit. */
export class HotSwapError extends Error {
  /** Stable code: match on this, not on the message. */
  readonly code: HotSwapErrorCode;

  constructor(code: HotSwapErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HotSwapError";
    this.code = code;
  }
}

/** The parts of a wasm-pack build of the runtime that an entry point uses. */
export interface RuntimeBuild {
  /** The build's folder in the package: `pkg`, `pkg-updates`, `pkg-wit` or `pkg-warg`. */
  dir: string;
  init(input?: { module_or_path: InitInput | Promise<InitInput> }): Promise<unknown>;
  registerErrorClass(class_: unknown): void;
  load(options: LoadOptions): Promise<unknown>;
}

/** `initRuntime` and `HotModule.load` over one runtime build. */
export function entry(build: RuntimeBuild) {
  let ready: Promise<void> | undefined;

  /**
   * Initialises the runtime. `load` does this on first use; call it yourself to load the
   * runtime's wasm from another place (a URL, a `Response` or a compiled `WebAssembly.Module`).
   */
  function initRuntime(runtime?: InitInput | Promise<InitInput>): Promise<void> {
    ready ??= (runtime === undefined ? initDefault() : build.init({ module_or_path: runtime })).then(
      () => build.registerErrorClass(HotSwapError),
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    );
    return ready;
  }

  /**
   * The runtime's wasm from where the glue's `new URL("wasm_hotswap_bg.wasm", import.meta.url)`
   * points, which the bundlers that rewrite it (Vite, webpack, Parcel) emit. Vite 7's dev
   * server pre-bundles the package into `node_modules/.vite/deps/` and leaves that URL pointing
   * there (Vite 8 rewrites it): from there, the package's own file is tried first.
   */
  async function initDefault(): Promise<unknown> {
    const cached = viteDepsRuntime(build.dir);
    if (cached !== undefined) {
      try {
        return await build.init({ module_or_path: cached });
      } catch {
        // Not this layout (a hoisted or linked package): the glue's URL may still be right.
      }
    }
    try {
      return await build.init();
    } catch (error) {
      throw new Error(
        `wasm-hotswap could not load its runtime (${build.dir}/wasm_hotswap_bg.wasm): ${error}. ` +
          "Serve that file from the package next to the bundle, or pass its URL to initRuntime() " +
          "(README, Bundlers)",
        { cause: error },
      );
    }
  }

  const HotModule = {
    /** Fetches, verifies, inspects, compiles and instantiates a module; rejects with `HotSwapError`. */
    async load<E extends object = Record<string, any>>(options: LoadOptions): Promise<HotModule<E>> {
      await initRuntime();
      return (await build.load(options)) as HotModule<E>;
    },
  };

  return { initRuntime, HotModule };
}

/** Where `dir`'s wasm is served when this code runs from Vite's dependency cache, else undefined. */
function viteDepsRuntime(dir: string): URL | undefined {
  const here: unknown = import.meta.url; // a file: URL in some bundles, undefined in IIFEs
  if (typeof here !== "string" || !/^https?:/.test(here)) return undefined;
  const url = new URL(here);
  if (!url.pathname.includes("/node_modules/.vite/deps/")) return undefined;
  const path = ["..", "..", "wasm-hotswap", dir, "wasm_hotswap_bg.wasm"].join("/");
  return new URL(path, url); // not a literal, so that no bundler takes it for an asset
}
