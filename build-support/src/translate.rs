//! bindgen's output → alien declarations, the `prototypes` description, and
//! bindgen's own types and constants.

use crate::helpers::HELPERS;
use crate::options::{Direction, Options, ParamKind};
use crate::print::{push_wrapped, ty_str};
use crate::BuildError;
use proc_macro2::Span;
use quote::{quote, ToTokens};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use syn::visit_mut::VisitMut;
use syn::{Attribute, Expr, ForeignItem, Ident, Item, Lit, Meta, ReturnType, Type, TypePath};

/// C type names imported from `core::ffi` at the top of the file.
const C_NAMES: &[&str] = &[
    "c_char",
    "c_schar",
    "c_uchar",
    "c_short",
    "c_ushort",
    "c_int",
    "c_uint",
    "c_long",
    "c_ulong",
    "c_longlong",
    "c_ulonglong",
    "c_float",
    "c_double",
    "c_void",
];

/// Most fixed parameters of a variadic declaration (the macro's limit).
const MAX_VARIADIC_FIXED: usize = 4;
/// Most arguments of a callback made from a closure.
const MAX_CLOSURE_ARGS: usize = 10;
/// Lines longer than this get one parameter per line.
const WIDTH: usize = 100;

/// `::core::ffi::c_int` → `c_int`, `::core::option::Option` → `Option`,
/// recording which C names were used.
#[derive(Default)]
struct ShortPaths {
    used: BTreeSet<&'static str>,
}

impl VisitMut for ShortPaths {
    fn visit_type_path_mut(&mut self, tp: &mut TypePath) {
        syn::visit_mut::visit_type_path_mut(self, tp);
        if tp.qself.is_some() || tp.path.leading_colon.is_none() {
            return;
        }
        let segs = &tp.path.segments;
        let root = |i: usize| segs[i].ident == "core" || segs[i].ident == "std";
        let c_name = |seg: &syn::PathSegment| C_NAMES.iter().copied().find(|n| seg.ident == n);
        let short = match segs.len() {
            3 if root(0) && segs[1].ident == "ffi" => c_name(&segs[2]).map(Some),
            4 if root(0) && segs[1].ident == "os" && segs[2].ident == "raw" => {
                c_name(&segs[3]).map(Some)
            }
            3 if root(0) && segs[1].ident == "option" && segs[2].ident == "Option" => Some(None),
            _ => None,
        };
        if let Some(used) = short {
            if let Some(n) = used {
                self.used.insert(n);
            }
            if let Some(last) = tp.path.segments.pop() {
                tp.path.leading_colon = None;
                tp.path.segments = std::iter::once(last.into_value()).collect();
            }
        }
    }
}

/// Replaces the named types (C enums made into Rust enums) with their
/// integer type, for the C view.
struct ReplaceTypes<'a> {
    map: &'a HashMap<String, Type>,
}

impl VisitMut for ReplaceTypes<'_> {
    fn visit_type_mut(&mut self, t: &mut Type) {
        if let Some(name) = single_name(t) {
            if let Some(repr) = self.map.get(&name) {
                *t = repr.clone();
                return;
            }
        }
        syn::visit_mut::visit_type_mut(self, t);
    }
}

fn single_name(t: &Type) -> Option<String> {
    match t {
        Type::Path(p)
            if p.qself.is_none()
                && p.path.leading_colon.is_none()
                && p.path.segments.len() == 1 =>
        {
            let s = &p.path.segments[0];
            s.arguments.is_none().then(|| s.ident.to_string())
        }
        _ => None,
    }
}

