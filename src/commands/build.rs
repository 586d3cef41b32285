//! `plat build`: check a project, resolve its environments and write their artefacts.
//!
//! Per environment, under `--out`: `<env>/kubernetes/...`, `<env>/terraform/...`,
//! `<env>/graph.json` and `<env>/manifest.json` (every other artefact of the
//! environment with its sha256 and the source location that produced it, sorted by
//! path).
//!
//! Invariants: the output is replaced only if the project checks without errors and
//! every requested environment exists; environments are rendered one after the other as
//! the checks resolve them, each written into [`crate::output`]'s staging directory as
//! soon as it is rendered (one in memory at a time, [`check_rendering_each_environment`])
//! and swapped in atomically at the end, so a failed build leaves the previous output as
//! it was (and removes what it staged); the same project always gives the same bytes.
//!
//! [`check_rendering_each_environment`]: plat_compiler::check::check_rendering_each_environment

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use plat_compiler::diagnostic::Diagnostic;
use plat_compiler::emit::bundle;
use plat_compiler::source::{Database, Project};

use crate::Status;
use crate::cli::Format;
use crate::commands::diff;
use crate::output::{self, Staging, Tree, Writer};
use crate::report::Report;
use crate::report::terminal::clean;

/// The output directory, in the project's directory, when `--out` is not given.
const DEFAULT_OUT: &str = "out";

pub fn run(path: &Path, environments: &[String], out: Option<&Path>, color: bool) -> Status {
    let mut db = Database::default();
    plat_compiler::check::keep_only_what_a_build_reads(&mut db);
    let (loaded, root) = match super::check::open(&db, path, Format::Human, color) {
        Ok(opened) => opened,
        Err(status) => return status,
    };
    let out = out.map_or_else(|| root.join(DEFAULT_OUT), Path::to_path_buf);
    let out = out.as_path();
    if let Err(message) = output::destination(out, &root) {
        eprintln!("error: {message}\nhelp: pass `--out DIR` with a directory of its own");
        return Status::Usage;
    }
    let mut build = Build {
        project: loaded.project,
        name: &loaded.name,
        wanted: environments,
        out,
        staging: None,
        counts: Vec::new(),
        refusal: None,
    };
    let diagnostics = plat_compiler::check::check_rendering_each_environment(
        &mut db,
        loaded.project,
        &mut |db, env| build.render(db, env),
    );
    let report = Report::new(&db, &root, color);
    if !diagnostics.is_empty() {
        report.print(Format::Human, &diagnostics, None);
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        eprintln!(
            "error: not building `{}`: it has errors",
            clean(&loaded.name)
        );
        return Status::Errors;
    }
    let all: Vec<String> = plat_compiler::resolve::environments(&db, loaded.project)
        .iter()
        .map(|env| env.name(&db).clone())
        .collect();
    let selected = match select(&all, environments, &loaded.name) {
        Ok(selected) => selected,
        Err(message) => {
            eprintln!("{message}");
            return Status::Usage;
        }
    };
    let counts = match build.finish(&selected) {
        Ok(counts) => counts,
        Err(refusal) => {
            let (message, status) = match refusal {
                Refusal::Output(message) => (message, Status::Usage),
                Refusal::Orphans(message) => (message, Status::Blocked),
            };
            eprintln!("error: {message}\nnote: the previous output, if any, is unchanged");
            return status;
        }
    };
    for (name, count) in &counts {
        eprintln!("  {name}: {count} files");
    }
    eprintln!(
        "built {} ({}) into {}",
        clean(&loaded.name),
        plural(selected.len(), "environment", "environments"),
        out.display()
    );
    super::exit_without_freeing(db);
    Status::Clean
}

/// The environments to build: those named with `--env`, or every one.
fn select<'a>(
    all: &'a [String],
    wanted: &[String],
    project: &str,
) -> Result<Vec<&'a String>, String> {
    if wanted.is_empty() {
        return Ok(all.iter().collect());
    }
    let wanted: BTreeSet<&str> = wanted.iter().map(String::as_str).collect();
    let known: Vec<&str> = all.iter().map(String::as_str).collect();
    let unknown: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|name| !known.contains(name))
        .collect();
    if !unknown.is_empty() {
        let list = if known.is_empty() {
            "it has none".to_string()
        } else {
            format!("its environments are {}", quoted(&known))
        };
        return Err(format!(
            "error: `{project}` has no environment {}\nhelp: {list}",
            quoted(&unknown)
        ));
    }
    Ok(all
        .iter()
        .filter(|env| wanted.contains(env.as_str()))
        .collect())
}

/// Why a build writes nothing.
enum Refusal {
    /// The output cannot be written (or must not be replaced).
    Output(String),
    /// Replacing it would orphan Terraform state.
    Orphans(String),
}

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal::Output(message)
    }
}

/// A build in progress: the wanted environments rendered as the checks resolve them,
/// each written into the staging directory part after part, so that one part at most is
/// held in memory; swapped in by [`Build::finish`].
struct Build<'a> {
    project: Project,
    name: &'a str,
    /// The environments named with `--env`; every one when empty.
    wanted: &'a [String],
    out: &'a Path,
    /// Begun with the first environment rendered.
    staging: Option<Staging>,
    /// How many files each environment rendered has, in order.
    counts: Vec<(String, usize)>,
    /// Why the output cannot be written: nothing more is rendered.
    refusal: Option<Refusal>,
}

