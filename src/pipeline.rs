//! The stages of `load` and of `swap`, in order: [`stages`] reads top to bottom as resolve →
//! fetch → verify → inspect → gate → compile → prepare, and `load` and `swap` each end it
//! with their commit (the first instance's binding, or the synchronous swap): a swap is
//! [`prepare_swap`] then [`commit_staged`], in one turn of the module's queue for `m.swap`, or
//! committed later by the app for `m.prepare`, only against the version it was gated against.
//!
//! Every stage hands the next a value only it can make ([`crate::verify::Verified`],
//! [`crate::gate::Checked`], [`crate::prepare::Prepared`]); every `.await` comes before the
//! commit, which is synchronous. Errors stay typed ([`Failure`]) until the JS boundary in
//! `api`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use js_sys::{Function, Object, Promise, Reflect, WebAssembly};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::commit::{commit, Serving};
use crate::compile::{compiled, Compiling};
use crate::contract::Statefulness;
use crate::diff::Change;
use crate::digest::Digest;
use crate::error::Error;
use crate::fetch::{fetch, fetch_blob, Source};
use crate::gate::{self, Checked, Provided};
use crate::guest::bindgen::Glue;
use crate::inspect::{inspect, Inspected};
use crate::interface::Interface;
use crate::js::{now, with_timeout, ExportTable, Failure};
use crate::options::UpdatePolicy;
use crate::options::{AllowMajor, Origin, Package};
use crate::prepare::{prepare, Prepared};
use crate::registry::index::GlueKind;
use crate::registry::{check_listed_version, resolve_static};
use crate::report::{CommitStages, Restore, RollbackReport, Stages, SwapReport};
use crate::verify::Verified;

use crate::api::options::JsOptions;

/// What a swap changes: the instance serving, the exports the app holds, and the imports in
/// use.
pub(crate) struct Live {
    /// The instance serving now.
    pub serving: RefCell<Serving>,
    /// The stable exports object and its cells.
    pub table: ExportTable,
    /// The imports object the serving instance was made with; `swap`'s default.
    pub imports: RefCell<Object>,
    /// How many commits there have been: a staged update prepared at another count is stale.
    pub commits: std::cell::Cell<u64>,
    /// The versions that served before, the latest first, each with the imports it was made
    /// with: kept, instance and all, for `rollback()` and probation (`retain` − 1 of them).
    pub retained: RefCell<VecDeque<(Serving, Object)>>,
    /// How many versions to keep, the serving one included (`load`'s `retain`).
    pub retain: usize,
}

impl Live {
    /// Keeps `previous`, which served until the commit just made, for a rollback, dropping
    /// the oldest kept beyond `retain`.
    fn keep(&self, previous: Serving, imports: Object) {
        let mut retained = self.retained.borrow_mut();
        if self.retain > 1 {
            retained.push_front((previous, imports));
        }
        retained.truncate(self.retain.saturating_sub(1));
    }
}

/// `fetch` as the options ask for it: the given one (or the global one) with their `timeout`.
pub(crate) fn fetch_with_timeout(options: &JsOptions) -> Option<Function> {
    match options.timeout {
        Some(ms) => Some(with_timeout(options.fetch.clone(), ms)),
        None => options.fetch.clone(),
    }
}

/// `load`: every stage, then the first instance serves.
///
/// # Errors
/// The first stage's failure.
pub(crate) async fn load(options: &JsOptions) -> Result<Live, Failure> {
    let imports = options.imports.clone().unwrap_or_default();
    let (prepared, _) = stages(options, &imports, None).await?;
    let table = ExportTable::new();
    let serving = Serving::first(prepared, &table);
    Ok(Live {
        serving: RefCell::new(serving),
        table,
        imports: RefCell::new(imports),
        commits: std::cell::Cell::new(0),
        retained: RefCell::new(VecDeque::new()),
        retain: options.retain,
    })
}

/// A swap with every stage done but the commit: the new instance made, nothing visible yet.
pub(crate) struct Staged {
    prepared: Prepared,
    imports: Object,
    from: String,
    from_version: Option<String>,
    start: f64,
    /// [`Live::commits`] when it was prepared.
    commits: u64,
    /// The digest and version it would serve, written out once, before the commit.
    to: String,
    to_version: Option<String>,
    /// Its report, made before the commit, which only adds the commit's numbers to it.
    report: JsValue,
    /// The policy it was gated under, whose probation and health check follow its commit.
    pub(crate) policy: std::rc::Rc<UpdatePolicy<Function>>,
}

