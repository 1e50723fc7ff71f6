//! Marshalling between Rust values and the C values a declaration passes.
//!
//! The rule for failures, used by every generated wrapper: a declared
//! function `f` returns the plain value and **panics** with an
//! [`CallError`] payload when an argument or result cannot be converted
//! (a string argument with an interior NUL, a NULL returned where the
//! declaration promised a `&CStr`, a value C returned that a
//! [`define_c_enum!`](crate::define_c_enum) type has no variant for), and its
//! companion `f::try_call` returns `Result<_, CallError>` and never panics for
//! those. Nothing is ever truncated or reinterpreted silently.

mod ctype;
mod error;
mod strings;

pub use ctype::{CEnum, CRepr, CRet, FromC, IntoC};
pub use error::{CallError, MarshalError};
pub use strings::{
    latin1_decode, latin1_encode, utf16_decode, Latin1Error, TempCString, TempUtf16,
};
