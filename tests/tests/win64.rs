//! The Win64 (Microsoft x64) call stubs, tested on Linux: Rust defines
//! `extern "win64"` functions (and a few in assembly where Rust cannot say
//! what is tested: variadic callees, the stack pointer, the registers), and
//! each is called both directly and through
//! `Procedure::from_address_with_abi(.., Abi::Win64)` with `Value`s.
//!
//! Every generated function folds its arguments into a checksum (kept in a
//! thread-local, so a wrong argument is seen even when the result type is
//! narrow) and derives its result from it.
#![cfg(target_arch = "x86_64")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_arguments,
    clippy::unused_unit,
    clippy::undocumented_unsafe_blocks,
    improper_ctypes_definitions
)]

#[macro_use]
mod win64_support;

use win64_support::*;

win64_fns! {
    // Integers of every width, in registers.
    f00: (i8) -> i8;
    f01: (u8) -> u8;
    f02: (i16) -> i16;
    f03: (u16) -> u16;
    f04: (i32) -> i32;
    f05: (u32) -> u32;
    f06: (i64) -> i64;
    f07: (u64) -> u64;
    f08: (bool) -> bool;
    f09: (P) -> P;
    f10: (i8, u8, i16, u16) -> i32;
    f11: (i32, u32, i64, u64) -> u64;
    f12: (bool, i8, i16, i32, i64, u8, u16, u32, u64) -> i64;
    f13: (u64, u64, u64, u64, i8, i16, u8, u16) -> u16;
    f14: () -> u32;
    f15: () -> ();
    f16: (i32, u8, i16) -> ();
    // float and double in every position.
    f17: (f64) -> f64;
    f18: (f32) -> f32;
    f19: (i32, f64) -> f64;
    f20: (i32, i32, f32) -> f32;
    f21: (i64, i64, i64, f64) -> f64;
    f22: (f64, i32, i32, i32) -> i32;
    f23: (f32, f64, f32, f64) -> f64;
    f24: (i32, f64, i32) -> i64;
    f25: (f64, i8, f32, u16) -> f32;
    f26: (u8, f32, i64, f64, f32, f64) -> f64;
    f27: (f64, f64, f64, f64, f64, f64, f64, f64) -> f64;
    f28: (f32, f32, f32, f32, f32, f32) -> f32;
    f29: (i32, f32, i32, f64, i32, f32, i32, f64, i32) -> f32;
    f30: (f64, u64, f32, u32, f64, u64, f32, u32) -> u32;
    f31: (f32, i8, i8, i8, f32) -> i8;
    // More than four arguments.
    f32_: (i32, i32, i32, i32, i32) -> i32;
    f33: (i64, i64, i64, i64, i64, i64) -> i64;
    f34: (u8, u8, u8, u8, u8, u8, u8, u8, u8, u8) -> u8;
    f35: (i16, i16, i16, i16, i16, i16, i16, i16, i16, i16, i16, i16) -> i16;
    f36: (P, i32, P, f64, P, u64, P) -> P;
    f37: (i8, f32, u16, f64, i32, P, u64, bool, f32, i16, f64, u8, i64, f32, u32, f64) -> u64;
    f38: (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64,
          i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> i64;
    // Aggregates of 1, 2, 4, 8 bytes: by value.
    f39: (S1) -> S1;
    f40: (S2) -> S2;
    f41: (S2h, S4) -> S4;
    f42: (S4f) -> S4f;
    f43: (S4b, S8) -> S8;
    f44: (S8f) -> S8f;
    f45: (S8d, f64) -> S8d;
    f46: (f64, S8f, f32, S4f) -> f64;
    f47: (i32, i32, i32, i32, S1, S2, S4, S8) -> i64;
    f48: (S8p, P) -> S8p;
    f49: (S4f, S4f, S4f, S4f, S8d, S8f) -> S4f;
    // Other aggregates: by reference.
    f50: (S3) -> S3;
    f51: (S12) -> S12;
    f52: (S16) -> S16;
    f53: (S24) -> S24;
    f54: (S5, S6, S7) -> i32;
    f55: (f64, S16, f32, S12) -> f32;
    f56: (S24, S24, S24, S24, S24) -> S24;
    f57: (i8, S3, f64, S16f, u16, S12) -> u64;
    f58: (S40) -> S40;
    f59: (S200, i32, S200) -> S200;
    f60: (S3, S5, S6, S7, S12, S16, S16f, S24, S40) -> f64;
    // Results of every kind.
    f61: (f64, f64, f64) -> S12;
    f62: (f32, f64, f32, f64) -> S16;
    f63: (i32, f32) -> S1;
    f64_: (u8, f64) -> S2h;
    f65: (f32, f32) -> S8f;
    f66: (i64, S8d) -> S4b;
    f67: (i8, i16, i32, i64, f32) -> S6;
    f68: (S16f, S16f) -> S16f;
    f69: (u16, S2, S1, f32, S3, S8d, S5) -> S7;
    f70: (bool, S4f, f32, bool, S8f) -> bool;
    f71: (P, S24, P) -> P;
    f72: (f64, f64, f64, f64, f64) -> S5;
    f73: () -> S24;
    f74: () -> S8d;
    f75: (S40, S8, S40) -> S3;
}

#[test]
fn generated_signatures_match_direct_calls() {
    assert!(CASES.len() >= 60, "{} signatures", CASES.len());
    for (i, (_name, run)) in CASES.iter().enumerate() {
        for k in 0..8u64 {
            run(i as u64 * 1000 + k);
        }
    }
}

#[test]
fn echoed_structs_come_back_whole() {
    extern "win64" fn echo3(_: i32, s: S3, _: f64) -> S3 {
        s
    }
    extern "win64" fn echo24(_: f32, _: S16, s: S24) -> S24 {
        s
    }
    extern "win64" fn echo8f(_: f64, s: S8f) -> S8f {
        s
    }
    let s3 = S3 { a: [1, 2, 3] };
    let s16 = S16 { a: -5, b: 2.5 };
    let s24 = S24 {
        a: -1.25,
        b: i64::MIN,
        c: u64::MAX,
    };
    let s8f = S8f { a: 1.5, b: -3.0 };
    unsafe {
        let p = Procedure::from_address_with_abi(
            echo3 as *const () as usize,
            Signature::new(vec![Type::I32, S3::ty(), Type::F64], S3::ty()).unwrap(),
            Abi::Win64,
        )
        .unwrap();
        let r = p
            .call(&[Value::I32(7), C::value(s3), Value::F64(0.5)])
            .unwrap();
        assert_eq!(r, C::value(s3));
        let p = Procedure::from_address_with_abi(
            echo24 as *const () as usize,
            Signature::new(vec![Type::F32, S16::ty(), S24::ty()], S24::ty()).unwrap(),
            Abi::Win64,
        )
        .unwrap();
        let r = p
            .call(&[Value::F32(1.0), C::value(s16), C::value(s24)])
            .unwrap();
        assert_eq!(r, C::value(s24));
        let p = Procedure::from_address_with_abi(
            echo8f as *const () as usize,
            Signature::new(vec![Type::F64, S8f::ty()], S8f::ty()).unwrap(),
            Abi::Win64,
        )
        .unwrap();
        let r = p.call(&[Value::F64(9.0), C::value(s8f)]).unwrap();
        assert_eq!(r, C::value(s8f));
    }
}

#[test]
fn by_reference_arguments_are_copies() {
    extern "win64" fn scribble(mut s: S24, mut t: S12) -> f64 {
        s.a = 99.0;
        s.b = 0;
        t.a = 0;
        // Keep the writes.
        std::hint::black_box(&mut s);
        std::hint::black_box(&mut t);
        s.a + f64::from(t.b)
    }
    let sig = Signature::new(vec![S24::ty(), S12::ty()], Type::F64).unwrap();
    let p = unsafe {
        Procedure::from_address_with_abi(scribble as *const () as usize, sig, Abi::Win64)
    }
    .unwrap();
    assert_eq!(p.arg_slots(), 5);
    let args = [
        1.0f64.to_bits(),
        2,
        3,
        4 | (2.0f32.to_bits() as u64) << 32,
        5,
    ];
    let before = args;
    let mut ret = [0u64; 1];
    unsafe { p.call_raw(&args, &mut ret) }.unwrap();
    assert_eq!(f64::from_bits(ret[0]), 101.0);
    assert_eq!(args, before);
}

// Hand-written Win64 callees for what Rust cannot express.
std::arch::global_asm!(
    ".text",
    // double alien_w64_sum_doubles(int n, ...): MSVC-style va_arg, spilling
    // rdx, r8, r9 to the shadow space and walking up the stack.
    ".globl alien_w64_sum_doubles",
    ".p2align 4",
    "alien_w64_sum_doubles:",
    "mov [rsp + 16], rdx",
    "mov [rsp + 24], r8",
    "mov [rsp + 32], r9",
    "xorpd xmm0, xmm0",
    "lea rax, [rsp + 16]",
    "test ecx, ecx",
    "jle 2f",
    "1:",
    "addsd xmm0, qword ptr [rax]",
    "add rax, 8",
    "dec ecx",
    "jnz 1b",
    "2:",
    "ret",
    // uint64_t alien_w64_rsp_mod16(...): rsp % 16 before the call pushed the
    // return address.
    ".globl alien_w64_rsp_mod16",
    ".p2align 4",
    "alien_w64_rsp_mod16:",
    "lea rax, [rsp + 8]",
    "and eax, 15",
    "ret",
    // The same, for a result through the hidden pointer: stores it there.
    ".globl alien_w64_rsp_mod16_mem",
    ".p2align 4",
    "alien_w64_rsp_mod16_mem:",
    "lea rax, [rsp + 8]",
    "and eax, 15",
    "mov [rcx], rax",
    "mov rax, rcx",
    "ret",
    // uint64_t alien_w64_first_word(void *p, ...): fills the shadow space
    // and every volatile register with garbage, then returns *(uint64_t *)rcx.
    ".globl alien_w64_first_word",
    ".p2align 4",
    "alien_w64_first_word:",
    "mov rax, -1",
    "mov [rsp + 8], rax",
    "mov [rsp + 16], rax",
    "mov [rsp + 24], rax",
    "mov [rsp + 32], rax",
    "mov rdx, rax",
    "mov r8, rax",
    "mov r9, rax",
    "mov r10, rax",
    "mov r11, rax",
    "movq xmm0, rax",
    "movq xmm1, rax",
    "movq xmm2, rax",
    "movq xmm3, rax",
    "movq xmm4, rax",
    "movq xmm5, rax",
    "mov rax, [rcx]",
    "ret",
    // uint64_t alien_w64_low_bits(...): the low four bits of the four
    // register positions and the first two stack arguments, or-ed.
    ".globl alien_w64_low_bits",
    ".p2align 4",
    "alien_w64_low_bits:",
    "mov rax, rcx",
    "or rax, rdx",
    "or rax, r8",
    "or rax, r9",
    "or rax, [rsp + 40]",
    "or rax, [rsp + 48]",
    "and eax, 15",
    "ret",
    // uint64_t alien_w64_rcx(...): the first register position, raw.
    ".globl alien_w64_rcx",
    ".p2align 4",
    "alien_w64_rcx:",
    "mov rax, rcx",
    "ret",
    // uint64_t alien_w64_dirty(void): 0x80 in al, garbage above; xmm0 holds
    // 1.0f with garbage above.
    ".globl alien_w64_dirty",
    ".p2align 4",
    "alien_w64_dirty:",
    "mov rax, 0xDEADBEEF3F800000",
    "movq xmm0, rax",
    "mov rax, 0xDEADBEEFFFFFFF80",
    "ret",
);

// Only their addresses are taken.
extern "win64" {
    fn alien_w64_sum_doubles();
    fn alien_w64_rsp_mod16();
    fn alien_w64_rsp_mod16_mem();
    fn alien_w64_first_word();
    fn alien_w64_rcx();
    fn alien_w64_low_bits();
    fn alien_w64_dirty();
}

fn win64(addr: usize, sig: Signature) -> Procedure {
    unsafe { Procedure::from_address_with_abi(addr, sig, Abi::Win64) }.unwrap()
}

#[test]
fn variadic_doubles_are_duplicated_into_integer_registers() {
    for n in 0..10usize {
        let mut args = vec![Type::I32];
        args.extend(std::iter::repeat_n(Type::F64, n));
        let sig = Signature::variadic(args, 1, Type::F64).unwrap();
        let p = win64(alien_w64_sum_doubles as *const () as usize, sig);
        let mut vals = vec![Value::I32(n as i32)];
        vals.extend((0..n).map(|i| Value::F64(i as f64 * 1.5 + 0.25)));
        let want: f64 = (0..n).map(|i| i as f64 * 1.5 + 0.25).sum();
        assert_eq!(unsafe { p.call(&vals) }.unwrap(), Value::F64(want), "{n}");
    }
    // The fixed part of a variadic signature is laid out as for a fixed one.
    extern "win64" fn fixed(a: i32, b: f64) -> f64 {
        f64::from(a) + b
    }
    let sig = Signature::variadic(vec![Type::I32, Type::F64], 2, Type::F64).unwrap();
    let p = win64(fixed as *const () as usize, sig);
    assert_eq!(
        unsafe { p.call(&[Value::I32(2), Value::F64(0.5)]) }.unwrap(),
        Value::F64(2.5)
    );
}

#[test]
fn the_stack_is_aligned_at_every_call() {
    let s16 = S16::ty();
    for ints in 0..10 {
        for copies in 0..3 {
            let mut args = vec![Type::I64; ints];
            args.extend(std::iter::repeat_n(S3::ty(), copies));
            for (ret, f) in [
                (Type::U64, alien_w64_rsp_mod16 as *const () as usize),
                (s16.clone(), alien_w64_rsp_mod16_mem as *const () as usize),
            ] {
                let sig = Signature::new(args.clone(), ret.clone()).unwrap();
                let p = win64(f, sig);
                let mut slots = vec![0u64; p.arg_slots()];
                slots
                    .iter_mut()
                    .enumerate()
                    .for_each(|(i, s)| *s = i as u64);
                let mut out = [0x77u64; 2];
                unsafe { p.call_raw(&slots, &mut out) }.unwrap();
                assert_eq!(out[0], 0, "{ints} ints, {copies} copies, {ret}");
            }
        }
    }
}

#[test]
fn copies_are_aligned_and_outside_the_shadow_space() {
    for t in [S3::ty(), S12::ty(), S16::ty(), S24::ty(), S200::ty()] {
        let p = win64(
            alien_w64_rcx as *const () as usize,
            Signature::new(vec![t.clone()], Type::U64).unwrap(),
        );
        let Value::U64(addr) = (unsafe { p.call(&[Value::Struct(vec![0; t.size()])]) }).unwrap()
        else {
            panic!("not a u64")
        };
        assert_eq!(addr % 16, 0, "{t}");
        let p = win64(
            alien_w64_first_word as *const () as usize,
            Signature::new(vec![t.clone()], Type::U64).unwrap(),
        );
        let mut bytes = vec![0u8; t.size()];
        bytes
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = i as u8 + 1);
        let mut want = [0u8; 8];
        let n = bytes.len().min(8);
        want[..n].copy_from_slice(&bytes[..n]);
        assert_eq!(
            unsafe { p.call(&[Value::Struct(bytes)]) }.unwrap(),
            Value::U64(u64::from_le_bytes(want)),
            "{t}"
        );
    }
    // Several copies, in registers and on the stack, after 0 or 1 integer.
    let refs = [
        S3::ty(),
        S12::ty(),
        S5::ty(),
        S24::ty(),
        S7::ty(),
        S200::ty(),
    ];
    for lead in 0..2 {
        let mut args = vec![Type::I64; lead];
        args.extend_from_slice(&refs[..6 - lead]);
        let p = win64(
            alien_w64_low_bits as *const () as usize,
            Signature::new(args, Type::U64).unwrap(),
        );
        let slots = vec![0u64; p.arg_slots()];
        let mut out = [0x77u64];
        unsafe { p.call_raw(&slots, &mut out) }.unwrap();
        assert_eq!(out[0], 0, "{lead}");
    }
}

