//! Machine code the table owns: the resolver routine and the lazy stubs.

use crate::code::memory::{CodeArena, CodeBlock};
use crate::error::Error;
use alien_codegen::x86::{self, LazyStubTemplate, SaveMode, LAZY_STUB_SIZE};

/// The resolver routines and the template their stubs are made from.
pub(crate) struct StubFactory {
    /// Saves the argument registers of every type a declaration can spell.
    args_only: CodeBlock,
    /// Saves the whole vector state (names known only at run time).
    full: CodeBlock,
    template: LazyStubTemplate,
}

/// How this CPU's vector state is saved (as glibc's `_dl_runtime_resolve` picks it).
pub(crate) fn save_mode() -> SaveMode {
    if std::arch::is_x86_feature_detected!("xsave") {
        // CPUID leaf 0xD exists when XSAVE is supported.
        let size = std::arch::x86_64::__cpuid_count(0xD, 0).ebx;
        if std::arch::is_x86_feature_detected!("xsavec") {
            return SaveMode::Xsavec { size };
        }
        return SaveMode::Xsave { size };
    }
    SaveMode::Fxsave
}

impl StubFactory {
    pub(crate) fn new(resolve_fn: usize) -> Result<StubFactory, Error> {
        let routine = |mode| -> Result<CodeBlock, Error> {
            let code = x86::resolver(mode, resolve_fn as u64)?;
            let reservation = CodeArena::global().reserve(code.len())?;
            Ok(reservation.finish(&code)?)
        };
        Ok(StubFactory {
            args_only: routine(SaveMode::ArgsOnly)?,
            full: routine(save_mode())?,
            template: LazyStubTemplate::new()?,
        })
    }

    /// A lazy stub entering a resolver routine with `tag`: the one saving the
    /// whole vector state when `full`.
    pub(crate) fn stub(&self, tag: usize, full: bool) -> Result<CodeBlock, Error> {
        let resolver = if full { &self.full } else { &self.args_only };
        let bytes = self
            .template
            .instantiate(tag as u64, resolver.addr() as u64);
        let reservation = CodeArena::global().reserve(LAZY_STUB_SIZE)?;
        Ok(reservation.finish(&bytes)?)
    }
}

/// An entry (`jmp` through the slot at `slot_addr`).
pub(crate) fn entry(slot_addr: usize) -> Result<CodeBlock, Error> {
    let code = x86::entry(slot_addr as u64)?;
    let reservation = CodeArena::global().reserve(code.len())?;
    Ok(reservation.finish(&code)?)
}
