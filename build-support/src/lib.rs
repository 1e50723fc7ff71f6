//! `alien-build`: a `build.rs` helper that turns C headers into alien
//! declarations, and describes every prototype so that hand-written
//! declarations can be checked against the header when the crate compiles.
//!
//! ```no_run
//! // build.rs, in `fn main`:
//! alien_build::Builder::new()
//!     .header("zlib.h")
//!     .allowlist_function("compress.*|uncompress|crc32|zlibVersion")
//!     .allowlist_var("Z_.*")
//!     .library("z")
//!     .library_candidates(["libz.so.1"])
//!     .param_direction("compress", "destLen", alien_build::Direction::InOut)
//!     .write_to_out_dir_or_exit("zlib.rs");
//! ```
//!
//! ```text
//! // src/lib.rs
//! mod zlib { include!(concat!(env!("OUT_DIR"), "/zlib.rs")); }
//! ```
//!
//! bindgen reads the headers (libclang is loaded at run time: a missing
//! libclang is a [`BuildError::LibclangMissing`] that says what to install).
//! Types, structs, unions, typedefs and constants come through as bindgen
//! writes them; functions become `alien::define_c_function!` declarations,
//! global variables `alien::define_alien_variable!`, and the C enums picked
//! with [`Builder::c_enum`] `alien::define_c_enum!` enums — the same macros
//! a user writes, going through the same linkage table. The module
//! `prototypes` (see [`Builder::prototypes_module`]) describes every
//! prototype as a type (`pub type compress = unsafe extern "C" fn(..) -> c_int;`),
//! re-exports the constants and gives each struct's size and alignment; a
//! hand-written declaration marked `#[alien(checked = crate::zlib::prototypes)]`
//! fails to compile, at the declaration, when it disagrees with the header.

mod error;
mod helpers;
mod print;
mod translate;

pub use error::{BuildError, Diagnostic, INSTALL_LIBCLANG};

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How a pointer parameter is used (ILU's directions), for
/// [`Builder::param_direction`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Passed to C as it is (the default).
    In,
    /// C writes the pointee; the wrapper returns it after the result.
    Out,
    /// C reads and writes the pointee; the wrapper takes its initial value
    /// and returns what C left in it.
    InOut,
}

/// What a parameter is, beyond its C type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParamKind {
    Direction(Direction),
    /// `const char *` taken as `&str` (copied to a NUL-terminated temporary).
    String,
    /// `const char *` taken as `&CStr` (passed without copying).
    CStr,
    /// A byte buffer taken as `&[u8]` / `&mut [u8]`; `len` names the
    /// parameter that carries its length (documented on the declaration).
    Buffer {
        len: Option<String>,
    },
    /// A function pointer taken as `impl FnMut(..)`: a closure made into a
    /// C callback for the length of the call.
    Closure,
}

#[derive(Debug, Clone)]
pub(crate) struct ParamRule {
    pub function: String,
    pub param: String,
    pub kind: ParamKind,
}

