//! Calls whose signature is known only at run time (Larceny's
//! `foreign-procedure`), for interpreters and language runtimes: a
//! [`Signature`] over the [`Type`] model, a generated call stub per signature
//! (cached), and two ways to call — checked [`Value`]s, or a raw slot array.

mod abi;
mod direct;
mod error;
mod procedure;
mod stubs;
mod value;

pub use abi::Abi;
pub use alien_codegen::abi::cdef::{CDefs, CdefError, FunctionDecl, Location};
pub use alien_codegen::abi::{Field, Signature, StructType, Type, TypeError};
pub use error::FfiError;
pub use procedure::{cached_stubs, Procedure};
pub use value::Value;
