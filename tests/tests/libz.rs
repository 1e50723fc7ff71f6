//! The system's zlib, found by name (`"z"`): a returned `&CStr`, `inout`
//! lengths with `&mut [u8]`/`&[u8]` buffers, return codes as a
//! `define_c_enum!` enum, and checksums compared with Rust implementations.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks
)]

#[macro_use]
mod rerun;

use alien::{define_c_enum, define_c_function, CallError};
use std::ffi::{c_int, c_uint, c_ulong, CStr};

define_c_enum! {
    /// zlib's return codes.
    #[repr(c_int)]
    pub enum ZStatus {
        Ok = 0,
        StreamEnd = 1,
        NeedDict = 2,
        Errno = -1,
        StreamError = -2,
        DataError = -3,
        MemError = -4,
        BufError = -5,
        VersionError = -6,
    }
}

define_c_function! {
    #![library("z")]
    pub fn zlibVersion() -> &CStr;
    pub fn compressBound(source_len: c_ulong) -> c_ulong;
    /// The lengths are the slices' (the wrapper passes them); `dest_len`
    /// comes back as the bytes written.
    pub fn compress(
        dest: &mut [u8], inout dest_len: c_ulong = dest.len(), source: &[u8], source_len: c_ulong = source.len(),
    ) -> ZStatus;
    pub fn compress2(
        dest: &mut [u8], inout dest_len: c_ulong = dest.len(), source: &[u8], source_len: c_ulong = source.len(),
        level: c_int,
    ) -> ZStatus;
    pub fn uncompress(
        dest: &mut [u8], inout dest_len: c_ulong = dest.len(), source: &[u8], source_len: c_ulong = source.len(),
    ) -> ZStatus;
    pub fn crc32(crc: c_ulong, buf: &[u8], len: c_uint = buf.len()) -> c_ulong;
    pub fn adler32(adler: c_ulong, buf: &[u8], len: c_uint = buf.len()) -> c_ulong;
    /// The raw code, to compare with the enum's conversion. Untied lengths:
    /// C trusts them, so the declaration is `unsafe`.
    pub unsafe fn compress_raw(dest: &mut [u8], inout dest_len: c_ulong, source: &[u8], source_len: c_ulong) -> c_int = "compress";
}

lazy_mode_tests!();

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), table-driven.
fn crc32_rust(crc: u32, data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    let mut c = !crc;
    for &b in data {
        c = table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// Adler-32.
fn adler32_rust(adler: u32, data: &[u8]) -> u32 {
    let (mut a, mut b) = (adler & 0xffff, adler >> 16);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

/// About 300 KiB of text-like data: words picked by an LCG (compressible,
/// but not trivially).
fn sample_data() -> &'static [u8] {
    static DATA: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    DATA.get_or_init(make_sample_data)
}

fn make_sample_data() -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "alien ",
        "linkage ",
        "table ",
        "slot ",
        "lazy ",
        "stub ",
        "entry ",
        "symbol ",
        "library ",
        "zlib ",
        "deflate ",
        "inflate ",
        "window ",
        "huffman ",
        "\n",
        "0123456789 ",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut out = Vec::with_capacity(300 * 1024 + 16);
    while out.len() < 300 * 1024 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let word = WORDS[(state >> 60) as usize];
        out.extend_from_slice(word.as_bytes());
        // A random byte now and then keeps it from being too easy.
        if (state >> 20) & 0x3f == 0 {
            out.push((state >> 32) as u8);
        }
    }
    out.truncate(300 * 1024);
    out
}

#[test]
fn version_is_a_c_string() {
    let v = zlibVersion();
    let text = v.to_str().unwrap();
    assert!(text.starts_with("1."), "zlibVersion() = {text:?}");
    assert!(text.len() < 32);
    // The same static string every time.
    assert_eq!(zlibVersion().as_ptr(), v.as_ptr());
    assert_eq!(zlibVersion::try_call().unwrap(), v);
}

