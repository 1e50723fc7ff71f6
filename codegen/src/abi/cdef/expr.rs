//! Integer constant expressions (array sizes, enum values, bit-field widths,
//! `static_assert`), evaluated with C's types: `int`, `unsigned int`,
//! `long`, `unsigned long`, and the usual arithmetic conversions.

use super::ctype::CType;
use super::error::CdefError;
use super::lexer::{IntLit, Tok};
use super::parser::Parser;
use super::registry::Ordinary;
use crate::abi::Type;

/// A value and its type (32 or 64 bits, signed or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Value {
    v: i128,
    bits: u32,
    signed: bool,
}

impl Value {
    fn int(v: i128) -> Value {
        Value {
            v,
            bits: 32,
            signed: true,
        }
    }
}

/// Whether `v` is in the range of the type.
pub(super) fn fits(v: i128, bits: u32, signed: bool) -> bool {
    if signed {
        let half = 1i128 << (bits - 1);
        (-half..half).contains(&v)
    } else {
        (0..1i128 << bits).contains(&v)
    }
}

/// `v` converted to the type (modulo 2^bits, as GCC does).
pub(super) fn wrap(v: i128, bits: u32, signed: bool) -> i128 {
    let m = v.rem_euclid(1i128 << bits);
    if signed && m >= 1i128 << (bits - 1) {
        m - (1i128 << bits)
    } else {
        m
    }
}

/// The type of a binary operation (both operands are at least `int`).
fn common(a: Value, b: Value) -> (u32, bool) {
    if a.signed == b.signed {
        return (a.bits.max(b.bits), a.signed);
    }
    let (u, s) = if a.signed { (b, a) } else { (a, b) };
    if u.bits >= s.bits {
        (u.bits, false)
    } else {
        (s.bits, true)
    }
}

type Res<T> = Result<T, CdefError>;

