//! A tour of alien against real libraries: libm, libz and libc.
//!
//! Run it with `cargo run -p alien-examples --example tour` (add
//! `ALIEN_BIND=lazy` in front to resolve on first call instead of at
//! startup). Every figure it prints is computed by the C code it calls, and
//! checked against Rust where Rust can say what the answer should be.

use alien::{define_alien_variable, define_c_enum, define_c_function, foreign_procedure};
use std::error::Error;
use std::ffi::{c_char, c_int, c_long, c_uint, c_ulong, c_void, CStr};
use std::panic::{self, UnwindSafe};

// ---------------------------------------------------------------- libm ----

define_c_function! {
    #![library("m")]
    /// Splits `x` into a fraction in [0.5, 1) and a power of two.
    pub fn frexp(x: f64, out exp: c_int) -> f64;
    /// Splits `x` into its fractional and integral parts.
    pub fn modf(x: f64, out int_part: f64) -> f64;
    /// Sine and cosine at once (a GNU extension): no result, two `out`s.
    pub fn sincos(x: f64, out sin: f64, out cos: f64);
    pub fn pow(x: f64, y: f64) -> f64;
}

// C prototypes taken as they are (what alien-build emits for functions that
// need no marshalling): no Rust wrapper, a trampoline through the table.
define_c_function! {
    #![library("m")]
    #![alien(bare)]
    pub unsafe fn hypot(x: f64, y: f64) -> f64;
    pub unsafe fn ldexp(x: f64, exp: c_int) -> f64;
}

// ---------------------------------------------------------------- libz ----

define_c_enum! {
    /// zlib's return codes (`Z_OK`, `Z_BUF_ERROR`, ...).
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
    // The development symlink `libz.so` may be missing; the soname is not.
    #![library("z", candidates = ["libz.so.1"])]
    pub fn zlib_version() -> &CStr = "zlibVersion";
    pub fn compress_bound(source_len: c_ulong) -> c_ulong = "compressBound";
    /// The lengths are tied to the slices (the wrapper passes them, so they
    /// cannot disagree); `dest_len` goes in as the room in `dest` and comes
    /// back as the bytes used.
    pub fn compress(
        dest: &mut [u8], inout dest_len: c_ulong = dest.len(), source: &[u8], source_len: c_ulong = source.len(),
    ) -> ZStatus;
    pub fn uncompress(
        dest: &mut [u8], inout dest_len: c_ulong = dest.len(), source: &[u8], source_len: c_ulong = source.len(),
    ) -> ZStatus;
    pub fn crc32(crc: c_ulong, buf: &[u8], len: c_uint = buf.len()) -> c_ulong;
    /// No zlib has this: the program starts anyway.
    pub fn deflate_quantum(level: c_int) -> c_int = "deflateQuantum";
}

define_c_function! {
    // No library named: looked up in the global scope, and in libraries
    // loaded later with `alien::load_library`.
    pub fn adler32(adler: c_ulong, buf: &[u8], len: c_uint = buf.len()) -> c_ulong;
}

// ---------------------------------------------------------------- libc ----

/// C's `div_t`, passed by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, alien::CStruct)]
#[repr(C)]
pub struct DivT {
    pub quot: c_int,
    pub rem: c_int,
}

define_c_function! {
    // libc is in the process's global scope: no library needed.
    /// Quotient and remainder, returned as a struct.
    pub fn div(numerator: c_int, denominator: c_int) -> DivT;
    pub fn strlen(s: &str) -> usize;
    pub unsafe fn snprintf(buf: &mut [u8], size: usize, format: &CStr, ...) -> c_int;
    pub fn getenv(name: &str) -> Option<&CStr>;
    pub fn setenv(name: &str, value: &str, overwrite: c_int) -> c_int;
    #[alien(errno)]
    pub fn strtol(s: &CStr, out end: *mut c_char, base: c_int) -> c_long;
    #[alien(errno)]
    pub unsafe fn open(path: &str, flags: c_int, ...) -> c_int;
    pub fn tzset();
    /// The comparator is a Rust closure, made into a C function pointer for the call.
    pub unsafe fn qsort(
        base: *mut c_void,
        count: usize,
        size: usize,
        compare: impl FnMut(*const c_void, *const c_void) -> c_int,
    );
    /// Defined nowhere; the failure hook below supplies it.
    pub fn alien_tour_fallback(x: c_int) -> c_int;
}

