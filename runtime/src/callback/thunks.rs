//! Thunk templates (encoded once) and the per-signature shape of callbacks.

use super::args::ArgList;
use crate::code::memory::{CodeArena, CodeBlock};
use crate::marshal::CRet;
use alien_codegen::abi::sysv::{self, Layout, RetPass};
use alien_codegen::abi::Signature;
use alien_codegen::x86::{self, Template};
use std::any::TypeId;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// How callbacks of one signature are made. Layouts and templates are made
/// once per signature and kept for the life of the process (there are as
/// many as the program has callback signatures), so a shape is two plain
/// references: making a callback touches no reference count.
#[derive(Clone, Copy)]
pub(crate) struct Shape {
    pub(crate) layout: &'static Layout,
    /// The shift template, when the signature fits it.
    pub(crate) shift: Option<&'static Template>,
}

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// Shift templates by (general registers used, hidden result pointer).
type ShiftTemplates = HashMap<(usize, bool), &'static Template>;
static SHIFT: OnceLock<Mutex<ShiftTemplates>> = OnceLock::new();
static FRAME: OnceLock<Result<&'static Template, String>> = OnceLock::new();
static SHAPES: OnceLock<Mutex<HashMap<TypeId, Shape>>> = OnceLock::new();

/// Shapes a thread has looked up, so that making a callback of a known
/// signature takes no lock (a short list: programs have few signatures).
const LOCAL_SHAPES: usize = 16;
thread_local! {
    static LOCAL: RefCell<Vec<(TypeId, Shape)>> = const { RefCell::new(Vec::new()) };
}

fn shift_template(int_regs: usize, sret: bool) -> std::io::Result<&'static Template> {
    let map = SHIFT.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(t) = map.get(&(int_regs, sret)) {
        return Ok(t);
    }
    let t: &'static Template = Box::leak(Box::new(x86::shift_thunk(int_regs, sret).map_err(io)?));
    map.insert((int_regs, sret), t);
    Ok(t)
}

fn frame_template() -> std::io::Result<&'static Template> {
    let made = FRAME.get_or_init(|| {
        x86::frame_thunk()
            .map(|t| &*Box::leak(Box::new(t)))
            .map_err(|e| e.to_string())
    });
    match made {
        Ok(t) => Ok(t),
        Err(e) => Err(io(e)),
    }
}

/// The shape of a signature given as types (its layout is kept forever).
fn shape_for(sig: &Signature) -> std::io::Result<Shape> {
    let layout = sysv::layout(sig);
    let sret = layout.ret == RetPass::Memory;
    let shift = if x86::shift_fits(layout.int_regs, layout.stack_bytes) {
        Some(shift_template(layout.int_regs, sret)?)
    } else {
        None
    };
    Ok(Shape {
        layout: Box::leak(Box::new(layout)),
        shift,
    })
}

/// The shape of callbacks taking `Args` and returning `R`: from this
/// thread's list, else from the process-wide map (made there once per type).
pub(crate) fn shape_of<Args: ArgList, R: CRet>() -> std::io::Result<Shape> {
    let key = TypeId::of::<(Args, R)>();
    let local = LOCAL.try_with(|l| {
        l.borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|&(_, shape)| shape)
    });
    if let Ok(Some(shape)) = local {
        return Ok(shape);
    }
    let shape = global_shape::<Args, R>(key)?;
    let _ = LOCAL.try_with(|l| {
        let mut l = l.borrow_mut();
        if l.len() < LOCAL_SHAPES {
            l.push((key, shape));
        }
    });
    Ok(shape)
}

fn global_shape<Args: ArgList, R: CRet>(key: TypeId) -> std::io::Result<Shape> {
    let shapes = SHAPES.get_or_init(|| Mutex::new(HashMap::new()));
    let mut shapes = shapes.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(s) = shapes.get(&key) {
        return Ok(*s);
    }
    let sig = Signature::new(Args::types(), R::c_type()).map_err(io)?;
    let shape = shape_for(&sig)?;
    shapes.insert(key, shape);
    Ok(shape)
}

/// Makes the thunk of one callback.
pub(crate) fn instantiate(
    shape: &Shape,
    data: usize,
    handler: usize,
) -> std::io::Result<CodeBlock> {
    let template = match shape.shift {
        Some(t) => t,
        None => frame_template()?,
    };
    write(template, data, handler)
}

/// Makes a frame thunk (run-time callbacks).
pub(crate) fn instantiate_frame(data: usize, handler: usize) -> std::io::Result<CodeBlock> {
    write(frame_template()?, data, handler)
}

/// Copies `template` into fresh code memory, patched with `data` and
/// `handler`.
fn write(template: &Template, data: usize, handler: usize) -> std::io::Result<CodeBlock> {
    CodeArena::global()
        .reserve(template.len())?
        .finish_with(template.len(), |buf| {
            template.instantiate_into(buf, data as u64, handler as u64)
        })
}
