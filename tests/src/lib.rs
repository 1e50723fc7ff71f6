//! Shared declarations of alien's integration tests (the C fixture in
//! `fixture/fixture.c`, built by `build.rs`).

/// Path of the fixture library built by `build.rs`.
pub const FIXTURE_LIB: &str = env!("ALIEN_FIXTURE_LIB");
/// Path of the library loaded after startup.
pub const LATE_LIB: &str = env!("ALIEN_LATE_LIB");
/// Path of the library with symbols of every kind (versions, weak, IFUNC,
/// TLS, unique, absolute) for the symbol index's tests.
pub const ELFSYMS_LIB: &str = env!("ALIEN_ELFSYMS_LIB");
/// Path of a copy of the late library linked with only the old ELF hash
/// table (`--hash-style=sysv`).
pub const SYSVHASH_LIB: &str = env!("ALIEN_SYSVHASH_LIB");
