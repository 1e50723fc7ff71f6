#![doc = include_str!("../../README.md")]

mod bare;
pub mod callback;
pub mod code;
mod decl;
mod dynamic;
mod errno;
mod error;
pub mod ffi;
pub mod handles;
mod introspect;
pub mod library;
pub mod marshal;
mod table;
mod varargs;
mod variable;

#[doc(hidden)]
pub mod __private;

pub use alien_macros::{
    define_alien_variable, define_c_enum, define_c_function, foreign_procedure, CStruct,
};
pub use bare::BareFunction;
pub use callback::{
    forwarding_panics, set_orphan_panic_policy, Callback, OrphanPanicPolicy, RuntimeCallback,
};
pub use decl::{BindState, SymbolKind};
pub use dynamic::{ensure_linkage, try_ensure_linkage, DynamicEntry};
pub use errno::Errno;
pub use error::{Error, UndefinedSymbol};
pub use handles::{Finalized, Handle, HandleError, HandleRegistry, Handles, RefKind};
pub use introspect::{linkage, LinkageInfo};
pub use marshal::{CEnum, CRepr, CRet, CallError, FromC, IntoC, MarshalError};
pub use table::{
    add_reload_observer, bind_mode, init, interpose, load_library, original, probe, rebind_all,
    reload_epoch, reload_library, remove_reload_observer, replace_library, restore_failure_hook,
    retire_old_versions, set_failure_hook, take_failure_hook, try_entry, BindMode, BindReport,
    FailureHook, Interposition, LibraryVersion, LoadedLibrary, ObserverId, ProbedSymbol,
    ReloadError, ReloadEvent, ReloadPhase, ReloadReport,
};
pub use varargs::{VarArg, VarArgs};
pub use variable::Variable;
