//! `hotswap keygen NAME`: an ECDSA P-256 key pair for signing published versions.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::commands::Report;
use crate::exit::{Exit, Failure};
use crate::sign::Signer;
use crate::table::columns;

/// Writes a new key pair: `NAME.key`, the private key as PKCS#8 PEM, readable by its owner
/// only (mode 0600), and `NAME.pub`, the public key as SPKI PEM, what `policy.trust.keys`
/// takes. Neither file may exist already.
///
/// JSON: `{"private": "NAME.key", "public": "NAME.pub", "public_key": "-----BEGIN PUBLIC
/// KEY-----…"}`.
///
/// # Errors
/// `KEY_EXISTS` (exit 1) when either file exists; `IO_ERROR` (exit 3).
pub fn run(name: &Path) -> Result<Report, Failure> {
    let with = |extension: &str| {
        let mut path = OsString::from(name.as_os_str());
        path.push(extension);
        PathBuf::from(path)
    };
    let (private, public) = (with(".key"), with(".pub"));
    for path in [&private, &public] {
        if path.exists() {
            return Err(Failure::new(
                Exit::Refused,
                "KEY_EXISTS",
                format!(
                    "`{}` exists; keygen never overwrites a key (remove it, or choose another NAME)",
                    path.display()
                ),
            ));
        }
    }
    let signer = Signer::generate();
    write_new(&private, signer.private_pem().as_bytes(), 0o600)?;
    write_new(&public, signer.public_pem().as_bytes(), 0o644)?;
    Ok(Report {
        json: json!({
            "private": private.display().to_string(),
            "public": public.display().to_string(),
            "public_key": signer.public_pem(),
        }),
        human: columns(
            0,
            &[
                (
                    "private key",
                    format!("{} (PKCS#8 PEM, mode 0600)", private.display()),
                ),
                ("public key", format!("{} (SPKI PEM)", public.display())),
                (
                    "sign with",
                    format!("hotswap publish … --sign {}", private.display()),
                ),
            ],
        ),
        exit: Exit::Success,
    })
}

/// Creates `path` (it must not exist) with `mode` on Unix, writes `bytes` and syncs them.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), Failure> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let io = |e: std::io::Error| Failure::io("writing", path, &e);
    let mut file = options.open(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}
