//! Unit tests of read sections and grace periods.

use super::*;

/// The calling thread's record (made by a first section if needed).
fn mine() -> &'static Record {
    drop(Section::enter());
    match REC.try_with(Cell::get) {
        Ok(rec) if !ptr::eq(rec, &NONE) => rec,
        _ => panic!("no record after a section"),
    }
}

#[test]
fn sections_nest_and_only_the_outermost_end_moves_the_epoch() {
    let rec = mine();
    let s0 = rec.state.load(Relaxed);
    assert_eq!(s0 & DEPTH, 0);
    let a = Section::enter();
    let b = Section::enter();
    let c = Section::enter();
    assert_eq!(rec.state.load(Relaxed), s0 + 3);
    drop(c);
    drop(b);
    assert_eq!(rec.state.load(Relaxed), s0 + 1, "still inside `a`");
    drop(a);
    assert_eq!(rec.state.load(Relaxed), s0 + EPOCH);
    read(|| assert_eq!(rec.state.load(Relaxed), s0 + EPOCH + 1));
    assert_eq!(rec.state.load(Relaxed), s0 + 2 * EPOCH);
}

/// Whether `readers` still waits for `rec`'s section.
fn waits_for(readers: &Readers, rec: &Record) -> bool {
    readers.open.iter().any(|&(r, _)| ptr::eq(r, rec))
}

/// Polls `readers` until its grace period is over (other tests' threads
/// may be inside short sections); false after 10 s.
fn over_soon(readers: &mut Readers) -> bool {
    let t = Instant::now();
    while !readers.poll() {
        if t.elapsed() > Duration::from_secs(10) {
            return false;
        }
        std::thread::yield_now();
    }
    true
}

#[test]
fn a_grace_period_is_over_when_the_sections_it_saw_have_ended() {
    let rec = mine();
    let outer = Section::enter();
    let mut readers = Readers::start();
    assert!(waits_for(&readers, rec));
    // Nesting more does not end the section; the caller's own section is
    // not worth waiting for, so this returns at once.
    drop(Section::enter());
    let t = Instant::now();
    assert!(!readers.wait(Duration::from_secs(60), std::iter::empty()));
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "waited for its own section"
    );
    readers.poll();
    assert!(waits_for(&readers, rec) && !readers.is_over());
    drop(outer);
    readers.poll();
    assert!(!waits_for(&readers, rec));
    assert!(over_soon(&mut readers));
    settled();
    // A section that starts after the grace period is not waited for.
    let _late = Section::enter();
    assert!(over_soon(&mut readers));
}

#[test]
fn another_threads_long_section_is_waited_for_a_bounded_time_only() {
    let (entered_tx, entered_rx) = std::sync::mpsc::channel();
    let (end_tx, end_rx) = std::sync::mpsc::channel::<()>();
    let t = std::thread::spawn(move || {
        let section = Section::enter();
        let _ = entered_tx.send(());
        let _ = end_rx.recv();
        drop(section);
    });
    let _ = entered_rx.recv();
    let mut readers = Readers::start();
    let started = Instant::now();
    assert!(!readers.wait(Duration::from_millis(20), std::iter::empty()));
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(20));
    // Already open at an older grace period: not worth waiting for again
    // (returns at once, not after the minute it was given).
    let older = Readers::start();
    let started = Instant::now();
    assert!(!readers.wait(Duration::from_secs(60), std::iter::once(&older)));
    assert!(started.elapsed() < Duration::from_secs(30));
    let _ = end_tx.send(());
    let _ = t.join();
    assert!(over_soon(&mut readers));
    settled();
}

#[test]
fn a_thread_that_exits_inside_a_section_gives_its_record_back_when_it_ends() {
    use std::sync::mpsc;
    /// What the thread-local saw: whether the record was orphaned before
    /// its section ended, and given back after.
    type Seen = (bool, bool);
    /// Given back: the section's end cleared `orphan`, which it does just
    /// before clearing `in_use`. (Not `!in_use`: another thread may take the
    /// free record at once, and tests run in parallel.)
    fn given_back(rec: &Record) -> bool {
        !rec.orphan.load(Relaxed)
    }
    struct Held(Option<Section>, mpsc::Sender<Seen>);
    impl Drop for Held {
        fn drop(&mut self) {
            if let Some(section) = self.0.take() {
                let rec = section.rec;
                let orphaned = rec.orphan.load(Relaxed);
                drop(section);
                let _ = self.1.send((orphaned, given_back(rec)));
            }
            // A section once the thread's record is gone borrows one, and
            // gives it back at its end.
            let borrowed = Section::enter();
            let rec = borrowed.rec;
            let orphaned = rec.orphan.load(Relaxed);
            drop(borrowed);
            let _ = self.1.send((orphaned, given_back(rec)));
        }
    }
    thread_local! {
        static HELD: std::cell::RefCell<Option<Held>> = const { std::cell::RefCell::new(None) };
    }
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Thread-locals are destroyed in the reverse order of their first
        // use: `HELD` after the record's owner.
        HELD.with(|_| ());
        let section = Section::enter();
        HELD.with(|h| *h.borrow_mut() = Some(Held(Some(section), tx)));
    })
    .join()
    .unwrap_or_else(|_| panic!("the thread panicked"));
    let recv = || {
        rx.recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(recv(), (true, true), "the held section's record");
    assert_eq!(recv(), (true, true), "a borrowed record");
}
