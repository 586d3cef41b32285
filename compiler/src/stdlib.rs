//! The standard library: `.plat` files embedded in the binary at build time from
//! `stdlib/`, and imported by projects as `std.<module>`; and the Terraform modules
//! that its implementations keep beside them (`stdlib/modules/<name>/`), which their
//! files reach as `source = "./modules/<name>"`, like a project's own modules.
//!
//! Invariant: both tables are sorted by path, so that loading is deterministic.

/// Every standard-library file, as `(path, text)`, with paths `std/<module>.plat`.
pub static FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/stdlib_files.rs"));

/// The module name of a standard-library path: `std/postgres.plat` → `postgres`.
pub fn module_name(path: &str) -> Option<&str> {
    path.strip_prefix("std/")?.strip_suffix(".plat")
}

/// Every Terraform file of the standard library's modules, as `(path, text)`, with
/// paths `std/modules/<module>/<file>.tf`.
pub static TERRAFORM_FILES: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/stdlib_modules.rs"));

/// Whether `dir` (a project path) is where the standard library keeps its modules.
pub fn is_module_directory(dir: &str) -> bool {
    dir.starts_with("std/modules/")
}

/// The files of the standard library's module in `dir` (`std/modules/<module>`), as
/// `(file name, text)` sorted by name; empty when there is no such module.
pub fn module_files(dir: &str) -> Vec<(&'static str, &'static str)> {
    TERRAFORM_FILES
        .iter()
        .filter_map(|(path, text)| {
            let name = path.strip_prefix(dir)?.strip_prefix('/')?;
            (!name.contains('/')).then_some((name, *text))
        })
        .collect()
}
