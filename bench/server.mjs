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
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MIME, listen, send, serveFile } from "../scripts/static-server.mjs";
import { makeGuest, withSeed } from "./guest.mjs";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const JSON_TYPE = { "Content-Type": MIME[".json"] };

const sha256 = (bytes) => "sha256:" + createHash("sha256").update(bytes).digest("hex");

export async function startServer() {
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

  async function handle(req, res) {
    const { pathname } = new URL(req.url, "http://127.0.0.1");
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
    if (pathname.startsWith("/blob/")) {
      if (req.method === "PUT") {
        const chunks = [];
        for await (const chunk of req) chunks.push(chunk);
        blobs.set(pathname, Buffer.concat(chunks));
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
    const blob = blobs.get(pathname);
    // Fetched once each: keep them out of Chromium's HTTP cache, whose writes of multi-MB
    // bodies add tens of ms of noise to both sides of a comparison.
    if (blob !== undefined) {
      return send(res, 200, blob, { "Content-Type": MIME[".wasm"], "Cache-Control": "no-store" });
    }
    return serveFile(ROOT, req, res);
  }

  return listen(handle, { port: 0 });
}
