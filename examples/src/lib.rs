//! Runnable programs that show alien against real C libraries; see
//! `examples/` (`cargo run -p alien-examples --example tour`).
