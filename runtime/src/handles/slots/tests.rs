//! Unit tests of the slot array and its lookups.

use super::*;

#[test]
fn the_array_grows_by_copying_and_keeps_every_registration() {
    let core = Core::new();
    let hs: Vec<Handle> = (0..1000u32)
        .map(|i| core.insert(std::sync::Arc::new(i), RefKind::Strong))
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    assert_eq!(hs.len(), 1000);
    assert!(core.lock().capacity >= 1000);
    for (i, &h) in hs.iter().enumerate() {
        // SAFETY: `Core` holds only `u32`s here; `weak` is the
        // registry's, valid for the read section.
        let got = core.find(h, |weak, _| unsafe { upgrade::<u32>(weak) });
        assert_eq!(got.as_deref(), Some(&(i as u32)));
    }
    assert!(core.remove(hs[3]).is_ok());
    assert!(core.find(hs[3], |_, _| Some(())).is_none());
    let beyond = Handle::new(5000, 1);
    assert!(core.find(beyond, |_, _| Some(())).is_none());
}

#[test]
fn only_the_occupied_word_of_the_handles_generation_is_expected() {
    for (index, generation) in [(0, 1), (7, 2), (MAX_SLOTS - 1, MAX_GEN)] {
        let h = Handle::new(index, generation);
        let w = expected(h);
        assert!(occupied(w) && gen_of(w) == generation);
        // Free (with this generation or another) or retired: no match.
        for other in [
            free(generation),
            free(generation.wrapping_add(1)),
            FRESH,
            RETIRED,
        ] {
            assert!(!occupied(other) && other != w);
        }
        // Another slot's handle of the same generation: no match either.
        let next = Handle::new((index + 1) % MAX_SLOTS, generation);
        assert_ne!(expected(next), w);
    }
}

#[test]
fn refusals_say_stale_for_issued_generations_only() {
    let h = |generation| Handle::new(3, generation);
    let stale = |w, g| matches!(Core::refuse(w, h(g)), HandleError::Stale { .. });
    // A slot now free at generation 5: 1..=4 were issued, 5 not yet.
    assert!(stale(free(5), 4) && stale(free(5), 1));
    assert!(!stale(free(5), 5) && !stale(free(5), 6));
    // Occupied at 5: 4 is stale, 6 invalid.
    let w = expected(h(5));
    assert!(stale(w, 4) && !stale(w, 6));
    // Retired: every generation was issued; beyond the slots in use, none.
    assert!(stale(RETIRED, MAX_GEN) && stale(RETIRED, 1));
    assert!(!stale(FRESH, 1) && !stale(FRESH, 2));
}

#[test]
fn lookups_stay_right_while_the_array_grows_and_slots_are_reused() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    // Readers look up published handles while the writer registers
    // thousands more (the array grows by copying, old copies freed after a
    // grace period) and unregisters some (slots reused): a lookup gives the
    // value registered under that handle, or nothing once it is
    // unregistered.
    let core = Arc::new(Core::new());
    let published: Arc<Vec<AtomicUsize>> = Arc::new((0..64).map(|_| AtomicUsize::new(0)).collect());
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..2)
        .map(|k| {
            let (core, published, stop, seen) = (
                Arc::clone(&core),
                Arc::clone(&published),
                Arc::clone(&stop),
                Arc::clone(&seen),
            );
            std::thread::spawn(move || {
                let mut hits = 0u64;
                let mut i = k;
                while !stop.load(SeqCst) {
                    let raw = published[i % published.len()].load(SeqCst);
                    if let Some(h) = Handle::from_raw(raw) {
                        // SAFETY: the registry holds only `AtomicUsize`s;
                        // `weak` is its weak pointer, valid for the read
                        // section.
                        let got = core.find(h, |weak, _| unsafe { upgrade::<AtomicUsize>(weak) });
                        if let Some(v) = got {
                            let v = v.load(SeqCst);
                            assert_eq!(v, raw, "a lookup found another registration's value");
                            hits += 1;
                            seen.fetch_add(1, SeqCst);
                        }
                    }
                    i += 1;
                }
                hits
            })
        })
        .collect();
    let mut live = Vec::new();
    // At least 20,000 rounds, and until the readers have found objects
    // (on a busy machine they may not run at first).
    let mut round = 0usize;
    while round < 20_000 || (seen.load(SeqCst) < 1000 && round < 5_000_000) {
        // The value is the handle's own number, known only once registered:
        // register a placeholder cell, then check against what is published.
        let cell = Arc::new(AtomicUsize::new(0));
        let h = match core.insert(Arc::clone(&cell), RefKind::Strong) {
            Ok(h) => h,
            Err(e) => panic!("{e}"),
        };
        cell.store(h.into_raw(), SeqCst);
        drop(cell);
        live.push(h);
        published[round % published.len()].store(h.into_raw(), SeqCst);
        if round.is_multiple_of(3) {
            let old = live.swap_remove(round % live.len());
            assert!(core.remove(old).is_ok());
        }
        if round.is_multiple_of(4096) {
            std::thread::yield_now();
        }
        round += 1;
    }
    stop.store(true, SeqCst);
    let hits: u64 = readers
        .into_iter()
        .map(|r| match r.join() {
            Ok(n) => n,
            Err(_) => panic!("a reader failed"),
        })
        .sum();
    assert!(hits > 0);
    assert!(core.lock().capacity >= live.len());
}
