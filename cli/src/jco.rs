//! A component turned into JS and core modules by the npm package `@bytecodealliance/jco`
//! (`jco transpile --instantiation async`), which the runtime loads in the browser.
//!
//! Why the npm package and not its native twin: jco's transpiler is the Rust crate
//! `js-component-bindgen`, compiled to Wasm inside the npm package. Its current release
//! (2.18) needs rustc 1.96 (through wasmtime-environ 49) while these machines have 1.95, and
//! the older releases that build pull a second wasmparser / wit-component line and
//! wasmtime-environ with cranelift into the CLI. The npm package is already a dev dependency
//! of the project (`package.json`) and is exactly what users run; the CLI runs it as a
//! program, found by [`locate`].

use std::path::{Path, PathBuf};
use std::process::Command;

use wasm_hotswap::digest::Digest;
use wasmparser::{Encoding, Parser, Payload};

use crate::exit::{Exit, Failure};

/// The environment variable naming the `jco` program, after `--jco`.
pub const ENV: &str = "HOTSWAP_JCO";

/// How to get jco, for the `JCO_NOT_FOUND` message.
const INSTALL: &str = "install it with `npm install --save-dev @bytecodealliance/jco` (the \
     project's `npm ci` does), or name the program with --jco PATH or HOTSWAP_JCO";

/// One file jco wrote, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Its name in jco's output folder, which the JS uses: `counter.core.wasm`.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Their SHA-256.
    pub digest: Digest,
}

impl File {
    fn new(name: String, bytes: Vec<u8>) -> Self {
        File {
            digest: Digest::of(&bytes),
            name,
            bytes,
        }
    }
}

/// What `jco transpile --instantiation async` wrote for a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transpiled {
    /// The ES module whose `instantiate(getCoreModule, imports)` instantiates the component.
    pub js: File,
    /// Every core module jco wrote, by file name (sorted), each of them one the JS asks
    /// `getCoreModule` for.
    pub cores: Vec<File>,
}

/// Finds the `jco` program, in this order:
///
/// 1. `flag` (`--jco PATH`), which must exist;
/// 2. the environment variable [`ENV`] (`HOTSWAP_JCO`), which must exist;
/// 3. `node_modules/.bin/jco` in the current directory or the nearest parent that has one
///    (an `npm install` of the project);
/// 4. `jco` on `PATH`.
///
/// # Errors
/// `JCO_NOT_FOUND` (exit 3) naming where it looked and how to install it.
pub fn locate(flag: Option<&Path>) -> Result<PathBuf, Failure> {
    let not_found = |looked: String| {
        Failure::new(
            Exit::Io,
            "JCO_NOT_FOUND",
            format!("jco, which transpiles components to JS, was not found: {looked}; {INSTALL}"),
        )
    };
    if let Some(path) = flag {
        return match path.is_file() {
            true => Ok(path.to_path_buf()),
            false => Err(not_found(format!(
                "--jco `{}` is not a file",
                path.display()
            ))),
        };
    }
    if let Some(path) = std::env::var_os(ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        return match path.is_file() {
            true => Ok(path),
            false => Err(not_found(format!(
                "{ENV} `{}` is not a file",
                path.display()
            ))),
        };
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let local = cwd
        .ancestors()
        .map(|dir| dir.join("node_modules/.bin/jco"))
        .find(|path| path.is_file());
    if let Some(path) = local {
        return Ok(path);
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("jco"))
                .find(|path| path.is_file())
        })
        .unwrap_or_default();
    on_path.ok_or_else(|| {
        not_found(format!(
            "no --jco, no {ENV}, no node_modules/.bin/jco in `{}` or above, no jco on PATH",
            cwd.display()
        ))
    })
}

