//! `alien-build`: a `build.rs` helper that turns C headers into alien
//! declarations, and describes every prototype so that hand-written
//! declarations can be checked against the header when the crate compiles.
//!
//! ```no_run
//! // build.rs, in `fn main`:
//! alien_build::Builder::new()
//!     .header("zlib.h")
//!     .allowlist_function("compress.*|uncompress|crc32|zlibVersion")
//!     .allowlist_var("Z_.*")
//!     .library("z")
//!     .library_candidates(["libz.so.1"])
//!     .param_direction("compress", "destLen", alien_build::Direction::InOut)
//!     .write_to_out_dir_or_exit("zlib.rs");
//! ```
//!
//! ```text
//! // src/lib.rs
//! mod zlib { include!(concat!(env!("OUT_DIR"), "/zlib.rs")); }
//! ```
//!
//! bindgen reads the headers (libclang is loaded at run time: a missing
//! libclang is a [`BuildError::LibclangMissing`] that says what to install).
//! Types, structs, unions, typedefs and constants come through as bindgen
//! writes them; functions become `alien::define_c_function!` declarations,
//! global variables `alien::define_alien_variable!`, and the C enums picked
//! with [`Builder::c_enum`] `alien::define_c_enum!` enums — the same macros
//! a user writes, going through the same linkage table. The module
//! `prototypes` (see [`Builder::prototypes_module`]) describes every
//! prototype as a type (`pub type compress = unsafe extern "C" fn(..) -> c_int;`),
//! re-exports the constants and gives each struct's size and alignment; a
//! hand-written declaration marked `#[alien(checked = crate::zlib::prototypes)]`
//! fails to compile, at the declaration, when it disagrees with the header.

mod bindings;
mod builder;
mod error;
mod helpers;
mod options;
mod print;
mod translate;

pub use bindings::Bindings;
pub use builder::Builder;
pub use error::{BuildError, Diagnostic, INSTALL_LIBCLANG};
pub use options::Direction;

/// Unwraps `result`, or prints the error with its causes on stderr and exits
/// with status 1.
pub fn or_exit<T>(result: Result<T, BuildError>) -> T {
    match result {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{}", e.report());
            std::process::exit(1);
        }
    }
}
