//! Base types, specifiers, pointers, function types, arrays.

use super::*;

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
