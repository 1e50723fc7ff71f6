//! Signatures: argument types, a result type, and where variadic arguments
//! start.

use super::{Type, TypeError};

/// The most arguments a signature may have.
pub const MAX_ARGS: usize = 64;

/// A C function type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    args: Vec<Type>,
    ret: Type,
    fixed: Option<usize>,
}

impl Signature {
    /// A fixed-arity signature.
    pub fn new(args: Vec<Type>, ret: Type) -> Result<Signature, TypeError> {
        check_args(&args)?;
        Ok(Signature {
            args,
            ret,
            fixed: None,
        })
    }

    /// A variadic signature: the first `fixed` of `args` are the declared
    /// parameters, the rest are this call's extra arguments.
    pub fn variadic(args: Vec<Type>, fixed: usize, ret: Type) -> Result<Signature, TypeError> {
        if fixed == 0 {
            return Err(TypeError::VariadicWithoutFixed);
        }
        check_args(&args)?;
        let fixed = fixed.min(args.len());
        for (index, ty) in args.iter().enumerate().skip(fixed) {
            let promoted = match ty {
                Type::F32 => Type::F64,
                Type::Bool | Type::I8 | Type::U8 | Type::I16 | Type::U16 => Type::I32,
                _ => continue,
            };
            return Err(TypeError::UnpromotedVariadic {
                index,
                ty: ty.clone(),
                promoted,
            });
        }
        Ok(Signature {
            args,
            ret,
            fixed: Some(fixed),
        })
    }

    /// Argument types.
    pub fn args(&self) -> &[Type] {
        &self.args
    }

    /// Result type.
    pub fn ret(&self) -> &Type {
        &self.ret
    }

    /// For a variadic signature, how many arguments are fixed.
    pub fn fixed(&self) -> Option<usize> {
        self.fixed
    }

    /// Whether the signature is variadic.
    pub fn is_variadic(&self) -> bool {
        self.fixed.is_some()
    }
}

fn check_args(args: &[Type]) -> Result<(), TypeError> {
    if args.len() > MAX_ARGS {
        return Err(TypeError::TooManyArguments {
            count: args.len(),
            max: MAX_ARGS,
        });
    }
    if let Some(index) = args.iter().position(|t| *t == Type::Void) {
        return Err(TypeError::VoidArgument { index });
    }
    if args.iter().any(|t| matches!(t, Type::Array(..))) {
        return Err(TypeError::InvalidField {
            what: "an array passed by value (C passes a pointer)".to_owned(),
        });
    }
    Ok(())
}
