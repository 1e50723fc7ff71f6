//! Errors of C declaration text: where (line, column, the line itself) and
//! what.

use crate::abi::TypeError;
use std::fmt;

/// A position in the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// The whole source line (without its line break).
    pub source_line: String,
}

impl Location {
    /// The location of byte `offset` of `src` (clamped to the text).
    pub(super) fn at(src: &str, offset: usize) -> Location {
        let mut offset = offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &src[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let line_end = src[offset..].find('\n').map_or(src.len(), |p| offset + p);
        let column = src[line_start..offset].chars().count() + 1;
        let source_line = src[line_start..line_end].trim_end_matches('\r').to_owned();
        Location {
            line,
            column,
            source_line,
        }
    }

    /// The source line and a caret under the column, each on its own line
    /// (long lines are shown as a window around the column).
    fn snippet(&self) -> String {
        const WIDTH: usize = 100;
        let chars: Vec<char> = self.source_line.chars().collect();
        let col = self.column.saturating_sub(1).min(chars.len());
        let (start, end) = if chars.len() <= WIDTH {
            (0, chars.len())
        } else {
            let start = col.saturating_sub(WIDTH / 2).min(chars.len() - WIDTH);
            (start, start + WIDTH)
        };
        let mut text = String::new();
        let mut caret = String::new();
        if start > 0 {
            text.push_str("...");
            caret.push_str("   ");
        }
        text.extend(&chars[start..end]);
        if end < chars.len() {
            text.push_str("...");
        }
        for c in &chars[start..col] {
            caret.push(if *c == '\t' { '\t' } else { ' ' });
        }
        caret.push('^');
        format!("    {text}\n    {caret}")
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Why C declaration text was not accepted.
///
/// Its `Display` is `line:column: message`, then the source line with a caret
/// under the column.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CdefError {
    /// Malformed text: what the parser expected and what it found instead.
    Syntax {
        /// Where.
        at: Location,
        /// What would have been accepted (`"')' or ',' after parameter"`).
        expected: String,
        /// What was there (`"';'"`, `"identifier 'x'"`, `"end of input"`).
        found: String,
    },
    /// A name used as a type that is not a type name.
    UnknownType {
        /// Where.
        at: Location,
        /// The name.
        name: String,
        /// A suggestion (`"did you mean 'struct foo'?"`), if one fits.
        hint: Option<String>,
    },
    /// A name declared again in a conflicting way.
    Redefinition {
        /// Where (the second declaration).
        at: Location,
        /// The name.
        name: String,
        /// The whole message.
        message: String,
    },
    /// Valid C that alien's type model cannot represent.
    Unsupported {
        /// Where.
        at: Location,
        /// What (`"long double"`, `"union u by value"`).
        what: String,
        /// Why, when it is not obvious.
        reason: Option<String>,
    },
    /// The type model rejected a struct or a signature.
    Type {
        /// Where.
        at: Location,
        /// What was being built (`"function 'f'"`), possibly empty.
        context: String,
        /// The model's error.
        error: TypeError,
    },
    /// Otherwise invalid C: a `void` parameter, an incomplete type by value,
    /// a constant expression that overflows, a missing name...
    Invalid {
        /// Where.
        at: Location,
        /// The message.
        message: String,
    },
}

impl CdefError {
    /// Where the error is.
    pub fn location(&self) -> &Location {
        match self {
            CdefError::Syntax { at, .. }
            | CdefError::UnknownType { at, .. }
            | CdefError::Redefinition { at, .. }
            | CdefError::Unsupported { at, .. }
            | CdefError::Type { at, .. }
            | CdefError::Invalid { at, .. } => at,
        }
    }

    /// The message alone, without the location.
    pub fn message(&self) -> String {
        match self {
            CdefError::Syntax {
                expected, found, ..
            } => format!("expected {expected}, found {found}"),
            CdefError::UnknownType {
                name, hint: None, ..
            } => format!("unknown type name '{name}'"),
            CdefError::UnknownType {
                name,
                hint: Some(h),
                ..
            } => format!("unknown type name '{name}'; {h}"),
            CdefError::Redefinition { message, .. } | CdefError::Invalid { message, .. } => {
                message.clone()
            }
            CdefError::Unsupported {
                what, reason: None, ..
            } => format!("{what} is not supported"),
            CdefError::Unsupported {
                what,
                reason: Some(r),
                ..
            } => format!("{what} is not supported: {r}"),
            CdefError::Type { context, error, .. } if context.is_empty() => error.to_string(),
            CdefError::Type { context, error, .. } => format!("{context}: {error}"),
        }
    }
}

impl fmt::Display for CdefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.location();
        write!(f, "{at}: {}\n{}", self.message(), at.snippet())
    }
}

impl std::error::Error for CdefError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CdefError::Type { error, .. } => Some(error),
            _ => None,
        }
    }
}
