//! Declaration specifiers: basic types from their words, typedef names,
//! struct, union and enum specifiers with their bodies, and tags.

use super::*;
use crate::abi::cdef::ctype::Member;

impl Parser<'_> {
    pub(super) fn specifiers(&mut self, ctx: Ctx) -> Res<Spec> {
        self.attributes()?;
        let start = self.peek().start;
        let mut words: Vec<&'static str> = Vec::new();
        let mut base: Option<CType> = None;
        let mut spec = Spec {
            ty: CType::Void,
            typedef: false,
            internal: false,
            is_const: false,
            anon_aggregate: false,
            pos: start,
        };
        loop {
            self.attributes()?;
            let at = self.peek().start;
            let Some(w) = self.word().map(str::to_owned) else {
                break;
            };
            let two_types = || {
                self.invalid(
                    at,
                    format!("'{w}' after another type in the declaration specifiers"),
                )
            };
            match w.as_str() {
                "typedef" => {
                    if ctx != Ctx::Top {
                        return Err(self.invalid(at, "'typedef' is not allowed here".to_owned()));
                    }
                    spec.typedef = true;
                }
                "extern" | "static" | "inline" | "__inline" | "__inline__" | "_Noreturn"
                | "register" | "auto" | "_Thread_local" | "thread_local" | "__thread"
                | "constexpr" => {
                    if ctx != Ctx::Top && !(ctx == Ctx::Param && w == "register") {
                        return Err(self.invalid(at, format!("'{w}' is not allowed here")));
                    }
                    if matches!(w.as_str(), "static" | "inline" | "__inline" | "__inline__") {
                        spec.internal = true;
                    }
                    if w == "constexpr" {
                        spec.is_const = true;
                    }
                }
                "__extension__" => {}
                "const" | "__const" | "__const__" => spec.is_const = true,
                q if QUALIFIERS.contains(&q) => {}
                "_Atomic" => return Err(self.unsupported(at, "_Atomic", None)),
                "_Alignas" | "alignas" => {
                    return Err(self.unsupported(at, "_Alignas", Some("it changes the layout")))
                }
                "typeof" | "typeof_unqual" | "__typeof__" | "__typeof" => {
                    return Err(self.unsupported(at, "typeof", None))
                }
                "struct" | "union" | "enum" => {
                    if base.is_some() || !words.is_empty() {
                        return Err(two_types());
                    }
                    let kind = match w.as_str() {
                        "struct" => TagKind::Struct,
                        "union" => TagKind::Union,
                        _ => TagKind::Enum,
                    };
                    self.bump();
                    let (ty, anon) = self.nested(|p| p.tagged(kind, at))?;
                    base = Some(ty);
                    spec.anon_aggregate = anon;
                    continue;
                }
                w if type_word(w).is_some() => {
                    if base.is_some() {
                        return Err(two_types());
                    }
                    words.extend(type_word(w));
                }
                w if exotic_type(w).is_some() => {
                    if base.is_some() || !words.is_empty() {
                        return Err(two_types());
                    }
                    if let Some((what, layout)) = exotic_type(w) {
                        base = Some(CType::Unsupported {
                            what: what.into(),
                            layout: Some(layout),
                        });
                    }
                }
                w if base.is_none() && words.is_empty() && !is_keyword(w) => {
                    match self.view().ordinary(w) {
                        Some(Ordinary::Typedef(t)) => base = Some(self.view().settle(t)),
                        other => return Err(self.unknown_type(w, other, at)),
                    }
                }
                _ => break,
            }
            self.bump();
        }
        spec.ty = match base {
            Some(t) => t,
            None if words.is_empty() => return Err(self.expected("a type")),
            None => self.combine(&words, start)?,
        };
        Ok(spec)
    }

    /// The type that basic specifier words name together.
    pub(super) fn combine(&self, words: &[&'static str], at: usize) -> Res<CType> {
        let n = |w: &str| words.iter().filter(|x| **x == w).count();
        for w in TYPE_WORDS {
            if *w != "long" && n(w) > 1 {
                return Err(self.invalid(at, format!("duplicate '{w}'")));
            }
        }
        let longs = n("long");
        if longs > 2 {
            return Err(self.invalid(at, "'long long long' is too long".to_owned()));
        }
        let (signed, unsigned) = (n("signed") == 1, n("unsigned") == 1);
        if signed && unsigned {
            return Err(self.invalid(at, "both 'signed' and 'unsigned' in one type".to_owned()));
        }
        let has = |w: &str| n(w) == 1;
        let invalid = || {
            self.invalid(
                at,
                format!(
                    "invalid combination of type specifiers '{}'",
                    words.join(" ")
                ),
            )
        };
        let unsupported = |what: &str, layout: (usize, usize)| {
            Ok(CType::Unsupported {
                what: what.into(),
                layout: Some(layout),
            })
        };
        let sign = signed || unsigned;
        let integer_words = has("char") || has("short") || has("int") || longs > 0;
        if has("void") || has("_Bool") {
            return match words {
                ["void"] => Ok(CType::Void),
                ["_Bool"] => Ok(CType::Scalar(Type::Bool)),
                _ => Err(invalid()),
            };
        }
        if has("float") || has("double") || has("_Complex") {
            if sign || has("char") || has("short") || has("int") || has("__int128") {
                return Err(invalid());
            }
            let complex = has("_Complex");
            return match (has("float"), has("double"), longs, complex) {
                (true, false, 0, false) => Ok(CType::Scalar(Type::F32)),
                (true, false, 0, true) => unsupported("_Complex float", (8, 4)),
                (false, true, 0, false) => Ok(CType::Scalar(Type::F64)),
                (false, _, 0, true) => unsupported("_Complex double", (16, 8)),
                (false, true, 1, false) => unsupported("long double", (16, 16)),
                (false, true, 1, true) => unsupported("_Complex long double", (32, 16)),
                _ => Err(invalid()),
            };
        }
        if has("__int128") {
            if has("char") || has("short") || longs > 0 {
                return Err(invalid());
            }
            let what = if unsigned {
                "unsigned __int128"
            } else {
                "__int128"
            };
            return unsupported(what, (16, 16));
        }
        if !integer_words && !sign {
            return Err(invalid());
        }
        let t = if has("char") {
            if has("short") || has("int") || longs > 0 {
                return Err(invalid());
            }
            if unsigned {
                Type::U8
            } else {
                Type::I8
            }
        } else if has("short") {
            if longs > 0 {
                return Err(invalid());
            }
            if unsigned {
                Type::U16
            } else {
                Type::I16
            }
        } else if longs > 0 {
            if unsigned {
                Type::U64
            } else {
                Type::I64
            }
        } else if unsigned {
            Type::U32
        } else {
            Type::I32
        };
        Ok(CType::Scalar(t))
    }

    pub(super) fn unknown_type(
        &self,
        name: &str,
        existing: Option<&Ordinary>,
        at: usize,
    ) -> CdefError {
        let view = self.view();
        let hint = if let Some(o) = existing {
            Some(format!("'{name}' is {}, not a type", o.kind()))
        } else if let Some(t) = view.tag(name) {
            Some(format!("did you mean '{} {name}'?", t.kind.keyword()))
        } else {
            let names = self
                .staged
                .ordinary
                .iter()
                .chain(self.base.ordinary.iter())
                .filter(|(_, o)| matches!(o, Ordinary::Typedef(_)))
                .map(|(n, _)| n.as_str());
            // One edit, or two that complete a prefix (`uint32` for
            // `uint32_t`).
            names
                .filter_map(|n| {
                    let d = edit_distance(name, n);
                    let prefix = n.starts_with(name) || name.starts_with(n);
                    (name.len() > 2 && (d <= 1 || (d <= 2 && prefix))).then_some((d, n))
                })
                .min()
                .map(|(_, n)| format!("did you mean '{n}'?"))
        };
        CdefError::UnknownType {
            at: self.loc(at),
            name: name.to_owned(),
            hint,
        }
    }

    /// After `struct`, `union` or `enum`: a tag, a body, or both. Returns
    /// the type and whether it is an untagged struct or union defined here.
    pub(super) fn tagged(&mut self, kind: TagKind, kw_at: usize) -> Res<(CType, bool)> {
        self.attributes()?;
        let tag = match self.word() {
            Some(w) if !is_keyword(w) => {
                let t = (w.to_owned(), self.peek().start);
                self.bump();
                Some(t)
            }
            _ => None,
        };
        self.attributes()?;
        if kind == TagKind::Enum {
            let fixed = if self.is_punct(":") && self.starts_type(1) {
                self.bump();
                let at = self.peek().start;
                let t = self.type_name()?;
                match self.view().settle(&t) {
                    CType::Scalar(t) if t.is_integer() => Some(t),
                    other => {
                        return Err(self
                            .invalid(at, format!("'{}' is not an integer type", other.spell(""))))
                    }
                }
            } else {
                None
            };
            if self.is_punct("{") {
                let ty = self.enum_body(tag.as_ref(), fixed, kw_at)?;
                return Ok((CType::Scalar(ty), false));
            }
            let Some((name, at)) = tag else {
                return Err(self.expected("a tag name or '{' after 'enum'"));
            };
            match fixed {
                Some(t) => self.define_tag(TagKind::Enum, &name, TagBody::Enum(t), at)?,
                None => self.reference_tag(TagKind::Enum, &name, at)?,
            }
            return Ok((
                self.view().settle(&CType::Tag(TagKind::Enum, name.into())),
                false,
            ));
        }
        if !self.is_punct("{") {
            let Some((name, at)) = tag else {
                return Err(
                    self.expected(&format!("a tag name or '{{' after '{}'", kind.keyword()))
                );
            };
            self.reference_tag(kind, &name, at)?;
            return Ok((CType::Tag(kind, name.into()), false));
        }
        self.bump();
        if let Some((name, at)) = &tag {
            // So that members can point to it.
            self.reference_tag(kind, name, *at)?;
        }
        let members = self.members(kind)?;
        self.attributes()?;
        let name = tag.as_ref().map(|t| t.0.clone());
        let whole = tag.as_ref().map_or(kw_at, |t| t.1);
        let labels: Vec<(usize, String)> = members
            .iter()
            .map(|(m, at)| {
                let label = m
                    .name
                    .as_ref()
                    .map_or("an anonymous member".to_owned(), |n| {
                        format!("member '{n}'")
                    });
                (*at, label)
            })
            .collect();
        let agg = self
            .view()
            .lay_out(kind, name, members.into_iter().map(|m| m.0).collect())
            .map_err(|(i, why)| match labels.get(i) {
                Some((at, label)) => self.why_error(why, *at, label),
                None => self.why_error(why, whole, ""),
            })?;
        match tag {
            Some((name, at)) => {
                self.define_tag(kind, &name, TagBody::Aggregate(Arc::new(agg)), at)?;
                Ok((CType::Tag(kind, name.into()), false))
            }
            None => Ok((CType::Anon(Arc::new(agg)), true)),
        }
    }

    /// Members up to and including `}`, each with its position.
    pub(super) fn members(&mut self, kind: TagKind) -> Res<Vec<(Member, usize)>> {
        let mut out: Vec<(Member, usize)> = Vec::new();
        loop {
            if self.eat_punct("}") {
                break;
            }
            if self.eat_punct(";") {
                continue;
            }
            if self.at_eof() {
                return Err(
                    self.expected(&format!("a member or '}}' to close the {}", kind.keyword()))
                );
            }
            if matches!(self.word(), Some("_Static_assert" | "static_assert")) {
                self.static_assert()?;
                continue;
            }
            let spec = self.specifiers(Ctx::Member)?;
            if self.eat_punct(";") {
                if spec.anon_aggregate {
                    out.push((
                        Member {
                            name: None,
                            ty: spec.ty,
                            offset: 0,
                            bitfield: false,
                        },
                        spec.pos,
                    ));
                }
                continue;
            }
            loop {
                let at = self.peek().start;
                let (name, ty) = if self.is_punct(":") {
                    (None, spec.ty.clone())
                } else {
                    let d = self.declarator(Names::Required)?;
                    let Some((name, at)) = d.name else {
                        return Err(CdefError::Syntax {
                            at: self.loc(d.hole),
                            expected: "a member name".to_owned(),
                            found: self.found_at(d.hole),
                        });
                    };
                    let ty = self.apply(&spec.ty, &d.derivs, at)?;
                    (Some((name, at)), ty)
                };
                let bitfield = if self.eat_punct(":") {
                    let wat = self.peek().start;
                    let width = self.const_expr()?;
                    if width < 0 {
                        return Err(self.invalid(wat, "negative bit-field width".to_owned()));
                    }
                    true
                } else {
                    false
                };
                self.attributes()?;
                let at = name.as_ref().map_or(at, |n| n.1);
                let member = Member {
                    name: name.map(|n| n.0),
                    ty,
                    offset: 0,
                    bitfield,
                };
                let label = member
                    .name
                    .as_ref()
                    .map_or("an unnamed member".to_owned(), |n| format!("member '{n}'"));
                if let CType::Func(_) = member.ty {
                    return Err(self.invalid(at, format!("{label} is declared as a function")));
                }
                if member.ty == CType::Void {
                    return Err(self.invalid(at, format!("{label} has type void")));
                }
                out.push((member, at));
                if self.eat_punct(",") {
                    continue;
                }
                if self.eat_punct(";") {
                    break;
                }
                return Err(self.expected("',' or ';' after member"));
            }
        }
        let mut seen: Vec<String> = Vec::new();
        for (m, at) in &out {
            let mut names = Vec::new();
            match &m.name {
                Some(n) => names.push(n.clone()),
                None => {
                    if let Some(a) = self.view().aggregate(&m.ty) {
                        member_names(a, &mut names);
                    }
                }
            }
            for n in names {
                if seen.contains(&n) {
                    return Err(self.invalid(*at, format!("duplicate member '{n}'")));
                }
                seen.push(n);
            }
        }
        Ok(out)
    }

    /// `{ A, B = 2, ... }` of an enum: registers the constants, defines the
    /// tag; returns the enum's integer type.
    pub(super) fn enum_body(
        &mut self,
        tag: Option<&(String, usize)>,
        fixed: Option<Type>,
        kw_at: usize,
    ) -> Res<Type> {
        self.bump();
        let mut next: i128 = 0;
        let mut values: Vec<i128> = Vec::new();
        loop {
            if self.eat_punct("}") {
                break;
            }
            let at = self.peek().start;
            let name = match self.word() {
                Some(w) if !is_keyword(w) => w.to_owned(),
                _ => return Err(self.expected("an enumerator name or '}'")),
            };
            self.bump();
            self.attributes()?;
            let v = if self.eat_punct("=") {
                self.const_expr()?
            } else {
                next
            };
            let v64 = i64::try_from(v).map_err(|_| {
                self.invalid(
                    at,
                    format!("the value of enumerator '{name}' is out of range"),
                )
            })?;
            if let Some(t) = &fixed {
                if !crate::abi::cdef::expr::fits(v, (t.size() * 8) as u32, t.is_signed()) {
                    return Err(self.invalid(
                        at,
                        format!("enumerator '{name}' = {v} does not fit its enum's type"),
                    ));
                }
            }
            self.declare(&name, Ordinary::Constant(v64), at)?;
            values.push(v);
            next = v + 1;
            if self.eat_punct(",") {
                continue;
            }
            if self.eat_punct("}") {
                break;
            }
            return Err(self.expected("',' or '}' after enumerator"));
        }
        if values.is_empty() {
            return Err(self.invalid(kw_at, "an enum needs at least one enumerator".to_owned()));
        }
        let ty = fixed.unwrap_or_else(|| {
            // As GCC: int if it fits, else unsigned int, else long.
            let (lo, hi) = values
                .iter()
                .fold((0i128, 0i128), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
            if lo >= i128::from(i32::MIN) && hi <= i128::from(i32::MAX) {
                Type::I32
            } else if lo >= 0 && hi <= i128::from(u32::MAX) {
                Type::U32
            } else {
                Type::I64
            }
        });
        if let Some((name, at)) = tag {
            self.define_tag(TagKind::Enum, name, TagBody::Enum(ty.clone()), *at)?;
        }
        Ok(ty)
    }

    /// `struct name` used or declared without a body.
    pub(super) fn reference_tag(&mut self, kind: TagKind, name: &str, at: usize) -> Res<()> {
        match self.view().tag(name) {
            Some(e) if e.kind != kind => Err(self.tag_kind_error(name, e.kind, kind, at)),
            Some(_) => Ok(()),
            None => {
                self.staged
                    .tags
                    .insert(name.to_owned(), TagEntry { kind, body: None });
                Ok(())
            }
        }
    }

    pub(super) fn define_tag(
        &mut self,
        kind: TagKind,
        name: &str,
        body: TagBody,
        at: usize,
    ) -> Res<()> {
        match self.view().tag(name) {
            Some(e) if e.kind != kind => Err(self.tag_kind_error(name, e.kind, kind, at)),
            Some(TagEntry {
                body: Some(old), ..
            }) if *old == body => Ok(()),
            Some(TagEntry { body: Some(_), .. }) => Err(CdefError::Redefinition {
                at: self.loc(at),
                name: name.to_owned(),
                message: format!(
                    "redefinition of '{} {name}' with a different body",
                    kind.keyword()
                ),
            }),
            _ => {
                self.staged.tags.insert(
                    name.to_owned(),
                    TagEntry {
                        kind,
                        body: Some(body),
                    },
                );
                Ok(())
            }
        }
    }

    pub(super) fn tag_kind_error(
        &self,
        name: &str,
        was: TagKind,
        now: TagKind,
        at: usize,
    ) -> CdefError {
        CdefError::Redefinition {
            at: self.loc(at),
            name: name.to_owned(),
            message: format!(
                "'{name}' is a {} tag, used here as a {} tag",
                was.keyword(),
                now.keyword()
            ),
        }
    }
}

/// Member names, through anonymous members.
pub(super) fn member_names(a: &Aggregate, out: &mut Vec<String>) {
    for m in &a.members {
        match (&m.name, &m.ty) {
            (Some(n), _) => out.push(n.clone()),
            (None, CType::Anon(inner)) => member_names(inner, out),
            _ => {}
        }
    }
}

/// Levenshtein distance (for suggestions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 2 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
