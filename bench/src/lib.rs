//! What the benchmarks compare: the same C functions (`c/calls.c`, built into
//! `libalien_bench.so` by `build.rs`) called through alien's linkage table,
//! directly as a dynamic-linked `extern "C"` function (through the GOT), and
//! through a libloading function pointer. `bench/run.sh` runs everything and
//! writes `bench/RESULTS.md`.

#![allow(clippy::too_many_arguments)]

use std::ffi::{c_int, c_long};

/// Path of `libalien_bench.so`, built by `build.rs`.
pub const BENCH_LIB: &str = env!("ALIEN_BENCH_LIB");

/// Through alien's linkage table: `wrapper -> relaxed slot load -> indirect call`.
pub mod table {
    use std::ffi::{c_int, c_long};

    alien::define_c_function! {
        #![library("alien_bench", candidates = [crate::BENCH_LIB])]
        #[alien(no_callbacks)]
        pub fn add2(a: c_int, b: c_int) -> c_int;
        #[alien(no_callbacks)]
        pub fn mix8(a: c_int, b: f64, c: c_int, d: f64, e: c_int, f: f64, g: c_int, h: f64) -> f64;
        #[alien(no_callbacks)]
        pub fn sum12(
            a: c_int, b: c_int, c: c_int, d: c_int, e: c_int, f: c_int,
            g: c_int, h: c_int, i: c_int, j: c_int, k: c_int, l: c_int,
        ) -> c_long;
    }
}

/// Directly: the bench targets link `libalien_bench.so` (`-l alien_bench`),
/// so rustc calls these through the GOT (`call *add2@GOTPCREL(%rip)`).
pub mod direct {
    use std::ffi::{c_int, c_long};

    extern "C" {
        /// `int add2(int, int)`.
        pub fn add2(a: c_int, b: c_int) -> c_int;
        /// `double mix8(int, double, int, double, int, double, int, double)`.
        pub fn mix8(a: c_int, b: f64, c: c_int, d: f64, e: c_int, f: f64, g: c_int, h: f64) -> f64;
        /// `long sum12(int x 12)`.
        pub fn sum12(
            a: c_int,
            b: c_int,
            c: c_int,
            d: c_int,
            e: c_int,
            f: c_int,
            g: c_int,
            h: c_int,
            i: c_int,
            j: c_int,
            k: c_int,
            l: c_int,
        ) -> c_long;
    }
}

/// The same functions in a bare block (what `alien-build` emits for a
/// function that needs no marshalling): `direct call to a trampoline ->
/// jmp [slot]`.
pub mod bare {
    use std::ffi::{c_int, c_long};

    alien::define_c_function! {
        #![library("alien_bench", candidates = [crate::BENCH_LIB])]
        #![alien(bare)]
        pub unsafe fn add2(a: c_int, b: c_int) -> c_int;
        pub unsafe fn mix8(a: c_int, b: f64, c: c_int, d: f64, e: c_int, f: f64, g: c_int, h: f64) -> f64;
        pub unsafe fn sum12(
            a: c_int, b: c_int, c: c_int, d: c_int, e: c_int, f: c_int,
            g: c_int, h: c_int, i: c_int, j: c_int, k: c_int, l: c_int,
        ) -> c_long;
    }
}

/// `int add2(int, int)`.
pub type Add2 = unsafe extern "C" fn(c_int, c_int) -> c_int;
/// `double mix8(int, double, int, double, int, double, int, double)`.
pub type Mix8 = unsafe extern "C" fn(c_int, f64, c_int, f64, c_int, f64, c_int, f64) -> f64;
/// `long sum12(int x 12)`.
pub type Sum12 = unsafe extern "C" fn(
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
) -> c_long;

/// The same functions as libloading function pointers (copied out of their
/// `Symbol`s, the way a caller keeps them; the library stays open while this
/// value lives).
#[derive(Debug)]
pub struct Loaded {
    /// `add2`.
    pub add2: Add2,
    /// `mix8`.
    pub mix8: Mix8,
    /// `sum12`.
    pub sum12: Sum12,
    _library: libloading::Library,
}

