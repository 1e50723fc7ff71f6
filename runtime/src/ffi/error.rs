//! Errors of run-time calls.

use crate::error::UndefinedSymbol;
use alien_codegen::abi::{Type, TypeError};
use std::fmt;

/// Why a run-time call could not be built or made.
#[derive(Debug)]
#[non_exhaustive]
pub enum FfiError {
    /// The signature is not one C can express (or alien supports).
    Signature(TypeError),
    /// The wrong number of arguments.
    ArgumentCount {
        /// How many the signature takes.
        expected: usize,
        /// How many were given.
        given: usize,
    },
    /// An argument's value does not have the signature's type.
    ArgumentType {
        /// The argument's index (from 0).
        index: usize,
        /// The signature's type.
        expected: Type,
        /// What was given.
        given: String,
    },
    /// A raw slot array is too short.
    SlotCount {
        /// "argument" or "result".
        what: &'static str,
        /// Slots needed.
        expected: usize,
        /// Slots given.
        given: usize,
    },
    /// The symbol is not defined anywhere alien looked.
    Undefined(UndefinedSymbol),
    /// The symbol or library could not be set up.
    Linkage(crate::Error),
    /// Executable memory could not be had.
    CodeMemory(std::io::Error),
    /// Encoding failed (a bug in alien).
    Codegen(alien_codegen::x86::CodegenError),
}

impl fmt::Display for FfiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FfiError::Signature(e) => write!(f, "bad signature: {e}"),
            FfiError::ArgumentCount { expected, given } => {
                write!(f, "the signature takes {expected} arguments, {given} given")
            }
            FfiError::ArgumentType {
                index,
                expected,
                given,
            } => {
                write!(f, "argument {index} must be {expected}, {given} given")
            }
            FfiError::SlotCount {
                what,
                expected,
                given,
            } => {
                write!(
                    f,
                    "the {what} slot array needs {expected} slots, {given} given"
                )
            }
            FfiError::Undefined(e) => write!(f, "{e}"),
            FfiError::Linkage(e) => write!(f, "{e}"),
            FfiError::CodeMemory(e) => {
                write!(f, "cannot allocate executable memory for a call stub: {e}")
            }
            FfiError::Codegen(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FfiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FfiError::Signature(e) => Some(e),
            FfiError::Undefined(e) => Some(e),
            FfiError::Linkage(e) => Some(e),
            FfiError::CodeMemory(e) => Some(e),
            FfiError::Codegen(e) => Some(e),
            _ => None,
        }
    }
}

impl From<TypeError> for FfiError {
    fn from(e: TypeError) -> Self {
        FfiError::Signature(e)
    }
}
