// Counter 1.1.0 in AssemblyScript: adds `calls`. State format 2: format 1 then i32 calls.
// Reads format 1 too (calls start at 0).
import { Load, formatOf, saveBuffer, saved } from "./contract";
export { alloc_state } from "./contract";

let count: i32 = 0;
let callCount: i32 = 0;

export function increment(by: i32): i32 {
  count += by;
  callCount++;
  return count;
}

export function get(): i32 {
  return count;
}

export function calls(): i32 {
  return callCount;
}

export function save_state(): usize {
  const at = saveBuffer(2);
  store<i32>(at, count, 8);
  store<i32>(at, callCount, 12);
  return saved(16);
}

export function load_state(ptr: usize, len: u32): i32 {
  const format = formatOf(ptr, len);
  if (format > 2) return Load.NewerFormat;
  if (format == 0 || len != (format == 1 ? 12 : 16)) return Load.NotMyState;
  count = load<i32>(ptr, 8);
  callCount = format == 2 ? load<i32>(ptr, 12) : 0;
  return Load.Ok;
}
