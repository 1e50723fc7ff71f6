//! Hot reload: a plugin whose C source this program rewrites and recompiles
//! with `cc` while it runs. Every caller — declared functions, and an entry
//! address already handed out as a C function pointer — follows the new
//! code; a bind-once snapshot keeps the old one.
//!
//! Run it with `cargo run -p alien-examples --example hot_reload`.

use alien::define_c_function;
use std::error::Error;
use std::ffi::c_int;
use std::path::Path;
use std::process::Command;

define_c_function! {
    #![library("alien_hot_plugin")]
    /// The plugin's greeting number.
    pub fn plugin_version() -> c_int;
    /// What the plugin does to a number.
    pub fn plugin_apply(x: c_int) -> c_int;
}

fn build(dir: &Path, version: i32, body: &str) -> Result<String, Box<dyn Error>> {
    let src = dir.join("plugin.c");
    std::fs::write(&src, format!("int plugin_version(void) {{ return {version}; }}\nint plugin_apply(int x) {{ {body} }}\n"))?;
    let lib = dir.join("libalien_hot_plugin.so");
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&lib)
        .arg(&src)
        .status()?;
    if !status.success() {
        return Err(format!("cc failed with {status}").into());
    }
    Ok(lib.to_string_lossy().into_owned())
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::temp_dir().join(format!("alien-hot-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    println!(
        "plugin declared, resolved at startup: {}",
        plugin_apply::is_resolved()
    );

    let lib = build(&dir, 1, "return x * 2;")?;
    let loaded = alien::load_library(&lib)?;
    println!(
        "loaded {} from {} ({} declarations resolved)",
        loaded.name, loaded.path, loaded.resolved
    );
    let entry = plugin_apply::entry(); // a C function pointer, as C code would keep it
    let snapshot = plugin_apply::snapshot(); // bound once: stays on version 1
                                             // SAFETY: the entry is `int plugin_apply(int)`, as declared.
    let through_entry = unsafe { entry(21) };
    println!(
        "v{}: plugin_apply(21) = {}, through the entry = {through_entry}",
        plugin_version(),
        plugin_apply(21),
    );
    assert_eq!(plugin_apply(21), 42);

    let observer = alien::add_reload_observer(|e| {
        println!(
            "  observer: {:?} reload of {} (epoch {})",
            e.phase, e.library, e.epoch
        )
    });
    // Rewrite the source in place, recompile, reload.
    build(&dir, 2, "return x * 3 + 1;")?;
    let report = alien::reload_library("alien_hot_plugin")?;
    println!(
        "reloaded: {} slots rebound, epoch {}",
        report.rebound, report.epoch
    );
    // SAFETY: both are `int plugin_apply(int)`; the snapshot's version 1
    // stays loaded until it is retired below.
    let (through_entry, through_snapshot) = unsafe { (entry(21), snapshot(21)) };
    println!(
        "v{}: plugin_apply(21) = {}, through the entry = {through_entry}, bind-once snapshot = {through_snapshot}",
        plugin_version(),
        plugin_apply(21),
    );
    assert_eq!(
        (plugin_apply(21), through_entry, through_snapshot),
        (64, 64, 42)
    );

    // A broken new version is refused and leaves the running one in place.
    std::fs::write(
        dir.join("plugin.c"),
        "int plugin_version(void) { return 3; }\n",
    )?;
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(dir.join("libalien_hot_plugin.so"))
        .arg(dir.join("plugin.c"))
        .status()?;
    assert!(status.success());
    match alien::reload_library("alien_hot_plugin") {
        Err(e) => println!("reload refused: {e}"),
        Ok(r) => return Err(format!("a version without plugin_apply was accepted: {r:?}").into()),
    }
    println!(
        "still v{}: plugin_apply(21) = {}",
        plugin_version(),
        plugin_apply(21)
    );
    assert_eq!(plugin_version(), 2);

    alien::remove_reload_observer(observer);
    // No thread runs version 1 any more and the snapshot is not called again.
    println!("retired {} old version(s)", alien::retire_old_versions());
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
