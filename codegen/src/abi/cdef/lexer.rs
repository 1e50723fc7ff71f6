//! Tokens of C declaration text. Comments and preprocessor lines (`#` first
//! on a line, with `\` continuations) are skipped.

use super::error::{CdefError, Location};

/// An integer literal with what its suffix and base say about its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct IntLit {
    /// The value (at most `u64::MAX`).
    pub value: u64,
    /// A `u` suffix.
    pub unsigned: bool,
    /// An `l` or `ll` suffix.
    pub long: bool,
    /// Written in decimal (which never makes it unsigned implicitly).
    pub decimal: bool,
}

/// A token's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    /// An identifier or a keyword.
    Ident(String),
    /// An integer constant.
    Int(IntLit),
    /// A floating constant (only ever an error in this grammar).
    Float,
    /// A character constant's value.
    Char(i64),
    /// A string literal's contents.
    Str(String),
    /// A punctuator.
    Punct(&'static str),
    /// The end of the text.
    Eof,
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    /// What it is.
    pub tok: Tok,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past it.
    pub end: usize,
}

/// Longest first, so that `...` wins over `.`.
const PUNCTS: &[&str] = &[
    "...", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "->", "++", "--", "(", ")", "[", "]",
    "{", "}", "*", ",", ";", "=", ":", "?", "+", "-", "~", "!", "/", "%", "&", "|", "^", "<", ">",
    ".",
];

fn error(src: &str, at: usize, message: String) -> CdefError {
    CdefError::Invalid {
        at: Location::at(src, at),
        message,
    }
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c == '$' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c == '$' || c.is_alphanumeric()
}

/// Splits `src` into tokens, the last being [`Tok::Eof`].
pub(super) fn lex(src: &str) -> Result<Vec<Token>, CdefError> {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0usize;
    let mut line_start = true;
    while let Some(c) = src[i..].chars().next() {
        let next = b.get(i + 1).copied();
        match c {
            '\n' => {
                line_start = true;
                i += 1;
            }
            ' ' | '\t' | '\r' | '\u{b}' | '\u{c}' => i += 1,
            '\\' if next == Some(b'\n') => i += 2,
            '\\' if next == Some(b'\r') && b.get(i + 2) == Some(&b'\n') => i += 3,
            '/' if next == Some(b'/') => {
                i = src[i..].find('\n').map_or(src.len(), |p| i + p);
            }
            '/' if next == Some(b'*') => match src[i + 2..].find("*/") {
                Some(p) => i = i + 2 + p + 2,
                None => return Err(error(src, i, "unterminated comment".to_owned())),
            },
            '#' if line_start => i = skip_directive(src, i),
            '#' => {
                return Err(error(
                    src,
                    i,
                    "unexpected '#' (a preprocessor directive must start a line)".to_owned(),
                ))
            }
            c if is_ident_start(c) => {
                let end = src[i..]
                    .char_indices()
                    .find(|&(_, c)| !is_ident_char(c))
                    .map_or(src.len(), |(p, _)| i + p);
                let word = &src[i..end];
                let quote = b.get(end).copied();
                if matches!(word, "L" | "u" | "U" | "u8") && matches!(quote, Some(b'\'' | b'"')) {
                    let (tok, after) = quoted(src, end, word)?;
                    toks.push(Token {
                        tok,
                        start: i,
                        end: after,
                    });
                    i = after;
                } else {
                    toks.push(Token {
                        tok: Tok::Ident(word.to_owned()),
                        start: i,
                        end,
                    });
                    i = end;
                }
                line_start = false;
            }
            '0'..='9' => {
                let end = number_end(src, i);
                toks.push(Token {
                    tok: number(src, i, end)?,
                    start: i,
                    end,
                });
                i = end;
                line_start = false;
            }
            '.' if next.is_some_and(|n| n.is_ascii_digit()) => {
                let end = number_end(src, i);
                toks.push(Token {
                    tok: Tok::Float,
                    start: i,
                    end,
                });
                i = end;
                line_start = false;
            }
            '\'' | '"' => {
                let (tok, after) = quoted(src, i, "")?;
                toks.push(Token {
                    tok,
                    start: i,
                    end: after,
                });
                i = after;
                line_start = false;
            }
            _ => {
                let Some(p) = PUNCTS.iter().find(|p| src[i..].starts_with(**p)) else {
                    return Err(error(src, i, format!("unexpected character {c:?}")));
                };
                toks.push(Token {
                    tok: Tok::Punct(p),
                    start: i,
                    end: i + p.len(),
                });
                i += p.len();
                line_start = false;
            }
        }
    }
    toks.push(Token {
        tok: Tok::Eof,
        start: src.len(),
        end: src.len(),
    });
    Ok(toks)
}

/// Skips a preprocessor line from its `#`, with its `\` continuations.
fn skip_directive(src: &str, mut i: usize) -> usize {
    loop {
        let Some(p) = src[i..].find('\n') else {
            return src.len();
        };
        let line = src[i..i + p].trim_end_matches('\r');
        i += p + 1;
        if !line.ends_with('\\') {
            return i;
        }
    }
}

/// The end of a preprocessing number starting at `i`.
fn number_end(src: &str, i: usize) -> usize {
    let b = src.as_bytes();
    let mut j = i;
    while j < b.len() {
        let c = b[j];
        let exponent_sign =
            (c == b'+' || c == b'-') && j > i && matches!(b[j - 1], b'e' | b'E' | b'p' | b'P');
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exponent_sign {
            j += 1;
        } else {
            break;
        }
    }
    j
}

