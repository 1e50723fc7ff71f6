//! zlib and sqlite3 called through declarations alien-build generated from
//! their headers (see `build.rs`), and a hand-written zlib declaration
//! checked against `zlib.h` at compile time.

#![allow(clippy::undocumented_unsafe_blocks)]

use alien::{define_c_enum, define_c_function, Callback};
use std::ffi::{c_char, c_int, c_ulong, c_void, CStr};

/// Generated from `zlib.h`.
pub mod zlib {
    #![allow(
        non_camel_case_types,
        non_snake_case,
        non_upper_case_globals,
        dead_code
    )]
    include!(concat!(env!("OUT_DIR"), "/zlib.rs"));
}

/// Generated from `sqlite3.h`.
pub mod sqlite {
    #![allow(
        non_camel_case_types,
        non_snake_case,
        non_upper_case_globals,
        dead_code
    )]
    include!(concat!(env!("OUT_DIR"), "/sqlite3.rs"));
}

define_c_enum! {
    /// zlib's return codes, each checked against the header's `Z_...`
    /// constant.
    #[alien(checked = crate::zlib::prototypes, prefix = "Z_")]
    #[repr(c_int)]
    pub enum ZStatus {
        Ok = 0,
        StreamEnd = 1,
        NeedDict = 2,
        Errno = -1,
        StreamError = -2,
        DataError = -3,
        MemError = -4,
        BufError = -5,
        VersionError = -6,
    }
}

define_c_function! {
    #![library("z")]
    #![alien(checked = crate::zlib::prototypes)]
    /// Hand-written, the safe way (the lengths are tied to the slices, so
    /// they cannot disagree), and checked against `zlib.h`.
    pub fn uncompress(
        dest: &mut [u8], inout dest_len: c_ulong = dest.len(), source: &[u8], source_len: c_ulong = source.len(),
    ) -> ZStatus;
}

/// About 100 KiB of compressible, not trivial, text.
pub fn sample(len: usize) -> Vec<u8> {
    const WORDS: [&str; 8] = [
        "alien ", "header ", "bindgen ", "zlib ", "deflate ", "slot ", "\n", "42 ",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        out.extend_from_slice(WORDS[(state >> 61) as usize].as_bytes());
        if (state >> 20) & 0x1f == 0 {
            out.push((state >> 40) as u8);
        }
    }
    out.truncate(len);
    out
}

/// Compresses `data` with the generated `compress`, decompresses it with
/// the generated `uncompress` and the checked hand-written one; returns the
/// compressed size.
pub fn zlib_round_trip(data: &[u8]) -> usize {
    let n = data.len() as zlib::uLong;
    let bound = zlib::compressBound(n);
    let mut packed = vec![0u8; bound as usize];
    // The generated declaration is safe: the lengths are tied to the slices.
    let (rc, packed_len) = zlib::compress(&mut packed, data);
    assert_eq!(rc, zlib::Z_OK as c_int, "compress");
    packed.truncate(packed_len as usize);

    let mut unpacked = vec![0u8; data.len()];
    let (rc, unpacked_len) = zlib::uncompress(&mut unpacked, &packed);
    assert_eq!(
        (rc, unpacked_len),
        (zlib::Z_OK as c_int, n),
        "uncompress (generated)"
    );
    assert!(unpacked == data, "the round trip changed the data");

    let mut again = vec![0u8; data.len()];
    let (status, len) = uncompress(&mut again, &packed);
    assert_eq!((status, len), (ZStatus::Ok, n), "uncompress (hand-written)");
    assert!(again == data);
    // Too small a buffer is `Z_BUF_ERROR`, as a variant.
    let mut short = vec![0u8; data.len() / 2];
    assert_eq!(uncompress(&mut short, &packed).0, ZStatus::BufError);
    packed.len()
}

/// crc32 of `data` through the generated declaration.
pub fn crc32(data: &[u8]) -> u32 {
    zlib::crc32(0, data) as u32
}

