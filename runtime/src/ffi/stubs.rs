//! Call stubs, generated once per signature and shared.

use super::FfiError;
use crate::code::memory::{CodeArena, CodeBlock};
use alien_codegen::abi::Signature;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

static CACHE: OnceLock<Mutex<HashMap<Signature, Arc<CodeBlock>>>> = OnceLock::new();

/// The call stub of `sig`, from the cache or generated now.
pub(crate) fn stub_for(sig: &Signature) -> Result<Arc<CodeBlock>, FfiError> {
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(s) = map.get(sig) {
        return Ok(Arc::clone(s));
    }
    let code = alien_codegen::x86::sysv_call_stub(sig).map_err(FfiError::Codegen)?;
    let block = CodeArena::global()
        .reserve(code.len())
        .and_then(|r| r.finish(&code))
        .map_err(FfiError::CodeMemory)?;
    let block = Arc::new(block);
    map.insert(sig.clone(), Arc::clone(&block));
    Ok(block)
}

/// How many signatures have a stub (for tests of the cache).
pub(crate) fn cached_stubs() -> usize {
    CACHE
        .get()
        .map_or(0, |c| c.lock().unwrap_or_else(|p| p.into_inner()).len())
}
