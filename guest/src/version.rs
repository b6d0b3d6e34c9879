//! `export_version!`: the standard `version` custom section.

/// Writes the calling crate's `CARGO_PKG_VERSION` into the `version` custom section, the
/// one `wasm-tools metadata add --version` writes: exactly the UTF-8 text, no terminator.
///
/// ```
/// hotswap_guest::export_version!();
/// # fn main() {}
/// ```
///
/// The section is only emitted when compiling for `wasm32` (elsewhere a section named
/// `version` means nothing, and Mach-O would reject the name).
#[macro_export]
macro_rules! export_version {
    () => {
        const _: () = {
            const VERSION: &str = ::core::env!("CARGO_PKG_VERSION");
            #[cfg_attr(target_arch = "wasm32", unsafe(link_section = "version"))]
            #[used]
            static VERSION_SECTION: [u8; VERSION.len()] = $crate::version_bytes(VERSION);
        };
    };
}

/// `text` as a byte array of exactly its length, at compile time; used by
/// [`export_version!`] because a `link_section` static must be an array, not a reference.
///
/// # Panics
/// At compile time (in a `const`/`static`) if `N != text.len()`.
pub const fn version_bytes<const N: usize>(text: &str) -> [u8; N] {
    let bytes = text.as_bytes();
    assert!(bytes.len() == N, "version_bytes: N must equal text.len()");
    let mut out = [0; N];
    let mut i = 0;
    while i < N {
        out[i] = bytes[i];
        i += 1;
    }
    out
}
