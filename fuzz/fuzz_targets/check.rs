//! Checking a project (names, types, policies): the query `plat check` runs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((db, project)) = plat_fuzz::project(data) else {
        return;
    };
    let mut diagnostics = plat_compiler::check::check_project(&db, project).clone();
    plat_compiler::diagnostic::sort(&db, &mut diagnostics);
});