impl Staged {
    /// The digest and version it would serve.
    pub(crate) fn target(&self) -> (String, Option<String>) {
        (self.to.clone(), self.to_version.clone())
    }
}

/// Every stage of a swap but the commit, gated against the version serving now.
///
/// # Errors
/// The first stage's failure; the old instance still serves, with its state.
pub(crate) async fn prepare_swap(
    live: &Live,
    options: JsOptions,
    queued_at: f64,
) -> Result<Staged, Failure> {
    let start = now();
    let imports = options
        .imports
        .clone()
        .unwrap_or_else(|| live.imports.borrow().clone());
    let commits = live.commits.get();
    let (from, from_version, kept) = {
        let serving = live.serving.borrow();
        let kept = serving.compared().into_owned();
        (serving.digest().to_string(), serving.version(), kept)
    };
    let (prepared, stages) = stages(&options, &imports, Some(&kept)).await?;
    crate::drain::check_kept(&live.table, prepared.instance())?;
    let to = prepared.digest().to_string();
    let to_version = prepared
        .interface()
        .version
        .as_ref()
        .map(ToString::to_string);
    let judgement = prepared.judgement();
    let report = crate::js::report_to_js(&SwapReport {
        from: from.clone(),
        from_version: from_version.clone(),
        to: to.clone(),
        to_version: to_version.clone(),
        guest: prepared.guest().state,
        bump: judgement.and_then(|j| j.declared),
        changes: judgement
            .map(|j| j.diff.changes.clone())
            .unwrap_or_default(),
        state_bytes: 0.0,
        stages,
        commit: 0.0,
        commit_stages: CommitStages::default(),
        total: 0.0,
        queued: start - queued_at,
        rollback: None,
    });
    Ok(Staged {
        prepared,
        to,
        to_version,
        report,
        imports,
        from,
        from_version,
        start,
        commits,
        policy: std::rc::Rc::clone(&options.policy),
    })
}

/// The commit of a staged swap: synchronous, and only against the version it was gated
/// against.
///
/// # Errors
/// [`Error::StaleUpdate`] when another version was committed since it was prepared; then the
/// state save and load errors of [`commit`]. Either way the version serving keeps serving.
pub(crate) fn commit_staged(live: &Live, staged: Staged) -> Result<JsValue, Failure> {
    if live.commits.get() != staged.commits {
        let (digest, version) = staged.target();
        let serving = live.serving.borrow();
        let reason = format!(
            "the update to {} was prepared against {}, but {} was committed since",
            version.unwrap_or(digest),
            staged.from_version.as_deref().unwrap_or(&staged.from),
            serving
                .version()
                .unwrap_or_else(|| serving.digest().to_string()),
        );
        return Err(Error::StaleUpdate { reason }.into());
    }
    // SYNC SECTION: no `.await` from here to the end of this function.
    let committed = commit(&live.serving.borrow(), staged.prepared, &live.table)?;
    let end = now();
    let label = staged.to_version.as_deref().unwrap_or_default();
    crate::js::measure_commit(label, end - committed.stages.total, end);
    let stages = &committed.stages;
    let report = crate::js::finish_report(
        &staged.report,
        committed.state_bytes as f64,
        stages.total,
        stages.save,
        stages.copy,
        stages.load,
        stages.rebind,
        now() - staged.start,
    );
    let previous = live.serving.replace(committed.serving);
    let previous_imports = live.imports.replace(staged.imports);
    live.keep(previous, previous_imports);
    live.commits.set(staged.commits + 1);
    Ok(report)
}

