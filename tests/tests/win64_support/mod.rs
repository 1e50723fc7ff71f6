//! The C types, values and checksums of the Win64 tests (`win64.rs`), and
//! the macro that defines a `extern "win64"` function per signature.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    improper_ctypes_definitions
)]

pub use alien::ffi::{Abi, Procedure, Signature, Type, Value};
use std::cell::Cell;
use std::ffi::c_void;

/// A pointer argument.
pub type P = *mut c_void;

/// splitmix64: deterministic argument values.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// A C type of the tests: its run-time description, a sample value, its
/// bytes, a checksum of it, and its `Value`.
pub trait C: Copy + 'static {
    fn ty() -> Type;
    fn sample(r: &mut Rng) -> Self;
    fn put(self, out: &mut Vec<u8>);
    fn fold(self) -> u64;
    fn value(self) -> Value;
}

macro_rules! int_c {
    ($($t:ty => $ty:ident),*) => {$(
        impl C for $t {
            fn ty() -> Type {
                Type::$ty
            }
            fn sample(r: &mut Rng) -> Self {
                r.next() as $t
            }
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn fold(self) -> u64 {
                self as i64 as u64
            }
            fn value(self) -> Value {
                Value::$ty(self)
            }
        }
    )*};
}
int_c!(i8 => I8, u8 => U8, i16 => I16, u16 => U16, i32 => I32, u32 => U32, i64 => I64, u64 => U64);

impl C for bool {
    fn ty() -> Type {
        Type::Bool
    }
    fn sample(r: &mut Rng) -> Self {
        r.next() & 1 == 1
    }
    fn put(self, out: &mut Vec<u8>) {
        out.push(u8::from(self));
    }
    fn fold(self) -> u64 {
        u64::from(self) + 0x55
    }
    fn value(self) -> Value {
        Value::Bool(self)
    }
}

impl C for f32 {
    fn ty() -> Type {
        Type::F32
    }
    fn sample(r: &mut Rng) -> Self {
        (r.next() as i32) as f32 / 64.0
    }
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn fold(self) -> u64 {
        u64::from(self.to_bits())
    }
    fn value(self) -> Value {
        Value::F32(self)
    }
}

impl C for f64 {
    fn ty() -> Type {
        Type::F64
    }
    fn sample(r: &mut Rng) -> Self {
        ((r.next() as i64) >> 11) as f64 / 1024.0
    }
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn fold(self) -> u64 {
        self.to_bits()
    }
    fn value(self) -> Value {
        Value::F64(self)
    }
}

impl C for P {
    fn ty() -> Type {
        Type::Pointer
    }
    fn sample(r: &mut Rng) -> Self {
        r.next() as usize as P
    }
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self as usize as u64).to_le_bytes());
    }
    fn fold(self) -> u64 {
        self as usize as u64
    }
    fn value(self) -> Value {
        Value::Pointer(self)
    }
}

/// Arrays: struct fields only.
impl<T: C, const N: usize> C for [T; N] {
    fn ty() -> Type {
        Type::Array(Box::new(T::ty()), N)
    }
    fn sample(r: &mut Rng) -> Self {
        std::array::from_fn(|_| T::sample(r))
    }
    fn put(self, out: &mut Vec<u8>) {
        for x in self {
            x.put(out);
        }
    }
    fn fold(self) -> u64 {
        self.iter()
            .fold(0x1234_5678, |h, x| h.rotate_left(11) ^ x.fold())
    }
    fn value(self) -> Value {
        let mut b = Vec::new();
        self.put(&mut b);
        Value::Struct(b)
    }
}

/// `#[repr(C)]` structs without padding (their `Value` bytes are all of them).
macro_rules! c_structs {
    ($($name:ident { $($f:ident: $t:ty),+ })*) => {$(
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub struct $name {
            $(pub $f: $t),+
        }
        impl C for $name {
            fn ty() -> Type {
                Type::structure(vec![$(<$t as C>::ty()),+]).expect("struct type")
            }
            fn sample(r: &mut Rng) -> Self {
                $name { $($f: <$t as C>::sample(r)),+ }
            }
            fn put(self, out: &mut Vec<u8>) {
                $(self.$f.put(out);)+
            }
            fn fold(self) -> u64 {
                let mut h = 0xABCD_u64;
                $(h = h.rotate_left(13) ^ self.$f.fold();)+
                h
            }
            fn value(self) -> Value {
                let mut b = Vec::new();
                self.put(&mut b);
                assert_eq!(b.len(), std::mem::size_of::<Self>(), "{} has padding", stringify!($name));
                assert_eq!(b.len(), Self::ty().size(), "{}: C layout", stringify!($name));
                Value::Struct(b)
            }
        }
    )*};
}

