// Tally 1.0.0 in AssemblyScript, built with `asc --bindings raw`: counts strings. Its API takes
// strings, which the raw bindings lift and lower; its state moves through the glue-level
// save_state/load_state.
import { decode, encode } from "./state";

let counts = new Map<string, i32>();

export function add(key: string): i32 {
  const n = (counts.has(key) ? counts.get(key) : 0) + 1;
  counts.set(key, n);
  return n;
}

export function get(key: string): i32 {
  return counts.has(key) ? counts.get(key) : 0;
}

export function save_state(): Uint8Array {
  return encode(counts);
}

export function load_state(state: Uint8Array): void {
  counts = decode(state, 1);
}
