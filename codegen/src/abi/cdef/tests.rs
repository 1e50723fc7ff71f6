use super::*;
use crate::abi::{StructType, Type, TypeError};

fn ok<T>(r: Result<T, CdefError>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn err<T: fmt::Debug>(r: Result<T, CdefError>) -> CdefError {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

fn defs(src: &str) -> CDefs {
    let mut d = CDefs::new();
    ok(d.parse(src));
    d
}

fn strukt(t: &Type) -> &StructType {
    match t {
        Type::Struct(s) => s,
        other => panic!("not a struct: {other}"),
    }
}

fn offsets(t: &Type) -> Vec<usize> {
    strukt(t).fields().iter().map(|f| f.offset).collect()
}

fn arr(t: Type, n: usize) -> Type {
    Type::Array(Box::new(t), n)
}

fn unsupported_what(e: &CdefError) -> String {
    match e {
        CdefError::Unsupported { what, .. } => what.clone(),
        other => panic!("expected Unsupported, got {other}"),
    }
}

fn invalid_message(e: &CdefError) -> String {
    match e {
        CdefError::Invalid { message, .. } => message.clone(),
        other => panic!("expected Invalid, got {other}"),
    }
}

#[test]
fn the_example_of_the_brief() {
    let mut defs = CDefs::new();
    ok(defs.parse(
        "typedef struct { int x, y; } point; struct rect { double x, y, w, h; }; \
         typedef unsigned long size_t2;",
    ));
    let f = ok(defs.function("int snprintf(char *buf, size_t n, const char *fmt, ...)"));
    assert_eq!(f.name, "snprintf");
    assert_eq!(f.params, [Type::Pointer, Type::U64, Type::Pointer]);
    assert_eq!(f.ret, Type::I32);
    assert!(f.variadic);
    assert_eq!(f.signature.fixed(), Some(3));
    assert_eq!(f.signature.args(), &f.params[..]);
    assert_eq!(
        f.param_names,
        [
            Some("buf".to_owned()),
            Some("n".to_owned()),
            Some("fmt".to_owned())
        ]
    );
    let sig = f
        .signature_with(&[Type::I32, Type::F64])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sig.args().len(), 5);
    assert_eq!(sig.fixed(), Some(3));
    assert_eq!(sig.ret(), &Type::I32);
    assert_eq!(
        f.to_string(),
        "int snprintf(char *, unsigned long, char *, ...)"
    );

    let rect = ok(defs.type_of("struct rect"));
    assert_eq!((rect.size(), rect.align()), (32, 8));
    assert_eq!(offsets(&rect), [0, 8, 16, 24]);
    let point = ok(defs.type_of("point"));
    assert_eq!(strukt(&point).fields().len(), 2);
    assert_eq!(point.size(), 8);
    assert_eq!(strukt(&point).name(), Some("point"));
    assert_eq!(ok(defs.type_of("size_t2")), Type::U64);
    assert_eq!(ok(defs.type_of("unsigned long long")), Type::U64);
    assert_eq!(ok(defs.type_of("int[4]")), arr(Type::I32, 4));

    ok(defs
        .parse("int qsort_r_like(void *base, size_t n, int (*cmp)(const void *, const void *));"));
    let q = defs
        .lookup_function("qsort_r_like")
        .unwrap_or_else(|| panic!("not remembered"));
    assert_eq!(q.params, [Type::Pointer, Type::U64, Type::Pointer]);
    assert!(!q.variadic);
    assert_eq!(q.signature.fixed(), None);
    assert_eq!(
        q.to_string(),
        "int qsort_r_like(void *, unsigned long, int (*)(void *, void *))"
    );
}

#[test]
fn base_types_in_any_order() {
    let d = CDefs::new();
    let cases: &[(&str, Type)] = &[
        ("void", Type::Void),
        ("char", Type::I8),
        ("signed char", Type::I8),
        ("char signed", Type::I8),
        ("unsigned char", Type::U8),
        ("short", Type::I16),
        ("short int", Type::I16),
        ("signed short", Type::I16),
        ("int short signed", Type::I16),
        ("unsigned short", Type::U16),
        ("short unsigned int", Type::U16),
        ("int", Type::I32),
        ("signed", Type::I32),
        ("signed int", Type::I32),
        ("unsigned", Type::U32),
        ("int unsigned", Type::U32),
        ("long", Type::I64),
        ("long int", Type::I64),
        ("signed long", Type::I64),
        ("int long signed", Type::I64),
        ("unsigned long", Type::U64),
        ("long unsigned int", Type::U64),
        ("long long", Type::I64),
        ("long long int", Type::I64),
        ("long int long", Type::I64),
        ("unsigned long long", Type::U64),
        ("long unsigned long int", Type::U64),
        ("float", Type::F32),
        ("double", Type::F64),
        ("_Bool", Type::Bool),
        ("bool", Type::Bool),
        ("size_t", Type::U64),
        ("ssize_t", Type::I64),
        ("intptr_t", Type::I64),
        ("uintptr_t", Type::U64),
        ("ptrdiff_t", Type::I64),
        ("int8_t", Type::I8),
        ("uint8_t", Type::U8),
        ("int16_t", Type::I16),
        ("uint16_t", Type::U16),
        ("int32_t", Type::I32),
        ("uint32_t", Type::U32),
        ("int64_t", Type::I64),
        ("uint64_t", Type::U64),
        ("wchar_t", Type::I32),
        ("const int", Type::I32),
        ("int const volatile", Type::I32),
        ("unsigned const long volatile", Type::U64),
        ("const size_t", Type::U64),
        ("__signed__ char", Type::I8),
        ("enum { K1, K2 }", Type::I32),
    ];
    for (text, want) in cases {
        assert_eq!(&ok(d.type_of(text)), want, "{text}");
    }
}

#[test]
fn invalid_combinations_of_specifiers() {
    let d = CDefs::new();
    for text in [
        "long long long",
        "signed unsigned",
        "short long",
        "unsigned float",
        "char int",
        "double double",
        "long float",
        "void int",
        "_Bool char",
        "signed double",
        "short char",
    ] {
        let e = err(d.type_of(text));
        assert!(matches!(e, CdefError::Invalid { .. }), "{text}: {e}");
    }
    let e = err(d.type_of("struct s int"));
    assert!(invalid_message(&e).contains("after another type"), "{e}");
    let e = err(d.type_of("size_t int"));
    assert!(matches!(e, CdefError::Invalid { .. }), "{e}");
}

#[test]
fn long_double_int128_complex_are_unsupported_by_value() {
    let mut d = CDefs::new();
    for (text, what, size, align) in [
        ("long double", "long double", 16, 16),
        ("double long", "long double", 16, 16),
        ("__int128", "__int128", 16, 16),
        ("unsigned __int128", "unsigned __int128", 16, 16),
        ("__int128_t", "__int128", 16, 16),
        ("_Complex double", "_Complex double", 16, 8),
        ("float _Complex", "_Complex float", 8, 4),
        ("_Float128", "_Float128", 16, 16),
    ] {
        let e = err(d.type_of(text));
        assert_eq!(unsupported_what(&e), what, "{text}");
        assert!(e.to_string().contains("is not supported"), "{e}");
        assert_eq!(ok(d.size_of(text)), size, "{text}");
        assert_eq!(ok(d.align_of(text)), align, "{text}");
        // Behind a pointer it is just a pointer.
        assert_eq!(ok(d.type_of(&format!("{text} *"))), Type::Pointer);
    }
    let e = err(d.parse("long double strtold(const char *s, char **end);"));
    assert_eq!(unsupported_what(&e), "long double");
    assert_eq!(e.location().column, 1, "points at the result type: {e}");
    let e = err(d.parse("void g(int a, __int128 x);"));
    assert_eq!(unsupported_what(&e), "__int128");
    assert_eq!(e.location().column, 24, "points at the parameter: {e}");
    // A typedef of it and pointers to it are fine.
    ok(d.parse("typedef long double ld; ld *half(ld *x);"));
    assert_eq!(ok(d.type_of("ld *")), Type::Pointer);
    assert!(d.lookup_function("half").is_some());
}

#[test]
fn pointers_of_any_depth() {
    let d = CDefs::new();
    for text in [
        "int *",
        "int **",
        "char * const * volatile",
        "void *",
        "const void * restrict",
        "struct never_declared *",
        "union never_declared **",
        "int (*)(const void *, const void *)",
        "void (**)(void)",
        "int (*)[4]",
        "char *[3][2]",
    ] {
        let t = ok(d.type_of(text));
        let want_array = text.ends_with(']') && !text.contains("(*)");
        if want_array {
            assert!(matches!(t, Type::Array(..)), "{text}: {t}");
        } else {
            assert_eq!(t, Type::Pointer, "{text}");
        }
    }
    assert_eq!(ok(d.type_of("char *[3][2]")), arr(arr(Type::Pointer, 2), 3));
}

#[test]
fn function_pointer_parameters_and_typedefs() {
    let d = defs(
        "typedef void (*handler_t)(int);
         handler_t signal(int sig, handler_t h);
         void (*signal2(int, void (*)(int)))(int);
         typedef int (*binop)(int, int), (*unop)(int);
         int apply(binop f, unop g, int x);",
    );
    for name in ["signal", "signal2"] {
        let f = d.lookup_function(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(f.params, [Type::I32, Type::Pointer], "{name}");
        assert_eq!(f.ret, Type::Pointer, "{name}");
    }
    assert_eq!(
        d.lookup_function("signal2")
            .map(|f| f.to_string())
            .as_deref(),
        Some("void (*signal2(int, void (*)(int)))(int)")
    );
    assert_eq!(ok(d.type_of("handler_t")), Type::Pointer);
    assert_eq!(ok(d.type_of("unop")), Type::Pointer);
    let apply = d
        .lookup_function("apply")
        .unwrap_or_else(|| panic!("apply"));
    assert_eq!(apply.params, [Type::Pointer, Type::Pointer, Type::I32]);
}

#[test]
fn function_typedefs_declare_functions() {
    let d = defs("typedef int fn_t(int); fn_t myfn, other; fn_t *ptr_var;");
    for name in ["myfn", "other"] {
        let f = d.lookup_function(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(f.params, [Type::I32]);
        assert_eq!(f.ret, Type::I32);
    }
    assert_eq!(d.lookup_variable("ptr_var"), Some(&Type::Pointer));
    let e = err(d.type_of("fn_t"));
    assert!(invalid_message(&e).contains("function type"), "{e}");
    assert_eq!(ok(d.type_of("fn_t *")), Type::Pointer);
    // A parameter of function type is a pointer.
    let f = ok(d.function("void run(fn_t f, int g(void))"));
    assert_eq!(f.params, [Type::Pointer, Type::Pointer]);
    let e = err(defs("typedef int fn_t(int);").parse("struct s { fn_t f; };"));
    assert!(
        invalid_message(&e).contains("declared as a function"),
        "{e}"
    );
}

#[test]
fn arrays_in_structs_and_as_parameters() {
    let mut d = defs("struct a { char name[16]; int m[2][3]; char tail; };");
    let t = ok(d.type_of("struct a"));
    let s = strukt(&t);
    assert_eq!(s.fields()[0].ty, arr(Type::I8, 16));
    assert_eq!(s.fields()[1].ty, arr(arr(Type::I32, 3), 2));
    assert_eq!(offsets(&t), [0, 16, 40]);
    assert_eq!((t.size(), t.align()), (44, 4));
    assert_eq!(ok(d.type_of("int[2][3]")), arr(arr(Type::I32, 3), 2));
    assert_eq!(ok(d.offset_of("struct a", "m[1][2]")), 16 + 12 + 8);

    let f = ok(d.function(
        "void f(int a[], int b[4], char m[][8], int (*p)[3], int c[static 2], const char *const argv[])",
    ));
    assert_eq!(f.params, vec![Type::Pointer; 6]);
    // An array of unknown size is not an object type.
    let e = err(d.type_of("int[]"));
    assert!(invalid_message(&e).contains("unknown size"), "{e}");
    let e = err(d.parse("struct bad { int a[]; int b; };"));
    assert!(invalid_message(&e).contains("unknown size"), "{e}");
    let e = err(d.type_of("void[3]"));
    assert!(invalid_message(&e).contains("array of void"), "{e}");
    let e = err(d.parse("int bad(void)[3];"));
    assert!(
        invalid_message(&e).contains("cannot return an array"),
        "{e}"
    );
    let e = err(d.type_of("int[-1]"));
    assert!(invalid_message(&e).contains("negative"), "{e}");
    let e = err(d.parse("typedef char huge[0x7fffffffffffffff][16];"));
    assert!(invalid_message(&e).contains("too large"), "{e}");
    let e = err(d.type_of("char[0x7fffffffffffffff][16]"));
    assert!(invalid_message(&e).contains("too large"), "{e}");
}

#[test]
fn struct_layouts_match_c() {
    let d = defs(
        "struct cd { char c; double d; };
         struct csc { char a; short b; char c; };
         struct ia { int x; char name[10]; };
         struct empty_tail { double d; char c; };
         struct ptrs { char c; void *p; int (*f)(void); _Bool b; };",
    );
    let cases: &[(&str, usize, usize, &[usize])] = &[
        ("struct cd", 16, 8, &[0, 8]),
        ("struct csc", 6, 2, &[0, 2, 4]),
        ("struct ia", 16, 4, &[0, 4]),
        ("struct empty_tail", 16, 8, &[0, 8]),
        ("struct ptrs", 32, 8, &[0, 8, 16, 24]),
    ];
    for (text, size, align, offs) in cases {
        let t = ok(d.type_of(text));
        assert_eq!((t.size(), t.align()), (*size, *align), "{text}");
        assert_eq!(offsets(&t), *offs, "{text}");
        assert_eq!(ok(d.size_of(text)), *size);
        assert_eq!(ok(d.align_of(text)), *align);
    }
    let d = CDefs::new();
    assert_eq!(ok(d.type_of("struct { char c; double d; }")).size(), 16);
    assert_eq!(
        ok(d.type_of("struct { char a; short b; char c; }")).size(),
        6
    );
    assert_eq!(ok(d.type_of("struct { int x; char name[10]; }")).size(), 16);
}

#[test]
fn named_anonymous_nested_and_typedef_structs() {
    let d = defs(
        "struct vec2 { float x, y; };
         typedef struct body { struct vec2 pos, vel; double mass; } body_t;
         typedef struct { struct vec2 corner; struct { int w, h; } size; } box;
         struct outer { struct inner { char c; int i; } in; struct inner again; };
         struct list { int value; struct list *next; };
         typedef struct later later_t;
         struct later { long a; };
         struct later *make_later(void);
         struct fwd;
         struct fwd { short s; };",
    );
    let body = ok(d.type_of("struct body"));
    assert_eq!(ok(d.type_of("body_t")), body);
    assert_eq!((body.size(), body.align()), (24, 8));
    assert_eq!(offsets(&body), [0, 8, 16]);
    assert_eq!(strukt(&body).name(), Some("body"));
    let b = ok(d.type_of("box"));
    assert_eq!(offsets(&b), [0, 8]);
    assert_eq!(b.size(), 16);
    assert_eq!(ok(d.offset_of("box", "size.h")), 12);
    // A tag declared inside another struct is declared at file scope, as in C.
    assert_eq!(ok(d.type_of("struct inner")).size(), 8);
    assert_eq!(ok(d.type_of("struct outer")).size(), 16);
    let list = ok(d.type_of("struct list"));
    assert_eq!(strukt(&list).fields()[1].ty, Type::Pointer);
    assert_eq!(list.size(), 16);
    // A typedef of a tag declared in full later.
    assert_eq!(ok(d.type_of("later_t")).size(), 8);
    assert_eq!(ok(d.type_of("struct fwd")).size(), 2);
    assert_eq!(
        ok(d.field_names("struct body")),
        [
            Some("pos".to_owned()),
            Some("vel".to_owned()),
            Some("mass".to_owned())
        ]
    );
    // Incomplete by value is an error, behind a pointer it is fine.
    let mut d = d;
    ok(d.parse("struct opaque; struct opaque *open_it(void);"));
    let e = err(d.type_of("struct opaque"));
    assert!(
        invalid_message(&e).contains("incomplete type 'struct opaque'"),
        "{e}"
    );
    let e = err(d.parse("void take(struct opaque o);"));
    assert!(
        invalid_message(&e).contains("parameter 1 ('o') of 'take' has incomplete type"),
        "{e}"
    );
    let e = err(d.parse("struct holder { struct opaque o; };"));
    assert!(
        invalid_message(&e).contains("member 'o' has incomplete type"),
        "{e}"
    );
    let e = err(d.parse("struct self { struct self s; };"));
    assert!(invalid_message(&e).contains("incomplete"), "{e}");
    // A struct by value in a signature.
    let f = ok(d.function("struct vec2 add(struct vec2 a, struct vec2 b)"));
    assert_eq!(f.ret, ok(d.type_of("struct vec2")));
    assert_eq!(f.params.len(), 2);
}

#[test]
fn anonymous_members_and_member_paths() {
    let mut d = defs(
        "struct item { int id; char tag[3]; };
         struct bag {
             char kind;
             struct { short a, b; };
             int n;
             struct item items[4];
         };",
    );
    let t = ok(d.type_of("struct bag"));
    assert_eq!(offsets(&t), [0, 2, 8, 12]);
    assert_eq!(t.size(), 44);
    assert_eq!(ok(d.offset_of("struct bag", "b")), 4);
    assert_eq!(
        ok(d.offset_of("struct bag", "items[2].tag[1]")),
        12 + 2 * 8 + 4 + 1
    );
    let f = ok(d.member("struct bag", "items[1]"));
    assert_eq!((f.offset, f.ty.size()), (20, 8));
    assert_eq!(ok(d.member("struct bag", "n")).ty, Type::I32);
    assert_eq!(
        ok(d.field_names("struct bag")),
        [
            Some("kind".to_owned()),
            None,
            Some("n".to_owned()),
            Some("items".to_owned())
        ]
    );
    let e = err(d.offset_of("struct bag", "nope"));
    assert!(
        invalid_message(&e).contains("no member named 'nope' in struct bag"),
        "{e}"
    );
    let e = err(d.offset_of("struct bag", "items[4]"));
    assert!(invalid_message(&e).contains("out of bounds"), "{e}");
    let e = err(d.offset_of("struct bag", "n.x"));
    assert!(invalid_message(&e).contains("not a struct or union"), "{e}");
    let e = err(d.offset_of("int", "x"));
    assert!(
        invalid_message(&e).contains("not a complete struct or union"),
        "{e}"
    );
    let e = err(d.parse("struct dup { int a; struct { int a; }; };"));
    assert!(invalid_message(&e).contains("duplicate member 'a'"), "{e}");
}

#[test]
fn unions_are_measured_but_not_by_value() {
    let mut d = defs(
        "union num { char c[9]; int i; double d; };
         union small { char c[9]; int i; };
         typedef union { int i; float f; } bits;
         struct event { int type; union { int key; double x; } data; };
         struct tagged { char kind; union { short s; long l; }; char after; };
         union num *num_ptr(union num *p);",
    );
    assert_eq!(
        (ok(d.size_of("union num")), ok(d.align_of("union num"))),
        (16, 8)
    );
    assert_eq!(
        (ok(d.size_of("union small")), ok(d.align_of("union small"))),
        (12, 4)
    );
    assert_eq!(ok(d.size_of("bits")), 4);
    assert_eq!(ok(d.size_of("struct event")), 16);
    assert_eq!(ok(d.offset_of("struct event", "data.x")), 8);
    assert_eq!(ok(d.size_of("struct tagged")), 24);
    assert_eq!(ok(d.offset_of("struct tagged", "l")), 8);
    assert_eq!(ok(d.offset_of("struct tagged", "after")), 16);
    assert_eq!(ok(d.member("struct tagged", "l")).ty, Type::I64);
    assert_eq!(ok(d.type_of("union num *")), Type::Pointer);
    assert!(d.lookup_function("num_ptr").is_some());

    let e = err(d.type_of("union num"));
    assert_eq!(unsupported_what(&e), "union num by value");
    assert!(
        e.to_string().contains("the type model has no unions"),
        "{e}"
    );
    let e = err(d.type_of("struct event"));
    assert_eq!(unsupported_what(&e), "struct event by value");
    assert!(e.to_string().contains("member 'data' is a union"), "{e}");
    let e = err(d.parse("void send(struct event e);"));
    assert!(matches!(e, CdefError::Unsupported { .. }), "{e}");
    let e = err(d.parse("bits get_bits(void);"));
    assert!(matches!(e, CdefError::Unsupported { .. }), "{e}");
    let e = err(d.parse("union num global_num;"));
    assert!(matches!(e, CdefError::Unsupported { .. }), "{e}");
}

#[test]
fn enums_and_their_constants() {
    let d = defs(
        "enum color { RED = 1, GREEN, BLUE = 10, NEG = -5, NEXT, };
         typedef enum { ZERO, ONE } count_t;
         enum flags { F_A = 1 << 0, F_B = 1 << 4, F_AB = F_A | F_B, F_SZ = sizeof(int) * 2,
                      F_CH = 'a', F_HEX = 0x7f, F_OCT = 010, F_NOT = ~0, F_TERN = F_A ? 7 : 8 };
         enum big { BIG = 0x80000000 };
         enum huge { HUGE = 0x100000000, HUGE_NEG = -1 };
         enum small : unsigned char { TINY = 200 };
         struct uses { enum color c; count_t n; };
         static const int ANSWER = 42;
         static const unsigned char WRAPPED = 300;",
    );
    for (name, v) in [
        ("RED", 1),
        ("GREEN", 2),
        ("BLUE", 10),
        ("NEG", -5),
        ("NEXT", -4),
        ("ZERO", 0),
        ("ONE", 1),
        ("F_A", 1),
        ("F_B", 16),
        ("F_AB", 17),
        ("F_SZ", 8),
        ("F_CH", 97),
        ("F_HEX", 127),
        ("F_OCT", 8),
        ("F_NOT", -1),
        ("F_TERN", 7),
        ("BIG", 0x8000_0000),
        ("HUGE", 0x1_0000_0000),
        ("HUGE_NEG", -1),
        ("TINY", 200),
        ("ANSWER", 42),
        ("WRAPPED", 44),
        ("true", 1),
    ] {
        assert_eq!(d.constant(name), Some(v), "{name}");
    }
    assert_eq!(d.constant("color"), None);
    assert_eq!(ok(d.type_of("enum color")), Type::I32);
    assert_eq!(ok(d.type_of("count_t")), Type::I32);
    assert_eq!(ok(d.type_of("enum big")), Type::U32);
    assert_eq!(ok(d.type_of("enum huge")), Type::I64);
    assert_eq!(ok(d.type_of("enum small")), Type::U8);
    assert_eq!(offsets(&ok(d.type_of("struct uses"))), [0, 4]);
    // Constants size arrays.
    let d2 = defs("enum { N = 4 }; struct buf { char data[N * 2 + 1]; };");
    assert_eq!(ok(d2.type_of("struct buf")).size(), 9);
    // An enum used before its definition is incomplete by value.
    let mut d3 = defs("enum later *p_later;");
    let e = err(d3.type_of("enum later"));
    assert!(invalid_message(&e).contains("incomplete"), "{e}");
    ok(d3.parse("enum later { L0 };"));
    assert_eq!(ok(d3.type_of("enum later")), Type::I32);
    let e = err(d3.parse("enum again { L0 = 3 };"));
    assert!(matches!(e, CdefError::Redefinition { .. }), "{e}");
    let e = err(d3.parse("enum empty {};"));
    assert!(invalid_message(&e).contains("at least one"), "{e}");
    let e = err(d3.parse("enum tiny : unsigned char { T = 256 };"));
    assert!(invalid_message(&e).contains("does not fit"), "{e}");
}

#[test]
fn constant_expressions() {
    let d = CDefs::new();
    let eval = |e: &str| -> Result<usize, CdefError> { d.size_of(&format!("char[{e}]")) };
    for (e, v) in [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 / 3", 3),
        ("10 % 3", 1),
        ("1 << 10", 1024),
        ("-1 + 5", 4),
        ("!0 + !5", 1),
        ("3 > 2 && 2 > 1", 1),
        ("0 || 0", 0),
        ("(unsigned char)257", 1),
        ("(char)-1 + 2", 1),
        ("sizeof(long) + sizeof(struct { char c; double d; })", 24),
        ("_Alignof(double)", 8),
        ("sizeof(int[3])", 12),
        ("sizeof 1", 4),
        ("sizeof 1L", 8),
        ("(-1 < 0u) + 2", 2),
        ("(-1 < 0) + 2", 3),
        ("~0u >> 28", 15),
        ("0xffffffffffffffff >> 60", 15),
        ("1 ? 2 : 3", 2),
        ("'\\n'", 10),
        ("'\\x41'", 65),
        ("5 - 10 + 6", 1),
        ("2 == 2", 1),
        ("0b101", 5),
    ] {
        assert_eq!(ok(eval(e)), v, "{e}");
    }
    for e in [
        "1 / 0",
        "1 % 0",
        "2147483647 + 1",
        "9223372036854775807L + 1",
        "1 << 32",
        "1 << -1",
        "1.5",
        "UNKNOWN",
        "\"s\"",
        "0x",
        "08",
        "99999999999999999999",
        "(int *)0",
        "(1",
        "1 ?",
        "1 ? 2",
    ] {
        let r = eval(e);
        assert!(r.is_err(), "{e}: {r:?}");
    }
    let e = err(eval("UNKNOWN_MACRO"));
    assert!(
        invalid_message(&e).contains("macros are not expanded"),
        "{e}"
    );
}

#[test]
fn parameters_void_and_variadic() {
    let d = CDefs::new();
    let f = ok(d.function("int f(void)"));
    assert!(f.params.is_empty() && !f.variadic);
    let f = ok(d.function("int g()"));
    assert!(f.params.is_empty());
    let f = ok(d.function("void h(int, char *, double);"));
    assert_eq!(f.params, [Type::I32, Type::Pointer, Type::F64]);
    assert_eq!(f.param_names, [None, None, None]);
    assert_eq!(f.ret, Type::Void);
    let f = ok(d.function("int printf(const char *restrict fmt, ...)"));
    assert!(f.variadic);
    // Default promotions for the extra arguments.
    let sig = f
        .signature_with(&[
            Type::F32,
            Type::I8,
            Type::Bool,
            Type::U16,
            Type::U64,
            Type::Pointer,
        ])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        sig.args(),
        [
            Type::Pointer,
            Type::F64,
            Type::I32,
            Type::I32,
            Type::I32,
            Type::U64,
            Type::Pointer
        ]
    );
    assert_eq!(sig.fixed(), Some(1));
    assert_eq!(f.signature_with(&[]).map(|s| s.fixed()), Ok(Some(1)));
    let plain = ok(d.function("int abs(int)"));
    assert_eq!(plain.signature_with(&[]), Ok(plain.signature.clone()));
    assert!(matches!(
        plain.signature_with(&[Type::I32]),
        Err(TypeError::TooManyArguments { count: 2, max: 1 })
    ));
    assert!(plain.signature_with(&[Type::Void]).is_err());

    for (text, needle) in [
        ("int f(void, int)", "'void' must be the only parameter"),
        ("int f(int, void)", "parameter 2 has type void"),
        ("int f(void x)", "parameter 1 ('x') has type void"),
        ("int f(void, ...)", "has type void"),
    ] {
        let e = err(d.function(text));
        assert!(invalid_message(&e).contains(needle), "{text}: {e}");
    }
    let e = err(d.function("int f(...)"));
    assert!(
        matches!(
            &e,
            CdefError::Type {
                error: TypeError::VariadicWithoutFixed,
                ..
            }
        ),
        "{e}"
    );
    let many = format!("void f({})", vec!["int"; 65].join(", "));
    let e = err(d.function(&many));
    assert!(
        matches!(
            &e,
            CdefError::Type {
                error: TypeError::TooManyArguments { .. },
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn several_declarators_per_declaration() {
    let d = defs(
        "typedef int a_t, *pa_t, arr_t[3], (*fp_t)(void);
         struct s { int a, *b, c[2]; char d, e; };
         int x1, *x2, f1(int), f2(void);",
    );
    assert_eq!(ok(d.type_of("a_t")), Type::I32);
    assert_eq!(ok(d.type_of("pa_t")), Type::Pointer);
    assert_eq!(ok(d.type_of("arr_t")), arr(Type::I32, 3));
    assert_eq!(ok(d.type_of("fp_t")), Type::Pointer);
    let s = ok(d.type_of("struct s"));
    assert_eq!(offsets(&s), [0, 8, 16, 24, 25]);
    assert_eq!(s.size(), 32);
    assert_eq!(d.lookup_variable("x1"), Some(&Type::I32));
    assert_eq!(d.lookup_variable("x2"), Some(&Type::Pointer));
    let names: Vec<&str> = d.functions().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["f1", "f2"]);
    assert!(d.is_typedef("fp_t") && !d.is_typedef("x1"));
}

#[test]
fn comments_and_preprocessor_lines() {
    let d = defs(
        "#include <stdio.h>\n\
         /* a block\n comment */ int f(void); // trailing\n\
         #define LONG_MACRO(a, b) \\\n   ((a) + (b))\n\
           #  pragma once\n\
         int g(int /* inline */ x);\n\
         // int not_declared(void);\n\
         #if 0\nint h(void);\n#endif\n",
    );
    assert!(d.lookup_function("f").is_some());
    assert!(d.lookup_function("g").is_some());
    assert!(d.lookup_function("not_declared").is_none());
    // Directives are skipped, not evaluated.
    assert!(d.lookup_function("h").is_some());
    let e = err(CDefs::new().parse("int x; /* never closed"));
    assert!(invalid_message(&e).contains("unterminated comment"), "{e}");
    let e = err(CDefs::new().parse("int x; # define Y"));
    assert!(invalid_message(&e).contains("must start a line"), "{e}");
}

#[test]
fn bit_fields_are_unsupported_by_value() {
    let mut d = defs(
        "struct flags { unsigned a : 1, b : 3; int : 0; int c; };
         struct flags *get_flags(void);
         typedef struct flags flags_t;",
    );
    assert!(d.lookup_function("get_flags").is_some());
    let e = err(d.type_of("struct flags"));
    assert_eq!(unsupported_what(&e), "struct flags by value");
    assert!(e.to_string().contains("bit-field 'a'"), "{e}");
    let e = err(d.size_of("flags_t"));
    assert!(e.to_string().contains("bit-field"), "{e}");
    let e = err(d.parse("void set_flags(struct flags f);"));
    assert!(matches!(e, CdefError::Unsupported { .. }), "{e}");
    let e = err(d.parse("struct bad_width { int a : -1; };"));
    assert!(invalid_message(&e).contains("negative"), "{e}");
}

#[test]
fn flexible_array_members() {
    let d = defs("struct msg { int len; double data[]; }; struct msg *new_msg(int n);");
    assert_eq!(ok(d.size_of("struct msg")), 8);
    assert_eq!(ok(d.align_of("struct msg")), 8);
    assert_eq!(ok(d.offset_of("struct msg", "data")), 8);
    let e = err(d.type_of("struct msg"));
    assert!(
        e.to_string().contains("flexible array member 'data'"),
        "{e}"
    );
    let e = err(d.type_of("struct { int only[]; }"));
    assert!(
        matches!(
            e,
            CdefError::Type {
                error: TypeError::ZeroSizedStruct { .. },
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn zero_sized_struct_comes_from_the_type_model() {
    let mut d = CDefs::new();
    let e = err(d.parse("struct empty {};"));
    match &e {
        CdefError::Type {
            error: TypeError::ZeroSizedStruct { name },
            ..
        } => assert_eq!(name.as_deref(), Some("empty")),
        other => panic!("{other}"),
    }
    assert!(
        e.to_string().starts_with("1:8: struct empty has size zero"),
        "{e}"
    );
    let e = err(d.parse("union nothing {};"));
    assert!(
        invalid_message(&e).contains("union nothing has size zero"),
        "{e}"
    );
}

#[test]
fn syntax_errors_say_where_and_what() {
    let d = CDefs::new();
    let e = err(d.function("int f(int a;"));
    match &e {
        CdefError::Syntax {
            expected, found, ..
        } => {
            assert_eq!(expected, "')' or ',' after parameter");
            assert_eq!(found, "';'");
        }
        other => panic!("{other}"),
    }
    assert_eq!(
        e.to_string(),
        "1:12: expected ')' or ',' after parameter, found ';'\n    int f(int a;\n               ^"
    );
    assert_eq!(e.location().line, 1);
    assert_eq!(e.location().column, 12);
    assert_eq!(
        e.message(),
        "expected ')' or ',' after parameter, found ';'"
    );

    let mut d2 = CDefs::new();
    let e = err(d2.parse("int ok1(void);\nstruct s {\n\tint a\n\tint b;\n};"));
    assert_eq!((e.location().line, e.location().column), (4, 2), "{e}");
    assert!(
        e.to_string()
            .contains("expected ',' or ';' after member, found 'int'"),
        "{e}"
    );
    // The caret keeps the tab.
    assert!(e.to_string().ends_with("\n    \tint b;\n    \t^"), "{e:?}");
    // All or nothing: the first declaration was not kept.
    assert!(d2.lookup_function("ok1").is_none());

    for (src, expected) in [
        ("int f(", "a type"),
        ("int x", "';' or ',' after declarator"),
        ("int (*fp(int);", "')' to close the declarator"),
        ("struct { int a; ", "a member or '}' to close the struct"),
        ("int a[3;", "']' after the array size"),
        ("struct;", "a tag name or '{' after 'struct'"),
        ("int;;int *;", "a name in the declaration"),
        ("enum { A B };", "',' or '}' after enumerator"),
    ] {
        let e = err(CDefs::new().parse(src));
        match &e {
            CdefError::Syntax { expected: x, .. } => assert_eq!(x, expected, "{src}"),
            other => panic!("{src}: {other}"),
        }
    }
    let e = err(CDefs::new().parse("int x;\nint y = ;"));
    assert!(
        e.to_string()
            .starts_with("2:9: expected an integer constant expression, found ';'"),
        "{e}"
    );
    let e = err(d.type_of("int x"));
    assert!(
        e.to_string()
            .contains("expected end of the type name, found identifier 'x'"),
        "{e}"
    );
    let e = err(d.type_of(""));
    assert!(e.to_string().contains("found end of input"), "{e}");
    let e = err(d.type_of("int @"));
    assert!(e.to_string().contains("unexpected character '@'"), "{e}");
}

#[test]
fn long_lines_are_shown_as_a_window() {
    let src = format!("{}int f(int a;{}", " ".repeat(300), " ".repeat(300));
    let e = err(CDefs::new().parse(&src));
    let text = e.to_string();
    let mut lines = text.lines().skip(1);
    let (line, caret) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    assert!(line.len() < 120 && line.contains("int f(int a;"), "{text}");
    let col = caret.find('^').unwrap_or(0);
    assert_eq!(line.as_bytes().get(col), Some(&b';'), "{text}");
}

#[test]
fn unknown_type_names_with_suggestions() {
    let mut d = CDefs::new();
    let e = err(d.parse("foo_t make(void);"));
    assert_eq!(e.message(), "unknown type name 'foo_t'");
    assert_eq!(e.location().column, 1);
    ok(d.parse("struct foo_t { int a; }; enum mode { M0 }; int counter;"));
    let e = err(d.parse("void use(foo_t x);"));
    assert_eq!(
        e.message(),
        "unknown type name 'foo_t'; did you mean 'struct foo_t'?"
    );
    assert_eq!(e.location().column, 10);
    let e = err(d.function("mode get(void)"));
    assert_eq!(
        e.message(),
        "unknown type name 'mode'; did you mean 'enum mode'?"
    );
    let e = err(d.function("uint32 get(void)"));
    assert_eq!(
        e.message(),
        "unknown type name 'uint32'; did you mean 'uint32_t'?"
    );
    let e = err(d.function("counter get(void)"));
    assert_eq!(
        e.message(),
        "unknown type name 'counter'; 'counter' is a variable, not a type"
    );
    let e = err(d.function("int f(n)"));
    assert!(matches!(e, CdefError::UnknownType { .. }), "{e}");
}

#[test]
fn redefinitions() {
    let header = "typedef unsigned long size_t; typedef struct { int x; } pt; \
                  struct node { int v; struct node *next; }; enum e { E1, E2 }; \
                  int f(int); extern int var; typedef int (*cb)(void *);";
    let mut d = defs(header);
    // The same header again is fine.
    ok(d.parse(header));
    ok(d.parse("typedef long ssize_t; typedef int wchar_t; int f(int x); struct node;"));
    for (src, needle) in [
        ("typedef int size_t;", "redefinition of typedef 'size_t' with a different type: 'unsigned long' before, 'int' now"),
        ("typedef int (*cb)(char *);", "with a different type"),
        ("struct node { int v; };", "redefinition of 'struct node' with a different body"),
        ("union node *p;", "'node' is a struct tag, used here as a union tag"),
        ("enum e { E1 = 5 };", "redefinition of constant 'E1'"),
        ("long f(int);", "conflicting types for 'f': 'int f(int)' before, 'long f(int)' now"),
        ("char var;", "conflicting types for 'var'"),
        ("int size_t(void);", "'size_t' redeclared as a function; it is a typedef"),
        ("typedef int f;", "'f' redeclared as a typedef; it is a function"),
    ] {
        let e = err(d.parse(src));
        match &e {
            CdefError::Redefinition { message, .. } => {
                assert!(message.contains(needle), "{src}: {message}")
            }
            other => panic!("{src}: {other}"),
        }
    }
}

#[test]
fn function_queries_do_not_register() {
    let d = CDefs::new();
    let f = ok(d.function("struct pair { int a, b; } swap(struct pair p)"));
    assert_eq!(f.ret.size(), 8);
    assert!(d.lookup_function("swap").is_none());
    assert!(err(d.type_of("struct pair"))
        .to_string()
        .contains("incomplete"));
    for (src, needle) in [
        (
            "int a(void); int b(void);",
            "end of input after the function declaration",
        ),
        ("typedef int t;", "not typedef 't'"),
        ("int x;", "'x' is not declared as a function"),
        ("struct s { int a; };", "expected a function declaration"),
        ("", "expected a function declaration"),
    ] {
        let e = err(d.function(src));
        assert!(e.to_string().contains(needle), "{src}: {e}");
    }
    let f = ok(d.function("int fscanf(FILE *restrict s, const char *restrict f, ...) __asm__(\"\" \"__isoc99_fscanf\")"));
    assert_eq!(f.link_name.as_deref(), Some("__isoc99_fscanf"));
    assert_eq!(f.symbol(), "__isoc99_fscanf");
    assert_eq!(ok(d.function("int puts(const char *)")).symbol(), "puts");
}

#[test]
fn attributes_storage_classes_and_bodies() {
    let d = defs(
        "extern int atexit(void (*)(void)) __attribute__((nothrow, __leaf__));
         __attribute__((noreturn)) void die(const char *msg, ...) __attribute__((format(printf, 1, 2)));
         static inline int twice(int x) { if (x) { return x * 2; } return 0; }
         extern __inline __attribute__((__gnu_inline__)) int thrice(int x) { return x * 3; }
         [[nodiscard]] int checked(void);
         _Noreturn void quit(int);
         int vprintf_like(const char *fmt, va_list ap);
         FILE *open_file(const char *name);
         _Static_assert(sizeof(va_list) == 24, \"va_list\");
         struct with_assert { int a; _Static_assert(sizeof(int) == 4, \"int\"); };",
    );
    for name in [
        "atexit",
        "die",
        "checked",
        "quit",
        "vprintf_like",
        "open_file",
    ] {
        assert!(d.lookup_function(name).is_some(), "{name}");
    }
    assert!(d.lookup_function("twice").is_none());
    assert!(d.lookup_function("thrice").is_none());
    assert_eq!(
        d.lookup_function("vprintf_like").map(|f| f.params.clone()),
        Some(vec![Type::Pointer, Type::Pointer])
    );
    assert_eq!(ok(d.size_of("va_list")), 24);
    let e = err(CDefs::new().parse("struct p { char c; int i; } __attribute__((packed));"));
    assert_eq!(unsupported_what(&e), "__attribute__((packed))");
    let e = err(CDefs::new().parse("typedef int v4 __attribute__ ((__vector_size__ (16)));"));
    assert_eq!(unsupported_what(&e), "__attribute__((vector_size))");
    let e = err(CDefs::new().parse("struct a { _Alignas(16) int x; };"));
    assert_eq!(unsupported_what(&e), "_Alignas");
    let e = err(CDefs::new().parse("int body(void) { return 0; }"));
    assert_eq!(unsupported_what(&e), "a function definition");
    let e = err(CDefs::new().parse("_Static_assert(sizeof(int) == 8, \"int is 8\");"));
    assert_eq!(invalid_message(&e), "static assertion failed: int is 8");
    let e = err(CDefs::new().parse("int v = 3;"));
    assert_eq!(unsupported_what(&e), "the initializer of 'v'");
}

#[test]
fn variables() {
    let d = defs("extern int counter; extern const char *names; extern struct { int a; double b; } pair; double table[4];");
    assert_eq!(d.lookup_variable("counter"), Some(&Type::I32));
    assert_eq!(d.lookup_variable("names"), Some(&Type::Pointer));
    assert_eq!(d.lookup_variable("pair").map(Type::size), Some(16));
    assert_eq!(d.lookup_variable("table"), Some(&arr(Type::F64, 4)));
    let e = err(CDefs::new().parse("extern void nothing;"));
    assert!(
        invalid_message(&e).contains("variable 'nothing' has type void"),
        "{e}"
    );
    let e = err(CDefs::new().parse("extern char *environ_like[];"));
    assert!(invalid_message(&e).contains("array of unknown size"), "{e}");
}

#[test]
fn type_names_are_queries() {
    let d = CDefs::new();
    assert_eq!(ok(d.type_of("struct q { int a; }")).size(), 4);
    // Nothing was registered.
    assert!(err(d.type_of("struct q"))
        .to_string()
        .contains("incomplete"));
    assert_eq!(ok(d.type_of("FILE *")), Type::Pointer);
    let e = err(d.type_of("FILE"));
    assert!(
        invalid_message(&e).contains("incomplete type 'struct _IO_FILE'"),
        "{e}"
    );
    assert_eq!(ok(d.type_of("void")), Type::Void);
}

#[test]
fn nesting_limits_give_errors() {
    let mut d = CDefs::new();
    let deep = format!("int {}x{};", "(".repeat(500), ")".repeat(500));
    assert!(err(d.parse(&deep)).to_string().contains("nesting"));
    let stars = format!("int {}p;", "*".repeat(100_000));
    assert!(err(d.parse(&stars)).to_string().contains("too complex"));
    let dims = format!("int a{};", "[1]".repeat(100));
    assert!(d.parse(&dims).is_err());
    let mut chain = String::from("struct s0 { int a; };\n");
    for i in 1..100 {
        chain.push_str(&format!("struct s{i} {{ struct s{} a; }};\n", i - 1));
    }
    let e = err(d.parse(&chain));
    assert!(e.to_string().contains("64 deep"), "{e}");
    let mut arrays = String::from("typedef int a0[1];\n");
    for i in 1..100 {
        arrays.push_str(&format!("typedef a{} a{i}[1];\n", i - 1));
    }
    assert!(d.parse(&arrays).is_err());
    let mut ptrs = String::from("typedef int *p0;\n");
    for i in 1..5000 {
        ptrs.push_str(&format!("typedef p{} *p{i};\n", i - 1));
    }
    assert!(err(d.parse(&ptrs)).to_string().contains("too complex"));
    // Every recursive path stops at the nesting limit with an error.
    for src in [
        format!("char a[{}1{}];", "(".repeat(5000), ")".repeat(5000)),
        format!("char a[{}1];", "- ".repeat(5000)),
        format!("char a[{}1];", "(int)".repeat(5000)),
        format!("char a[{}1];", "sizeof ".repeat(5000)),
        format!("char a[1{}];", " ? 1 : 1 ? (1".repeat(2000)),
        format!("int f({});", "int (*)(".repeat(5000)),
        format!("int f({}", "int g(".repeat(5000)),
        format!("struct a {{ {} }};", "struct { ".repeat(5000)),
        format!("enum {{ A = {} }};", "sizeof(enum { B = ".repeat(5000)),
        format!(
            "int x = 1 {};",
            "|| 1 && 1 | 1 ^ 1 & 1 == 1 < 1 << 1 + 1 * (1".repeat(2000)
        ),
    ] {
        let e = err(d.parse(&src));
        assert!(e.to_string().contains("nesting"), "{e}");
    }
    // Within the limits, it works.
    let mut ok_chain = String::from("struct t0 { int a; };\n");
    for i in 1..40 {
        ok_chain.push_str(&format!(
            "struct t{i} {{ struct t{} a; char c; }};\n",
            i - 1
        ));
    }
    ok(d.parse(&ok_chain));
    assert_eq!(ok(d.size_of("struct t39")), 4 + 39 * 4);
}

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
