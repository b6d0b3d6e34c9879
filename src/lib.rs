//! # wasm-hotswap
//!
//! Replaces a running WebAssembly module in the browser with a newer version, in place: fetched
//! by content digest, verified, checked against the interface the app relies on, its state moved
//! from the old instance to the new one and every JS reference to its exports rebound. No page
//! reload, no lost call, no lost state.
//!
//! Apps use it from JS through the `wasm-hotswap` npm package:
//!
//! ```js
//! import { HotModule, HotSwapError } from "wasm-hotswap";
//! const m = await HotModule.load({ url: "/counter-1.0.0.wasm", digest: "sha256:…" });
//! const increment = m.exports.increment;           // a plain function, valid across swaps
//! increment(1);
//! const report = await m.swap({ url: "/counter-1.1.0.wasm", digest: "sha256:…" });
//! increment(1);                                    // now reaches 1.1.0, with the count kept
//! ```
//!
//! # How it works
//!
//! A load or a swap is a pipeline, and `pipeline` runs it as one function
//! each that reads top to bottom. Each stage is a module of this crate and returns a value that
//! only it can build, so a later stage cannot be reached with an input that skipped an earlier
//! one:
//!
//! 1. **resolve**: with a registry, its index (or OCI tags and manifest) names the version
//!    wanted and its digest ([`registry`]); under `policy.trust` the version's signature is
//!    checked there, before any blob is requested ([`signature`]). A URL or bytes in hand
//!    come with their digest.
//! 2. **fetch**: `fetch` requests the URL (or takes the bytes in hand) and collects the body.
//! 3. **verify**: [`verify`] compares the SHA-256 (WebCrypto's, or, for at most 64 KB, the
//!    runtime's own, computed as the bytes arrive) with the digest asked for. Only it makes a
//!    [`verify::Verified`]; the verified bytes are then compiled (no byte reaches the compiler
//!    before its digest is checked): on the spot with `new WebAssembly.Module` up to 2 MiB,
//!    else by starting `WebAssembly.compile`, and the compilation rides with them as their
//!    payload (`compile`).
//! 4. **inspect**: [`inspect`] reads the interface from the binary with wasmparser: imports and
//!    exports with their full signatures ([`interface`]), the `version` section and the other
//!    metadata ([`metadata`]). (JS's `WebAssembly.Module.exports()` has no signatures.)
//! 5. **gate**: [`gate`] asks the guest's kind ([`guest`]) what it is and what to compare,
//!    checks its contract ([`contract`]), that the host provides every import, the version
//!    step ([`policy`], [`bump`], [`diff`]), the host's consent to a major upgrade, and the
//!    host's expectation ([`expect`]). Only it makes a [`gate::Checked`], which still carries
//!    the compilation.
//! 6. **compile**: `compile` waits for the compiler, which ran alongside inspect and the gate
//!    (or was done already); the compiled module stays inside its `Checked`.
//! 7. **prepare**: `prepare` instantiates the new module in isolation, the way its guest kind
//!    is instantiated. Its start function runs; nothing the app can reach points at it yet.
//! 8. **commit**: `commit` is synchronous: the old instance saves its state, the new one loads
//!    it (for a raw guest `save_state`, `alloc_state`, a copy between memories, `load_state`),
//!    then the exports are rebound.
//!
//! Every `await` happens in stages 1 to 7, while the old instance goes on serving. A failure in
//! any of them, or in the commit, leaves the old instance serving with its state: the commit
//! touches the old instance only through its save, which does not change its state, and
//! rebinds last. Errors stay typed ([`error::Error`]) until the JS boundary.
//!
//! ## Exports
//!
//! `m.exports` is one object for the module's life. Each function export is a plain JS
//! function of the export's arity that calls through a cell holding the serving instance's
//! function; the commit rewrites the cells. So a function the app captured before a swap
//! reaches the new instance after it, and no `Proxy` sits on the call path (a `Proxy` costs
//! 3.5 to 6 times more per call). Exports a new version adds appear on the same object. The
//! state functions (`save_state`, `alloc_state`, `load_state`) are the runtime's and are not
//! on it.
//!
//! Memory, table and global exports are getters that return the serving instance's object.
//! A `WebAssembly.Memory` or `Global` the app kept from before a swap still refers to the
//! retired instance: read `m.exports.memory` again after a swap rather than holding it.
//! Globals are not migrated; state moves only through `save_state` and `load_state`.
//!
//! ## Staged updates
//!
//! `m.prepare(options)` runs stages 1 to 7 and stops: the app commits the `StagedUpdate` when
//! it chooses, synchronously, and the commit refuses with `STALE_UPDATE` if another version
//! was committed since (`swap` is a prepare and a commit in one turn of the queue).
//!
//! ## State outside the instance
//!
//! `m.snapshot()` copies the serving instance's state bytes out, through its kind's save;
//! `load({ state })` loads such bytes into the first instance before `load` resolves, and a
//! guest refusing them fails the load. `persist: { key }` keeps a snapshot in IndexedDB, taken
//! after each swap, when the page hides and on an interval, and restores it on the next load;
//! a stored snapshot the guest refuses, or a corrupted one, never fails the load: the module
//! starts fresh and an event says why ([`persist`]). A guest designed stateless can import a
//! host-backed key-value store instead (`hotswap:kv`, [`kv`]), the same store for every
//! version of the module, persisted with it.
//!
//! ## Concurrency
//!
//! Swaps of one module are serialized ([`queue`]): a `swap` takes its place in line when it is
//! called, starts when the one before it has settled, succeeded or failed, and is gated
//! against the version serving then. During the synchronous commit no other JS runs, except
//! what the guests themselves call through their imports; any call to an export made from
//! there throws `HotSwapError` with code `SWAP_IN_PROGRESS` instead of reaching a half-swapped
//! module.
//!
//! ## Async guests (JSPI)
//!
//! A raw guest whose imports object gives any import it declares as a
//! `WebAssembly.Suspending` function is async: a call can be suspended in the middle, awaiting
//! a host promise. The first version decides it for the module's life. Its export table wraps
//! each function export with `WebAssembly.promising` and counts the calls in flight; a sync
//! guest's call path is untouched. A swap (or a rollback) of an async guest, once prepared,
//! queues new calls, waits up to `drainTimeout` for the ones in flight to settle, commits as
//! any guest does (so the state is saved with no call suspended in the old instance), then
//! releases the queue to whatever serves; past `drainTimeout` it fails with `DRAIN_TIMEOUT`
//! and the old version serves every call. A staged `commit()` cannot wait, so it throws
//! `DRAIN_TIMEOUT` while calls are in flight. See `drain`.
//!
//! # The guest contract
//!
//! Any core module is a guest. A stateful guest also exports `memory`,
//! `save_state: () -> i32` (a pointer to a u32 LE pointer and a u32 LE length of its state
//! bytes), `alloc_state: (len: i32) -> i32` (a pointer to `len` writable bytes, 0 if it cannot)
//! and `load_state: (ptr: i32, len: i32) -> i32` (0 on success). A guest with none of the
//! three is stateless; one with some but not all is invalid. The version is the standard
//! `version` custom section. See [`contract`], and the `hotswap-guest` crate for Rust guests.
//! What differs between kinds of guest is behind one seam, [`guest`]: a wasm-bindgen crate is
//! loaded with its glue (`glue: { url, digest }`), which the runtime verifies and runs a fresh
//! copy of per version, and its state moves through the glue's `save_state` and `load_state`.
//! A Component Model component is loaded from a registry entry that names it, the JS `jco
//! transpile --instantiation async` made of it and its core modules: every blob is verified,
//! the core modules compiled from their verified bytes and handed to a fresh copy of the JS's
//! `instantiate` through `getCoreModule`; the gate reads the component's own bytes (its
//! top-level items, and in the `wit` build its WIT world), and its state moves through its
//! WIT exports `save-state` and `load-state`.
//! An AssemblyScript module loaded with its `asc --bindings raw` JS (`glue: { url, digest,
//! kind: "assemblyscript" }`, or an index entry's `glue.kind`) is run the same way, the
//! verified module handed to the JS's `instantiate(module, imports)`; its state moves through
//! the glue-level `save_state(): Uint8Array` and `load_state(Uint8Array)`. Loaded without
//! its JS, the same kind of module is a raw guest on the raw ABI.
//!
//! # Update delivery
//!
//! `m.watch({ interval, events })` keeps a module loaded from a registry up to date: it polls
//! the package's index with conditional requests (a `304` costs no parse and no resolve), or
//! checks when the registry's event stream announces a version, and swaps to the versions the
//! update policy allows through the normal swap path, reporting `available`, `applied`,
//! `rejected` and `error` events. Tabs of one origin share one poller. See [`watch`].
//!
//! # Errors
//!
//! Every failure is an [`error::Error`] with a stable [`error::Error::code`]; in JS it is a
//! `HotSwapError` (extends `Error`) with `code`, a message naming the item, and `cause`.
//!
//! # Limitations
//!
//! - Four guest kinds: raw core modules, wasm-bindgen crates (`--target web` glue, 0.2.100
//!   and later, without JS snippets), components with the JS `jco transpile --instantiation
//!   async` wrote (a bare component is refused with `UNSUPPORTED_COMPONENT`, saying how to
//!   publish it), and AssemblyScript modules with their `asc --bindings raw` JS (not
//!   `--bindings esm`).
//! - Without the `wit` feature a component is gated by the names and sorts of its top-level
//!   items, not their WIT types; a component's resources die with its instance.
//! - A guest's glue runs through `new Function`: under a Content-Security-Policy
//!   the page needs `'trusted-types-eval'` (Chromium, with Trusted Types) or `'unsafe-eval'`.
//!   Module records would pin each version's memory for the page's life; see [`guest::glue`].
//! - For a wasm-bindgen guest, `expect.exports` and the gate see the `_bg.wasm`'s own
//!   signatures (a `&str` parameter is `(i32, i32)`), not the glue's JS ones; likewise for an
//!   AssemblyScript guest (a `string` parameter is an `i32`).
//! - State pointers are 32-bit, so a stateful guest's memory is a 32-bit memory.
//! - The commit runs on the thread that called `swap`; a guest instantiated in a worker is
//!   swapped by a runtime in that worker. Nothing assumes a window: workers (dedicated,
//!   module, shared), Node, Deno and Bun run the same runtime (on servers the npm package's
//!   `node` condition reads its wasm, and `file:` URLs, from disk). A host that compiles no
//!   Wasm at run time (Cloudflare workerd) gets `WASM_COMPILE_FORBIDDEN` (`compile`).
//! - Exports captured as raw objects (`Memory`, `Global`, `Table`) are not rebound.
//! - `persist` lives in IndexedDB, with its quota, eviction and private-mode limits; only raw
//!   core modules reach the `hotswap:kv` store.
//! - Async (JSPI) guests are raw core modules only: a component given a
//!   `WebAssembly.Suspending` import is refused (`INVALID_GUEST`), and a wasm-bindgen guest's
//!   glue makes its own imports, so it is sync. A module loaded sync refuses an async version.
//!   An automatic rollback (probation) does not drain; a call in flight that awaits another
//!   export of its module waits in the queue until `drainTimeout` fails the swap.
//! - The runtime keeps the module's bytes only while it inspects them; the old instance is
//!   released when the commit ends and is reclaimed by the garbage collector.
//!
//! # Modules
//!
//! The pure ones, which have no web-sys in them, build natively and are shared with the
//! `hotswap` CLI: [`error`], [`options`], [`registry`] (its formats), [`signature`] (payloads,
//! keys and signature forms), [`digest`], [`verify`],
//! [`interface`], [`metadata`], [`inspect`], [`guest`] (its kinds), [`contract`], [`diff`],
//! [`bump`], [`policy`], [`expect`], [`gate`], [`queue`], [`report`], [`watch`] (its
//! decisions), [`persist`] and [`kv`] (their rules) and, with the `wit` feature, `wit`. The
//! browser ones: `js`, `fetch`, `compile`, `prepare`, `drain`, `commit`, `pipeline` and `api`,
//! plus the browser halves of `guest`, `watch`, `registry`, `persist` and `kv`.

