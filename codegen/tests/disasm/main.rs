//! Disassembly tests of the machine code built by `alien_codegen::x86`: the
//! bytes are decoded with iced-x86 and the instruction sequence is compared,
//! as Intel-syntax text, with what the routines are documented to do.
//!
//! The code is not run here (mapping it executable needs `mmap`, which this
//! crate does not depend on); the runtime's tests execute it.

#![cfg(feature = "x86")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod entry;
mod lazy;
mod resolver;
mod support;

use alien_codegen::x86::{entry, resolver, LazyStubTemplate};
use support::modes;

#[test]
fn every_routine_starts_with_endbr64() {
    const ENDBR64: [u8; 4] = [0xf3, 0x0f, 0x1e, 0xfa];
    assert_eq!(entry(0x1000).unwrap()[..4], ENDBR64);
    assert_eq!(
        LazyStubTemplate::new().unwrap().instantiate(1, 2)[..4],
        ENDBR64
    );
    for mode in modes() {
        assert_eq!(resolver(mode, 0x1000).unwrap()[..4], ENDBR64, "{mode:?}");
    }
}
