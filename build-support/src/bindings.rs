//! The generated code, and writing it where cargo looks.

use crate::BuildError;
use std::fmt;
use std::path::{Path, PathBuf};

/// Generated declarations, ready to write.
#[derive(Debug, Clone)]
pub struct Bindings {
    pub(crate) code: String,
    pub(crate) included_files: Vec<String>,
    pub(crate) env_vars: Vec<String>,
}

impl Bindings {
    /// The generated Rust source.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Every header clang read (the ones named and everything they
    /// included), as `cargo:rerun-if-changed` lists them.
    pub fn included_files(&self) -> &[String] {
        &self.included_files
    }

    /// Every environment variable that influenced the result.
    pub fn env_vars(&self) -> &[String] {
        &self.env_vars
    }

    /// Prints `cargo:rerun-if-changed` for every included header and
    /// `cargo:rerun-if-env-changed` for every variable read.
    pub fn emit_cargo_metadata(&self) {
        for f in &self.included_files {
            // Headers given as text have no file to watch.
            if Path::new(f).exists() {
                println!("cargo:rerun-if-changed={f}");
            }
        }
        for v in &self.env_vars {
            println!("cargo:rerun-if-env-changed={v}");
        }
    }

    /// Writes the code to `path` unless the file already holds exactly it
    /// (so that nothing downstream rebuilds); returns whether it wrote.
    pub fn write_to_file(&self, path: impl AsRef<Path>) -> Result<bool, BuildError> {
        let path = path.as_ref();
        if std::fs::read_to_string(path).is_ok_and(|old| old == self.code) {
            return Ok(false);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| BuildError::Io {
                path: dir.to_owned(),
                source,
            })?;
        }
        std::fs::write(path, &self.code).map_err(|source| BuildError::Io {
            path: path.to_owned(),
            source,
        })?;
        Ok(true)
    }

    /// Writes to `$OUT_DIR/name` (if changed); returns the path.
    pub fn write_to_out_dir(&self, name: impl AsRef<Path>) -> Result<PathBuf, BuildError> {
        let dir = std::env::var_os("OUT_DIR").ok_or(BuildError::Env { var: "OUT_DIR" })?;
        let path = PathBuf::from(dir).join(name);
        self.write_to_file(&path)?;
        Ok(path)
    }
}

impl fmt::Display for Bindings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}
