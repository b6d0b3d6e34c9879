// Tally 1.1.0: adds keys() and remove(key), reads 1.0.0's state (format 1).
import { decode, encode } from "./state";

/** The oldest state format this version reads. */
const READS_FROM: u32 = 1;

let counts = new Map<string, i32>();

export function add(key: string): i32 {
  const n = (counts.has(key) ? counts.get(key) : 0) + 1;
  counts.set(key, n);
  return n;
}

export function get(key: string): i32 {
  return counts.has(key) ? counts.get(key) : 0;
}

/** The keys counted, sorted, joined by ",". */
export function keys(): string {
  return counts.keys().sort().join(",");
}

export function remove(key: string): bool {
  return counts.delete(key);
}

export function save_state(): Uint8Array {
  return encode(counts);
}

export function load_state(state: Uint8Array): void {
  counts = decode(state, READS_FROM);
}