/// Which declarations to emit and how; everything the translation needs
/// besides bindgen's output.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    pub library: Option<String>,
    pub candidates: Vec<String>,
    pub params: Vec<ParamRule>,
    pub return_cstr: Vec<String>,
    pub c_enums: Vec<regex::Regex>,
    pub safe_functions: Vec<regex::Regex>,
    pub errno_functions: Vec<regex::Regex>,
    pub declarations: bool,
    pub prototypes: Option<String>,
    pub headers: Vec<String>,
}

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

    /// Reads the headers and translates them.
    pub fn generate(self) -> Result<Bindings, BuildError> {
        let compile = |patterns: &[String]| -> Result<Vec<regex::Regex>, BuildError> {
            patterns
                .iter()
                .map(|p| {
                    regex::Regex::new(&format!("^(?:{p})$")).map_err(|source| BuildError::Regex {
                        pattern: p.clone(),
                        source,
                    })
                })
                .collect()
        };
        for (_, p) in self.allow.iter().chain(&self.block) {
            compile(std::slice::from_ref(p))?;
        }
        let options = Options {
            library: self.library.clone(),
            candidates: self.candidates.clone(),
            params: self.params.clone(),
            return_cstr: self.return_cstr.clone(),
            c_enums: compile(&self.c_enums)?,
            safe_functions: compile(&self.safe_functions)?,
            errno_functions: compile(&self.errno_functions)?,
            declarations: self.declarations,
            prototypes: self.prototypes.clone(),
            headers: self
                .headers
                .iter()
                .chain(self.header_contents.iter().map(|(n, _)| n))
                .cloned()
                .collect(),
        };
        let recorder = Recorder::default();
        let seen = recorder.seen.clone();
        let cargo_metadata = self.cargo_metadata;
        let raw = self.run_bindgen(recorder)?;
        let code = translate::translate(&raw, &options)?;
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        let mut env_vars: BTreeSet<String> = ["LIBCLANG_PATH", "CLANG_PATH", "LLVM_CONFIG_PATH"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        env_vars.extend(seen.env_vars);
        let bindings = Bindings {
            code,
            included_files: seen.files.into_iter().collect(),
            env_vars: env_vars.into_iter().collect(),
        };
        if cargo_metadata {
            bindings.emit_cargo_metadata();
        }
        Ok(bindings)
    }

    /// [`generate`](Self::generate), or print the error with its causes and
    /// exit with status 1 (the way to fail a build script without a panic's
    /// backtrace).
    pub fn generate_or_exit(self) -> Bindings {
        or_exit(self.generate())
    }

    /// Generates and writes the result to `$OUT_DIR/name` (only if it
    /// changed); returns the path.
    pub fn write_to_out_dir(self, name: impl AsRef<Path>) -> Result<PathBuf, BuildError> {
        let bindings = self.generate()?;
        bindings.write_to_out_dir(name)
    }

    /// [`write_to_out_dir`](Self::write_to_out_dir), or print the error with
    /// its causes and exit with status 1.
    pub fn write_to_out_dir_or_exit(self, name: impl AsRef<Path>) -> PathBuf {
        or_exit(self.write_to_out_dir(name))
    }

    fn run_bindgen(mut self, recorder: Recorder) -> Result<String, BuildError> {
        load_libclang()?;
        for h in &self.headers {
            let p = Path::new(h);
            // A bare name (`zlib.h`) is looked up on clang's include path.
            if p.components().count() > 1 || p.exists() {
                if !p.exists() {
                    return Err(BuildError::HeaderNotFound {
                        path: p.to_owned(),
                        reason: "does not exist",
                    });
                }
                if p.is_dir() {
                    return Err(BuildError::HeaderNotFound {
                        path: p.to_owned(),
                        reason: "is a directory, not a header",
                    });
                }
            }
        }
        let mut b = bindgen::Builder::default()
            .formatter(bindgen::Formatter::None)
            .ctypes_prefix("::core::ffi")
            .use_core()
            .generate_comments(true)
            .layout_tests(true)
            .derive_default(true)
            .disable_header_comment()
            .clang_args(self.clang_args.iter())
            .parse_callbacks(Box::new(recorder));
        if let Ok(target) = bindgen::RustTarget::stable(85, 0) {
            b = b.rust_target(target);
        }
        // A bare name is included from a generated top-level header, so
        // clang searches its include path for it.
        let mut includes = String::new();
        for h in &self.headers {
            let p = Path::new(h);
            if p.components().count() > 1 || p.exists() {
                b = b.header(h.clone());
            } else {
                includes.push_str(&format!("#include <{h}>\n"));
            }
        }
        if !includes.is_empty() {
            b = b.header_contents("alien-build-includes.h", &includes);
        }
        for (name, contents) in &self.header_contents {
            b = b.header_contents(name, contents);
        }
        if self.allow.is_empty() {
            // Without an allowlist, what the named headers declare
            // themselves (and the types that uses), not everything they
            // include.
            let names = self
                .headers
                .iter()
                .chain(self.header_contents.iter().map(|(n, _)| n));
            for h in names {
                let file = Path::new(h)
                    .file_name()
                    .map_or_else(|| h.clone(), |f| f.to_string_lossy().into_owned());
                b = b.allowlist_file(format!("(.*/)?{}", regex::escape(&file)));
            }
        }
        for (kind, p) in &self.allow {
            b = match kind {
                ListKind::Function => b.allowlist_function(p),
                ListKind::Var => b.allowlist_var(p),
                ListKind::Type => b.allowlist_type(p),
                ListKind::Item => b.allowlist_item(p),
                ListKind::File => b.allowlist_file(p),
            };
        }
        for (kind, p) in &self.block {
            b = match kind {
                ListKind::Function => b.blocklist_function(p),
                ListKind::Var => b.blocklist_var(p),
                ListKind::Type => b.blocklist_type(p),
                ListKind::Item => b.blocklist_item(p),
                ListKind::File => b.blocklist_file(p),
            };
        }
        for hook in self.hooks.drain(..) {
            b = hook(b);
        }
        let headers = self.headers.clone();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| b.generate()));
        match result {
            Ok(Ok(bindings)) => Ok(bindings.to_string()),
            Ok(Err(e)) => Err(bindgen_error(e, headers)),
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "bindgen panicked".to_owned());
                if message.contains("libclang") {
                    Err(BuildError::LibclangMissing { detail: message })
                } else {
                    Err(BuildError::Bindgen { message })
                }
            }
        }
    }
}