#[test]
fn small_results_are_extended_and_padded() {
    let cases = [
        (Type::I8, Value::I8(-128), 0xFFFF_FFFF_FFFF_FF80u64),
        (Type::U8, Value::U8(0x80), 0x80),
        (Type::I16, Value::I16(-128), 0xFFFF_FFFF_FFFF_FF80),
        (Type::U16, Value::U16(0xFF80), 0xFF80),
        (Type::I32, Value::I32(-128), 0xFFFF_FFFF_FFFF_FF80),
        (Type::U32, Value::U32(0xFFFF_FF80), 0xFFFF_FF80),
        (Type::Bool, Value::Bool(true), 0x80),
        (Type::F32, Value::F32(1.0), 0x3F80_0000),
        (S1::ty(), Value::Struct(vec![0x80]), 0x80),
        (S2::ty(), Value::Struct(vec![0x80, 0xFF]), 0xFF80),
        (
            S4::ty(),
            Value::Struct(vec![0x80, 0xFF, 0xFF, 0xFF]),
            0xFFFF_FF80,
        ),
    ];
    for (ty, value, raw) in cases {
        let p = win64(
            alien_w64_dirty as *const () as usize,
            Signature::new(vec![], ty.clone()).unwrap(),
        );
        assert_eq!(unsafe { p.call(&[]) }.unwrap(), value, "{ty}");
        let mut out = [0x5555_5555_5555_5555u64];
        unsafe { p.call_raw(&[], &mut out) }.unwrap();
        assert_eq!(out[0], raw, "{ty}");
    }
    // Small integer arguments are extended to 32 bits.
    for (ty, v, raw) in [
        (Type::I8, Value::I8(-1), 0xFFFF_FFFFu64),
        (Type::U8, Value::U8(0xFF), 0xFF),
        (Type::I16, Value::I16(-2), 0xFFFF_FFFE),
        (Type::U16, Value::U16(0xFFFE), 0xFFFE),
        (Type::Bool, Value::Bool(true), 1),
    ] {
        let p = win64(
            alien_w64_rcx as *const () as usize,
            Signature::new(vec![ty.clone()], Type::U64).unwrap(),
        );
        assert_eq!(unsafe { p.call(&[v]) }.unwrap(), Value::U64(raw), "{ty}");
    }
}