fn docs(attrs: &[Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for a in attrs {
        if !a.path().is_ident("doc") {
            continue;
        }
        if let Meta::NameValue(nv) = &a.meta {
            if let Expr::Lit(l) = &nv.value {
                if let Lit::Str(s) = &l.lit {
                    out.extend(s.value().lines().map(|l| l.trim_end().to_owned()));
                }
            }
        }
    }
    // Trailing blank lines say nothing.
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out
}

fn link_name(attrs: &[Attribute]) -> Option<String> {
    for a in attrs {
        if !a.path().is_ident("link_name") {
            continue;
        }
        if let Meta::NameValue(nv) = &a.meta {
            if let Expr::Lit(l) = &nv.value {
                if let Lit::Str(s) = &l.lit {
                    return Some(s.value().trim_start_matches('\u{1}').to_owned());
                }
            }
        }
    }
    None
}

fn ident(name: &str) -> Ident {
    syn::parse_str::<Ident>(name).unwrap_or_else(|_| Ident::new_raw(name, Span::call_site()))
}

/// One parameter of a declaration.
struct Param {
    prefix: &'static str,
    name: String,
    ty: String,
    /// The buffer parameter whose length this one is (`= buf.len()`).
    tie: Option<String>,
}

/// One function, as it will be declared.
struct Decl {
    docs: Vec<String>,
    flags: Vec<&'static str>,
    unsafety: bool,
    name: String,
    params: Vec<Param>,
    variadic: bool,
    ret: Option<String>,
    c_name: Option<String>,
}

impl Decl {
    fn render(&self, out: &mut String) {
        for d in &self.docs {
            let _ = writeln!(out, "    ///{d}");
        }
        if !self.flags.is_empty() {
            let _ = writeln!(out, "    #[alien({})]", self.flags.join(", "));
        }
        let head = format!(
            "    pub {}fn {}(",
            if self.unsafety { "unsafe " } else { "" },
            self.name
        );
        let mut params: Vec<String> = self
            .params
            .iter()
            .map(|p| match &p.tie {
                Some(buf) => format!("{}{}: {} = {buf}.len()", p.prefix, p.name, p.ty),
                None => format!("{}{}: {}", p.prefix, p.name, p.ty),
            })
            .collect();
        if self.variadic {
            params.push("...".to_owned());
        }
        let mut tail = ")".to_owned();
        if let Some(r) = &self.ret {
            let _ = write!(tail, " -> {r}");
        }
        if let Some(c) = &self.c_name {
            let _ = write!(tail, " = {c:?}");
        }
        tail.push(';');
        let one = format!("{head}{}{tail}", params.join(", "));
        if one.len() <= WIDTH || params.is_empty() {
            let _ = writeln!(out, "{one}");
        } else {
            let _ = writeln!(out, "{head}");
            for p in &params {
                let _ = writeln!(out, "        {p},");
            }
            let _ = writeln!(out, "    {tail}");
        }
    }
}

/// What a header's type resolves to through typedefs.
struct Types<'a> {
    aliases: HashMap<String, &'a Type>,
    structs: HashSet<String>,
}

impl Types<'_> {
    fn resolve<'t>(&'t self, mut t: &'t Type) -> &'t Type {
        for _ in 0..32 {
            match single_name(t).and_then(|n| self.aliases.get(&n)) {
                Some(next) => t = next,
                None => break,
            }
        }
        t
    }

    fn is_byte(&self, t: &Type) -> bool {
        matches!(
            single_name(self.resolve(t)).as_deref(),
            Some("u8" | "i8" | "c_char" | "c_uchar" | "c_schar" | "c_void")
        )
    }

    fn is_char(&self, t: &Type) -> bool {
        matches!(
            single_name(self.resolve(t)).as_deref(),
            Some("c_char" | "i8" | "c_schar")
        )
    }

    fn is_pointer(&self, t: &Type) -> bool {
        matches!(self.resolve(t), Type::Ptr(_))
    }

    /// The struct named by `t` (through typedefs), if any.
    fn struct_of(&self, t: &Type) -> Option<String> {
        single_name(self.resolve(t)).filter(|n| self.structs.contains(n))
    }
}

