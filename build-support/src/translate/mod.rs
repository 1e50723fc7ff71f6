//! bindgen's output → alien declarations, the `prototypes` description, and
//! bindgen's own types and constants.
//!
//! [`translate`] runs named phases in order, each in a file of its own:
//!
//! 1. `header.rs` ([`Header::parse`]): bindgen's output parsed, its paths
//!    shortened (`paths.rs`), its functions and variables split off;
//! 2. `enums.rs` ([`CEnums::extract`]): the C enums picked by `c_enum`;
//! 3. `index.rs` ([`Index::new`]): the type namespace, typedefs (`types.rs`),
//!    struct layouts (`layout.rs`) and constants;
//! 4. `rules.rs` ([`rules::check`]): every parameter rule fits the header;
//! 5. `functions.rs`: each function's prototype (`prototypes.rs`) and
//!    declaration (`decl.rs`), its parameters by the rules (`params.rs`);
//! 6. `variables.rs`: each variable's type and declaration;
//! 7. `structs.rs`: the structs passed by value, which derive `CStruct`;
//! 8. `output.rs`: the file.
//!
//! Phases 1–4 only read and check the header; 5–7 fill in a
//! [`Translation`], which phase 8 prints.

mod decl;
mod enums;
mod functions;
mod header;
mod index;
mod layout;
mod output;
mod params;
mod paths;
mod prototypes;
mod rules;
mod structs;
mod syntax;
mod types;
mod variables;

use crate::options::Options;
use crate::BuildError;
use decl::Decl;
use enums::CEnums;
use header::Header;
use index::Index;
use prototypes::Prototype;
use std::collections::{BTreeSet, HashSet};
use syn::Type;

/// Translates bindgen's output.
pub(crate) fn translate(raw: &str, opts: &Options) -> Result<String, BuildError> {
    let mut header = Header::parse(raw)?;
    let enums = CEnums::extract(&mut header, opts);
    let index = Index::new(&header, &enums, opts);
    rules::check(&header.functions, opts)?;
    let mut translation = Translation::new(opts, &header, &enums, index);
    translation.declare_functions()?;
    translation.declare_variables();
    translation.find_cstructs();
    Ok(translation.render())
}

/// What the declaring phases share: the header and what phases 1–3 found in
/// it, and what phases 5–7 produce from it.
struct Translation<'h> {
    /// What the builder asked for.
    opts: &'h Options,
    /// bindgen's output.
    header: &'h Header,
    /// The C enums made into Rust enums.
    enums: &'h CEnums,
    /// The header's names.
    index: Index<'h>,
    /// Every function's C prototype (declared or not).
    prototypes: Vec<Prototype>,
    /// The function declarations, in the header's order.
    decls: Vec<Decl>,
    /// Every variable's C name and type.
    var_protos: Vec<(String, Type)>,
    /// The variable declarations, printed.
    variables: Vec<String>,
    /// What could not be declared, and why.
    skipped: Vec<String>,
    /// The structs declarations pass, return or hold by value.
    by_value_structs: BTreeSet<String>,
    /// The structs that derive `CStruct`: those by value and the structs
    /// inside them.
    cstructs: HashSet<String>,
}

impl<'h> Translation<'h> {
    /// A translation with nothing declared yet.
    fn new(
        opts: &'h Options,
        header: &'h Header,
        enums: &'h CEnums,
        index: Index<'h>,
    ) -> Translation<'h> {
        Translation {
            opts,
            header,
            enums,
            index,
            prototypes: Vec::new(),
            decls: Vec::new(),
            var_protos: Vec::new(),
            variables: Vec::new(),
            skipped: Vec::new(),
            by_value_structs: BTreeSet::new(),
            cstructs: HashSet::new(),
        }
    }
}
