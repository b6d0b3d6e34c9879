// The demo's server: the repository root on 127.0.0.1, through scripts/static-server.mjs
// (cross-origin isolated, `application/wasm`, no path outside the root), `/` redirected to the
// demo at /www/.
//
//   node scripts/serve.mjs [PORT]     (or PORT=... ; default 8080; 0 picks a free port)
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listen, send, serveFile } from "./static-server.mjs";

const DEFAULT_ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

/**
 * Starts the server. Resolves once it listens.
 * @param {{ root?: string, port?: number }} [options]
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export function serve({ root = DEFAULT_ROOT, port = 8080 } = {}) {
  const absRoot = resolve(root);
  return listen(async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, "method not allowed\n", { Allow: "GET, HEAD" });
      return;
    }
    if (new URL(req.url ?? "/", "http://localhost").pathname === "/") {
      send(res, 302, "see /www/\n", { Location: "/www/" });
      return;
    }
    await serveFile(absRoot, req, res);
  }, { port });
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
