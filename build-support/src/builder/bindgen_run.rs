//! Running bindgen on the headers: the builder's settings made into
//! bindgen's, its failures made into [`BuildError`]s, and what its callbacks
//! saw (the files read, the environment variables consulted).

use super::{Builder, ListKind};
use crate::{BuildError, Diagnostic};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

impl Builder {
    /// Runs bindgen with the builder's settings; returns its output, unformatted.
    pub(super) fn run_bindgen(mut self, recorder: Recorder) -> Result<String, BuildError> {
        load_libclang()?;
        for h in &self.headers {
            let p = Path::new(h);
            // A bare name (`zlib.h`) is looked up on clang's include path.
            if p.components().count() > 1 || p.exists() {
                if !p.exists() {
                    return Err(BuildError::HeaderNotFound {
                        path: p.to_owned(),
                        reason: "does not exist",
                    });
                }
                if p.is_dir() {
                    return Err(BuildError::HeaderNotFound {
                        path: p.to_owned(),
                        reason: "is a directory, not a header",
                    });
                }
            }
        }
        let mut b = bindgen::Builder::default()
            .formatter(bindgen::Formatter::None)
            .ctypes_prefix("::core::ffi")
            .use_core()
            .generate_comments(true)
            .layout_tests(true)
            .derive_default(true)
            .disable_header_comment()
            .clang_args(self.clang_args.iter())
            .parse_callbacks(Box::new(recorder));
        if let Ok(target) = bindgen::RustTarget::stable(85, 0) {
            b = b.rust_target(target);
        }
        // A bare name is included from a generated top-level header, so
        // clang searches its include path for it.
        let mut includes = String::new();
        for h in &self.headers {
            let p = Path::new(h);
            if p.components().count() > 1 || p.exists() {
                b = b.header(h.clone());
            } else {
                includes.push_str(&format!("#include <{h}>\n"));
            }
        }
        if !includes.is_empty() {
            b = b.header_contents("alien-build-includes.h", &includes);
        }
        for (name, contents) in &self.header_contents {
            b = b.header_contents(name, contents);
        }
        if self.allow.is_empty() {
            // Without an allowlist, what the named headers declare
            // themselves (and the types that uses), not everything they
            // include.
            let names = self
                .headers
                .iter()
                .chain(self.header_contents.iter().map(|(n, _)| n));
            for h in names {
                let file = Path::new(h)
                    .file_name()
                    .map_or_else(|| h.clone(), |f| f.to_string_lossy().into_owned());
                b = b.allowlist_file(format!("(.*/)?{}", regex::escape(&file)));
            }
        }
        for (kind, p) in &self.allow {
            b = match kind {
                ListKind::Function => b.allowlist_function(p),
                ListKind::Var => b.allowlist_var(p),
                ListKind::Type => b.allowlist_type(p),
                ListKind::Item => b.allowlist_item(p),
                ListKind::File => b.allowlist_file(p),
            };
        }
        for (kind, p) in &self.block {
            b = match kind {
                ListKind::Function => b.blocklist_function(p),
                ListKind::Var => b.blocklist_var(p),
                ListKind::Type => b.blocklist_type(p),
                ListKind::Item => b.blocklist_item(p),
                ListKind::File => b.blocklist_file(p),
            };
        }
        for hook in self.hooks.drain(..) {
            b = hook(b);
        }
        let headers = self.headers.clone();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| b.generate()));
        match result {
            Ok(Ok(bindings)) => Ok(bindings.to_string()),
            Ok(Err(e)) => Err(bindgen_error(e, headers)),
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "bindgen panicked".to_owned());
                if message.contains("libclang") {
                    Err(BuildError::LibclangMissing { detail: message })
                } else {
                    Err(BuildError::Bindgen { message })
                }
            }
        }
    }
}

/// Loads libclang (once per thread, as bindgen needs it), or says what to
/// install.
fn load_libclang() -> Result<(), BuildError> {
    if clang_sys::is_loaded() {
        return Ok(());
    }
    clang_sys::load().map_err(|detail| BuildError::LibclangMissing { detail })
}

fn bindgen_error(e: bindgen::BindgenError, headers: Vec<String>) -> BuildError {
    match e {
        bindgen::BindgenError::ClangDiagnostic(text) => {
            let diagnostics = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(Diagnostic::parse)
                .collect();
            BuildError::Parse {
                headers,
                diagnostics,
            }
        }
        bindgen::BindgenError::NotExist(path) => BuildError::HeaderNotFound {
            path,
            reason: "does not exist",
        },
        bindgen::BindgenError::FolderAsHeader(path) => BuildError::HeaderNotFound {
            path,
            reason: "is a directory, not a header",
        },
        bindgen::BindgenError::InsufficientPermissions(path) => BuildError::HeaderNotFound {
            path,
            reason: "cannot be read (permissions)",
        },
        other => BuildError::Bindgen {
            message: other.to_string(),
        },
    }
}

/// What bindgen's callbacks saw.
#[derive(Debug, Default, Clone)]
pub(super) struct Seen {
    pub(super) files: BTreeSet<String>,
    pub(super) env_vars: BTreeSet<String>,
}

/// bindgen's callbacks, recording what they see.
#[derive(Debug, Default)]
pub(super) struct Recorder {
    pub(super) seen: Arc<Mutex<Seen>>,
}

impl bindgen::callbacks::ParseCallbacks for Recorder {
    fn header_file(&self, filename: &str) {
        if let Ok(mut s) = self.seen.lock() {
            s.files.insert(filename.to_owned());
        }
    }

    fn include_file(&self, filename: &str) {
        if let Ok(mut s) = self.seen.lock() {
            s.files.insert(filename.to_owned());
        }
    }

    fn read_env_var(&self, key: &str) {
        if let Ok(mut s) = self.seen.lock() {
            s.env_vars.insert(key.to_owned());
        }
    }
}
