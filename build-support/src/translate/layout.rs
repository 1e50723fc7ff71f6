//! The sizes and alignments clang gave the header's structs and unions, read
//! from bindgen's layout tests.

use syn::{Expr, Lit};

/// One struct's or union's size and alignment (0 where bindgen's tests do
/// not say).
pub(super) struct StructLayout {
    /// The struct's Rust name.
    pub(super) name: String,
    /// `sizeof`, in bytes.
    pub(super) size: u64,
    /// `_Alignof`, in bytes.
    pub(super) align: u64,
}

/// Parses bindgen's layout test `["Size of X"][size_of::<X>() - 8usize]`
/// (and `Alignment of X`) into `layouts`.
pub(super) fn layout_tests(item: &syn::ItemConst, layouts: &mut Vec<StructLayout>) {
    let Expr::Block(b) = &*item.expr else { return };
    for stmt in &b.block.stmts {
        let syn::Stmt::Expr(Expr::Index(ix), _) = stmt else {
            continue;
        };
        let Expr::Array(arr) = &*ix.expr else {
            continue;
        };
        let Some(Expr::Lit(l)) = arr.elems.first() else {
            continue;
        };
        let Lit::Str(label) = &l.lit else { continue };
        let Expr::Binary(bin) = &*ix.index else {
            continue;
        };
        let Expr::Lit(n) = &*bin.right else { continue };
        let Lit::Int(n) = &n.lit else { continue };
        let Ok(n) = n.base10_parse::<u64>() else {
            continue;
        };
        let label = label.value();
        if let Some(name) = label.strip_prefix("Size of ") {
            match layouts.iter_mut().find(|l| l.name == name) {
                Some(e) => e.size = n,
                None => layouts.push(StructLayout {
                    name: name.to_owned(),
                    size: n,
                    align: 0,
                }),
            }
        } else if let Some(name) = label.strip_prefix("Alignment of ") {
            match layouts.iter_mut().find(|l| l.name == name) {
                Some(e) => e.align = n,
                None => layouts.push(StructLayout {
                    name: name.to_owned(),
                    size: 0,
                    align: n,
                }),
            }
        }
    }
}
