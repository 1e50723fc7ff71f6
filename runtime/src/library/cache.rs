//! A reader for glibc's loader cache, `/etc/ld.so.cache`.
//!
//! Only the "new" format (magic `glibc-ld.so.cache`, version `1.1`) is
//! understood, optionally preceded by an old-format (`ld.so-1.7.0`) section,
//! as written by `ldconfig`. Layout, from glibc's `sysdeps/generic/ldconfig.h`
//! and `elf/cache.c` (all integers in host byte order):
//!
//! ```text
//! old section (optional):
//!   magic   [u8; 11] "ld.so-1.7.0", 1 byte padding
//!   nlibs   u32
//!   entries [nlibs] { flags: i32, key: u32, value: u32 }        12 bytes each
//!   padding to an 8-byte boundary
//! new section:
//!   magic   [u8; 17] "glibc-ld.so.cache"
//!   version [u8; 3]  "1.1"
//!   nlibs, len_strings: u32; flags: u8 (byte order); 3 bytes padding
//!   extension_offset: u32; unused: [u32; 3]                     48 bytes
//!   entries [nlibs] { flags: i32, key: u32, value: u32,
//!                     osversion: u32, hwcap: u64 }              24 bytes each
//!   strings (NUL-terminated; key/value offsets are relative to the start
//!            of the new section)
//! ```
//!
//! Every offset read from the file is bounds-checked; a malformed file gives
//! a [`CacheError`], never a panic.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::OnceLock;

/// Where glibc's loader cache lives.
pub const SYSTEM_CACHE_PATH: &str = "/etc/ld.so.cache";

/// Entry flags for an x86-64 ELF libc6 library: `FLAG_ELF_LIBC6 | FLAG_X8664_LIB64`.
pub const X86_64_LIBC6_FLAGS: i32 = FLAG_ELF_LIBC6 | FLAG_X8664_LIB64;

const FLAG_ELF_LIBC6: i32 = 0x0003;
const FLAG_X8664_LIB64: i32 = 0x0300;

const OLD_MAGIC: &[u8] = b"ld.so-1.7.0";
const OLD_HEADER_LEN: usize = 16;
const OLD_ENTRY_LEN: usize = 12;
const NEW_MAGIC: &[u8] = b"glibc-ld.so.cache";
const NEW_VERSION: &[u8] = b"1.1";
const NEW_HEADER_LEN: usize = 48;
const NEW_ENTRY_LEN: usize = 24;
const NEW_ALIGN: usize = 8;

/// Byte-order flag values in the new header (`cache_file_new.flags`).
const BYTE_ORDER_UNSET: u8 = 0;
const BYTE_ORDER_LITTLE: u8 = 2;

/// One library the loader cache knows, for this architecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    /// The library's soname, e.g. `libz.so.1`.
    pub soname: String,
    /// The file the loader would open for it, e.g. `/lib/x86_64-linux-gnu/libz.so.1`.
    pub path: String,
    /// Hardware-capability bits (non-zero for `glibc-hwcaps` variants).
    pub hwcap: u64,
}

/// The parsed loader cache: the x86-64 libc6 entries, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LdCache {
    entries: Vec<CacheEntry>,
}

