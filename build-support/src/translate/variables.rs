//! Phase 6: each global variable's type, for the description, and its
//! `define_alien_variable!` declaration.

use super::syntax::{docs, link_name};
use super::Translation;
use crate::print::ty_str;
use std::fmt::Write as _;
use syn::Type;

impl Translation<'_> {
    /// Describes and declares every variable, in the header's order; an
    /// array is described but not declared.
    pub(super) fn declare_variables(&mut self) {
        let header = self.header;
        for s in &header.statics {
            let rust = s.ident.to_string();
            let c_name = link_name(&s.attrs).unwrap_or_else(|| rust.clone());
            self.var_protos.push((c_name.clone(), (*s.ty).clone()));
            if matches!(*s.ty, Type::Array(_)) {
                self.skipped.push(format!(
                    "variable `{c_name}`: an array (declare a variable of its element type and use `as_ptr()`)"
                ));
                continue;
            }
            if let Some(st) = self.index.types.struct_of(&s.ty) {
                self.by_value_structs.insert(st);
            }
            let mut text = String::new();
            for d in docs(&s.attrs) {
                let _ = writeln!(text, "    ///{d}");
            }
            let rename = if c_name != rust {
                format!(" = {c_name:?}")
            } else {
                String::new()
            };
            let _ = writeln!(text, "    pub static {rust}: {}{rename};", ty_str(&s.ty));
            self.variables.push(text);
        }
    }
}
