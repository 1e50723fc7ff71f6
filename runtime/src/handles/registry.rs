//! The public registries: [`Handles`] (any type, checked at lookup) and
//! [`HandleRegistry<T>`] (one type), and [`Finalized`] objects.

use super::guard::Ref;
use super::handle::{Handle, HandleError, RefKind};
use super::ops::upgrade;
use super::slots::{Core, Miss, Slot};
use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

#[track_caller]
fn registered(r: Result<Handle, HandleError>) -> Handle {
    match r {
        Ok(h) => h,
        Err(e) => panic!("alien: cannot register an object: {e}"),
    }
}

/// The error for a [`Miss`] of handle `h`, looked up as a `T`.
#[cold]
fn missed<T>(miss: Miss, h: Handle) -> HandleError {
    match miss {
        Miss::Refused(refused) => refused.error(h),
        Miss::WrongType(ops) => HandleError::WrongType {
            handle: h,
            expected: std::any::type_name::<T>(),
            found: (ops.type_name)(),
        },
        Miss::Dead => HandleError::Dead { handle: h },
    }
}

/// A registry of objects of any type (`Send + Sync + 'static`), each named by
/// a [`Handle`]; lookups say which type they expect
/// (`lookup::<Config>(h)`) and get `None` for any other.
///
/// [`global`](super::global) is the process's registry; [`Handles::new`]
/// makes an independent one (a `static` if you like: `new` is `const`).
/// See the [module documentation](super) for how lookups stay lock-free.
pub struct Handles {
    core: Core,
}

impl Handles {
    /// An empty registry.
    pub const fn new() -> Handles {
        Handles { core: Core::new() }
    }

