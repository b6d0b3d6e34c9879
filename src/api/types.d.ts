// The TypeScript types of the runtime's JS API: the one source for them. The runtime's build
// appends this file to the .d.ts wasm-bindgen writes (see `api.rs`), and native tests
// (tests/typescript_types.rs) fail when it disagrees with the Rust types it mirrors.

/** Stable codes of `HotSwapError`. */
export type HotSwapErrorCode =
  | "INVALID_DIGEST" | "INVALID_OPTIONS" | "FETCH_FAILED" | "HASH_MISMATCH"
  | "INVALID_MODULE" | "UNSUPPORTED_COMPONENT" | "INCOMPATIBLE_INTERFACE" | "INVALID_GUEST"
  | "WASM_COMPILE_FORBIDDEN" | "INSTANTIATE_FAILED" | "STATE_SAVE_FAILED" | "STATE_LOAD_FAILED"
  | "SEMVER_VIOLATION" | "MAJOR_UPGRADE_REFUSED" | "DOWNGRADE_REFUSED" | "MISSING_VERSION"
  | "INVALID_INDEX" | "NO_MATCHING_VERSION" | "STALE_UPDATE" | "SWAP_IN_PROGRESS"
  | "NOTHING_TO_ROLL_BACK" | "HEALTH_CHECK_FAILED" | "DRAIN_TIMEOUT"
  | "SIGNATURE_MISSING" | "SIGNATURE_INVALID" | "REGISTRY_LOG_INVALID";

/**
 * Where a module comes from. Either `url` or `bytes` with the `digest` they must hash to, or a
 * package in a static registry: `registry` and `name` with a `range` (for `load`) or a
 * `version` (for `swap`, which defaults to `load`'s registry, name and range).
 */
export interface ModuleSource {
  /** Fetched with `fetch` (or the `fetch` option) and streamed into the compiler. */
  url?: string;
  /** Bytes already in hand. */
  bytes?: BufferSource;
  /** `sha256:` and 64 lowercase hex digits; the bytes must hash to it. */
  digest?: string;
  /**
   * The root URL of a static registry (`packages/<name>/index.json`, `blobs/sha256/<hex>`), or
   * `oci+https://host` for an OCI registry, whose semver tags are the versions, or
   * `warg+https://host` for a Warg registry (`wasm-hotswap/warg`), whose verified package log
   * lists the releases.
   */
  registry?: string;
  /**
   * The package's name in the registry: `counter` or `acme/counter` (an OCI repository), or
   * `namespace:name` in a Warg registry.
   */
  name?: string;
  /** A semver range (`^1.2`, `~1.2.3`, `*`): the highest non-yanked version in it is loaded. */
  range?: string;
  /** For `swap`: a version (`1.3.0`, exactly, even yanked) or a range. */
  version?: string;
  /**
   * Milliseconds each request (registry index, manifest, module) may take, its body included,
   * before it is aborted with FETCH_FAILED. `swap` keeps `load`'s and may add its own.
   */
  timeout?: number;
  /**
   * Told `{ loaded, total, url }` after each chunk of each blob of the version downloads
   * (`total` is null without a `Content-Length`); what it throws is ignored.
   */
  onProgress?: (progress: { loaded: number; total: number | null; url: string }) => void;
  /** Replaces the global `fetch`; must resolve to a `Response`. */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** The imports object to instantiate with. `swap` defaults to the one in use. */
  imports?: WebAssembly.Imports;
  /** What the app needs from the module; checked before it is instantiated. `swap` defaults to `load`'s. */
  expect?: Expect;
  /** Which version steps are allowed. `swap` defaults to `load`'s. */
  policy?: UpdatePolicy;
  /**
   * The JS glue of a wasm-bindgen guest: the `.js` file `wasm-bindgen --target web` wrote next
   * to the `_bg.wasm` (or, with `kind: "assemblyscript"`, the `.js` `asc --bindings raw` wrote),
   * by `url` or `bytes`, with the `digest` its bytes must hash to. The glue runs only from the
   * verified bytes, a fresh copy for each version. A registry's index names the glue itself.
   */
  glue?: GlueSource;
  /**
   * For an async (JSPI) guest: milliseconds a swap waits for the calls in flight in the old
   * instance to settle before its commit (new calls wait in a queue meanwhile); past it the
   * swap fails with DRAIN_TIMEOUT and the old version serves them all. Default 5000; 0 fails
   * at once if a call is in flight. `swap` keeps `load`'s.
   */
  drainTimeout?: number;
}

