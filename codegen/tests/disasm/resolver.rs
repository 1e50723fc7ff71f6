//! The shared resolver routine, in every register-saving mode.

use super::support::*;
use alien_codegen::x86::{resolver, SaveMode, RESOLVER_SAVE_MASK};
use iced_x86::{Code, Instruction, Register};

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
