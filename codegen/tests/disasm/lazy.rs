//! Lazy stubs: the template, its tag and its literal.

use super::support::*;
use alien_codegen::x86::{LazyStubTemplate, LAZY_STUB_SIZE};
use iced_x86::{Code, Instruction, OpKind, Register};

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
