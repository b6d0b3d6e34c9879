// Dependency-free static server for the repository root, bound to 127.0.0.1.
//
//   node scripts/serve.mjs [PORT]     (or PORT=... ; default 8080; 0 picks a free port)
//
// Pages are served cross-origin isolated so performance.now() has fine resolution, and with
// `application/wasm` so WebAssembly.compileStreaming accepts the responses.
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const MIME = {
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

const COMMON_HEADERS = {
  "Cache-Control": "no-cache",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
};

const DEFAULT_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** Maps a URL path to a file under `root`, or null when it would leave `root`. */
function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  // Dotfiles (.git, .ci) are not part of the demo.
  if (decoded.split(/[\\/]/).some((part) => part.startsWith(".") && part !== "." && part !== "..")) {
    return null;
  }
  const full = resolve(join(root, decoded));
  if (full !== root && !full.startsWith(root + sep)) return null;
  return full;
}

async function handle(root, req, res) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    send(res, 405, "method not allowed\n", { Allow: "GET, HEAD" });
    return;
  }
  const { pathname } = new URL(req.url ?? "/", "http://localhost");
  if (pathname === "/") {
    send(res, 302, "see /www/\n", { Location: "/www/" });
    return;
  }
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
    ...COMMON_HEADERS,
    "Content-Type": MIME[extname(file).toLowerCase()] ?? "application/octet-stream",
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
 * Starts the server. Resolves once it listens.
 * @param {{ root?: string, port?: number }} [options]
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export function serve({ root = DEFAULT_ROOT, port = 8080 } = {}) {
  const absRoot = resolve(root);
  const server = createServer((req, res) => {
    handle(absRoot, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, "internal error\n");
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

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const raw = process.argv[2] ?? process.env.PORT ?? "8080";
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve.mjs: invalid port ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  const { url } = await serve({ port });
  console.log(`wasm-hotswap demo: ${url}www/`);
}