#[test]
fn stubs_are_cached_per_convention() {
    extern "C" fn sysv(a: i32, b: f64, c: i32) -> i64 {
        (i64::from(a) * 100)
            .wrapping_add((b as i64).wrapping_mul(10))
            .wrapping_add(i64::from(c))
    }
    extern "win64" fn ms(a: i32, b: f64, c: i32) -> i64 {
        (i64::from(a) * 100)
            .wrapping_add((b as i64).wrapping_mul(10))
            .wrapping_add(i64::from(c))
    }
    let sig = Signature::new(vec![Type::I32, Type::F64, Type::I32], Type::I64).unwrap();
    let args = [Value::I32(1), Value::F64(2.0), Value::I32(3)];
    for _ in 0..2 {
        let a =
            unsafe { Procedure::from_address(sysv as *const () as usize, sig.clone()) }.unwrap();
        let b = win64(ms as *const () as usize, sig.clone());
        let c = unsafe {
            Procedure::from_address_with_abi(sysv as *const () as usize, sig.clone(), Abi::SysV)
        }
        .unwrap();
        assert_eq!(a.abi(), Abi::SysV);
        assert_eq!(b.abi(), Abi::Win64);
        for p in [&a, &b, &c] {
            assert_eq!(unsafe { p.call(&args) }.unwrap(), Value::I64(123));
        }
    }
    assert!(alien::ffi::cached_stubs() >= 2);
}

#[test]
fn symbols_with_an_abi() {
    // getpid takes nothing and returns an int in rax: the same under both
    // conventions, so a System V library function can stand in for a Win64 one.
    let sig = Signature::new(vec![], Type::I32).unwrap();
    let p = Procedure::from_symbol_with_abi("getpid", None, sig, Abi::Win64).unwrap();
    assert_eq!(p.abi(), Abi::Win64);
    assert_eq!(
        unsafe { p.call(&[]) }.unwrap(),
        Value::I32(std::process::id() as i32)
    );
    let sig = Signature::new(vec![], Type::I32).unwrap();
    let p = Procedure::from_symbol_with_abi("alien_no_such_win64_function", None, sig, Abi::Win64)
        .unwrap();
    let e = unsafe { p.call(&[]) }.unwrap_err();
    assert!(
        e.to_string().contains("alien_no_such_win64_function"),
        "{e}"
    );
}
