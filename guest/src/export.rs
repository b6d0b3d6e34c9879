//! `export_state!`: the three state exports and `with_state` for one state type.

/// Exports `save_state`, `alloc_state` and `load_state` for a [`GuestState`](crate::GuestState)
/// type, and defines `fn with_state<R>(f: impl FnOnce(&mut T) -> R) -> R` for the guest's own
/// exports. Invoke it once per guest, at the crate root.
///
/// The state lives in a `thread_local!` [`StateCell`](crate::StateCell) (a wasm guest has one
/// thread) and starts as `T::default()`. `with_state` must not be nested: a re-entrant borrow
/// panics, which in wasm traps.
///
/// ```
/// #[derive(Default, serde::Serialize, serde::Deserialize)]
/// struct Counter { count: i32 }
///
/// impl hotswap_guest::GuestState for Counter {
///     const SCHEMA: u32 = 1;
/// }
///
/// hotswap_guest::export_state!(Counter);
///
/// #[no_mangle]
/// pub extern "C" fn increment(by: i32) -> i32 {
///     with_state(|s| {
///         s.count = s.count.wrapping_add(by);
///         s.count
///     })
/// }
/// # fn main() { assert_eq!(increment(2), 2); }
/// ```
#[macro_export]
macro_rules! export_state {
    ($state:ty) => {
        $crate::__state_cell!($state);

        /// Guest contract: serializes the state; returns the address of (ptr, len).
        #[unsafe(no_mangle)]
        pub extern "C" fn save_state() -> i32 {
            __HOTSWAP_STATE.with($crate::StateCell::save_state)
        }

        /// Guest contract: a buffer of `len` bytes for the incoming state (0: cannot).
        #[unsafe(no_mangle)]
        pub extern "C" fn alloc_state(len: i32) -> i32 {
            __HOTSWAP_STATE.with(|cell| cell.alloc_state(len))
        }

        /// Guest contract: restores the state from the allocated buffer; 0 on success.
        #[unsafe(no_mangle)]
        pub extern "C" fn load_state(ptr: i32, len: i32) -> i32 {
            __HOTSWAP_STATE.with(|cell| cell.load_state(ptr, len))
        }
    };
}

/// The state cell both export macros keep, and `with_state` over it. Not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __state_cell {
    ($state:ty) => {
        ::std::thread_local! {
            static __HOTSWAP_STATE: $crate::StateCell<$state> = $crate::StateCell::new();
        }

        /// Runs `f` with exclusive access to this guest's state (not re-entrant).
        #[allow(dead_code)]
        fn with_state<R>(f: impl ::core::ops::FnOnce(&mut $state) -> R) -> R {
            __HOTSWAP_STATE.with(|cell| cell.with(f))
        }
    };
}
