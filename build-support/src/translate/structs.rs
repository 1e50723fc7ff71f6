//! Phase 7: the structs that implement alien's `CStruct`: those passed or
//! returned by value, and the structs inside them.

use super::Translation;
use std::collections::HashSet;
use syn::Item;

impl Translation<'_> {
    /// Finds the structs to derive `CStruct` for, from the structs the
    /// declarations take by value (`by_value_structs`) and their fields.
    pub(super) fn find_cstructs(&mut self) {
        let header = self.header;
        let mut pending: Vec<String> = self.by_value_structs.iter().cloned().collect();
        let mut derive: HashSet<String> = HashSet::new();
        while let Some(s) = pending.pop() {
            if !derive.insert(s.clone()) {
                continue;
            }
            for item in &header.items {
                if let Item::Struct(st) = item {
                    if st.ident == s {
                        for field in &st.fields {
                            if let Some(inner) = self.index.types.struct_of(&field.ty) {
                                pending.push(inner);
                            }
                        }
                    }
                }
            }
        }
        self.cstructs = derive;
    }
}
