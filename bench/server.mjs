// The benchmark's server, on 127.0.0.1: the repository's files through
// scripts/static-server.mjs (cross-origin isolated, COOP + COEP, so performance.now() has 5 us
// resolution), plus routes scripts/serve.mjs has not:
//   POST /make?code=&state=&seed= makes a generated guest (guest.mjs, the same code the page
//                                uses) with that seed and answers { url, hash } for it, so each
//                                repetition fetches a module no cache has seen;
//   GET/DELETE /blob/<name>      those modules (also PUT, for bytes the page made itself);
//   GET /www/build/manifest.json the demo's manifest pointing at fresh copies of its guests
//                                (a unique `bench-seed` custom section each time), so every
//                                page load and swap of the demo compiles bytes never seen before.
//   POST /component/fresh?seed=   figure 10: a new package `counter-<n>` in the component
//                                registry (bench/component.mjs publishes `counter` there), whose
//                                index is `counter`'s with fresh copies of every version's glue
//                                (a unique comment appended) and core modules (a unique
//                                `bench-seed` custom section first): answers that index, and
//                                serves it and those blobs under the registry's URL, so each
//                                repetition compiles and evaluates bytes never seen before (the
//                                components themselves are the same bytes in every package).
//   GET /driver/next?id=, POST /driver/done?id=, POST /driver/log?id=
//                                a page bench/driver.mjs opened (with no DevTools-protocol
//                                client) asks for its next call, answers it, reports errors
//   figure 12, the cold start, under /cold/, cacheable as a CDN serves an app's assets:
//   POST /cold/make?code=&seed=  a generated guest (no state) at /cold/guest/<n>.wasm: { url, digest }
//   GET /cold/app.html?guest=&digest=  the app page: imports /cold/pkg/index.js (the shim,
//                                which loads /cold/pkg/wasm_hotswap_bg.wasm) and
//                                HotModule.load({ url, digest }) of the guest; calls add(2, 3)
//                                (&preload=1: with <link rel=modulepreload> for each module of
//                                the runtime's JS and <link rel=preload as=fetch> for its wasm)
//   GET /cold/floor.html?guest=  the floor page: WebAssembly.instantiateStreaming(fetch(guest)),
//                                then add(2, 3) (&script=file: that script in a module file of
//                                its own, GET /cold/floor-app.js?guest=, as an app's bundle is)
//   GET /cold/dist/*, /cold/pkg/* the repository's dist/ and pkg/
//                                The pages are `no-cache` with an ETag (a second visit revalidates
//                                them: 304); the guests, dist/ and pkg/ are `public,
//                                max-age=31536000, immutable` with an ETag (a second visit takes
//                                them from the HTTP cache without asking).
//   GET /cold/variant/<n>/*      the Nth of startServer's `variants` ({ dir, prelude }): a build
//                                of the runtime's browser entry in `dir`, its index.js served
//                                after `prelude`; app.html?variant=<n> imports it
//                                (bench/probe-variants.mjs)
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MIME, listen, mimeType, resolveInside, send, serveFile } from "../scripts/static-server.mjs";
import { makeGuest, withSeed } from "./guest.mjs";
import { PACKAGE, REGISTRY, REGISTRY_PATH } from "./component.mjs";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
// The file a browser app gets for `import "wasm-hotswap"` (package.json's `exports`).
const ENTRY = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")).exports["."].import.replace(/^\.\//, "");
const JSON_TYPE = { "Content-Type": MIME[".json"] };

const sha256 = (bytes) => "sha256:" + createHash("sha256").update(bytes).digest("hex");

/** What a figure 12 page logs once its first export call returned (or it failed). */
export const COLD_SERVED = "bench cold: served";

