//! Phase 4: every rule the builder was given names a function and a
//! parameter the header has, before any is applied.

use super::syntax::param_names;
use crate::options::{Options, ParamKind};
use crate::BuildError;
use syn::ForeignItemFn;

/// A rule that does not fit the header.
pub(super) fn config(message: String) -> BuildError {
    BuildError::Config { message }
}

/// Checks that every parameter rule names a parameter that exists (and a
/// buffer's length, a parameter too), and every `return_cstr` a function.
pub(super) fn check(functions: &[ForeignItemFn], opts: &Options) -> Result<(), BuildError> {
    for rule in &opts.params {
        let Some(f) = functions.iter().find(|f| f.sig.ident == rule.function) else {
            return Err(config(format!(
                "a parameter rule names function `{}`, which the header does not declare (or the allowlist leaves out)",
                rule.function
            )));
        };
        let names: Vec<String> = param_names(f);
        if !names.contains(&rule.param) {
            return Err(config(format!(
                "a parameter rule names `{}` of `{}`, which has no such parameter (it has: {})",
                rule.param,
                rule.function,
                names.join(", ")
            )));
        }
        if let ParamKind::Buffer { len: Some(len) } = &rule.kind {
            if !names.contains(len) {
                return Err(config(format!(
                    "the buffer `{}` of `{}` names its length `{len}`, which is not a parameter (it has: {})",
                    rule.param,
                    rule.function,
                    names.join(", ")
                )));
            }
        }
    }
    for r in &opts.return_cstr {
        if !functions.iter().any(|f| f.sig.ident == *r) {
            return Err(config(format!(
                "`return_cstr` names function `{r}`, which the header does not declare (or the allowlist leaves out)"
            )));
        }
    }
    Ok(())
}
