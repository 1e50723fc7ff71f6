//! The builder's entry points: generate the bindings, and write them to
//! `OUT_DIR`.

use super::bindgen_run::Recorder;
use super::Builder;
use crate::bindings::Bindings;
use crate::options::Options;
use crate::{or_exit, translate, BuildError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

impl Builder {
    /// Reads the headers and translates them.
    pub fn generate(self) -> Result<Bindings, BuildError> {
        let compile = |patterns: &[String]| -> Result<Vec<regex::Regex>, BuildError> {
            patterns
                .iter()
                .map(|p| {
                    regex::Regex::new(&format!("^(?:{p})$")).map_err(|source| BuildError::Regex {
                        pattern: p.clone(),
                        source,
                    })
                })
                .collect()
        };
        for (_, p) in self.allow.iter().chain(&self.block) {
            compile(std::slice::from_ref(p))?;
        }
        let options = Options {
            library: self.library.clone(),
            candidates: self.candidates.clone(),
            params: self.params.clone(),
            return_cstr: self.return_cstr.clone(),
            c_enums: compile(&self.c_enums)?,
            safe_functions: compile(&self.safe_functions)?,
            errno_functions: compile(&self.errno_functions)?,
            wrapped_functions: compile(&self.wrapped_functions)?,
            declarations: self.declarations,
            prototypes: self.prototypes.clone(),
            headers: self
                .headers
                .iter()
                .chain(self.header_contents.iter().map(|(n, _)| n))
                .cloned()
                .collect(),
        };
        let recorder = Recorder::default();
        let seen = recorder.seen.clone();
        let cargo_metadata = self.cargo_metadata;
        let raw = self.run_bindgen(recorder)?;
        let code = translate::translate(&raw, &options)?;
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        let mut env_vars: BTreeSet<String> = ["LIBCLANG_PATH", "CLANG_PATH", "LLVM_CONFIG_PATH"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        env_vars.extend(seen.env_vars);
        let bindings = Bindings {
            code,
            included_files: seen.files.into_iter().collect(),
            env_vars: env_vars.into_iter().collect(),
        };
        if cargo_metadata {
            bindings.emit_cargo_metadata();
        }
        Ok(bindings)
    }

    /// [`generate`](Self::generate), or print the error with its causes and
    /// exit with status 1 (the way to fail a build script without a panic's
    /// backtrace).
    pub fn generate_or_exit(self) -> Bindings {
        or_exit(self.generate())
    }

    /// Generates and writes the result to `$OUT_DIR/name` (only if it
    /// changed); returns the path.
    pub fn write_to_out_dir(self, name: impl AsRef<Path>) -> Result<PathBuf, BuildError> {
        let bindings = self.generate()?;
        bindings.write_to_out_dir(name)
    }

    /// [`write_to_out_dir`](Self::write_to_out_dir), or print the error with
    /// its causes and exit with status 1.
    pub fn write_to_out_dir_or_exit(self, name: impl AsRef<Path>) -> PathBuf {
        or_exit(self.write_to_out_dir(name))
    }
}