/// `rollback()`: back to the version that served before the last commit, synchronously. Its
/// instance was kept, so nothing is fetched or compiled. The gate's check is the host's
/// expectation (`expect.exports`); the downgrade is implied by the call, and exports only the
/// newer version had go away as after a consented major upgrade. With
/// [`Restore::State`] the current state moves into it like any swap, which it may refuse;
/// with [`Restore::Snapshot`] it serves with the state it had when it was swapped out.
///
/// # Errors
/// [`Error::NothingToRollBack`]; [`Error::IncompatibleInterface`] (the expectation);
/// [`Error::StateSaveFailed`] or [`Error::StateLoadFailed`] with [`Restore::State`]. The
/// version serving keeps serving.
pub(crate) fn rollback(
    live: &Live,
    restore: Restore,
    expect: &crate::expect::Expectation,
) -> Result<SwapReport, Failure> {
    let start = now();
    let retained = live.retained.borrow();
    let Some((target, _)) = retained.front() else {
        let reason = match live.retain {
            1 => "`retain` is 1, so no earlier version is kept".to_string(),
            _ => "no earlier version is kept: nothing was swapped in since the load, or every kept version was rolled back to".to_string(),
        };
        return Err(Error::NothingToRollBack { reason }.into());
    };
    let problems = expect.problems(&target.compared());
    if !problems.is_empty() {
        return Err(Error::IncompatibleInterface { problems }.into());
    }
    let serving = live.serving.borrow();
    // SYNC SECTION: no `.await` from here to the end of this function.
    let restored = crate::commit::restore(&serving, target, &live.table, restore)?;
    let changes = crate::diff::diff(&serving.compared(), &target.compared()).changes;
    let mut lost: Vec<String> = changes
        .iter()
        .filter(|c| c.severity == crate::diff::Severity::Breaking)
        .map(|c| c.item.clone())
        .collect();
    if restore == Restore::Snapshot && serving.guest().state == Statefulness::Stateful {
        lost.insert(0, format!("the state {} held", label(&serving)));
    }
    let report = SwapReport {
        from: serving.digest().to_string(),
        from_version: serving.version(),
        to: target.digest().to_string(),
        to_version: target.version(),
        guest: target.guest().state,
        bump: None,
        changes,
        state_bytes: restored.state_bytes as f64,
        stages: Stages::default(),
        commit: restored.stages.total,
        commit_stages: restored.stages,
        total: now() - start,
        queued: 0.0,
        rollback: Some(RollbackReport { restore, lost }),
    };
    drop(serving);
    drop(retained);
    if let Some((target, imports)) = live.retained.borrow_mut().pop_front() {
        live.serving.replace(target);
        live.imports.replace(imports);
    }
    live.commits.set(live.commits.get() + 1);
    Ok(report)
}

/// A version's name for messages: its version, else its digest.
fn label(serving: &Serving) -> String {
    serving
        .version()
        .unwrap_or_else(|| serving.digest().to_string())
}

/// Every stage before the commit, in order, with their times: resolve, fetch and verify,
/// inspect, gate (against `kept`, the serving version's interface, when there is one),
/// compile, prepare. `load` and `swap` share it: one copy of the sequence is about 1.3 KB
/// less of gzipped runtime than two.
async fn stages(
    options: &JsOptions,
    imports: &Object,
    kept: Option<&Interface>,
) -> Result<(Prepared, Stages), Failure> {
    let start = now();
    let fetch_fn = fetch_with_timeout(options);
    let found = resolve(options, fetch_fn.as_ref()).await?;
    let (source, kind) = (&found.source, found.glue.as_ref().map(|g| g.kind));
    let t0 = now();
    let progress = options.on_progress.as_ref();
    let (verified, glue) = fetch_all(&found, fetch_fn.as_ref(), progress).await?;
    let t1 = now();
    let inspected = inspect_listed(verified, source, found.listed.as_ref())?;
    let t2 = now();
    let checked = gate(inspected, kind, kept, options, imports).await?;
    let t3 = now();
    let checked = compiled(checked).await?;
    let t4 = now();
    let prepared = prepare(checked, imports, glue.as_ref()).await?;
    let t5 = now();
    let what = found
        .listed
        .as_ref()
        .map_or_else(|| found.digest.to_string(), ToString::to_string);
    crate::js::measure_stages(&what, start, t0, t1, t2, t3, t4, t5);
    let stages = Stages {
        resolve: t0 - start,
        fetch_verify: t1 - t0,
        inspect: t2 - t1,
        gate: t3 - t2,
        compile: t4 - t3,
        instantiate: t5 - t4,
    };
    Ok((prepared, stages))
}

