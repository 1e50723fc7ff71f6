//! Structs, unions, enums, constant expressions, parameters and the rest of the declaration grammar.

use super::*;

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