/// Transpiles the component `bytes` (read from `path`, named in errors) with the `jco`
/// program, as `jco transpile <file> --instantiation async --no-typescript --no-nodejs-compat
/// --minify --base64-cutoff 0 --name <stem> -o <tmp>`: `--base64-cutoff 0` keeps every core
/// module a file of its own rather than base64 in the JS, so each is a blob the runtime
/// compiles (jco 1.35 writes files in `--instantiation` mode anyway; the flag keeps it so
/// should that change); `--minify` halves the JS the browser downloads (234 KB to 120 KB for
/// the Rust example, 36 KB to 22 KB gzipped), and `--no-nodejs-compat` leaves out the code
/// that fetches core modules from disk in Node, which `getCoreModule` makes dead. Then checks
/// the output:
///
/// - exactly one `<stem>.js`;
/// - every `getCoreModule('…')` name the JS asks for was written, as a core module;
/// - every `.wasm` written is a core module the JS asks for.
///
/// # Errors
/// `IO_ERROR` (exit 3) for the temporary folder or a jco that cannot be started;
/// `TRANSPILE_FAILED` (exit 2) naming the file, with jco's message, when jco fails or its
/// output does not pass the checks above.
pub fn transpile(jco: &Path, path: &Path, bytes: &[u8], stem: &str) -> Result<Transpiled, Failure> {
    let failed = |why: String| {
        Failure::new(
            Exit::InvalidInput,
            "TRANSPILE_FAILED",
            format!("{}: jco transpile failed: {why}", path.display()),
        )
    };
    let tmp = tempfile::Builder::new()
        .prefix("hotswap-jco-")
        .tempdir()
        .map_err(|e| Failure::io("creating a temporary folder in", &std::env::temp_dir(), &e))?;
    let input = tmp.path().join(format!("{stem}.component.wasm"));
    std::fs::write(&input, bytes).map_err(|e| Failure::io("writing", &input, &e))?;
    let out = tmp.path().join("out");
    let output = Command::new(jco)
        .arg("transpile")
        .arg(&input)
        .args(["--instantiation", "async", "--no-typescript", "--quiet"])
        .args(["--no-nodejs-compat", "--minify"])
        .args(["--base64-cutoff", "0", "--name", stem, "-o"])
        .arg(&out)
        .output()
        .map_err(|e| Failure::io("running", jco, &e))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let message = [stderr.trim(), stdout.trim()]
            .into_iter()
            .find(|m| !m.is_empty())
            .unwrap_or("no output");
        return Err(failed(format!(
            "{} exited with {}: {message}",
            jco.display(),
            output.status
        )));
    }
    let js_name = format!("{stem}.js");
    let mut js = None;
    let mut wasm = Vec::new();
    let entries = std::fs::read_dir(&out).map_err(|e| Failure::io("reading", &out, &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Failure::io("reading", &out, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let file = entry.path();
        if name == js_name {
            let bytes = std::fs::read(&file).map_err(|e| Failure::io("reading", &file, &e))?;
            js = Some(File::new(name, bytes));
        } else if name.ends_with(".wasm") {
            let bytes = std::fs::read(&file).map_err(|e| Failure::io("reading", &file, &e))?;
            wasm.push(File::new(name, bytes));
        }
    }
    let js = js.ok_or_else(|| failed(format!("it wrote no `{js_name}`")))?;
    wasm.sort_by(|a, b| a.name.cmp(&b.name));
    let text = std::str::from_utf8(&js.bytes)
        .map_err(|e| failed(format!("`{js_name}` is not UTF-8: {e}")))?;
    let asked = core_module_names(text);
    for name in &asked {
        match wasm.iter().find(|f| &f.name == name) {
            None => {
                return Err(failed(format!(
                    "`{js_name}` asks getCoreModule for `{name}`, which jco did not write"
                )))
            }
            Some(file) if !is_core_module(&file.bytes) => {
                return Err(failed(format!("`{name}` is not a core module")))
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = wasm.iter().find(|f| !asked.contains(&f.name)) {
        return Err(failed(format!(
            "it wrote `{}`, which `{js_name}` never asks getCoreModule for",
            extra.name
        )));
    }
    Ok(Transpiled { js, cores: wasm })
}

/// The names the transpiled JS passes to `getCoreModule`, in order, each once: the
/// runtime's own reading ([`wasm_hotswap::guest::glue::jco_core_names`]).
pub fn core_module_names(js: &str) -> Vec<String> {
    wasm_hotswap::guest::glue::jco_core_names(js)
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn is_core_module(bytes: &[u8]) -> bool {
    matches!(
        Parser::new(0).parse_all(bytes).next(),
        Some(Ok(Payload::Version {
            encoding: Encoding::Module,
            ..
        }))
    )
}