/** Where a wasm-bindgen (or AssemblyScript) guest's glue comes from. */
export interface GlueSource {
  url?: string;
  bytes?: BufferSource;
  /** `sha256:` and 64 lowercase hex digits. */
  digest: string;
  /**
   * Which toolchain wrote it: `"wasm-bindgen"` (the default) or `"assemblyscript"`, the `.js`
   * file `asc --bindings raw` wrote, whose `instantiate(module, imports)` gets the verified
   * module.
   */
  kind?: "wasm-bindgen" | "assemblyscript";
}

/**
 * Exports the app needs, with their types:
 * `{ exports: { increment: "(i32) -> i32", memory: "memory", limit: "global mut i64" } }`.
 */
export interface Expect {
  exports?: Record<string, string>;
  /** WIT text of the world the module must carry and satisfy (only in `wasm-hotswap/wit`). */
  wit?: string;
  /** Which world of `wit`, when it has several. */
  world?: string;
}

/** One named difference between two interfaces. */
export interface InterfaceChange { severity: "none" | "additive" | "breaking"; item: string; detail: string; }

/** What a consent callback is told about a major upgrade. */
export interface MajorUpgrade { from: string; to: string; changes: InterfaceChange[]; }

/** A value type: `i32`, `i64`, `f32`, `f64`, `v128`, or a reference type such as `{ ref: "funcref" }`. */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | { ref: string };

/** The type of an import or export, read from the binary. */
export type ExternType =
  | { kind: "func"; params: ValType[]; results: ValType[] }
  | { kind: "tag"; params: ValType[]; results: ValType[] }
  | { kind: "global"; type: ValType; mutable: boolean }
  | { kind: "memory"; initial: number; maximum: number | null; memory64: boolean; shared: boolean }
  | { kind: "table"; element: string; initial: number; maximum: number | null; table64: boolean; shared: boolean }
  /** A component's import or export; `wit` is its WIT type in the `wasm-hotswap/wit` build, else `null`. */
  | { kind: "item"; sort: "func" | "instance" | "type" | "other"; wit: string | null };

/** A module's interface, read from its binary. */
export interface ModuleInterface {
  imports: Array<{ module: string; name: string } & ExternType>;
  exports: Array<{ name: string } & ExternType>;
  version: string | null;
  metadata: ModuleMetadata;
}

/** The wasm-metadata sections a module carries. */
export interface ModuleMetadata {
  name: string | null;
  authors: string | null;
  description: string | null;
  licenses: string | null;
  source: string | null;
  homepage: string | null;
  revision: string | null;
  producers: Array<{ field: string; values: Array<[name: string, version: string]> }>;
}

/** Rules for version steps. By default a major upgrade and a downgrade are refused. */
export interface UpdatePolicy {
  /** Consent to major upgrades: `true`, or a callback deciding each (it may be async). */
  allowMajor?: boolean | ((upgrade: MajorUpgrade) => boolean | Promise<boolean>);
  /** Allow a lower version to replace a higher one. */
  allowDowngrade?: boolean;
  /** Refuse modules without a `version` section. */
  requireVersion?: boolean;
  /**
   * After each commit the previous version, and its state at the swap, stand by until `ms`
   * milliseconds have passed or `calls` calls have returned (whichever first). A call to the
   * new version that traps during that time rolls back to it automatically: the trap still
   * reaches its caller, later calls reach the previous version, whose state is the current one
   * when it accepts it, else its state at the swap. Needs `retain` of at least 2.
   */
  probation?: { ms?: number; calls?: number };
  /**
   * Asked right after each commit with the module's exports; answering `false`, throwing or
   * rejecting rolls back as a trap during probation does, and `swap` rejects with
   * `HEALTH_CHECK_FAILED`.
   */
  healthCheck?: (exports: Record<string, any>) => boolean | void | Promise<boolean | void>;
  /**
   * Require a signature by one of these keys (PEM SPKI `-----BEGIN PUBLIC KEY-----`, ECDSA
   * P-256: `hotswap keygen`'s `.pub`, cosign's, `openssl pkey -pubout`'s), checked after the
   * index or manifest is read and before any byte of the version is compiled:
   * `SIGNATURE_MISSING` without one, `SIGNATURE_INVALID` when it does not verify. A swap's
   * policy without `trust` keeps `load`'s.
   */
  trust?: { keys: string[] };
}

