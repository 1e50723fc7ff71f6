//! Which calling convention a run-time procedure's target follows.

use std::fmt;

/// The calling convention of a [`Procedure`](super::Procedure)'s target.
///
/// Both conventions read the same argument slot array and write the same
/// result slots, so only the constructor differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Abi {
    /// System V x86-64 (Linux, the BSDs, macOS): what the other constructors use.
    #[default]
    SysV,
    /// Microsoft x64 (`extern "win64"`, `__attribute__((ms_abi))`): four
    /// register positions, shadow space, aggregates other than 1, 2, 4 or 8
    /// bytes passed by reference.
    Win64,
}

impl fmt::Display for Abi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Abi::SysV => "System V x86-64",
            Abi::Win64 => "Win64",
        })
    }
}
