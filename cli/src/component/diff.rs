//! The change between two components' worlds, classified with the rules of
//! `wasm-tools component semver-check` ([`wasm_hotswap::wit::check_world`]), in the core's
//! [`Diff`] so that the bump rule and the output are those of modules.

use wasm_hotswap::diff::{Change, Diff, Severity};
use wasm_hotswap::error::Error;
use wasm_hotswap::wit::{check_world, WitItem};

use super::ComponentWorld;

/// Classifies the change from the `old` world to the `new`:
///
/// 1. **Breaking** when a component of the new world cannot stand where one of the old
///    world was used: [`check_world`] of the new world against the old one's WIT, the rules
///    of `wasm-tools component semver-check` (the verdict is wasmparser's subtype check). One
///    change per item it names, for example export `add`: ``has type `func(key: string, by:
///    u64) -> u64`, expected `func(key: string, by: u32) -> u32` ``; an export removed; an
///    import added (the host must now provide it); a type changed.
/// 2. Otherwise **additive** for each export added or whose type grew (an interface with
///    more functions), and **none** for each import dropped or whose type changed
///    compatibly.
/// 3. No change at all for identical worlds.
///
/// | old => new (world-level exports) | severity |
/// |---|---|
/// | `add: func(key: string, by: u32) -> u32` => the same | none, no changes |
/// | `add` => `add` and `remove: func(key: string) -> bool` | additive: export `remove` added |
/// | `add: func(…, by: u32) -> u32` => `add: func(…, by: u64) -> u64` | breaking: export `add` |
/// | `add` and `remove` => `add` | breaking: export `remove` is missing |
pub fn diff(old: &ComponentWorld, new: &ComponentWorld) -> Diff {
    let mut changes = Vec::new();
    match check_world(&new.world, &old.wit, Some(old.world.name())) {
        Ok(()) => {}
        Err(Error::IncompatibleInterface { problems }) => {
            changes.extend(problems.iter().map(|p| breaking(p)));
        }
        // The old WIT is the one printed from a decoded component; anything else is a bug
        // worth seeing, so it is reported as a breaking change naming it.
        Err(other) => changes.push(Change {
            severity: Severity::Breaking,
            item: "world".into(),
            detail: format!("cannot be compared: {other}"),
        }),
    }
    if changes.is_empty() {
        let (old_exports, new_exports) = (old.exports(), new.exports());
        let (old_imports, new_imports) = (old.imports(), new.imports());
        for item in &new_exports {
            match find(&old_exports, item) {
                None => changes.push(change(Severity::Additive, "export", item, added(item))),
                Some(was) if was.ty != item.ty => {
                    changes.push(change(Severity::Additive, "export", item, grew(was, item)))
                }
                Some(_) => {}
            }
        }
        for item in &old_imports {
            match find(&new_imports, item) {
                None => changes.push(change(Severity::None, "import", item, removed(item))),
                Some(now) if now.ty != item.ty => {
                    changes.push(change(Severity::None, "import", item, grew(item, now)))
                }
                Some(_) => {}
            }
        }
    }
    Diff { changes }
}

/// `world `root`: export `add` has type …` => item ``export `add` ``, detail `has type …`.
fn breaking(problem: &str) -> Change {
    let rest = match problem.split_once("`: ") {
        Some((world, rest)) if world.starts_with("world `") => rest,
        _ => problem,
    };
    let (item, detail) = ["export `", "import `"]
        .iter()
        .find(|kind| rest.starts_with(*kind))
        .and_then(|kind| {
            let end = rest[kind.len()..].find('`')? + kind.len() + 1;
            Some((
                rest[..end].to_string(),
                rest[end..].trim_start().to_string(),
            ))
        })
        .unwrap_or_else(|| ("world".to_string(), rest.to_string()));
    Change {
        severity: Severity::Breaking,
        item,
        detail,
    }
}

fn find<'a>(items: &'a [WitItem], like: &WitItem) -> Option<&'a WitItem> {
    items.iter().find(|i| i.name == like.name)
}

fn change(severity: Severity, side: &str, item: &WitItem, detail: String) -> Change {
    Change {
        severity,
        item: format!("{side} `{}`", item.name),
        detail,
    }
}

fn added(item: &WitItem) -> String {
    format!("added: {} {}", item.kind, item.ty)
}

fn removed(item: &WitItem) -> String {
    format!("removed: {} {}", item.kind, item.ty)
}

fn grew(was: &WitItem, now: &WitItem) -> String {
    format!("changed compatibly: {} => {}", was.ty, now.ty)
}