    /// Registers `obj` (ILU's `register-lisp-object`); panics only when all
    /// 2^32 − 1 slots are in use (see [`try_register`](Self::try_register)).
    #[track_caller]
    pub fn register<T: Send + Sync + 'static>(&self, obj: Arc<T>, kind: RefKind) -> Handle {
        registered(self.core.insert(obj, kind))
    }

    /// Registers `obj`, or says why not.
    pub fn try_register<T: Send + Sync + 'static>(
        &self,
        obj: Arc<T>,
        kind: RefKind,
    ) -> Result<Handle, HandleError> {
        self.core.insert(obj, kind)
    }

    /// Registers `value`, strongly: the registry owns it until it is
    /// unregistered or made weak.
    #[track_caller]
    pub fn register_value<T: Send + Sync + 'static>(&self, value: T) -> Handle {
        self.register(Arc::new(value), RefKind::Strong)
    }

    /// Registers `value` strongly, with a finalizer that runs once when the
    /// last strong reference (the registry's or any `Arc` from a lookup)
    /// goes away. Look it up as a [`Finalized<T>`]:
    /// `lookup::<Finalized<T>>(h)`. The registry gives its reference up at
    /// the grace period after unregistering (see
    /// [`unregister`](Self::unregister)): [`reclaim`](Self::reclaim) makes
    /// the finalizer run then, if nothing else holds the object.
    #[track_caller]
    pub fn register_with_finalizer<T, F>(&self, value: T, finalizer: F) -> Handle
    where
        T: Send + Sync + 'static,
        F: FnOnce(&T) + Send + 'static,
    {
        self.register_value(Finalized::new(value, finalizer))
    }

    /// The object `h` names, borrowed, if it is registered, alive and a `T`
    /// (ILU's `lookup-registered-lisp-object`): the fastest way to use it.
    /// Lock-free, and for a strong registration it writes no shared memory
    /// at all (not even the object's reference count): the [`Ref`] borrows
    /// the object through the registry's reference while it keeps a read
    /// section open. For a weak registration the `Ref` holds an `Arc` of its
    /// own. Drop the `Ref` soon (see [`Ref`]); [`lookup`](Self::lookup)
    /// gives an `Arc` to keep.
    ///
    /// ```
    /// use alien::handles::Handles;
    ///
    /// let reg = Handles::new();
    /// let h = reg.register_value(String::from("peer"));
    /// let name = reg.get::<String>(h).expect("registered");
    /// assert_eq!(name.len(), 4);
    /// assert!(reg.get::<u32>(h).is_none()); // another type
    /// reg.unregister(h).unwrap();            // fine while `name` is held
    /// assert_eq!(*name, "peer");
    /// drop(name);
    /// assert!(reg.get::<String>(h).is_none());
    /// ```
    #[inline(always)]
    pub fn get<T: Send + Sync + 'static>(&self, h: Handle) -> Option<Ref<'_, T>> {
        // SAFETY: `TYPED`: the slot's type is checked.
        unsafe { self.core.get::<T, true>(h) }.ok()
    }

    /// The object `h` names, borrowed (see [`get`](Self::get)), or why there
    /// is none.
    #[inline]
    pub fn try_get<T: Send + Sync + 'static>(&self, h: Handle) -> Result<Ref<'_, T>, HandleError> {
        // SAFETY: as in `get`.
        unsafe { self.core.get::<T, true>(h) }.map_err(|m| missed::<T>(m, h))
    }

    /// The object `h` names, if it is registered, alive and a `T`, as an
    /// `Arc` to keep (ILU's `lookup-registered-lisp-object`). Lock-free; it
    /// increments the object's reference count (and the caller's drop of
    /// the `Arc` decrements it), which is most of its cost: to use the
    /// object briefly, [`get`](Self::get) is cheaper.
    #[inline(always)]
    pub fn lookup<T: Send + Sync + 'static>(&self, h: Handle) -> Option<Arc<T>> {
        self.core.find(h, |weak, slot: &Slot| {
            // SAFETY: inside the read section, after the word was seen
            // occupied (`find`'s contract).
            if !unsafe { slot.holds::<T>() } {
                return None;
            }
            // SAFETY: the object is a `T` (checked above); `weak` is the
            // registry's weak pointer, valid for the read section.
            unsafe { upgrade::<T>(weak) }
        })
    }

    /// The object `h` names, or why there is none.
    #[inline]
    pub fn try_lookup<T: Send + Sync + 'static>(&self, h: Handle) -> Result<Arc<T>, HandleError> {
        match self.read::<T>(h) {
            Ok(Ok(Some(obj))) => Ok(obj),
            Ok(Ok(None)) => Err(HandleError::Dead { handle: h }),
            Ok(Err(found)) => Err(HandleError::WrongType {
                handle: h,
                expected: std::any::type_name::<T>(),
                found,
            }),
            Err(refused) => Err(refused.error(h)),
        }
    }

    /// The registration's `T` (`None` if it died), or the name of its type
    /// if it is of another.
    #[inline]
    fn read<T: Send + Sync + 'static>(
        &self,
        h: Handle,
    ) -> Result<Result<Option<Arc<T>>, &'static str>, super::slots::Refused> {
        self.core.read(h, |weak, slot: &Slot| {
            // SAFETY: inside the read section, after the word was seen
            // occupied (`read`'s contract).
            if !unsafe { slot.holds::<T>() } {
                // SAFETY: as above.
                let ops = unsafe { slot.ops() };
                return Err((ops.type_name)());
            }
            // SAFETY: the object is a `T` (checked above); `weak` is the
            // registry's weak pointer, valid for the read section.
            Ok(unsafe { upgrade::<T>(weak) })
        })
    }

    /// The object `h` names, whatever its type.
    pub fn lookup_any(&self, h: Handle) -> Option<Arc<dyn Any + Send + Sync>> {
        self.core.find(h, |weak, slot: &Slot| {
            // SAFETY: inside the read section, after the word was seen
            // occupied; `weak` is the registry's weak pointer of the type
            // the slot's ops belong to, valid for the read section.
            unsafe { (slot.ops().upgrade_any)(weak) }
        })
    }

    /// Removes the registration (ILU's `unregister-lisp-object`): `h` and
    /// every copy of it become stale for good, at once (lookups and `get`s
    /// that start afterwards find nothing). A strong registration's
    /// reference is given up later, by a grace period, once no [`Ref`]
    /// taken before can still borrow through it: so the object (and a
    /// [`Finalized`] hook) outlives this call. A grace period starts every
    /// 64 unregistrations (or switches to weak), and on
    /// [`reclaim`](Self::reclaim), which runs one to the end when no `Ref`
    /// is held.
    pub fn unregister(&self, h: Handle) -> Result<(), HandleError> {
        self.core.remove(h)
    }

    /// Makes the registration strong or weak (ILU's transition when no peer
    /// holds a reference any more); returns the kind it had. Making a
    /// registration weak gives the registry's reference up at the next grace
    /// period, as [`unregister`](Self::unregister) does (then the object dies
    /// if nothing else holds it); making a dead weak registration strong is
    /// [`HandleError::Dead`].
    pub fn set_kind(&self, h: Handle, kind: RefKind) -> Result<RefKind, HandleError> {
        self.core.set_kind(h, kind)
    }

    /// How the registry holds the object `h` names.
    pub fn kind(&self, h: Handle) -> Result<RefKind, HandleError> {
        self.core.kind(h)
    }

    /// Registrations in place (weak ones whose object died included).
    pub fn len(&self) -> usize {
        self.core.len()
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs a grace period now: gives up the registry's references to
    /// unregistered objects (and to objects made weak), which drops them
    /// (and runs their finalizers) if nothing else holds them, frees what
    /// they still hold and makes their slots reusable. The registry does
    /// this by itself every few dozen unregistrations.
    ///
    /// Only what no read section can still use is released: a [`Ref`] held
    /// on this thread keeps back everything unregistered while it was
    /// alive, and one held on another thread too, once this has waited a
    /// little (about 10 ms at most) for it. Returns whether everything is
    /// released; if not, a later grace period releases the rest.
    pub fn reclaim(&self) -> bool {
        self.core.reclaim()
    }
}

