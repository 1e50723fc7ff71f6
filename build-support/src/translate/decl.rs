//! One function's `define_c_function!` declaration, and how it is printed.

use std::fmt::Write as _;

/// Lines longer than this get one parameter per line.
const WIDTH: usize = 100;

/// One parameter of a declaration.
pub(super) struct Param {
    /// `""`, `"out "` or `"inout "`.
    pub(super) prefix: &'static str,
    /// The parameter's name.
    pub(super) name: String,
    /// Its type, printed.
    pub(super) ty: String,
    /// The buffer parameter whose length this one is (`= buf.len()`).
    pub(super) tie: Option<String>,
}

/// One function, as it will be declared.
pub(super) struct Decl {
    /// Doc comment lines.
    pub(super) docs: Vec<String>,
    /// What goes in `#[alien(..)]` (`errno`).
    pub(super) flags: Vec<&'static str>,
    /// Whether it is an `unsafe fn`.
    pub(super) unsafety: bool,
    /// The Rust name.
    pub(super) name: String,
    /// The parameters.
    pub(super) params: Vec<Param>,
    /// Whether it ends in `...`.
    pub(super) variadic: bool,
    /// The result type, printed; `None` for none.
    pub(super) ret: Option<String>,
    /// The C symbol (`= "name"`), where it differs from the Rust name.
    pub(super) c_name: Option<String>,
    /// Whether it goes in the bare block: C's prototype as it is (no rule,
    /// flag, renaming or safe declaration, not wrapped by request).
    pub(super) bare: bool,
}

impl Decl {
    /// Appends the declaration (inside a `define_c_function!` block) to `out`.
    pub(super) fn render(&self, out: &mut String) {
        for d in &self.docs {
            let _ = writeln!(out, "    ///{d}");
        }
        if !self.flags.is_empty() {
            let _ = writeln!(out, "    #[alien({})]", self.flags.join(", "));
        }
        let head = format!(
            "    pub {}fn {}(",
            if self.unsafety { "unsafe " } else { "" },
            self.name
        );
        let mut params: Vec<String> = self
            .params
            .iter()
            .map(|p| match &p.tie {
                Some(buf) => format!("{}{}: {} = {buf}.len()", p.prefix, p.name, p.ty),
                None => format!("{}{}: {}", p.prefix, p.name, p.ty),
            })
            .collect();
        if self.variadic {
            params.push("...".to_owned());
        }
        let mut tail = ")".to_owned();
        if let Some(r) = &self.ret {
            let _ = write!(tail, " -> {r}");
        }
        if let Some(c) = &self.c_name {
            let _ = write!(tail, " = {c:?}");
        }
        tail.push(';');
        let one = format!("{head}{}{tail}", params.join(", "));
        if one.len() <= WIDTH || params.is_empty() {
            let _ = writeln!(out, "{one}");
        } else {
            let _ = writeln!(out, "{head}");
            for p in &params {
                let _ = writeln!(out, "        {p},");
            }
            let _ = writeln!(out, "    {tail}");
        }
    }
}