/// An integer or floating constant from its text.
fn number(src: &str, start: usize, end: usize) -> Result<Tok, CdefError> {
    let text = &src[start..end];
    let bad = || error(src, start, format!("invalid number '{text}'"));
    let lower = text.to_ascii_lowercase();
    let (radix, body) = if let Some(rest) = lower.strip_prefix("0x") {
        if rest.contains('.') || rest.contains('p') {
            return Ok(Tok::Float);
        }
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else {
        if lower.contains('.') || lower.contains('e') {
            return Ok(Tok::Float);
        }
        if lower.len() > 1 && lower.starts_with('0') {
            (8, &lower[1..])
        } else {
            (10, lower.as_str())
        }
    };
    let digits_end = body
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(body.len());
    let (digits, suffix) = body.split_at(digits_end);
    if digits.is_empty() && radix != 8 {
        return Err(bad());
    }
    let (unsigned, long) = match suffix {
        "" => (false, false),
        "u" => (true, false),
        "l" | "ll" => (false, true),
        "ul" | "lu" | "ull" | "llu" => (true, true),
        _ => {
            if radix == 8 && suffix.starts_with(['8', '9']) {
                return Err(error(
                    src,
                    start,
                    format!("invalid digit in octal constant '{text}'"),
                ));
            }
            return Err(bad());
        }
    };
    let mut value: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix).ok_or_else(bad)?;
        value = value
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(d)))
            .ok_or_else(|| {
                error(
                    src,
                    start,
                    format!("integer constant '{text}' is too large"),
                )
            })?;
    }
    Ok(Tok::Int(IntLit {
        value,
        unsigned,
        long,
        decimal: radix == 10,
    }))
}

/// A character constant or string literal whose opening quote is at `i`
/// (after a `prefix` such as `L`). Returns it and the offset past it.
fn quoted(src: &str, i: usize, prefix: &str) -> Result<(Tok, usize), CdefError> {
    let b = src.as_bytes();
    let quote = b[i];
    let what = if quote == b'\'' {
        "character constant"
    } else {
        "string literal"
    };
    let mut units: Vec<u32> = Vec::new();
    let mut j = i + 1;
    loop {
        let Some(c) = src[j..].chars().next() else {
            return Err(error(src, i, format!("unterminated {what}")));
        };
        if c == '\n' {
            return Err(error(src, i, format!("unterminated {what}")));
        }
        if c as u32 == u32::from(quote) {
            j += 1;
            break;
        }
        if c != '\\' {
            if prefix.is_empty() || prefix == "u8" {
                let mut buf = [0u8; 4];
                units.extend(c.encode_utf8(&mut buf).bytes().map(u32::from));
            } else {
                units.push(c as u32);
            }
            j += c.len_utf8();
            continue;
        }
        let Some(e) = src[j + 1..].chars().next() else {
            return Err(error(src, i, format!("unterminated {what}")));
        };
        j += 1 + e.len_utf8();
        let unit = match e {
            'n' => 10,
            't' => 9,
            'r' => 13,
            'a' => 7,
            'b' => 8,
            'f' => 12,
            'v' => 11,
            'e' => 27,
            '\\' | '\'' | '"' | '?' => e as u32,
            '0'..='7' => {
                let mut v = e as u32 - '0' as u32;
                for _ in 0..2 {
                    match b.get(j) {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            j += 1;
                        }
                        _ => break,
                    }
                }
                v
            }
            'x' | 'u' | 'U' => {
                let max = match e {
                    'u' => 4,
                    'U' => 8,
                    _ => usize::MAX,
                };
                let mut v: u32 = 0;
                let mut n = 0;
                while n < max {
                    let Some(d) = b.get(j).and_then(|d| char::from(*d).to_digit(16)) else {
                        break;
                    };
                    v = v
                        .checked_mul(16)
                        .and_then(|v| v.checked_add(d))
                        .ok_or_else(|| error(src, i, "escape sequence out of range".to_owned()))?;
                    j += 1;
                    n += 1;
                }
                if n == 0 || (e != 'x' && n != max) {
                    return Err(error(src, i, format!("invalid escape sequence in {what}")));
                }
                v
            }
            _ => return Err(error(src, i, format!("unknown escape sequence '\\{e}'"))),
        };
        units.push(unit);
    }
    let start = i - prefix.len();
    if quote == b'"' {
        let s: String = if prefix.is_empty() || prefix == "u8" {
            let bytes: Vec<u8> = units.iter().map(|&u| u as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            units
                .iter()
                .map(|&u| char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        };
        return Ok((Tok::Str(s), j));
    }
    let value = match units.as_slice() {
        [] => return Err(error(src, start, "empty character constant".to_owned())),
        [u] => *u,
        _ => {
            return Err(error(
                src,
                start,
                "multi-character constants are not supported".to_owned(),
            ))
        }
    };
    let value = match prefix {
        // Plain `char` is signed on x86-64.
        "" | "u8" if value > 0xff => {
            return Err(error(
                src,
                start,
                "character constant out of range".to_owned(),
            ))
        }
        "" => i64::from(value as u8 as i8),
        "u" if value > 0xffff => {
            return Err(error(
                src,
                start,
                "character constant out of range".to_owned(),
            ))
        }
        // `wchar_t` is a signed 32-bit int.
        "L" => i64::from(value as i32),
        _ => i64::from(value),
    };
    Ok((Tok::Char(value), j))
}
