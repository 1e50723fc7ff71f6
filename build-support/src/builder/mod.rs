//! The [`Builder`]: what to read and how to translate it, set the way
//! `bindgen::Builder` is set.

mod bindgen_run;
mod generate;

use crate::options::{Direction, ParamKind, ParamRule};
use std::fmt;

/// A `configure_bindgen` hook.
type BindgenHook = Box<dyn FnOnce(bindgen::Builder) -> bindgen::Builder>;

/// Generates alien declarations from C headers; configure it like
/// `bindgen::Builder`, then [`generate`](Self::generate) or
/// [`write_to_out_dir`](Self::write_to_out_dir).
pub struct Builder {
    headers: Vec<String>,
    header_contents: Vec<(String, String)>,
    clang_args: Vec<String>,
    allow: Vec<(ListKind, String)>,
    block: Vec<(ListKind, String)>,
    library: Option<String>,
    candidates: Vec<String>,
    params: Vec<ParamRule>,
    return_cstr: Vec<String>,
    c_enums: Vec<String>,
    safe_functions: Vec<String>,
    wrapped_functions: Vec<String>,
    errno_functions: Vec<String>,
    declarations: bool,
    prototypes: Option<String>,
    cargo_metadata: bool,
    hooks: Vec<BindgenHook>,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("headers", &self.headers)
            .field("clang_args", &self.clang_args)
            .field("allow", &self.allow)
            .field("block", &self.block)
            .field("library", &self.library)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// Which of bindgen's allowlists or blocklists a pattern goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Function,
    Var,
    Type,
    Item,
    File,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// A builder with no headers; declarations and the `prototypes` module
    /// are emitted, and cargo directives printed.
    pub fn new() -> Builder {
        Builder {
            headers: Vec::new(),
            header_contents: Vec::new(),
            clang_args: Vec::new(),
            allow: Vec::new(),
            block: Vec::new(),
            library: None,
            candidates: Vec::new(),
            params: Vec::new(),
            return_cstr: Vec::new(),
            c_enums: Vec::new(),
            safe_functions: Vec::new(),
            wrapped_functions: Vec::new(),
            errno_functions: Vec::new(),
            declarations: true,
            prototypes: Some("prototypes".to_owned()),
            cargo_metadata: true,
            hooks: Vec::new(),
        }
    }

    /// A header to read: a path, or a system header found on clang's include
    /// path (`"zlib.h"`). Several headers are read as one translation unit.
    pub fn header(mut self, header: impl Into<String>) -> Builder {
        self.headers.push(header.into());
        self
    }

    /// A header given as text, named `name` in diagnostics.
    pub fn header_contents(
        mut self,
        name: impl Into<String>,
        contents: impl Into<String>,
    ) -> Builder {
        self.header_contents.push((name.into(), contents.into()));
        self
    }

    /// An argument for clang (`-I...`, `-DNAME=1`, `--target=...`).
    pub fn clang_arg(mut self, arg: impl Into<String>) -> Builder {
        self.clang_args.push(arg.into());
        self
    }

