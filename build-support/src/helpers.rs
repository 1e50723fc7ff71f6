//! The helper module of every `prototypes` description.

/// The helper traits of a `prototypes` module (see the `checked`
/// declarations in `alien-codegen`): the runtime's, re-exported.
pub(crate) const HELPERS: &str = r#"
/// What a checked declaration's C types are compared with (not for use by hand).
#[doc(hidden)]
pub use ::alien::__private::header_check as __alien;
"#;