impl Default for Handles {
    fn default() -> Self {
        Handles::new()
    }
}

impl fmt::Debug for Handles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handles").field("len", &self.len()).finish()
    }
}

/// A registry of `T`s: like [`Handles`], without the type check at lookup.
pub struct HandleRegistry<T> {
    core: Core,
    _marker: PhantomData<fn() -> T>,
}

impl<T: Send + Sync + 'static> HandleRegistry<T> {
    /// An empty registry (`const`: it can be a `static`).
    pub const fn new() -> HandleRegistry<T> {
        HandleRegistry {
            core: Core::new(),
            _marker: PhantomData,
        }
    }

    /// Registers `obj`; panics only when every slot is in use.
    #[track_caller]
    pub fn register(&self, obj: Arc<T>, kind: RefKind) -> Handle {
        registered(self.core.insert(obj, kind))
    }

    /// Registers `obj`, or says why not.
    pub fn try_register(&self, obj: Arc<T>, kind: RefKind) -> Result<Handle, HandleError> {
        self.core.insert(obj, kind)
    }

    /// Registers `value`, strongly.
    #[track_caller]
    pub fn register_value(&self, value: T) -> Handle {
        self.register(Arc::new(value), RefKind::Strong)
    }

    /// The object `h` names, borrowed, if it is registered and alive; see
    /// [`Handles::get`]. Lock-free, and for a strong registration free of
    /// any shared write.
    #[inline(always)]
    pub fn get(&self, h: Handle) -> Option<Ref<'_, T>> {
        // SAFETY: this registry holds only `T`s.
        unsafe { self.core.get::<T, false>(h) }.ok()
    }

    /// The object `h` names, borrowed, or why there is none.
    #[inline]
    pub fn try_get(&self, h: Handle) -> Result<Ref<'_, T>, HandleError> {
        // SAFETY: as in `get`.
        unsafe { self.core.get::<T, false>(h) }.map_err(|m| missed::<T>(m, h))
    }

    /// The object `h` names, if it is registered and alive, as an `Arc`;
    /// see [`Handles::lookup`]. Lock-free.
    #[inline(always)]
    pub fn lookup(&self, h: Handle) -> Option<Arc<T>> {
        // SAFETY: this registry holds only `T`s; `weak` is its weak
        // pointer, valid for the read section.
        let f = |weak, _: &Slot| unsafe { upgrade::<T>(weak) };
        self.core.find(h, f)
    }

    /// The object `h` names, or why there is none.
    #[inline]
    pub fn try_lookup(&self, h: Handle) -> Result<Arc<T>, HandleError> {
        // SAFETY: as in `lookup`.
        let f = |weak, _: &Slot| unsafe { upgrade::<T>(weak) };
        match self.core.read(h, f) {
            Ok(Some(obj)) => Ok(obj),
            Ok(None) => Err(HandleError::Dead { handle: h }),
            Err(refused) => Err(refused.error(h)),
        }
    }

    /// Removes the registration; see [`Handles::unregister`].
    pub fn unregister(&self, h: Handle) -> Result<(), HandleError> {
        self.core.remove(h)
    }

    /// Makes the registration strong or weak; see [`Handles::set_kind`].
    pub fn set_kind(&self, h: Handle, kind: RefKind) -> Result<RefKind, HandleError> {
        self.core.set_kind(h, kind)
    }

    /// How the registry holds the object `h` names.
    pub fn kind(&self, h: Handle) -> Result<RefKind, HandleError> {
        self.core.kind(h)
    }

    /// Registrations in place.
    pub fn len(&self) -> usize {
        self.core.len()
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs a grace period now; see [`Handles::reclaim`].
    pub fn reclaim(&self) -> bool {
        self.core.reclaim()
    }
}

