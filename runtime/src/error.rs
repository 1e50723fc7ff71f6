//! The runtime's errors.

use crate::decl::SymbolKind;
use crate::library::LibraryError;
use std::fmt;

/// A symbol that could not be found anywhere it was looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UndefinedSymbol {
    /// The C symbol name.
    pub symbol: String,
    /// The library the declaration names, if any.
    pub library: Option<String>,
    /// Function or variable.
    pub kind: SymbolKind,
    /// Every library and path tried, and why each failed.
    pub attempts: Vec<String>,
}

impl fmt::Display for UndefinedSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            SymbolKind::Data => "variable",
            _ => "function",
        };
        write!(f, "undefined alien {what} `{}`", self.symbol)?;
        if let Some(lib) = &self.library {
            write!(f, " (declared in library \"{lib}\")")?;
        }
        write!(f, "; tried: ")?;
        for (i, a) in self.attempts.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UndefinedSymbol {}

/// An error of the linkage table's API.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A library could not be found or opened.
    Library(LibraryError),
    /// A symbol is not defined anywhere alien looked.
    Undefined(UndefinedSymbol),
    /// Executable memory for an entry or stub could not be had.
    CodeMemory(std::io::Error),
    /// Machine code could not be encoded (a bug in alien).
    Codegen(alien_codegen::x86::CodegenError),
    /// A symbol name contains a NUL byte.
    InvalidSymbolName(String),
    /// An address given as a bare declaration's function is not one.
    NotBare {
        /// The address.
        address: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Library(e) => write!(f, "{e}"),
            Error::Undefined(e) => write!(f, "{e}"),
            Error::CodeMemory(e) => write!(
                f,
                "cannot allocate executable memory for the linkage table: {e}"
            ),
            Error::Codegen(e) => write!(f, "{e}"),
            Error::InvalidSymbolName(n) => write!(f, "symbol name {n:?} contains a NUL byte"),
            Error::NotBare { address } => write!(
                f,
                "address {address:#x} is not a function declared in a bare block \
                 (`#![alien(bare)]`); pass the declared item itself, as `name as *const ()`"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Library(e) => Some(e),
            Error::Undefined(e) => Some(e),
            Error::CodeMemory(e) => Some(e),
            Error::Codegen(e) => Some(e),
            Error::InvalidSymbolName(_) | Error::NotBare { .. } => None,
        }
    }
}

impl From<LibraryError> for Error {
    fn from(e: LibraryError) -> Self {
        Error::Library(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::CodeMemory(e)
    }
}

impl From<alien_codegen::x86::CodegenError> for Error {
    fn from(e: alien_codegen::x86::CodegenError) -> Self {
        Error::Codegen(e)
    }
}
