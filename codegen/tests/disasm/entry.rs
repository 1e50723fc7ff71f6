//! C-callable entries: `endbr64; mov r11, slot; jmp [r11]`.

use super::support::*;
use alien_codegen::x86::entry;
use iced_x86::{Code, Instruction, Register};

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
