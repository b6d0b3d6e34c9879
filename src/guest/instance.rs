//! An instance of a guest, of whatever kind, as the pipeline and the commit see it.

use js_sys::{Function, Object, Uint8Array, WebAssembly};
use wasm_bindgen::{JsCast, JsValue};

use crate::compile::Compiled;
use crate::error::Error;
use crate::gate::Checked;
use crate::guest::assemblyscript::{self, AssemblyScriptInstance};
use crate::guest::bindgen::{BindgenInstance, Glue};
use crate::guest::component::{self, ComponentInstance};
use crate::guest::{bindgen, raw, Kind};
use crate::js::{describe, now, Failure};

/// A guest's instance: [`Instance::instantiate`] makes one of the kind the gate found.
pub enum Instance {
    /// A raw core module's instance.
    Raw(raw::RawInstance),
    /// A wasm-bindgen guest's instance, with its copy of the glue.
    WasmBindgen(BindgenInstance),
    /// A component's instance, made by its copy of its transpiled JS.
    Component(ComponentInstance),
    /// An AssemblyScript guest's instance, made by its copy of its raw bindings.
    AssemblyScript(AssemblyScriptInstance),
}

/// State saved by an instance, valid until the next call into either instance.
pub enum Saved {
    /// Bytes still in the saving instance's memory: read where they lie, so that nothing is
    /// copied twice. The view is made when it is read, since a memory that grew has a new
    /// buffer.
    InMemory {
        /// The memory.
        memory: WebAssembly::Memory,
        /// Where the bytes start.
        ptr: u32,
        /// How many.
        len: u32,
    },
    /// Bytes the guest handed over (a glue's `save_state()`, a component's `saveState()`).
    Bytes(Uint8Array),
}

