// The state format both versions of the tally share, moved through the glue-level contract:
// `save_state(): Uint8Array` and `load_state(state: Uint8Array): void`, which the
// `--bindings raw` JS lifts to and from a JS Uint8Array.
//
// Format 1: "ASTL" (a u32, little-endian), the format (u32), the number of keys (u32), then
// per key its UTF-8 length (u32), its bytes and its count (i32).

/** The first four bytes of this guest's state: "ASTL" read as a little-endian u32. */
export const MAGIC: u32 = 0x4c545341;
/** The format this source writes. */
export const FORMAT: u32 = 1;

/** `counts` as bytes, keys in sorted order. */
export function encode(counts: Map<string, i32>): Uint8Array {
  const keys = counts.keys().sort();
  const names = new Array<ArrayBuffer>(keys.length);
  let size = 12;
  for (let i = 0; i < keys.length; i++) {
    names[i] = String.UTF8.encode(keys[i]);
    size += 8 + names[i].byteLength;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT, true);
  view.setUint32(8, keys.length, true);
  let at = 12;
  for (let i = 0; i < keys.length; i++) {
    const name = Uint8Array.wrap(names[i]);
    view.setUint32(at, name.length, true);
    out.set(name, at + 4);
    at += 4 + name.length;
    view.setInt32(at, counts.get(keys[i]), true);
    at += 4;
  }
  return out;
}

/**
 * The counts in `state`, a state of format `oldest` or later; throws (which the runtime
 * reports as STATE_LOAD_FAILED with this message) for anything else.
 */
export function decode(state: Uint8Array, oldest: u32): Map<string, i32> {
  if (state.length < 12) throw new Error(`not a tally state: ${state.length} bytes`);
  const view = new DataView(state.buffer, state.byteOffset, state.length);
  if (view.getUint32(0, true) != MAGIC) throw new Error("not a tally state: no ASTL magic");
  const format = view.getUint32(4, true);
  if (format > FORMAT) throw new Error(`state format ${format} is newer than this version's ${FORMAT}`);
  if (format < oldest) throw new Error(`state format ${format} is older than this version reads (${oldest} and later)`);
  const counts = new Map<string, i32>();
  const n = view.getUint32(8, true);
  let at: i32 = 12;
  for (let i: u32 = 0; i < n; i++) {
    if (at + 4 > state.length) throw new Error("truncated tally state");
    const len = <i32>view.getUint32(at, true);
    if (len < 0 || at + 8 + len > state.length) throw new Error("truncated tally state");
    const key = String.UTF8.decode(state.slice(at + 4, at + 4 + len).buffer);
    counts.set(key, view.getInt32(at + 4 + len, true));
    at += 8 + len;
  }
  return counts;
}
