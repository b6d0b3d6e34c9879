// wasm-hotswap/vite: a Vite plugin for the dev loop of Rust (or any Wasm) guests.
//
// `vite dev`: each guest is built at start and whenever its sources change (cargo, then
// wasm-bindgen, then `hotswap publish --next`), into a registry folder that Vite's own server
// serves at `<base><path>/`; the page hears of each version on Vite's HMR channel and swaps it
// in (`virtual:wasm-hotswap`'s `hot`). A failed build or a refused swap goes to Vite's error
// overlay; the page keeps the version it serves.
// `vite build`: the guests are built and published the same way into a fresh registry, which is
// emitted into the output folder (`dist/<path>/`), digests and all.
import { mkdir, rm } from "node:fs/promises";
import { join, posix } from "node:path";
import type { HtmlTagDescriptor, IndexHtmlTransformContext, Plugin, ResolvedConfig, ViteDevServer } from "vite";
import { GuestBuildError, rebuild, sources, type Guest, type Published, type Tools } from "./vite-guest.js";
import { registryFiles, registryMiddleware } from "./vite-registry.js";

export type { Guest, Published, Timings } from "./vite-guest.js";

export interface HotswapPluginOptions {
  /** The guests to build and publish. */
  guests: Guest[];
  /** Where the registry is served and emitted, below Vite's `base`: default `wasm-hotswap`. */
  path?: string;
  /** The `hotswap` CLI: default `$HOTSWAP_CLI`, else `hotswap` on `PATH`. */
  cli?: string;
  /** Default `cargo`. */
  cargo?: string;
  /** Default `wasm-bindgen` (it must be the version the crate's Cargo.lock pins). */
  wasmBindgen?: string;
  /**
   * `vite build`: each page that imports the runtime gets `<link rel="preload" as="fetch"
   * crossorigin>` for the runtime's own `.wasm`, so that its download starts with the page's
   * and not when its script runs (README, "Performance", figure 12). Default `true`.
   */
  preload?: boolean;
}

const VIRTUAL = "virtual:wasm-hotswap";
const EVENT = "wasm-hotswap:published";
const SWAP_FAILED = "wasm-hotswap:swap-failed";