/// The fetch and verify stage: every blob of the version at once, each verified against its
/// digest, the modules compiled as they arrive: the module (or a component, whose own bytes
/// are inspected and gated but never compiled), its glue, and a component's core modules,
/// which ride with the component as the compilation of its payload.
///
/// # Errors
/// The first blob's failure ([`Error::FetchFailed`], [`Error::HashMismatch`]); the other
/// fetches are dropped.
async fn fetch_all(
    found: &Found,
    fetch_fn: Option<&Function>,
    progress: Option<&Function>,
) -> Result<(Verified<Compiling>, Option<Glue>), Failure> {
    let glue_kind = found.glue.as_ref().map(|g| g.kind);
    let plain = |source, digest, what| async move {
        let verified = fetch_blob(source, digest, what, fetch_fn, progress).await?;
        Ok(verified.with(Compiling::none()))
    };
    let mut pending: Vec<Pending<'_>> = Vec::with_capacity(2 + found.cores.len());
    pending.push(match glue_kind {
        Some(GlueKind::Jco) => Box::pin(plain(&found.source, found.digest, "component")),
        _ => Box::pin(fetch(&found.source, found.digest, fetch_fn, progress)),
    });
    if let Some(glue) = &found.glue {
        pending.push(Box::pin(plain(&glue.source, glue.digest, "glue")));
    }
    for core in &found.cores {
        pending.push(Box::pin(fetch(
            &core.source,
            core.digest,
            fetch_fn,
            progress,
        )));
    }
    let mut fetched = all(pending).await?.into_iter();
    // `all` gives one output per future, and the module's comes first.
    let (Some(module), glue) = (fetched.next(), fetched.next()) else {
        let reason = "the fetch ended without the module".into();
        let url = found.source.name().to_string();
        return Err(Error::FetchFailed { url, reason }.into());
    };
    let glue = found.glue.as_ref().zip(glue).map(|(glue, verified)| Glue {
        verified: verified.split().0,
        url: glue.url.clone(),
        kind: glue.kind,
    });
    let module = match glue_kind {
        Some(GlueKind::Jco) => {
            let names = found.cores.iter().map(|core| core.name.clone());
            let cores = names.zip(fetched).collect();
            module.split().0.with(Compiling::cores(cores))
        }
        _ => module,
    };
    Ok((module, glue))
}

/// One blob being fetched and verified.
type Pending<'a> = Pin<Box<dyn Future<Output = Result<Verified<Compiling>, Failure>> + 'a>>;

/// Runs every future at once to the end and gives their outputs in order, or the first error
/// (dropping the others, whose compilations settle quietly).
async fn all(futures: Vec<Pending<'_>>) -> Result<Vec<Verified<Compiling>>, Failure> {
    let mut futures: Vec<_> = futures.into_iter().map(Some).collect();
    let mut outputs: Vec<Option<Verified<Compiling>>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        for (slot, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                if let Poll::Ready(result) = future.as_mut().poll(cx) {
                    *slot = None;
                    match result {
                        Ok(value) => *output = Some(value),
                        Err(failure) => return Poll::Ready(Err(failure)),
                    }
                }
            }
        }
        if futures.iter().all(Option::is_none) {
            Poll::Ready(Ok(outputs.drain(..).flatten().collect()))
        } else {
            Poll::Pending
        }
    })
    .await
}

/// A guest's glue, as the resolve stage found it: its source, digest, URL and kind.
struct GlueRef {
    source: Source,
    digest: Digest,
    url: Option<String>,
    kind: GlueKind,
}

/// One of a component's core modules, as the resolve stage found it.
struct CoreRef {
    name: String,
    source: Source,
    digest: Digest,
}

/// What the resolve stage found: where the bytes are, the digest they must have, the version
/// a registry lists them as, the guest's glue, and a component's core modules.
struct Found {
    source: Source,
    digest: Digest,
    listed: Option<semver::Version>,
    glue: Option<GlueRef>,
    cores: Vec<CoreRef>,
}

/// The glue the options name (`glue`, or the one a watch's index listed): a wasm-bindgen
/// guest's, or an AssemblyScript guest's (`glue.kind`).
fn glue_of(options: &JsOptions) -> Option<GlueRef> {
    let glue = options.glue.as_ref()?;
    let source = match (&glue.url, &glue.bytes) {
        (Some(url), _) => Source::url(url.clone()),
        (None, bytes) => Source::Bytes(bytes.clone().unwrap_or_default()),
    };
    Some(GlueRef {
        source,
        digest: glue.digest,
        url: glue.url.clone(),
        kind: glue.kind,
    })
}

