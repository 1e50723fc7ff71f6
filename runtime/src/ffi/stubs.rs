//! Call stubs, generated once per (convention, signature) and shared.

use super::{Abi, FfiError};
use crate::code::memory::{CodeArena, CodeBlock};
use alien_codegen::abi::Signature;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Stubs by (convention, signature).
type Cache = Mutex<HashMap<(Abi, Signature), Arc<CodeBlock>>>;

static CACHE: OnceLock<Cache> = OnceLock::new();

/// The call stub of `sig` for a target following `abi`, from the cache or
/// generated now.
pub(crate) fn stub_for(abi: Abi, sig: &Signature) -> Result<Arc<CodeBlock>, FfiError> {
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
    let key = (abi, sig.clone());
    if let Some(s) = map.get(&key) {
        return Ok(Arc::clone(s));
    }
    let code = match abi {
        Abi::SysV => alien_codegen::x86::sysv_call_stub(sig),
        Abi::Win64 => alien_codegen::x86::win64_call_stub(sig),
    }
    .map_err(FfiError::Codegen)?;
    let block = CodeArena::global()
        .reserve(code.len())
        .and_then(|r| r.finish(&code))
        .map_err(FfiError::CodeMemory)?;
    let block = Arc::new(block);
    map.insert(key, Arc::clone(&block));
    Ok(block)
}

/// How many (convention, signature) pairs have a stub (for tests of the cache).
pub(crate) fn cached_stubs() -> usize {
    CACHE
        .get()
        .map_or(0, |c| c.lock().unwrap_or_else(|p| p.into_inner()).len())
}
