// The memory side of wasm-hotswap's raw guest contract, shared by both versions.
//
// Every buffer is static data (`memory.data`), outside the garbage-collected heap: the
// runtime reads the saved state and writes the incoming one while no AssemblyScript code runs,
// so nothing it holds a pointer to may be moved or collected, and a static buffer never is.

const CAPACITY: u32 = 64;
const SAVED = memory.data(CAPACITY); // save_state's output
const HEADER = memory.data(8); // [ptr, len] of the saved state, valid until the next call
const INCOMING = memory.data(CAPACITY); // what alloc_state hands out for load_state

/** The first four bytes of this guest's state: "ASCT" read as a little-endian u32. */
export const MAGIC: u32 = 0x54435341;

/** What load_state returns. */
export enum Load {
  Ok = 0,
  NotMyState = 1,
  NewerFormat = 2,
}

/** Where save_state writes the state: the magic and `format` are already there, fields go at 8. */
export function saveBuffer(format: u32): usize {
  store<u32>(SAVED, MAGIC);
  store<u32>(SAVED, format, 4);
  return SAVED;
}

/** The header save_state returns for the `len` bytes written into saveBuffer. */
export function saved(len: u32): usize {
  store<u32>(HEADER, <u32>SAVED);
  store<u32>(HEADER, len, 4);
  return HEADER;
}

export function alloc_state(len: u32): usize {
  return len <= CAPACITY ? INCOMING : 0;
}

/** The format of the state at `ptr`, or 0 when it is not this guest's state at all. */
export function formatOf(ptr: usize, len: u32): u32 {
  if (len < 8 || load<u32>(ptr) != MAGIC) return 0;
  return load<u32>(ptr, 4);
}