c_structs! {
    // By value (1, 2, 4, 8 bytes), in an integer register or stack slot.
    S1 { a: u8 }
    S2 { a: i8, b: u8 }
    S2h { a: i16 }
    S4 { a: u16, b: i16 }
    S4f { a: f32 }
    S4b { a: [u8; 4] }
    S8 { a: i32, b: u32 }
    S8f { a: f32, b: f32 }
    S8d { a: f64 }
    S8p { p: P }
    // By reference.
    S3 { a: [u8; 3] }
    S5 { a: [u8; 5] }
    S6 { a: u16, b: u16, c: u16 }
    S7 { a: [i8; 7] }
    S12 { a: i32, b: f32, c: u32 }
    S16 { a: i64, b: f64 }
    S16f { a: f32, b: f32, c: f32, d: f32 }
    S24 { a: f64, b: i64, c: u64 }
    S40 { a: [u64; 5] }
    S200 { a: [u64; 25] }
}

/// A result type: any `C` type (derived from the checksum) or `()`.
pub trait Ret {
    fn ret_ty() -> Type;
    fn from_sum(h: u64) -> Self;
    fn ret_value(self) -> Value;
}

impl<T: C> Ret for T {
    fn ret_ty() -> Type {
        T::ty()
    }
    fn from_sum(h: u64) -> Self {
        T::sample(&mut Rng(h))
    }
    fn ret_value(self) -> Value {
        C::value(self)
    }
}

impl Ret for () {
    fn ret_ty() -> Type {
        Type::Void
    }
    fn from_sum(_: u64) -> Self {}
    fn ret_value(self) -> Value {
        Value::Void
    }
}

thread_local! {
    pub static SINK: Cell<u64> = const { Cell::new(0) };
}

pub fn checksum(folds: &[u64]) -> u64 {
    folds
        .iter()
        .enumerate()
        .fold(0xCBF2_9CE4_8422_2325, |h, (i, f)| {
            (h ^ f.wrapping_mul(i as u64 + 1))
                .rotate_left(17)
                .wrapping_mul(0x0100_0000_01B3)
        })
}

/// Defines `mod $name { pub extern "win64" fn f(..) -> $ret; pub fn run(seed) }`
/// for each signature, and `CASES` listing them.
macro_rules! win64_fns {
    ($($name:ident: ($($t:ty),*) -> $ret:ty;)*) => {
        $(
            win64_fn!(@zip $name [$ret] []
                [a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 a10 a11 a12 a13 a14 a15 a16 a17 a18 a19 a20 a21 a22 a23]
                $($t,)*);
        )*
        const CASES: &[(&str, fn(u64))] = &[$((stringify!($name), $name::run)),*];
    };
}

macro_rules! win64_fn {
    (@zip $name:ident [$ret:ty] [$($done:tt)*] [$n:ident $($ns:ident)*] $t:ty, $($rest:ty,)*) => {
        win64_fn!(@zip $name [$ret] [$($done)* ($n $t)] [$($ns)*] $($rest,)*);
    };
    (@zip $name:ident [$ret:ty] [$(($n:ident $t:ty))*] [$($ns:ident)*]) => {
        mod $name {
            use super::*;

            pub extern "win64" fn f($($n: $t),*) -> $ret {
                let h = checksum(&[$(C::fold($n)),*]);
                SINK.with(|s| s.set(h));
                <$ret as Ret>::from_sum(h)
            }

            pub fn signature() -> Signature {
                Signature::new(vec![$(<$t as C>::ty()),*], <$ret as Ret>::ret_ty()).expect("signature")
            }

            pub fn run(seed: u64) {
                #[allow(unused_mut, unused_variables)]
                let mut r = Rng(seed);
                $(let $n = <$t as C>::sample(&mut r);)*
                SINK.with(|s| s.set(0));
                let want = Ret::ret_value(f($($n),*));
                let want_sum = SINK.with(|s| s.replace(0));
                let p = unsafe {
                    Procedure::from_address_with_abi(f as *const () as usize, signature(), Abi::Win64)
                }
                .expect("procedure");
                assert_eq!(p.abi(), Abi::Win64);
                let got = unsafe { p.call(&[$(C::value($n)),*]) }.expect("call");
                let got_sum = SINK.with(|s| s.get());
                assert_eq!(got_sum, want_sum, "{} seed {seed}: the arguments differ", stringify!($name));
                assert_eq!(got, want, "{} seed {seed}: the result differs", stringify!($name));
            }
        }
    };
}
