// What both entry points share: the error class and the one-time initialisation of a runtime
// build (../pkg for `wasm-hotswap`, ../pkg-wit for `wasm-hotswap/wit`).
import type { HotSwapErrorCode, InitInput, LoadOptions } from "../pkg/wasm_hotswap.js";
import type { HotModule } from "./index.js";

/** Every failure of `load` and `swap`, and of a call made during a commit. */
class HotSwapErrorClass extends Error {
  /** Stable code: match on this, not on the message. */
  readonly code: HotSwapErrorCode;

  constructor(code: HotSwapErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HotSwapError";
    this.code = code;
  }
}

// One class for every entry point and copy of the package in a realm: each entry is a bundle
// of its own (one module to fetch), and `instanceof HotSwapError` must hold whichever entry
// threw the error and whichever one the app imported the class from.
const shared = Symbol.for("wasm-hotswap.HotSwapError");
const realm = globalThis as { [shared]?: typeof HotSwapErrorClass };

/** Every failure of `load` and `swap`, and of a call made during a commit. */
export const HotSwapError: typeof HotSwapErrorClass = (realm[shared] ??= HotSwapErrorClass);
/** Every failure of `load` and `swap`, and of a call made during a commit. */
export type HotSwapError = HotSwapErrorClass;

/** The parts of a wasm-pack build of the runtime that an entry point uses. */
export interface RuntimeBuild {
  /** The build's folder in the package: `pkg`, `pkg-updates`, `pkg-wit` or `pkg-warg`. */
  dir: string;
  init(input?: { module_or_path: InitInput | Promise<InitInput> }): Promise<unknown>;
  registerErrorClass(class_: unknown): void;
  load(options: LoadOptions): Promise<unknown>;
  /**
   * Where the build's wasm is by default (the glue's own `new URL(…, import.meta.url)`), for a
   * page to start fetching it when the entry is imported rather than at the first `load`.
   * Absent on servers, which read it from disk.
   */
  wasm?: () => URL;
}

/** `initRuntime` and `HotModule.load` over one runtime build. */
export function entry(build: RuntimeBuild) {
  let ready: Promise<void> | undefined;
  // Set once `ready` has resolved: a `load` then calls the runtime at once, without the
  // promise hops of awaiting it again.
  let initialised = false;
  // The runtime's wasm, requested as the entry is evaluated: a page's first `load` then finds
  // it downloading, or in. Taken by the first default initialisation; unused if the app
  // passes its own runtime to `initRuntime`.
  let prefetched = prefetch(build);

  /**
   * Initialises the runtime. `load` does this on first use; call it yourself to load the
   * runtime's wasm from another place (a URL, a `Response` or a compiled `WebAssembly.Module`).
   */
  function initRuntime(runtime?: InitInput | Promise<InitInput>): Promise<void> {
    ready ??= (runtime === undefined ? initDefault() : build.init({ module_or_path: runtime })).then(
      () => {
        build.registerErrorClass(HotSwapError);
        initialised = true;
      },
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
    const early = prefetched;
    prefetched = undefined;
    const cached = early === undefined ? viteDepsRuntime(build.dir) : undefined; // `prefetch` looked already
    if (early !== undefined || cached !== undefined) {
      try {
        return await build.init({ module_or_path: early ?? (cached as URL) });
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
    load<E extends object = Record<string, any>>(options: LoadOptions): Promise<HotModule<E>> {
      const early = earlyFetch(build, options);
      const loading = initialised ? build.load(early.options) : loadFirst(early.options);
      if (early.release !== undefined) loading.then(early.release, early.release);
      return loading as Promise<HotModule<E>>;
    },
  };

  /** A load before the runtime is up: it waits for the runtime (its module already downloading). */
  async function loadFirst(options: LoadOptions): Promise<unknown> {
    await initRuntime();
    return await build.load(options);
  }

  return { initRuntime, HotModule };
}

/**
 * `fetch` of the build's wasm, in a page or worker of a build that names it: where the glue
 * would fetch it, or the package's own file when this runs from Vite's dependency cache. A
 * failed request is left for `initDefault`, which then tries the glue's URL itself.
 */
function prefetch(build: RuntimeBuild): Promise<Response> | undefined {
  if (build.wasm === undefined || typeof fetch !== "function") return undefined;
  let url: URL;
  try {
    url = viteDepsRuntime(build.dir) ?? build.wasm();
  } catch {
    return undefined; // no `import.meta.url` (an IIFE bundle): the app passes the URL itself
  }
  const response = fetch(url);
  response.catch(() => {}); // seen, and reported, by `initDefault`'s attempt
  return response;
}

/** The one form of digest the runtime accepts (src/digest.rs). */
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * `options` whose module, given as a `url` with no `fetch` of the app's, is requested now, in
 * the call to `load`, and handed to the runtime when it asks for that URL: the runtime streams,
 * hashes and verifies the response before compiling it, exactly as one it fetched itself. The
 * request leaves before the runtime reads the options (about 0.3 ms sooner for a small module),
 * and on a page's first load, beside the runtime's own wasm. Its deadline (`timeout`) aborts
 * this request too, and `release` aborts it once the load settled without taking it (options
 * the runtime refused). Only for a well-formed digest: a load the runtime refuses for its digest
 * sends nothing. Browser builds only: on servers the runtime reads `file:` URLs and
 * paths itself, which `fetch` refuses.
 */
function earlyFetch(build: RuntimeBuild, options: LoadOptions): { options: LoadOptions; release?: () => void } {
  const { url, digest, fetch: given, init } = options as { url?: unknown; digest?: unknown; fetch?: unknown; init?: RequestInit };
  if (build.wasm === undefined || typeof url !== "string" || given !== undefined || typeof fetch !== "function") return { options };
  if (typeof digest !== "string" || !DIGEST.test(digest)) return { options }; // refused before any request
  const abort = new AbortController();
  let early: Promise<Response> | undefined;
  try {
    early = fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, abort.signal]) : abort.signal });
  } catch {
    return { options }; // a URL this host's fetch refuses at once: the runtime reports it
  }
  early.catch(() => {}); // the runtime awaits it and reports its failure
  const handOver = (asked: string, with_?: RequestInit): Promise<Response> => {
    if (early === undefined || asked !== url) return fetch(asked, with_);
    const response = early;
    early = undefined;
    with_?.signal?.addEventListener("abort", () => abort.abort(with_.signal?.reason), { once: true });
    if (with_?.signal?.aborted) abort.abort(with_.signal.reason);
    return response;
  };
  const release = () => {
    if (early === undefined) return;
    early = undefined;
    abort.abort();
  };
  return { options: { ...options, fetch: handOver } as LoadOptions, release };
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
