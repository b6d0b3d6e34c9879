// Counter 1.0.0 in AssemblyScript. State format 1: "ASCT" | u32 1 | i32 count.
import { Load, formatOf, saveBuffer, saved } from "./contract";
export { alloc_state } from "./contract";

let count: i32 = 0;

export function increment(by: i32): i32 {
  count += by;
  return count;
}

export function get(): i32 {
  return count;
}

export function save_state(): usize {
  store<i32>(saveBuffer(1), count, 8);
  return saved(12);
}

// A newer format would lose what it added: refused, not guessed.
export function load_state(ptr: usize, len: u32): i32 {
  const format = formatOf(ptr, len);
  if (format > 1) return Load.NewerFormat;
  if (format == 0 || len != 12) return Load.NotMyState;
  count = load<i32>(ptr, 8);
  return Load.Ok;
}
