// Types of `virtual:wasm-hotswap`, the client side of wasm-hotswap/vite. In the app's
// TypeScript: `/// <reference types="wasm-hotswap/vite/client" />`.
declare module "virtual:wasm-hotswap" {
  /** The registry the plugin serves (`vite dev`) or emitted (`vite build`): `<base>wasm-hotswap/`. */
  export const registry: string;
  /** A version the plugin published, as the HMR event carries it. */
  export interface Published {
    name: string;
    version: string;
    digest?: string;
    unchanged: boolean;
    /** Milliseconds: `cargo` and `bindgen` for a crate, `publish` (the CLI), `total`. */
    timings: { cargo?: number; bindgen?: number; publish: number; total: number };
    /** `Date.now()` when the plugin saw the first change of this rebuild. */
    changed: number;
  }
  /**
   * In `vite dev`, swaps `m` to each version of package `name` the plugin publishes (a refusal
   * goes to Vite's error overlay, and `m` keeps serving); a no-op in a build. Returns a
   * function that stops it.
   */
  export function hot(
    m: import("wasm-hotswap").HotModule<any>,
    name: string,
    handlers?: {
      onSwap?: (report: import("wasm-hotswap").SwapReport, published: Published) => void;
      onError?: (error: unknown, published: Published) => void;
    },
  ): () => void;
}
