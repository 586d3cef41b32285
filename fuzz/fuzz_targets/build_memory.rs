//! Building a project to memory: the diagnostics `plat build` stops on, then every
//! artefact of every environment, emitted twice to catch any nondeterminism.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::emit::bundle;

fuzz_target!(|data: &[u8]| {
    let Some((db, project)) = plat_fuzz::project(data) else {
        return;
    };
    let diagnostics = plat_compiler::check::check_project(&db, project);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return;
    }
    let resolved = plat_compiler::resolve::resolve_project(&db, project);
    for (env, lifecycle) in resolved.with_lifecycles() {
        let first = bundle::environment(&db, env, lifecycle, "fuzz");
        let second = bundle::environment(&db, env, lifecycle, "fuzz");
        assert_eq!(
            first, second,
            "the build of `{}` is not deterministic",
            env.name
        );
    }
});
