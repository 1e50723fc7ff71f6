//! Declarators, read inside out as C does (`int (*f)(int)[3]`), parameter
//! lists, and member paths (`a.b[2].c`).

use super::*;
use crate::abi::cdef::ctype::Aggregate;

impl Parser<'_> {
    pub(super) fn declarator(&mut self, names: Names) -> Res<Declarator> {
        self.nested(|p| p.declarator_inner(names))
    }

    pub(super) fn declarator_inner(&mut self, names: Names) -> Res<Declarator> {
        let mut pointers = 0usize;
        loop {
            self.attributes()?;
            if self.eat_punct("*") {
                pointers += 1;
                while let Some(w) = self.word() {
                    if QUALIFIERS.contains(&w) {
                        self.bump();
                    } else if w == "_Atomic" {
                        return Err(self.unsupported(self.peek().start, "_Atomic", None));
                    } else if matches!(w, "__attribute__" | "__attribute") {
                        self.attributes()?;
                    } else {
                        break;
                    }
                }
            } else {
                break;
            }
        }
        let hole = self.peek().start;
        let mut name = None;
        let mut inner: Option<Declarator> = None;
        match self.word() {
            Some(w) if names != Names::Abstract && !is_keyword(w) => {
                name = Some((w.to_owned(), hole));
                self.bump();
            }
            _ if self.is_punct("(") && self.nested_declarator_follows() => {
                self.bump();
                inner = Some(self.declarator(names)?);
                self.expect_punct(")", "')' to close the declarator")?;
            }
            _ => {}
        }
        let mut suffixes = Vec::new();
        loop {
            if self.is_punct("[") && !matches!(self.peek_at(1).tok, Tok::Punct("[")) {
                self.bump();
                suffixes.push(Deriv::Array(self.array_size()?));
            } else if self.eat_punct("(") {
                suffixes.push(Deriv::Func(self.nested(|p| p.params())?));
            } else {
                break;
            }
        }
        let mut derivs: Vec<Deriv> = Vec::new();
        derivs.extend(std::iter::repeat_n(Deriv::Pointer, pointers));
        derivs.extend(suffixes.into_iter().rev());
        let (name, hole) = match inner {
            Some(d) => {
                derivs.extend(d.derivs);
                (d.name, d.hole)
            }
            None => (name, hole),
        };
        if derivs.len() > MAX_NESTING {
            return Err(self.invalid(hole, "declarator is too complex".to_owned()));
        }
        Ok(Declarator { name, derivs, hole })
    }

    /// At `(` in a declarator: whether a parenthesized declarator follows
    /// (rather than a parameter list).
    pub(super) fn nested_declarator_follows(&self) -> bool {
        match &self.peek_at(1).tok {
            Tok::Punct("*" | "(" | "^") => true,
            Tok::Ident(w) if matches!(w.as_str(), "__attribute__" | "__attribute") => true,
            Tok::Ident(w) => !is_keyword(w) && self.view().typedef(w).is_none(),
            _ => false,
        }
    }

    /// After `[`: a size or nothing, and `]`.
    pub(super) fn array_size(&mut self) -> Res<Option<usize>> {
        while matches!(self.word(), Some(w) if w == "static" || QUALIFIERS.contains(&w)) {
            self.bump();
        }
        if self.eat_punct("]") {
            return Ok(None);
        }
        if self.is_punct("*") && matches!(self.peek_at(1).tok, Tok::Punct("]")) {
            self.bump();
            self.bump();
            return Ok(None);
        }
        let at = self.peek().start;
        let n = self.const_expr()?;
        if n < 0 {
            return Err(self.invalid(at, format!("array size {n} is negative")));
        }
        let n = usize::try_from(n)
            .ok()
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(|| self.invalid(at, "array is too large".to_owned()))?;
        self.expect_punct("]", "']' after the array size")?;
        Ok(Some(n))
    }

    /// After `(`: parameters and `)`.
    pub(super) fn params(&mut self) -> Res<Params> {
        let mut p = Params::default();
        if self.eat_punct(")") {
            return Ok(p);
        }
        let mut void_alone = false;
        loop {
            if self.eat_punct("...") {
                p.variadic = true;
                self.expect_punct(")", "')' after '...'")?;
                break;
            }
            let at = self.peek().start;
            let spec = self.specifiers(Ctx::Param)?;
            let d = self.declarator(Names::Optional)?;
            self.attributes()?;
            let pos = d.name.as_ref().map_or(at, |n| n.1);
            let ty = self.apply(&spec.ty, &d.derivs, pos)?;
            void_alone = ty == CType::Void && d.name.is_none() && d.derivs.is_empty();
            let ty = match ty {
                CType::Array(e, _) => self.pointer_to(&e, pos)?,
                f @ CType::Func(_) => self.pointer_to(&f, pos)?,
                t => t,
            };
            p.types.push(ty);
            p.names.push(d.name.map(|n| n.0));
            p.positions.push(pos);
            if self.eat_punct(",") {
                continue;
            }
            if self.eat_punct(")") {
                break;
            }
            return Err(self.expected("')' or ',' after parameter"));
        }
        if void_alone && p.types.len() == 1 && !p.variadic {
            return Ok(Params::default());
        }
        if let Some(i) = p.types.iter().position(|t| *t == CType::Void) {
            let at = p.positions[i];
            let message = match &p.names[i] {
                Some(n) => format!("parameter {} ('{n}') has type void", i + 1),
                None => format!(
                    "parameter {} has type void ('void' must be the only parameter)",
                    i + 1
                ),
            };
            return Err(self.invalid(at, message));
        }
        Ok(p)
    }

    /// The base type with a declarator's derivations applied.
    pub(super) fn apply(&self, base: &CType, derivs: &[Deriv], at: usize) -> Res<CType> {
        let mut t = base.clone();
        for d in derivs {
            t =
                match d {
                    Deriv::Pointer => self.pointer_to(&t, at)?,
                    Deriv::Array(n) => {
                        match &t {
                            CType::Void => return Err(self.invalid(at, "array of void".to_owned())),
                            CType::Func(_) => {
                                return Err(self.invalid(at, "array of functions".to_owned()))
                            }
                            CType::Array(_, None) => {
                                return Err(
                                    self.invalid(at, "array of arrays of unknown size".to_owned())
                                )
                            }
                            _ => {}
                        }
                        if let (Some(n), Ok((size, _))) = (n, self.view().layout(&t)) {
                            if size.checked_mul(*n).is_none_or(|s| s > isize::MAX as usize) {
                                return Err(self.invalid(at, "array is too large".to_owned()));
                            }
                        }
                        let a = CType::Array(Box::new(t), *n);
                        if self.view().depth(&a) > MAX_DEPTH {
                            return Err(self.why_error(Why::TooDeep, at, "the type"));
                        }
                        a
                    }
                    Deriv::Func(p) => {
                        match &t {
                            CType::Array(..) => {
                                return Err(self
                                    .invalid(at, "a function cannot return an array".to_owned()))
                            }
                            CType::Func(_) => {
                                return Err(self
                                    .invalid(at, "a function cannot return a function".to_owned()))
                            }
                            _ => {}
                        }
                        CType::Func(Arc::new(FuncType {
                            ret: t,
                            params: p.types.clone(),
                            names: p.names.clone(),
                            positions: p.positions.clone(),
                            origin: self.origin,
                            variadic: p.variadic,
                        }))
                    }
                };
        }
        Ok(t)
    }

    pub(super) fn pointer_to(&self, t: &CType, at: usize) -> Res<CType> {
        let s = t.spell(&format!("*{HOLE}"));
        if s.len() > MAX_SPELLING {
            return Err(self.invalid(at, "the pointed-to type is too complex".to_owned()));
        }
        Ok(CType::Pointer(s.into()))
    }
}

