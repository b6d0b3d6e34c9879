//! Compilation: of verified bytes, started by `fetch` the moment their digest matched. A host
//! that forbids compiling at run time (Cloudflare workerd) fails with `WASM_COMPILE_FORBIDDEN`,
//! not `INVALID_MODULE`.
//!
//! A module of at most [`SYNC_COMPILE_MAX`] bytes is compiled on the spot with
//! `new WebAssembly.Module` (about 2.5 ms of the thread per MB in Chromium, and no round trip to
//! the engine's compile thread and back); a larger one with `WebAssembly.compile`, which
//! overlaps inspect and the gate. Where the synchronous constructor throws (a host that limits
//! it on the main thread, or a module the engine refuses), `WebAssembly.compile` runs instead
//! and its answer is the one reported.
//!
//! The [`Compiling`] rides with its own bytes as their payload (`Verified::with`, in `fetch`)
//! through verify, inspect and the gate, and only a [`Checked`] turns it into a [`Compiled`]
//! module ([`compiled`]), which stays inside that `Checked`: the module instantiated is always
//! the one whose bytes were verified, inspected and gated. A compilation that is abandoned on an
//! error path has its rejection handled, so it never surfaces as an unhandled rejection.

use js_sys::{Array, Promise, Uint8Array, WebAssembly};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::error::Error;
use crate::gate::Checked;
use crate::js::{compile_forbidden, describe, Failure};
use crate::verify::Verified;

/// The largest module compiled synchronously: 2 MiB, which holds the thread for about 5 ms at
/// most (a third of a 60 Hz frame). Measured in Chromium (`node bench/probe-small.mjs`;
/// `bench/README.md`, "The compile of small modules"): `new WebAssembly.Module` takes 0.28 ms
/// for 10 KB, 0.81 ms for 256 KB and 2.53 ms for 1 MB, where `WebAssembly.compile` takes 0.60,
/// 1.32 and 3.44 ms until its promise settles; on two cores its background decoding also takes
/// the thread's core while the thread waits. Raised from 256 KB on 2026-12-02: a 1 MB swap
/// went from 1.70x to 1.39x of bench figure 1's floor, a 1 MB load from 1.30x to 1.13x of
/// figure 4's.
pub const SYNC_COMPILE_MAX: u32 = 2 << 20;

/// One module's compilation: done on the spot, or under way.
enum Compilation {
    Done(WebAssembly::Module),
    Pending(Promise),
}

/// A compilation under way: of one module, or of a component's core modules, each by its
/// name.
pub struct Compiling(Vec<(String, Compilation)>);

impl Compiling {
    /// Compiles `bytes`: synchronously up to [`SYNC_COMPILE_MAX`] bytes, else (or when that
    /// throws) by starting `WebAssembly.compile`.
    pub fn bytes(bytes: &Uint8Array) -> Self {
        let compilation = match bytes.length() <= SYNC_COMPILE_MAX {
            true => match WebAssembly::Module::new(bytes) {
                Ok(module) => Compilation::Done(module),
                Err(_) => Compilation::Pending(WebAssembly::compile(bytes)),
            },
            false => Compilation::Pending(WebAssembly::compile(bytes)),
        };
        Compiling(vec![(String::new(), compilation)])
    }

    /// No compilation: the payload of bytes that are not compiled here (glue, a component).
    pub fn none() -> Self {
        Compiling(Vec::new())
    }

    /// The compilations of a component's core modules, each started on its own verified bytes
    /// (by [`crate::fetch::fetch`]), under the name its transpiled JS asks for it. The proofs
    /// of the cores' bytes end here: what rides on is the component's [`crate::verify::Verified`].
    pub fn cores(cores: Vec<(String, Verified<Compiling>)>) -> Self {
        let mut all = Vec::with_capacity(cores.len());
        for (name, verified) in cores {
            let (_, mut compiling) = verified.split();
            all.extend(
                compiling
                    .0
                    .drain(..)
                    .map(|(_, compilation)| (name.clone(), compilation)),
            );
        }
        Compiling(all)
    }

    /// Waits for the compiled modules.
    async fn finish(mut self) -> Result<Compiled, Failure> {
        let mut modules = Vec::with_capacity(self.0.len());
        let mut synchronous = true;
        for (name, compilation) in std::mem::take(&mut self.0) {
            synchronous &= matches!(compilation, Compilation::Done(_));
            let promise = match compilation {
                Compilation::Done(module) => {
                    modules.push((name, module));
                    continue;
                }
                Compilation::Pending(promise) => promise,
            };
            let module = match JsFuture::from(promise).await {
                Ok(module) => module,
                Err(cause) => {
                    let which = if name.is_empty() {
                        String::new()
                    } else {
                        format!("core module `{name}`: ")
                    };
                    // A host that compiles nothing (workerd) is told apart from a bad module.
                    let error = if compile_forbidden() {
                        Error::CompileForbidden {
                            reason: format!("{which}{}", describe(&cause)),
                        }
                    } else {
                        Error::InvalidModule {
                            reason: format!(
                                "{which}the engine refused to compile it ({})",
                                describe(&cause)
                            ),
                            offset: None,
                        }
                    };
                    return Err(Failure::caused(error, cause));
                }
            };
            modules.push((name, module.unchecked_into()));
        }
        Ok(Compiled(modules, synchronous))
    }
}

impl Drop for Compiling {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            // Abandoned on an error path: settle them quietly.
            let pending: Array = self
                .0
                .drain(..)
                .filter_map(|(_, compilation)| match compilation {
                    Compilation::Pending(promise) => Some(promise),
                    Compilation::Done(_) => None,
                })
                .collect();
            let _ = Promise::all_settled(&pending);
        }
    }
}

/// Waits for the compilation `checked` carries: the module compiled from its own bytes.
///
/// # Errors
/// [`Error::InvalidModule`] with the engine's error as cause; [`Error::CompileForbidden`]
/// where the host compiles no Wasm at all.
pub async fn compiled(checked: Checked<Compiling>) -> Result<Checked<Compiled>, Failure> {
    let (checked, compiling) = checked.split();
    Ok(checked.with(compiling.finish().await?))
}

/// A compiled module whose bytes passed verification and the gate, or a component's compiled
/// core modules.
pub struct Compiled(Vec<(String, WebAssembly::Module)>, bool);

impl Compiled {
    /// Whether every module was compiled synchronously: the host allows the synchronous
    /// constructors for modules of this size (Chromium before 114 refused both
    /// `new WebAssembly.Module` and `new WebAssembly.Instance` above 4 KB on the main thread).
    pub fn synchronous(&self) -> bool {
        self.1
    }

    /// The `WebAssembly.Module` (a component's first core module).
    pub fn module(&self) -> &WebAssembly::Module {
        &self.0[0].1
    }

    /// A component's core modules, by name.
    pub fn cores(&self) -> &[(String, WebAssembly::Module)] {
        &self.0
    }
}
