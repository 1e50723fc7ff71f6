//! A hasher for the table's maps keyed by declaration addresses.
//!
//! The keys are addresses of `'static` declarations, chosen by the linker,
//! not by an adversary, so SipHash's flooding resistance buys nothing and
//! costs about a hundred instructions on the first-call path. One
//! multiplication by an odd constant (Fibonacci hashing) spreads the
//! aligned addresses over the table's buckets.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map keyed by declaration addresses.
pub(crate) type AddrMap<V> = HashMap<usize, V, BuildHasherDefault<AddrHasher>>;

/// Hashes one `usize` (other input is folded in byte by byte).
#[derive(Default, Clone, Copy)]
pub(crate) struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        // 2^64 / golden ratio, odd: a bijection, with the high bits (which
        // hashbrown uses for its control bytes) depending on every input bit.
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::AddrMap;

    #[test]
    fn aligned_addresses_spread_and_round_trip() {
        let mut m: AddrMap<usize> = AddrMap::default();
        let base = 0x5555_5555_0000usize;
        for i in 0..10_000 {
            m.insert(base + 64 * i, i);
        }
        assert_eq!(m.len(), 10_000);
        for i in (0..10_000).step_by(7) {
            assert_eq!(m.get(&(base + 64 * i)), Some(&i));
        }
        assert_eq!(m.remove(&(base + 64 * 3)), Some(3));
        assert!(!m.contains_key(&(base + 64 * 3)));
    }
}