impl Parser<'_> {
    /// A member path (`a.b[2].c`) into `ty`: the member's type and offset.
    pub(in crate::abi::cdef) fn member_path(&mut self, ty: CType) -> Res<(CType, usize)> {
        let mut cur = ty;
        let mut offset = 0usize;
        let too_large = |p: &Self, at| p.invalid(at, "the offset is too large".to_owned());
        loop {
            let at = self.peek().start;
            let name = match self.word() {
                Some(w) if !is_keyword(w) => w.to_owned(),
                _ => return Err(self.expected("a member name")),
            };
            self.bump();
            let found = {
                let view = self.view();
                let Some(agg) = view.aggregate(&cur) else {
                    return Err(
                        self.invalid(at, format!("'{}' is not a struct or union", cur.spell("")))
                    );
                };
                if let Err(reason) = &agg.layout {
                    return Err(self.unsupported(
                        at,
                        &format!("the layout of {}", agg.spelling()),
                        Some(reason),
                    ));
                }
                match find_member(agg, &name, &view) {
                    Some(f) => f,
                    None => {
                        return Err(self.invalid(
                            at,
                            format!("no member named '{name}' in {}", agg.spelling()),
                        ))
                    }
                }
            };
            offset = offset
                .checked_add(found.0)
                .ok_or_else(|| too_large(self, at))?;
            cur = found.1;
            while self.is_punct("[") {
                let iat = self.peek().start;
                self.bump();
                let i = self.const_expr()?;
                let CType::Array(e, n) = &cur else {
                    return Err(self.invalid(iat, format!("'{}' is not an array", cur.spell(""))));
                };
                let i = usize::try_from(i)
                    .ok()
                    .filter(|i| n.is_none_or(|n| *i < n))
                    .ok_or_else(|| {
                        self.invalid(
                            iat,
                            format!("index {i} is out of bounds for '{}'", cur.spell("")),
                        )
                    })?;
                let (size, _) = self
                    .view()
                    .layout(e)
                    .map_err(|w| self.why_error(w, iat, "the element"))?;
                offset = size
                    .checked_mul(i)
                    .and_then(|o| o.checked_add(offset))
                    .ok_or_else(|| too_large(self, iat))?;
                let e = (**e).clone();
                self.expect_punct("]", "']' after the index")?;
                cur = e;
            }
            if self.eat_punct(".") {
                continue;
            }
            if self.at_eof() {
                return Ok((cur, offset));
            }
            return Err(self.expected("'.', '[' or the end of the member path"));
        }
    }
}

/// A member by name, through anonymous members: its offset and type.
fn find_member(a: &Aggregate, name: &str, view: &View<'_>) -> Option<(usize, CType)> {
    for m in &a.members {
        match &m.name {
            Some(n) if n == name => return Some((m.offset, m.ty.clone())),
            Some(_) => {}
            None => {
                if let Some((o, t)) = view
                    .aggregate(&m.ty)
                    .and_then(|inner| find_member(inner, name, view))
                {
                    return Some((m.offset + o, t));
                }
            }
        }
    }
    None
}