impl LdCache {
    /// Parses a loader cache image. Entries for other architectures or ABIs
    /// (flags other than [`X86_64_LIBC6_FLAGS`]) and entries whose strings are
    /// not UTF-8 are left out.
    pub fn parse(bytes: &[u8]) -> Result<LdCache, CacheError> {
        let start = new_section_start(bytes)?;
        let data = bytes.get(start..).unwrap_or_default();
        if !data.starts_with(NEW_MAGIC) {
            return Err(if start == 0 {
                CacheError::BadMagic
            } else {
                CacheError::OldFormatOnly
            });
        }
        if data.len() < NEW_HEADER_LEN {
            return Err(CacheError::Truncated {
                what: "header",
                offset: start,
                needed: NEW_HEADER_LEN,
                len: bytes.len(),
            });
        }
        let version = &data[NEW_MAGIC.len()..NEW_MAGIC.len() + NEW_VERSION.len()];
        if version != NEW_VERSION {
            return Err(CacheError::UnsupportedVersion {
                version: String::from_utf8_lossy(version).into_owned(),
            });
        }
        let nlibs = read_u32(data, 20).unwrap_or(0) as usize;
        let byte_order = data[28];
        if byte_order != BYTE_ORDER_UNSET && byte_order != BYTE_ORDER_LITTLE {
            return Err(CacheError::ByteOrder { flag: byte_order });
        }
        let entries_len = nlibs.checked_mul(NEW_ENTRY_LEN);
        match entries_len.and_then(|n| n.checked_add(NEW_HEADER_LEN)) {
            Some(end) if end <= data.len() => {}
            _ => {
                return Err(CacheError::Truncated {
                    what: "entry table",
                    offset: start + NEW_HEADER_LEN,
                    needed: entries_len.unwrap_or(usize::MAX),
                    len: bytes.len(),
                })
            }
        }

        let mut entries = Vec::new();
        for index in 0..nlibs {
            let at = NEW_HEADER_LEN + index * NEW_ENTRY_LEN;
            let (Some(flags), Some(key), Some(value), Some(hwcap)) = (
                read_u32(data, at),
                read_u32(data, at + 4),
                read_u32(data, at + 8),
                read_u64(data, at + 16),
            ) else {
                // Unreachable after the length check above; treat as truncation.
                return Err(CacheError::Truncated {
                    what: "entry",
                    offset: start + at,
                    needed: NEW_ENTRY_LEN,
                    len: bytes.len(),
                });
            };
            if flags as i32 != X86_64_LIBC6_FLAGS {
                continue;
            }
            let soname = string_at(data, key).ok_or(CacheError::BadString {
                entry: index,
                field: "soname",
                offset: key,
            })?;
            let path = string_at(data, value).ok_or(CacheError::BadString {
                entry: index,
                field: "path",
                offset: value,
            })?;
            if let (Ok(soname), Ok(path)) = (std::str::from_utf8(soname), std::str::from_utf8(path))
            {
                entries.push(CacheEntry {
                    soname: soname.to_owned(),
                    path: path.to_owned(),
                    hwcap,
                });
            }
        }
        Ok(LdCache { entries })
    }

    /// Reads and parses the cache file at `path`.
    pub fn load(path: &Path) -> Result<LdCache, CacheError> {
        let bytes = std::fs::read(path).map_err(|source| CacheError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&bytes)
    }

    /// The system cache ([`SYSTEM_CACHE_PATH`]), read and parsed once per
    /// process; later calls return the same result.
    pub fn system() -> Result<&'static LdCache, &'static CacheError> {
        static SYSTEM: OnceLock<Result<LdCache, CacheError>> = OnceLock::new();
        SYSTEM
            .get_or_init(|| Self::load(Path::new(SYSTEM_CACHE_PATH)))
            .as_ref()
    }

    /// The x86-64 libc6 entries, in file order.
    pub fn entries(&self) -> &[CacheEntry] {
        &self.entries
    }

    /// The first entry whose soname is exactly `soname`.
    pub fn find(&self, soname: &str) -> Option<&CacheEntry> {
        self.entries.iter().find(|e| e.soname == soname)
    }
}

/// Where the new-format section begins: 0, or after an old-format section.
fn new_section_start(bytes: &[u8]) -> Result<usize, CacheError> {
    if bytes.starts_with(NEW_MAGIC) {
        return Ok(0);
    }
    if !bytes.starts_with(OLD_MAGIC) {
        return Err(CacheError::BadMagic);
    }
    let truncated = |needed| CacheError::Truncated {
        what: "old-format section",
        offset: 0,
        needed,
        len: bytes.len(),
    };
    let nlibs = read_u32(bytes, OLD_MAGIC.len() + 1).ok_or(truncated(OLD_HEADER_LEN))? as usize;
    let end = nlibs
        .checked_mul(OLD_ENTRY_LEN)
        .and_then(|n| n.checked_add(OLD_HEADER_LEN))
        .ok_or(truncated(usize::MAX))?;
    if end > bytes.len() {
        return Err(truncated(end));
    }
    let start = end
        .checked_next_multiple_of(NEW_ALIGN)
        .ok_or(truncated(usize::MAX))?;
    if start >= bytes.len() {
        return Err(CacheError::OldFormatOnly);
    }
    Ok(start)
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let raw = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_ne_bytes(raw.try_into().ok()?))
}

fn read_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let raw = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_ne_bytes(raw.try_into().ok()?))
}

