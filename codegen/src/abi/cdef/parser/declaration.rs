//! The entry points, declarations and what each registers, function
//! declarations and GNU attributes.

use super::*;

impl Parser<'_> {
    /// Declarations up to the end.
    pub(in crate::abi::cdef) fn unit(&mut self) -> Res<()> {
        while !self.at_eof() {
            self.declaration()?;
        }
        Ok(())
    }

    /// Exactly one function declaration (its `;` optional), not registered.
    pub(in crate::abi::cdef) fn single_function(&mut self) -> Res<FunctionDecl> {
        self.capture = Some(Vec::new());
        let start = self.peek().start;
        while !self.at_eof() && self.capture.as_ref().is_some_and(Vec::is_empty) {
            self.declaration()?;
        }
        if !self.at_eof() {
            return Err(self.expected("end of input after the function declaration"));
        }
        match self.capture.take().and_then(|mut v| v.pop()) {
            Some(f) => Ok(f),
            None => Err(self.invalid(start, "expected a function declaration".to_owned())),
        }
    }

    /// A type name (`unsigned long`, `struct s *`, `int[4]`) and the end.
    pub(in crate::abi::cdef) fn whole_type(&mut self) -> Res<(CType, usize)> {
        let at = self.peek().start;
        let ty = self.type_name()?;
        if !self.at_eof() {
            return Err(self.expected("end of the type name"));
        }
        Ok((ty, at))
    }

    /// A type name in a cast, `sizeof` or [`Parser::whole_type`].
    pub(in crate::abi::cdef) fn type_name(&mut self) -> Res<CType> {
        let spec = self.specifiers(Ctx::TypeName)?;
        let d = self.declarator(Names::Abstract)?;
        self.apply(&spec.ty, &d.derivs, spec.pos)
    }

    /// Whether token `n` ahead starts a type name.
    pub(in crate::abi::cdef) fn starts_type(&self, n: usize) -> bool {
        let Some(w) = self.word_at(n) else {
            return false;
        };
        type_word(w).is_some()
            || exotic_type(w).is_some()
            || QUALIFIERS.contains(&w)
            || matches!(
                w,
                "struct" | "union" | "enum" | "_Atomic" | "typeof" | "__typeof__"
            )
            || self.view().typedef(w).is_some()
    }

    // ---- declarations ----

    pub(super) fn declaration(&mut self) -> Res<()> {
        if self.eat_punct(";") {
            return Ok(());
        }
        if matches!(self.word(), Some("_Static_assert" | "static_assert")) {
            return self.static_assert();
        }
        let mut spec = self.specifiers(Ctx::Top)?;
        if self.eat_punct(";") {
            return Ok(());
        }
        let mut first = true;
        loop {
            let d = self.declarator(Names::Required)?;
            let link_name = self.attributes()?;
            let Some((name, at)) = d.name.clone() else {
                return Err(CdefError::Syntax {
                    at: self.loc(d.hole),
                    expected: "a name in the declaration".to_owned(),
                    found: self.found_at(d.hole),
                });
            };
            if first && spec.typedef && spec.anon_aggregate && d.derivs.is_empty() {
                spec.ty = self.named_after_typedef(&spec.ty, &name);
            }
            first = false;
            let ty = self.apply(&spec.ty, &d.derivs, at)?;
            if spec.typedef {
                if self.is_punct("=") {
                    return Err(self.invalid(at, format!("typedef '{name}' has an initializer")));
                }
                if self.capture.is_some() {
                    return Err(self.invalid(
                        at,
                        format!("expected a function declaration, not typedef '{name}'"),
                    ));
                }
                self.declare(&name, Ordinary::Typedef(ty), at)?;
            } else if let CType::Func(f) = &ty {
                let decl = self.function_decl(&name, f, (at, spec.pos), link_name)?;
                if self.is_punct("{") {
                    if !spec.internal {
                        return Err(self.unsupported(
                            self.peek().start,
                            "a function definition",
                            Some("only declarations are read (the bodies of 'static' and 'inline' functions are skipped)"),
                        ));
                    }
                    return self.skip_body();
                }
                match &mut self.capture {
                    Some(v) => v.push(decl),
                    None => {
                        self.declare(&name, Ordinary::Function(Arc::new(decl), ty.clone()), at)?
                    }
                }
            } else if self.capture.is_some() {
                return Err(self.invalid(at, format!("'{name}' is not declared as a function")));
            } else if self.eat_punct("=") {
                let v = self.const_expr()?;
                let t = match &ty {
                    CType::Scalar(t) if spec.is_const && t.is_integer() => t.clone(),
                    _ => {
                        return Err(self.unsupported(
                            at,
                            &format!("the initializer of '{name}'"),
                            Some("only 'const' integer constants may be initialized"),
                        ))
                    }
                };
                let v = crate::abi::cdef::expr::wrap(
                    v,
                    (t.size() * 8) as u32,
                    t.is_signed() || t == Type::Bool,
                );
                let v = if t == Type::Bool {
                    i128::from(v != 0)
                } else {
                    v
                };
                let v = i64::try_from(v).map_err(|_| {
                    self.unsupported(
                        at,
                        &format!("constant '{name}'"),
                        Some("its value is above the range of i64"),
                    )
                })?;
                self.declare(&name, Ordinary::Constant(v), at)?;
            } else {
                let t = self
                    .view()
                    .model_type(&ty)
                    .map_err(|w| self.why_error(w, at, &format!("variable '{name}'")))?;
                if t == Type::Void {
                    return Err(self.invalid(at, format!("variable '{name}' has type void")));
                }
                self.declare(&name, Ordinary::Variable(t, ty), at)?;
            }
            if self.eat_punct(",") {
                continue;
            }
            if self.eat_punct(";") || (self.capture.is_some() && self.at_eof()) {
                return Ok(());
            }
            return Err(self.expected("';' or ',' after declarator"));
        }
    }

    /// `_Static_assert(expr, "message");`
    pub(super) fn static_assert(&mut self) -> Res<()> {
        let at = self.peek().start;
        self.bump();
        self.expect_punct("(", "'(' after static_assert")?;
        let v = self.const_expr()?;
        let mut message = String::new();
        if self.eat_punct(",") {
            let mut any = false;
            while let Tok::Str(s) = &self.peek().tok {
                message.push_str(s);
                any = true;
                self.bump();
            }
            if !any {
                return Err(self.expected("a string literal"));
            }
        }
        self.expect_punct(")", "')' to close static_assert")?;
        if !(self.eat_punct(";") || (self.capture.is_some() && self.at_eof())) {
            return Err(self.expected("';' after static_assert"));
        }
        if v == 0 {
            let message = if message.is_empty() {
                "static assertion failed".to_owned()
            } else {
                format!("static assertion failed: {message}")
            };
            return Err(self.invalid(at, message));
        }
        Ok(())
    }

    /// Skips a function body (balanced braces).
    pub(super) fn skip_body(&mut self) -> Res<()> {
        let at = self.peek().start;
        let mut depth = 0usize;
        loop {
            match &self.peek().tok {
                Tok::Eof => return Err(self.invalid(at, "unterminated function body".to_owned())),
                Tok::Punct("{") => depth += 1,
                Tok::Punct("}") => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.bump();
                        return Ok(());
                    }
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// Registers an ordinary name, checking an earlier declaration agrees.
    pub(super) fn declare(&mut self, name: &str, new: Ordinary, at: usize) -> Res<()> {
        let conflict = |message: String| CdefError::Redefinition {
            at: self.loc(at),
            name: name.to_owned(),
            message,
        };
        match (self.view().ordinary(name), &new) {
            (None, _) => {
                if matches!(new, Ordinary::Function(..)) {
                    self.staged.functions.push(name.to_owned());
                }
                self.staged.ordinary.insert(name.to_owned(), new);
                Ok(())
            }
            (Some(Ordinary::Typedef(a)), Ordinary::Typedef(b)) if a == b => Ok(()),
            (Some(Ordinary::Typedef(a)), Ordinary::Typedef(b)) => Err(conflict(format!(
                "redefinition of typedef '{name}' with a different type: '{}' before, '{}' now",
                a.spell(""),
                b.spell("")
            ))),
            (Some(Ordinary::Constant(a)), Ordinary::Constant(b)) if a == b => Ok(()),
            (Some(Ordinary::Constant(a)), Ordinary::Constant(b)) => Err(conflict(format!(
                "redefinition of constant '{name}' with a different value: {a} before, {b} now"
            ))),
            (Some(Ordinary::Function(_, a)), Ordinary::Function(_, b))
            | (Some(Ordinary::Variable(_, a)), Ordinary::Variable(_, b)) => {
                if a == b {
                    Ok(())
                } else {
                    Err(conflict(format!(
                        "conflicting types for '{name}': '{}' before, '{}' now",
                        a.spell(name),
                        b.spell(name)
                    )))
                }
            }
            (Some(old), _) => Err(conflict(format!(
                "'{name}' redeclared as {}; it is {}",
                new.kind(),
                old.kind()
            ))),
        }
    }

    /// The untagged struct of `typedef struct { ... } name;`, named `name`.
    pub(super) fn named_after_typedef(&self, ty: &CType, name: &str) -> CType {
        let CType::Anon(a) = ty else {
            return ty.clone();
        };
        if a.name.is_some() {
            return ty.clone();
        }
        match self
            .view()
            .lay_out(a.kind, Some(name.to_owned()), a.members.clone())
        {
            Ok(mut named) => {
                named.tagged = false;
                CType::Anon(Arc::new(named))
            }
            Err(_) => ty.clone(),
        }
    }

    /// The model's view of a function declaration.
    pub(super) fn function_decl(
        &self,
        name: &str,
        f: &FuncType,
        (at, ret_at): (usize, usize),
        link_name: Option<String>,
    ) -> Res<FunctionDecl> {
        let view = self.view();
        let ret = view
            .model_type(&f.ret)
            .map_err(|w| self.why_error(w, ret_at, &format!("the return type of '{name}'")))?;
        let mut params = Vec::with_capacity(f.params.len());
        for (i, p) in f.params.iter().enumerate() {
            let pos = if f.origin == self.origin {
                f.positions.get(i).copied().unwrap_or(at)
            } else {
                at
            };
            let label = match f.names.get(i) {
                Some(Some(n)) => format!("parameter {} ('{n}') of '{name}'", i + 1),
                _ => format!("parameter {} of '{name}'", i + 1),
            };
            params.push(
                view.model_type(p)
                    .map_err(|w| self.why_error(w, pos, &label))?,
            );
        }
        let signature = if f.variadic {
            Signature::variadic(params.clone(), params.len(), ret.clone())
        } else {
            Signature::new(params.clone(), ret.clone())
        }
        .map_err(|error| CdefError::Type {
            at: self.loc(at),
            context: format!("function '{name}'"),
            error,
        })?;
        Ok(FunctionDecl {
            name: name.to_owned(),
            params,
            param_names: f.names.clone(),
            ret,
            variadic: f.variadic,
            signature,
            link_name,
            spelling: CType::Func(Arc::new(f.clone())).spell(name),
        })
    }

    // ---- attributes ----

    /// Skips `__attribute__((...))`, `[[...]]`, `__declspec(...)`; returns
    /// the name of an `__asm__("name")` label. Refuses layout attributes.
    pub(super) fn attributes(&mut self) -> Res<Option<String>> {
        let mut label = None;
        loop {
            match self.word() {
                Some("__attribute__" | "__attribute") => {
                    self.bump();
                    self.attribute_list()?;
                }
                Some("__declspec") => {
                    self.bump();
                    self.skip_parens()?;
                }
                Some("__asm__" | "__asm" | "asm") => {
                    self.bump();
                    while matches!(
                        self.word(),
                        Some("volatile" | "__volatile__" | "goto" | "inline")
                    ) {
                        self.bump();
                    }
                    self.expect_punct("(", "'(' after __asm__")?;
                    let mut s = String::new();
                    while let Tok::Str(part) = &self.peek().tok {
                        s.push_str(part);
                        self.bump();
                    }
                    self.expect_punct(")", "a string literal and ')' in __asm__")?;
                    label = Some(s);
                }
                _ if self.is_punct("[") && matches!(self.peek_at(1).tok, Tok::Punct("[")) => {
                    let at = self.peek().start;
                    let mut depth = 0usize;
                    loop {
                        match self.peek().tok {
                            Tok::Punct("[") => depth += 1,
                            Tok::Punct("]") => depth = depth.saturating_sub(1),
                            Tok::Eof => {
                                return Err(
                                    self.invalid(at, "unterminated '[[' attribute".to_owned())
                                )
                            }
                            _ => {}
                        }
                        self.bump();
                        if depth == 0 {
                            break;
                        }
                    }
                }
                _ => return Ok(label),
            }
        }
    }

    /// `((name, name(args), ...))` after `__attribute__`.
    pub(super) fn attribute_list(&mut self) -> Res<()> {
        self.expect_punct("(", "'((' after __attribute__")?;
        self.expect_punct("(", "'((' after __attribute__")?;
        let mut depth = 2usize;
        let mut name_next = true;
        while depth > 0 {
            let at = self.peek().start;
            match &self.peek().tok {
                Tok::Eof => return Err(self.expected("')' to close __attribute__")),
                Tok::Punct("(") => depth += 1,
                Tok::Punct(")") => depth -= 1,
                Tok::Ident(w) if depth == 2 && name_next => {
                    let bare = w.trim_start_matches("__").trim_end_matches("__");
                    if LAYOUT_ATTRIBUTES.contains(&bare) {
                        return Err(self.unsupported(
                            at,
                            &format!("__attribute__(({bare}))"),
                            Some("it changes the layout"),
                        ));
                    }
                }
                _ => {}
            }
            name_next = depth == 2 && matches!(self.peek().tok, Tok::Punct("(" | ","));
            self.bump();
        }
        Ok(())
    }

    /// A balanced `( ... )`.
    pub(super) fn skip_parens(&mut self) -> Res<()> {
        self.expect_punct("(", "'('")?;
        let mut depth = 1usize;
        while depth > 0 {
            match self.peek().tok {
                Tok::Eof => return Err(self.expected("')'")),
                Tok::Punct("(") => depth += 1,
                Tok::Punct(")") => depth -= 1,
                _ => {}
            }
            self.bump();
        }
        Ok(())
    }
}
