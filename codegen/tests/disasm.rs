//! Disassembly tests of the machine code built by `alien_codegen::x86`: the
//! bytes are decoded with iced-x86 and the instruction sequence is compared,
//! as Intel-syntax text, with what the routines are documented to do.
//!
//! The code is not run here (mapping it executable needs `mmap`, which this
//! crate does not depend on); the runtime's tests execute it.

#![cfg(feature = "x86")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alien_codegen::x86::{
    entry, resolver, LazyStubTemplate, SaveMode, LAZY_STUB_SIZE, RESOLVER_SAVE_MASK,
};
use iced_x86::{
    Code, Decoder, DecoderOptions, Formatter, Instruction, IntelFormatter, OpKind, Register,
};

/// Where the literal of a lazy stub sits (its last 8 bytes).
const LITERAL_AT: usize = LAZY_STUB_SIZE - 8;

/// Addresses the code is decoded at: generated code does not depend on its
/// placement, so every one must give the same instructions.
const RIPS: [u64; 4] = [0, 0x1000, 0x7f12_3456_7000, 0xffff_ffff_ffff_f000 - 0x1000];

/// Every mode the runtime can pick, with save-area sizes seen on real CPUs
/// (and a few awkward ones).
fn modes() -> Vec<SaveMode> {
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
fn decode(code: &[u8], rip: u64) -> Vec<Instruction> {
    Decoder::with_ip(64, code, rip, DecoderOptions::NONE)
        .into_iter()
        .collect()
}

/// Decodes all of `code` at `rip`, as Intel-syntax text.
fn disasm(code: &[u8], rip: u64) -> Vec<String> {
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
fn hex(v: u64) -> String {
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
fn assert_valid_and_position_independent(what: &str, code: &[u8]) {
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

fn expected_entry(slot: u64) -> Vec<String> {
    vec![
        "endbr64".to_owned(),
        format!("mov r11,{}", hex(slot)),
        "jmp qword ptr [r11]".to_owned(),
    ]
}

#[test]
fn entry_is_endbr64_mov_r11_slot_jmp_through_r11() {
    let slot = 0x5555_5555_8000;
    let code = entry(slot).unwrap();
    assert_eq!(disasm(&code, 0x1000), expected_entry(slot));
    assert_eq!(
        disasm(&code, 0x1000),
        ["endbr64", "mov r11,555555558000h", "jmp qword ptr [r11]"]
    );
    let insns = decode(&code, 0x1000);
    assert_eq!(
        insns.iter().map(Instruction::code).collect::<Vec<_>>(),
        [Code::Endbr64, Code::Mov_r64_imm64, Code::Jmp_rm64]
    );
    assert_eq!(insns[1].op0_register(), Register::R11);
    assert_eq!(insns[1].immediate64(), slot);
    assert_eq!(insns[2].memory_base(), Register::R11);
    assert_eq!(insns[2].memory_index(), Register::None);
    assert_eq!(insns[2].memory_displacement64(), 0);
}

#[test]
fn entry_encodes_slot_above_4gib_in_full() {
    for slot in [
        0x7fff_1234_5678u64,
        0x1_0000_0000,
        0x7fff_ffff_fff8,
        0xffff_8000_0000_0000,
        0xffff_ffff_ffff_fff8,
    ] {
        let code = entry(slot).unwrap();
        assert_eq!(
            disasm(&code, 0x1000),
            expected_entry(slot),
            "slot {slot:#x}"
        );
        let mov = decode(&code, 0x1000)[1];
        assert_eq!(mov.code(), Code::Mov_r64_imm64, "slot {slot:#x}");
        assert_eq!(mov.immediate64(), slot);
        // REX.W+B, B8+3 (r11), then the whole 8-byte address.
        assert_eq!(code[4..6], [0x49, 0xbb]);
        assert_eq!(code[6..14], slot.to_le_bytes(), "slot {slot:#x}");
    }
    assert_eq!(
        disasm(&entry(0x7fff_1234_5678).unwrap(), 0),
        ["endbr64", "mov r11,7FFF12345678h", "jmp qword ptr [r11]"]
    );
}

#[test]
fn entry_keeps_imm64_for_small_slots() {
    // No shorter `mov r11d, imm32` form: every entry has the same shape.
    let long = entry(0xffff_ffff_ffff_fff8).unwrap();
    for slot in [0u64, 8, 0x1000, 0xffff_fff8] {
        let code = entry(slot).unwrap();
        assert_eq!(
            disasm(&code, 0x1000),
            expected_entry(slot),
            "slot {slot:#x}"
        );
        assert_eq!(decode(&code, 0)[1].code(), Code::Mov_r64_imm64);
        assert_eq!(code.len(), long.len());
    }
}

#[test]
fn entry_slot_lands_in_the_immediate_only() {
    let a = entry(0x1111_2222_3333_4448).unwrap();
    let b = entry(0x7ead_beef_0000_1230).unwrap();
    assert_eq!(a.len(), b.len());
    let differing: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    assert!(
        differing.iter().all(|i| (6..14).contains(i)),
        "{differing:?}"
    );
}

#[test]
fn entry_is_valid_and_position_independent() {
    for slot in [0u64, 0x1000, 0x7fff_1234_5678, u64::MAX - 7] {
        assert_valid_and_position_independent("entry", &entry(slot).unwrap());
    }
}

// ------------------------------------------------------------ lazy stubs

#[test]
fn lazy_stub_sequence() {
    let template = LazyStubTemplate::new().unwrap();
    let tag = 0x1122_3344_5566_7788;
    let target = 0x7f00_dead_beef;
    let stub = template.instantiate(tag, target);
    assert_eq!(stub.len(), LAZY_STUB_SIZE);
    for rip in RIPS {
        let literal = rip.wrapping_add(LITERAL_AT as u64);
        assert_eq!(
            disasm(&stub[..LITERAL_AT], rip),
            [
                "endbr64".to_owned(),
                format!("mov r11,{}", hex(tag)),
                format!("jmp qword ptr [{}]", hex(literal)),
                "int3".to_owned(),
                "int3".to_owned(),
                "int3".to_owned(),
                "int3".to_owned(),
            ],
            "at {rip:#x}"
        );
    }
    assert_eq!(
        disasm(&stub[..LITERAL_AT], 0x1000),
        [
            "endbr64",
            "mov r11,1122334455667788h",
            "jmp qword ptr [1018h]",
            "int3",
            "int3",
            "int3",
            "int3"
        ]
    );
}

#[test]
fn lazy_stub_jumps_through_its_own_literal() {
    let template = LazyStubTemplate::new().unwrap();
    let target = 0x7fff_1234_5678;
    let stub = template.instantiate(42, target);
    assert_eq!(stub[LITERAL_AT..], target.to_le_bytes());
    for rip in RIPS {
        let insns = decode(&stub[..LITERAL_AT], rip);
        let jmp = insns[2];
        assert_eq!(jmp.code(), Code::Jmp_rm64);
        assert!(jmp.is_ip_rel_memory_operand());
        assert_eq!(jmp.memory_base(), Register::RIP);
        assert_eq!(
            jmp.ip_rel_memory_address(),
            rip.wrapping_add(LITERAL_AT as u64)
        );
        // The literal follows the padding directly.
        assert_eq!(jmp.next_ip() + 4, rip.wrapping_add(LITERAL_AT as u64));
    }
}

#[test]
fn lazy_stub_only_rip_relative_operand_is_the_literal_load() {
    let stub = LazyStubTemplate::new()
        .unwrap()
        .instantiate(7, 0x4000_0000_1000);
    let insns = decode(&stub[..LITERAL_AT], 0x7f00_0000_0000);
    let rip_relative: Vec<Code> = insns
        .iter()
        .filter(|i| i.is_ip_rel_memory_operand())
        .map(Instruction::code)
        .collect();
    assert_eq!(rip_relative, [Code::Jmp_rm64]);
    for i in &insns {
        for op in 0..i.op_count() {
            assert!(!matches!(
                i.op_kind(op),
                OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64
            ));
        }
    }
}

#[test]
fn lazy_stub_code_decodes_validly_up_to_the_literal() {
    let template = LazyStubTemplate::new().unwrap();
    for (tag, target) in [
        (0, 0),
        (u64::MAX, u64::MAX),
        (0x0f0f_0f0f, 0xcccc_cccc_cccc_cccc),
    ] {
        let stub = template.instantiate(tag, target);
        for rip in RIPS {
            let insns = decode(&stub[..LITERAL_AT], rip);
            assert!(insns.iter().all(|i| i.code() != Code::INVALID));
            assert_eq!(
                insns.iter().map(Instruction::len).sum::<usize>(),
                LITERAL_AT
            );
            assert_eq!(insns.len(), 7);
            assert!(insns[3..].iter().all(|i| i.code() == Code::Int3));
        }
    }
}

#[test]
fn lazy_stub_tag_and_resolver_land_in_their_bytes() {
    let template = LazyStubTemplate::new().unwrap();
    let base = template.instantiate(0, 0);
    let cases = [
        (1u64, 0u64),
        (0, 1),
        (0x8000_0000_0000_0000, 0x7fff_1234_5678),
        (0xdead_beef_cafe_f00d, 0x0123_4567_89ab_cdef),
        (u64::MAX, u64::MAX),
    ];
    for (tag, target) in cases {
        let stub = template.instantiate(tag, target);
        let insns = decode(&stub[..LITERAL_AT], 0x1000);
        assert_eq!(insns[1].code(), Code::Mov_r64_imm64);
        assert_eq!(insns[1].op0_register(), Register::R11);
        assert_eq!(insns[1].immediate64(), tag);
        assert_eq!(stub[6..14], tag.to_le_bytes());
        assert_eq!(stub[LITERAL_AT..], target.to_le_bytes());
        for i in 0..LAZY_STUB_SIZE {
            if !(6..14).contains(&i) && i < LITERAL_AT {
                assert_eq!(
                    stub[i], base[i],
                    "byte {i} changed for tag {tag:#x} / {target:#x}"
                );
            }
        }
    }
}

#[test]
fn lazy_stub_template_is_deterministic() {
    let a = LazyStubTemplate::new().unwrap().instantiate(5, 6);
    let b = LazyStubTemplate::new().unwrap().instantiate(5, 6);
    assert_eq!(a, b);
}

// ------------------------------------------------------------- resolvers

fn save_area(mode: SaveMode) -> u64 {
    match mode {
        SaveMode::ArgsOnly => 128,
        SaveMode::Fxsave => 512,
        SaveMode::Xsave { size } | SaveMode::Xsavec { size } => {
            (u64::from(size).max(576) + 63) & !63
        }
    }
}

fn expected_resolver(mode: SaveMode, resolve_fn: u64) -> Vec<String> {
    let mut v: Vec<String> = [
        "endbr64",
        "push rbp",
        "mov rbp,rsp",
        "push rdi",
        "push rsi",
        "push rdx",
        "push rcx",
        "push r8",
        "push r9",
        "push rax",
        "push r10",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    v.push(format!("sub rsp,{}", hex(save_area(mode))));
    v.push("and rsp,0FFFFFFFFFFFFFFC0h".to_owned());
    let (save, restore) = match mode {
        SaveMode::ArgsOnly => ("", ""),
        SaveMode::Fxsave => ("fxsave64 [rsp]", "fxrstor64 [rsp]"),
        SaveMode::Xsave { .. } => ("xsave64 [rsp]", "xrstor64 [rsp]"),
        SaveMode::Xsavec { .. } => ("xsavec64 [rsp]", "xrstor64 [rsp]"),
    };
    let xsave = !matches!(mode, SaveMode::Fxsave | SaveMode::ArgsOnly);
    if xsave {
        for off in (512..576).step_by(8) {
            v.push(format!("mov qword ptr [rsp+{}],0", hex(off)));
        }
        v.push("mov eax,0EEh".to_owned());
        v.push("xor edx,edx".to_owned());
    }
    if mode == SaveMode::ArgsOnly {
        for i in 0..8 {
            v.push(format!(
                "movdqa [rsp{}],xmm{i}",
                if i == 0 {
                    String::new()
                } else {
                    format!("+{}", hex(16 * i))
                }
            ));
        }
    } else {
        v.push(save.to_owned());
    }
    v.push("mov rdi,r11".to_owned());
    v.push(format!("mov rax,{}", hex(resolve_fn)));
    v.push("call rax".to_owned());
    v.push("mov r11,rax".to_owned());
    if xsave {
        v.push("mov eax,0EEh".to_owned());
        v.push("xor edx,edx".to_owned());
    }
    if mode == SaveMode::ArgsOnly {
        for i in 0..8 {
            v.push(format!(
                "movdqa xmm{i},[rsp{}]",
                if i == 0 {
                    String::new()
                } else {
                    format!("+{}", hex(16 * i))
                }
            ));
        }
    } else {
        v.push(restore.to_owned());
    }
    v.push("lea rsp,[rbp-40h]".to_owned());
    for r in ["r10", "rax", "r9", "r8", "rcx", "rdx", "rsi", "rdi", "rbp"] {
        v.push(format!("pop {r}"));
    }
    v.push("jmp r11".to_owned());
    v
}

#[test]
fn resolver_args_only_saves_xmm0_to_xmm7() {
    let text = disasm(&resolver(SaveMode::ArgsOnly, 0x1234).unwrap(), 0x1000);
    assert_eq!(text, expected_resolver(SaveMode::ArgsOnly, 0x1234));
    assert_eq!(text[11], "sub rsp,80h");
    assert_eq!(text[13], "movdqa [rsp],xmm0");
    assert_eq!(text[20], "movdqa [rsp+70h],xmm7");
    assert_eq!(text[25], "movdqa xmm0,[rsp]");
    assert_eq!(text[32], "movdqa xmm7,[rsp+70h]");
}

#[test]
fn resolver_save_mask_is_glibcs() {
    assert_eq!(RESOLVER_SAVE_MASK, 0xEE);
}

#[test]
fn resolver_fxsave_sequence() {
    let code = resolver(SaveMode::Fxsave, 0x7fff_1234_5678).unwrap();
    let text = disasm(&code, 0x1000);
    assert_eq!(text, expected_resolver(SaveMode::Fxsave, 0x7fff_1234_5678));
    // Spelled out once, independently of the helper.
    assert_eq!(
        text,
        [
            "endbr64",
            "push rbp",
            "mov rbp,rsp",
            "push rdi",
            "push rsi",
            "push rdx",
            "push rcx",
            "push r8",
            "push r9",
            "push rax",
            "push r10",
            "sub rsp,200h",
            "and rsp,0FFFFFFFFFFFFFFC0h",
            "fxsave64 [rsp]",
            "mov rdi,r11",
            "mov rax,7FFF12345678h",
            "call rax",
            "mov r11,rax",
            "fxrstor64 [rsp]",
            "lea rsp,[rbp-40h]",
            "pop r10",
            "pop rax",
            "pop r9",
            "pop r8",
            "pop rcx",
            "pop rdx",
            "pop rsi",
            "pop rdi",
            "pop rbp",
            "jmp r11",
        ]
    );
}

#[test]
fn resolver_xsave_sequence() {
    let mode = SaveMode::Xsave { size: 2696 };
    let text = disasm(&resolver(mode, 0xdead_beef_cafe).unwrap(), 0x1000);
    assert_eq!(text, expected_resolver(mode, 0xdead_beef_cafe));
    assert_eq!(text[11], "sub rsp,0AC0h");
    assert_eq!(text[13], "mov qword ptr [rsp+200h],0");
    assert_eq!(text[20], "mov qword ptr [rsp+238h],0");
    assert_eq!(
        text[21..24],
        ["mov eax,0EEh", "xor edx,edx", "xsave64 [rsp]"]
    );
    assert_eq!(
        text[28..31],
        ["mov eax,0EEh", "xor edx,edx", "xrstor64 [rsp]"]
    );
}

#[test]
fn resolver_xsavec_sequence() {
    let mode = SaveMode::Xsavec { size: 832 };
    let text = disasm(&resolver(mode, 0xdead_beef_cafe).unwrap(), 0x1000);
    assert_eq!(text, expected_resolver(mode, 0xdead_beef_cafe));
    assert_eq!(text[11], "sub rsp,340h");
    assert_eq!(
        text[21..24],
        ["mov eax,0EEh", "xor edx,edx", "xsavec64 [rsp]"]
    );
    assert_eq!(
        text[28..31],
        ["mov eax,0EEh", "xor edx,edx", "xrstor64 [rsp]"]
    );
}

#[test]
fn resolver_every_mode_matches_its_sequence() {
    for mode in modes() {
        for resolve_fn in [0x1000u64, 0x7fff_1234_5678, 0xffff_ffff_ffff_fff0] {
            let code = resolver(mode, resolve_fn).unwrap();
            assert_eq!(
                disasm(&code, 0),
                expected_resolver(mode, resolve_fn),
                "{mode:?}"
            );
        }
    }
}

#[test]
fn resolver_save_area_is_rounded_to_64_and_covers_the_xsave_header() {
    for (mode, area) in [
        (SaveMode::Fxsave, 512),
        (SaveMode::Xsave { size: 0 }, 576),
        (SaveMode::Xsave { size: 576 }, 576),
        (SaveMode::Xsave { size: 577 }, 640),
        (SaveMode::Xsavec { size: 1000 }, 1024),
        (SaveMode::Xsavec { size: 2696 }, 2752),
    ] {
        let insns = decode(&resolver(mode, 0x1000).unwrap(), 0);
        let sub = insns[11];
        assert_eq!(sub.code(), Code::Sub_rm64_imm32, "{mode:?}");
        assert_eq!(sub.op0_register(), Register::RSP);
        assert_eq!(sub.immediate32to64(), area, "{mode:?}");
        let and = insns[12];
        assert_eq!(and.code(), Code::And_rm64_imm8);
        assert_eq!(and.immediate8to64(), -64);
        // Every store to the save area stays inside it.
        for i in &insns {
            if i.memory_base() == Register::RSP && i.code() != Code::Push_r64 {
                let end = i.memory_displacement64() + u64::from(i.memory_size().size() as u32);
                let used = match i.code() {
                    Code::Fxsave64_m512byte | Code::Fxrstor64_m512byte => 512,
                    Code::Xsave64_mem | Code::Xsavec64_mem | Code::Xrstor64_mem => 576,
                    _ => end,
                };
                assert!(
                    used <= area as u64,
                    "{mode:?}: {i} beyond the {area}-byte area"
                );
            }
        }
    }
}

#[test]
fn resolver_restores_what_it_saves_in_reverse() {
    for mode in modes() {
        let insns = decode(&resolver(mode, 0x1000).unwrap(), 0);
        let pushes: Vec<Register> = insns
            .iter()
            .filter(|i| i.code() == Code::Push_r64)
            .map(|i| i.op0_register())
            .collect();
        let mut pops: Vec<Register> = insns
            .iter()
            .filter(|i| i.code() == Code::Pop_r64)
            .map(|i| i.op0_register())
            .collect();
        pops.reverse();
        assert_eq!(pushes, pops, "{mode:?}");
        assert_eq!(
            pushes,
            [
                Register::RBP,
                Register::RDI,
                Register::RSI,
                Register::RDX,
                Register::RCX,
                Register::R8,
                Register::R9,
                Register::RAX,
                Register::R10,
            ]
        );
        // `lea rsp, [rbp - 8 * saved]` puts rsp back on the last push.
        let lea = insns.iter().find(|i| i.code() == Code::Lea_r64_m).unwrap();
        assert_eq!(lea.op0_register(), Register::RSP);
        assert_eq!(lea.memory_base(), Register::RBP);
        assert_eq!(
            lea.memory_displacement64() as i64,
            -8 * (pushes.len() as i64 - 1)
        );
        // The save and the restore use the same (64-byte aligned) rsp.
        let save_restore: Vec<&Instruction> = insns
            .iter()
            .filter(|i| {
                matches!(
                    i.code(),
                    Code::Fxsave64_m512byte
                        | Code::Fxrstor64_m512byte
                        | Code::Xsave64_mem
                        | Code::Xsavec64_mem
                        | Code::Xrstor64_mem
                )
            })
            .collect();
        if mode == SaveMode::ArgsOnly {
            // xmm0..xmm7 stored at rsp + 16 i, then loaded back from the same place.
            let moves: Vec<&Instruction> = insns
                .iter()
                .filter(|i| {
                    matches!(
                        i.code(),
                        Code::Movdqa_xmmm128_xmm | Code::Movdqa_xmm_xmmm128
                    )
                })
                .collect();
            assert_eq!(moves.len(), 16);
            for (k, i) in moves.iter().enumerate() {
                let (reg, store) = if k < 8 {
                    (i.op1_register(), Code::Movdqa_xmmm128_xmm)
                } else {
                    (i.op0_register(), Code::Movdqa_xmm_xmmm128)
                };
                assert_eq!(i.code(), store);
                let n = (k % 8) as u64;
                assert_eq!(reg as u64 - Register::XMM0 as u64, n);
                assert_eq!(i.memory_base(), Register::RSP);
                assert_eq!(i.memory_displacement64(), 16 * n);
            }
        } else {
            assert_eq!(save_restore.len(), 2, "{mode:?}");
        }
        for i in save_restore {
            assert_eq!(i.memory_base(), Register::RSP);
            assert_eq!(i.memory_displacement64(), 0);
        }
        // Nothing touches rsp between `and rsp, -64` and the restore but the call.
        let and_at = insns
            .iter()
            .position(|i| i.code() == Code::And_rm64_imm8)
            .unwrap();
        let lea_at = insns
            .iter()
            .position(|i| i.code() == Code::Lea_r64_m)
            .unwrap();
        for i in &insns[and_at + 1..lea_at] {
            assert_ne!(i.op0_register(), Register::RSP, "{mode:?}: {i}");
            assert!(
                !matches!(i.code(), Code::Push_r64 | Code::Pop_r64),
                "{mode:?}: {i}"
            );
        }
    }
}

#[test]
fn resolver_calls_resolve_fn_with_the_tag_and_jumps_to_its_result() {
    for mode in modes() {
        for resolve_fn in [0u64, 0x7fff_1234_5678, 0x0000_7f00_0000_0010, u64::MAX] {
            let insns = decode(&resolver(mode, resolve_fn).unwrap(), 0);
            let call_at = insns
                .iter()
                .position(|i| i.code() == Code::Call_rm64)
                .unwrap();
            let [arg, load, call, keep] = [
                insns[call_at - 2],
                insns[call_at - 1],
                insns[call_at],
                insns[call_at + 1],
            ];
            assert_eq!(
                (arg.code(), arg.op0_register(), arg.op1_register()),
                (Code::Mov_r64_rm64, Register::RDI, Register::R11)
            );
            assert_eq!(load.code(), Code::Mov_r64_imm64, "{mode:?}");
            assert_eq!(load.op0_register(), Register::RAX);
            assert_eq!(load.immediate64(), resolve_fn, "{mode:?}");
            assert_eq!(call.op0_register(), Register::RAX);
            assert_eq!(
                (keep.code(), keep.op0_register(), keep.op1_register()),
                (Code::Mov_r64_rm64, Register::R11, Register::RAX)
            );
            let last = insns.last().unwrap();
            assert_eq!(
                (last.code(), last.op0_register()),
                (Code::Jmp_rm64, Register::R11)
            );
            // r11 is not written between the call's result and the jump.
            for i in &insns[call_at + 2..insns.len() - 1] {
                assert_ne!(i.op0_register(), Register::R11, "{mode:?}: {i}");
            }
        }
    }
}

#[test]
fn resolver_resolve_fn_lands_in_the_immediate_only() {
    for mode in modes() {
        let a = resolver(mode, 0x1111_2222_3333_4444).unwrap();
        let b = resolver(mode, 0x7eee_dddd_cccc_bbbb).unwrap();
        assert_eq!(a.len(), b.len());
        let load = decode(&a, 0)
            .into_iter()
            .find(|i| i.code() == Code::Mov_r64_imm64)
            .unwrap();
        let imm_at = (load.ip() as usize + load.len() - 8)..(load.ip() as usize + load.len());
        assert_eq!(a[imm_at.clone()], 0x1111_2222_3333_4444u64.to_le_bytes());
        for i in 0..a.len() {
            if !imm_at.contains(&i) {
                assert_eq!(a[i], b[i], "{mode:?}: byte {i}");
            }
        }
    }
}

#[test]
fn resolver_is_valid_and_position_independent() {
    for mode in modes() {
        for resolve_fn in [0u64, 0x7fff_1234_5678, u64::MAX] {
            let code = resolver(mode, resolve_fn).unwrap();
            assert_valid_and_position_independent("resolver", &code);
        }
    }
}

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
