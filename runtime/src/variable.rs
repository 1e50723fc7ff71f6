//! Foreign variables, reached through a `ref` slot holding their address
//! (SBCL's `datap` linkage entries).

use crate::decl::Decl;
use crate::error::UndefinedSymbol;
use std::fmt;
use std::marker::PhantomData;

/// A C global variable of type `T`, declared with
/// [`define_alien_variable!`](crate::define_alien_variable).
///
/// Every access loads the variable's address from the table, so it follows a
/// library loaded or reloaded later. An access to a variable that is defined
/// nowhere panics with the same *undefined alien variable* message a
/// function gives (never a SIGSEGV); the `try_` methods return it instead.
pub struct Variable<T> {
    #[doc(hidden)]
    pub decl: Decl,
    _type: PhantomData<fn() -> T>,
}

impl<T: Copy> Variable<T> {
    #[doc(hidden)]
    pub const fn __new(decl: Decl) -> Self {
        Variable {
            decl,
            _type: PhantomData,
        }
    }

    /// The variable's address, or why there is none.
    pub fn try_as_ptr(&'static self) -> Result<*mut T, UndefinedSymbol> {
        crate::table::data_address(&self.decl).map(|a| a as *mut T)
    }

    /// The variable's address; panics if the symbol is defined nowhere.
    pub fn as_ptr(&'static self) -> *mut T {
        match self.try_as_ptr() {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    /// Reads the variable (a volatile read: C may change it at any time).
    pub fn try_get(&'static self) -> Result<T, UndefinedSymbol> {
        // SAFETY: the address is the variable's, from dlsym; the declaration
        // states its type.
        self.try_as_ptr()
            .map(|p| unsafe { std::ptr::read_volatile(p) })
    }

    /// Reads the variable; panics if it is defined nowhere.
    pub fn get(&'static self) -> T {
        // SAFETY: as in `try_get`.
        unsafe { std::ptr::read_volatile(self.as_ptr()) }
    }

    /// Writes the variable.
    pub fn try_set(&'static self, value: T) -> Result<(), UndefinedSymbol> {
        // SAFETY: as in `try_get`; the variable is writable C data.
        self.try_as_ptr()
            .map(|p| unsafe { std::ptr::write_volatile(p, value) })
    }

    /// Writes the variable; panics if it is defined nowhere.
    pub fn set(&'static self, value: T) {
        // SAFETY: as in `try_set`.
        unsafe { std::ptr::write_volatile(self.as_ptr(), value) }
    }

    /// Whether the variable's address is known.
    pub fn is_resolved(&'static self) -> bool {
        crate::table::init();
        self.decl.is_resolved()
    }

    /// The declaration record.
    pub fn decl(&'static self) -> &'static Decl {
        &self.decl
    }
}

impl<T> fmt::Debug for Variable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Variable")
            .field("decl", &self.decl)
            .finish()
    }
}