define_alien_variable! {
    /// Seconds west of UTC, set by `tzset`.
    pub static timezone: c_long;
    /// Nonzero if the zone has daylight saving time, set by `tzset`.
    pub static daylight: c_int;
}

const O_RDONLY: c_int = 0;

fn main() -> Result<(), Box<dyn Error>> {
    println!("alien tour (binding mode: {:?})", alien::bind_mode());
    libm();
    libz()?;
    libc()?;
    missing_symbol();
    failure_hook_and_late_library()?;
    entries();
    callbacks();
    procedures();
    runtime_signatures()?;
    variables();
    linkage_table();
    Ok(())
}

fn section(title: &str) {
    println!("\n== {title} ==");
}

fn libm() {
    section("libm: out parameters");
    let (fraction, exp) = frexp(96.0);
    println!("frexp(96.0)        = ({fraction}, {exp})  i.e. {fraction} * 2^{exp}");
    assert_eq!(fraction * 2f64.powi(exp), 96.0);

    let (frac, int_part) = modf(-3.75);
    println!("modf(-3.75)        = ({frac}, {int_part})");
    assert_eq!(frac + int_part, -3.75);

    let x = std::f64::consts::FRAC_PI_6;
    let (s, c) = sincos(x);
    println!("sincos(pi/6)       = ({s:.15}, {c:.15})");
    assert!((s - x.sin()).abs() < 1e-15 && (c - x.cos()).abs() < 1e-15);

    let p = pow(2.0, 0.5);
    println!(
        "pow(2, 0.5)        = {p}  (Rust's sqrt(2): {})",
        2f64.sqrt()
    );

    // SAFETY: the prototypes are libm's.
    let (h, l) = unsafe { (hypot(5.0, 12.0), ldexp(0.75, 4)) };
    println!("hypot(5, 12)       = {h}   ldexp(0.75, 4) = {l}  (bare declarations)");
    assert_eq!((h, l), (13.0, 12.0));
    match alien::BareFunction::of(hypot as *const ()) {
        Ok(f) => {
            let row = f.info();
            let from = row.supplier_path.unwrap_or_default();
            println!("hypot's row        : {:?}, from {from}", row.state);
        }
        Err(e) => println!("hypot's row        : {e}"),
    }
}

fn libz() -> Result<(), Box<dyn Error>> {
    section("libz: strings, buffers, inout lengths, C enums");
    println!("zlibVersion()      = {:?}", zlib_version());

    let data = sample_text(100 * 1024);
    let source_len = data.len() as c_ulong;
    let bound = compress_bound(source_len);
    println!("compressBound({source_len}) = {bound}");

    let mut packed = vec![0u8; bound as usize];
    let (status, packed_len) = compress(&mut packed, &data);
    println!(
        "compress           = {status:?}, {source_len} -> {packed_len} bytes ({:.1}%)",
        100.0 * packed_len as f64 / source_len as f64
    );
    if status != ZStatus::Ok {
        return Err(format!("compress failed: {status:?}").into());
    }
    packed.truncate(packed_len as usize);

    let mut unpacked = vec![0u8; data.len()];
    let (status, unpacked_len) = uncompress(&mut unpacked, &packed);
    println!(
        "uncompress         = {status:?}, {packed_len} -> {unpacked_len} bytes, identical to the input: {}",
        unpacked == data
    );
    assert_eq!(unpacked, data);

    let crc = crc32(0, &data);
    println!(
        "crc32(input)       = {crc:#010x} (computed in Rust: {:#010x})",
        crc32_rust(&data)
    );
    assert_eq!(crc, c_ulong::from(crc32_rust(&data)));

    // Failures come back as enum variants, not magic numbers.
    let mut small = vec![0u8; data.len() / 2];
    let room = small.len() as c_ulong;
    let (status, _) = uncompress(&mut small, &packed);
    println!("uncompress into {room} bytes      = {status:?}");
    let mut corrupt = packed.clone();
    corrupt[0] ^= 0xff;
    let (status, _) = uncompress(&mut unpacked, &corrupt);
    println!("uncompress of a corrupt header   = {status:?}");
    Ok(())
}

