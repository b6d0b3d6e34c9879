// What the server entry points (index.node.ts, updates.node.ts, wit.node.ts) add for Node ≥ 20,
// Deno 2 and Bun, which package.json's `node` condition selects: Node's `fetch` refuses
// `file:` URLs, so the runtime's own wasm is read with `node:fs`, and so are the modules of
// `load({ url })` given a `file:` URL or a path, unless the app passes its own `fetch`.
/// <reference types="node" />
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { LoadOptions } from "../pkg/wasm_hotswap.js";
import type { RuntimeBuild } from "./entry.js";

/**
 * `fetch`, except that a `file:` URL or a path (absolute, or relative to the working
 * directory) is read from disk: a 200 with the file's bytes, or a rejection (`ENOENT`, …) that
 * the runtime reports as `FETCH_FAILED`. The default `fetch` of `load` on servers.
 */
export async function fetchFile(url: string, init?: RequestInit): Promise<Response> {
  // A scheme is two letters or more: `C:\x.wasm` is a Windows path.
  if (/^[a-z][a-z0-9+.-]+:/i.test(url) && !url.startsWith("file:")) return fetch(url, init);
  const file = url.startsWith("file:") ? new URL(url) : pathToFileURL(resolve(url));
  const bytes = await readFile(file);
  return new Response(bytes, { headers: { "content-type": file.pathname.endsWith(".wasm") ? "application/wasm" : "text/javascript" } });
}

/** `build`, whose runtime wasm is read from `wasm` and whose `load` reads files. */
export function onServer(build: RuntimeBuild, wasm: URL): RuntimeBuild {
  return {
    dir: build.dir,
    init: (input) => build.init(input ?? { module_or_path: readFile(wasm) }),
    registerErrorClass: (class_) => build.registerErrorClass(class_),
    load: (options: LoadOptions) => build.load(options.fetch === undefined ? { ...options, fetch: fetchFile } : options),
  };
}