/// Parses bindgen's layout test `["Size of X"][size_of::<X>() - 8usize]`.
fn layout_tests(item: &syn::ItemConst, sizes: &mut Vec<(String, u64, u64)>) {
    let Expr::Block(b) = &*item.expr else { return };
    for stmt in &b.block.stmts {
        let syn::Stmt::Expr(Expr::Index(ix), _) = stmt else {
            continue;
        };
        let Expr::Array(arr) = &*ix.expr else {
            continue;
        };
        let Some(Expr::Lit(l)) = arr.elems.first() else {
            continue;
        };
        let Lit::Str(label) = &l.lit else { continue };
        let Expr::Binary(bin) = &*ix.index else {
            continue;
        };
        let Expr::Lit(n) = &*bin.right else { continue };
        let Lit::Int(n) = &n.lit else { continue };
        let Ok(n) = n.base10_parse::<u64>() else {
            continue;
        };
        let label = label.value();
        if let Some(name) = label.strip_prefix("Size of ") {
            match sizes.iter_mut().find(|(s, _, _)| s == name) {
                Some(e) => e.1 = n,
                None => sizes.push((name.to_owned(), n, 0)),
            }
        } else if let Some(name) = label.strip_prefix("Alignment of ") {
            match sizes.iter_mut().find(|(s, _, _)| s == name) {
                Some(e) => e.2 = n,
                None => sizes.push((name.to_owned(), 0, n)),
            }
        }
    }
}

fn config(message: String) -> BuildError {
    BuildError::Config { message }
}