/// Loads libclang (once per thread, as bindgen needs it), or says what to
/// install.
fn load_libclang() -> Result<(), BuildError> {
    if clang_sys::is_loaded() {
        return Ok(());
    }
    clang_sys::load().map_err(|detail| BuildError::LibclangMissing { detail })
}

fn bindgen_error(e: bindgen::BindgenError, headers: Vec<String>) -> BuildError {
    match e {
        bindgen::BindgenError::ClangDiagnostic(text) => {
            let diagnostics = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(Diagnostic::parse)
                .collect();
            BuildError::Parse {
                headers,
                diagnostics,
            }
        }
        bindgen::BindgenError::NotExist(path) => BuildError::HeaderNotFound {
            path,
            reason: "does not exist",
        },
        bindgen::BindgenError::FolderAsHeader(path) => BuildError::HeaderNotFound {
            path,
            reason: "is a directory, not a header",
        },
        bindgen::BindgenError::InsufficientPermissions(path) => BuildError::HeaderNotFound {
            path,
            reason: "cannot be read (permissions)",
        },
        other => BuildError::Bindgen {
            message: other.to_string(),
        },
    }
}

/// Unwraps `result`, or prints the error with its causes on stderr and exits
/// with status 1.
pub fn or_exit<T>(result: Result<T, BuildError>) -> T {
    match result {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{}", e.report());
            std::process::exit(1);
        }
    }
}

/// What bindgen's callbacks saw.
#[derive(Debug, Default, Clone)]
struct Seen {
    files: BTreeSet<String>,
    env_vars: BTreeSet<String>,
}

#[derive(Debug, Default)]
struct Recorder {
    seen: Arc<Mutex<Seen>>,
}

impl bindgen::callbacks::ParseCallbacks for Recorder {
    fn header_file(&self, filename: &str) {
        if let Ok(mut s) = self.seen.lock() {
            s.files.insert(filename.to_owned());
        }
    }

    fn include_file(&self, filename: &str) {
        if let Ok(mut s) = self.seen.lock() {
            s.files.insert(filename.to_owned());
        }
    }

    fn read_env_var(&self, key: &str) {
        if let Ok(mut s) = self.seen.lock() {
            s.env_vars.insert(key.to_owned());
        }
    }
}

/// Generated declarations, ready to write.
#[derive(Debug, Clone)]
pub struct Bindings {
    code: String,
    included_files: Vec<String>,
    env_vars: Vec<String>,
}

impl Bindings {
    /// The generated Rust source.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Every header clang read (the ones named and everything they
    /// included), as `cargo:rerun-if-changed` lists them.
    pub fn included_files(&self) -> &[String] {
        &self.included_files
    }

    /// Every environment variable that influenced the result.
    pub fn env_vars(&self) -> &[String] {
        &self.env_vars
    }

    /// Prints `cargo:rerun-if-changed` for every included header and
    /// `cargo:rerun-if-env-changed` for every variable read.
    pub fn emit_cargo_metadata(&self) {
        for f in &self.included_files {
            // Headers given as text have no file to watch.
            if Path::new(f).exists() {
                println!("cargo:rerun-if-changed={f}");
            }
        }
        for v in &self.env_vars {
            println!("cargo:rerun-if-env-changed={v}");
        }
    }

    /// Writes the code to `path` unless the file already holds exactly it
    /// (so that nothing downstream rebuilds); returns whether it wrote.
    pub fn write_to_file(&self, path: impl AsRef<Path>) -> Result<bool, BuildError> {
        let path = path.as_ref();
        if std::fs::read_to_string(path).is_ok_and(|old| old == self.code) {
            return Ok(false);
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| BuildError::Io {
                path: dir.to_owned(),
                source,
            })?;
        }
        std::fs::write(path, &self.code).map_err(|source| BuildError::Io {
            path: path.to_owned(),
            source,
        })?;
        Ok(true)
    }

    /// Writes to `$OUT_DIR/name` (if changed); returns the path.
    pub fn write_to_out_dir(&self, name: impl AsRef<Path>) -> Result<PathBuf, BuildError> {
        let dir = std::env::var_os("OUT_DIR").ok_or(BuildError::Env { var: "OUT_DIR" })?;
        let path = PathBuf::from(dir).join(name);
        self.write_to_file(&path)?;
        Ok(path)
    }
}

impl fmt::Display for Bindings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}