impl Build<'_> {
    /// Renders the environment `env`, if it is wanted, into the staging directory.
    fn render(&mut self, db: &Database, env: &str) {
        let wanted = self.wanted.is_empty() || self.wanted.iter().any(|wanted| wanted == env);
        if self.refusal.is_some() || !wanted {
            return;
        }
        if let Err(refusal) = self.render_environment(db, env) {
            self.refusal = Some(refusal);
        }
    }

    fn render_environment(&mut self, db: &Database, env: &str) -> Result<(), Refusal> {
        let staging = match &mut self.staging {
            Some(staging) => staging,
            None => self
                .staging
                .insert(Staging::begin(self.out, Writer::Build)?),
        };
        let mut files = 0;
        let mut outline = BTreeMap::new();
        if let Some(id) = plat_compiler::resolve::environment_named(db, self.project, env) {
            let lifecycle = plat_compiler::resolve::environment_lifecycle(db, id);
            if let Some(resolved) = plat_compiler::resolve::environment_model(db, id) {
                bundle::environment_in_parts(db, &resolved, &lifecycle, self.name, &mut |part| {
                    files += part.len();
                    outline.extend(diff::outline_of_artifacts(
                        part.iter().map(|(artifact, _)| artifact),
                    ));
                    let mut tree = Tree::default();
                    for (artifact, sha256) in part {
                        let path = format!("{env}/{}", artifact.path);
                        tree.insert_hashed(path, artifact.contents, sha256);
                    }
                    staging.add(&tree)
                })?;
            }
        }
        refuse_orphans(self.out, env, outline)?;
        self.counts.push((env.to_string(), files));
        Ok(())
    }

    /// Swaps the rendered output in, unless that would orphan Terraform state (when
    /// every environment is wanted, those gone from the sources count too: `selected`
    /// are the sources' environments). Returns how many files each environment has.
    fn finish(self, selected: &[&String]) -> Result<Vec<(String, usize)>, Refusal> {
        if let Some(refusal) = self.refusal {
            return Err(refusal);
        }
        let staging = match self.staging {
            Some(staging) => staging,
            None => Staging::begin(self.out, Writer::Build)?,
        };
        if self.wanted.is_empty() {
            // Environments gone from the sources leave the output with all their roots.
            for gone in built_environments(self.out)
                .into_iter()
                .filter(|env| !selected.contains(&env))
            {
                refuse_orphans(self.out, &gone, BTreeMap::new())?;
            }
        }
        let kept_state: Vec<PathBuf> = staging
            .carried()
            .iter()
            .filter(|path| holds_state(path))
            .map(|path| self.out.join(path))
            .collect();
        for note in staging.finish()? {
            eprintln!("{note}");
        }
        for state in kept_state {
            eprintln!(
                "warning: `{}` holds Terraform state that an earlier plat kept inside the build \
                 output, where deleting the output loses it; no root module reads it any more (an \
                 environment names its backend now)\nhelp: push it into the backend and move it out \
                 of the output: see \"Moving state out of an output\" in docs/commands.md",
                state.display()
            );
        }
        Ok(self.counts)
    }
}

/// Refuses to replace the output's environment `env` when that would drop a root
/// module that still creates something: its state would be left with nothing to
/// destroy what it holds (what `plat diff` calls orphaning).
fn refuse_orphans(out: &Path, env: &str, new: BTreeMap<String, String>) -> Result<(), Refusal> {
    let Some(old) = diff::outline_of_directory(&out.join(env)) else {
        return Ok(());
    };
    let orphaned = diff::orphaned(env, old, new);
    if orphaned.is_empty() {
        return Ok(());
    }
    Err(Refusal::Orphans(format!(
        "refusing to replace the environment `{env}` in `{}`:\n{}\nhelp: keep what the sources \
         dropped, with `removed = true`, until `terraform apply` of its root module has destroyed \
         what it provisioned (`plat diff` shows it); if that is done already, or its state was \
         moved, delete the root module's directory from the output yourself and build again",
        out.display(),
        orphaned
            .iter()
            .map(|message| format!("  {message}"))
            .collect::<Vec<_>>()
            .join("\n")
    )))
}

/// The environments an earlier build wrote into `out`: its directories with a
/// `manifest.json`.
fn built_environments(out: &Path) -> Vec<String> {
    crate::files::subdirectories(out)
        .into_iter()
        .filter(|name| out.join(name).join("manifest.json").is_file())
        .collect()
}

/// Whether a path that an earlier output held, and the build carried, is Terraform
/// state: the `.state` directory of an earlier plat, or a `*.tfstate` file.
fn holds_state(path: &Path) -> bool {
    path.file_name().is_some_and(|name| {
        let name = name.to_string_lossy();
        name == ".state" || name.ends_with(".tfstate")
    })
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("{count} {one}")
    } else {
        format!("{count} {many}")
    }
}
