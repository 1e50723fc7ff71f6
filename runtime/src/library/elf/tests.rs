//! The symbol index against the real loader: every symbol the index covers
//! in libz, libsqlite3, libm and libc gets `dlsym`'s answer. (The
//! integration test `tests/tests/elf_lookup.rs` does the same from `nm -D`'s
//! names, and covers fixtures with every kind of symbol.)

#![allow(clippy::unwrap_used)]

use super::*;
use crate::library::Library;

#[test]
fn gnu_hash_is_dl_new_hash() {
    assert_eq!(gnu_hash(b""), 5381);
    assert_eq!(gnu_hash(b"printf"), 0x156b_2bb8);
    assert_eq!(gnu_hash(b"dlsym"), 0x0f4d_c4ae);
}

#[test]
fn fast_mod_is_the_remainder() {
    let divisors = [
        1u32,
        2,
        3,
        7,
        13,
        1021,
        4093,
        65_521,
        u32::MAX - 1,
        u32::MAX,
    ];
    let values = [0u32, 1, 2, 12_345, 0x8000_0000, u32::MAX - 1, u32::MAX];
    for d in divisors {
        let magic = (u64::MAX / u64::from(d)).wrapping_add(1);
        for a in values
            .into_iter()
            .chain((0..1000).map(|i| i * 4_294_967 + 13))
        {
            assert_eq!(fast_mod(a, magic, d), a % d, "{a} % {d}");
        }
    }
}

#[test]
fn same_bytes_compares_every_length() {
    let text = b"gen_f00001_abcdefghijklmnopqrstuvwxyz";
    for n in 0..text.len() {
        let a = &text[..n];
        assert!(same_bytes(a, &text[..n]));
        for i in 0..n {
            let mut b = a.to_vec();
            b[i] ^= 0x20;
            assert!(!same_bytes(a, &b), "length {n}, byte {i}");
        }
    }
    assert!(!same_bytes(b"abc", b"abcd"));
}

#[test]
fn indexed_names_agree_with_dlsym() {
    for name in ["z", "sqlite3", "m", "c"] {
        let lib = Library::open(name, &[]).unwrap();
        let index = lib.index().unwrap();
        let names = index.names();
        assert!(names.len() > 50, "{name}: {} names", names.len());
        let mut found = 0;
        for n in &names {
            let dlsym = lib.dlsym(n);
            if let IndexedSymbol::Found(p) = index.find(n) {
                assert_eq!(Some(p), dlsym, "{name}: {n:?}");
                found += 1;
            }
            assert_eq!(lib.symbol(n), dlsym, "{name}: {n:?}");
        }
        assert!(
            found * 2 > names.len(),
            "{name}: {found} of {}",
            names.len()
        );
    }
}

#[test]
fn global_scope_has_no_index() {
    let global = Library::global();
    assert_eq!(global.indexed_symbol(c"strlen"), IndexedSymbol::NoIndex);
    assert!(global.symbol(c"strlen").is_some());
}

#[test]
fn table_ranges_must_lie_in_a_segment() {
    // A table is read only when it lies, aligned, inside one segment.
    let layout = Layout {
        bias: 0x1000,
        segments: vec![(0x1000, 0x2000)],
        dynamic: 0x1000,
        dynamic_len: 0,
    };
    assert!(layout.words::<u32>(0x1ffc, 1).is_some());
    assert!(layout.words::<u32>(0x1ffe, 1).is_none(), "misaligned");
    assert!(layout.words::<u32>(0x1ffc, 2).is_none(), "past the end");
    assert!(layout.words::<u64>(0x800, 1).is_none(), "before the start");
    assert!(layout.words::<u8>(usize::MAX, 2).is_none(), "overflow");
}
