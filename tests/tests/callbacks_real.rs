//! Callbacks driven by real libraries: sqlite3_exec collecting rows, and a
//! callback run on a thread that C created.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]

use alien::{define_c_function, Callback};
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};

/// sqlite's opaque connection.
#[repr(C)]
#[derive(Debug)]
pub struct Sqlite3 {
    _private: [u8; 0],
}

define_c_function! {
    #![library("sqlite3")]
    pub fn sqlite3_open(filename: &str, out db: *mut Sqlite3) -> c_int;
    pub unsafe fn sqlite3_close(db: *mut Sqlite3) -> c_int;
    pub unsafe fn sqlite3_exec(
        db: *mut Sqlite3,
        sql: &str,
        row: impl FnMut(*mut c_void, c_int, *mut *mut c_char, *mut *mut c_char) -> c_int,
        arg: *mut c_void,
        out errmsg: *mut c_char,
    ) -> c_int;
    pub unsafe fn sqlite3_free(p: *mut c_void);
}

fn text(p: *mut c_char) -> Option<String> {
    // SAFETY: sqlite passes NUL-terminated column texts (or NULL).
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

fn exec(db: *mut Sqlite3, sql: &str) -> Vec<Vec<(String, Option<String>)>> {
    let mut rows = Vec::new();
    let (rc, err) = unsafe {
        sqlite3_exec(
            db,
            sql,
            |_, n, values, names| {
                let row = (0..n as usize)
                    // SAFETY: sqlite passes `n` names and values.
                    .map(|i| {
                        (
                            text(*names.add(i)).unwrap_or_default(),
                            text(*values.add(i)),
                        )
                    })
                    .collect();
                rows.push(row);
                0
            },
            std::ptr::null_mut(),
        )
    };
    if !err.is_null() {
        let msg = text(err);
        unsafe { sqlite3_free(err.cast()) };
        panic!("sqlite error {rc}: {msg:?}");
    }
    assert_eq!(rc, 0);
    rows
}

#[test]
fn sqlite_exec_collects_rows_with_a_closure() {
    let (rc, db) = sqlite3_open(":memory:");
    assert_eq!(rc, 0);
    exec(db, "create table t(id integer, name text); insert into t values (1, 'one'), (2, 'two'), (3, NULL);");
    let rows = exec(db, "select id, name from t order by id");
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0],
        vec![
            ("id".to_owned(), Some("1".to_owned())),
            ("name".to_owned(), Some("one".to_owned()))
        ]
    );
    assert_eq!(rows[2][1], ("name".to_owned(), None));
    let sum = exec(db, "select sum(id) as s from t");
    assert_eq!(sum[0][0].1.as_deref(), Some("6"));
    assert_eq!(unsafe { sqlite3_close(db) }, 0);
}

#[test]
fn a_panic_in_the_row_callback_reaches_the_caller() {
    let (rc, db) = sqlite3_open(":memory:");
    assert_eq!(rc, 0);
    exec(db, "create table t(x); insert into t values (1), (2), (3);");
    let seen = AtomicUsize::new(0);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe {
        sqlite3_exec(
            db,
            "select x from t",
            |_, _, _, _| {
                if seen.fetch_add(1, Ordering::SeqCst) == 1 {
                    panic!("second row");
                }
                0
            },
            std::ptr::null_mut(),
        )
    }));
    assert_eq!(
        r.unwrap_err().downcast_ref::<&str>().copied(),
        Some("second row")
    );
    // The panic value 0 let sqlite go on to the third row; the database still works.
    assert_eq!(seen.load(Ordering::SeqCst), 3);
    assert_eq!(
        exec(db, "select count(*) from t")[0][0].1.as_deref(),
        Some("3")
    );
    assert_eq!(unsafe { sqlite3_close(db) }, 0);
}

type Start = unsafe extern "C" fn(*mut c_void) -> *mut c_void;

define_c_function! {
    #![library("c")]
    pub unsafe fn pthread_create(out thread: u64, attr: *const c_void, start: Start, arg: *mut c_void) -> c_int;
    pub unsafe fn pthread_join(thread: u64, out ret: *mut c_void) -> c_int;
}

#[test]
fn a_callback_runs_on_a_thread_c_created() {
    let main_thread = std::thread::current().id();
    let ran_on = std::sync::Mutex::new(None);
    let cb = Callback::new(|arg: *mut c_void| -> *mut c_void {
        *ran_on.lock().unwrap() = Some(std::thread::current().id());
        // Echo the argument plus one.
        (arg as usize + 1) as *mut c_void
    });
    let (rc, tid) = unsafe { pthread_create(std::ptr::null(), cb.as_fn(), 41 as *mut c_void) };
    assert_eq!(rc, 0);
    let (rc, ret) = unsafe { pthread_join(tid) };
    assert_eq!(rc, 0);
    assert_eq!(ret as usize, 42);
    let ran_on = ran_on.lock().unwrap().expect("callback ran");
    assert_ne!(ran_on, main_thread);
}

#[test]
fn an_orphan_panic_on_a_c_thread_follows_the_policy() {
    // With LogAndReturn the thread gets the panic value (null) and the process goes on.
    let before = alien::set_orphan_panic_policy(alien::OrphanPanicPolicy::LogAndReturn);
    let cb = Callback::new(|_: *mut c_void| -> *mut c_void { panic!("orphan") })
        .returning_on_panic(7 as *mut c_void);
    let (rc, tid) = unsafe { pthread_create(std::ptr::null(), cb.as_fn(), std::ptr::null_mut()) };
    assert_eq!(rc, 0);
    let (rc, ret) = unsafe { pthread_join(tid) };
    assert_eq!(rc, 0);
    assert_eq!(ret as usize, 7);
    alien::set_orphan_panic_policy(before);
}
