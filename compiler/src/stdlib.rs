//! The standard library: `.plat` files embedded in the binary at build time from
//! `stdlib/`, and imported by projects as `std.<module>`; and the Terraform modules
//! that its implementations keep beside them (`stdlib/modules/<name>/`), which their
//! files reach as `source = "./modules/<name>"`, like a project's own modules.
//!
//! The standard library also carries the lock of the registry modules its
//! implementations call ([`module_lock`]): the interface of every release of each,
//! submodules included, from the version it pins to the newest it knows, so that a
//! version bump (or a switch to another submodule) in `stdlib/*.plat` is checked at
//! once against the interface of what it then calls. It is indexed once and each
//! module read only when a check asks for it.
//!
//! Invariant: both tables are sorted by path, so that loading is deterministic.

/// The standard library's version. It is versioned as any package is: by what its
/// offerings offer, its major version raised whenever one of theirs is, its minor
/// version whenever one gains something; `docs/stdlib.md` lists what changed in each.
/// A project requires a range of it in `plat.toml` (`std = "^2"`).
pub const VERSION: &str = "2.0.0";

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

/// The text of the standard library's lock of module interfaces
/// (`stdlib/plat.modules.lock.json`, in the format of [`crate::terraform::lock`]).
pub static MODULE_LOCK_TEXT: &str = include_str!("../../stdlib/plat.modules.lock.json");

/// The standard library's lock, indexed once; each module is read when asked for.
pub fn module_lock() -> &'static crate::terraform::lock::LockIndex {
    static LOCK: std::sync::OnceLock<crate::terraform::lock::LockIndex> =
        std::sync::OnceLock::new();
    LOCK.get_or_init(|| crate::terraform::lock::LockIndex::new(MODULE_LOCK_TEXT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_lock_is_valid_and_canonical() {
        let lock = crate::terraform::lock::ModuleLock::parse(MODULE_LOCK_TEXT)
            .unwrap_or_else(|error| panic!("stdlib/plat.modules.lock.json: {}", error.0));
        assert!(!lock.is_empty());
        assert!(
            lock.to_text() == MODULE_LOCK_TEXT,
            "stdlib/plat.modules.lock.json is not in the canonical form `plat modules lock` writes"
        );
        // The index reads every module the full text holds.
        let index = module_lock();
        assert_eq!(index.keys().count(), lock.len());
        for module in lock.modules() {
            assert_eq!(
                index
                    .get(&module.source, module.version.as_deref())
                    .as_ref(),
                Some(module)
            );
        }
    }
}
