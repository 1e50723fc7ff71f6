//! Shared declarations of alien's integration tests (the C fixture in
//! `fixture/fixture.c`, built by `build.rs`).

/// Path of the fixture library built by `build.rs`.
pub const FIXTURE_LIB: &str = env!("ALIEN_FIXTURE_LIB");
/// Path of the library loaded after startup.
pub const LATE_LIB: &str = env!("ALIEN_LATE_LIB");
