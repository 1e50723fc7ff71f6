//! What can go wrong while generating, each with its own message.

use std::fmt;
use std::path::PathBuf;

/// One diagnostic clang reported, split into where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file clang names (as it wrote it), if any.
    pub file: Option<PathBuf>,
    /// 1-based line, if known.
    pub line: Option<u32>,
    /// 1-based column, if known.
    pub column: Option<u32>,
    /// `error`, `fatal error`, `warning`, ...
    pub severity: String,
    /// The message, without the location and severity.
    pub message: String,
    /// The line as clang formatted it.
    pub text: String,
}

impl Diagnostic {
    /// Splits one line of clang's default diagnostic format,
    /// `file:line:col: severity: message`.
    pub(crate) fn parse(text: &str) -> Diagnostic {
        let fallback = || Diagnostic {
            file: None,
            line: None,
            column: None,
            severity: "error".to_owned(),
            message: text.to_owned(),
            text: text.to_owned(),
        };
        for severity in ["fatal error", "error", "warning", "note"] {
            let marker = format!(": {severity}: ");
            let Some(at) = text.find(&marker) else {
                continue;
            };
            let location = &text[..at];
            let message = text[at + marker.len()..].to_owned();
            // `file:line:col`, where `file` may itself contain ':'.
            let mut parts = location.rsplitn(3, ':');
            let col = parts.next().and_then(|c| c.parse().ok());
            let line = parts.next().and_then(|l| l.parse().ok());
            let file = parts.next().map(PathBuf::from);
            let (file, line, column) = match (file, line, col) {
                (Some(f), Some(l), Some(c)) => (Some(f), Some(l), Some(c)),
                _ => (Some(PathBuf::from(location)), None, None),
            };
            return Diagnostic {
                file,
                line,
                column,
                severity: severity.to_owned(),
                message,
                text: text.to_owned(),
            };
        }
        fallback()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Why bindings could not be generated.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// libclang could not be loaded.
    LibclangMissing {
        /// What clang-sys reported (the places it searched).
        detail: String,
    },
    /// A header does not exist (or is not a readable file).
    HeaderNotFound {
        /// The header as given.
        path: PathBuf,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// clang could not parse the headers.
    Parse {
        /// The headers that were parsed.
        headers: Vec<String>,
        /// Every error clang reported, with file and line.
        diagnostics: Vec<Diagnostic>,
    },
    /// bindgen failed for another reason (or panicked).
    Bindgen {
        /// bindgen's message.
        message: String,
    },
    /// The builder's configuration does not fit the header: a
    /// `param_*` naming a function or parameter that does not exist, or a
    /// parameter whose C type cannot take the requested treatment.
    Config {
        /// What is wrong, naming the function and parameter.
        message: String,
    },
    /// An allow/block list or enum pattern is not a valid regular expression.
    Regex {
        /// The pattern.
        pattern: String,
        /// The regex crate's error.
        source: regex::Error,
    },
    /// bindgen's output could not be read back (a bug in alien-build or
    /// bindgen).
    Output {
        /// syn's message.
        source: syn::Error,
    },
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// An environment variable the build script needs is not set.
    Env {
        /// The variable.
        var: &'static str,
    },
}

impl BuildError {
    /// The clang diagnostics, for a parse failure.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            BuildError::Parse { diagnostics, .. } => diagnostics,
            _ => &[],
        }
    }
}

/// What to install, per platform, when libclang is missing.
pub const INSTALL_LIBCLANG: &str =
    "install libclang: `apt-get install libclang-dev` (Debian, Ubuntu), \
     `dnf install clang-devel` (Fedora), `brew install llvm` (macOS); or set LIBCLANG_PATH to the \
     directory that holds libclang.so";

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::LibclangMissing { .. } => write!(
                f,
                "alien-build needs libclang to read C headers, and it was not found; {INSTALL_LIBCLANG}"
            ),
            BuildError::HeaderNotFound { path, reason } => {
                write!(f, "header `{}` {reason}", path.display())
            }
            BuildError::Parse {
                headers,
                diagnostics,
            } => {
                let n = diagnostics.len();
                write!(
                    f,
                    "clang could not parse {} ({n} error{}):",
                    headers
                        .iter()
                        .map(|h| format!("`{h}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if n == 1 { "" } else { "s" }
                )?;
                for d in diagnostics {
                    write!(f, "\n    {d}")?;
                }
                Ok(())
            }
            BuildError::Bindgen { message } => write!(f, "bindgen failed: {message}"),
            BuildError::Config { message } => f.write_str(message),
            BuildError::Regex { pattern, .. } => {
                write!(f, "`{pattern}` is not a valid regular expression")
            }
            BuildError::Output { .. } => {
                f.write_str("bindgen's output could not be read back as Rust")
            }
            BuildError::Io { path, .. } => write!(f, "cannot access `{}`", path.display()),
            BuildError::Env { var } => write!(
                f,
                "the environment variable `{var}` is not set: is this running from a build script?"
            ),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Regex { source, .. } => Some(source),
            BuildError::Output { source } => Some(source),
            BuildError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl BuildError {
    /// The whole cause chain, one cause per line, as the exiting entry
    /// points print it.
    pub fn report(&self) -> String {
        let mut out = format!("error: {self}");
        if let BuildError::LibclangMissing { detail } = self {
            out.push_str(&format!("\n  caused by: {detail}"));
        }
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            out.push_str(&format!("\n  caused by: {c}"));
            cause = c.source();
        }
        out
    }
}
