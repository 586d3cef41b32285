//! Build steps: generates the parser from `src/syntax/grammar.lalrpop`, and the table of
//! standard-library files embedded in the binary from `../stdlib/*.plat`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .emit_rerun_directives(true)
        .process()
        .expect("the grammar generates a parser");
    embed_stdlib();
}

/// Writes `$OUT_DIR/stdlib_files.rs`: a sorted array of `(path, text)` for every
/// `stdlib/*.plat`, so that the standard library ships inside the binary.
fn embed_stdlib() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib");
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
    let mut table = String::from("&[\n");
    for name in &names {
        let full = dir.join(name);
        println!("cargo::rerun-if-changed={}", full.display());
        writeln!(
            table,
            "    (\"std/{name}\", include_str!({:?})),",
            full.canonicalize()
                .expect("stdlib file exists")
                .display()
                .to_string()
        )
        .expect("writing to a string cannot fail");
    }
    table.push(']');
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("stdlib_files.rs");
    std::fs::write(out, table).expect("OUT_DIR is writable");
}