/** The plugin; see the README's "Vite plugin". */
export function hotswap(options: HotswapPluginOptions): Plugin {
  const path = (options.path ?? "wasm-hotswap").replace(/^\/+|\/+$/g, "");
  const tools: Tools = {
    cli: options.cli ?? process.env.HOTSWAP_CLI ?? "hotswap",
    cargo: options.cargo ?? "cargo",
    wasmBindgen: options.wasmBindgen ?? "wasm-bindgen",
  };
  let config: ResolvedConfig;
  let built: Promise<string> | undefined; // `vite build`: the registry folder, once published

  /** Builds every guest once into a fresh registry folder below Vite's cache; returns it. */
  async function publishAll(kind: string, onError: (e: unknown) => void): Promise<string> {
    const work = join(config.cacheDir, "wasm-hotswap", kind);
    await rm(work, { recursive: true, force: true });
    await mkdir(join(work, "registry"), { recursive: true });
    await Promise.all(
      options.guests.map((g) => rebuild(g, config.root, tools, join(work, "registry"), join(work, "out")).catch(onError)),
    );
    return join(work, "registry");
  }

  return {
    name: "wasm-hotswap",
    config: () => ({
      // The runtime finds its .wasm with `new URL(…, import.meta.url)`, which pre-bundling breaks.
      optimizeDeps: { exclude: ["wasm-hotswap"] },
      // cargo's target folder may be below the root: no use watching it.
      server: { watch: { ignored: ["**/target/**"] } },
    }),
    configResolved(resolved) {
      config = resolved;
    },
    resolveId: (id) => (id === VIRTUAL ? "\0" + VIRTUAL : undefined),
    load(id) {
      if (id !== "\0" + VIRTUAL) return;
      return clientModule(config.base + path + "/", config.command === "serve");
    },
    configureServer(server) {
      devLoop(server);
    },
    buildStart() {
      if (config.command !== "build" || config.build.ssr) return;
      built = publishAll("build", (e) => {
        throw e;
      });
      built.catch(() => {}); // awaited, and so reported, in generateBundle
    },
    async generateBundle() {
      if (!built) return;
      for (const [file, source] of await registryFiles(await built))
        this.emitFile({ type: "asset", fileName: `${path}/${file}`, source });
    },
    transformIndexHtml: {
      order: "post",
      handler(html, ctx) {
        if (options.preload === false || !ctx.bundle || !ctx.chunk) return;
        const hrefs = runtimeWasm(ctx.bundle, ctx.chunk).map((file) => assetHref(config.base, ctx.path, file));
        // A page that already hints at it keeps its own.
        return hrefs.filter((href) => !html.includes(`"${href}"`)).map(preloadTag);
      },
    },
  };

  function devLoop(server: ViteDevServer) {
    const log = server.config.logger;
    const work = join(config.cacheDir, "wasm-hotswap", "dev");
    const registry = join(work, "registry");
    const states = options.guests.map((guest) => ({ guest, dirs: sources(guest, config.root), running: undefined as Promise<void> | undefined, again: false, changed: 0 }));

    const publish = async (state: (typeof states)[number]) => {
      const changed = state.changed;
      try {
        const done: Published = await rebuild(state.guest, config.root, tools, registry, join(work, "out"));
        const t = done.timings;
        const parts = [t.cargo !== undefined && `cargo ${ms(t.cargo)}`, t.bindgen !== undefined && `wasm-bindgen ${ms(t.bindgen)}`, `publish ${ms(t.publish)}`];
        log.info(`wasm-hotswap: ${done.name}@${done.version} ${done.unchanged ? "unchanged" : "published"} (${parts.filter(Boolean).join(", ")})`, { timestamp: true });
        server.ws.send({ type: "custom", event: EVENT, data: { ...done, changed } });
      } catch (e) {
        report(e);
      }
    };
    const report = (e: unknown) => {
      const stage = e instanceof GuestBuildError ? `${e.guest}: ${e.stage} failed` : "build failed";
      const message = e instanceof Error ? e.message : String(e);
      log.error(`wasm-hotswap: ${stage}\n${message}`, { timestamp: true });
      server.ws.send({ type: "error", err: { message: `wasm-hotswap: ${stage} (the page keeps its version)\n\n${message}`, stack: "", plugin: "wasm-hotswap" } });
    };
    /** Rebuilds one at a time per guest; changes during a build make one more after it. */
    const schedule = (state: (typeof states)[number]) => {
      state.changed ||= Date.now();
      if (state.running) {
        state.again = true;
        return;
      }
      state.running = (async () => {
        do {
          state.again = false;
          // An editor's save is several events; a wasm-bindgen folder is two files written in turn.
          await new Promise((r) => setTimeout(r, "crate" in state.guest ? 20 : 50));
          await publish(state);
        } while (state.again);
        state.changed = 0;
        state.running = undefined;
      })();
    };

    // The first build of each guest, through `schedule` like every later one: cargo rewriting
    // the crate's Cargo.lock meanwhile queues one more build, never a second one at once.
    const ready = (async () => {
      await rm(work, { recursive: true, force: true });
      await mkdir(registry, { recursive: true });
      states.forEach(schedule);
      await Promise.all(states.map((s) => s.running));
    })();
    const mount = (config.base.startsWith("/") ? config.base : "/") + path;
    server.middlewares.use(mount, registryMiddleware(registry, () => ready));

    server.watcher.add(states.flatMap((s) => s.dirs));
    const owner = (file: string) =>
      states.find((s) => s.dirs.some((d) => file === d || (file.startsWith(d + "/") && !file.slice(d.length).includes("/target/"))));
    for (const event of ["add", "change", "unlink"] as const)
      server.watcher.on(event, (file: string) => {
        const state = owner(file);
        if (state) schedule(state);
      });

    server.ws.on(SWAP_FAILED, (data: { name: string; version: string; code: string; message: string }) => {
      log.error(`wasm-hotswap: ${data.name}@${data.version} refused by the page: ${data.code}`, { timestamp: true });
      server.ws.send({ type: "error", err: { message: `wasm-hotswap: the page refused ${data.name}@${data.version} (it keeps its version)\n\n${data.code}: ${data.message}`, stack: "", plugin: "wasm-hotswap" } });
    });
  }
}

