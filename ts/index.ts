// wasm-hotswap: the typed entry point apps import. The runtime is Rust compiled to wasm
// (../pkg); `wasm-hotswap/wit` (wit.ts) is the same API over the build that checks WIT worlds.
import init, { HotModule as RuntimeModule, registerErrorClass } from "../pkg/wasm_hotswap.js";
import { entry } from "./entry.js";
import type {
  HotModuleEventMap,
  RollbackOptions,
  Persistence,
  StagedUpdate,
  ModuleInterface,
  ModuleMetadata,
  SwapOptions,
  SwapReport,
  WatchOptions,
  Watcher,
} from "../pkg/wasm_hotswap.js";

export type {
  CommitStages,
  HotModuleEventMap,
  RollbackOptions,
  RollbackReport,
  RolledBackEvent,
  SwappedEvent,
  Expect,
  ExternType,
  GlueSource,
  HotSwapErrorCode,
  InterfaceChange,
  LoadOptions,
  MajorUpgrade,
  ModuleInterface,
  ModuleMetadata,
  ModuleSource,
  Persisted,
  Persistence,
  PersistenceEventMap,
  PersistFailure,
  PersistOptions,
  SwapOptions,
  SwapReport,
  StagedUpdate,
  SwapStages,
  UpdateApplied,
  UpdateAvailable,
  UpdatePolicy,
  UpdateRejected,
  ValType,
  WatchError,
  WatchEventMap,
  WatchOptions,
  Watcher,
} from "../pkg/wasm_hotswap.js";

export { HotSwapError } from "./entry.js";

/** A module that can be replaced while it runs. */
export interface HotModule<E extends object = Record<string, any>> {
  /**
   * One plain function per function export, valid across every swap (each returns a Promise
   * for an async guest, one given `WebAssembly.Suspending` imports); getters for the rest.
   */
  readonly exports: E;
  /** `sha256:<hex>` of the instance serving now. */
  readonly digest: string;
  /** The serving instance's `version` section, if it has one. */
  readonly version: string | undefined;
  /** The serving instance's imports and exports with their types, read from its binary. */
  readonly interface: ModuleInterface;
  /** The serving instance's wasm-metadata sections (authors, description, licenses, …). */
  readonly metadata: ModuleMetadata;
  /**
   * Replaces the serving instance, moving its state; rejects with `HotSwapError`. An async
   * guest's calls in flight settle first (`drainTimeout`, else `DRAIN_TIMEOUT`).
   */
  swap(options: SwapOptions): Promise<SwapReport>;
  /**
   * Runs every stage of `swap` but the commit while the old version serves; the update's
   * synchronous `commit()` then swaps (or throws `STALE_UPDATE` if another version was
   * committed since), `discard()` releases it.
   */
  prepare(options: SwapOptions): Promise<StagedUpdate>;
  /**
   * Watches the registry package this module was loaded from and swaps to each version the
   * update policy allows, through `swap`'s queue and gate. Throws `HotSwapError`
   * (`INVALID_OPTIONS`) for a module not loaded from a registry.
   */
  watch(options?: WatchOptions): Watcher;
  /**
   * Returns to the version that served before the last swap, kept with its instance
   * (`retain`), so nothing is fetched; rejects with `HotSwapError` (`NOTHING_TO_ROLL_BACK`,
   * `STATE_LOAD_FAILED` when it refuses the current state, …).
   */
  rollback(options?: RollbackOptions): Promise<SwapReport>;
  /** `swapped` after every commit, `rolledback` after every rollback. */
  addEventListener<K extends keyof HotModuleEventMap>(type: K, listener: (event: HotModuleEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof HotModuleEventMap>(type: K, listener: (event: HotModuleEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
  dispatchEvent(event: Event): boolean;
  /**
   * The serving instance's state bytes, a copy (what a swap would move); `load({ state })`
   * starts from them. Throws `HotSwapError` (`STATE_SAVE_FAILED`) for a stateless guest.
   */
  snapshot(): Uint8Array;
  /** With `persist`: its `persisted`, `persistfailed`, `restorefailed` events; else `null`. */
  readonly persistence: Persistence | null;
  /** With `persist`: a snapshot now, written to IndexedDB; rejects with what `persistfailed` carries. */
  persistNow(): Promise<void>;
  /** With `persist`: no more automatic snapshots (listeners and timer removed); `forget` deletes the stored one. */
  stopPersisting(options?: { forget?: boolean }): Promise<void>;
  /** Releases the runtime's handle (and `persist`'s listeners); the exports keep calling the last instance. */
  free(): void;
}

export const { initRuntime, HotModule } = entry({
  dir: "pkg",
  init,
  registerErrorClass,
  load: (options) => RuntimeModule.load(options),
  // This file ships bundled with the glue (scripts/build.sh), next to the wasm: the glue's URL.
  wasm: () => new URL("wasm_hotswap_bg.wasm", import.meta.url),
});
