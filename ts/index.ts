// wasm-hotswap: the typed entry point apps import. The runtime is Rust compiled to wasm
// (../pkg); this file initialises it once and gives its errors a class to be instances of.
import init, { HotModule as RuntimeModule, registerErrorClass } from "../pkg/wasm_hotswap.js";
import type {
  HotSwapErrorCode,
  InitInput,
  LoadOptions,
  ModuleInterface,
  ModuleMetadata,
  SwapOptions,
  SwapReport,
} from "../pkg/wasm_hotswap.js";

export type {
  CommitStages,
  Expect,
  ExternType,
  HotSwapErrorCode,
  InterfaceChange,
  LoadOptions,
  MajorUpgrade,
  ModuleInterface,
  ModuleMetadata,
  ModuleSource,
  SwapOptions,
  SwapReport,
  SwapStages,
  UpdatePolicy,
  ValType,
} from "../pkg/wasm_hotswap.js";

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

/** A module that can be replaced while it runs. */
export interface HotModule<E extends object = Record<string, any>> {
  /** One plain function per function export, valid across every swap; getters for the rest. */
  readonly exports: E;
  /** `sha256:<hex>` of the instance serving now. */
  readonly digest: string;
  /** The serving instance's `version` section, if it has one. */
  readonly version: string | undefined;
  /** The serving instance's imports and exports with their types, read from its binary. */
  readonly interface: ModuleInterface;
  /** The serving instance's wasm-metadata sections (authors, description, licenses, …). */
  readonly metadata: ModuleMetadata;
  /** Replaces the serving instance, moving its state; rejects with `HotSwapError`. */
  swap(options: SwapOptions): Promise<SwapReport>;
  /** Releases the runtime's handle; the exports keep calling the last instance. */
  free(): void;
}

let ready: Promise<void> | undefined;

/**
 * Initialises the runtime. `load` does this on first use; call it yourself to load the
 * runtime's wasm from another place (a URL, a `Response` or a compiled `WebAssembly.Module`).
 */
export function initRuntime(runtime?: InitInput | Promise<InitInput>): Promise<void> {
  ready ??= init(runtime === undefined ? undefined : { module_or_path: runtime }).then(
    () => registerErrorClass(HotSwapError),
    (error: unknown) => {
      ready = undefined;
      throw error;
    },
  );
  return ready;
}

export const HotModule = {
  /** Fetches, verifies, inspects, compiles and instantiates a module; rejects with `HotSwapError`. */
  async load<E extends object = Record<string, any>>(options: LoadOptions): Promise<HotModule<E>> {
    await initRuntime();
    return (await RuntimeModule.load(options)) as unknown as HotModule<E>;
  },
};
