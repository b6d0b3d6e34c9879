// Turns the demo guests cargo built into what the demo page loads:
//   www/build/counter-v1.wasm, counter-v2.wasm   the guests as built
//   www/build/counter-corrupt.wasm               v2 with bytes flipped inside its code section
//   www/build/manifest.json                      url, digest and version of each
// The corrupt entry carries the digest of the REAL v2 bytes, so loading it must fail
// verification (HASH_MISMATCH) exactly as a tampered download would.
//
//   node scripts/demo-assets.mjs <cargo --message-format=json output> <out dir>
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

const artifacts = wasmArtifacts(readFileSync(cargoMessages, "utf8"));
mkdirSync(outDir, { recursive: true });
const manifest = {};
for (const [key, pkg, fallbackVersion] of [
  ["v1", "counter-v1", "1.0.0"],
  ["v2", "counter-v2", "1.1.0"],
]) {
  const built = artifacts.get(pkg);
  if (!built) throw new Error(`cargo produced no .wasm for package ${pkg}`);
  const file = `counter-${key}.wasm`;
  copyFileSync(built, join(outDir, file));
  const bytes = readFileSync(built);
  const version = versionOf(bytes);
  if (version === null) {
    console.warn(`demo-assets: ${pkg} has no version custom section; manifest says ${fallbackVersion}`);
  }
  manifest[key] = { url: `build/${file}`, digest: sha256(bytes), version: version ?? fallbackVersion };
}

// Flip 4 bytes in the middle of v2's code section: same size, different digest.
const v2 = readFileSync(join(outDir, "counter-v2.wasm"));
const code = sections(v2).find((s) => s.id === 10);
if (!code) throw new Error("counter-v2.wasm has no code section");
const corrupt = Buffer.from(v2);
const mid = code.start + Math.floor((code.end - code.start) / 2);
for (let i = 0; i < 4; i++) corrupt[mid + i] ^= 0xff;
writeFileSync(join(outDir, "counter-corrupt.wasm"), corrupt);
manifest.corrupt = { url: "build/counter-corrupt.wasm", digest: manifest.v2.digest, version: manifest.v2.version };

writeFileSync(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
for (const [key, entry] of Object.entries(manifest)) {
  console.log(`demo-assets: ${key.padEnd(7)} ${entry.version.padEnd(6)} ${entry.digest.slice(0, 19)}… ${entry.url}`);
}
