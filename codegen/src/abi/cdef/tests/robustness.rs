//! No panics on any input, and layouts checked against the C compiler.

use super::*;

/// A header with most of the grammar, for the no-panic test.
const CORPUS: &str = r#"
#include <stddef.h>
/* comment */ // line comment
typedef struct { int x, y; } point;
struct rect { double x, y, w, h; };
typedef unsigned long size_t2;
typedef void (*handler_t)(int);
enum color { RED = 1, GREEN, BLUE = 1 << 4, NEG = -5, CH = 'x' };
union u { char c[9]; int i; double d; };
struct node { struct node *next; char name[16]; int m[2][3]; union u val; unsigned bits : 3; };
struct anon { char k; struct { short a, b; }; union { int i; float f; }; };
int snprintf(char *buf, size_t n, const char *fmt, ...);
void (*signal(int sig, void (*func)(int)))(int);
int qsort_like(void *base, size_t n, int (*cmp)(const void *, const void *));
static inline int twice(int x) { return x * 2; }
extern int counter, *pcounter, arr[sizeof(struct rect) / 8];
static const unsigned char K = (unsigned char)300;
_Static_assert(sizeof(point) == 8, "point");
int fscanf(FILE *restrict s, const char *restrict f, ...) __asm__("" "__isoc99_fscanf");
long double ld(void); __int128 big; struct p { char c; } __attribute__((packed));
"#;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Feeds `src` to the parser as declarations and, if `all`, as each kind
/// of query; only checks that nothing panics.
fn exercise(d: &CDefs, src: &str, all: bool) {
    let mut m = d.clone();
    if let Err(e) = m.parse(src) {
        let _ = e.to_string();
    }
    if all {
        let _ = d.function(src).map_err(|e| e.to_string());
        let _ = d.type_of(src).map_err(|e| e.to_string());
        let _ = d.size_of(src);
        let _ = d.offset_of("struct rect", src);
    }
}

#[test]
fn never_panics_on_prefixes_and_random_input() {
    let base = defs("struct rect { double x, y, w, h; };");
    // Every prefix of the corpus.
    for (n, (i, _)) in CORPUS.char_indices().enumerate() {
        exercise(&base, &CORPUS[..i], n % 5 == 0);
    }
    // Random token soups.
    let words = [
        "int",
        "char",
        "unsigned",
        "long",
        "short",
        "void",
        "double",
        "struct",
        "union",
        "enum",
        "typedef",
        "const",
        "static",
        "inline",
        "extern",
        "sizeof",
        "_Alignof",
        "x",
        "y",
        "size_t",
        "point",
        "rect",
        "RED",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "*",
        ",",
        ";",
        "=",
        ":",
        "?",
        "...",
        "+",
        "-",
        "~",
        "!",
        "<<",
        ">>",
        "/",
        "%",
        "&&",
        "||",
        "0",
        "1",
        "4",
        "0x7fffffffffffffff",
        "-1",
        "'a'",
        "\"s\"",
        "1.5",
        "__attribute__",
        "((",
        "))",
        "__asm__",
        "_Static_assert",
        "#",
        "\n",
        "/*",
        "*/",
        "//",
        "\\",
        "[[",
        "]]",
        "long double",
        "__int128",
        "_Bool",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let n = rng.below(40);
        let src: Vec<&str> = (0..n).map(|_| words[rng.below(words.len())]).collect();
        exercise(&base, &src.join(" "), true);
    }
    // Random bytes, and mutated copies of the corpus.
    for _ in 0..1000 {
        let n = rng.below(64);
        let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        exercise(&base, &String::from_utf8_lossy(&bytes), true);
        let mut bytes = CORPUS.as_bytes().to_vec();
        for _ in 0..rng.below(8) + 1 {
            let i = rng.below(bytes.len());
            bytes[i] = b"(){}[];,*=:0123456789xabc \n'\"#/\\"[rng.below(31)];
        }
        exercise(&base, &String::from_utf8_lossy(&bytes), false);
    }
}

