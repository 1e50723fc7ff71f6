//! Errors: syntax, unknown names, redefinitions, queries and nesting limits.

use super::*;

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
