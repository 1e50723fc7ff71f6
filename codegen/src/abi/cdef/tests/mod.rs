//! Unit tests of the C declaration parser, one file per area.

use super::*;
use crate::abi::{StructType, Type, TypeError};

fn ok<T>(r: Result<T, CdefError>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn err<T: fmt::Debug>(r: Result<T, CdefError>) -> CdefError {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

fn defs(src: &str) -> CDefs {
    let mut d = CDefs::new();
    ok(d.parse(src));
    d
}

fn strukt(t: &Type) -> &StructType {
    match t {
        Type::Struct(s) => s,
        other => panic!("not a struct: {other}"),
    }
}

fn offsets(t: &Type) -> Vec<usize> {
    strukt(t).fields().iter().map(|f| f.offset).collect()
}

fn arr(t: Type, n: usize) -> Type {
    Type::Array(Box::new(t), n)
}

fn unsupported_what(e: &CdefError) -> String {
    match e {
        CdefError::Unsupported { what, .. } => what.clone(),
        other => panic!("expected Unsupported, got {other}"),
    }
}

fn invalid_message(e: &CdefError) -> String {
    match e {
        CdefError::Invalid { message, .. } => message.clone(),
        other => panic!("expected Invalid, got {other}"),
    }
}

mod aggregates;
mod declarators;
mod diagnostics;
mod robustness;