fn libc() -> Result<(), Box<dyn Error>> {
    section("libc: strings, structs, variadic calls, the environment, errno");
    let text = "tour de C";
    println!("strlen({text:?})  = {}", strlen(text));
    match strlen::try_call("cut\0short") {
        Ok(n) => println!("strlen::try_call(\"cut\\0short\") = Ok({n})"),
        Err(e) => println!("strlen::try_call(\"cut\\0short\") = Err: {e}"),
    }

    let q = div(-17, 5);
    println!(
        "div(-17, 5)        = {q:?} (Rust: {}, {})",
        -17 / 5,
        -17 % 5
    );
    assert_eq!((q.quot, q.rem), (-17 / 5, -17 % 5));

    let mut buf = [0u8; 64];
    let size = buf.len();
    // SAFETY: the format's conversions match the extra arguments' types.
    let n = unsafe {
        snprintf(
            &mut buf,
            size,
            c"%s: %d items at %.2f = %08.3f",
            (c"basket", 12, 0.25, 3.0),
        )
    };
    let written = CStr::from_bytes_until_nul(&buf)?.to_str()?;
    println!("snprintf           = {n}, {written:?}");
    assert_eq!(
        written,
        format!("basket: {} items at {:.2} = {:08.3}", 12, 0.25, 3.0)
    );

    let (name, value) = ("ALIEN_TOUR_GREETING", "hello from C's environment");
    let before = getenv(name);
    let rc = setenv(name, value, 1);
    let after = getenv(name);
    println!("getenv({name}) = {before:?}; setenv = {rc}; getenv = {after:?}");
    println!(
        "std::env::var agrees: {}",
        std::env::var(name).ok().as_deref() == Some(value)
    );

    let input = c"  -4096 bytes";
    let (v, end, errno) = strtol(input, 10);
    let used = end as usize - input.as_ptr() as usize;
    println!(
        "strtol({input:?}) = {v}, used {used} bytes, rest {:?}, {errno}",
        &input.to_str()?[used..]
    );
    let (v, _, errno) = strtol(c"99999999999999999999", 10);
    println!(
        "strtol(\"99999999999999999999\") = {v} (c_long::MAX: {}), {errno}",
        v == c_long::MAX
    );

    let path = "/nonexistent/alien-tour";
    // SAFETY: `O_RDONLY` without `O_CREAT`: open reads no extra argument.
    let (fd, errno) = unsafe { open(path, O_RDONLY, ()) };
    let std_says = std::fs::File::open(path)
        .err()
        .and_then(|e| e.raw_os_error());
    println!("open({path:?}) = {fd}, {errno}; std::fs says errno {std_says:?}");
    Ok(())
}

fn missing_symbol() {
    section("a symbol that exists nowhere");
    println!(
        "the program started; deflate_quantum::is_resolved() = {}",
        deflate_quantum::is_resolved()
    );
    println!(
        "alien::probe(\"deflateQuantum\") = {:?}",
        alien::probe("deflateQuantum")
    );
    println!(
        "alien::probe(\"crc32\") found it: {}",
        alien::probe("crc32").is_some()
    );
    match deflate_quantum::try_call(9) {
        Ok(v) => println!("try_call            = Ok({v})"),
        Err(e) => println!("try_call            = Err(CallError::Undefined): {e}"),
    }
    match catch_quietly(|| deflate_quantum(9)) {
        Ok(v) => println!("deflate_quantum(9) = {v}"),
        Err(message) => println!("deflate_quantum(9) panicked: {message}"),
    }
}

extern "C" fn fallback(x: c_int) -> c_int {
    x * 10
}

fn failure_hook_and_late_library() -> Result<(), Box<dyn Error>> {
    section("the failure hook, and a library loaded later");
    let previous = alien::set_failure_hook(|missing| {
        (missing.symbol == "alien_tour_fallback")
            .then_some(fallback as extern "C" fn(c_int) -> c_int as usize)
    });
    println!(
        "alien_tour_fallback(4) = {} (supplied by the hook)",
        alien_tour_fallback(4)
    );
    let row = alien_tour_fallback::info();
    println!(
        "its table row: {:?}, supplier {:?}",
        row.state, row.supplier
    );
    drop(alien::take_failure_hook());
    if let Some(hook) = previous {
        alien::set_failure_hook(move |missing| hook(missing));
    }

    println!(
        "adler32 (no library named) resolved at startup: {}",
        adler32::is_resolved()
    );
    let loaded = alien::load_library("z")?;
    println!(
        "alien::load_library(\"z\") -> {:?} from {}, resolved {} waiting declaration(s)",
        loaded.name, loaded.path, loaded.resolved
    );
    let sample = b"Wikipedia";
    let sum = adler32(1, sample);
    println!(
        "adler32(\"Wikipedia\") = {sum:#010x} (computed in Rust: {:#010x})",
        adler32_rust(sample)
    );
    Ok(())
}

