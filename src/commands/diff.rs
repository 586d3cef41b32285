//! `plat diff`: what building the sources would change, per environment, compared with
//! a git revision of the project (built in memory by this plat) or with a build
//! directory.
//!
//! Invariants: nothing is written but the diff on standard output (a revision is read
//! into a private temporary directory, removed afterwards); the sources must check
//! without errors, as for `plat build`; the exit status is the gate a CI uses: 4 when the
//! change destroys or replaces data without `--allow-destroy`, or orphans Terraform
//! state or touches a protected resource (never allowed); 0 otherwise.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path};

use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::diff::{self, Build, Severity, render};
use plat_compiler::emit::{Artifact, bundle};
use plat_compiler::lowered::EnvironmentId;
use plat_compiler::source::{Database, Project};

use crate::Status;
use crate::cli::{DiffFormat, Format};
use crate::report::Report;
use crate::report::terminal::clean;

/// What `plat diff` was asked.
pub struct Request<'a> {
    pub path: &'a Path,
    /// A git revision to compare with.
    pub against: Option<&'a str>,
    /// A build directory to compare with.
    pub against_build: Option<&'a Path>,
    pub environments: &'a [String],
    pub format: DiffFormat,
    pub allow_destroy: bool,
}

/// The most files, and the most bytes per file, read from a build directory.
const MAX_BUILD_FILES: usize = 100_000;
const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

pub fn run(request: &Request<'_>, color: bool) -> Status {
    let db = Database::default();
    let (loaded, root) = match super::check::open(&db, request.path, Format::Human, color) {
        Ok(opened) => opened,
        Err(status) => return status,
    };
    let diagnostics = plat_compiler::check::check_project_in_parallel(&db, loaded.project);
    if !diagnostics.is_empty() {
        Report::new(&db, &root, color).print(Format::Human, diagnostics, None);
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        eprintln!("error: no diff of `{}`: it has errors", clean(&loaded.name));
        return Status::Errors;
    }
    let new = build_in_memory(&db, loaded.project, &loaded.name);
    let (old, old_label) = match old_build(request, &root) {
        Ok(old) => old,
        Err(message) => {
            eprintln!("error: {message}");
            return Status::Usage;
        }
    };
    let (old, new) = (
        only(old, request.environments),
        only(new, request.environments),
    );
    let diff = diff::diff(&old, &new);
    let context = render::Context {
        project: &loaded.name,
        old: &old_label,
        new: "the sources",
        allow_destroy: request.allow_destroy,
    };
    let text = match request.format {
        DiffFormat::Terminal => clean(&render::terminal(&diff, &context)).into_owned(),
        DiffFormat::Markdown => render::markdown(&diff, &context),
        DiffFormat::Json => render::json(&diff, &context),
    };
    print!("{text}");
    super::exit_without_freeing(db);
    if diff.blocks(request.allow_destroy) {
        Status::Blocked
    } else {
        Status::Clean
    }
}

/// The build to compare with, and how to name it.
fn old_build(request: &Request<'_>, root: &Path) -> Result<(Build, String), String> {
    if let Some(directory) = request.against_build {
        let label = format!("the build in {}", directory.display());
        return read_build(directory).map(|build| (build, label));
    }
    let rev = request.against.unwrap_or("HEAD");
    let revision = crate::revision::checkout(root, rev)?;
    if revision.files == 0 {
        eprintln!("note: the project has no files at {}", revision.label);
        return Ok((Build::default(), revision.label));
    }
    let db = Database::default();
    let loaded = plat_compiler::project::load(&db, &revision.project)
        .map_err(|diagnostic| format!("cannot read {}: {}", revision.label, diagnostic.message))?;
    let diagnostics = plat_compiler::check::check_project_in_parallel(&db, loaded.project);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        eprintln!(
            "warning: {} has {errors} error{} with this plat; the diff compares with what it \
             builds of it nonetheless",
            revision.label,
            if errors == 1 { "" } else { "s" }
        );
    }
    let build = build_in_memory(&db, loaded.project, &loaded.name);
    Ok((build, revision.label))
}

/// Every environment of `project`, built in memory as `plat build` would write it.
fn build_in_memory(db: &Database, project: Project, name: &str) -> Build {
    let mut build = Build::default();
    for env in plat_compiler::resolve::environments(db, project) {
        let id: EnvironmentId<'_> = *env;
        let lifecycle = plat_compiler::resolve::environment_lifecycle(db, id);
        let Some(resolved) = plat_compiler::resolve::environment_model(db, id) else {
            continue;
        };
        let files = bundle::environment(db, &resolved, &lifecycle, name)
            .into_iter()
            .map(|artifact| (artifact.path, artifact.contents))
            .collect();
        build.environments.insert(resolved.name.clone(), files);
    }
    build
}