/// Structs compiled by the C compiler: its `sizeof`, `_Alignof` and
/// `offsetof` against the parsed types.
#[test]
fn layouts_agree_with_the_c_compiler() {
    const HEADER: &str = r#"
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>
#include <wchar.h>
struct s1 { char c; double d; };
struct s2 { char a; short b; char c; };
struct s3 { int x; char name[10]; };
typedef struct { char tag; struct s1 inner; int arr[3]; } s4;
struct s5 { char a; struct { short b; char c; } nested; long long d; float f; };
struct s6 { unsigned char flags; int m[2][3]; char tail; };
struct s7 { _Bool b; void *p; char c; int (*fp)(int); unsigned short us; };
struct s8 { char c; union { int i; double d; }; short s; };
union u9 { char c[9]; int i; };
struct s10 { int n; double data[]; };
enum e11 { E_A = -1, E_B = 0x7fffffff };
struct s12 { enum e11 e; char c; size_t n; wchar_t w; int8_t i8; uint16_t u16; int64_t i64; bool b; };
typedef struct s13 { struct s13 *next; char name[16]; const char *label; } s13_t;
struct s14 { char c; va_list ap; };
struct s15 { char c; long double ld; };
struct s16 { char c; struct s1 arr[2]; short s; };
struct s17 { char c; __int128 big; };
struct s18 { float f; char c[3]; struct { double d; char e; } in[2]; };
union u19 { struct s2 s; long l; char c[13]; };
struct s20 { short s; union u19 u; char tail; };
"#;
    // (type, members, whether the model holds it by value)
    let cases: &[(&str, &[&str], bool)] = &[
        ("struct s1", &["c", "d"], true),
        ("struct s2", &["a", "b", "c"], true),
        ("struct s3", &["x", "name"], true),
        ("s4", &["tag", "inner", "arr"], true),
        ("struct s5", &["a", "nested", "d", "f"], true),
        ("struct s6", &["flags", "m", "tail"], true),
        ("struct s7", &["b", "p", "c", "fp", "us"], true),
        ("struct s8", &["c", "i", "d", "s"], false),
        ("union u9", &["c", "i"], false),
        ("struct s10", &["n", "data"], false),
        (
            "struct s12",
            &["e", "c", "n", "w", "i8", "u16", "i64", "b"],
            true,
        ),
        ("s13_t", &["next", "name", "label"], true),
        ("struct s14", &["c", "ap"], true),
        ("struct s15", &["c", "ld"], false),
        ("struct s16", &["c", "arr", "s"], true),
        ("struct s17", &["c", "big"], false),
        ("struct s18", &["f", "c", "in"], true),
        ("union u19", &["s", "l", "c"], false),
        ("struct s20", &["s", "u", "tail"], false),
    ];
    let dir = std::env::temp_dir().join(format!(
        "alien-cdef-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut c = String::from(HEADER);
    c.push_str("#include <stdio.h>\nint main(void) {\n");
    for (ty, members, _) in cases {
        c.push_str(&format!(
            "    printf(\"%zu %zu\", sizeof({ty}), _Alignof({ty}));\n"
        ));
        for m in *members {
            c.push_str(&format!("    printf(\" %zu\", offsetof({ty}, {m}));\n"));
        }
        c.push_str("    printf(\"\\n\");\n");
    }
    c.push_str("    return 0;\n}\n");
    let source = dir.join("layouts.c");
    let exe = dir.join("layouts");
    std::fs::write(&source, &c).unwrap_or_else(|e| panic!("{e}"));
    let compiled = std::process::Command::new("cc")
        .arg("-std=c11")
        .arg("-o")
        .arg(&exe)
        .arg(&source)
        .output();
    let compiled = match compiled {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("no C compiler (cc): skipped");
            let _ = std::fs::remove_dir_all(&dir);
            return;
        }
        Err(e) => panic!("cc: {e}"),
    };
    assert!(
        compiled.status.success(),
        "cc failed:\n{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
    let run = std::process::Command::new(&exe)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(run.status.success());
    let out = String::from_utf8_lossy(&run.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), cases.len());

    let d = defs(HEADER);
    for ((ty, members, by_value), line) in cases.iter().zip(lines) {
        let nums: Vec<usize> = line
            .split_whitespace()
            .map(|n| n.parse().unwrap_or_else(|e| panic!("{line}: {e}")))
            .collect();
        let (size, align, offs) = (nums[0], nums[1], &nums[2..]);
        assert_eq!(ok(d.size_of(ty)), size, "sizeof({ty})");
        assert_eq!(ok(d.align_of(ty)), align, "_Alignof({ty})");
        let ours: Vec<usize> = members.iter().map(|m| ok(d.offset_of(ty, m))).collect();
        assert_eq!(ours, offs, "offsetof({ty}, ...)");
        let t = d.type_of(ty);
        assert_eq!(t.is_ok(), *by_value, "{ty}: {t:?}");
        if let Ok(t) = t {
            assert_eq!((t.size(), t.align()), (size, align), "{ty}");
            assert_eq!(offsets(&t), offs, "fields of {ty}");
        }
    }
}
