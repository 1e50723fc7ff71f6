//! Bare declarations: a `define_c_function!` block marked `#![alien(bare)]`
//! (what `alien-build` emits for the functions of a header that need no
//! marshalling).
//!
//! A bare block declares its functions as an `extern "C-unwind"` block whose
//! items are linked to trampolines the macro emits in a naked function (`endbr64; jmp
//! [slot]`, 16 bytes each, in declaration order): a call is a direct call
//! and one indirect jump through the linkage-table slot, like a call through
//! a PLT. The block's records are one array of one repeated constant (cheap
//! to compile), named from the block's `names` when it is first registered.
//! There is no Rust body and no companion module per declaration; what a
//! companion module gives is reached through [`BareFunction::of`].

use crate::decl::Decl;
use crate::error::Error;
use crate::introspect::LinkageInfo;
use crate::table::Interposition;
use std::ffi::CStr;
use std::sync::Once;

/// One bare block, as registered by the macro.
#[derive(Debug)]
pub struct BareBlock {
    /// The block's records, in declaration order.
    pub decls: &'static [Decl],
    /// The symbols, in the same order, each followed by a NUL byte.
    pub names: &'static str,
    /// The first trampoline: trampoline `i` is at `first + 16 * i`.
    pub first: unsafe extern "C-unwind" fn(),
    /// The naked function that holds the trampolines (named here so that
    /// it is emitted: nothing else refers to it by its Rust name).
    pub table: unsafe extern "C" fn(),
}

/// The distance between two trampolines of a bare block.
pub const TRAMPOLINE_STRIDE: usize = 16;

/// Every bare block of the program, collected at link time.
#[linkme::distributed_slice]
pub static BARE: [BareBlock];

static NAMED: Once = Once::new();

/// Names the records of every bare block (once; before the table reads any
/// record, see [`registered`](crate::__private::registered)).
pub(crate) fn name_records() {
    NAMED.call_once(|| {
        for block in BARE.iter() {
            let mut names = block.names.as_bytes();
            for decl in block.decls {
                let Some(end) = names.iter().position(|&b| b == 0) else {
                    // The macro writes a NUL after every name; a record with
                    // no name keeps the empty one (and is never found).
                    break;
                };
                let (name, rest) = names.split_at(end + 1);
                if let Ok(c) = CStr::from_bytes_with_nul(name) {
                    // `name` borrows `block.names`, which is `'static`.
                    let c: &'static CStr = c;
                    decl.set_bare_symbol(c);
                }
                names = rest;
            }
        }
    });
}

/// A function of a bare block: its row in the linkage table and what a
/// companion module offers for a full declaration.
///
/// ```no_run
/// alien::define_c_function! {
///     #![library("m")]
///     #![alien(bare)]
///     pub unsafe fn cbrt(x: f64) -> f64;
/// }
/// # fn main() -> Result<(), alien::Error> {
/// let f = alien::BareFunction::of(cbrt as *const ())?;
/// f.try_resolve()?; // the catchable form of a call's missing-symbol panic
/// assert!((unsafe { cbrt(27.0) } - 3.0).abs() < 1e-12);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct BareFunction {
    decl: &'static Decl,
}

impl BareFunction {
    /// The bare declaration whose function is `f` (the declared item, cast
    /// with `as *const ()`), or [`Error::NotBare`] for any other address.
    pub fn of(f: *const ()) -> Result<BareFunction, Error> {
        crate::table::init();
        let addr = f as usize;
        for block in BARE.iter() {
            let first = block.first as usize;
            let offset = addr.wrapping_sub(first);
            if addr >= first
                && offset.is_multiple_of(TRAMPOLINE_STRIDE)
                && offset / TRAMPOLINE_STRIDE < block.decls.len()
            {
                return Ok(BareFunction {
                    decl: &block.decls[offset / TRAMPOLINE_STRIDE],
                });
            }
        }
        Err(Error::NotBare { address: addr })
    }

    /// The linkage-table record.
    pub fn decl(&self) -> &'static Decl {
        self.decl
    }

    /// Whether the symbol is bound.
    pub fn is_resolved(&self) -> bool {
        self.decl.is_resolved()
    }

    /// Binds the symbol now if it is not bound, or says why it cannot be:
    /// what a call would otherwise raise as a panic.
    pub fn try_resolve(&self) -> Result<(), Error> {
        crate::__private::try_resolve(self.decl).map_err(Error::Undefined)
    }

    /// The declaration's row in the linkage table.
    pub fn info(&self) -> LinkageInfo {
        crate::introspect::info_of(self.decl)
    }

    /// The C-callable entry: an address that never changes and follows every
    /// later rebinding (see [`try_entry`](crate::try_entry)).
    pub fn try_entry(&self) -> Result<usize, Error> {
        crate::table::try_entry(self.decl)
    }

    /// Replaces the function with `replacement`, the address of a C function
    /// of the same type, until the guard drops (see [`interpose`](crate::interpose)).
    pub fn interpose(&self, replacement: usize) -> Interposition {
        crate::table::interpose(self.decl, replacement)
    }

    /// The address under any interpositions (see [`original`](crate::original)).
    pub fn original(&self) -> usize {
        crate::table::original(self.decl)
    }
}