/// Only the environments asked for (every one when none is).
fn only(mut build: Build, environments: &[String]) -> Build {
    if !environments.is_empty() {
        build
            .environments
            .retain(|name, _| environments.contains(name));
    }
    build
}

/// A build directory written by `plat build`: per environment (a directory with a
/// `manifest.json`), the files its manifest lists. Nothing else is read: not what
/// Terraform wrote there, not a file outside the directory.
fn read_build(directory: &Path) -> Result<Build, String> {
    fs::read_dir(directory)
        .map_err(|error| format!("cannot read `{}`: {error}", directory.display()))?;
    let mut build = Build::default();
    let mut count = 0;
    for name in crate::files::subdirectories(directory) {
        let environment = directory.join(&name);
        let Ok(manifest) = read_file(&environment.join("manifest.json")) else {
            continue;
        };
        let document: serde_json::Value = serde_json::from_str(&manifest)
            .map_err(|error| format!("`{name}/manifest.json` is not JSON: {error}"))?;
        let mut files = BTreeMap::new();
        for artifact in document["artifacts"].as_array().into_iter().flatten() {
            let Some(path) = artifact["path"].as_str() else {
                continue;
            };
            let relative = Path::new(path);
            let safe = relative
                .components()
                .all(|component| matches!(component, Component::Normal(_)));
            if !safe {
                return Err(format!(
                    "`{name}/manifest.json` lists the unsafe path `{path}`"
                ));
            }
            count += 1;
            if count > MAX_BUILD_FILES {
                return Err(format!(
                    "`{}` lists more than {MAX_BUILD_FILES} files",
                    directory.display()
                ));
            }
            let text = read_file(&environment.join(relative))?;
            files.insert(path.to_string(), text);
        }
        build.environments.insert(name, files);
    }
    if build.environments.is_empty() {
        return Err(format!(
            "`{}` holds no build: no environment directory with a `manifest.json`",
            directory.display()
        ));
    }
    Ok(build)
}

/// What an environment of a build must hold for [`orphaned`] to judge it: its
/// `graph.json`, and an empty stand-in for each Terraform file (only whether a root
/// module has one, and which, matters).
fn outline<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> BTreeMap<String, String> {
    files
        .into_iter()
        .filter_map(|(path, text)| {
            if path == "graph.json" {
                Some((path.to_string(), text.to_string()))
            } else if path.starts_with("terraform/")
                && (path.ends_with("/main.tf.json") || path.ends_with("/terraform.tf.json"))
            {
                Some((path.to_string(), "{}".to_string()))
            } else {
                None
            }
        })
        .collect()
}

/// The outline of the environment an earlier build wrote into `directory` (from its
/// `manifest.json`), or `None` when it holds none.
pub(super) fn outline_of_directory(directory: &Path) -> Option<BTreeMap<String, String>> {
    let manifest = read_file(&directory.join("manifest.json")).ok()?;
    let document: serde_json::Value = serde_json::from_str(&manifest).ok()?;
    let paths: Vec<String> = document["artifacts"]
        .as_array()?
        .iter()
        .filter_map(|artifact| artifact["path"].as_str().map(str::to_string))
        .collect();
    let graph = read_file(&directory.join("graph.json")).unwrap_or_default();
    let files = paths.iter().map(|path| {
        let text = if path == "graph.json" {
            graph.as_str()
        } else {
            ""
        };
        (path.as_str(), text)
    });
    Some(outline(files))
}

/// The outline of an environment built in memory.
pub(super) fn outline_of_artifacts<'a>(
    artifacts: impl IntoIterator<Item = &'a Artifact>,
) -> BTreeMap<String, String> {
    outline(
        artifacts
            .into_iter()
            .map(|artifact| (artifact.path.as_str(), artifact.contents.as_str())),
    )
}

/// What replacing an environment's `old` outline with its `new` one orphans: the
/// findings of `plat diff` that no flag allows.
pub(super) fn orphaned(
    environment: &str,
    old: BTreeMap<String, String>,
    new: BTreeMap<String, String>,
) -> Vec<String> {
    let one = |files| Build {
        environments: BTreeMap::from([(environment.to_string(), files)]),
    };
    diff::diff(&one(old), &one(new))
        .findings()
        .filter(|finding| matches!(finding.severity, Severity::Orphans | Severity::Protected))
        .map(|finding| finding.message.clone())
        .collect()
}

/// A regular file's text, bounded; never through a link.
fn read_file(path: &Path) -> Result<String, String> {
    let metadata = fs::symlink_metadata(path)
        .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
    if !metadata.is_file() {
        return Err(format!("`{}` is not a regular file", path.display()));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!("`{}` is larger than 32 MiB", path.display()));
    }
    fs::read_to_string(path).map_err(|error| format!("cannot read `{}`: {error}", path.display()))
}