fn entries() {
    section("entry addresses for C");
    let first = frexp::entry();
    let second = frexp::entry();
    println!(
        "frexp::entry() = {:#x}, again {:#x} (same: {})",
        first as usize,
        second as usize,
        first as usize == second as usize
    );
    if let Some(address) = frexp::info().address {
        println!("frexp itself is at {address:#x}; the entry jumps through frexp's slot, so it follows rebinding");
    }
    let mut exp: c_int = 0;
    // SAFETY: the entry has frexp's C type; `exp` is a valid place for C to write.
    let fraction = unsafe { first(10.0, &mut exp) };
    println!(
        "through the typed pointer: frexp(10.0) = ({fraction}, {exp}); the wrapper says {:?}",
        frexp(10.0)
    );
}

fn callbacks() {
    section("callbacks: qsort with a Rust closure");
    let mut words = ["pear", "fig", "banana", "kiwi", "apple", "cherry"];
    let mut comparisons = 0;
    // SAFETY: `words` holds `words.len()` elements of the given size, and the
    // closure reads only elements of it.
    unsafe {
        qsort(
            words.as_mut_ptr().cast(),
            words.len(),
            std::mem::size_of::<&str>(),
            |a, b| {
                comparisons += 1;
                let (a, b) = (&*a.cast::<&str>(), &*b.cast::<&str>());
                (a.len(), a).cmp(&(b.len(), b)) as c_int
            },
        )
    };
    println!("sorted by length, then alphabetically: {words:?} ({comparisons} comparisons)");
    let mut sorted = words;
    sorted.sort_by_key(|w| (w.len(), *w));
    assert_eq!(words, sorted);

    let mut numbers = [3, 1, 2];
    // SAFETY: as above.
    let outcome = catch_quietly(move || unsafe {
        qsort(
            numbers.as_mut_ptr().cast(),
            numbers.len(),
            std::mem::size_of::<i32>(),
            |_, _| panic!("the comparator gave up"),
        )
    });
    println!("a panic in the comparator reaches the Rust caller: {outcome:?}");
}

