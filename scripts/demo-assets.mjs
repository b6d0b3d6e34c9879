// Turns the demo guests the build made into the manifest the demo page reads:
//   www/build/notes_v1/, notes_v2/, notes_v3/  the wasm-bindgen notes guests (`_bg.wasm` +
//                                           glue), as build.sh left them: the demo's v1, v2 and
//                                           the faulty v3, whose `list()` traps
//   www/build/notes-corrupt_bg.wasm         v2's module with bytes flipped inside its code section
//   www/build/counter-v1.wasm, counter-v2.wasm   the raw-ABI counter guests, as cargo built them
//                                           (the package test's app and other tests load them)
//   www/build/manifest.json                 url, digest, version (and glue url and digest) of each:
//     { v1, v2, v3, corrupt: { url, digest, version, glue: { url, digest } }, counter: { v1, v2 } }
// The corrupt entry carries the digest of the REAL v2 module (and v2's real glue), so loading
// it must fail verification (HASH_MISMATCH) exactly as a tampered download would.
//
//   node scripts/demo-assets.mjs <cargo --message-format=json output> <out dir>
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [cargoMessages, outDir] = process.argv.slice(2);
if (!cargoMessages || !outDir) {
  console.error("usage: node scripts/demo-assets.mjs <cargo-messages.jsonl> <out-dir>");
  process.exit(2);
}

/** Path of the .wasm cargo produced for each package name, from its JSON messages. */
function wasmArtifacts(jsonl) {
  const found = new Map();
  for (const line of jsonl.split("\n")) {
    if (!line.startsWith("{")) continue;
    const msg = JSON.parse(line);
    if (msg.reason !== "compiler-artifact") continue;
    const wasm = msg.filenames.find((f) => f.endsWith(".wasm"));
    if (wasm) found.set(msg.target.name.replaceAll("_", "-"), wasm);
  }
  return found;
}

/** Reads a LEB128 u32 at `at`; returns [value, next offset]. */
function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value |= (b & 0x7f) << shift;
    if (!(b & 0x80)) return [value >>> 0, at];
    shift += 7;
  }
}

/** Top-level sections: { id, start, end, name? } with start..end the payload. */
function sections(bytes) {
  const out = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, payload] = leb(bytes, at + 1);
    const section = { id, start: payload, end: payload + size };
    if (id === 0) {
      const [len, name] = leb(bytes, payload);
      section.name = new TextDecoder().decode(bytes.subarray(name, name + len));
      section.body = name + len;
    }
    out.push(section);
    at = payload + size;
  }
  return out;
}

/** The standard `version` custom section's text, or null. */
function versionOf(bytes) {
  const s = sections(bytes).find((x) => x.id === 0 && x.name === "version");
  return s ? new TextDecoder().decode(bytes.subarray(s.body, s.end)).trim() : null;
}

function sha256(bytes) {
  return "sha256:" + createHash("sha256").update(bytes).digest("hex");
}

/** A manifest entry for `file` under `outDir`; `fallbackVersion` if it has no `version` section. */
function entry(file, fallbackVersion) {
  const bytes = readFileSync(join(outDir, file));
  const version = versionOf(bytes);
  if (version === null) {
    console.warn(`demo-assets: ${file} has no version custom section; manifest says ${fallbackVersion}`);
  }
  return { url: `build/${file}`, digest: sha256(bytes), version: version ?? fallbackVersion };
}

/** `bytes` with 4 bytes flipped in the middle of its code section: same size, another digest. */
function corrupted(bytes, name) {
  const code = sections(bytes).find((s) => s.id === 10);
  if (!code) throw new Error(`${name} has no code section`);
  const out = Buffer.from(bytes);
  const mid = code.start + Math.floor((code.end - code.start) / 2);
  for (let i = 0; i < 4; i++) out[mid + i] ^= 0xff;
  return out;
}

const artifacts = wasmArtifacts(readFileSync(cargoMessages, "utf8"));
mkdirSync(outDir, { recursive: true });
const counter = {};
for (const [key, pkg, fallbackVersion] of [
  ["v1", "counter-v1", "1.0.0"],
  ["v2", "counter-v2", "1.1.0"],
]) {
  const built = artifacts.get(pkg);
  if (!built) throw new Error(`cargo produced no .wasm for package ${pkg}`);
  copyFileSync(built, join(outDir, `${pkg}.wasm`));
  counter[key] = entry(`${pkg}.wasm`, fallbackVersion);
}

const manifest = {};
for (const [key, crate, fallbackVersion] of [
  ["v1", "notes_v1", "1.0.0"],
  ["v2", "notes_v2", "1.1.0"],
  ["v3", "notes_v3", "1.2.0"],
]) {
  const glue = `${crate}/${crate}.js`;
  if (!existsSync(join(outDir, glue))) throw new Error(`${outDir}/${glue} missing: build.sh runs wasm-bindgen first`);
  const glueBytes = readFileSync(join(outDir, glue));
  manifest[key] = { ...entry(`${crate}/${crate}_bg.wasm`, fallbackVersion), glue: { url: `build/${glue}`, digest: sha256(glueBytes) } };
}

const v2 = readFileSync(join(outDir, "notes_v2/notes_v2_bg.wasm"));
writeFileSync(join(outDir, "notes-corrupt_bg.wasm"), corrupted(v2, "notes_v2_bg.wasm"));
manifest.corrupt = { ...manifest.v2, url: "build/notes-corrupt_bg.wasm" };
manifest.counter = counter;

writeFileSync(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
const log = (key, e) =>
  console.log(`demo-assets: ${key.padEnd(10)} ${e.version.padEnd(6)} ${e.digest.slice(0, 19)}… ${e.url}${e.glue ? ` + ${e.glue.url}` : ""}`);
for (const key of ["v1", "v2", "corrupt"]) log(key, manifest[key]);
for (const key of ["v1", "v2"]) log(`counter.${key}`, counter[key]);