/// The NUL-terminated string at `offset`, without the NUL; `None` when the
/// offset is out of bounds or no NUL follows it.
fn string_at(data: &[u8], offset: u32) -> Option<&[u8]> {
    let tail = data.get(usize::try_from(offset).ok()?..)?;
    let nul = tail.iter().position(|&b| b == 0)?;
    Some(&tail[..nul])
}

/// Why the loader cache could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum CacheError {
    /// The cache file could not be read.
    Read {
        /// The file that was read.
        path: String,
        /// The I/O error.
        source: io::Error,
    },
    /// The file starts with neither the new nor the old cache magic.
    BadMagic,
    /// The file has only an old-format (`ld.so-1.7.0`) section, which is not supported.
    OldFormatOnly,
    /// The new-format section has a version other than `1.1`.
    UnsupportedVersion {
        /// The version bytes found (lossily decoded).
        version: String,
    },
    /// The cache was written for another byte order (or the flag is invalid).
    ByteOrder {
        /// The header's byte-order flag.
        flag: u8,
    },
    /// A structure extends past the end of the file.
    Truncated {
        /// Which structure.
        what: &'static str,
        /// Where it starts in the file.
        offset: usize,
        /// How many bytes it needs.
        needed: usize,
        /// How long the file is.
        len: usize,
    },
    /// An entry's string offset is out of bounds or has no terminating NUL.
    BadString {
        /// Index of the entry in the new-format table.
        entry: usize,
        /// `"soname"` or `"path"`.
        field: &'static str,
        /// The offset found in the entry.
        offset: u32,
    },
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, .. } => write!(f, "cannot read loader cache {path}"),
            Self::BadMagic => f.write_str(
                "loader cache has neither the \"glibc-ld.so.cache\" nor the \"ld.so-1.7.0\" magic",
            ),
            Self::OldFormatOnly => f.write_str(
                "loader cache has only the old \"ld.so-1.7.0\" format, which is not supported",
            ),
            Self::UnsupportedVersion { version } => write!(
                f,
                "loader cache version {version:?} is not supported (expected \"1.1\")"
            ),
            Self::ByteOrder { flag } => write!(
                f,
                "loader cache byte-order flag is {flag}, expected 0 or 2 (little-endian)"
            ),
            Self::Truncated {
                what,
                offset,
                needed,
                len,
            } => write!(
                f,
                "loader cache is truncated: its {what} at offset {offset} needs {needed} bytes \
                 but the file has {len}"
            ),
            Self::BadString {
                entry,
                field,
                offset,
            } => write!(
                f,
                "loader cache entry {entry} has a {field} string offset {offset} \
                 outside the file or without a terminating NUL"
            ),
        }
    }
}

