//! The parser: its state, tokens and errors (declarations and what each
//! registers are in `declaration`, specifiers and tag bodies in
//! `specifiers`, declarators in `declarator`).

use super::ctype::{Aggregate, CType, FuncType, TagKind, HOLE, MAX_DEPTH, MAX_SPELLING};
use super::error::{CdefError, Location};
use super::lexer::{lex, Tok, Token};
use super::registry::{Ordinary, Scope, TagBody, TagEntry, View, Why};
use super::FunctionDecl;
use crate::abi::{Signature, Type};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

mod declaration;
mod declarator;
mod specifiers;
mod tags;

/// How deep parentheses, declarators and bodies may nest.
const MAX_NESTING: usize = 64;

/// Words that are never names.
const KEYWORDS: &[&str] = &[
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "_Alignas",
    "_Alignof",
    "_Atomic",
    "_Bool",
    "_Complex",
    "_Generic",
    "_Imaginary",
    "_Noreturn",
    "_Static_assert",
    "_Thread_local",
    "alignas",
    "alignof",
    "static_assert",
    "thread_local",
    "typeof",
    "typeof_unqual",
    "constexpr",
    "nullptr",
    "__attribute__",
    "__attribute",
    "__asm__",
    "__asm",
    "asm",
    "__extension__",
    "__inline",
    "__inline__",
    "__restrict",
    "__restrict__",
    "__const",
    "__const__",
    "__volatile",
    "__volatile__",
    "__signed",
    "__signed__",
    "__int128",
    "__typeof__",
    "__typeof",
    "__alignof__",
    "__alignof",
    "__declspec",
    "__complex__",
    "_Float128",
    "__float128",
    "_Float16",
    "__fp16",
    "_Float32",
    "_Float64",
    "_Float32x",
    "_Float64x",
    "_Decimal32",
    "_Decimal64",
    "_Decimal128",
    "__thread",
    "_Nonnull",
    "_Nullable",
    "_Null_unspecified",
    "__cdecl",
];

/// Basic type specifier words (spelled canonically).
const TYPE_WORDS: &[&str] = &[
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool",
    "_Complex", "__int128",
];

/// Qualifiers, ignored.
const QUALIFIERS: &[&str] = &[
    "const",
    "__const",
    "__const__",
    "volatile",
    "__volatile",
    "__volatile__",
    "restrict",
    "__restrict",
    "__restrict__",
    "_Nonnull",
    "_Nullable",
    "_Null_unspecified",
    "__cdecl",
];

/// Attributes that change a layout.
const LAYOUT_ATTRIBUTES: &[&str] = &[
    "packed",
    "aligned",
    "vector_size",
    "mode",
    "ms_struct",
    "scalar_storage_order",
];

fn is_keyword(w: &str) -> bool {
    KEYWORDS.contains(&w)
}

/// The canonical word for a type specifier keyword.
fn type_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "__signed" | "__signed__" => "signed",
        "__complex__" => "_Complex",
        "_Float32" => "float",
        "_Float64" | "_Float32x" => "double",
        w => return TYPE_WORDS.iter().find(|t| **t == w).copied(),
    })
}

/// Floating types of GCC the model has not.
fn exotic_type(w: &str) -> Option<(&'static str, (usize, usize))> {
    Some(match w {
        "_Float128" | "__float128" => ("_Float128", (16, 16)),
        "_Float64x" => ("long double", (16, 16)),
        "_Float16" | "__fp16" => ("_Float16", (2, 2)),
        "_Decimal32" => ("_Decimal32", (4, 4)),
        "_Decimal64" => ("_Decimal64", (8, 8)),
        "_Decimal128" => ("_Decimal128", (16, 16)),
        _ => return None,
    })
}

static ORIGINS: AtomicU64 = AtomicU64::new(1);

/// Where specifiers are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Top,
    Member,
    Param,
    TypeName,
}

/// Whether a declarator has a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    Required,
    Optional,
    Abstract,
}

/// Declaration specifiers.
#[derive(Debug, Clone)]
struct Spec {
    ty: CType,
    typedef: bool,
    /// `static` or `inline`: a body may follow and is skipped.
    internal: bool,
    is_const: bool,
    /// An untagged struct or union was defined here.
    anon_aggregate: bool,
    pos: usize,
}

/// One step from a base type outwards.
#[derive(Debug, Clone)]
enum Deriv {
    Pointer,
    Array(Option<usize>),
    Func(Params),
}

#[derive(Debug, Clone, Default)]
struct Params {
    types: Vec<CType>,
    names: Vec<Option<String>>,
    positions: Vec<usize>,
    variadic: bool,
}

/// A declarator: its name, and the derivations to apply to the base type,
/// innermost (closest to the base) first.
#[derive(Debug, Clone)]
struct Declarator {
    name: Option<(String, usize)>,
    derivs: Vec<Deriv>,
    /// Where the name is or would be.
    hole: usize,
}

/// A parse over one text, adding to `staged` what it declares over `base`.
#[derive(Debug)]
pub(super) struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    base: &'a Scope,
    pub staged: Scope,
    depth: usize,
    origin: u64,
    /// In single-function mode, the functions declared (not registered).
    capture: Option<Vec<FunctionDecl>>,
}

