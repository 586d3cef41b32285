//! Every example, built in memory the way `plat build` builds it, once per test run,
//! and the platform and the two applications of `tests/fixtures/applications`, whose
//! builds of one environment make one cluster together.
//!
//! The output is built even when an example does not check, so that the checks of
//! this test report every defect of the output, not only the first; whether every
//! example checks is a test of its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::emit::bundle;
use plat_compiler::project;
use plat_compiler::source::Database;
use plat_compiler::terraform::lock::{LOCK_FILE, ModuleLock};

/// One environment of one example, as `plat build` writes it.
pub struct Built {
    /// `shop/staging`.
    pub name: String,
    /// Every file, by path relative to the environment's output directory.
    pub files: BTreeMap<String, String>,
    /// The example's own lock of module interfaces (empty when it has none).
    pub lock: ModuleLock,
    /// The builds deployed together with this one (a platform's and its applications'
    /// builds of one environment): `applications/staging`; `None` for an example.
    pub group: Option<String>,
}

/// An example that does not check, with its errors.
pub struct Unchecked {
    pub example: String,
    pub errors: Vec<String>,
}

pub struct Examples {
    pub built: Vec<Built>,
    pub unchecked: Vec<Unchecked>,
}

/// The root of the repository.
pub fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every example, built.
pub fn examples() -> &'static Examples {
    static EXAMPLES: OnceLock<Examples> = OnceLock::new();
    EXAMPLES.get_or_init(build_all)
}

fn build_all() -> Examples {
    let mut directories: Vec<PathBuf> = std::fs::read_dir(repository().join("examples"))
        .expect("examples/ exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    directories.sort();
    assert!(!directories.is_empty(), "no examples found");
    let mut examples = Examples {
        built: Vec::new(),
        unchecked: Vec::new(),
    };
    for directory in directories {
        let example = directory
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        build_example(&example, &directory, &mut examples);
    }
    for project in APPLICATIONS {
        let directory = repository()
            .join("tests/fixtures/applications")
            .join(project);
        build_example(
            &format!("applications/{project}"),
            &directory,
            &mut examples,
        );
    }
    examples
}

/// The platform and its applications, in `tests/fixtures/applications`.
pub const APPLICATIONS: [&str; 3] = ["platform", "payments", "storefront"];

/// The builds of every group (builds deployed together), by group.
pub fn groups(built: &[Built]) -> BTreeMap<&str, Vec<&Built>> {
    let mut groups: BTreeMap<&str, Vec<&Built>> = BTreeMap::new();
    for built in built {
        if let Some(group) = &built.group {
            groups.entry(group.as_str()).or_default().push(built);
        }
    }
    groups
}

fn build_example(example: &str, directory: &Path, examples: &mut Examples) {
    let db = Database::default();
    let loaded = project::load(&db, directory).expect("the example loads");
    let errors: Vec<String> = plat_compiler::check::check_project(&db, loaded.project)
        .iter()
        .filter(|diagnostic| diagnostic.is_error())
        .map(|diagnostic| describe(&db, diagnostic))
        .collect();
    if !errors.is_empty() {
        examples.unchecked.push(Unchecked {
            example: example.to_string(),
            errors,
        });
    }
    let lock = match std::fs::read_to_string(directory.join(LOCK_FILE)) {
        Ok(text) => ModuleLock::parse(&text)
            .unwrap_or_else(|error| panic!("examples/{example}/{LOCK_FILE}: {}", error.0)),
        Err(_) => ModuleLock::default(),
    };
    let resolved = plat_compiler::resolve::resolve_project(&db, loaded.project);
    for (environment, lifecycle) in resolved.with_lifecycles() {
        let files = bundle::environment(&db, environment, lifecycle, &loaded.name)
            .into_iter()
            .map(|artifact| (artifact.path, artifact.contents))
            .collect();
        let group = example
            .strip_prefix("applications/")
            .map(|_| format!("applications/{}", environment.name));
        examples.built.push(Built {
            name: format!("{example}/{}", environment.name),
            files,
            lock: lock.clone(),
            group,
        });
    }
}

/// `E0704 std/redis.plat:81: unknown module output ...`.
fn describe(db: &Database, diagnostic: &Diagnostic) -> String {
    let place = match &diagnostic.primary {
        Some(label) => {
            let file = label.file;
            let line = file.text(db)[..label.range.start as usize]
                .matches('\n')
                .count()
                + 1;
            format!("{}:{line}", file.path(db))
        }
        None => diagnostic.subject.clone().unwrap_or_default(),
    };
    format!("{} {place}: {}", diagnostic.code, diagnostic.message)
}

/// Fails with every problem, one per line, when there is any.
pub fn assert_none(what: &str, problems: &[String]) {
    if problems.is_empty() {
        return;
    }
    let mut problems = problems.to_vec();
    problems.sort();
    problems.dedup();
    panic!(
        "{what}: {} problem{}\n  {}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        problems.join("\n  ")
    );
}
