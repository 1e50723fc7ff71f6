//! Generates alien declarations from the system's `zlib.h` and `sqlite3.h`
//! (the `zlib1g-dev` and `libsqlite3-dev` packages) into `OUT_DIR`.

use alien_build::{Builder, Direction};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");

    // zlib: the one-shot API and checksums. Headers cannot say which
    // pointers are written, or which are byte buffers: the rules below do.
    Builder::new()
        .header("zlib.h")
        .allowlist_function("zlibVersion|compress2?|compressBound|uncompress|crc32|adler32")
        .allowlist_var("Z_.*|ZLIB_VERSION")
        .library("z")
        .library_candidates(["libz.so.1"])
        .return_cstr("zlibVersion")
        .param_buffer("compress", "dest", "destLen")
        .param_direction("compress", "destLen", Direction::InOut)
        .param_buffer("compress", "source", "sourceLen")
        .param_buffer("compress2", "dest", "destLen")
        .param_direction("compress2", "destLen", Direction::InOut)
        .param_buffer("compress2", "source", "sourceLen")
        .param_buffer("uncompress", "dest", "destLen")
        .param_direction("uncompress", "destLen", Direction::InOut)
        .param_buffer("uncompress", "source", "sourceLen")
        .param_buffer("crc32", "buf", "len")
        .param_buffer("adler32", "buf", "len")
        // Safe: every buffer has its length tied to it (the wrapper passes it).
        .safe_function("compressBound|zlibVersion|compress2?|uncompress|crc32|adler32")
        .write_to_out_dir_or_exit("zlib.rs");

    // sqlite3: every function of the header; a few with strings, `out`
    // handles and a closure callback.
    Builder::new()
        .header("sqlite3.h")
        .allowlist_function("sqlite3_.*")
        .allowlist_var("SQLITE_.*|sqlite3_.*")
        .library("sqlite3")
        .library_candidates(["libsqlite3.so.0"])
        .return_cstr("sqlite3_libversion")
        .return_cstr("sqlite3_errmsg")
        .param_string("sqlite3_open", "filename")
        .param_direction("sqlite3_open", "ppDb", Direction::Out)
        .param_string("sqlite3_exec", "sql")
        .param_closure("sqlite3_exec", "callback")
        .param_direction("sqlite3_exec", "errmsg", Direction::Out)
        .param_string("sqlite3_prepare_v2", "zSql")
        .param_direction("sqlite3_prepare_v2", "ppStmt", Direction::Out)
        .param_direction("sqlite3_prepare_v2", "pzTail", Direction::Out)
        .safe_function("sqlite3_libversion|sqlite3_libversion_number|sqlite3_open")
        .write_to_out_dir_or_exit("sqlite3.rs");
}
