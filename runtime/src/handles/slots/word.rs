//! The slot word: what a lookup compares its handle with.

use super::super::handle::{Handle, INDEX_BITS};

/// Slot word: an occupied slot's word is the value of the handle naming
/// its registration (the generation above `GEN_SHIFT`, the index plus one
/// below), so a lookup checks a slot with one comparison: [`expected`]. A
/// free slot's word has the generation it will be used with, and zero below
/// (no handle has); a slot whose generations are used up has [`RETIRED`].
const GEN_SHIFT: u32 = INDEX_BITS;
/// The bits below the generation.
const LOW: u64 = (1 << GEN_SHIFT) - 1;
/// The word of a slot whose last generation was used up: it is never reused
/// (generation 0 is never issued).
pub(super) const RETIRED: u64 = 0;
/// The word of a slot never used (and what a lookup beyond the slots in use
/// reports).
pub(super) const FRESH: u64 = free(1);

/// The word of a free slot to be used with `generation`.
pub(super) const fn free(generation: u32) -> u64 {
    (generation as u64) << GEN_SHIFT
}

pub(super) const fn gen_of(w: u64) -> u32 {
    (w >> GEN_SHIFT) as u32
}

/// Whether a slot word says occupied.
pub(super) const fn occupied(w: u64) -> bool {
    w & LOW != 0
}

/// The word of a slot holding the registration `h` names: the handle's
/// value (a free or retired slot never matches).
#[inline(always)]
pub(super) const fn expected(h: Handle) -> u64 {
    h.into_raw() as u64
}
