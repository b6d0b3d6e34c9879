// wasm-hotswap/vite: the dev registry folder over Vite's own server (a connect middleware), with
// the headers the registry format relies on (README "Registries"), as `hotswap serve` sends them.
import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, relative, sep } from "node:path";

/** Serves the files below `dir` once `ready` has settled; `req.url` is below the mount point. */
export function registryMiddleware(dir: string, ready: () => Promise<unknown>) {
  return async (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    let path: string;
    try {
      path = decodeURIComponent((req.url ?? "/").split(/[?#]/)[0]);
    } catch {
      return next(); // not valid percent-encoding: not a registry file
    }
    const segments = path.split("/").filter(Boolean);
    // No `..`, and nothing hidden (the temp files of a publish under way).
    if (segments.length === 0 || segments.some((s) => s.startsWith(".") || s.includes("\\"))) return next();
    await ready().catch(() => {}); // the first build: a page loaded at start waits for it
    let body: Buffer;
    try {
      body = await readFile(join(dir, ...segments));
    } catch {
      res.statusCode = 404;
      return res.end("not found\n");
    }
    const blob = segments.length === 3 && segments[0] === "blobs" && segments[1] === "sha256";
    const etag = `"sha256:${blob ? segments[2] : createHash("sha256").update(body).digest("hex")}"`;
    res.setHeader("Content-Type", blob || path.endsWith(".wasm") ? "application/wasm" : "application/json");
    res.setHeader("Cache-Control", blob ? "public, max-age=31536000, immutable" : "no-cache");
    res.setHeader("ETag", etag);
    if (req.headers["if-none-match"]?.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) {
      res.statusCode = 304;
      return res.end();
    }
    res.end(req.method === "HEAD" ? undefined : body);
  };
}

/** Every file below `dir`, as `[path relative to dir with "/", bytes]`. */
export async function registryFiles(dir: string): Promise<[string, Buffer][]> {
  const files: [string, Buffer][] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith(".")) continue;
    const path = join(entry.parentPath, entry.name);
    files.push([relative(dir, path).split(sep).join("/"), await readFile(path)]);
  }
  return files;
}
