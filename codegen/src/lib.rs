//! `alien-codegen`: the one place that knows signatures, the C ABI and x86-64
//! encoding.
//!
//! * `x86` (feature `x86`): machine code built with iced-x86 — linkage-table
//!   entries, lazy-resolution stubs and the resolver routine that keeps every
//!   argument register intact.
//! * `decl` (feature `tokens`): the declaration model shared by the
//!   procedural macros and the build-time generator — parse, check, emit.
//!
//! This crate has no run-time state: the runtime asks it for bytes and places
//! them in executable memory itself.

#[cfg(feature = "x86")]
pub mod x86;

#[cfg(feature = "tokens")]
pub mod decl;

pub mod abi;
