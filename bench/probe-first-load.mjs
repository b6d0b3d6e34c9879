// What a page's first load costs beyond the work itself: V8 compiles wasm lazily, each function
// with Liftoff at its first call on the main thread, so the runtime's first `load` compiles
// every runtime function it runs. This starts a fresh headless Chromium (its own profile,
// `--single-process` so that V8's `--trace-wasm-compilation-times` lines reach this process),
// imports the runtime in a blank page, initialises it, then times the first and second
// `HotModule.load` of a one-function add module from a `blob:` URL, and sums the functions
// compiled during the first load: how many, their wasm bytes and Liftoff's time, the largest
// by name where the build keeps its name section (`wasm-opt -g`).
// Not part of `npm run bench`; the numbers vary ±15 % between runs.
//
//   node bench/probe-first-load.mjs
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM, CHROMIUM_ARGS } from "../scripts/chromium.mjs";
import { readUleb, wasmSections } from "./guest.mjs";
import { startServer } from "./server.mjs";

const PORT = 9333;
const server = await startServer();
const dir = await mkdtemp(join(tmpdir(), "first-load-"));
const args = [...CHROMIUM_ARGS, "--headless", "--single-process", "--enable-logging=stderr", "--v=0", `--user-data-dir=${dir}`, `--remote-debugging-port=${PORT}`,
  "--js-flags=--trace-wasm-compilation-times", "about:blank"];
const child = spawn(CHROMIUM, args, { stdio: ["ignore", "pipe", "pipe"] });
let log = "";
child.stdout.on("data", (d) => (log += d));
child.stderr.on("data", (d) => (log += d));
try {
  let browser;
  for (let i = 0; i < 50 && !browser; i++) {
    await new Promise((ok) => setTimeout(ok, 100));
    browser = await chromium.connectOverCDP(`http://127.0.0.1:${PORT}`).catch(() => undefined);
  }
  const context = browser.contexts()[0];
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(server.url + "cold/floor.html?guest=none");
  const times = await page.evaluate(async () => {
    const runtime = await import("/cold/pkg/index.js");
    await runtime.initRuntime();
    console.log("FIRST-LOAD-START");
    const add = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3,
      97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11]);
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", add));
    const digest = "sha256:" + Array.from(hash, (x) => x.toString(16).padStart(2, "0")).join("");
    const url = URL.createObjectURL(new Blob([add]));
    const t0 = performance.now();
    await runtime.HotModule.load({ url, digest });
    const t1 = performance.now();
    console.log("FIRST-LOAD-END");
    await runtime.HotModule.load({ url, digest });
    return { first: t1 - t0, second: performance.now() - t1 };
  });
  await new Promise((ok) => setTimeout(ok, 300));
  await browser.close().catch(() => {});
  const names = functionNames(await readFile(new URL("../pkg/wasm_hotswap_bg.wasm", import.meta.url)));
  const during = log.slice(log.indexOf("FIRST-LOAD-START"), log.indexOf("FIRST-LOAD-END"));
  const compiled = [...during.matchAll(/Compiled function \S+#(\d+) using (\w+), took (\d+) .s and \d+ bytes; bodysize (\d+)/g)]
    .map((m) => ({ index: Number(m[1]), tier: m[2], us: Number(m[3]), bytes: Number(m[4]) }));
  const sum = (key) => compiled.reduce((n, c) => n + c[key], 0);
  console.log(`first load ${times.first.toFixed(2)} ms, second ${times.second.toFixed(2)} ms`);
  console.log(`during the first load: ${compiled.length} functions compiled, ${(sum("bytes") / 1024).toFixed(1)} KB of wasm, ${(sum("us") / 1000).toFixed(2)} ms`);
  for (const c of compiled.sort((a, b) => b.us - a.us).slice(0, 8)) {
    console.log(`  ${(c.us / 1000).toFixed(2)} ms  ${(c.bytes / 1024).toFixed(1).padStart(5)} KB  #${c.index} ${names.get(c.index) ?? ""}`.slice(0, 160));
  }
} finally {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((ok) => child.once("exit", ok));
    child.kill();
    await exited;
  }
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  await server.close();
}

/** The module's function names from its `name` section, by function index (empty without one). */
function functionNames(bytes) {
  const names = new Map();
  const section = wasmSections(bytes).find((s) => s.id === 0 && s.name === "name");
  const b = section?.payload ?? new Uint8Array();
  const text = (at, n) => new TextDecoder().decode(b.subarray(at, at + n));
  let at = 0;
  while (at < b.length) {
    const sub = b[at++];
    let size, count, index, length;
    [size, at] = readUleb(b, at);
    const end = at + size;
    if (sub === 1) {
      for ([count, at] = readUleb(b, at); count > 0; count--) {
        [index, at] = readUleb(b, at);
        [length, at] = readUleb(b, at);
        names.set(index, text(at, length));
        at += length;
      }
    }
    at = end;
  }
  return names;
}
