//! alien-macros
