pub mod memory;
mod os;
