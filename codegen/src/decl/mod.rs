//! The declaration model, shared by the procedural macros and the build-time
//! generator: parse → check (every error collected) → emit.

// syn types implement Debug only with its `extra-traits` feature, which costs
// users build time; the model types here are not printed.
#![allow(missing_debug_implementations)]

pub mod attrs;
pub mod bare;
pub mod call;
pub mod checked;
pub mod cstruct;
pub mod emit;
pub mod enums;
pub mod function;
pub mod functions;
pub mod procedure;
pub mod report;
pub mod ty;
pub mod variable;

pub use cstruct::expand as expand_cstruct;
pub use enums::expand as expand_enums;
pub use functions::expand as expand_functions;
pub use procedure::expand as expand_procedure;
pub use variable::expand as expand_variables;
