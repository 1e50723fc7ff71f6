//! Decoding and checking helpers shared by the disassembly tests.

use alien_codegen::x86::{SaveMode, LAZY_STUB_SIZE};
use iced_x86::{Code, Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, OpKind};

/// Where the literal of a lazy stub sits (its last 8 bytes).
pub(crate) const LITERAL_AT: usize = LAZY_STUB_SIZE - 8;

/// Addresses the code is decoded at: generated code does not depend on its
/// placement, so every one must give the same instructions.
pub(crate) const RIPS: [u64; 4] = [0, 0x1000, 0x7f12_3456_7000, 0xffff_ffff_ffff_f000 - 0x1000];

/// Every mode the runtime can pick, with save-area sizes seen on real CPUs
/// (and a few awkward ones).
pub(crate) fn modes() -> Vec<SaveMode> {
    vec![
        SaveMode::ArgsOnly,
        SaveMode::Fxsave,
        SaveMode::Xsave { size: 576 },
        SaveMode::Xsave { size: 832 },
        SaveMode::Xsave { size: 2696 },
        SaveMode::Xsavec { size: 832 },
        SaveMode::Xsavec { size: 2696 },
        SaveMode::Xsavec { size: 0 },
        SaveMode::Xsave { size: 1000 },
    ]
}

/// Decodes all of `code` at `rip`.
pub(crate) fn decode(code: &[u8], rip: u64) -> Vec<Instruction> {
    Decoder::with_ip(64, code, rip, DecoderOptions::NONE)
        .into_iter()
        .collect()
}

/// Decodes all of `code` at `rip`, as Intel-syntax text.
pub(crate) fn disasm(code: &[u8], rip: u64) -> Vec<String> {
    let mut formatter = IntelFormatter::new();
    decode(code, rip)
        .iter()
        .map(|i| {
            let mut s = String::new();
            formatter.format(i, &mut s);
            s
        })
        .collect()
}

/// A number as `IntelFormatter` prints it by default: 0-9 in decimal, others
/// in upper-case hex with an `h` suffix and a leading `0` before a letter.
pub(crate) fn hex(v: u64) -> String {
    if v <= 9 {
        return v.to_string();
    }
    let s = format!("{v:X}h");
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        format!("0{s}")
    } else {
        s
    }
}

/// Asserts `code` decodes, at every rip in `RIPS`, into valid instructions
/// covering every byte exactly, with no relative operand at all.
pub(crate) fn assert_valid_and_position_independent(what: &str, code: &[u8]) {
    let first = disasm(code, RIPS[0]);
    for rip in RIPS {
        let insns = decode(code, rip);
        let mut covered = 0;
        for i in &insns {
            assert_ne!(
                i.code(),
                Code::INVALID,
                "{what}: invalid instruction at {:#x}",
                i.ip()
            );
            assert!(
                !i.is_ip_rel_memory_operand(),
                "{what}: rip-relative {i} at {:#x}",
                i.ip()
            );
            for op in 0..i.op_count() {
                assert!(
                    !matches!(
                        i.op_kind(op),
                        OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64
                    ),
                    "{what}: relative branch {i}"
                );
            }
            covered += i.len();
        }
        assert_eq!(covered, code.len(), "{what}: trailing bytes do not decode");
        assert_eq!(
            disasm(code, rip),
            first,
            "{what}: decodes differently at {rip:#x}"
        );
    }
}

// ---------------------------------------------------------------- entries
