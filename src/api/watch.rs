//! `m.watch(options)`: the watch options read, and the module as the watch's
//! [`Target`](crate::watch::browser::Target).

use std::rc::Rc;

use wasm_bindgen::JsValue;

use super::Inner;
use crate::error::Error;

/// Starts a watch of the registry package `inner` was loaded from.
///
/// # Errors
/// [`Error::InvalidOptions`]: not loaded from a static registry, or an option of the wrong type.
#[cfg(feature = "updates")]
pub(super) fn start(inner: &Rc<Inner>, options: &JsValue) -> Result<JsValue, Error> {
    use crate::options::{invalid, Package, UpdatePolicy};
    use crate::watch::browser::{self, Subject};

    let registry = inner.registry.clone().ok_or_else(|| {
        invalid(
            "watch",
            "this module was not loaded from a registry; load it with { registry, name, range } to watch it",
        )
    })?;
    let Package::Static(name) = &registry.package else {
        return Err(invalid(
            "watch",
            "watching follows a static registry's index; swap a module from an OCI or Warg registry with swap({ version })",
        ));
    };
    if !options.is_undefined() && !options.is_object() {
        return Err(invalid(
            "options",
            "expected an object such as { interval: 30000 }",
        ));
    }
    let policy = match crate::js::get(options, "allowMajor") {
        v if v.is_undefined() => Rc::clone(&inner.policy),
        v => Rc::new(UpdatePolicy {
            rules: inner.policy.rules,
            allow_major: super::options::read_allow_major(&v, "allowMajor")?,
            probation: inner.policy.probation,
            health_check: inner.policy.health_check.clone(),
            trust: inner.policy.trust.clone(),
        }),
    };
    let subject = Subject {
        base: registry.base.clone(),
        name: name.clone(),
        wanted: registry.wanted.clone(),
        fetch: inner.fetch.clone(),
    };
    let config = config::read(options, &registry.base)?;
    let target = Rc::new(Watched {
        inner: Rc::clone(inner),
        policy,
    });
    Ok(browser::start(target, subject, config).into())
}

/// Without the `updates` feature there is no watcher: the error points at the build with one.
#[cfg(not(feature = "updates"))]
pub(super) fn start(_inner: &Rc<Inner>, _options: &JsValue) -> Result<JsValue, Error> {
    Err(crate::pipeline::needs_updates("watch"))
}

/// The module as a watch sees it, with the watch's consent policy.
#[cfg(feature = "updates")]
struct Watched {
    inner: Rc<Inner>,
    /// The module's policy, with the watch's `allowMajor` when it gave one.
    policy: Rc<crate::options::UpdatePolicy<js_sys::Function>>,
}

#[cfg(feature = "updates")]
impl crate::watch::browser::Target for Watched {
    fn serving(&self) -> (String, Option<semver::Version>) {
        let serving = self.inner.live.serving.borrow();
        (
            serving.digest().to_string(),
            serving.interface().version.clone(),
        )
    }

    fn majors(&self) -> bool {
        self.policy.allow_major.possible()
    }

    fn update(
        &self,
        entry: &crate::registry::index::Entry,
        prepare: bool,
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                Output = Result<crate::watch::browser::Update, crate::js::Failure>,
            >,
        >,
    > {
        use crate::digest::Digest;
        use crate::options::GlueSource;
        use crate::registry::index::{blob_path, GlueKind};
        use crate::watch::browser::Update;

        let registry = self.inner.registry.as_deref();
        let blob =
            |digest: &Digest| registry.map_or_else(String::new, |r| r.url(&blob_path(digest)));
        let listed = (|| -> Result<_, crate::error::Error> {
            let policy = Rc::clone(&self.policy);
            // A component's entry names more blobs than a listing carries: it is swapped to
            // through the registry, by its exact version.
            // So is a signed version: its signature is checked on the way.
            let component = entry.glue.as_ref().is_some_and(|g| g.kind == GlueKind::Jco);
            let signed = self.policy.trust.is_some();
            if let (true, Some(registry)) = (component || signed, registry) {
                let exact = crate::registry::index::Wanted::Exact(entry.version.clone());
                return Ok(self.inner.exact(registry, exact, policy));
            }
            let digest: Digest = entry.digest.parse()?;
            let glue = match &entry.glue {
                Some(glue) => {
                    let digest: Digest = glue.digest.parse()?;
                    Some(GlueSource {
                        url: Some(blob(&digest)),
                        bytes: None,
                        digest,
                        kind: glue.kind,
                    })
                }
                None => None,
            };
            let version = entry.version.clone();
            Ok(self
                .inner
                .listed(blob(&digest), digest, version, glue, policy))
        })();
        match listed {
            Ok(options) if prepare => {
                let (inner, preparing) = (Rc::clone(&self.inner), self.inner.prepare(options));
                Box::pin(async move {
                    let staged = preparing.await?;
                    Ok(Update::Prepared(super::staged_update(inner, staged).into()))
                })
            }
            Ok(options) => {
                let swapping = self.inner.swap(options);
                Box::pin(async move { swapping.await.map(Update::Swapped) })
            }
            Err(error) => Box::pin(std::future::ready(Err(error.into()))),
        }
    }
}

#[cfg(feature = "updates")]
mod config {
    use wasm_bindgen::JsValue;

    use crate::error::Error;
    use crate::js::get;
    use crate::options::invalid;
    use crate::watch::browser::Config;
    use crate::watch::Backoff;

    /// `interval`, `maxBackoff`, `shared`, `events` and `signal`.
    pub(super) fn read(options: &JsValue, base: &str) -> Result<Config, Error> {
        let interval = millis(
            &get(options, "interval"),
            "interval",
            Backoff::MIN_INTERVAL,
            "expected a whole number of milliseconds, at least 100",
        )?
        .unwrap_or(Backoff::INTERVAL);
        let cap = millis(
            &get(options, "maxBackoff"),
            "maxBackoff",
            0,
            "expected a whole number of milliseconds",
        )?
        .unwrap_or(Backoff::CAP);
        let shared = match get(options, "shared") {
            v if v.is_undefined() => true,
            v => v
                .as_bool()
                .ok_or_else(|| invalid("shared", "expected a boolean"))?,
        };
        let events = match get(options, "events") {
            v if v.is_undefined() || v.as_bool() == Some(false) => None,
            v if v.as_bool() == Some(true) => Some([base, "events"].concat()),
            v => Some(v.as_string().ok_or_else(|| {
                invalid("events", "expected true or the URL of the event stream")
            })?),
        };
        let signal = get(options, "signal");
        if !signal.is_undefined() && !signal.is_object() {
            return Err(invalid("signal", "expected an AbortSignal"));
        }
        let apply = get(options, "apply");
        let prepare = match apply.as_string().as_deref() {
            _ if apply.is_undefined() => false,
            Some("swap") => false,
            Some("prepare") => true,
            _ => return Err(invalid("apply", "expected \"swap\" or \"prepare\"")),
        };
        Ok(Config {
            backoff: Backoff { interval, cap },
            shared,
            events,
            signal,
            prepare,
        })
    }

    /// A whole number of milliseconds, at least `min` (which `reason` names).
    fn millis(
        value: &JsValue,
        option: &'static str,
        min: u32,
        reason: &str,
    ) -> Result<Option<u32>, Error> {
        if value.is_undefined() {
            return Ok(None);
        }
        value
            .as_f64()
            .filter(|n| n.fract() == 0.0 && *n >= f64::from(min) && *n <= f64::from(u32::MAX))
            .map(|n| Some(n as u32))
            .ok_or_else(|| invalid(option, reason))
    }
}