    /// Several arguments for clang.
    pub fn clang_args<I: IntoIterator>(mut self, args: I) -> Builder
    where
        I::Item: Into<String>,
    {
        self.clang_args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Emit only the functions matching `regex` (and what they use).
    pub fn allowlist_function(mut self, regex: impl Into<String>) -> Builder {
        self.allow.push((ListKind::Function, regex.into()));
        self
    }

    /// Emit only the variables and constants matching `regex`.
    pub fn allowlist_var(mut self, regex: impl Into<String>) -> Builder {
        self.allow.push((ListKind::Var, regex.into()));
        self
    }

    /// The same as [`allowlist_var`](Self::allowlist_var): bindgen treats
    /// constants (`#define`s and `const` globals) as variables.
    pub fn allowlist_constant(self, regex: impl Into<String>) -> Builder {
        self.allowlist_var(regex)
    }

    /// Emit only the types matching `regex` (and what they use).
    pub fn allowlist_type(mut self, regex: impl Into<String>) -> Builder {
        self.allow.push((ListKind::Type, regex.into()));
        self
    }

    /// Emit only the items (of any kind) matching `regex`.
    pub fn allowlist_item(mut self, regex: impl Into<String>) -> Builder {
        self.allow.push((ListKind::Item, regex.into()));
        self
    }

    /// Emit only what is declared in the files matching `regex`.
    pub fn allowlist_file(mut self, regex: impl Into<String>) -> Builder {
        self.allow.push((ListKind::File, regex.into()));
        self
    }

    /// Leave out the functions matching `regex`.
    pub fn blocklist_function(mut self, regex: impl Into<String>) -> Builder {
        self.block.push((ListKind::Function, regex.into()));
        self
    }

    /// Leave out the variables and constants matching `regex`.
    pub fn blocklist_var(mut self, regex: impl Into<String>) -> Builder {
        self.block.push((ListKind::Var, regex.into()));
        self
    }

    /// Leave out the types matching `regex`.
    pub fn blocklist_type(mut self, regex: impl Into<String>) -> Builder {
        self.block.push((ListKind::Type, regex.into()));
        self
    }

    /// Leave out the items (of any kind) matching `regex`.
    pub fn blocklist_item(mut self, regex: impl Into<String>) -> Builder {
        self.block.push((ListKind::Item, regex.into()));
        self
    }

    /// Leave out what is declared in the files matching `regex`.
    pub fn blocklist_file(mut self, regex: impl Into<String>) -> Builder {
        self.block.push((ListKind::File, regex.into()));
        self
    }

    /// The library the functions and variables come from (`"z"` for
    /// `libz.so`): the block's `#![library("z")]`. Without it, symbols are
    /// looked up in the process's global scope.
    pub fn library(mut self, name: impl Into<String>) -> Builder {
        self.library = Some(name.into());
        self
    }

    /// File names tried first when opening the library (`"libz.so.1"`).
    pub fn library_candidates<I: IntoIterator>(mut self, names: I) -> Builder
    where
        I::Item: Into<String>,
    {
        self.candidates.extend(names.into_iter().map(Into::into));
        self
    }

    /// Says how `function` uses its pointer parameter `param`: `Out` or
    /// `InOut` turn `T *param` into `out param: T` / `inout param: T`.
    pub fn param_direction(mut self, function: &str, param: &str, direction: Direction) -> Builder {
        self.params.push(ParamRule {
            function: function.to_owned(),
            param: param.to_owned(),
            kind: ParamKind::Direction(direction),
        });
        self
    }

    /// Takes the `const char *` parameter as `&str` (copied to a
    /// NUL-terminated temporary; an interior NUL is an error).
    pub fn param_string(mut self, function: &str, param: &str) -> Builder {
        self.params.push(ParamRule {
            function: function.to_owned(),
            param: param.to_owned(),
            kind: ParamKind::String,
        });
        self
    }

    /// Takes the `const char *` parameter as `&CStr` (passed as it is).
    pub fn param_cstr(mut self, function: &str, param: &str) -> Builder {
        self.params.push(ParamRule {
            function: function.to_owned(),
            param: param.to_owned(),
            kind: ParamKind::CStr,
        });
        self
    }

    /// Takes a byte pointer (`const void *`, `unsigned char *`, ...) as
    /// `&[u8]` (or `&mut [u8]` for a non-`const` one); `len` names the
    /// parameter that carries its length, which is tied to the slice
    /// (`len: T = param.len()`: the wrapper passes the slice's length, so
    /// [`safe_function`](Self::safe_function) may declare it safe). An empty
    /// `len` leaves the length to C (the declaration must stay `unsafe`).
    pub fn param_buffer(mut self, function: &str, param: &str, len: &str) -> Builder {
        self.params.push(ParamRule {
            function: function.to_owned(),
            param: param.to_owned(),
            kind: ParamKind::Buffer {
                len: (!len.is_empty()).then(|| len.to_owned()),
            },
        });
        self
    }

    /// Takes the function-pointer parameter as `impl FnMut(..)`: a Rust
    /// closure made into a C callback for the length of the call.
    pub fn param_closure(mut self, function: &str, param: &str) -> Builder {
        self.params.push(ParamRule {
            function: function.to_owned(),
            param: param.to_owned(),
            kind: ParamKind::Closure,
        });
        self
    }

    /// Returns the function's `const char *` result as `&CStr` (NULL is an
    /// error at the call).
    pub fn return_cstr(mut self, function: &str) -> Builder {
        self.return_cstr.push(function.to_owned());
        self
    }

    /// Emits the C enums whose names match `regex` as `define_c_enum!`
    /// enums, used for the parameters and results of that type (a value C
    /// returns that has no variant is an error, never UB). Elsewhere (struct
    /// fields, constants, callbacks) the enum's integer type stands. Other
    /// enums stay bindgen's constants and integer typedef.
    pub fn c_enum(mut self, regex: impl Into<String>) -> Builder {
        self.c_enums.push(regex.into());
        self
    }

    /// Declares the functions matching `regex` safe (`pub fn`) rather than
    /// `pub unsafe fn`, where their parameters allow it (no raw pointers
    /// left, not variadic). An error otherwise.
    pub fn safe_function(mut self, regex: impl Into<String>) -> Builder {
        self.safe_functions.push(regex.into());
        self
    }

    /// Declares the functions matching `regex` with Rust wrappers (a
    /// companion module with `try_call`, `entry`, `interpose_with`, ...; a
    /// panic in a callback during the call resumed at the caller) even where
    /// nothing needs marshalling. Other functions without parameter rules
    /// go in a bare block (`#![alien(bare)]`): C's prototypes with no Rust
    /// body, the cheapest to compile, reached through
    /// `alien::BareFunction`.
    pub fn wrapped_function(mut self, regex: impl Into<String>) -> Builder {
        self.wrapped_functions.push(regex.into());
        self
    }

    /// Adds `#[alien(errno)]` to the functions matching `regex`.
    pub fn errno_function(mut self, regex: impl Into<String>) -> Builder {
        self.errno_functions.push(regex.into());
        self
    }

    /// Whether to emit declarations (`define_c_function!`, ...). Without
    /// them the file holds the types and the `prototypes` module only, to
    /// check hand-written declarations against.
    pub fn declarations(mut self, yes: bool) -> Builder {
        self.declarations = yes;
        self
    }

    /// The name of the module describing the prototypes (`prototypes` by
    /// default); `None` leaves it out.
    pub fn prototypes_module(mut self, name: Option<&str>) -> Builder {
        self.prototypes = name.map(str::to_owned);
        self
    }

    /// Whether to print `cargo:rerun-if-changed` / `rerun-if-env-changed`
    /// (on by default; turn it off outside build scripts).
    pub fn emit_cargo_metadata(mut self, yes: bool) -> Builder {
        self.cargo_metadata = yes;
        self
    }

    /// Any other bindgen option: `hook` gets bindgen's builder after
    /// alien-build's settings.
    pub fn configure_bindgen(
        mut self,
        hook: impl FnOnce(bindgen::Builder) -> bindgen::Builder + 'static,
    ) -> Builder {
        self.hooks.push(Box::new(hook));
        self
    }
}
