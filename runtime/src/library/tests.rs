//! Tests against the real loader: libz, libm and libc are installed.

#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn candidates_for_z_include_unversioned_then_cached_soname() {
    let names = candidate_names("z", &[]);
    let plain = names.iter().position(|n| n == "libz.so").unwrap();
    assert_eq!(plain, 0);
    if LdCache::system().is_ok_and(|c| c.find("libz.so.1").is_some()) {
        let versioned = names.iter().position(|n| n == "libz.so.1").unwrap();
        assert_eq!(versioned, plain + 1);
    }
}

#[test]
fn opens_zlib_and_finds_a_symbol() {
    let lib = Library::open("z", &[]).unwrap();
    assert_eq!(lib.name(), "z");
    assert!(lib.path().starts_with('/'), "path {:?}", lib.path());
    assert!(lib.path().contains("libz.so"), "path {:?}", lib.path());
    assert!(lib.symbol(c"zlibVersion").is_some());
    assert!(lib.symbol(c"definitely_not_a_symbol_xyz").is_none());
    assert!(!lib.handle().is_null());
}

#[test]
fn opens_libm_past_its_linker_script() {
    // libm.so is a GNU ld script on glibc systems, so dlopen("libm.so") fails
    // and the versioned soname from the loader cache must be used.
    let lib = Library::open("m", &[]).unwrap();
    let cos = lib.symbol(c"cos").unwrap();
    // SAFETY: libm's `cos` has this signature; `lib` outlives the call.
    let cos: extern "C" fn(f64) -> f64 = unsafe { std::mem::transmute(cos.as_ptr()) };
    assert_eq!(cos(0.0), 1.0);
}

#[test]
fn explicit_candidate_is_tried_first() {
    let names = candidate_names("z", &["libz.so.1"]);
    assert_eq!(names[0], "libz.so.1");
    assert_eq!(names.iter().filter(|n| *n == "libz.so.1").count(), 1);
    let lib = Library::open("z", &["libz.so.1"]).unwrap();
    assert_eq!(lib.candidate(), "libz.so.1");
    let lib = LibraryRequest {
        name: "z",
        candidates: &["libnot_there_xyz.so.7", "libz.so.1"],
    }
    .open()
    .unwrap();
    assert_eq!(lib.candidate(), "libz.so.1");
}

#[test]
fn missing_library_names_every_candidate() {
    let err = Library::open("definitely_not_a_lib_xyz", &["libalso_missing_xyz.so.3"]).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("library \"definitely_not_a_lib_xyz\" not found; tried "),
        "{message}"
    );
    for candidate in candidate_names("definitely_not_a_lib_xyz", &["libalso_missing_xyz.so.3"]) {
        assert!(
            message.contains(&candidate),
            "{candidate} missing from {message}"
        );
    }
    assert!(
        message.contains("libdefinitely_not_a_lib_xyz.so: cannot open shared object file"),
        "{message}"
    );
    let LibraryError::NotFound { name, attempts } = err else {
        panic!("expected NotFound, got {err:?}");
    };
    assert_eq!(name, "definitely_not_a_lib_xyz");
    assert_eq!(attempts[0].candidate, "libalso_missing_xyz.so.3");
    assert!(attempts.iter().all(|a| !a.error.is_empty()));
}

#[test]
fn non_library_file_carries_dlerror_text() {
    let err = Library::open_path("/etc/passwd", OpenFlags::default()).unwrap_err();
    let LibraryError::OpenFailed { path, error } = &err else {
        panic!("expected OpenFailed, got {err:?}");
    };
    assert_eq!(path, "/etc/passwd");
    assert!(error.contains("/etc/passwd"), "{error}");
    assert!(err.to_string().contains(error.as_str()));

    let err = Library::open("/etc/passwd", &[]).unwrap_err();
    let LibraryError::NotFound { attempts, .. } = &err else {
        panic!("expected NotFound, got {err:?}");
    };
    assert_eq!(attempts.len(), 1);
    assert!(attempts[0].error.contains("/etc/passwd"));
}

#[test]
fn open_path_opens_exact_file() {
    let lib = Library::open_path("libz.so.1", OpenFlags::NOW | OpenFlags::LOCAL).unwrap();
    assert_eq!(lib.name(), "libz.so.1");
    // The loader shares one object per file: if another test loaded zlib as
    // `libz.so` first, that is the path reported.
    assert!(lib.path().contains("/libz.so"), "{}", lib.path());
    assert!(lib.symbol(c"deflate").is_some());
    let lazy = Library::open_path("libz.so.1", OpenFlags::LAZY).unwrap();
    assert_eq!(lazy.path(), lib.path());
}

#[test]
fn invalid_and_empty_names_are_rejected() {
    assert_eq!(
        Library::open("z\0", &[]).unwrap_err(),
        LibraryError::InvalidName { name: "z\0".into() }
    );
    assert!(matches!(
        Library::open("z", &["a\0b"]),
        Err(LibraryError::InvalidName { .. })
    ));
    assert_eq!(Library::open("", &[]).unwrap_err(), LibraryError::EmptyName);
    assert!(matches!(
        Library::open_path("", OpenFlags::default()),
        Err(LibraryError::EmptyName)
    ));
    assert!(Library::open("", &["libz.so.1"]).is_ok());
}

#[test]
fn global_scope_finds_libc() {
    let global = Library::global();
    assert_eq!(global.name(), "<global>");
    assert_eq!(global.path(), "");
    let strlen = global.symbol(c"strlen").unwrap();
    let info = object_containing(strlen.as_ptr() as usize).unwrap();
    assert!(info.path.contains("libc.so"), "{info:?}");
    assert_ne!(info.base, 0);
    assert!(std::ptr::eq(global, Library::global()));
}

#[test]
fn object_containing_unmapped_address_is_none() {
    assert_eq!(object_containing(0), None);
}

#[test]
fn into_raw_leaks_the_handle() {
    let lib = Library::open("z", &[]).unwrap();
    let handle = lib.into_raw();
    // SAFETY: the handle was leaked open, so dlsym on it is valid.
    let version = unsafe { libc::dlsym(handle, c"zlibVersion".as_ptr()) };
    assert!(!version.is_null());
}

#[test]
fn library_is_send_sync_debug() {
    fn check<T: Send + Sync + std::fmt::Debug>() {}
    check::<Library>();
    let lib = Library::open("z", &[]).unwrap();
    let shown = format!("{lib:?}");
    assert!(shown.contains("\"z\""), "{shown}");
    std::thread::scope(|s| {
        s.spawn(|| assert!(lib.symbol(c"crc32").is_some()));
    });
}
