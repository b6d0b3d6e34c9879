//! Counter 1.0.0 as a component: `add`, `get`, `entries`, `apply`, and the state contract
//! (`save-state`, `load-state`) in the guest SDK's envelope.

use std::collections::BTreeMap;
use std::sync::Mutex;

use hotswap_guest::{envelope, GuestState};
use serde::{Deserialize, Serialize};

wit_bindgen::generate!({ world: "counter", path: "wit" });

/// What survives a swap: the counts, by key.
#[derive(Default, Serialize, Deserialize)]
struct State {
    counts: BTreeMap<String, u32>,
}

impl GuestState for State {
    const SCHEMA: u32 = 1;
}

// A component instance runs one call at a time; the lock is never contended.
static STATE: Mutex<State> = Mutex::new(State {
    counts: BTreeMap::new(),
});

fn with<T>(f: impl FnOnce(&mut State) -> T) -> T {
    f(&mut STATE.lock().unwrap_or_else(|e| e.into_inner()))
}

struct Counter;

impl Guest for Counter {
    fn add(key: String, by: u32) -> u32 {
        with(|s| {
            let count = s.counts.entry(key).or_default();
            *count = count.saturating_add(by);
            *count
        })
    }

    fn get(key: String) -> u32 {
        with(|s| s.counts.get(&key).copied().unwrap_or(0))
    }

    fn entries() -> Vec<Entry> {
        with(|s| {
            s.counts
                .iter()
                .map(|(key, &count)| Entry {
                    key: key.clone(),
                    count,
                })
                .collect()
        })
    }

    fn apply(op: Op) -> Result<u32, String> {
        with(|s| match op {
            Op::Increment(key) => {
                let count = s.counts.entry(key.clone()).or_default();
                *count = count
                    .checked_add(1)
                    .ok_or_else(|| format!("`{key}` would overflow"))?;
                Ok(*count)
            }
            Op::Reset(key) => Ok(s.counts.remove(&key).unwrap_or(0)),
            Op::Set(Entry { key, count }) => {
                s.counts.insert(key, count);
                Ok(count)
            }
        })
    }

    fn save_state() -> Vec<u8> {
        // A map of strings to numbers always serializes.
        with(|s| envelope::encode(State::SCHEMA, s).expect("the state serializes"))
    }

    fn load_state(state: Vec<u8>) -> Result<(), String> {
        let loaded: State = envelope::decode(&state).map_err(|e| e.to_string())?;
        with(|s| *s = loaded);
        Ok(())
    }
}

export!(Counter);
