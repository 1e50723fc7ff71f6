//! Struct, union and enum specifiers: their bodies, members and tags.

use super::*;
use crate::abi::cdef::ctype::Member;

impl Parser<'_> {
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
