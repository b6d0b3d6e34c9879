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
//! A swap is a pipeline. Each stage is a module of this crate and returns a value that only it
//! can build, so a later stage cannot be reached with an input that skipped an earlier one:
//!
//! 0. With a registry, [`registry`] first resolves the package name and range to one version
//!    and the digest the registry names for it: a static registry's index, or an OCI
//!    registry's tags and manifest. It ends with a URL and a digest, where step 1 begins.
//! 1. `fetch` requests the URL (or takes bytes in hand) and tees the body: one branch streams
//!    into `WebAssembly.compileStreaming`, the other into an incremental SHA-256.
//! 2. [`verify`] compares the hash with the digest asked for. Only it makes a
//!    [`verify::Verified`]. The compiled module can only be claimed with a [`gate::Checked`],
//!    which needs a `Verified`: nothing is instantiated from unverified bytes.
//! 3. [`inspect`] reads the interface from the binary with wasmparser: imports and exports
//!    with their full signatures, and the `version` custom section. (JS's
//!    `WebAssembly.Module.exports()` has no signatures.)
//! 4. [`gate`] checks the guest contract ([`contract`]), that the host provides every import,
//!    and that every export of the serving version is still there with the same type.
//! 5. `compile` waits for the compiler, which ran alongside the download.
//! 6. `prepare` instantiates the new module in isolation. Its start function runs; nothing
//!    the app can reach points at it yet.
//! 7. `commit` is synchronous: `save_state` on the old instance, `alloc_state` on the new
//!    one, a copy between the two memories, `load_state`, then the exports are rebound.
//!
//! Every `await` happens in stages 1 to 6, while the old instance goes on serving. A failure in
//! any of them, or in the commit, leaves the old instance serving with its state: the commit
//! touches the old instance only through `save_state`, which does not change its state, and
//! rebinds last.
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
//! ## Concurrency
//!
//! Swaps of one module are serialized: a `swap` called while another runs starts when that one
//! has settled, succeeded or failed, and is gated against the version serving then. During the
//! synchronous commit no other JS runs, except what the guests themselves call through their
//! imports; any call to an export made from there throws `HotSwapError` with code
//! `SWAP_IN_PROGRESS` instead of reaching a half-swapped module.
//!
//! # The guest contract
//!
//! Any core module is a guest. A stateful guest also exports `memory`,
//! `save_state: () -> i32` (a pointer to a u32 LE pointer and a u32 LE length of its state
//! bytes), `alloc_state: (len: i32) -> i32` (a pointer to `len` writable bytes, 0 if it cannot)
//! and `load_state: (ptr: i32, len: i32) -> i32` (0 on success). A guest with none of the
//! three is stateless; one with some but not all is invalid. The version is the standard
//! `version` custom section. See [`contract`], and the `hotswap-guest` crate for Rust guests.
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
//! # Limits
//!
//! - Core modules only: a Component Model binary is refused with `UNSUPPORTED_COMPONENT`.
//! - State pointers are 32-bit, so a stateful guest's memory is a 32-bit memory.
//! - The commit runs on the thread that called `swap`; a guest instantiated in a worker is
//!   swapped by a runtime in that worker.
//! - Exports captured as raw objects (`Memory`, `Global`, `Table`) are not rebound.
//! - The runtime keeps the module's bytes only while it inspects them; the old instance is
//!   released when the commit ends and is reclaimed by the garbage collector.
//!
//! The pure stages ([`digest`], [`verify`], [`inspect`], [`contract`], [`gate`], [`report`])
//! and the pure half of [`registry`] have no web-sys in them: they build natively and are
//! shared with the `hotswap` CLI.

#![warn(missing_docs)]

pub mod bump;
pub mod contract;
pub mod diff;
pub mod digest;
pub mod error;
pub mod expect;
pub mod gate;
pub mod inspect;
pub mod interface;
pub mod metadata;
pub mod policy;
pub mod registry;
pub mod report;
pub mod verify;
pub mod watch;
#[cfg(feature = "wit")]
pub mod wit;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
pub mod commit;
#[cfg(target_arch = "wasm32")]
pub mod compile;
#[cfg(target_arch = "wasm32")]
pub mod fetch;
#[cfg(target_arch = "wasm32")]
pub mod js;
#[cfg(target_arch = "wasm32")]
pub mod prepare;

#[cfg(target_arch = "wasm32")]
pub use api::{register_error_class_for_js, HotModule};