/// Opens an in-memory database, creates and fills a table, and queries it
/// twice: with `sqlite3_exec` and a closure, and with a prepared statement.
/// Returns the rows as (id, name).
pub fn sqlite_rows() -> Vec<(i64, String)> {
    let (rc, db) = sqlite::sqlite3_open(":memory:");
    assert_eq!(rc, sqlite::SQLITE_OK as c_int);
    let exec = |sql: &str| {
        let mut rows: Vec<Vec<Option<String>>> = Vec::new();
        let collect =
            |_user: *mut c_void, n: c_int, values: *mut *mut c_char, _names: *mut *mut c_char| {
                let row = (0..n as usize)
                    .map(|i| {
                        // SAFETY: sqlite passes `n` values, each NULL or a C string.
                        let v = unsafe { *values.add(i) };
                        (!v.is_null())
                            .then(|| unsafe { CStr::from_ptr(v) }.to_string_lossy().into_owned())
                    })
                    .collect();
                rows.push(row);
                0
            };
        // SAFETY: `db` is open; the callback reads what sqlite passes.
        let (rc, err) = unsafe { sqlite::sqlite3_exec(db, sql, collect, std::ptr::null_mut()) };
        if !err.is_null() {
            let msg = unsafe { CStr::from_ptr(err) }
                .to_string_lossy()
                .into_owned();
            unsafe { sqlite::sqlite3_free(err.cast()) };
            panic!("sqlite error {rc}: {msg}");
        }
        assert_eq!(rc, sqlite::SQLITE_OK as c_int);
        rows
    };
    exec("create table t(id integer primary key, name text not null)");
    exec("insert into t(id, name) values (1, 'zlib'), (2, 'sqlite'), (3, 'alien')");
    let rows = exec("select id, name from t order by id");
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[1],
        vec![Some("2".to_owned()), Some("sqlite".to_owned())]
    );

    // A prepared statement, and a callback made to last (`Callback`) for a
    // function pointer parameter the generator left raw.
    let (rc, stmt, _tail) = unsafe {
        sqlite::sqlite3_prepare_v2(db, "select id, name from t where id >= ?1 order by id", -1)
    };
    assert_eq!(rc, sqlite::SQLITE_OK as c_int, "{:?}", unsafe {
        sqlite::sqlite3_errmsg(db)
    });
    assert_eq!(
        unsafe { sqlite::sqlite3_bind_int64(stmt, 1, 2) },
        sqlite::SQLITE_OK as c_int
    );
    let mut out = Vec::new();
    while unsafe { sqlite::sqlite3_step(stmt) } == sqlite::SQLITE_ROW as c_int {
        let id = unsafe { sqlite::sqlite3_column_int64(stmt, 0) };
        let text = unsafe { sqlite::sqlite3_column_text(stmt, 1) };
        let name = unsafe { CStr::from_ptr(text.cast()) }
            .to_string_lossy()
            .into_owned();
        out.push((id, name));
    }
    assert_eq!(
        unsafe { sqlite::sqlite3_finalize(stmt) },
        sqlite::SQLITE_OK as c_int
    );

    // A Rust SQL function, through a long-lived callback.
    let calls = std::cell::Cell::new(0);
    let twice = Callback::new(
        |ctx: *mut sqlite::sqlite3_context, _n: c_int, args: *mut *mut sqlite::sqlite3_value| {
            calls.set(calls.get() + 1);
            let v = unsafe { sqlite::sqlite3_value_int64(*args) };
            unsafe { sqlite::sqlite3_result_int64(ctx, v * 2) };
        },
    );
    let rc = unsafe {
        sqlite::sqlite3_create_function(
            db,
            c"twice".as_ptr(),
            1,
            sqlite::SQLITE_UTF8 as c_int,
            std::ptr::null_mut(),
            Some(twice.as_fn()),
            None,
            None,
        )
    };
    assert_eq!(rc, sqlite::SQLITE_OK as c_int);
    let doubled = exec("select twice(id) from t order by id");
    assert_eq!(
        doubled,
        vec![
            vec![Some("2".to_owned())],
            vec![Some("4".to_owned())],
            vec![Some("6".to_owned())]
        ]
    );
    assert_eq!(calls.get(), 3);

    assert_eq!(
        unsafe { sqlite::sqlite3_close(db) },
        sqlite::SQLITE_OK as c_int
    );
    drop(twice);
    out
}