/** Options of `m.rollback`. */
export interface RollbackOptions {
  /**
   * `"state"` (the default): the current state moves into the older version, which may refuse
   * it. `"snapshot"`: the older version serves with the state it had when it was swapped out.
   */
  restore?: "state" | "snapshot";
}

/** What a rollback did: which state it restored, and what the version it left had that is gone. */
export interface RollbackReport {
  restore: "state" | "snapshot";
  lost: string[];
}

/** `m.addEventListener("swapped", …)`: after every commit. */
export interface SwappedEvent { report: SwapReport; }

/** `m.addEventListener("rolledback", …)`: a rollback, requested or automatic. */
export interface RolledBackEvent {
  from: string;
  to: string;
  /** `"requested"` (`rollback()`), `"trap"` (during probation) or `"health-check"`. */
  reason: "requested" | "trap" | "health-check";
  /** The trap or the health check's error; undefined for a requested one or a `false` answer. */
  error: unknown;
  report: SwapReport;
}

/** The events of a `HotModule`. */
export interface HotModuleEventMap {
  swapped: CustomEvent<SwappedEvent>;
  rolledback: CustomEvent<RolledBackEvent>;
}

/** Options of `m.watch`. */
export interface WatchOptions {
  /** Milliseconds between polls of the index while they succeed: default 30000, at least 100. */
  interval?: number;
  /** The longest wait after failed polls, in milliseconds: default 600000 (never below `interval`). */
  maxBackoff?: number;
  /**
   * Listen to the registry's server-sent events and check as soon as a `published` event names
   * this package: `true` for `<registry>/events`, or the stream's URL. Polling goes on at
   * `interval` as a fallback (a longer one is fine).
   */
  events?: boolean | string;
  /** One poller for all tabs of this origin watching the package (Web Locks, BroadcastChannel): default true. */
  shared?: boolean;
  /** Consent to major upgrades for this watch; defaults to the module's `policy.allowMajor`. */
  allowMajor?: boolean | ((upgrade: MajorUpgrade) => boolean | Promise<boolean>);
  /** Stops the watch when aborted. */
  signal?: AbortSignal;
  /**
   * `"swap"` (default) swaps to each update; `"prepare"` only stages it, like `m.prepare`, and
   * sends `prepared` with the `StagedUpdate` for the app to `commit()` when it chooses. A
   * version is prepared once; a newer one is prepared when it is published.
   */
  apply?: "swap" | "prepare";
}

/** `available`: a version the policy allows was found; a swap to it starts. */
export interface UpdateAvailable { version: string; digest: string; }
/** `applied`: the module now serves `version`. */
export interface UpdateApplied { version: string; digest: string; report: SwapReport; }
/** `prepared` (with `apply: "prepare"`): `update` is staged; nothing serves it until its `commit()`. */
export interface UpdatePrepared { version: string; digest: string; update: StagedUpdate; }
/** `rejected`: the swap to `version` failed; the old version still serves, with its state. */
export interface UpdateRejected { version: string; digest: string; code: HotSwapErrorCode; message: string; error: Error; }
/** `error`: a poll failed; the next one is in `retryIn` milliseconds. */
export interface WatchError { code: HotSwapErrorCode; message: string; retryIn: number; error: Error; }

export interface WatchEventMap {
  available: CustomEvent<UpdateAvailable>;
  applied: CustomEvent<UpdateApplied>;
  prepared: CustomEvent<UpdatePrepared>;
  rejected: CustomEvent<UpdateRejected>;
  error: CustomEvent<WatchError>;
}