type Res<T> = Result<T, CdefError>;

impl<'a> Parser<'a> {
    pub(super) fn new(base: &'a Scope, src: &'a str) -> Res<Parser<'a>> {
        Ok(Parser {
            src,
            toks: lex(src)?,
            pos: 0,
            base,
            staged: Scope::default(),
            depth: 0,
            origin: ORIGINS.fetch_add(1, Ordering::Relaxed),
            capture: None,
        })
    }

    /// Parses other text with what this parse declared so far.
    pub(super) fn retarget(&mut self, src: &'a str) -> Res<()> {
        self.toks = lex(src)?;
        self.src = src;
        self.pos = 0;
        Ok(())
    }

    pub(super) fn view(&self) -> View<'_> {
        View {
            staged: &self.staged,
            base: self.base,
        }
    }

    // ---- tokens ----

    pub(super) fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Token {
        let i = self.pos.saturating_add(n).min(self.toks.len() - 1);
        &self.toks[i]
    }

    pub(super) fn bump(&mut self) {
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
    }

    pub(super) fn at_eof(&self) -> bool {
        self.peek().tok == Tok::Eof
    }

    pub(super) fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek().tok, Tok::Punct(q) if q == p)
    }

    pub(super) fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.is_punct(p);
        if yes {
            self.bump();
        }
        yes
    }

    pub(super) fn expect_punct(&mut self, p: &str, expected: &str) -> Res<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.expected(expected))
        }
    }

    fn word(&self) -> Option<&str> {
        match &self.peek().tok {
            Tok::Ident(w) => Some(w),
            _ => None,
        }
    }

    fn word_at(&self, n: usize) -> Option<&str> {
        match &self.peek_at(n).tok {
            Tok::Ident(w) => Some(w),
            _ => None,
        }
    }

    pub(super) fn loc(&self, at: usize) -> Location {
        Location::at(self.src, at)
    }

    /// How the current token reads in a message.
    fn found(&self) -> String {
        self.describe(self.peek())
    }

    /// How the token at or after byte `at` reads in a message.
    fn found_at(&self, at: usize) -> String {
        let i = self
            .toks
            .iter()
            .position(|t| t.start >= at)
            .unwrap_or(self.toks.len() - 1);
        self.describe(&self.toks[i])
    }

    fn describe(&self, t: &Token) -> String {
        let text = self.src.get(t.start..t.end).unwrap_or("");
        let text: String = if text.chars().count() > 32 {
            text.chars().take(32).chain("...".chars()).collect()
        } else {
            text.to_owned()
        };
        match &t.tok {
            Tok::Eof => "end of input".to_owned(),
            Tok::Ident(w) if !is_keyword(w) => format!("identifier '{text}'"),
            Tok::Str(_) => format!("string literal {text}"),
            Tok::Int(_) | Tok::Float => format!("number {text}"),
            _ => format!("'{text}'"),
        }
    }

    pub(super) fn expected(&self, expected: &str) -> CdefError {
        CdefError::Syntax {
            at: self.loc(self.peek().start),
            expected: expected.to_owned(),
            found: self.found(),
        }
    }

    pub(super) fn invalid(&self, at: usize, message: String) -> CdefError {
        CdefError::Invalid {
            at: self.loc(at),
            message,
        }
    }

    fn unsupported(&self, at: usize, what: &str, reason: Option<&str>) -> CdefError {
        CdefError::Unsupported {
            at: self.loc(at),
            what: what.to_owned(),
            reason: reason.map(str::to_owned),
        }
    }

    /// Runs `f` one nesting level deeper, refusing past [`MAX_NESTING`].
    pub(super) fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Res<T>) -> Res<T> {
        if self.depth >= MAX_NESTING {
            return Err(self.invalid(
                self.peek().start,
                format!("nesting is deeper than {MAX_NESTING} levels"),
            ));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// An error for a type that cannot be used as `subject` (by value).
    pub(super) fn why_error(&self, why: Why, at: usize, subject: &str) -> CdefError {
        let at = self.loc(at);
        match why {
            Why::Void => CdefError::Invalid {
                at,
                message: format!("{subject} has type void"),
            },
            Why::Function => CdefError::Invalid {
                at,
                message: format!("{subject} has a function type (use a pointer to the function)"),
            },
            Why::Incomplete(t) => CdefError::Invalid {
                at,
                message: format!("{subject} has incomplete type '{t}'"),
            },
            Why::IncompleteArray => CdefError::Invalid {
                at,
                message: format!("{subject} is an array of unknown size"),
            },
            Why::Unsupported { what, reason } => CdefError::Unsupported { at, what, reason },
            Why::Type(error) => CdefError::Type {
                at,
                context: subject.to_owned(),
                error,
            },
            Why::TooDeep => CdefError::Invalid {
                at,
                message: format!("{subject} nests arrays and structs more than {MAX_DEPTH} deep"),
            },
            Why::Invalid(message) => CdefError::Invalid { at, message },
        }
    }
}
