//! Thunk templates (encoded once) and the per-signature shape of callbacks.

use super::args::ArgList;
use crate::code::memory::{CodeArena, CodeBlock};
use crate::marshal::CRet;
use alien_codegen::abi::sysv::{self, Layout, RetPass};
use alien_codegen::abi::Signature;
use alien_codegen::x86::{self, Template};
use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// How callbacks of one signature are made.
#[derive(Clone)]
pub(crate) struct Shape {
    pub(crate) layout: Arc<Layout>,
    /// The shift template, when the signature fits it.
    pub(crate) shift: Option<Arc<Template>>,
}

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// Shift templates by (general registers used, hidden result pointer).
type ShiftTemplates = HashMap<(usize, bool), Arc<Template>>;
static SHIFT: OnceLock<Mutex<ShiftTemplates>> = OnceLock::new();
static FRAME: OnceLock<Result<Arc<Template>, String>> = OnceLock::new();
static SHAPES: OnceLock<Mutex<HashMap<TypeId, Shape>>> = OnceLock::new();

fn shift_template(int_regs: usize, sret: bool) -> std::io::Result<Arc<Template>> {
    let map = SHIFT.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(t) = map.get(&(int_regs, sret)) {
        return Ok(Arc::clone(t));
    }
    let t = Arc::new(x86::shift_thunk(int_regs, sret).map_err(io)?);
    map.insert((int_regs, sret), Arc::clone(&t));
    Ok(t)
}

fn frame_template() -> std::io::Result<Arc<Template>> {
    match FRAME.get_or_init(|| x86::frame_thunk().map(Arc::new).map_err(|e| e.to_string())) {
        Ok(t) => Ok(Arc::clone(t)),
        Err(e) => Err(io(e)),
    }
}

/// The shape of a signature given as types, computed once.
pub(crate) fn shape_for(sig: &Signature) -> std::io::Result<Shape> {
    let layout = sysv::layout(sig);
    let sret = layout.ret == RetPass::Memory;
    let shift = if x86::shift_fits(layout.int_regs, layout.stack_bytes) {
        Some(shift_template(layout.int_regs, sret)?)
    } else {
        None
    };
    Ok(Shape {
        layout: Arc::new(layout),
        shift,
    })
}

/// The shape of callbacks taking `Args` and returning `R` (cached per type).
pub(crate) fn shape_of<Args: ArgList, R: CRet>() -> std::io::Result<Shape> {
    let key = TypeId::of::<(Args, R)>();
    let shapes = SHAPES.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(s) = shapes.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(s.clone());
    }
    let sig = Signature::new(Args::types(), R::c_type()).map_err(io)?;
    let shape = shape_for(&sig)?;
    shapes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, shape.clone());
    Ok(shape)
}

/// Makes the thunk of one callback.
pub(crate) fn instantiate(
    shape: &Shape,
    data: usize,
    handler: usize,
) -> std::io::Result<CodeBlock> {
    let template = match &shape.shift {
        Some(t) => Arc::clone(t),
        None => frame_template()?,
    };
    write(&template, data, handler)
}

/// Makes a frame thunk (run-time callbacks).
pub(crate) fn instantiate_frame(data: usize, handler: usize) -> std::io::Result<CodeBlock> {
    write(&*frame_template()?, data, handler)
}

fn write(template: &Template, data: usize, handler: usize) -> std::io::Result<CodeBlock> {
    let mut buf = [0u8; 256];
    if template.len() > buf.len() {
        return Err(io("thunk template larger than expected"));
    }
    template.instantiate_into(&mut buf, data as u64, handler as u64);
    CodeArena::global()
        .reserve(template.len())?
        .finish(&buf[..template.len()])
}