/// Translates bindgen's output.
pub(crate) fn translate(raw: &str, opts: &Options) -> Result<String, BuildError> {
    let file = syn::parse_file(raw).map_err(|source| BuildError::Output { source })?;
    let mut file_items = file.items;
    let mut short = ShortPaths::default();
    for item in &mut file_items {
        short.visit_item_mut(item);
    }

    // Functions and variables leave the item list; everything else stays.
    let mut functions: Vec<syn::ForeignItemFn> = Vec::new();
    let mut statics: Vec<syn::ForeignItemStatic> = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    for item in file_items {
        match item {
            Item::ForeignMod(m) => {
                for fi in m.items {
                    match fi {
                        ForeignItem::Fn(f) => functions.push(f),
                        ForeignItem::Static(s) => statics.push(s),
                        _ => {}
                    }
                }
            }
            other => items.push(other),
        }
    }

    // C enums picked by `c_enum`: their typedef goes, their constants and
    // every other use take the integer type.
    let mut enum_repr: HashMap<String, Type> = HashMap::new();
    let mut enum_docs: HashMap<String, Vec<String>> = HashMap::new();
    if !opts.c_enums.is_empty() {
        let typed_consts: HashSet<String> = items
            .iter()
            .filter_map(|i| match i {
                Item::Const(c) => single_name(&c.ty),
                _ => None,
            })
            .collect();
        for item in &items {
            if let Item::Type(t) = item {
                let name = t.ident.to_string();
                if typed_consts.contains(&name) && opts.c_enums.iter().any(|r| r.is_match(&name)) {
                    enum_repr.insert(name.clone(), (*t.ty).clone());
                    enum_docs.insert(name, docs(&t.attrs));
                }
            }
        }
    }
    let mut enums: Vec<(String, Vec<(String, String)>)> = Vec::new();
    if !enum_repr.is_empty() {
        items.retain(
            |i| !matches!(i, Item::Type(t) if enum_repr.contains_key(&t.ident.to_string())),
        );
        let mut names: Vec<&String> = enum_repr.keys().collect();
        names.sort();
        for e in names {
            let prefix = format!("{e}_");
            let variants = items
                .iter()
                .filter_map(|i| match i {
                    Item::Const(c) if single_name(&c.ty).as_deref() == Some(e.as_str()) => {
                        let cname = c.ident.to_string();
                        let v = cname
                            .strip_prefix(&prefix)
                            .filter(|v| syn::parse_str::<Ident>(v).is_ok());
                        Some((v.unwrap_or(&cname).to_owned(), cname))
                    }
                    _ => None,
                })
                .collect();
            enums.push((e.clone(), variants));
        }
        let mut replace = ReplaceTypes { map: &enum_repr };
        for item in &mut items {
            replace.visit_item_mut(item);
        }
        for s in &mut statics {
            replace.visit_type_mut(&mut s.ty);
        }
    }
    // Sort the enums in the order their constants appear.
    let order: HashMap<String, usize> = items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| match it {
            Item::Const(c) => Some((c.ident.to_string(), i)),
            _ => None,
        })
        .collect();
    enums.sort_by_key(|(_, vs)| {
        vs.first()
            .and_then(|(_, c)| order.get(c).copied())
            .unwrap_or(usize::MAX)
    });

    // Names in the type namespace: a function whose companion module would
    // clash with one is renamed `<name>_fn`.
    let mut type_names: HashSet<String> = HashSet::new();
    let mut struct_names: HashSet<String> = HashSet::new();
    let mut aliases: HashMap<String, &Type> = HashMap::new();
    let mut sizes: Vec<(String, u64, u64)> = Vec::new();
    let mut consts: Vec<String> = Vec::new();
    for item in &items {
        match item {
            Item::Struct(s) => {
                type_names.insert(s.ident.to_string());
                struct_names.insert(s.ident.to_string());
            }
            Item::Union(u) => {
                type_names.insert(u.ident.to_string());
            }
            Item::Enum(e) => {
                type_names.insert(e.ident.to_string());
            }
            Item::Type(t) => {
                type_names.insert(t.ident.to_string());
                aliases.insert(t.ident.to_string(), &t.ty);
            }
            Item::Mod(m) => {
                type_names.insert(m.ident.to_string());
            }
            Item::Const(c) if c.ident == "_" => layout_tests(c, &mut sizes),
            Item::Const(c) => consts.push(c.ident.to_string()),
            _ => {}
        }
    }
    type_names.extend(enum_repr.keys().cloned());
    if let Some(m) = &opts.prototypes {
        type_names.insert(m.clone());
    }
    let types = Types {
        aliases,
        structs: struct_names,
    };

    // Every rule must name a parameter that exists.
    for rule in &opts.params {
        let Some(f) = functions.iter().find(|f| f.sig.ident == rule.function) else {
            return Err(config(format!(
                "a parameter rule names function `{}`, which the header does not declare (or the allowlist leaves out)",
                rule.function
            )));
        };
        let names: Vec<String> = param_names(f);
        if !names.contains(&rule.param) {
            return Err(config(format!(
                "a parameter rule names `{}` of `{}`, which has no such parameter (it has: {})",
                rule.param,
                rule.function,
                names.join(", ")
            )));
        }
        if let ParamKind::Buffer { len: Some(len) } = &rule.kind {
            if !names.contains(len) {
                return Err(config(format!(
                    "the buffer `{}` of `{}` names its length `{len}`, which is not a parameter (it has: {})",
                    rule.param,
                    rule.function,
                    names.join(", ")
                )));
            }
        }
    }
    for r in &opts.return_cstr {
        if !functions.iter().any(|f| f.sig.ident == *r) {
            return Err(config(format!(
                "`return_cstr` names function `{r}`, which the header does not declare (or the allowlist leaves out)"
            )));
        }
    }

    let mut by_value_structs: BTreeSet<String> = BTreeSet::new();
    let mut decls: Vec<Decl> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut prototypes: Vec<(Vec<String>, String, String)> = Vec::new();
    for f in &functions {
        let rust = f.sig.ident.to_string();
        let c_name = link_name(&f.attrs).unwrap_or_else(|| rust.clone());
        let variadic = f.sig.variadic.is_some();
        let fixed = f.sig.inputs.len();
        // The C view, for the description.
        let mut c_fn = syn::TypeBareFn {
            lifetimes: None,
            unsafety: Some(Default::default()),
            abi: Some(syn::Abi {
                extern_token: Default::default(),
                name: Some(syn::LitStr::new("C", Span::call_site())),
            }),
            fn_token: Default::default(),
            paren_token: Default::default(),
            inputs: f
                .sig
                .inputs
                .iter()
                .filter_map(|a| match a {
                    syn::FnArg::Typed(pt) => Some(syn::BareFnArg {
                        attrs: Vec::new(),
                        name: match &*pt.pat {
                            syn::Pat::Ident(i) => Some((i.ident.clone(), Default::default())),
                            _ => None,
                        },
                        ty: (*pt.ty).clone(),
                    }),
                    syn::FnArg::Receiver(_) => None,
                })
                .collect(),
            variadic: f.sig.variadic.as_ref().map(|_| syn::BareVariadic {
                attrs: Vec::new(),
                name: None,
                dots: Default::default(),
                comma: None,
            }),
            output: match &f.sig.output {
                ReturnType::Type(_, t) if !matches!(**t, Type::Never(_)) => f.sig.output.clone(),
                _ => ReturnType::Default,
            },
        };
        ReplaceTypes { map: &enum_repr }.visit_type_bare_fn_mut(&mut c_fn);
        prototypes.push((docs(&f.attrs), c_name.clone(), ty_str(&Type::BareFn(c_fn))));

        if variadic && fixed > MAX_VARIADIC_FIXED {
            skipped.push(format!(
                "`{c_name}`: variadic with {fixed} fixed parameters (declarations take at most {MAX_VARIADIC_FIXED})"
            ));
            continue;
        }
        let mut params = Vec::new();
        let mut needs_unsafe = variadic;
        let mut extra_docs = Vec::new();
        // (length parameter, buffer parameter) of `param_buffer` rules.
        let mut ties: Vec<(String, String)> = Vec::new();
        for arg in &f.sig.inputs {
            let syn::FnArg::Typed(pt) = arg else { continue };
            let pname = pt.pat.to_token_stream().to_string();
            let rule = opts
                .params
                .iter()
                .rev()
                .find(|r| r.function == rust && r.param == pname)
                .map(|r| &r.kind);
            let original: &Type = &pt.ty;
            // Parameters of a C enum's type take the Rust enum; elsewhere
            // the C view.
            let c_view = |t: &Type| -> Type {
                let mut t = t.clone();
                ReplaceTypes { map: &enum_repr }.visit_type_mut(&mut t);
                t
            };
            let keep_enum = |t: &Type| -> Type {
                match single_name(t) {
                    Some(n) if enum_repr.contains_key(&n) => t.clone(),
                    _ => c_view(t),
                }
            };
            let what = || format!("parameter `{pname}` of `{rust}`");
            let (prefix, ty): (&'static str, String) = match rule {
                None | Some(ParamKind::Direction(Direction::In)) => {
                    let t = keep_enum(original);
                    if types.is_pointer(&t) {
                        needs_unsafe = true;
                    }
                    if let Some(s) = types.struct_of(&t) {
                        by_value_structs.insert(s);
                    }
                    ("", ty_str(&t))
                }
                Some(ParamKind::Direction(d)) => {
                    let Type::Ptr(p) = original else {
                        return Err(config(format!(
                            "{} is `{}`, not a pointer: it cannot be `{}`",
                            what(),
                            ty_str(original),
                            if *d == Direction::Out { "out" } else { "inout" }
                        )));
                    };
                    if p.mutability.is_none() {
                        return Err(config(format!(
                            "{} is `{}`: C does not write through a `const` pointer, so it cannot be `out`/`inout`",
                            what(),
                            ty_str(original)
                        )));
                    }
                    if single_name(types.resolve(&p.elem)).as_deref() == Some("c_void") {
                        return Err(config(format!(
                            "{} is `{}`: `void` has no value to return; say what it points to with a raw pointer",
                            what(),
                            ty_str(original)
                        )));
                    }
                    let elem = keep_enum(&p.elem);
                    if let Some(s) = types.struct_of(&elem) {
                        by_value_structs.insert(s);
                    }
                    (
                        if *d == Direction::Out {
                            "out "
                        } else {
                            "inout "
                        },
                        ty_str(&elem),
                    )
                }
                Some(ParamKind::String | ParamKind::CStr) => {
                    let ok = matches!(original, Type::Ptr(p) if p.const_token.is_some() && types.is_char(&p.elem));
                    if !ok {
                        return Err(config(format!(
                            "{} is `{}`: only a `const char *` can be taken as a string",
                            what(),
                            ty_str(original)
                        )));
                    }
                    let t = if matches!(rule, Some(ParamKind::String)) {
                        "&str"
                    } else {
                        "&CStr"
                    };
                    ("", t.to_owned())
                }
                Some(ParamKind::Buffer { len }) => {
                    let Type::Ptr(p) = original else {
                        return Err(config(format!(
                            "{} is `{}`, not a pointer: it cannot be a buffer",
                            what(),
                            ty_str(original)
                        )));
                    };
                    if !types.is_byte(&p.elem) {
                        return Err(config(format!(
                            "{} is `{}`: a buffer is a pointer to bytes (`void`, `char`, `unsigned char`)",
                            what(),
                            ty_str(original)
                        )));
                    }
                    match len {
                        // The wrapper passes the buffer's length (below).
                        Some(len) => {
                            extra_docs.push(format!(
                                " `{len}` is `{pname}`'s length, passed by the wrapper."
                            ));
                            ties.push((len.clone(), pname.clone()));
                        }
                        // C learns the length some other way: only the caller knows.
                        None => needs_unsafe = true,
                    }
                    (
                        "",
                        if p.mutability.is_some() {
                            "&mut [u8]"
                        } else {
                            "&[u8]"
                        }
                        .to_owned(),
                    )
                }
                Some(ParamKind::Closure) => {
                    let mut t = types.resolve(original).clone();
                    ReplaceTypes { map: &enum_repr }.visit_type_mut(&mut t);
                    let bare = match &t {
                        Type::BareFn(b) => Some(b.clone()),
                        Type::Path(p) => p.path.segments.last().and_then(|s| match &s.arguments {
                            syn::PathArguments::AngleBracketed(a) if s.ident == "Option" => {
                                match a.args.first() {
                                    Some(syn::GenericArgument::Type(Type::BareFn(b))) => {
                                        Some(b.clone())
                                    }
                                    _ => None,
                                }
                            }
                            _ => None,
                        }),
                        _ => None,
                    };
                    let Some(bare) = bare else {
                        return Err(config(format!(
                            "{} is `{}`, not a function pointer: it cannot take a closure",
                            what(),
                            ty_str(original)
                        )));
                    };
                    if bare.variadic.is_some() || bare.inputs.len() > MAX_CLOSURE_ARGS {
                        return Err(config(format!(
                            "{} is a variadic function pointer or takes more than {MAX_CLOSURE_ARGS} arguments: it cannot take a closure",
                            what()
                        )));
                    }
                    let args = bare.inputs.iter().map(|a| &a.ty);
                    let ret = match &bare.output {
                        ReturnType::Type(_, t) => quote!(-> #t),
                        ReturnType::Default => quote!(),
                    };
                    let closure: Type = syn::parse_quote!(impl FnMut(#(#args),*) #ret);
                    ("", ty_str(&closure))
                }
            };
            params.push(Param {
                prefix,
                name: pname,
                ty,
                tie: None,
            });
        }
        for (len, buf) in ties {
            match params.iter_mut().find(|p| p.name == len) {
                Some(p) if p.prefix != "out " => p.tie = Some(buf),
                // An `out` length cannot be the buffer's: C is trusted with it.
                _ => needs_unsafe = true,
            }
        }
        let ret = match &f.sig.output {
            ReturnType::Type(_, t) if !matches!(**t, Type::Never(_)) => {
                if opts.return_cstr.contains(&rust) {
                    let ok = matches!(&**t, Type::Ptr(p) if types.is_char(&p.elem));
                    if !ok {
                        return Err(config(format!(
                            "`{rust}` returns `{}`: only a `char *` result can be returned as `&CStr`",
                            ty_str(t)
                        )));
                    }
                    Some("&CStr".to_owned())
                } else {
                    let t = match single_name(t) {
                        Some(n) if enum_repr.contains_key(&n) => (**t).clone(),
                        _ => {
                            let mut t = (**t).clone();
                            ReplaceTypes { map: &enum_repr }.visit_type_mut(&mut t);
                            t
                        }
                    };
                    if let Some(s) = types.struct_of(&t) {
                        by_value_structs.insert(s);
                    }
                    Some(ty_str(&t))
                }
            }
            _ => None,
        };
        let safe_wanted = opts.safe_functions.iter().any(|r| r.is_match(&rust));
        if safe_wanted && needs_unsafe {
            return Err(config(format!(
                "`{rust}` cannot be declared safe: it takes a raw pointer or a buffer without a length parameter, or is variadic"
            )));
        }
        let mut flags = Vec::new();
        if opts.errno_functions.iter().any(|r| r.is_match(&rust)) {
            flags.push("errno");
        }
        let (name, explicit_c) = if type_names.contains(&rust) {
            (format!("{rust}_fn"), Some(c_name.clone()))
        } else if c_name != rust {
            (rust.clone(), Some(c_name.clone()))
        } else {
            (rust.clone(), None)
        };
        let mut d = docs(&f.attrs);
        if !extra_docs.is_empty() {
            if !d.is_empty() {
                d.push(String::new());
            }
            d.extend(extra_docs);
        }
        decls.push(Decl {
            docs: d,
            flags,
            unsafety: !safe_wanted,
            name,
            params,
            variadic,
            ret,
            c_name: explicit_c,
        });
    }

    // Variables.
    let mut variables: Vec<String> = Vec::new();
    let mut var_protos: Vec<(String, Type)> = Vec::new();
    for s in &statics {
        let rust = s.ident.to_string();
        let c_name = link_name(&s.attrs).unwrap_or_else(|| rust.clone());
        var_protos.push((c_name.clone(), (*s.ty).clone()));
        if matches!(*s.ty, Type::Array(_)) {
            skipped.push(format!(
                "variable `{c_name}`: an array (declare a variable of its element type and use `as_ptr()`)"
            ));
            continue;
        }
        if let Some(st) = types.struct_of(&s.ty) {
            by_value_structs.insert(st);
        }
        let mut text = String::new();
        for d in docs(&s.attrs) {
            let _ = writeln!(text, "    ///{d}");
        }
        let rename = if c_name != rust {
            format!(" = {c_name:?}")
        } else {
            String::new()
        };
        let _ = writeln!(text, "    pub static {rust}: {}{rename};", ty_str(&s.ty));
        variables.push(text);
    }

    // Structs passed by value (and the structs inside them) implement
    // alien's `CStruct`.
    let mut pending: Vec<String> = by_value_structs.iter().cloned().collect();
    let mut derive: HashSet<String> = HashSet::new();
    while let Some(s) = pending.pop() {
        if !derive.insert(s.clone()) {
            continue;
        }
        for item in &items {
            if let Item::Struct(st) = item {
                if st.ident == s {
                    for field in &st.fields {
                        if let Some(inner) = types.struct_of(&field.ty) {
                            pending.push(inner);
                        }
                    }
                }
            }
        }
    }
    for item in &mut items {
        if let Item::Struct(st) = item {
            if derive.contains(&st.ident.to_string()) {
                st.attrs
                    .push(syn::parse_quote!(#[derive(::alien::CStruct)]));
            }
        }
    }

    // --- Output ---
    let mut out = String::new();
    let headers = opts
        .headers
        .iter()
        .map(|h| format!("`{h}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        out,
        "// Generated by alien-build from {headers}. Do not edit: it is rewritten on every build."
    );
    let _ = writeln!(out, "//");
    let _ = writeln!(out, "// Include it in a module of its own:");
    let _ = writeln!(out, "//     mod sys {{");
    let _ = writeln!(out, "//         #![allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code)]");
    let _ = writeln!(
        out,
        "//         include!(concat!(env!(\"OUT_DIR\"), \"/<this file>\"));"
    );
    let _ = writeln!(out, "//     }}");
    out.push('\n');
    if opts.declarations
        && decls
            .iter()
            .any(|d| d.ret.as_deref() == Some("&CStr") || d.params.iter().any(|p| p.ty == "&CStr"))
    {
        short.used.insert("CStr");
    }
    if !short.used.is_empty() {
        let names: Vec<&str> = short.used.iter().copied().collect();
        let _ = writeln!(
            out,
            "#[allow(unused_imports)]\nuse ::core::ffi::{{{}}};\n",
            names.join(", ")
        );
    }
    if !items.is_empty() {
        let types_file = syn::File {
            shebang: None,
            attrs: Vec::new(),
            items: items.clone(),
        };
        out.push_str("// Types and constants, as bindgen wrote them.\n\n");
        out.push_str(&prettyplease::unparse(&types_file));
    }
    if opts.declarations {
        for (e, variants) in &enums {
            let repr = &enum_repr[e];
            out.push_str("\nalien::define_c_enum! {\n");
            for d in enum_docs.get(e).into_iter().flatten() {
                let _ = writeln!(out, "    ///{d}");
            }
            let _ = writeln!(out, "    #[repr({})]", ty_str(repr));
            if variants.iter().any(|(v, _)| {
                v.chars().any(|c| c.is_ascii_uppercase()) && v.contains('_')
                    || v.chars().all(|c| !c.is_ascii_lowercase())
            }) {
                let _ = writeln!(out, "    #[allow(non_camel_case_types)]");
            }
            let _ = writeln!(out, "    pub enum {e} {{");
            for (v, c) in variants {
                let _ = writeln!(out, "        {v} = {c},");
            }
            let _ = writeln!(out, "    }}\n}}");
        }
        let library = match &opts.library {
            None => String::new(),
            Some(l) if opts.candidates.is_empty() => format!("    #![library({l:?})]\n"),
            Some(l) => format!(
                "    #![library({l:?}, candidates = [{}])]\n",
                opts.candidates
                    .iter()
                    .map(|c| format!("{c:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        if !decls.is_empty() {
            out.push_str("\nalien::define_c_function! {\n");
            out.push_str(&library);
            for d in &decls {
                d.render(&mut out);
            }
            out.push_str("}\n");
        }
        if !variables.is_empty() {
            out.push_str("\nalien::define_alien_variable! {\n");
            out.push_str(&library);
            for v in &variables {
                out.push_str(v);
            }
            out.push_str("}\n");
        }
        for s in &skipped {
            let _ = writeln!(out, "\n// Not declared: {s}.");
        }
    }
    if let Some(module) = &opts.prototypes {
        let m = ident(module);
        // Written as text (the items are one line each): building syn items
        // and pretty-printing them cost more than the rest of the translation.
        let mut body = String::from("use super::*;\n");
        for (d, c_name, t) in &prototypes {
            for line in d {
                let _ = writeln!(body, "///{line}");
            }
            push_wrapped(&mut body, &format!("pub type {} = {t};", ident(c_name)));
        }
        for (c_name, t) in &var_protos {
            let _ = writeln!(body, "/// The type of C variable `{c_name}`.");
            let _ = writeln!(body, "pub type {} = {};", ident(c_name), ty_str(t));
        }
        if !consts.is_empty() {
            body.push_str("pub use super::{\n");
            let mut line = String::new();
            for c in consts.iter().map(|c| ident(c).to_string()) {
                if !line.is_empty() && line.len() + c.len() + 2 > 92 {
                    let _ = writeln!(body, "    {}", line.trim_end());
                    line.clear();
                }
                line.push_str(&c);
                line.push_str(", ");
            }
            let _ = writeln!(body, "    {}\n}};", line.trim_end_matches(", "));
        }
        let known: Vec<&(String, u64, u64)> = sizes
            .iter()
            .filter(|(n, s, a)| *s > 0 && *a > 0 && syn::parse_str::<Ident>(n).is_ok())
            .collect();
        if !known.is_empty() {
            body.push_str("/// Struct and union sizes and alignments, as clang laid them out.\n");
            body.push_str("pub mod layout {\n    use super::__alien::Layout;\n");
            for (n, s, a) in known {
                let _ = writeln!(body, "    /// `{n}`: {s} bytes, aligned to {a}.");
                let _ = writeln!(
                    body,
                    "    pub const {}: Layout = Layout {{ size: {s}, align: {a} }};",
                    ident(n)
                );
            }
            body.push_str("}\n");
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "/// The C prototypes of {headers}, as types, to check hand-written"
        );
        let _ = writeln!(
            out,
            "/// declarations against: `#[alien(checked = path::to::{module})]` on a declaration"
        );
        let _ = writeln!(
            out,
            "/// (or `#![alien(checked = ...)]` on a block) makes it a compile error for it to"
        );
        let _ = writeln!(
            out,
            "/// disagree with the header. Constants are re-exported; `layout` gives struct sizes."
        );
        let _ = writeln!(
            out,
            "#[allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code, unused_imports)]"
        );
        let _ = writeln!(out, "pub mod {m} {{");
        for text in [body.as_str(), HELPERS] {
            for line in text.lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        out.push_str("}\n");
    }
    Ok(out)
}

fn param_names(f: &syn::ForeignItemFn) -> Vec<String> {
    f.sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(pt) => Some(pt.pat.to_token_stream().to_string()),
            _ => None,
        })
        .collect()
}
