//! The C type model and the calling conventions: what a signature known only
//! at run time means for registers and stack (System V x86-64 first, Win64
//! second).

pub mod cdef;
mod error;
mod signature;
pub mod sysv;
mod types;
pub mod win64;

pub use error::TypeError;
pub use signature::{Signature, MAX_ARGS};
pub use types::{Field, StructType, Type};
