//! The `hotswap` binary: see the `hotswap_cli` crate for the commands and exit codes.

fn main() {
    std::process::exit(hotswap_cli::run(std::env::args_os()));
}