impl Saved {
    /// How many bytes of state.
    pub fn len(&self) -> u32 {
        match self {
            Saved::InMemory { len, .. } => *len,
            Saved::Bytes(bytes) => bytes.length(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, as a view made now.
    pub fn view(&self) -> Uint8Array {
        match self {
            Saved::InMemory { memory, ptr, len } => {
                Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), *ptr, *len)
            }
            Saved::Bytes(bytes) => bytes.clone(),
        }
    }
}

/// [`Error::StateSaveFailed`] with the guest's exception (or `undefined`) as cause.
pub(crate) fn save_failed(reason: String, cause: JsValue) -> Failure {
    Failure::caused(Error::StateSaveFailed { reason }, cause)
}

/// [`Error::StateLoadFailed`] with the guest's exception (or `undefined`) as cause.
pub(crate) fn load_failed(reason: String, cause: JsValue) -> Failure {
    Failure::caused(Error::StateLoadFailed { reason }, cause)
}

/// A raw instance; when the module imports the runtime's key-value store (`hotswap:kv`),
/// with that store's functions bound to this instance's own memory.
///
/// # Errors
/// Those of [`raw::RawInstance::instantiate`], and [`Error::InvalidGuest`] for store imports
/// of the wrong names or types ([`crate::kv::check`]).
async fn raw_with_store(
    checked: &Checked<Compiled>,
    module: &WebAssembly::Module,
    imports: &Object,
    state: crate::contract::Statefulness,
    synchronous: bool,
) -> Result<raw::RawInstance, Failure> {
    let interface = checked.inspected().interface();
    let bound = match crate::kv::imports_store(interface) {
        true => crate::kv::browser::bind(imports),
        false => None,
    };
    let Some(bound) = bound else {
        return raw::RawInstance::instantiate(module, imports, state, synchronous).await;
    };
    crate::kv::check(interface)?;
    let instance =
        raw::RawInstance::instantiate(module, &bound.imports, state, synchronous).await?;
    if !bound.attach(instance.exports()) {
        let reason = "a guest importing `hotswap:kv` must export `memory`".into();
        return Err(Error::InvalidGuest { reason }.into());
    }
    Ok(instance)
}

/// A glue kind's state functions, called on its glue's exports: `save()` returning the state
/// as a `Uint8Array`, `load(bytes)` throwing to refuse one. The wasm-bindgen, AssemblyScript
/// and component kinds share it; they differ in the functions' names and in how a refusal
/// reads (a component's is the string of its `err`).
pub struct GlueState {
    save: Function,
    load: Function,
    /// The names messages give them: the guest's own (`save_state`, WIT's `save-state`).
    names: [&'static str; 2],
    /// What the guest's exception says.
    said: fn(&JsValue) -> String,
}

impl GlueState {
    /// The state functions `save` and `load`, named `names` in messages.
    pub fn new(
        save: Function,
        load: Function,
        names: [&'static str; 2],
        said: fn(&JsValue) -> String,
    ) -> GlueState {
        GlueState {
            save,
            load,
            names,
            said,
        }
    }

    /// `save()` on `this`, of a guest that has the functions (`state`).
    ///
    /// # Errors
    /// [`Error::StateSaveFailed`]: the guest is stateless, or `save` threw or returned
    /// something that is not a `Uint8Array`.
    pub fn save(state: Option<&GlueState>, this: &Object) -> Result<Saved, Failure> {
        let Some(state) = state else {
            return Err(save_failed(
                "the guest is stateless".into(),
                JsValue::UNDEFINED,
            ));
        };
        let name = state.names[0];
        let bytes = state.save.call0(this).map_err(|cause| {
            save_failed(format!("`{name}` threw: {}", (state.said)(&cause)), cause)
        })?;
        bytes
            .dyn_into::<Uint8Array>()
            .map(Saved::Bytes)
            .map_err(|other| {
                let reason = format!("`{name}` returned {}, not a Uint8Array", describe(&other));
                save_failed(reason, other)
            })
    }

    /// `load(bytes)` on `this`, of a guest that has the functions (`state`).
    ///
    /// # Errors
    /// [`Error::StateLoadFailed`]: the guest is stateless, or `load` refused the state, with
    /// what the guest said in the message and its exception as the cause.
    pub fn load(
        state: Option<&GlueState>,
        this: &Object,
        saved: &Saved,
    ) -> Result<Loaded, Failure> {
        let Some(state) = state else {
            return Err(load_failed(
                "the guest is stateless".into(),
                JsValue::UNDEFINED,
            ));
        };
        let start = now();
        state.load.call1(this, &saved.view()).map_err(|cause| {
            let reason = format!(
                "`{}` refused the state ({} bytes): {}",
                state.names[1],
                saved.len(),
                (state.said)(&cause)
            );
            load_failed(reason, cause)
        })?;
        Ok(Loaded {
            copy: 0.0,
            load: now() - start,
        })
    }
}

/// Milliseconds of the two halves of a load: the bytes put in place, then read by the guest.
#[derive(Debug, Default, Clone, Copy)]
pub struct Loaded {
    /// Allocating in the new instance and copying the bytes.
    pub copy: f64,
    /// The guest reading them.
    pub load: f64,
}

impl Instance {
    /// Instantiates the module `checked` carries, the way its kind is instantiated: a raw
    /// module with `imports`, a wasm-bindgen module by a fresh copy of its `glue`, a component
    /// by a fresh copy of its transpiled JS (the `glue`) from its compiled core modules, with
    /// `imports`, an AssemblyScript module by a fresh copy of its raw bindings, with `imports`.
    ///
    /// # Errors
    /// [`crate::error::Error::InstantiateFailed`] (a link error, a trap in the start function)
    /// or [`crate::error::Error::InvalidGuest`] (an instance that is not what its binary said).
    pub async fn instantiate(
        checked: &Checked<Compiled>,
        imports: &Object,
        glue: Option<&Glue>,
    ) -> Result<Instance, Failure> {
        let guest = checked.guest();
        let compiled = checked.inspected().verified().payload();
        refuse_async(guest.kind, imports)?;
        if let (Kind::Component, Some(glue)) = (guest.kind, glue) {
            let instance =
                ComponentInstance::instantiate(compiled, glue, imports, guest.state).await?;
            return Ok(Instance::Component(instance));
        }
        let module = compiled.module();
        match (guest.kind, glue) {
            (Kind::WasmBindgen, Some(glue)) => Ok(Instance::WasmBindgen(
                BindgenInstance::instantiate(module, glue, guest.state)?,
            )),
            (Kind::AssemblyScript, Some(glue)) => Ok(Instance::AssemblyScript(
                AssemblyScriptInstance::instantiate(module, glue, imports, guest.state).await?,
            )),
            _ => Ok(Instance::Raw(
                raw_with_store(
                    checked,
                    module,
                    imports,
                    guest.state,
                    compiled.synchronous(),
                )
                .await?,
            )),
        }
    }