/// The resolve stage. Under `policy.trust` only a registry's version can be signed: a
/// module given by URL or bytes with its digest (or a listing in hand) carries no signature.
async fn resolve(options: &JsOptions, fetch_fn: Option<&Function>) -> Result<Found, Failure> {
    let trust = options.policy.trust.as_deref();
    if let (Some(_), false) = (trust, matches!(options.origin, Origin::Registry(_))) {
        let what = match &options.origin {
            Origin::Fixed { url: Some(url), .. } | Origin::Listed { url, .. } => url.as_str(),
            _ => "`bytes`",
        };
        return Err(crate::signature::missing(what, "a module given by its digest carries no signature: load it from a registry ({ registry, name, range })").into());
    }
    let glue = glue_of(options);
    let found = |source, digest, listed| Found {
        source,
        digest,
        listed,
        glue,
        cores: Vec::new(),
    };
    match &options.origin {
        Origin::Fixed {
            url: Some(url),
            digest,
            ..
        } => Ok(found(Source::url(url.clone()), *digest, None)),
        Origin::Fixed { bytes, digest, .. } => {
            let bytes = bytes.clone().unwrap_or_default();
            Ok(found(Source::Bytes(bytes), *digest, None))
        }
        Origin::Listed {
            url,
            digest,
            version,
        } => {
            let version = Some((**version).clone());
            Ok(found(Source::url(url.clone()), *digest, version))
        }
        Origin::Registry(registry) => {
            // Through a vtable, so that a registry's code is not part of every load's
            // (V8 compiles wasm lazily, a whole function at its first call).
            let resolving: crate::js::Boxed<'_, Found> =
                Box::pin(resolve_registry(registry, fetch_fn, trust));
            resolving.await
        }
    }
}

async fn resolve_registry(
    registry: &crate::options::RegistryRef,
    fetch_fn: Option<&Function>,
    trust: Option<&crate::signature::Trust>,
) -> Result<Found, Failure> {
    let resolved = match &registry.package {
        Package::Static(name) => {
            resolve_static(&registry.base, name, &registry.wanted, fetch_fn, trust).await?
        }
        #[cfg(feature = "updates")]
        Package::Oci(repository) => {
            let (base, wanted) = (&registry.base, &registry.wanted);
            crate::registry::oci::resolve_oci_trusted(base, repository, wanted, fetch_fn, trust)
                .await?
        }
        #[cfg(not(feature = "updates"))]
        Package::Oci(_) => return Err(needs_updates("registry").into()),
        #[cfg(feature = "warg")]
        Package::Warg(name) => {
            // A Warg release is signed by its publisher's key in the package log, which is
            // verified instead; the keys of `policy.trust` sign wasm-hotswap's own payloads,
            // which a Warg registry does not carry, so they cannot be satisfied there.
            if trust.is_some() {
                let reason = "a Warg registry carries no wasm-hotswap signature for `policy.trust`: its releases are signed in the package log, which is verified on every resolution; drop `policy.trust` for this module";
                return Err(
                    crate::signature::missing(&format!("{}{name}", registry.base), reason).into(),
                );
            }
            let (base, wanted) = (&registry.base, &registry.wanted);
            crate::registry::warg::resolve_warg(base, name, wanted, fetch_fn).await?
        }
        #[cfg(not(feature = "warg"))]
        Package::Warg(_) => return Err(needs_warg().into()),
    };
    // The glue and the core modules come from the same registry as the module, with the
    // same credentials.
    let init = match &resolved.source {
        Source::Url { init, .. } => init.clone(),
        Source::Bytes(_) => JsValue::UNDEFINED,
    };
    let at = |url: &str| Source::Url {
        url: url.to_string(),
        init: init.clone(),
    };
    let glue = resolved.glue.map(|glue| GlueRef {
        source: at(&glue.url),
        digest: glue.digest,
        url: Some(glue.url),
        kind: glue.kind,
    });
    let cores = resolved
        .cores
        .into_iter()
        .map(|core| CoreRef {
            source: at(&core.url),
            name: core.name,
            digest: core.digest,
        })
        .collect();
    Ok(Found {
        source: resolved.source,
        digest: resolved.digest,
        listed: Some(resolved.version),
        glue,
        cores,
    })
}

