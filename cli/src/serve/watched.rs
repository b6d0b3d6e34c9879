//! What one `--watch` names: a module file, or a wasm-bindgen or AssemblyScript output folder
//! whose module and JS glue are published together.

use std::path::{Path, PathBuf};
use std::time::Instant;

use wasm_hotswap::guest::glue::is_assemblyscript_bindings;

use super::watch::Watched;

/// A watched guest: a module, or the `<stem>_bg.wasm` and `<stem>.js` of a wasm-bindgen
/// output folder (`wasm-bindgen --target web --out-dir DIR`, `wasm-pack build`'s `pkg/`), or
/// the `<stem>.wasm` and `<stem>.js` of an AssemblyScript one (`asc --bindings raw`).
#[derive(Debug)]
pub struct WatchedGuest {
    /// What `--watch` named: the module, or the folder.
    pub path: PathBuf,
    module: Watched,
    glue: Option<Glue>,
}

/// The glue half of a folder, and the newest bytes of both halves.
#[derive(Debug)]
struct Glue {
    file: Watched,
    module_bytes: Option<Vec<u8>>,
    glue_bytes: Option<Vec<u8>>,
    changed: bool,
}

/// One settled state of a watched guest: the module's bytes, and the glue's for a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The module file.
    pub module_path: PathBuf,
    /// Its bytes.
    pub module: Vec<u8>,
    /// The glue file and its bytes, for a wasm-bindgen folder.
    pub glue: Option<(PathBuf, Vec<u8>)>,
}

impl WatchedGuest {
    /// Watches the module in `path`.
    pub fn file(path: PathBuf) -> WatchedGuest {
        WatchedGuest {
            module: Watched::new(path.clone()),
            path,
            glue: None,
        }
    }