/** A request's whole body. */
async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export async function startServer({ variants = [] } = {}) {
  const blobs = new Map();
  const bases = new Map();
  let made = 0;
  let demoLoads = 0;
  const demoBlobs = [];

  async function freshDemoManifest() {
    const n = ++demoLoads;
    const manifest = JSON.parse(await readFile(join(ROOT, "www/build/manifest.json"), "utf8"));
    for (const key of ["v1", "v2"]) {
      const bytes = withSeed(await readFile(join(ROOT, "www", manifest[key].url)), `demo-${n}-${key}`);
      const url = `build/fresh/${n}-${key}.wasm`;
      blobs.set("/www/" + url, bytes);
      demoBlobs.push("/www/" + url);
      manifest[key] = { ...manifest[key], url, digest: sha256(bytes) };
    }
    while (demoBlobs.length > 8) blobs.delete(demoBlobs.shift());
    return JSON.stringify(manifest);
  }

  // Figure 10's fresh packages: path -> { bytes, type }, the last 8 packages kept.
  const componentFiles = new Map();
  const componentPackages = [];
  let componentCopies = 0;

  async function freshComponent(seed) {
    const name = `${PACKAGE}-${++componentCopies}`;
    const index = JSON.parse(await readFile(join(REGISTRY, "packages", PACKAGE, "index.json"), "utf8"));
    const paths = [];
    const blob = (digest) => readFile(join(REGISTRY, "blobs/sha256", digest.slice("sha256:".length)));
    const keep = (bytes, type) => {
      const digest = sha256(bytes);
      const path = `${REGISTRY_PATH}blobs/sha256/${digest.slice("sha256:".length)}`;
      componentFiles.set(path, { bytes, type });
      paths.push(path);
      return { digest, size: bytes.length };
    };
    for (const v of index.versions) {
      // The component's own bytes are the same in every package (inspected, never compiled),
      // served from memory as the rest are.
      keep(await blob(v.digest), MIME[".wasm"]);
      const glue = Buffer.concat([await blob(v.glue.digest), Buffer.from(`\n// bench-seed ${seed} ${name} ${v.version}\n`)]);
      v.glue = { ...v.glue, ...keep(glue, MIME[".js"]) };
      v.cores = await Promise.all(v.cores.map(async (core) => {
        const bytes = withSeed(await blob(core.digest), `${seed} ${name} ${v.version} ${core.name}`);
        return { ...core, ...keep(bytes, MIME[".wasm"]) };
      }));
    }
    index.name = name;
    const text = JSON.stringify(index);
    const at = `${REGISTRY_PATH}packages/${name}/index.json`;
    componentFiles.set(at, { bytes: Buffer.from(text), type: MIME[".json"] });
    paths.push(at);
    componentPackages.push(paths);
    while (componentPackages.length > 8) {
      const still = new Set(componentPackages.slice(1).flat());
      for (const path of componentPackages.shift()) if (!still.has(path)) componentFiles.delete(path);
    }
    return text;
  }

  // Figure 12's guests, the last 16 kept (each is fetched by its page's visits, then dropped).
  const coldGuests = new Map();
  let coldMade = 0;
  const coldFiles = new Map();

  /** A cacheable answer with an ETag, or 304 when the request already holds it. */
  const etags = new WeakMap();
  function sendCached(req, res, bytes, type, cacheControl) {
    if (!etags.has(bytes)) etags.set(bytes, `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 22)}"`);
    const etag = etags.get(bytes);
    const headers = { "Content-Type": type, "Cache-Control": cacheControl, ETag: etag };
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { ...headers, "Cross-Origin-Resource-Policy": "same-origin" });
      return res.end();
    }
    return send(res, 200, req.method === "HEAD" ? Buffer.alloc(0) : bytes, headers);
  }
  const IMMUTABLE = "public, max-age=31536000, immutable";

  // The runtime's JS module graph from pkg/index.js (its static imports, followed), for the
  // app page's `preload=1` variant.
  async function runtimeModules() {
    const seen = [];
    const visit = async (path) => {
      if (seen.includes(path)) return;
      seen.push(path);
      const text = await readFile(join(ROOT, path), "utf8");
      for (const [, spec] of text.matchAll(/(?:\bfrom|\bimport)\s*["']([^"']+)["']/g)) {
        if (spec.startsWith(".")) await visit(new URL(spec, "file:///" + path).pathname.slice(1));
      }
    };
    await visit(ENTRY);
    return seen;
  }

  /** The module script of a cold page (`kind` app or floor) for the guest and digest in `q`. */
  function coldScript(kind, q) {
    const guest = JSON.stringify(q.get("guest") ?? ""), digest = JSON.stringify(q.get("digest") ?? "");
    // The moment the first export call returns, on the page's clock (0 = navigation start);
    // `imported` is when the inline module's body starts (its imports fetched and evaluated).
    const body = kind === "app"
      ? `const imported = performance.now();
const m = await HotModule.load({ url: ${guest}, digest: ${digest} });
const sum = m.exports.add(2, 3);
window.__cold = { served: performance.now(), imported, sum };`
      : `const imported = performance.now();
const { instance } = await WebAssembly.instantiateStreaming(fetch(${guest}));
const sum = instance.exports.add(2, 3);
window.__cold = { served: performance.now(), imported, sum };`;
    // variant=N: the runtime from the Nth of `variants` instead of the package's (probe-variants.mjs).
    const entry = q.has("variant") ? `variant/${Number(q.get("variant"))}/index.js` : ENTRY;
    return `${kind === "app" ? `import { HotModule } from "/cold/${entry}";\n` : ""}try {
${body}
} catch (e) {
  window.__cold = { error: String(e?.stack ?? e) };
}
// Told to the bench by a console message, which needs no script of Playwright's in the page
// (a waitForFunction would inject and compile one, ~8 ms of this page's main thread, in the
// middle of the load it measures), where Playwright drives the page (probe-cold's traces);
// opened by bench/driver.mjs, the page then takes the runner's calls.
console.debug(${JSON.stringify(COLD_SERVED)});
const driver = new URLSearchParams(location.search).get("driver");
if (driver !== null) import("/bench/driven.mjs").then((d) => d.drive(driver));
`;
  }

  async function coldPage(kind, q) {
    // preload=1: the hints an app can give for the runtime's own files (no change to the
    // runtime): every module of its JS graph, and its wasm as the fetch() its init makes
    // (`crossorigin`: mode cors, credentials same-origin, as fetch() defaults to).
    let hints = "";
    if (kind === "app" && q.get("preload") === "1") {
      for (const path of await runtimeModules()) hints += `<link rel="modulepreload" href="/cold/${path}">\n`;
      hints += `<link rel="preload" as="fetch" crossorigin href="/cold/pkg/wasm_hotswap_bg.wasm">\n`;
    }
    // script=file (the floor page only): its script is a module file of its own, as an app's
    // bundle is, rather than inline; /cold/floor-app.js serves it, cacheable as the runtime's.
    const tag = kind === "floor" && q.get("script") === "file"
      ? `<script type="module" src="/cold/floor-app.js?guest=${encodeURIComponent(q.get("guest") ?? "")}"></script>`
      : `<script type="module">\n${coldScript(kind, q)}</script>`;
    return `<!doctype html>
<meta charset="utf-8">
<title>wasm-hotswap bench: cold start (${kind})</title>
<link rel="icon" href="data:,">
${hints}${tag}
`;
  }

  async function coldRoute(req, res, pathname) {
    const q = new URL(req.url, "http://127.0.0.1").searchParams;
    if (pathname === "/cold/make" && req.method === "POST") {
      const codeBytes = Number(q.get("code"));
      const key = `${codeBytes}/0`;
      if (!bases.has(key)) bases.set(key, makeGuest({ codeBytes, stateBytes: 0 }));
      const bytes = withSeed(bases.get(key), `cold ${q.get("seed") ?? coldMade}`);
      const url = `/cold/guest/${++coldMade}.wasm`;
      coldGuests.set(url, bytes);
      for (const old of coldGuests.keys()) if (coldGuests.size > 16) coldGuests.delete(old);
      return send(res, 200, JSON.stringify({ url, digest: sha256(bytes) }), JSON_TYPE);
    }
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed\n");
    if (pathname === "/cold/app.html" || pathname === "/cold/floor.html") {
      const kind = pathname === "/cold/app.html" ? "app" : "floor";
      return sendCached(req, res, Buffer.from(await coldPage(kind, q)), MIME[".html"], "no-cache");
    }
    if (pathname === "/cold/floor-app.js") {
      return sendCached(req, res, Buffer.from(coldScript("floor", q)), MIME[".js"], IMMUTABLE);
    }
    const guest = coldGuests.get(pathname);
    if (guest !== undefined) return sendCached(req, res, guest, MIME[".wasm"], IMMUTABLE);
    const rest = pathname.slice("/cold".length);
    const variant = /^\/variant\/(\d+)(\/.*)$/.exec(rest);
    const { dir, prelude } = variant === null ? { dir: ROOT } : variants[Number(variant[1])] ?? {};
    const path = variant === null ? rest : variant[2];
    if (dir !== undefined && (variant !== null || rest.startsWith("/dist/") || rest.startsWith("/pkg/"))) {
      const file = resolveInside(dir, path);
      const kept = await keptFile(file, path === "/index.js" ? prelude : undefined);
      if (kept !== null) return sendCached(req, res, kept, mimeType(file), IMMUTABLE);
    }
    return send(res, 404, "not found\n");
  }

  /**
   * `file` (after `prelude`, when given), read once per build: the same Buffer each time, so
   * its ETag is computed once too. Null when it is not a file.
   */
  async function keptFile(file, prelude) {
    const info = file === null ? null : await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    const key = prelude === undefined ? file : `${file} after ${prelude}`;
    let kept = coldFiles.get(key);
    if (kept?.mtimeMs !== info.mtimeMs) {
      const bytes = await readFile(file);
      coldFiles.set(key, (kept = { mtimeMs: info.mtimeMs, bytes: prelude === undefined ? bytes : Buffer.concat([Buffer.from(prelude), bytes]) }));
    }
    return kept.bytes;
  }

  // The pages bench/driver.mjs drives, by id: the calls queued for each, the one request of its
  // page waiting for the next call, and the calls sent and not yet answered.
  const drivers = new Map();

  /** The channel to the page `id`: `call(source, arg)` runs a function there. */
  function driver(id, log) {
    let seq = 0;
    const d = { queue: [], waiting: null, pending: new Map(), log, started: null };
    const ready = new Promise((ok) => (d.started = ok));
    const deliver = (command) => {
      if (d.waiting === null) return d.queue.push(command);
      const res = d.waiting;
      d.waiting = null;
      sendCommand(res, command);
    };
    drivers.set(id, d);
    return {
      ready,
      call: (fn, arg) =>
        new Promise((ok, fail) => {
          const n = ++seq;
          d.pending.set(n, { ok, fail });
          deliver({ seq: n, fn, arg });
        }),
      close() {
        if (drivers.get(id) === d) drivers.delete(id); // not a later page's channel of the same id
        for (const { fail } of d.pending.values()) fail(new Error("the driven page was closed"));
        deliver({ close: true });
      },
    };
  }

  const sendCommand = (res, command) => send(res, 200, JSON.stringify(command), { ...JSON_TYPE, "Cache-Control": "no-store" });

  async function driverRoute(req, res, pathname) {
    const d = drivers.get(new URL(req.url, "http://127.0.0.1").searchParams.get("id"));
    if (d === undefined) return send(res, 404, "no such driven page\n");
    if (pathname === "/driver/next" && req.method === "GET") {
      d.started();
      if (d.queue.length) return sendCommand(res, d.queue.shift());
      d.waiting = res;
      return;
    }
    if (req.method !== "POST") return send(res, 405, "method not allowed\n");
    const body = (await readBody(req)).toString("utf8");
    if (pathname === "/driver/log") {
      d.log(body);
      return send(res, 204, "");
    }
    if (pathname === "/driver/done") {
      const { seq, ok, value, error } = JSON.parse(body);
      const call = d.pending.get(seq);
      d.pending.delete(seq);
      if (ok) call?.ok(value);
      else call?.fail(new Error(`in the driven page: ${error}`));
      return send(res, 204, "");
    }
    return send(res, 404, "not found\n");
  }

  async function handle(req, res) {
    const { pathname } = new URL(req.url, "http://127.0.0.1");
    if (pathname.startsWith("/cold/")) return coldRoute(req, res, pathname);
    if (pathname.startsWith("/driver/")) return driverRoute(req, res, pathname);
    if (pathname === "/make" && req.method === "POST") {
      const q = new URL(req.url, "http://127.0.0.1").searchParams;
      const codeBytes = Number(q.get("code")), stateBytes = Number(q.get("state") ?? 0);
      const key = `${codeBytes}/${stateBytes}`;
      if (!bases.has(key)) bases.set(key, makeGuest({ codeBytes, stateBytes }));
      const bytes = withSeed(bases.get(key), q.get("seed") ?? String(made));
      const url = `/blob/made-${++made}.wasm`;
      blobs.set(url, bytes);
      const hash = createHash("sha256").update(bytes).digest("hex");
      return send(res, 200, JSON.stringify({ url, hash }), JSON_TYPE);
    }
    if (pathname === "/component/fresh" && req.method === "POST") {
      const seed = new URL(req.url, "http://127.0.0.1").searchParams.get("seed") ?? String(componentCopies);
      return send(res, 200, await freshComponent(seed), JSON_TYPE);
    }
    if (pathname.startsWith("/blob/")) {
      if (req.method === "PUT") {
        blobs.set(pathname, await readBody(req));
        return send(res, 204, "");
      }
      if (req.method === "DELETE") {
        blobs.delete(pathname);
        return send(res, 204, "");
      }
    }
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed\n");
    if (pathname === "/www/build/manifest.json") {
      return send(res, 200, await freshDemoManifest(), JSON_TYPE);
    }
    const file = componentFiles.get(pathname);
    if (file !== undefined) return send(res, 200, file.bytes, { "Content-Type": file.type, "Cache-Control": "no-store" });
    const blob = blobs.get(pathname);
    // Fetched once each: keep them out of Chromium's HTTP cache, whose writes of multi-MB
    // bodies add tens of ms of noise to both sides of a comparison.
    if (blob !== undefined) {
      return send(res, 200, blob, { "Content-Type": MIME[".wasm"], "Cache-Control": "no-store" });
    }
    return serveFile(ROOT, req, res);
  }

  const server = await listen(handle, { port: 0 });
  return { ...server, driver };
}
