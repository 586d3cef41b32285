//! Build steps: generates the parser from `src/syntax/grammar.lalrpop`, and the table of
//! standard-library files embedded in the binary from `../stdlib/*.plat`, with the
//! Terraform modules the standard library keeps (`../stdlib/modules/<name>/*.tf`).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .emit_rerun_directives(true)
        .process()
        .expect("the grammar generates a parser");
    embed_stdlib();
    embed_stdlib_modules();
}

/// Writes `$OUT_DIR/stdlib_modules.rs`: a sorted array of `(path, text)` for every
/// `stdlib/modules/<name>/*.tf`, with paths `std/modules/<name>/<file>.tf`.
fn embed_stdlib_modules() {
    let dir = manifest_dir().join("../stdlib/modules");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, std::path::PathBuf)> = Vec::new();
    let modules = std::fs::read_dir(&dir).expect("`stdlib/modules/` exists");
    for module in modules.filter_map(|entry| entry.ok()) {
        let module_name = module.file_name().to_string_lossy().into_owned();
        println!("cargo::rerun-if-changed={}", module.path().display());
        let Ok(entries) = std::fs::read_dir(module.path()) else {
            continue;
        };
        for entry in entries.filter_map(|entry| entry.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tf") {
                files.push((format!("std/modules/{module_name}/{name}"), entry.path()));
            }
        }
    }
    files.sort();
    write_table("stdlib_modules.rs", &files);
}

/// Writes `$OUT_DIR/<name>`: `&[(path, include_str!(file)), ...]`.
fn write_table(name: &str, files: &[(String, std::path::PathBuf)]) {
    let mut table = String::from("&[\n");
    for (path, file) in files {
        println!("cargo::rerun-if-changed={}", file.display());
        let full = file.canonicalize().expect("an embedded file exists");
        writeln!(
            table,
            "    ({path:?}, include_str!({:?})),",
            full.display().to_string()
        )
        .expect("writing to a string cannot fail");
    }
    table.push(']');
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(name);
    std::fs::write(out, table).expect("OUT_DIR is writable");
}

/// Writes `$OUT_DIR/stdlib_files.rs`: a sorted array of `(path, text)` for every
/// `stdlib/*.plat`, so that the standard library ships inside the binary.
fn embed_stdlib() {
    let dir = manifest_dir().join("../stdlib");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".plat"))
                .collect()
        })
        .expect("the standard library directory `stdlib/` exists beside `compiler/`");
    names.sort();
    assert!(
        !names.is_empty(),
        "`stdlib/` holds the standard library's `.plat` files"
    );
    let files: Vec<(String, std::path::PathBuf)> = names
        .iter()
        .map(|name| (format!("std/{name}"), dir.join(name)))
        .collect();
    write_table("stdlib_files.rs", &files);
}

/// The compiler crate's directory, as cargo gives it to this run of the script (not as
/// it was when the script was compiled: a target directory copied from another
/// checkout would otherwise embed that checkout's standard library).
fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
}
