//! Calls with signatures known only at run time, checked against the fixture.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::undocumented_unsafe_blocks,
    clippy::float_cmp
)]

use alien::ffi::{Procedure, Signature, Type, Value};

fn proc(name: &str, args: Vec<Type>, ret: Type) -> Procedure {
    let sig = Signature::new(args, ret).expect("valid signature");
    Procedure::from_symbol(name, Some(alien_tests::FIXTURE_LIB), sig).expect("procedure")
}

#[test]
fn scalars_and_stack_arguments() {
    let add2 = proc("add2", vec![Type::I32, Type::I32], Type::I32);
    assert_eq!(
        unsafe { add2.call(&[Value::I32(40), Value::I32(2)]) }.unwrap(),
        Value::I32(42)
    );
    let mix8 = proc(
        "mix8",
        vec![
            Type::I32,
            Type::F64,
            Type::I32,
            Type::F64,
            Type::I32,
            Type::F64,
            Type::I32,
            Type::F64,
        ],
        Type::F64,
    );
    let args = [1, 2, 3, 4, 5, 6, 7, 8];
    let vals: Vec<Value> = args
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            if i % 2 == 0 {
                Value::I32(a)
            } else {
                Value::F64(a as f64 + 0.5)
            }
        })
        .collect();
    let want: f64 = args
        .iter()
        .enumerate()
        .map(|(i, &a)| (i as f64 + 1.0) * if i % 2 == 0 { a as f64 } else { a as f64 + 0.5 })
        .sum();
    assert_eq!(unsafe { mix8.call(&vals) }.unwrap(), Value::F64(want));
    let sum12 = proc("sum12", vec![Type::I32; 12], Type::I64);
    let vals: Vec<Value> = (1..=12).map(|i| Value::I32(-i * 1000)).collect();
    let want: i64 = (1..=12i64).map(|i| i * (-i * 1000)).sum();
    assert_eq!(unsafe { sum12.call(&vals) }.unwrap(), Value::I64(want));
    let echo_i8 = proc("echo_i8", vec![Type::I8], Type::I8);
    assert_eq!(
        unsafe { echo_i8.call(&[Value::I8(-128)]) }.unwrap(),
        Value::I8(-128)
    );
}

#[test]
fn structs_by_value() {
    let point = Type::structure(vec![Type::I32, Type::I32]).unwrap();
    let add = proc("point_add", vec![point.clone(), point.clone()], point);
    let p = |x: i32, y: i32| Value::Struct([x.to_le_bytes(), y.to_le_bytes()].concat());
    assert_eq!(
        unsafe { add.call(&[p(1, 2), p(30, 40)]) }.unwrap(),
        p(31, 42)
    );
    let rect = Type::structure(vec![Type::F64; 4]).unwrap();
    let scale = proc("rect_scale", vec![rect.clone(), Type::F64], rect);
    let r = |v: [f64; 4]| Value::Struct(v.iter().flat_map(|x| x.to_le_bytes()).collect());
    assert_eq!(
        unsafe { scale.call(&[r([1.0, 2.0, 3.0, 4.0]), Value::F64(2.0)]) }.unwrap(),
        r([1.0, 2.0, 6.0, 8.0])
    );
}

#[test]
fn variadic() {
    let sig = Signature::variadic(
        vec![Type::I32, Type::F64, Type::F64, Type::F64],
        1,
        Type::F64,
    )
    .unwrap();
    let p = Procedure::from_symbol("sum_var_doubles", Some(alien_tests::FIXTURE_LIB), sig).unwrap();
    let r = unsafe {
        p.call(&[
            Value::I32(3),
            Value::F64(1.5),
            Value::F64(2.5),
            Value::F64(4.0),
        ])
    }
    .unwrap();
    assert_eq!(r, Value::F64(8.0));
}

#[test]
fn errors_are_typed() {
    let add2 = proc("add2", vec![Type::I32, Type::I32], Type::I32);
    assert!(unsafe { add2.call(&[Value::I32(1)]) }.is_err());
    let e = unsafe { add2.call(&[Value::I32(1), Value::F64(2.0)]) }.unwrap_err();
    assert!(e.to_string().contains("argument 1"), "{e}");
    let missing = proc("no_such_function_anywhere", vec![], Type::Void);
    let e = unsafe { missing.call(&[]) }.unwrap_err();
    assert!(e.to_string().contains("no_such_function_anywhere"), "{e}");
    assert!(Type::structure(vec![]).is_err());
    assert!(Signature::variadic(vec![], 0, Type::Void).is_err());
}