impl Loaded {
    /// Opens `libalien_bench.so` with libloading and looks the functions up.
    pub fn open() -> Result<Loaded, libloading::Error> {
        // SAFETY: the library is ours; its initialisers do nothing.
        let library = unsafe { libloading::Library::new(BENCH_LIB) }?;
        // SAFETY: the types are the functions' C signatures (c/calls.c).
        unsafe {
            let add2 = *library.get::<Add2>(b"add2\0")?;
            let mix8 = *library.get::<Mix8>(b"mix8\0")?;
            let sum12 = *library.get::<Sum12>(b"sum12\0")?;
            Ok(Loaded {
                add2,
                mix8,
                sum12,
                _library: library,
            })
        }
    }
}

/// The measured loops, shared by the criterion benchmark (`benches/calls.rs`,
/// timed) and `callcount` (instructions counted with callgrind), so both
/// measure the same machine code. Each calls its function `n` times with the
/// first argument taken from the loop counter and sums the results; they are
/// `#[no_mangle]` so `objdump -d` finds them by name (`bench_loop_*`).
pub mod loops {
    use super::{direct, table, Add2, Mix8, Sum12};
    use std::ffi::c_int;

    macro_rules! loop_fns {
        ($t:ident, $d:ident, $l:ident, $f:ident: $ty:ident, $acc:ty, |$i:ident| ($($arg:expr),*)) => {
            /// Through alien's linkage table.
            #[no_mangle]
            #[inline(never)]
            pub fn $t(n: u64) -> $acc {
                let mut acc: $acc = 0 as $acc;
                for $i in 0..n {
                    acc += table::$f($($arg),*) as $acc;
                }
                acc
            }

            /// A direct dynamic-linked call (through the GOT).
            #[no_mangle]
            #[inline(never)]
            pub fn $d(n: u64) -> $acc {
                let mut acc: $acc = 0 as $acc;
                for $i in 0..n {
                    // SAFETY: the declaration is the function's C signature.
                    acc += unsafe { direct::$f($($arg),*) } as $acc;
                }
                acc
            }

            /// Through a libloading function pointer.
            #[no_mangle]
            #[inline(never)]
            pub fn $l(f: $ty, n: u64) -> $acc {
                let mut acc: $acc = 0 as $acc;
                for $i in 0..n {
                    // SAFETY: `f` is the function, looked up with its C type.
                    acc += unsafe { f($($arg),*) } as $acc;
                }
                acc
            }
        };
    }

    macro_rules! bare_loop_fn {
        ($b:ident, $f:ident, $acc:ty, |$i:ident| ($($arg:expr),*)) => {
            /// Through a bare block's trampoline.
            #[no_mangle]
            #[inline(never)]
            pub fn $b(n: u64) -> $acc {
                let mut acc: $acc = 0 as $acc;
                for $i in 0..n {
                    // SAFETY: the declaration is the function's C signature.
                    acc += unsafe { super::bare::$f($($arg),*) } as $acc;
                }
                acc
            }
        };
    }

    bare_loop_fn!(bench_loop_bare_add2, add2, i64, |i| (i as c_int, 7));
    bare_loop_fn!(bench_loop_bare_mix8, mix8, f64, |i| (
        i as c_int, 1.5, 2, 2.5, 3, 3.5, 4, 4.5
    ));
    bare_loop_fn!(bench_loop_bare_sum12, sum12, i64, |i| (
        i as c_int, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    ));

    loop_fns!(bench_loop_table_add2, bench_loop_direct_add2, bench_loop_libloading_add2,
        add2: Add2, i64, |i| (i as c_int, 7));
    loop_fns!(bench_loop_table_mix8, bench_loop_direct_mix8, bench_loop_libloading_mix8,
        mix8: Mix8, f64, |i| (i as c_int, 1.5, 2, 2.5, 3, 3.5, 4, 4.5));
    loop_fns!(bench_loop_table_sum12, bench_loop_direct_sum12, bench_loop_libloading_sum12,
        sum12: Sum12, i64, |i| (i as c_int, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
}