/** A running watch: an `EventTarget` of `WatchEventMap`. */
export interface Watcher extends EventTarget {
  /** `"leader"` while this watch polls, `"follower"` while another tab's does, then `"stopped"`. */
  readonly role: "leader" | "follower" | "stopped";
  /** Stops for good: no timer, stream, channel or lock is left, a poll in flight is ignored, and no event follows. A swap already started completes or fails as a whole. */
  stop(): void;
  addEventListener<K extends keyof WatchEventMap>(type: K, listener: (event: WatchEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof WatchEventMap>(type: K, listener: (event: WatchEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

/**
 * `persist` of `load`: keeps a snapshot of the module's state (the guest's bytes and its
 * `hotswap:kv` entries) in IndexedDB (database `wasm-hotswap`, store `snapshots`, under `key`),
 * taken after each swap, when the page becomes hidden, on `pagehide`, every `interval` ms and
 * on `persistNow()`, and restored by the next `load` with the same key.
 */
export interface PersistOptions {
  /** The record's key: one per module the app persists. */
  key: string;
  /** Milliseconds between interval snapshots: default 10000, at least 100; 0 turns the timer off. */
  interval?: number;
  /** The `IDBFactory` to use instead of the global `indexedDB`. */
  indexedDB?: IDBFactory;
}

/** What `load` takes: a module's source, and where its first instance's state comes from. */
export interface LoadOptions extends ModuleSource {
  /**
   * How many versions the module keeps, the serving one included: default 2 (the serving one
   * and the one before, for `rollback()` and probation); 1 keeps none.
   */
  retain?: number;
  /**
   * State bytes (from `m.snapshot()`, or the app's own database) the first instance loads
   * before `load` resolves; they win over a `persist` snapshot. A guest refusing them (or a
   * stateless one) fails the load with STATE_LOAD_FAILED.
   */
  state?: BufferSource;
  /** Keep a snapshot in IndexedDB and restore it on the next `load` with the same key. */
  persist?: PersistOptions;
}

/** `persisted`: a snapshot landed in IndexedDB. */
export interface Persisted { key: string; digest: string; version: string | null; bytes: number; }
/**
 * `persistfailed` (`reason`: `"save"`, the guest's save failed; `"quota"`, QuotaExceededError;
 * `"write"`, any other IndexedDB failure) and `restorefailed` (`"refused"`, the guest refused
 * the stored state; `"corrupt"`, the stored value is not a snapshot; `"read"`, IndexedDB could
 * not be read). Neither stops the module: it serves on, fresh after a failed restore.
 */
export interface PersistFailure {
  key: string;
  reason: "save" | "quota" | "write" | "refused" | "corrupt" | "read";
  message: string;
  /** A HotSwapError (STATE_SAVE_FAILED, STATE_LOAD_FAILED) or IndexedDB's DOMException. */
  error: Error;
}

export interface PersistenceEventMap {
  persisted: CustomEvent<Persisted>;
  persistfailed: CustomEvent<PersistFailure>;
  restorefailed: CustomEvent<PersistFailure>;
}

/** `m.persistence`: the events of a module's `persist`. */
export interface Persistence extends EventTarget {
  readonly key: string;
  addEventListener<K extends keyof PersistenceEventMap>(type: K, listener: (event: PersistenceEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof PersistenceEventMap>(type: K, listener: (event: PersistenceEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}


export type SwapOptions = ModuleSource;

/** Milliseconds per stage before the commit. */
export interface SwapStages { resolve: number; fetchVerify: number; inspect: number; gate: number; compile: number; instantiate: number; }

/** Milliseconds per step of the commit, the time calls are held. */
export interface CommitStages { save: number; copy: number; load: number; rebind: number; total: number; }

/** What `swap` resolves with. */
export interface SwapReport {
  from: string;
  to: string;
  fromVersion: string | null;
  toVersion: string | null;
  guest: "stateful" | "stateless";
  /** The bump the versions declare; null when a module has no version or for a downgrade. */
  bump: "none" | "patch" | "minor" | "major" | null;
  /** Every difference between the two interfaces. */
  changes: InterfaceChange[];
  stateBytes: number;
  stages: SwapStages;
  commit: number;
  commitStages: CommitStages;
  total: number;
  queued: number;
  /** For a rollback: which state it restored and what was lost; null for a swap. */
  rollback: RollbackReport | null;
}