fn main() {
    println!(
        "zlib {} (header {:?})",
        zlib::zlibVersion().to_string_lossy(),
        CStr::from_bytes_with_nul(zlib::ZLIB_VERSION).ok()
    );
    let data = sample(100 * 1024);
    let packed = zlib_round_trip(&data);
    println!(
        "compressed {} bytes to {packed}; crc32 = {:#010x}",
        data.len(),
        crc32(&data)
    );
    println!(
        "sqlite {} ({})",
        sqlite::sqlite3_libversion().to_string_lossy(),
        sqlite::sqlite3_libversion_number()
    );
    for (id, name) in sqlite_rows() {
        println!("  row {id}: {name}");
    }
    println!("linkage rows: {}", alien::linkage().len());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zlib_round_trip_100k() {
        let data = sample(100 * 1024);
        let packed = zlib_round_trip(&data);
        assert!(packed > 100 && packed < data.len() / 2, "{packed}");
    }

    #[test]
    fn crc32_known_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        let data = sample(100 * 1024);
        let (a, b) = data.split_at(4096);
        let part = zlib::crc32(zlib::crc32(0, a), b);
        assert_eq!(part as u32, crc32(&data));
    }

    #[test]
    fn sqlite_in_memory() {
        assert_eq!(
            sqlite_rows(),
            vec![(2, "sqlite".to_owned()), (3, "alien".to_owned())]
        );
        assert!(sqlite::sqlite3_libversion()
            .to_str()
            .is_ok_and(|v| v.starts_with("3.")));
    }

    #[test]
    fn generated_declarations_are_in_the_linkage_table() {
        assert!(zlib::compress::is_resolved());
        assert!(zlib::compress::info()
            .supplier_path
            .is_some_and(|p| p.contains("libz")));
        assert!(sqlite::sqlite3_open::info()
            .supplier_path
            .is_some_and(|p| p.contains("libsqlite3")));
    }

    #[test]
    fn functions_without_rules_are_bare_and_in_the_table() {
        // No rule names it, so alien-build put it in the bare block.
        let t = unsafe { sqlite::sqlite3_threadsafe() };
        assert!((0..=2).contains(&t), "{t}");
        let f = match alien::BareFunction::of(sqlite::sqlite3_threadsafe as *const ()) {
            Ok(f) => f,
            Err(e) => panic!("sqlite3_threadsafe is not bare: {e}"),
        };
        assert!(f.is_resolved());
        let info = f.info();
        assert_eq!(info.symbol, "sqlite3_threadsafe");
        assert!(info.supplier_path.is_some_and(|p| p.contains("libsqlite3")));
        // A bare call with pointers: the SQL keyword table.
        let n = unsafe { sqlite::sqlite3_keyword_count() };
        assert!(n > 100, "{n}");
        let (mut name, mut len) = (std::ptr::null(), 0);
        assert_eq!(
            unsafe { sqlite::sqlite3_keyword_name(0, &mut name, &mut len) },
            0
        );
        assert!(len > 0 && !name.is_null());
        // A function a rule names has a Rust wrapper, not a trampoline.
        let wrapper = sqlite::sqlite3_libversion_number as fn() -> std::ffi::c_int;
        assert!(matches!(
            alien::BareFunction::of(wrapper as *const ()),
            Err(alien::Error::NotBare { .. })
        ));
    }
}
