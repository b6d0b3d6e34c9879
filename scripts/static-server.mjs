// The static file server that scripts/serve.mjs and bench/server.mjs are built on: files under
// a root folder on 127.0.0.1, cross-origin isolated (COOP + COEP, so performance.now() has
// fine resolution and SharedArrayBuffer exists) and with `application/wasm` for .wasm (so
// WebAssembly.compileStreaming accepts the responses).
//
//   listen(handler, { port })     starts a server; resolves to { url, port, close }
//   serveFile(root, req, res)     answers GET/HEAD of a file under root, or 301/403/404
//   send(res, status, body, headers)  a whole response with the isolation headers
//   resolveInside(root, urlPath)  the path guard: a file under root, or null
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";

/** `Content-Type` by lower-case file extension; anything else is application/octet-stream. */
export const MIME = {
  ".wasm": "application/wasm",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".txt": "text/plain; charset=utf-8",
};

/** Headers on every response: revalidate, cross-origin isolated, no MIME sniffing. */
export const ISOLATED_HEADERS = {
  "Cache-Control": "no-cache",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
};

/** The `Content-Type` of the file at `path`. */
export function mimeType(path) {
  return MIME[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/**
 * Sends a whole response: `body` (a string or bytes) as text/plain unless `headers` say
 * otherwise, with {@link ISOLATED_HEADERS} (which `headers` may override).
 */
export function send(res, status, body, headers = {}) {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, {
    ...ISOLATED_HEADERS,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": bytes.length,
    ...headers,
  });
  res.end(bytes);
}

/**
 * Maps a URL path to a file under `root` (absolute), or null when it would leave `root`, is
 * not valid percent-encoding, holds a NUL byte or names a dotfile.
 *
 * - `/www/app.js` => `<root>/www/app.js`
 * - `/../etc/passwd`, `/%2e%2e/x` => null
 * - `/.git/config` => null
 */
export function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  // Dotfiles (.git, .ci) are not part of what is served.
  if (decoded.split(/[\\/]/).some((part) => part.startsWith(".") && part !== "." && part !== "..")) {
    return null;
  }
  const full = resolve(join(root, decoded));
  if (full !== root && !full.startsWith(root + sep)) return null;
  return full;
}

/**
 * Answers a GET or HEAD of the file `req.url` names under `root` (absolute): the file, a
 * folder's index.html (a folder without its trailing `/` is redirected there, 301), 403 for
 * what {@link resolveInside} refuses, 404 for what is not there. The body is streamed.
 */
export async function serveFile(root, req, res) {
  const { pathname } = new URL(req.url ?? "/", "http://localhost");
  let file = resolveInside(root, pathname);
  if (file === null) {
    send(res, 403, "forbidden\n");
    return;
  }
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    if (!pathname.endsWith("/")) {
      send(res, 301, "moved\n", { Location: pathname + "/" });
      return;
    }
    file = join(file, "index.html");
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) {
    send(res, 404, "not found\n");
    return;
  }
  res.writeHead(200, {
    ...ISOLATED_HEADERS,
    "Content-Type": mimeType(file),
    "Content-Length": info.size,
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(file)
    .on("error", () => res.destroy())
    .pipe(res);
}

/**
 * Starts a server on 127.0.0.1 that answers each request with `handler(req, res)` (async); a
 * handler that throws gets a 500 (or a cut connection, if it had started answering).
 * Resolves once it listens; `port` 0 picks a free one.
 * @param {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => Promise<void>} handler
 * @param {{ port?: number }} [options]
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export function listen(handler, { port = 0 } = {}) {
  const server = createServer((req, res) => {
    handler(req, res).catch((error) => {
      if (!res.headersSent) send(res, 500, `internal error: ${error}\n`);
      else res.destroy();
    });
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", fail);
      const actual = server.address().port;
      ok({
        url: `http://127.0.0.1:${actual}/`,
        port: actual,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
