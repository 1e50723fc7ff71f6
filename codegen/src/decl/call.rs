//! The body of a call: argument marshalling, the call through the slot, and
//! result conversion. Shared by `define_c_function!` and `foreign_procedure!`.

use super::function::{Direction, Function};
use super::ty::{Position, Ty};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

/// What one declaration's call needs, in tokens.
pub struct CallPlan {
    /// `name: Type` for every parameter the wrapper takes.
    pub inputs: Vec<TokenStream>,
    /// The argument names the wrapper takes (to forward them).
    pub input_names: Vec<TokenStream>,
    /// The C parameter types, in order.
    pub c_params: Vec<TokenStream>,
    /// The C return type (`()` for void).
    pub c_ret: TokenStream,
    /// The wrapper's return type.
    pub output: TokenStream,
    /// Statements that marshal, call `__f` and produce `Ok(output)`.
    pub body: TokenStream,
    /// Compile-time checks on user types (`IntoC`/`FromC` bounds), spanned
    /// at the declaration.
    pub shims: TokenStream,
}

fn tuple(items: &[TokenStream]) -> TokenStream {
    match items.len() {
        0 => quote!(()),
        1 => items[0].clone(),
        _ => quote!((#(#items),*)),
    }
}

impl CallPlan {
    /// Plans the call of `f`; `slot` is an expression giving the address to call.
    pub fn new(f: &Function, slot: &TokenStream) -> CallPlan {
        let fname = f.name.to_string();
        let mut inputs = Vec::new();
        let mut input_names = Vec::new();
        let mut c_params = Vec::new();
        let mut pre = Vec::new();
        let mut args = Vec::new();
        let mut out_types = Vec::new();
        let mut out_values = Vec::new();
        let mut shims = Vec::new();
        let p = quote!(::alien::__private);

        if let Some(ret) = &f.ret {
            out_types.push(ret.rust_type(Position::Return));
        }
        for (index, param) in f.params.iter().enumerate() {
            let name = &param.name;
            let pname = name.to_string();
            let ty = &param.ty;
            let tmp = format_ident!("__alien_{}", name);
            if let Some(slice) = &param.len_of {
                // Not taken from the caller: the wrapper passes the slice's length.
                let rt = ty.rust_type(Position::In);
                pre.push(quote!(let #name: #rt = #p::slice_len(#slice.len(), #fname, #pname)?;));
            } else if param.dir != Direction::Out {
                let rt = ty.rust_type(Position::In);
                inputs.push(quote!(#name: #rt));
                input_names.push(quote!(#name));
            }
            if let Ty::User(t) = ty {
                let span = t.span();
                let bound = if param.dir == Direction::In {
                    quote_spanned!(span=> #p::IntoC)
                } else {
                    quote_spanned!(span=> #p::FromC + #p::IntoC)
                };
                shims.push(quote_spanned!(span=> { fn __alien_check<T: #bound>() {} __alien_check::<#t>(); }));
            }
            // The value passed for an `in` parameter (or the initial value of an `inout` one).
            let in_value = match ty {
                Ty::Prim { .. } | Ty::RawPtr(_) | Ty::FnPtr(_) => quote!(#name),
                Ty::Str(_) => {
                    pre.push(quote!(let #tmp = #p::string_arg(#name, #fname, #pname, #index)?;));
                    quote!(#tmp.as_ptr())
                }
                Ty::Unicode(_) => {
                    pre.push(quote!(let #tmp = #p::unicode_arg(#name, #fname, #pname, #index)?;));
                    quote!(#tmp.as_ptr())
                }
                Ty::CStr(_) => quote!(#name.as_ptr()),
                Ty::OptCStr(_) => {
                    quote!(match #name { #p::Some(s) => s.as_ptr(), #p::None => ::core::ptr::null() })
                }
                Ty::Bytes(_) => quote!(#name.as_ptr()),
                Ty::BytesMut(_) => quote!(#name.as_mut_ptr()),
                Ty::User(t) => quote_spanned!(t.span()=> <#t as #p::IntoC>::into_c(#name)),
                Ty::Closure {
                    mutable, args, ret, ..
                } => {
                    let ret = ret.as_ref().map_or_else(|| quote!(()), |r| quote!(#r));
                    let make = if *mutable {
                        quote!(callback_fn_mut)
                    } else {
                        quote!(callback_fn)
                    };
                    pre.push(
                        quote!(let #tmp = #p::#make::<(#(#args,)*), #ret, _>(#name, #fname)?;),
                    );
                    quote!(#tmp.as_fn())
                }
            };
            match param.dir {
                Direction::In => {
                    c_params.push(ty.c_type(Position::In));
                    args.push(in_value);
                }
                Direction::Out | Direction::InOut => {
                    let ct = ty.c_type(Position::Out);
                    c_params.push(quote!(*mut #ct));
                    if param.dir == Direction::Out {
                        pre.push(quote!(let mut #tmp: #ct = #p::zeroed::<#ct>();));
                    } else {
                        pre.push(quote!(let mut #tmp: #ct = #in_value;));
                    }
                    args.push(quote!(&mut #tmp as *mut #ct));
                    out_types.push(ty.rust_type(Position::Out));
                    out_values.push(match ty {
                        Ty::User(t) => quote_spanned!(t.span()=> #p::from_c::<#t>(#tmp, #fname)?),
                        _ => quote!(#tmp),
                    });
                }
            }
        }
        if f.flags.errno {
            out_types.push(quote!(#p::Errno));
        }
        let c_ret = match &f.ret {
            Some(t) => t.c_type(Position::Return),
            None => quote!(()),
        };
        if let Some(Ty::User(t)) = &f.ret {
            let span = t.span();
            shims.push(quote_spanned!(span=> { fn __alien_check<T: #p::FromC>() {} __alien_check::<#t>(); }));
        }
        let ret_value = f.ret.as_ref().map(|t| match t {
            Ty::CStr(_) => quote!(unsafe { #p::cstr_result(__alien_r, #fname) }?),
            Ty::OptCStr(_) => quote!(unsafe { #p::opt_cstr_result(__alien_r) }),
            Ty::User(t) => quote_spanned!(t.span()=> #p::from_c::<#t>(__alien_r, #fname)?),
            _ => quote!(__alien_r),
        });
        let mut values: Vec<TokenStream> = ret_value.into_iter().collect();
        values.extend(out_values);
        if f.flags.errno {
            values.push(quote!(__alien_errno));
        }
        let output = tuple(&out_types);
        let result = tuple(&values);
        let (errno_before, errno_after) = if f.flags.errno {
            (
                quote!(#p::Errno::clear();),
                quote!(let __alien_errno = #p::Errno::last();),
            )
        } else {
            (quote!(), quote!())
        };
        // Unless the function promises never to call back into Rust, a panic
        // raised in a callback during the call is resumed when it returns.
        let (guard_before, guard_after) = if f.flags.no_callbacks {
            (quote!(), quote!())
        } else {
            (
                quote!(let __alien_guard = #p::ForeignCall::enter();),
                quote!(__alien_guard.leave();),
            )
        };
        let call = if f.variadic {
            let fixed = quote!((#(#args,)*));
            quote!(<__AlienVarArgs as ::alien::VarArgs<(#(#c_params,)*), #c_ret>>::call_with(__alien_va, #slot, #fixed))
        } else {
            quote! {{
                let __alien_f: unsafe extern "C-unwind" fn(#(#c_params),*) -> #c_ret = #p::transmute(#slot);
                __alien_f(#(#args),*)
            }}
        };
        let body = quote! {
            #(#pre)*
            #guard_before
            #errno_before
            // SAFETY: the slot holds the declared function (or a stub that
            // resolves it or panics at this caller); the declaration states
            // its C signature.
            #[allow(unused_unsafe, clippy::let_unit_value)]
            let __alien_r: #c_ret = unsafe { #call };
            #errno_after
            #guard_after
            let _ = &__alien_r;
            #p::Ok(#result)
        };
        CallPlan {
            inputs,
            input_names,
            c_params,
            c_ret,
            output,
            body,
            shims: quote!(#(#shims)*),
        }
    }
}
