//! Phase 5: each function's prototype, and its declaration as the rules
//! shape it (its parameters in `params.rs`).

use super::decl::Decl;
use super::prototypes::Prototype;
use super::rules::config;
use super::syntax::{docs, link_name};
use super::Translation;
use crate::print::ty_str;
use crate::BuildError;
use alien_codegen::decl::function::MAX_VARIADIC_FIXED;
use syn::{ForeignItemFn, ReturnType, Type};

impl Translation<'_> {
    /// Describes and declares every function, in the header's order.
    pub(super) fn declare_functions(&mut self) -> Result<(), BuildError> {
        let header = self.header;
        for f in &header.functions {
            self.declare_function(f)?;
        }
        Ok(())
    }

    /// Describes `f`, and declares it (in the bare block when it needs no
    /// Rust wrapper), unless it needs a wrapper and is variadic with more
    /// fixed parameters than the macro takes.
    fn declare_function(&mut self, f: &ForeignItemFn) -> Result<(), BuildError> {
        let opts = self.opts;
        let rust = f.sig.ident.to_string();
        let c_name = link_name(&f.attrs).unwrap_or_else(|| rust.clone());
        let variadic = f.sig.variadic.is_some();
        let fixed = f.sig.inputs.len();
        // The C view, for the description.
        self.prototypes.push(Prototype::of(f, &c_name, self.enums));

        let params = self.params(f, &rust)?;
        let (ret, ret_marshalled) = self.result(f, &rust)?;
        let safe_wanted = opts.safe_functions.iter().any(|r| r.is_match(&rust));
        let mut flags = Vec::new();
        if opts.errno_functions.iter().any(|r| r.is_match(&rust)) {
            flags.push("errno");
        }
        let (name, explicit_c) = if self.index.type_names.contains(&rust) {
            (format!("{rust}_fn"), Some(c_name.clone()))
        } else if c_name != rust {
            (rust.clone(), Some(c_name.clone()))
        } else {
            (rust.clone(), None)
        };
        let bare = !safe_wanted
            && flags.is_empty()
            && explicit_c.is_none()
            && !params.marshalled
            && !ret_marshalled
            && !opts.wrapped_functions.iter().any(|r| r.is_match(&rust));
        if !bare && variadic && fixed > MAX_VARIADIC_FIXED {
            self.skipped.push(format!(
                "`{c_name}`: variadic with {fixed} fixed parameters (declarations take at most {MAX_VARIADIC_FIXED})"
            ));
            return Ok(());
        }
        let needs_unsafe = variadic || params.needs_unsafe;
        if safe_wanted && needs_unsafe {
            return Err(config(format!(
                "`{rust}` cannot be declared safe: it takes a raw pointer or a buffer without a length parameter, or is variadic"
            )));
        }
        let mut d = docs(&f.attrs);
        if !params.docs.is_empty() {
            if !d.is_empty() {
                d.push(String::new());
            }
            d.extend(params.docs);
        }
        self.decls.push(Decl {
            bare,
            docs: d,
            flags,
            unsafety: !safe_wanted,
            name,
            params: params.list,
            variadic,
            ret,
            c_name: explicit_c,
        });
        Ok(())
    }

    /// `f`'s result type as declared (`rust` is its name): `&CStr` where
    /// `return_cstr` asks for it, a C enum as the Rust enum, anything else
    /// in the C view; `None` for `void` (and `!`). With it, whether it is
    /// marshalled (not the C view).
    fn result(
        &mut self,
        f: &ForeignItemFn,
        rust: &str,
    ) -> Result<(Option<String>, bool), BuildError> {
        let ReturnType::Type(_, t) = &f.sig.output else {
            return Ok((None, false));
        };
        if matches!(**t, Type::Never(_)) {
            return Ok((None, false));
        }
        if self.opts.return_cstr.iter().any(|r| r == rust) {
            let ok = matches!(&**t, Type::Ptr(p) if self.index.types.is_char(&p.elem));
            if !ok {
                return Err(config(format!(
                    "`{rust}` returns `{}`: only a `char *` result can be returned as `&CStr`",
                    ty_str(t)
                )));
            }
            return Ok((Some("&CStr".to_owned()), true));
        }
        let marshalled = self.enums.is_kept(t);
        let kept = self.enums.keep_enum(t);
        if let Some(s) = self.index.types.struct_of(&kept) {
            self.by_value_structs.insert(s);
        }
        Ok((Some(ty_str(&kept)), marshalled))
    }
}
