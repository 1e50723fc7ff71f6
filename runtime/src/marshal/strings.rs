//! String temporaries for calls, and character-set conversions.

use std::ffi::{c_char, CString};
use std::fmt;

/// A `&str` copied to a NUL-terminated temporary that lives for one call
/// (ILU's `string`).
#[derive(Debug)]
pub struct TempCString(CString);

impl TempCString {
    /// Copies `s`; an interior NUL is an error carrying its byte offset.
    pub fn new(s: &str) -> Result<TempCString, usize> {
        CString::new(s)
            .map(TempCString)
            .map_err(|e| e.nul_position())
    }

    /// The pointer to pass to C (valid while `self` lives).
    pub fn as_ptr(&self) -> *const c_char {
        self.0.as_ptr()
    }
}

/// A `&str` converted to NUL-terminated UTF-16 for one call (ILU's `unicode`).
#[derive(Debug)]
pub struct TempUtf16(Vec<u16>);

impl TempUtf16 {
    /// Encodes `s`; an interior NUL is an error carrying its byte offset in `s`.
    pub fn new(s: &str) -> Result<TempUtf16, usize> {
        if let Some(p) = s.find('\0') {
            return Err(p);
        }
        let mut v: Vec<u16> = s.encode_utf16().collect();
        v.push(0);
        Ok(TempUtf16(v))
    }

    /// The pointer to pass to C.
    pub fn as_ptr(&self) -> *const u16 {
        self.0.as_ptr()
    }
}

/// Decodes NUL-terminated (or whole) UTF-16 from C, replacing unpaired
/// surrogates with U+FFFD.
pub fn utf16_decode(units: &[u16]) -> String {
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    String::from_utf16_lossy(&units[..end])
}

/// A character that has no Latin-1 (ISO 8859-1) encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Latin1Error {
    /// The character.
    pub ch: char,
    /// Its byte offset in the input.
    pub position: usize,
}

impl fmt::Display for Latin1Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "character {:?} (U+{:04X}) at byte {} has no Latin-1 encoding",
            self.ch, self.ch as u32, self.position
        )
    }
}

impl std::error::Error for Latin1Error {}

/// Encodes text as Latin-1 bytes (one byte per character up to U+00FF).
pub fn latin1_encode(s: &str) -> Result<Vec<u8>, Latin1Error> {
    s.char_indices()
        .map(|(position, ch)| u8::try_from(u32::from(ch)).map_err(|_| Latin1Error { ch, position }))
        .collect()
}

/// Decodes Latin-1 bytes (every byte is a character).
pub fn latin1_decode(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}
