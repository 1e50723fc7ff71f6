//! A foreign procedure built at run time: a target, a signature, the calling
//! convention the target follows and its call stub.

use super::stubs::stub_for;
use super::{Abi, FfiError, Signature, Type, Value};
use crate::code::memory::CodeBlock;
use crate::decl::Decl;
use alien_codegen::abi::sysv::{self, Layout};
use std::sync::Arc;

/// What a procedure calls: a fixed address, or a linkage-table entry (which
/// follows later binding and reports a missing symbol as an error).
#[derive(Debug, Clone, Copy)]
enum Target {
    Address(usize),
    Linkage(&'static Decl),
}

/// A C function callable with a signature known only at run time.
#[derive(Debug, Clone)]
pub struct Procedure {
    target: Target,
    signature: Signature,
    abi: Abi,
    layout: Arc<Layout>,
    stub: Arc<CodeBlock>,
    ret_slots: usize,
}

type StubFn = unsafe extern "C" fn(usize, *const u64, *mut u64);

impl Procedure {
    /// A procedure calling the function at `address` (System V convention).
    ///
    /// # Safety
    ///
    /// `address` must be a C function of type `signature` that stays valid
    /// while the procedure is used.
    pub unsafe fn from_address(
        address: usize,
        signature: Signature,
    ) -> Result<Procedure, FfiError> {
        Procedure::build(Target::Address(address), signature, Abi::SysV)
    }

    /// A procedure calling the function at `address`, which follows the
    /// calling convention `abi` (e.g. an `extern "win64"` function or a
    /// `__attribute__((ms_abi))` one for [`Abi::Win64`]). The slot arrays of
    /// [`call_raw`](Self::call_raw) are the same for every convention.
    ///
    /// # Safety
    ///
    /// `address` must be a function of type `signature` following `abi` that
    /// stays valid while the procedure is used.
    pub unsafe fn from_address_with_abi(
        address: usize,
        signature: Signature,
        abi: Abi,
    ) -> Result<Procedure, FfiError> {
        Procedure::build(Target::Address(address), signature, abi)
    }

    /// A procedure calling `symbol` through the linkage table (found in
    /// `library` and the global scope, now or when a library providing it is
    /// loaded later). A missing symbol is reported when the procedure is
    /// called, as [`FfiError::Undefined`].
    ///
    /// The signature is the caller's claim; calling is `unsafe`.
    pub fn from_symbol(
        symbol: &str,
        library: Option<&str>,
        signature: Signature,
    ) -> Result<Procedure, FfiError> {
        Procedure::from_symbol_with_abi(symbol, library, signature, Abi::SysV)
    }

    /// As [`from_symbol`](Self::from_symbol), for a function following the
    /// calling convention `abi`.
    pub fn from_symbol_with_abi(
        symbol: &str,
        library: Option<&str>,
        signature: Signature,
        abi: Abi,
    ) -> Result<Procedure, FfiError> {
        let entry = crate::try_ensure_linkage(symbol, library).map_err(FfiError::Linkage)?;
        Procedure::build(Target::Linkage(entry.decl()), signature, abi)
    }

    fn build(target: Target, signature: Signature, abi: Abi) -> Result<Procedure, FfiError> {
        let stub = stub_for(abi, &signature)?;
        // The slot array (slots and slot_of) is System V's for every
        // convention; only the stub differs.
        let layout = sysv::layout(&signature);
        let ret_slots = match signature.ret() {
            Type::Void => 0,
            t => sysv::slots(t),
        };
        Ok(Procedure {
            target,
            signature,
            abi,
            layout: Arc::new(layout),
            stub,
            ret_slots,
        })
    }

    /// The signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The calling convention of the target.
    pub fn abi(&self) -> Abi {
        self.abi
    }

    /// Slots the argument array needs (see [`call_raw`](Self::call_raw)).
    pub fn arg_slots(&self) -> usize {
        self.layout.slots
    }

    /// The first slot of each argument.
    pub fn slot_of(&self) -> &[usize] {
        &self.layout.slot_of
    }

    /// Slots the result array needs.
    pub fn ret_slots(&self) -> usize {
        self.ret_slots
    }

    fn address(&self) -> Result<usize, FfiError> {
        match self.target {
            Target::Address(a) => Ok(a),
            Target::Linkage(decl) => {
                if !decl.is_resolved() {
                    crate::__private::try_resolve(decl).map_err(FfiError::Undefined)?;
                }
                Ok(decl.slot() as usize)
            }
        }
    }

    /// The fast path: arguments already in their slots (each argument at
    /// [`slot_of`](Self::slot_of), little-endian, zero padded), the result
    /// written to `ret` (small integers extended to 64 bits, structs as
    /// their bytes).
    ///
    /// # Safety
    ///
    /// The target must be a C function of this signature, and every pointer
    /// argument valid for what it does with it.
    pub unsafe fn call_raw(&self, args: &[u64], ret: &mut [u64]) -> Result<(), FfiError> {
        if args.len() < self.layout.slots {
            return Err(FfiError::SlotCount {
                what: "argument",
                expected: self.layout.slots,
                given: args.len(),
            });
        }
        if ret.len() < self.ret_slots {
            return Err(FfiError::SlotCount {
                what: "result",
                expected: self.ret_slots,
                given: ret.len(),
            });
        }
        let target = self.address()?;
        // SAFETY: the stub was generated for this signature; it reads
        // `layout.slots` argument slots and writes `ret_slots` result slots,
        // both checked above; the caller vouches for the target.
        unsafe {
            let stub: StubFn = std::mem::transmute::<usize, StubFn>(self.stub.addr());
            stub(target, args.as_ptr(), ret.as_mut_ptr());
        }
        Ok(())
    }

    /// The checked path: every argument's type is checked against the
    /// signature before anything is called.
    ///
    /// # Safety
    ///
    /// As for [`call_raw`](Self::call_raw).
    pub unsafe fn call(&self, args: &[Value]) -> Result<Value, FfiError> {
        let types = self.signature.args();
        if args.len() != types.len() {
            return Err(FfiError::ArgumentCount {
                expected: types.len(),
                given: args.len(),
            });
        }
        let mut slots = vec![0u64; self.layout.slots];
        for (index, (v, t)) in args.iter().zip(types).enumerate() {
            if !v.fits(t) {
                return Err(FfiError::ArgumentType {
                    index,
                    expected: t.clone(),
                    given: v.kind(),
                });
            }
            let at = self.layout.slot_of[index];
            v.store(&mut slots[at..]);
        }
        let mut ret = vec![0u64; self.ret_slots.max(1)];
        // SAFETY: the caller's promise, forwarded.
        unsafe { self.call_raw(&slots, &mut ret)? };
        Ok(Value::load(self.signature.ret(), &ret))
    }
}

/// How many (convention, signature) pairs have a generated stub.
pub fn cached_stubs() -> usize {
    super::stubs::cached_stubs()
}
