// Synthetic stateful guests for the benchmark, written straight in the binary format.
// Runs in the page and in Node (no dependencies), so the same bytes can be made on both sides.
//
// A guest has `codeBytes` of filler functions (never called: Chrome compiles wasm lazily, so
// they are decoded and validated at compile time and never compiled to machine code) and a
// memory sized for `stateBytes` of state, which lives at STATE_BASE. Exports:
//   memory, save_state, alloc_state, load_state   the guest contract
//   add(a, b) -> a + b                             the trivial export for per-call cost
//   set_len(len) -> len, get_len() -> len          the bench sets and reads the state size
// Fresh bytes: `withSeed(base, seed)` puts a custom section `bench-seed` first, so every
// repetition's module differs from the first byte after the header (no code cache can hit).
// `wasmSections` and `readUleb` read the format back (figure 7's section sizes, the name
// section in probe-first-load.mjs).

export const STATE_BASE = 65536;
const HEADER = 16; // save_state writes [ptr, len] here

const uleb = (out, n) => {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
};
const sleb = (out, n) => {
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
};
const str = (out, s) => {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  for (const b of bytes) out.push(b);
};
const section = (id, body) => {
  const out = [id];
  uleb(out, body.length);
  return [out, body];
};

const I32 = 0x7f;
// Opcodes used below.
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, GLOBAL_GET = 0x23, GLOBAL_SET = 0x24;
const I32_CONST = 0x41, I32_ADD = 0x6a, I32_MUL = 0x6c, I32_XOR = 0x73, I32_ROTL = 0x77;
const I32_STORE = 0x36, I32_NE = 0x47, I32_GT_U = 0x4b, IF = 0x04, ELSE = 0x05, END = 0x0b;

/** Memory pages for `stateBytes` of state at STATE_BASE (at least one page of room). */
export function pagesFor(stateBytes) {
  return STATE_BASE / 65536 + Math.max(1, Math.ceil(stateBytes / 65536));
}

function fillerBody(k) {
  // (a, b) -> i32 with one local: a chain of arithmetic that depends on k, ~190 bytes.
  const code = [1, 1, I32]; // one local group: 1 x i32
  for (let r = 0; r < 12; r++) {
    code.push(LOCAL_GET, 0, I32_CONST);
    sleb(code, (k * 2654435761 + r * 40503) | 0);
    code.push(I32_ADD, LOCAL_GET, 1, I32_XOR, I32_CONST, (r % 31) + 1, I32_ROTL, LOCAL_GET, 2, I32_MUL);
    code.push(LOCAL_SET, r % 2 === 0 ? 2 : 0);
  }
  code.push(LOCAL_GET, 0, LOCAL_GET, 2, I32_ADD, END);
  return code;
}

/**
 * The module without a seed: `codeBytes` of code (approximately), memory for `stateBytes`.
 * @returns {Uint8Array}
 */
