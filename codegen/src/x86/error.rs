//! The error of the code generators.

use std::fmt;

/// Encoding failed: iced-x86 rejected an instruction or block.
///
/// This is a bug in the generator, not something a user can cause with a
/// valid request, but it is reported, never panicked on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodegenError {
    /// What was being generated (e.g. "lazy stub").
    pub what: &'static str,
    /// iced-x86's message.
    pub message: String,
}

impl CodegenError {
    pub(crate) fn new(what: &'static str, err: impl fmt::Display) -> Self {
        CodegenError {
            what,
            message: err.to_string(),
        }
    }
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot encode {}: {}", self.what, self.message)
    }
}

impl std::error::Error for CodegenError {}
