//! Declaration specifiers: basic types from their words and typedef names
//! (struct, union and enum specifiers are in `tags.rs`).

use super::*;

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