export function makeGuest({ codeBytes, stateBytes }) {
  const pages = pagesFor(stateBytes);
  const capacity = (pages - STATE_BASE / 65536) * 65536;
  // Types: 0 () -> i32, 1 (i32) -> i32, 2 (i32, i32) -> i32
  const types = [3, 0x60, 0, 1, I32, 0x60, 1, I32, 1, I32, 0x60, 2, I32, I32, 1, I32];

  const bodies = [];
  // 0 save_state
  bodies.push([0,
    I32_CONST, HEADER, I32_CONST, ...lebs(STATE_BASE), I32_STORE, 2, 0,
    I32_CONST, HEADER + 4, GLOBAL_GET, 0, I32_STORE, 2, 0,
    I32_CONST, HEADER, END]);
  // 1 alloc_state(len)
  bodies.push([0,
    LOCAL_GET, 0, I32_CONST, ...lebs(capacity), I32_GT_U,
    IF, I32, I32_CONST, 0, ELSE, I32_CONST, ...lebs(STATE_BASE), END, END]);
  // 2 load_state(ptr, len): move the state into place if it is elsewhere, keep its length
  bodies.push([0,
    LOCAL_GET, 0, I32_CONST, ...lebs(STATE_BASE), I32_NE,
    IF, 0x40, I32_CONST, ...lebs(STATE_BASE), LOCAL_GET, 0, LOCAL_GET, 1, 0xfc, 10, 0, 0, END,
    LOCAL_GET, 1, GLOBAL_SET, 0, I32_CONST, 0, END]);
  // 3 add(a, b)
  bodies.push([0, LOCAL_GET, 0, LOCAL_GET, 1, I32_ADD, END]);
  // 4 set_len(len)
  bodies.push([0, LOCAL_GET, 0, GLOBAL_SET, 0, GLOBAL_GET, 0, END]);
  // 5 get_len()
  bodies.push([0, GLOBAL_GET, 0, END]);
  const funcTypes = [0, 1, 2, 2, 1, 0];
  // Filler functions until the module reaches `codeBytes` (the other sections are ~150 bytes).
  let total = 150 + bodies.reduce((n, b) => n + b.length + 2, 0);
  const fillerBodies = [];
  while (total < codeBytes || fillerBodies.length === 0) {
    const body = fillerBody(fillerBodies.length + 1);
    fillerBodies.push(body);
    total += body.length + 3; // size prefix, and its type in the function section
  }
  for (let k = 0; k < fillerBodies.length; k++) funcTypes.push(2);

  const funcs = [];
  uleb(funcs, funcTypes.length);
  funcs.push(...funcTypes);

  const memory = [1, 0];
  uleb(memory, pages);

  const globals = [1, I32, 1, I32_CONST, 0, END];

  const exports = [];
  const names = [["memory", 2, 0], ["save_state", 0, 0], ["alloc_state", 0, 1], ["load_state", 0, 2],
    ["add", 0, 3], ["set_len", 0, 4], ["get_len", 0, 5]];
  uleb(exports, names.length);
  for (const [name, kind, index] of names) {
    str(exports, name);
    exports.push(kind);
    uleb(exports, index);
  }

  // The code section is built as chunks to keep 4 MB modules cheap to make.
  const codeChunks = [];
  const countBytes = [];
  uleb(countBytes, funcTypes.length);
  codeChunks.push(Uint8Array.from(countBytes));
  let codeLen = countBytes.length;
  const pushBody = (body) => {
    const size = [];
    uleb(size, body.length);
    const chunk = new Uint8Array(size.length + body.length);
    chunk.set(size, 0);
    chunk.set(body, size.length);
    codeChunks.push(chunk);
    codeLen += chunk.length;
  };
  bodies.forEach(pushBody);
  fillerBodies.forEach(pushBody);
  const codeHeader = [10];
  uleb(codeHeader, codeLen);

  const parts = [
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0],
    ...section(1, types),
    ...section(3, funcs),
    ...section(5, memory),
    ...section(6, globals),
    ...section(7, exports),
  ].map((p) => Uint8Array.from(p));
  parts.push(Uint8Array.from(codeHeader), ...codeChunks);
  return concat(parts);
}

function lebs(n) {
  const out = [];
  sleb(out, n | 0);
  return out;
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `base` with a first custom section `bench-seed` holding `seed` (any string). */
export function withSeed(base, seed) {
  const body = [];
  str(body, "bench-seed");
  const text = new TextEncoder().encode(String(seed));
  const custom = [0];
  uleb(custom, body.length + text.length);
  const out = new Uint8Array(base.length + custom.length + body.length + text.length);
  out.set(base.subarray(0, 8), 0);
  let at = 8;
  out.set(custom, at); at += custom.length;
  out.set(body, at); at += body.length;
  out.set(text, at); at += text.length;
  out.set(base.subarray(8), at);
  return out;
}

/** The unsigned LEB128 at `at` in `b`: `[value, the offset after it]`. */
export function readUleb(b, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = b[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/**
 * The sections of a wasm binary: `id`, a custom section's `name` (else ""), the section's
 * `bytes` with its header, and its `payload` (a custom section's after its name).
 */
export function wasmSections(b) {
  const out = [];
  let i = 8;
  while (i < b.length) {
    const start = i;
    const id = b[i++];
    let len;
    [len, i] = readUleb(b, i);
    const end = i + len;
    let name = "";
    if (id === 0) {
      let n;
      [n, i] = readUleb(b, i);
      name = new TextDecoder().decode(b.subarray(i, (i += n)));
    }
    out.push({ id, name, bytes: b.subarray(start, end), payload: b.subarray(i, end) });
    i = end;
  }
  return out;
}