    /// The instance's state as a copy the app owns: `m.snapshot()`, and what `persist`
    /// keeps.
    ///
    /// # Errors
    /// [`crate::error::Error::StateSaveFailed`]: a stateless guest, or its save failing.
    pub fn snapshot(&self) -> Result<Uint8Array, Failure> {
        let saved = self.save()?;
        Ok(saved.view().slice(0, saved.len()))
    }

    /// The imports given as `WebAssembly.Suspending` functions: an async (JSPI) guest has some.
    /// Only raw guests can be async.
    pub fn suspending(&self) -> &[String] {
        match self {
            Instance::Raw(raw) => raw.suspending(),
            Instance::WasmBindgen(_) | Instance::Component(_) | Instance::AssemblyScript(_) => &[],
        }
    }

    /// The raw exports the app's exports are made from.
    pub fn exports(&self) -> &Object {
        match self {
            Instance::Raw(raw) => raw.exports(),
            Instance::WasmBindgen(bindgen) => bindgen.exports(),
            Instance::Component(component) => component.exports(),
            Instance::AssemblyScript(assemblyscript) => assemblyscript.exports(),
        }
    }

    /// Names among [`Instance::exports`] that are the runtime's, not the app's.
    pub fn hidden(&self) -> &'static [&'static str] {
        match self {
            Instance::Raw(_) => raw::HIDDEN,
            Instance::WasmBindgen(_) => bindgen::HIDDEN,
            Instance::Component(_) => component::HIDDEN,
            Instance::AssemblyScript(_) => assemblyscript::HIDDEN,
        }
    }

    /// Whether it carries state across swaps.
    pub fn stateful(&self) -> bool {
        match self {
            Instance::Raw(raw) => raw.stateful(),
            Instance::WasmBindgen(bindgen) => bindgen.stateful(),
            Instance::Component(component) => component.stateful(),
            Instance::AssemblyScript(assemblyscript) => assemblyscript.stateful(),
        }
    }

    /// Saves the state, without changing it.
    ///
    /// # Errors
    /// [`crate::error::Error::StateSaveFailed`], with the guest's exception as cause.
    pub fn save(&self) -> Result<Saved, Failure> {
        match self {
            Instance::Raw(raw) => raw.save(),
            Instance::WasmBindgen(bindgen) => bindgen.save(),
            Instance::Component(component) => component.save(),
            Instance::AssemblyScript(assemblyscript) => assemblyscript.save(),
        }
    }

    /// Loads `saved`, which another instance saved.
    ///
    /// # Errors
    /// [`crate::error::Error::StateLoadFailed`], with the guest's exception as cause.
    pub fn load(&self, saved: &Saved) -> Result<Loaded, Failure> {
        match self {
            Instance::Raw(raw) => raw.load(saved),
            Instance::WasmBindgen(bindgen) => bindgen.load(saved),
            Instance::Component(component) => component.load(saved),
            Instance::AssemblyScript(assemblyscript) => assemblyscript.load(saved),
        }
    }
}

/// Async guests are raw core modules for now: a component's JS (jco has a JSPI mode of its
/// own, which this runtime does not drive) would call a `WebAssembly.Suspending` as a plain
/// function. A wasm-bindgen guest's glue makes its own imports, so the app's never reach it:
/// it is sync.
///
/// # Errors
/// [`Error::InvalidGuest`] naming the first `WebAssembly.Suspending` import given to a
/// component.
fn refuse_async(kind: Kind, imports: &Object) -> Result<(), Failure> {
    if kind != Kind::Component {
        return Ok(());
    }
    match crate::js::suspending_imports(imports, None).first() {
        None => Ok(()),
        Some(name) => Err(Error::InvalidGuest {
            reason: format!(
                "import `{name}` is a `WebAssembly.Suspending` function, but async (JSPI) guests are raw core modules only: a component's JS cannot suspend; give it a plain function"
            ),
        }
        .into()),
    }
}
