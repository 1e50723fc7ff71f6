//! Tests of the code arena: W^X, reuse, size classes, both mapping modes.
#![allow(clippy::unwrap_used)]

use super::*;

/// `endbr64; mov eax, value; ret`.
fn returning(value: i32) -> Vec<u8> {
    let [a, b, c, d] = value.to_le_bytes();
    vec![0xF3, 0x0F, 0x1E, 0xFA, 0xB8, a, b, c, d, 0xC3]
}

fn call(block: &CodeBlock) -> i32 {
    // SAFETY: the block holds `returning(..)`, a complete C-ABI function.
    let f = unsafe { std::mem::transmute::<usize, extern "C" fn() -> i32>(block.addr()) };
    f()
}

fn arena(mode: Option<MappingMode>) -> &'static CodeArena {
    Box::leak(Box::new(
        mode.map_or_else(CodeArena::new, CodeArena::with_mode),
    ))
}

fn build(arena: &'static CodeArena, len: usize, value: i32) -> CodeBlock {
    arena
        .reserve(len)
        .unwrap()
        .finish(&returning(value))
        .unwrap()
}

#[test]
fn runs_a_tiny_function() {
    for arena in [CodeArena::global(), arena(Some(MappingMode::Protect))] {
        let reservation = arena.reserve(10).unwrap();
        let (addr, capacity) = (reservation.exec_addr(), reservation.capacity());
        assert!(capacity >= 10 && addr % 16 == 0);
        let block = reservation.finish(&returning(42)).unwrap();
        assert_eq!((block.addr(), block.bytes()), (addr, &returning(42)[..]));
        assert_eq!(call(&block), 42);
        // SAFETY: the whole capacity of a live block is mapped and readable.
        let all = unsafe { std::slice::from_raw_parts(block.as_ptr(), capacity) };
        assert!(all[block.len()..].iter().all(|&b| b == INT3));
    }
}

#[test]
fn small_blocks_share_pages() {
    let arena = arena(None);
    let blocks: Vec<_> = (0..1000).map(|i| build(arena, 32, i)).collect();
    let stats = arena.stats();
    assert_eq!(arena.mode(), Some(MappingMode::Dual));
    assert!(
        stats.chunks <= 2 && stats.mapped_bytes <= 2 * CHUNK_BYTES,
        "{stats:?}"
    );
    assert_eq!(stats.live_blocks, 1000);
    assert!((0..1000).all(|i| call(&blocks[i]) == i as i32));
    drop(blocks);
    let stats = arena.stats();
    assert!(
        stats.live_blocks == 0 && stats.free_blocks >= 1000,
        "{stats:?}"
    );
}

#[test]
fn reuse_keeps_memory_bounded() {
    let arena = arena(None);
    for i in 0..100_000usize {
        let len = if i % 1000 == 0 {
            100 * 1024
        } else {
            1 + i % 3000
        };
        let block = build(arena, len, 1);
        if i % 10_000 == 0 {
            assert_eq!(call(&block), 1);
        }
        drop(arena.reserve(len).unwrap()); // dropped without finishing
    }
    let stats = arena.stats();
    assert_eq!(stats.live_blocks, 0);
    assert!(stats.mapped_bytes <= 4 * CHUNK_BYTES, "{stats:?}");
}

#[test]
fn protect_mode_unmaps_freed_blocks() {
    let arena = arena(Some(MappingMode::Protect));
    assert!((0..10_000).all(|i| call(&build(arena, 32, i)) == i));
    let stats = arena.stats();
    assert_eq!(
        (stats.mapped_bytes, stats.live_blocks, stats.chunks),
        (0, 0, 0)
    );
}

#[test]
fn oversize_finish_is_an_error_and_writes_nothing() {
    for mode in [MappingMode::Dual, MappingMode::Protect] {
        let arena = arena(Some(mode));
        let reservation = arena.reserve(32).unwrap();
        let (write, capacity) = (reservation.slot.write, reservation.capacity());
        let err = reservation.finish(&vec![0x90; capacity + 1]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(arena.stats().live_blocks, 0);
        if mode == MappingMode::Dual {
            // SAFETY: the chunk stays mapped; the slot is free and unused.
            let bytes = unsafe { std::slice::from_raw_parts(write as *const u8, capacity) };
            assert!(!bytes.contains(&0x90));
        }
    }
}

#[test]
fn large_block_works() {
    for mode in [MappingMode::Dual, MappingMode::Protect] {
        let arena = arena(Some(mode));
        let len = 100 * 1024;
        let mut code = vec![0x90; len - 10];
        code.extend_from_slice(&returning(99));
        let block = arena.reserve(len).unwrap().finish(&code).unwrap();
        assert_eq!((block.len(), call(&block)), (len, 99));
        drop(block);
        assert_eq!(arena.stats().mapped_bytes, 0);
    }
}

#[test]
fn concurrent_allocation() {
    let arena = arena(None);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let mut blocks = Vec::new();
                for i in 0..2000 {
                    let value = t * 10_000 + i;
                    blocks.push((value, build(arena, 16 + (i as usize % 5) * 40, value)));
                    if i % 3 == 0 {
                        blocks.swap_remove(blocks.len() / 2);
                    }
                }
                blocks.iter().all(|(value, block)| call(block) == *value)
            })
        })
        .collect();
    assert!(threads.into_iter().all(|thread| thread.join().unwrap()));
    assert_eq!(arena.stats().live_blocks, 0);
}

#[test]
fn no_mapping_is_writable_and_executable() {
    let mut blocks = Vec::new();
    for arena in [arena(None), arena(Some(MappingMode::Protect))] {
        blocks.extend([16, 32, 4096, 5000, 100 * 1024].map(|len| build(arena, len, 3)));
        let _pending = arena.reserve(64).unwrap();
        assert_eq!(
            writable_and_executable_mappings().unwrap(),
            Vec::<String>::new()
        );
    }
    assert!(blocks.iter().all(|block| call(block) == 3));
}

#[test]
fn size_classes() {
    let classes = [0, 16, 17, 4096, 4097, usize::MAX].map(class_of);
    assert_eq!(classes, [Some(0), Some(0), Some(1), Some(8), None, None]);
    assert!(CodeArena::global().reserve(usize::MAX).is_err());
    fn send_sync<T: Send + Sync>() {}
    send_sync::<CodeBlock>();
    send_sync::<CodeArena>();
}
