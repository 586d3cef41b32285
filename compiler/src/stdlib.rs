//! The standard library: `.plat` files embedded in the binary at build time from
//! `stdlib/`, and imported by projects as `std.<module>`.
//!
//! Invariant: the table is sorted by path, so that loading is deterministic.

/// Every standard-library file, as `(path, text)`, with paths `std/<module>.plat`.
pub static FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/stdlib_files.rs"));

/// The module name of a standard-library path: `std/postgres.plat` → `postgres`.
pub fn module_name(path: &str) -> Option<&str> {
    path.strip_prefix("std/")?.strip_suffix(".plat")
}