/// The error for a feature of the `wasm-hotswap/updates` build used in one without it.
#[cfg(not(feature = "updates"))]
pub(crate) fn needs_updates(option: &'static str) -> Error {
    crate::options::invalid(
        option,
        "this build of the runtime has no update delivery (watch, OCI registries); import `wasm-hotswap/updates` instead",
    )
}

/// The error for a Warg registry in a build without the `warg` feature.
#[cfg(not(feature = "warg"))]
fn needs_warg() -> Error {
    crate::options::invalid(
        "registry",
        "this build of the runtime has no Warg client; import `wasm-hotswap/warg` instead",
    )
}

/// The inspect stage; a module a registry listed must say the version it is listed as.
fn inspect_listed(
    verified: Verified<Compiling>,
    source: &Source,
    listed: Option<&semver::Version>,
) -> Result<Inspected<Compiling>, Failure> {
    let inspected = inspect(verified)?;
    if let Some(listed) = listed {
        check_listed_version(source.name(), listed, inspected.interface())?;
    }
    Ok(inspected)
}

/// The gate, both halves, asking the host's consent to a major upgrade in between.
async fn gate(
    inspected: Inspected<Compiling>,
    glue: Option<GlueKind>,
    kept: Option<&Interface>,
    options: &JsOptions,
    imports: &Object,
) -> Result<Checked<Compiling>, Failure> {
    let rules = &options.policy.rules;
    let pending = gate::open(inspected, glue, kept, rules, |m, n| provided(imports, m, n))?;
    let consented = match (pending.needs_consent(), pending.judgement()) {
        (true, Some(judgement)) => {
            let allow = &options.policy.allow_major;
            consent(allow, pending.versions(), &judgement.diff.changes).await?
        }
        _ => false,
    };
    Ok(pending.close(&options.expect, consented)?)
}

/// Asks the host's consent to a major upgrade from `versions.0` to `versions.1`.
///
/// # Errors
/// [`Error::MajorUpgradeRefused`] when the callback threw or rejected, with its error as the
/// cause. A callback answering anything but `true` is a refusal, which the gate reports.
async fn consent(
    allow: &AllowMajor<Function>,
    versions: (String, String),
    changes: &[Change],
) -> Result<bool, Failure> {
    let callback = match allow {
        AllowMajor::Yes => return Ok(true),
        AllowMajor::No => return Ok(false),
        AllowMajor::Ask(callback) => callback,
    };
    let (from, to) = versions;
    let refused = |cause| {
        let (from, to) = (from.clone(), to.clone());
        Failure::caused(Error::MajorUpgradeRefused { from, to }, cause)
    };
    #[derive(Serialize)]
    struct MajorUpgrade<'a> {
        from: &'a str,
        to: &'a str,
        changes: &'a [Change],
    }
    let json = serde_wasm_bindgen::Serializer::json_compatible();
    let info = MajorUpgrade {
        from: &from,
        to: &to,
        changes,
    }
    .serialize(&json)
    .map_err(|e| refused(e.into()))?;
    let answer = callback
        .call1(&JsValue::UNDEFINED, &info)
        .map_err(refused)?;
    let answer = JsFuture::from(Promise::resolve(&answer))
        .await
        .map_err(refused)?;
    Ok(answer.as_bool() == Some(true))
}

/// What the imports object holds at `module.name`.
fn provided(imports: &Object, module: &str, name: &str) -> Provided {
    let Ok(namespace) = Reflect::get(imports, &JsValue::from_str(module)) else {
        return Provided::Other;
    };
    if !namespace.is_object() {
        return Provided::Nothing;
    }
    // A component's imported interface: the object is what the JS reads.
    if name.is_empty() {
        return Provided::Instance;
    }
    let value = Reflect::get(&namespace, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() {
        Provided::Nothing
    } else if value.is_function() || crate::js::is_suspending(&value) {
        // A `WebAssembly.Suspending` is an async guest's function import.
        Provided::Function
    } else if value.is_instance_of::<WebAssembly::Memory>() {
        Provided::Memory
    } else if value.is_instance_of::<WebAssembly::Table>() {
        Provided::Table
    } else if value.is_instance_of::<WebAssembly::Global>()
        || value.as_f64().is_some()
        || value.is_bigint()
    {
        Provided::Global
    } else if value.is_instance_of::<WebAssembly::Tag>() {
        Provided::Tag
    } else {
        Provided::Other
    }
}