impl std::error::Error for CacheError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Builds a new-format cache image; offsets are relative to its start.
    fn build_new(entries: &[(i32, &str, &str)]) -> Vec<u8> {
        let table_end = NEW_HEADER_LEN + entries.len() * NEW_ENTRY_LEN;
        let mut strings = Vec::new();
        let mut offsets = Vec::new();
        for (_, soname, path) in entries {
            let key = table_end + strings.len();
            strings.extend_from_slice(soname.as_bytes());
            strings.push(0);
            let value = table_end + strings.len();
            strings.extend_from_slice(path.as_bytes());
            strings.push(0);
            offsets.push((key as u32, value as u32));
        }
        let mut out = Vec::new();
        out.extend_from_slice(NEW_MAGIC);
        out.extend_from_slice(NEW_VERSION);
        out.extend_from_slice(&(entries.len() as u32).to_ne_bytes());
        out.extend_from_slice(&(strings.len() as u32).to_ne_bytes());
        out.extend_from_slice(&[BYTE_ORDER_LITTLE, 0, 0, 0]);
        out.extend_from_slice(&[0; 16]);
        assert_eq!(out.len(), NEW_HEADER_LEN);
        for ((flags, _, _), (key, value)) in entries.iter().zip(&offsets) {
            out.extend_from_slice(&flags.to_ne_bytes());
            out.extend_from_slice(&key.to_ne_bytes());
            out.extend_from_slice(&value.to_ne_bytes());
            out.extend_from_slice(&0u32.to_ne_bytes());
            out.extend_from_slice(&0u64.to_ne_bytes());
        }
        out.extend_from_slice(&strings);
        out
    }

    fn sample() -> Vec<u8> {
        build_new(&[
            (
                X86_64_LIBC6_FLAGS,
                "libz.so.1",
                "/lib/x86_64-linux-gnu/libz.so.1",
            ),
            (0x0003, "libz.so.1", "/lib/i386-linux-gnu/libz.so.1"),
            (
                X86_64_LIBC6_FLAGS,
                "libm.so.6",
                "/lib/x86_64-linux-gnu/libm.so.6",
            ),
        ])
    }

    #[test]
    fn parses_new_format_and_keeps_x86_64_entries() {
        let cache = LdCache::parse(&sample()).unwrap();
        assert_eq!(cache.entries().len(), 2);
        assert_eq!(
            cache.find("libz.so.1").unwrap().path,
            "/lib/x86_64-linux-gnu/libz.so.1"
        );
        assert!(cache.find("libm.so.6").is_some());
    }

    #[test]
    fn parses_new_format_after_old_section() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(OLD_MAGIC);
        bytes.push(0);
        bytes.extend_from_slice(&1u32.to_ne_bytes());
        bytes.extend_from_slice(&[0; OLD_ENTRY_LEN]); // one old entry: 28 bytes
        bytes.resize(32, 0); // pad to 8
        let new = sample();
        bytes.extend_from_slice(&new);
        let cache = LdCache::parse(&bytes).unwrap();
        assert_eq!(cache, LdCache::parse(&new).unwrap());
    }

    #[test]
    fn old_section_without_new_is_rejected() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(OLD_MAGIC);
        bytes.push(0);
        bytes.extend_from_slice(&0u32.to_ne_bytes());
        assert!(matches!(
            LdCache::parse(&bytes),
            Err(CacheError::OldFormatOnly)
        ));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = sample();
        for len in 0..bytes.len() {
            // Cutting into the string table may still leave a parseable image
            // only if all strings survive; with the last NUL gone it must fail.
            assert!(
                LdCache::parse(&bytes[..len]).is_err(),
                "prefix of {len} bytes"
            );
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(matches!(LdCache::parse(&[]), Err(CacheError::BadMagic)));
        assert!(matches!(
            LdCache::parse(b"not a cache at all"),
            Err(CacheError::BadMagic)
        ));
        // Pseudo-random bytes behind both magics.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for round in 0..200 {
            let mut bytes: Vec<u8> = (0..(round * 7) % 300)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            let magic: &[u8] = if round % 2 == 0 { NEW_MAGIC } else { OLD_MAGIC };
            bytes.splice(0..0, magic.iter().copied());
            if round % 4 == 0 {
                bytes.splice(
                    NEW_MAGIC.len()..NEW_MAGIC.len(),
                    NEW_VERSION.iter().copied(),
                );
            }
            let _ = LdCache::parse(&bytes);
        }
    }

    #[test]
    fn huge_entry_count_is_truncation() {
        let mut bytes = sample();
        bytes[20..24].copy_from_slice(&u32::MAX.to_ne_bytes());
        assert!(matches!(
            LdCache::parse(&bytes),
            Err(CacheError::Truncated { .. })
        ));
    }

    #[test]
    fn out_of_bounds_string_offset_is_rejected() {
        let mut bytes = sample();
        let key_at = NEW_HEADER_LEN + 4;
        bytes[key_at..key_at + 4].copy_from_slice(&0xffff_fff0u32.to_ne_bytes());
        let err = LdCache::parse(&bytes).unwrap_err();
        assert!(matches!(err, CacheError::BadString { entry: 0, .. }));
        assert!(err.to_string().contains("soname string offset"));
    }

    #[test]
    fn bad_version_and_byte_order_are_rejected() {
        let mut bytes = sample();
        bytes[17..20].copy_from_slice(b"9.9");
        assert!(matches!(
            LdCache::parse(&bytes),
            Err(CacheError::UnsupportedVersion { .. })
        ));
        let mut bytes = sample();
        bytes[28] = 3;
        assert!(matches!(
            LdCache::parse(&bytes),
            Err(CacheError::ByteOrder { flag: 3 })
        ));
    }

    #[test]
    fn missing_file_is_a_read_error_with_source() {
        let err = LdCache::load(Path::new("/nonexistent/ld.so.cache")).unwrap_err();
        assert!(std::error::Error::source(&err).is_some());
        assert!(err.to_string().contains("/nonexistent/ld.so.cache"));
    }

    #[test]
    fn system_cache_knows_libc() {
        let cache = LdCache::system().unwrap();
        assert!(cache.find("libc.so.6").is_some());
    }
}