#![warn(missing_docs)]

// Every stage of the pipeline, in its order; the pure modules first within each stage.
pub mod error; // the one error enum, with stable codes
pub mod options; // what load and swap are asked, and the rules between options

// resolve
pub mod registry; // static, OCI and Warg registries: indexes, logs, version selection, clients
pub mod signature; // who approved a version: payloads, keys, ECDSA signature forms

// fetch, verify
pub mod digest; // `sha256:<hex>` digests
#[cfg(target_arch = "wasm32")]
pub mod fetch; // module bytes, streamed to the compiler and the hash
pub mod verify; // the SHA-256 check; only it makes a `Verified`

// inspect
pub mod inspect; // the interface, read from the binary in one pass
pub mod interface; // the type model: imports and exports with their full types
pub mod metadata; // the `version` section and the other wasm-metadata sections

// gate
pub mod bump; // the semver rule: which bump a change needs
pub mod contract; // the raw guest contract: state exports and their signatures
pub mod diff; // what changed between two interfaces, each change named
pub mod expect; // what the host declares it needs
pub mod gate; // the checks before instantiation; only it makes a `Checked`
pub mod guest; // the guest-kind seam: what differs between kinds of guest
pub mod policy; // which version steps are allowed
#[cfg(feature = "wit")]
pub mod wit; // WIT worlds in `component-type` sections

// compile, prepare, commit
#[cfg(target_arch = "wasm32")]
pub mod commit; // the synchronous commit: state moved, exports rebound
#[cfg(target_arch = "wasm32")]
pub mod compile; // the compilation, claimed only through a `Checked`
#[cfg(target_arch = "wasm32")]
mod drain; // an async guest's calls in flight settle before its commit
#[cfg(target_arch = "wasm32")]
pub mod prepare; // the new instance, made in isolation
pub mod report; // what a swap reports: stages and their times

// running it
#[cfg(target_arch = "wasm32")]
mod api; // the wasm-bindgen surface: `HotModule`
#[cfg(target_arch = "wasm32")]
pub mod js; // the JS side: export table, errors, clock, fetch with a timeout
pub mod kv; // the host-backed key-value store guests import as `hotswap:kv`
pub mod persist; // snapshots outside the instance, kept in IndexedDB
#[cfg(target_arch = "wasm32")]
mod pipeline; // load and swap, stage by stage
pub mod queue; // one swap at a time, in call order
pub mod watch; // update delivery: polling, events, tabs

#[cfg(target_arch = "wasm32")]
pub use api::{register_error_class_for_js, HotModule};

// Talc instead of Rust's default dlmalloc: several kilobytes less code, and faster.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
