//! Errors of argument and result conversion.

use std::fmt;

/// A C value with no Rust counterpart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MarshalError {
    /// C returned a value that the enum has no variant for.
    UnknownEnumValue {
        /// The Rust enum.
        type_name: &'static str,
        /// The value C gave (wide enough for every C integer type).
        value: i128,
    },
}

impl fmt::Display for MarshalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MarshalError::UnknownEnumValue { type_name, value } => {
                write!(f, "C value {value} is not a variant of enum {type_name}")
            }
        }
    }
}

impl std::error::Error for MarshalError {}

/// Why a call through a declared function could not be made or its result
/// could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallError {
    /// A string argument contains a NUL byte before its end, so C would see
    /// a shorter string.
    InteriorNul {
        /// The declared function.
        function: &'static str,
        /// The parameter.
        param: &'static str,
        /// The parameter's index among the C arguments (from 0).
        index: usize,
        /// The byte offset of the first NUL.
        position: usize,
    },
    /// C returned NULL where the declaration promised a string (`&CStr`);
    /// declare `Option<&CStr>` if NULL is a normal result.
    NullString {
        /// The declared function.
        function: &'static str,
    },
    /// A closure argument could not be made into a callback (no executable
    /// memory).
    Callback {
        /// The declared function.
        function: &'static str,
        /// The OS error.
        message: String,
    },
    /// A slice is longer than its length parameter's C type can say.
    LengthOverflow {
        /// The declared function.
        function: &'static str,
        /// The length parameter.
        param: &'static str,
        /// The slice's length.
        len: usize,
    },
    /// The function is defined nowhere alien looked.
    Undefined(crate::error::UndefinedSymbol),
    /// A result or out value could not be converted.
    Result {
        /// The declared function.
        function: &'static str,
        /// What went wrong.
        source: MarshalError,
    },
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::InteriorNul { function, param, index, position } => write!(
                f,
                "argument {index} (`{param}`) of {function} contains a NUL byte at offset {position}; \
                 C would see the string cut short there"
            ),
            CallError::NullString { function } => write!(
                f,
                "{function} returned NULL where its declaration promises a string; declare the \
                 result as Option<&CStr> if NULL is expected"
            ),
            CallError::Result { function, source } => write!(f, "result of {function}: {source}"),
            CallError::LengthOverflow { function, param, len } => write!(
                f,
                "argument `{param}` of {function} is a slice's length, {len}, which its C type cannot hold"
            ),
            CallError::Undefined(e) => write!(f, "{e}"),
            CallError::Callback { function, message } => {
                write!(f, "cannot make the closure argument of {function} into a callback: {message}")
            }
        }
    }
}

impl std::error::Error for CallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CallError::Result { source, .. } => Some(source),
            CallError::Undefined(e) => Some(e),
            _ => None,
        }
    }
}