    /// Watches the guest output folder `dir`: a wasm-bindgen one (its one `<stem>_bg.wasm`
    /// and the `<stem>.js` glue beside it), or else an AssemblyScript one (its one
    /// `<stem>.wasm` whose `<stem>.js` beside it is `asc --bindings raw`'s, told by its text,
    /// as `publish --glue` tells it). Returns the watch and `<stem>`, the crate's or the
    /// module's name.
    ///
    /// # Errors
    /// Why `dir` is neither: it cannot be listed, or it has no `*_bg.wasm` and no
    /// AssemblyScript module with its bindings, or several of either.
    pub fn folder(dir: PathBuf) -> Result<(WatchedGuest, String), String> {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot be listed: {e}"))?;
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| !name.starts_with('.'))
            .collect();
        names.sort();
        let stems = |suffix: &str| -> Vec<String> {
            names
                .iter()
                .filter_map(|name| name.strip_suffix(suffix).map(str::to_string))
                .filter(|stem| !stem.is_empty())
                .collect()
        };
        let bindgen = stems("_bg.wasm");
        // An AssemblyScript build, looked for where there is no wasm-bindgen module:
        // `<stem>.wasm` with `asc --bindings raw`'s `<stem>.js`.
        let is_asc = |stem: &String| {
            std::fs::read_to_string(dir.join(format!("{stem}.js")))
                .is_ok_and(|text| is_assemblyscript_bindings(&text))
        };
        let asc: Vec<String> = match bindgen.is_empty() {
            true => stems(".wasm").into_iter().filter(is_asc).collect(),
            false => Vec::new(),
        };
        let (stem, module) = match (bindgen.as_slice(), asc.as_slice()) {
            ([stem], _) => (stem.clone(), format!("{stem}_bg.wasm")),
            ([], [stem]) => (stem.clone(), format!("{stem}.wasm")),
            ([], []) => {
                return Err(
                    "it has no `*_bg.wasm` and no `*.wasm` with AssemblyScript's \
                            bindings beside it: a wasm-bindgen output folder (the `--out-dir` \
                            of `wasm-bindgen --target web`) has one `<crate>_bg.wasm` and its \
                            `<crate>.js`; an AssemblyScript one a `<name>.wasm` and the \
                            `<name>.js` `asc --bindings raw` wrote"
                        .into(),
                )
            }
            ([], several) => {
                return Err(format!(
                    "it has {} AssemblyScript modules with bindings ({}): watch one output \
                     folder per guest",
                    several.len(),
                    several.join(", ")
                ))
            }
            (several, _) => {
                return Err(format!(
                    "it has {} `*_bg.wasm` modules ({}): watch one wasm-bindgen output folder \
                     per crate",
                    several.len(),
                    several.join(", ")
                ))
            }
        };
        let watch = WatchedGuest {
            module: Watched::new(dir.join(module)),
            glue: Some(Glue {
                file: Watched::new(dir.join(format!("{stem}.js"))),
                module_bytes: None,
                glue_bytes: None,
                changed: false,
            }),
            path: dir,
        };
        Ok((watch, stem))
    }

    /// Looks at the files at time `now` ([`Watched::poll`]). A module file is reported after
    /// each settled change; a folder's pair when either file changed, both exist, and neither
    /// is still changing, so that a build that rewrites both is published once, together.
    pub fn poll(&mut self, now: Instant) -> Option<Change> {
        let module = self.module.poll(now);
        let Some(glue) = &mut self.glue else {
            return module.map(|module| Change {
                module_path: self.module.path.clone(),
                module,
                glue: None,
            });
        };
        if let Some(bytes) = module {
            glue.module_bytes = Some(bytes);
            glue.changed = true;
        }
        if let Some(bytes) = glue.file.poll(now) {
            glue.glue_bytes = Some(bytes);
            glue.changed = true;
        }
        if !glue.changed || self.module.settling() || glue.file.settling() {
            return None;
        }
        let (Some(module), Some(glue_bytes)) = (&glue.module_bytes, &glue.glue_bytes) else {
            return None;
        };
        glue.changed = false;
        Some(Change {
            module_path: self.module.path.clone(),
            module: module.clone(),
            glue: Some((glue.file.path.clone(), glue_bytes.clone())),
        })
    }

    /// The module file watched.
    pub fn module_path(&self) -> &Path {
        &self.module.path
    }

    /// The glue file watched, for a folder.
    pub fn glue_path(&self) -> Option<&Path> {
        self.glue.as_ref().map(|g| g.file.path.as_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::watch::SETTLE;
    use wasm_hotswap::guest::glue::ASSEMBLYSCRIPT_START;

    #[test]
    fn a_folders_module_and_glue_are_reported_together_once_both_settle() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes_bg.wasm"), b"wasm").unwrap();
        let (mut watch, stem) = WatchedGuest::folder(dir.path().to_path_buf()).unwrap();
        assert_eq!(stem, "notes");
        let t0 = Instant::now();
        watch.poll(t0);
        assert_eq!(watch.poll(t0 + SETTLE), None, "no glue yet");
        std::fs::write(dir.path().join("notes.js"), b"glue").unwrap();
        let t1 = t0 + SETTLE * 2;
        assert_eq!(watch.poll(t1), None, "the glue is settling");
        let change = watch.poll(t1 + SETTLE).unwrap();
        assert_eq!(change.module, b"wasm");
        assert_eq!(change.glue.unwrap().1, b"glue");
        assert_eq!(watch.poll(t1 + SETTLE * 2), None, "reported already");

        std::fs::write(dir.path().join("notes_bg.wasm"), b"wasm 2").unwrap();
        let t2 = t1 + SETTLE * 3;
        watch.poll(t2);
        std::fs::write(dir.path().join("notes.js"), b"glue 2").unwrap();
        assert_eq!(watch.poll(t2 + SETTLE), None, "the glue is still settling");
        let change = watch.poll(t2 + SETTLE * 2).unwrap();
        assert_eq!(
            (change.module, change.glue.unwrap().1),
            (b"wasm 2".to_vec(), b"glue 2".to_vec())
        );
    }

    #[test]
    fn a_folder_without_exactly_one_bg_wasm_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let none = WatchedGuest::folder(dir.path().to_path_buf()).unwrap_err();
        assert!(none.contains("no `*_bg.wasm`"), "{none}");
        std::fs::write(dir.path().join("a_bg.wasm"), b"").unwrap();
        std::fs::write(dir.path().join("b_bg.wasm"), b"").unwrap();
        let several = WatchedGuest::folder(dir.path().to_path_buf()).unwrap_err();
        assert!(
            several.contains("2 `*_bg.wasm` modules (a, b)"),
            "{several}"
        );
    }

    #[test]
    fn an_assemblyscript_folder_watches_its_module_and_the_asc_bindings_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let js = format!("{ASSEMBLYSCRIPT_START} = {{}}) {{}}\n");
        std::fs::write(dir.path().join("tally.wasm"), b"wasm").unwrap();
        std::fs::write(dir.path().join("tally.js"), &js).unwrap();
        std::fs::write(dir.path().join("tally.wat"), b"(module)").unwrap();
        // Another module whose JS is not asc's bindings is not a candidate.
        std::fs::write(dir.path().join("other.wasm"), b"wasm").unwrap();
        std::fs::write(dir.path().join("other.js"), b"export const x = 1;").unwrap();
        let (watch, stem) = WatchedGuest::folder(dir.path().to_path_buf()).unwrap();
        assert_eq!(stem, "tally");
        assert_eq!(watch.module_path(), dir.path().join("tally.wasm"));
        assert_eq!(
            watch.glue_path(),
            Some(dir.path().join("tally.js").as_path())
        );

        std::fs::write(dir.path().join("other.js"), &js).unwrap();
        let several = WatchedGuest::folder(dir.path().to_path_buf()).unwrap_err();
        assert!(
            several.contains("2 AssemblyScript modules with bindings (other, tally)"),
            "{several}"
        );
    }

    #[test]
    fn a_wasm_without_asc_bindings_is_no_guest_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tally.wasm"), b"wasm").unwrap();
        std::fs::write(dir.path().join("tally.js"), b"export const x = 1;").unwrap();
        let refused = WatchedGuest::folder(dir.path().to_path_buf()).unwrap_err();
        assert!(refused.contains("asc --bindings raw"), "{refused}");
    }
}
