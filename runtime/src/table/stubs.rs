//! Machine code the table owns: the resolver routine and the lazy stubs.

use crate::code::memory::{CodeArena, CodeBlock};
use crate::error::Error;
use alien_codegen::x86::{self, LazyStubTemplate, SaveMode, LAZY_STUB_SIZE};

/// The resolver routine and the template its stubs are made from.
pub(crate) struct StubFactory {
    resolver: CodeBlock,
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
        let code = x86::resolver(save_mode(), resolve_fn as u64)?;
        let reservation = CodeArena::global().reserve(code.len())?;
        let resolver = reservation.finish(&code)?;
        Ok(StubFactory {
            resolver,
            template: LazyStubTemplate::new()?,
        })
    }

    /// A lazy stub entering the resolver with `tag`.
    pub(crate) fn stub(&self, tag: usize) -> Result<CodeBlock, Error> {
        let bytes = self
            .template
            .instantiate(tag as u64, self.resolver.addr() as u64);
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
