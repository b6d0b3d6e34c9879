//! placeholder
pub mod contract;
pub mod digest;
pub mod error;
pub mod gate;
pub mod inspect;
pub mod report;
pub mod verify;

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
pub use api::HotModule;
