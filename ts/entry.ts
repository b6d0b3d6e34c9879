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
    ready ??= build.init(runtime === undefined ? undefined : { module_or_path: runtime }).then(
      () => build.registerErrorClass(HotSwapError),
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    );
    return ready;
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
