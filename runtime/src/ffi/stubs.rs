//! Call stubs, generated once per (convention, signature) and shared.

use super::{Abi, FfiError};
use crate::code::memory::{CodeArena, CodeBlock};
use alien_codegen::abi::Signature;
use alien_codegen::x86::JumpReturn;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// What kind of stub a signature has (see `alien_codegen::x86`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StubKind {
    /// `void stub(target, args, ret)`: stores the result into `ret`.
    Store,
    /// `stub(target, args)`: loads the registers and jumps to the target,
    /// whose result comes back in `rax` or `xmm0` (System V, register
    /// arguments and a scalar or `void` result only).
    Jump,
}

/// A generated stub and its kind.
#[derive(Debug, Clone)]
pub(crate) struct Stub {
    pub(crate) code: Arc<CodeBlock>,
    pub(crate) kind: StubKind,
}

/// Stubs by (convention, signature).
type Cache = Mutex<HashMap<(Abi, Signature), Stub>>;

static CACHE: OnceLock<Cache> = OnceLock::new();

/// The call stub of `sig` for a target following `abi`, from the cache or
/// generated now: a jump stub when the signature has one (System V), the
/// storing stub otherwise.
pub(crate) fn stub_for(abi: Abi, sig: &Signature) -> Result<Stub, FfiError> {
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
    let key = (abi, sig.clone());
    if let Some(s) = map.get(&key) {
        return Ok(s.clone());
    }
    let (code, kind) = match abi {
        Abi::SysV => match alien_codegen::x86::sysv_jump_stub(sig).map_err(FfiError::Codegen)? {
            // Where the result comes back follows from the result type.
            Some((code, JumpReturn::Int | JumpReturn::Sse)) => (code, StubKind::Jump),
            None => (
                alien_codegen::x86::sysv_call_stub(sig).map_err(FfiError::Codegen)?,
                StubKind::Store,
            ),
        },
        Abi::Win64 => (
            alien_codegen::x86::win64_call_stub(sig).map_err(FfiError::Codegen)?,
            StubKind::Store,
        ),
    };
    let block = CodeArena::global()
        .reserve(code.len())
        .and_then(|r| r.finish(&code))
        .map_err(FfiError::CodeMemory)?;
    let stub = Stub {
        code: Arc::new(block),
        kind,
    };
    map.insert(key, stub.clone());
    Ok(stub)
}

/// How many (convention, signature) pairs have a stub (for tests of the cache).
pub(crate) fn cached_stubs() -> usize {
    CACHE
        .get()
        .map_or(0, |c| c.lock().unwrap_or_else(|p| p.into_inner()).len())
}