export default hotswap;

type Bundle = NonNullable<IndexHtmlTransformContext["bundle"]>;
type Chunk = NonNullable<IndexHtmlTransformContext["chunk"]>;

/** The runtime's own wasm (the glue's `new URL("wasm_hotswap_bg.wasm", import.meta.url)`, which
 * Vite emits as an asset) of every entry the page's chunk imports statically: its output files. */
function runtimeWasm(bundle: Bundle, entry: Chunk): string[] {
  const isRuntime = (name: string) => posix.basename(name) === "wasm_hotswap_bg.wasm";
  const assets = Object.values(bundle).filter(
    (f) => f.type === "asset" && [...(f.names ?? []), ...(f.originalFileNames ?? [])].some(isRuntime),
  );
  // The page's static import graph: a runtime imported only lazily is not preloaded.
  const code: string[] = [];
  const seen = new Set<string>();
  for (const stack = [entry.fileName]; stack.length; ) {
    const name = stack.pop()!;
    const chunk = bundle[name];
    if (seen.has(name) || chunk?.type !== "chunk") continue;
    seen.add(name);
    code.push(chunk.code);
    stack.push(...chunk.imports);
  }
  return assets.map((a) => a.fileName).filter((file) => code.some((c) => c.includes(posix.basename(file))));
}

/** `file`'s URL in a page at `page` (its public path): below an absolute `base`, else relative. */
function assetHref(base: string, page: string, file: string): string {
  if (base.startsWith("/") || /^[a-z][a-z0-9+.-]*:/i.test(base)) return base + file;
  return posix.relative(posix.dirname(posix.join("/", page)), posix.join("/", file));
}

/** A preload that the runtime's `fetch(url)` (CORS mode, same-origin credentials) takes over. */
const preloadTag = (href: string): HtmlTagDescriptor => ({
  tag: "link",
  attrs: { rel: "preload", as: "fetch", crossorigin: true, href },
  injectTo: "head",
});

const ms = (t: number) => (t < 1000 ? `${t.toFixed(0)} ms` : `${(t / 1000).toFixed(2)} s`);

/** `virtual:wasm-hotswap`: the registry's URL, and `hot(m, name)`, which swaps in what is published. */
function clientModule(registry: string, dev: boolean): string {
  const head = `export const registry = ${JSON.stringify(registry)};\n`;
  if (!dev) return head + "export function hot() { return () => {}; }\n";
  return (
    head +
    `
const EVENT = ${JSON.stringify(EVENT)};
export function hot(m, name, { onSwap, onError } = {}) {
  if (!import.meta.hot) return () => {};
  const listener = async (data) => {
    if (data.name !== name) return;
    if (data.unchanged && data.version === m.version) return clearOverlay();
    try {
      const report = await m.swap({ version: data.version });
      clearOverlay();
      onSwap?.(report, data);
    } catch (e) {
      import.meta.hot.send(${JSON.stringify(SWAP_FAILED)}, { name, version: data.version, code: e?.code ?? "ERROR", message: e?.message ?? String(e) });
      onError ? onError(e, data) : console.error(e);
    }
  };
  import.meta.hot.on(EVENT, listener);
  return () => import.meta.hot.off(EVENT, listener);
}
function clearOverlay() {
  for (const overlay of document.querySelectorAll("vite-error-overlay")) overlay.close?.();
}
`
  );
}