#[test]
fn compress_round_trip() {
    let data = sample_data();
    let n = data.len() as c_ulong;
    let bound = compressBound(n);
    assert!(bound >= n, "compressBound({n}) = {bound}");
    let mut packed = vec![0u8; bound as usize];
    let (status, packed_len) = compress(&mut packed, data);
    assert_eq!(status, ZStatus::Ok);
    assert!(
        packed_len > 100 && packed_len < n / 2,
        "compressed {n} to {packed_len}"
    );
    // The zlib header (deflate, 32K window).
    assert_eq!(packed[0], 0x78);
    assert_eq!((u16::from(packed[0]) << 8 | u16::from(packed[1])) % 31, 0);

    let mut unpacked = vec![0u8; data.len()];
    let (status, unpacked_len) = uncompress(&mut unpacked, &packed[..packed_len as usize]);
    assert_eq!(status, ZStatus::Ok);
    assert_eq!(unpacked_len, n);
    assert!(unpacked == data, "the round trip changed the data");

    // Levels: 9 is at least as good as 1, both decode to the same data.
    let mut fast = vec![0u8; bound as usize];
    let (s1, len1) = compress2(&mut fast, data, 1);
    let mut best = vec![0u8; bound as usize];
    let (s9, len9) = compress2(&mut best, data, 9);
    assert_eq!((s1, s9), (ZStatus::Ok, ZStatus::Ok));
    assert!(len9 <= len1, "level 9: {len9}, level 1: {len1}");
    let mut again = vec![0u8; data.len()];
    assert_eq!(
        uncompress(&mut again, &fast[..len1 as usize]),
        (ZStatus::Ok, n)
    );
    assert!(again == data);
}

#[test]
fn small_destination_is_buf_error() {
    let data = sample_data();
    let n = data.len() as c_ulong;
    let mut tiny = [0u8; 16];
    let (status, _) = compress(&mut tiny, data);
    assert_eq!(status, ZStatus::BufError);
    // SAFETY: the lengths are the slices' own.
    let (raw, _) = unsafe { compress_raw(&mut tiny, 16, data, n) };
    assert_eq!(raw, -5);
    assert_eq!(ZStatus::BufError.to_c(), -5);
    assert_eq!(ZStatus::from_c(-5), Some(ZStatus::BufError));

    // Decompressing into one byte too few.
    let bound = compressBound(n);
    let mut packed = vec![0u8; bound as usize];
    let (status, packed_len) = compress(&mut packed, data);
    assert_eq!(status, ZStatus::Ok);
    let mut short = vec![0u8; data.len() - 1];
    let (status, _) = uncompress(&mut short, &packed[..packed_len as usize]);
    assert_eq!(status, ZStatus::BufError);
}

#[test]
fn corrupt_input_is_data_error() {
    let garbage = [0x78u8, 0x9c, 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37, 0x42];
    let mut out = [0u8; 64];
    let (status, _) = uncompress(&mut out, &garbage);
    assert_eq!(status, ZStatus::DataError);
    // Not a zlib header at all.
    let (status, _) = uncompress(&mut out, b"hello");
    assert_eq!(status, ZStatus::DataError);
    assert!(matches!(
        uncompress::try_call(&mut out, b"hello"),
        Ok((ZStatus::DataError, _))
    ));
}

#[test]
fn checksums_match_rust() {
    let data = sample_data();
    assert_eq!(crc32(0, b""), 0);
    assert_eq!(crc32(0, b"123456789"), 0xcbf4_3926); // the standard check value
    let whole = crc32(0, data);
    assert_eq!(whole, c_ulong::from(crc32_rust(0, data)));
    // Incremental equals whole.
    let (a, b) = data.split_at(12_345);
    let part = crc32(crc32(0, a), b);
    assert_eq!(part, whole);
    // A sub-slice: its length is what C is told.
    assert_eq!(
        crc32(0, &data[..100]),
        c_ulong::from(crc32_rust(0, &data[..100]))
    );

    assert_eq!(adler32(1, b"Wikipedia"), 0x11e6_0398);
    assert_eq!(adler32(1, data), c_ulong::from(adler32_rust(1, data)));
}

define_c_enum! {
    /// Only two of zlib's codes: any other is an error, not UB.
    #[repr(c_int)]
    pub enum OnlyOk { Ok = 0, StreamEnd = 1 }
}

define_c_function! {
    #![library("z")]
    pub fn compress_only_ok(
        dest: &mut [u8], inout dest_len: c_ulong = dest.len(), source: &[u8], source_len: c_ulong = source.len(),
    ) -> OnlyOk = "compress";
}

#[test]
fn an_unlisted_code_is_a_result_error() {
    let data = sample_data();
    let mut tiny = [0u8; 8];
    let err = compress_only_ok::try_call(&mut tiny, data).unwrap_err();
    match &err {
        CallError::Result { function, source } => {
            assert_eq!(*function, "compress_only_ok");
            assert_eq!(
                *source,
                alien::MarshalError::UnknownEnumValue {
                    type_name: "OnlyOk",
                    value: -5
                }
            );
        }
        other => panic!("expected CallError::Result, got {other:?}"),
    }
    let text = rerun::expect_panic(|| compress_only_ok(&mut tiny, data));
    assert!(text.contains("OnlyOk") && text.contains("-5"), "{text}");
    let mut big = vec![0u8; 400 * 1024];
    assert_eq!(compress_only_ok(&mut big, data).0, OnlyOk::Ok);
}