fn procedures() {
    section("foreign_procedure!: a callable from a C name");
    let cos = foreign_procedure!(#[library("m")] "cos", (f64) -> f64);
    let ldexp = foreign_procedure!(#[library("m")] "ldexp", (f64, c_int) -> f64);
    let x = std::f64::consts::FRAC_PI_3;
    println!("cos(pi/3) = {} (Rust: {})", cos(x), x.cos());
    let (fraction, exp) = frexp(1234.5);
    println!(
        "ldexp(frexp(1234.5)) = ldexp({fraction}, {exp}) = {}",
        ldexp(fraction, exp)
    );
}

fn runtime_signatures() -> Result<(), Box<dyn Error>> {
    use alien::ffi::{CDefs, Procedure, Signature, Type, Value};
    section("signatures known only at run time (an interpreter's view)");
    // C declarations as text, parsed at run time (as LuaJIT's ffi.cdef).
    let defs = CDefs::new();
    let decl = defs.function("double pow(double x, double y)")?;
    let pow = Procedure::from_symbol(&decl.name, Some("m"), decl.signature.clone())?;
    // SAFETY: pow is `double pow(double, double)`, as declared.
    let r = unsafe { pow.call(&[Value::F64(2.0), Value::F64(10.0)]) }?;
    println!("{decl}  ->  pow(2, 10) = {r:?}");
    assert_eq!(r, Value::F64(1024.0));

    let decl = defs.function("int snprintf(char *buf, size_t n, const char *fmt, ...)")?;
    let sig = decl.signature_with(&[Type::I32, Type::F64])?;
    let snprintf = Procedure::from_symbol("snprintf", None, sig)?;
    let mut buf = [0u8; 64];
    let fmt = c"%d and %.3f";
    let args = [
        Value::Pointer(buf.as_mut_ptr().cast()),
        Value::U64(buf.len() as u64),
        Value::Pointer(fmt.as_ptr().cast_mut().cast()),
        Value::I32(42),
        Value::F64(std::f64::consts::PI),
    ];
    // SAFETY: the buffer and format outlive the call; the extras match the format.
    let n = unsafe { snprintf.call(&args) }?;
    let text = CStr::from_bytes_until_nul(&buf)?.to_string_lossy();
    println!("snprintf through a generated call stub = {n:?}, {text:?}");
    assert_eq!(text, "42 and 3.142");

    // A run-time callback: qsort's comparator is a handler over Values.
    let cmp = alien::RuntimeCallback::new(
        Signature::new(vec![Type::Pointer, Type::Pointer], Type::I32)?,
        |args| {
            let read = |v: &Value| match v {
                // SAFETY: qsort passes pointers into the i32 array below.
                Value::Pointer(p) => unsafe { *(*p as *const i32) },
                _ => 0,
            };
            Value::I32(read(&args[0]).cmp(&read(&args[1])) as i32)
        },
    )?;
    let qsort = Procedure::from_symbol(
        "qsort",
        None,
        Signature::new(
            vec![Type::Pointer, Type::U64, Type::U64, Type::Pointer],
            Type::Void,
        )?,
    )?;
    let mut v = [5i32, -3, 9, 0, 2];
    let args = [
        Value::Pointer(v.as_mut_ptr().cast()),
        Value::U64(v.len() as u64),
        Value::U64(4),
        Value::Pointer(cmp.as_ptr().cast_mut().cast()),
    ];
    // SAFETY: the array outlives the call; the comparator matches qsort's.
    unsafe { qsort.call(&args) }?;
    println!("qsort with a run-time callback = {v:?}");
    assert_eq!(v, [-3, 0, 2, 5, 9]);
    Ok(())
}

fn variables() {
    section("C variables: timezone and daylight after tzset()");
    let zone = "EST5EDT";
    setenv("TZ", zone, 1);
    tzset();
    let west = timezone.get();
    println!(
        "TZ={zone}: timezone = {west} s west of UTC (UTC{:+}h), daylight = {}",
        -west / 3600,
        daylight.get()
    );
    println!("timezone lives at {:p}", timezone.as_ptr());
}

fn linkage_table() {
    section("the linkage table (alien::linkage())");
    println!(
        "{:<20} {:<24} {:<8} {:<8} supplied by",
        "symbol", "Rust name", "library", "state"
    );
    let mut rows = alien::linkage();
    rows.sort_by(|a, b| (a.library, &a.symbol).cmp(&(b.library, &b.symbol)));
    for row in rows {
        let supplier = match (&row.supplier, &row.supplier_path) {
            (Some(name), Some(path)) => format!("{name} ({path})"),
            (Some(name), None) => name.clone(),
            _ => "-".to_owned(),
        };
        println!(
            "{:<20} {:<24} {:<8} {:<8} {supplier}",
            row.symbol,
            row.rust_name,
            row.library.unwrap_or("-"),
            format!("{:?}", row.state),
        );
    }
}

/// Runs `f`, turning a panic into its message without printing it.
fn catch_quietly<R>(f: impl FnOnce() -> R + UnwindSafe) -> Result<R, String> {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(f);
    panic::set_hook(previous);
    result.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "<not a string>".to_owned())
    })
}

/// About `len` bytes of compressible but not trivial text.
fn sample_text(len: usize) -> Vec<u8> {
    let mut text = Vec::with_capacity(len + 64);
    let mut i = 0u64;
    while text.len() < len {
        let line = format!(
            "line {i}: the quick brown fox jumps {} times\n",
            (i * i) % 997
        );
        text.extend_from_slice(line.as_bytes());
        i += 1;
    }
    text.truncate(len);
    text
}

/// CRC-32 (IEEE), bit by bit.
fn crc32_rust(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Adler-32.
fn adler32_rust(data: &[u8]) -> c_ulong {
    let (mut a, mut b) = (1u64, 0u64);
    for &byte in data {
        a = (a + u64::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16 | a) as c_ulong
}