impl<U: Send + Sync + 'static> HandleRegistry<Finalized<U>> {
    /// Registers `value` strongly with a finalizer; see
    /// [`Handles::register_with_finalizer`].
    #[track_caller]
    pub fn register_with_finalizer<F>(&self, value: U, finalizer: F) -> Handle
    where
        F: FnOnce(&U) + Send + 'static,
    {
        self.register_value(Finalized::new(value, finalizer))
    }
}

impl<T: Send + Sync + 'static> Default for HandleRegistry<T> {
    fn default() -> Self {
        HandleRegistry::new()
    }
}

impl<T> fmt::Debug for HandleRegistry<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandleRegistry")
            .field("type", &std::any::type_name::<T>())
            .field("len", &self.core.len())
            .finish()
    }
}

type Finalizer<T> = Box<dyn FnOnce(&T) + Send>;

/// A value with a finalizer (ILU's `optional-finalization-hook`): the
/// finalizer runs exactly once, with the value, when the `Finalized` is
/// dropped — for an `Arc<Finalized<T>>`, when the last strong reference goes
/// away, the registry's included (which it gives up at the grace period
/// after unregistering: see [`Handles::unregister`] and
/// [`Handles::reclaim`]). Derefs to `T`.
pub struct Finalized<T: 'static> {
    value: T,
    // A mutex only to be `Sync`: it is touched solely in `drop`, through
    // `&mut self`, so never locked.
    finalizer: Mutex<Option<Finalizer<T>>>,
}

impl<T: 'static> Finalized<T> {
    /// `value`, with `finalizer` to run when it is dropped.
    pub fn new(value: T, finalizer: impl FnOnce(&T) + Send + 'static) -> Finalized<T> {
        Finalized {
            value,
            finalizer: Mutex::new(Some(Box::new(finalizer))),
        }
    }

    /// The value.
    pub fn get(&self) -> &T {
        &self.value
    }
}

impl<T: 'static> Deref for Finalized<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: 'static> Drop for Finalized<T> {
    fn drop(&mut self) {
        let hook = self
            .finalizer
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(f) = hook {
            f(&self.value);
        }
    }
}

impl<T: fmt::Debug + 'static> fmt::Debug for Finalized<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finalized")
            .field("value", &self.value)
            .finish()
    }
}