impl Parser<'_> {
    /// An integer constant expression's value.
    pub(super) fn const_expr(&mut self) -> Res<i128> {
        Ok(self.nested(|p| p.conditional())?.v)
    }

    fn overflow(&self, at: usize) -> CdefError {
        self.invalid(at, "integer overflow in constant expression".to_owned())
    }

    /// Checks a signed result fits, wraps an unsigned one.
    fn finish(&self, v: i128, (bits, signed): (u32, bool), at: usize) -> Res<Value> {
        if signed && !fits(v, bits, signed) {
            return Err(self.overflow(at));
        }
        Ok(Value {
            v: wrap(v, bits, signed),
            bits,
            signed,
        })
    }

    fn conditional(&mut self) -> Res<Value> {
        let c = self.binary(1)?;
        if !self.eat_punct("?") {
            return Ok(c);
        }
        let a = self.nested(|p| p.conditional())?;
        self.expect_punct(":", "':' in a conditional expression")?;
        let b = self.nested(|p| p.conditional())?;
        let (bits, signed) = common(a, b);
        let v = if c.v != 0 { a.v } else { b.v };
        Ok(Value {
            v: wrap(v, bits, signed),
            bits,
            signed,
        })
    }

    fn binary(&mut self, min: u8) -> Res<Value> {
        let mut lhs = self.unary()?;
        while let Tok::Punct(op) = self.peek().tok {
            let prec = match op {
                "||" => 1,
                "&&" => 2,
                "|" => 3,
                "^" => 4,
                "&" => 5,
                "==" | "!=" => 6,
                "<" | ">" | "<=" | ">=" => 7,
                "<<" | ">>" => 8,
                "+" | "-" => 9,
                "*" | "/" | "%" => 10,
                _ => break,
            };
            if prec < min {
                break;
            }
            let at = self.peek().start;
            self.bump();
            let rhs = self.binary(prec + 1)?;
            lhs = self.operate(op, lhs, rhs, at)?;
        }
        Ok(lhs)
    }

    fn operate(&self, op: &str, a: Value, b: Value, at: usize) -> Res<Value> {
        match op {
            "||" => return Ok(Value::int(i128::from(a.v != 0 || b.v != 0))),
            "&&" => return Ok(Value::int(i128::from(a.v != 0 && b.v != 0))),
            "<<" | ">>" => {
                if b.v < 0 || b.v >= i128::from(a.bits) {
                    return Err(self.invalid(at, format!("shift count {} is out of range", b.v)));
                }
                let ty = (a.bits, a.signed);
                return if op == "<<" && a.signed {
                    // |a| < 2^63 and the count < 64: no i128 overflow.
                    self.finish(a.v << b.v, ty, at)
                } else if op == "<<" {
                    let v = ((a.v as u128) << b.v) % (1u128 << a.bits);
                    self.finish(v as i128, ty, at)
                } else {
                    self.finish(a.v >> b.v, ty, at)
                };
            }
            _ => {}
        }
        let ty = common(a, b);
        let (x, y) = (wrap(a.v, ty.0, ty.1), wrap(b.v, ty.0, ty.1));
        let cmp = |c: bool| Ok(Value::int(i128::from(c)));
        match op {
            "+" => self.finish(x + y, ty, at),
            "-" => self.finish(x - y, ty, at),
            "*" => {
                if ty.1 {
                    self.finish(x * y, ty, at)
                } else {
                    // Both below 2^64: the product fits u128.
                    let p = (x as u128).wrapping_mul(y as u128) % (1u128 << ty.0);
                    self.finish(p as i128, ty, at)
                }
            }
            "/" | "%" => {
                if y == 0 {
                    return Err(
                        self.invalid(at, "division by zero in constant expression".to_owned())
                    );
                }
                self.finish(if op == "/" { x / y } else { x % y }, ty, at)
            }
            "&" => self.finish(x & y, ty, at),
            "|" => self.finish(x | y, ty, at),
            "^" => self.finish(x ^ y, ty, at),
            "==" => cmp(x == y),
            "!=" => cmp(x != y),
            "<" => cmp(x < y),
            ">" => cmp(x > y),
            "<=" => cmp(x <= y),
            ">=" => cmp(x >= y),
            _ => Err(self.invalid(at, format!("unexpected operator '{op}'"))),
        }
    }

    fn unary(&mut self) -> Res<Value> {
        let at = self.peek().start;
        if let Tok::Punct(op @ ("-" | "+" | "~" | "!")) = self.peek().tok {
            self.bump();
            let a = self.nested(|p| p.unary())?;
            let ty = (a.bits, a.signed);
            return match op {
                "-" => self.finish(-a.v, ty, at),
                "+" => Ok(a),
                "~" => self.finish(!a.v, ty, at),
                _ => Ok(Value::int(i128::from(a.v == 0))),
            };
        }
        if let Some(Tok::Ident(w)) = Some(&self.peek().tok) {
            let w = w.as_str();
            let size = w == "sizeof";
            if size || matches!(w, "_Alignof" | "alignof" | "__alignof__" | "__alignof") {
                self.bump();
                if self.is_punct("(") && self.starts_type(1) {
                    self.bump();
                    let tat = self.peek().start;
                    let ty = self.nested(|p| p.type_name())?;
                    self.expect_punct(")", "')' after the type")?;
                    let (s, a) = self
                        .view()
                        .layout(&ty)
                        .map_err(|w| self.why_error(w, tat, "the operand of sizeof"))?;
                    let v = if size { s } else { a };
                    return Ok(Value {
                        v: v as i128,
                        bits: 64,
                        signed: false,
                    });
                }
                let a = self.nested(|p| p.unary())?;
                return Ok(Value {
                    v: i128::from(a.bits / 8),
                    bits: 64,
                    signed: false,
                });
            }
        }
        if self.is_punct("(") && self.starts_type(1) {
            self.bump();
            let tat = self.peek().start;
            let ty = self.nested(|p| p.type_name())?;
            self.expect_punct(")", "')' after the type")?;
            let a = self.nested(|p| p.unary())?;
            return match self.view().settle(&ty) {
                CType::Scalar(Type::Bool) => Ok(Value::int(i128::from(a.v != 0))),
                CType::Scalar(t) if t.is_integer() => {
                    let bits = (t.size() * 8) as u32;
                    let v = wrap(a.v, bits, t.is_signed());
                    Ok(if bits < 32 {
                        Value::int(v)
                    } else {
                        Value {
                            v,
                            bits,
                            signed: t.is_signed(),
                        }
                    })
                }
                other => Err(self.invalid(
                    tat,
                    format!(
                        "a cast to '{}' is not an integer constant expression",
                        other.spell("")
                    ),
                )),
            };
        }
        self.primary()
    }

    fn primary(&mut self) -> Res<Value> {
        let at = self.peek().start;
        let tok = self.peek().tok.clone();
        let v = match tok {
            Tok::Int(lit) => self.literal(lit, at)?,
            Tok::Char(c) => Value::int(i128::from(c)),
            Tok::Ident(name) => match self.view().ordinary(&name) {
                Some(Ordinary::Constant(v)) => {
                    let v = i128::from(*v);
                    Value {
                        v,
                        bits: if fits(v, 32, true) { 32 } else { 64 },
                        signed: true,
                    }
                }
                Some(o) => {
                    return Err(self.invalid(
                        at,
                        format!("'{name}' is {}, not an integer constant", o.kind()),
                    ))
                }
                None => {
                    return Err(self.invalid(
                        at,
                        format!(
                            "'{name}' is not an integer constant (preprocessor macros are not expanded)"
                        ),
                    ))
                }
            },
            Tok::Punct("(") => {
                self.bump();
                let v = self.nested(|p| p.conditional())?;
                self.expect_punct(")", "')' to close the parenthesis")?;
                return Ok(v);
            }
            Tok::Float => {
                return Err(self.invalid(
                    at,
                    "a floating constant is not allowed in an integer constant expression".to_owned(),
                ))
            }
            _ => return Err(self.expected("an integer constant expression")),
        };
        self.bump();
        Ok(v)
    }

    /// An integer literal's value and type, by C's rules.
    fn literal(&self, lit: IntLit, at: usize) -> Res<Value> {
        let candidates: &[(u32, bool)] = match (lit.unsigned, lit.long, lit.decimal) {
            (true, true, _) => &[(64, false)],
            (true, false, _) => &[(32, false), (64, false)],
            (false, true, true) => &[(64, true)],
            (false, true, false) => &[(64, true), (64, false)],
            (false, false, true) => &[(32, true), (64, true)],
            (false, false, false) => &[(32, true), (32, false), (64, true), (64, false)],
        };
        let v = i128::from(lit.value);
        candidates
            .iter()
            .find(|(bits, signed)| fits(v, *bits, *signed))
            .map(|&(bits, signed)| Value { v, bits, signed })
            .ok_or_else(|| {
                self.invalid(at, "integer constant is too large for its type".to_owned())
            })
    }
}
