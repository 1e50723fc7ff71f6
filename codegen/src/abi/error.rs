//! Errors of building types and signatures.

use std::fmt;

/// A type or signature C cannot express, or one alien does not support.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TypeError {
    /// A struct with no fields or only zero-sized ones.
    ZeroSizedStruct {
        /// The struct's name, if it has one.
        name: Option<String>,
    },
    /// An array of zero elements, or `void`, used as a field or argument.
    InvalidField {
        /// What was wrong.
        what: String,
    },
    /// More arguments than supported.
    TooManyArguments {
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A variadic signature without a fixed argument.
    VariadicWithoutFixed,
    /// `void` as an argument type.
    VoidArgument {
        /// The argument's index.
        index: usize,
    },
    /// A struct too large to describe (its size overflows).
    TooLarge,
    /// A variadic extra argument of a type C never passes there: C's default
    /// argument promotions turn `float` into `double` and integers narrower
    /// than `int` into `int`.
    UnpromotedVariadic {
        /// The argument's index.
        index: usize,
        /// Its type.
        ty: super::Type,
        /// What C passes instead.
        promoted: super::Type,
    },
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeError::ZeroSizedStruct { name: Some(n) } => {
                write!(f, "struct {n} has size zero, which C does not allow")
            }
            TypeError::ZeroSizedStruct { name: None } => {
                write!(f, "a struct has size zero, which C does not allow")
            }
            TypeError::InvalidField { what } => write!(f, "invalid struct field: {what}"),
            TypeError::TooManyArguments { count, max } => {
                write!(f, "{count} arguments given, at most {max} are supported")
            }
            TypeError::VariadicWithoutFixed => {
                write!(f, "a variadic signature needs at least one fixed argument")
            }
            TypeError::VoidArgument { index } => {
                write!(f, "argument {index} is void, which C does not allow")
            }
            TypeError::TooLarge => write!(f, "a struct's size overflows"),
            TypeError::UnpromotedVariadic { index, ty, promoted } => write!(
                f,
                "variadic argument {index} is {ty}, which C never passes through `...`: pass it as {promoted} \
                 (the default argument promotions)"
            ),
        }
    }
}

impl std::error::Error for TypeError {}
