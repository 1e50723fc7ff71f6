//! The linkage table seen from outside: one row per declaration (functions,
//! variables, `foreign_procedure!`s, run-time entries), with names, library,
//! state, address and supplier; `#[cfg]` removes a declaration entirely;
//! declarations with the `inline` and `no_callbacks` flags work like others.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks
)]

#[macro_use]
mod rerun;

use alien::{define_alien_variable, define_c_function, BindState, SymbolKind};
use std::ffi::c_int;

define_c_function! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub fn add2(a: c_int, b: c_int) -> c_int;
    #[alien(inline)]
    pub fn add2_inline(a: c_int, b: c_int) -> c_int = "add2";
    #[alien(no_callbacks, errno)]
    pub fn add2_flags(a: c_int, b: c_int) -> c_int = "add2";
    #[cfg(any())]
    pub fn alien_cfg_disabled(a: c_int) -> c_int;
    #[cfg(all())]
    pub fn alien_cfg_enabled_missing(a: c_int) -> c_int;
}

define_c_function! {
    pub fn strlen(s: &str) -> usize;
}

define_alien_variable! {
    #![library("alien_fixture", candidates = [alien_tests::FIXTURE_LIB])]
    pub static fixture_counter: c_int;
}

lazy_mode_tests!();

fn rows(symbol: &str) -> Vec<alien::LinkageInfo> {
    alien::linkage()
        .into_iter()
        .filter(|r| r.symbol == symbol)
        .collect()
}

#[test]
fn one_row_per_declaration() {
    assert_eq!(add2(1, 2), 3);
    assert_eq!(add2_inline(1, 2), 3);
    assert_eq!(add2_flags(1, 2), (3, alien::Errno(0)));
    let add_rows = rows("add2");
    assert_eq!(add_rows.len(), 3, "{add_rows:?}");
    let mut names: Vec<_> = add_rows.iter().map(|r| r.rust_name).collect();
    names.sort_unstable();
    assert_eq!(names, ["add2", "add2_flags", "add2_inline"]);
    for r in &add_rows {
        assert_eq!(r.kind, SymbolKind::Code);
        assert_eq!(r.state, BindState::Bound);
        assert_eq!(r.library, Some("alien_fixture"));
        assert_eq!(r.supplier.as_deref(), Some("alien_fixture"));
        assert_eq!(r.supplier_path.as_deref(), Some(alien_tests::FIXTURE_LIB));
        assert_eq!(r.address, add_rows[0].address);
        assert_eq!(r.module_path, "introspection", "{r:?}");
    }
    // The address is the loader's.
    assert_eq!(add_rows[0].address, alien::probe("add2").map(|p| p.address));
}

#[test]
fn cfg_removes_a_declaration() {
    assert!(rows("alien_cfg_disabled").is_empty());
    let enabled = rows("alien_cfg_enabled_missing");
    assert_eq!(enabled.len(), 1);
    assert_eq!(enabled[0].state, BindState::Waiting);
    assert!(!alien_cfg_enabled_missing::is_resolved());
}

#[test]
fn global_scope_declarations() {
    assert_eq!(strlen("abc"), 3);
    let r = strlen::info();
    assert_eq!(r.library, None);
    assert_eq!(r.state, BindState::Bound);
    assert_eq!(r.supplier.as_deref(), Some("<global scope>"));
    // The global scope has no single file: the path is the object that
    // holds the address (libc).
    let path = r
        .supplier_path
        .expect("the loader knows which object holds strlen");
    assert!(path.contains("libc.so"), "{path}");
}

#[test]
fn procedures_and_variables_have_rows() {
    let ldexp = alien::foreign_procedure!(#[library("m")] "ldexp", (f64, c_int) -> f64);
    assert_eq!(ldexp(3.0, 2).to_bits(), 12f64.to_bits());
    let r = rows("ldexp");
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(
        r[0].rust_name, "ldexp",
        "a procedure is known by its C name"
    );
    assert_eq!(r[0].library, Some("m"));
    assert_eq!(r[0].supplier.as_deref(), Some("m"));
    assert_eq!(r[0].state, BindState::Bound);

    let p = fixture_counter.as_ptr();
    let v = rows("fixture_counter");
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].kind, SymbolKind::Data);
    assert_eq!(v[0].address, Some(p as usize));
    assert_eq!(v[0].rust_name, "fixture_counter");
    assert_eq!(v[0].module_path, "introspection");
}

#[test]
fn run_time_entries_have_rows() {
    let before = alien::linkage().len();
    let e = alien::ensure_linkage("abs", None);
    let after = alien::linkage().len();
    assert_eq!(after, before + 1);
    let r: Vec<_> = rows("abs")
        .into_iter()
        .filter(|r| r.rust_name == "<run time>")
        .collect();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].module_path, "<run time>");
    assert_eq!(r[0].address, Some(e.slot() as usize));
    // Asking again adds nothing.
    let _ = alien::ensure_linkage("abs", None);
    assert_eq!(alien::linkage().len(), after);
}

#[test]
fn a_blocks_records_are_one_array_in_declaration_order() {
    let size = std::mem::size_of::<alien::__private::Decl>();
    assert_eq!(std::mem::align_of::<alien::__private::Decl>(), 64);
    let at = |d: &'static alien::__private::Decl| std::ptr::from_ref(d) as usize;
    // The block's declarations without `#[cfg]` are neighbours, in order.
    assert_eq!(at(add2_inline::DECL), at(add2::DECL) + size);
    assert_eq!(at(add2_flags::DECL), at(add2_inline::DECL) + size);
    // The one under `#[cfg]` has a record of its own, outside the array.
    let cfg = at(alien_cfg_enabled_missing::DECL);
    assert!(cfg < at(add2::DECL) || cfg >= at(add2_flags::DECL) + size);
    for d in [
        add2::DECL,
        add2_flags::DECL,
        alien_cfg_enabled_missing::DECL,
    ] {
        assert_eq!(at(d) % 64, 0);
        // Every record names the module it was declared in.
        assert_eq!(d.module_path(), module_path!());
    }
    assert_eq!(add2_flags::DECL.rust_name(), "add2_flags");
    assert_eq!(add2_flags::DECL.symbol(), c"add2");
}
