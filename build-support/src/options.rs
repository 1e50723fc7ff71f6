//! What the translation is asked to do: the options a [`Builder`](crate::Builder)
//! hands it (its patterns compiled), and its rules about parameters.

/// How a pointer parameter is used (ILU's directions), for
/// [`Builder::param_direction`](crate::Builder::param_direction).
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

/// One parameter rule: what `param` of `function` is taken as.
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
    pub wrapped_functions: Vec<regex::Regex>,
    pub declarations: bool,
    pub prototypes: Option<String>,
    pub headers: Vec<String>,
}
