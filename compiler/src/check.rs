//! The entry point: every diagnostic of a project.
//!
//! Invariants: diagnostics are query results, never accumulated; the result is sorted
//! by (file path, start offset, code) with project-level diagnostics (no file) first,
//! and holds no exact repeats, so output is deterministic. The work is split into
//! per-file queries ([`crate::syntax::parse_file`], [`file_analysis`]) and
//! per-(environment, workload) resolutions so that an edit re-checks only what depends
//! on it; this query only gathers their results. [`check_project_in_parallel`] runs
//! those queries on several threads first, for the command line.

use rayon::prelude::*;

use crate::diagnostic::Diagnostic;
use crate::names::{ResolutionTable, duplicate_declarations};
use crate::source::{Database, Db, Origin, Project, SourceFile};
use crate::types::file_analysis;

/// Every diagnostic of the project: loading, syntax, names, types and, for every
/// environment, resolution.
#[salsa::tracked(returns(ref))]
pub fn check_project(db: &dyn Db, project: Project) -> Vec<Diagnostic> {
    if let Some(mut diagnostics) = unreadable_dependencies(db, project) {
        crate::diagnostic::sort(db, &mut diagnostics);
        return diagnostics;
    }
    let mut diagnostics: Vec<Diagnostic> = before_resolution(db, project).clone();
    // Resolution's findings only when the earlier layers found no error, so that users
    // are not shown the knock-on effects of a mistake they already see.
    if !diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.extend(resolution_diagnostics(db, project));
    }
    crate::diagnostic::sort(db, &mut diagnostics);
    diagnostics
}

/// The problems of loading, when one is that the project's dependencies cannot be
/// read: nothing else is checked then, since what the project imports is unknown.
fn unreadable_dependencies(db: &dyn Db, project: Project) -> Option<Vec<Diagnostic>> {
    let load = project.load_diagnostics(db);
    load.iter()
        .any(|diagnostic| diagnostic.is_error() && diagnostic.code.is_about_dependencies())
        .then(|| load.clone())
}

/// Resolution's findings in every environment, each once: a problem found in some
/// environments but not all says in which, on its primary label (a probe on a port that
/// only the production override removes is reported "in `production`").
fn resolution_diagnostics(db: &dyn Db, project: Project) -> Vec<Diagnostic> {
    let environments = crate::resolve::environments(db, project);
    let mut found: Vec<(Diagnostic, Vec<&str>)> = Vec::new();
    let mut index: std::collections::HashMap<&Diagnostic, usize> = std::collections::HashMap::new();
    let per_environment: Vec<(&str, &[Diagnostic])> = environments
        .iter()
        .map(|&env| {
            (
                env.name(db).as_str(),
                crate::resolve::environment_diagnostics(db, env).as_slice(),
            )
        })
        .collect();
    for &(name, diagnostics) in &per_environment {
        for diagnostic in diagnostics {
            match index.get(diagnostic) {
                Some(&at) => found[at].1.push(name),
                None => {
                    index.insert(diagnostic, found.len());
                    found.push((diagnostic.clone(), vec![name]));
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(diagnostic, names)| {
            if names.len() == environments.len() {
                diagnostic
            } else {
                in_environments(diagnostic, &names)
            }
        })
        .collect()
}

/// `diagnostic` with the environments it was found in added to its primary label,
/// unless it names them already.
fn in_environments(mut diagnostic: Diagnostic, names: &[&str]) -> Diagnostic {
    let Some(primary) = &mut diagnostic.primary else {
        return diagnostic;
    };
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    let said = |quote: &String| {
        diagnostic.message.contains(quote.as_str())
            || primary
                .message
                .as_deref()
                .is_some_and(|message| message.contains(quote.as_str()))
    };
    if quoted.iter().all(said) {
        return diagnostic;
    }
    let place = match quoted.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => return diagnostic,
    };
    primary.message = Some(match primary.message.take() {
        Some(message) => format!("{message}, in {place}"),
        None => format!("in {place}"),
    });
    diagnostic
}

/// The diagnostics of loading, syntax, names and types, unsorted. Of the files of a
/// dependency only errors are shown: its warnings are its own authors' to see.
#[salsa::tracked(returns(ref))]
fn before_resolution(db: &dyn Db, project: Project) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = project.load_diagnostics(db).clone();
    diagnostics.extend(duplicate_declarations(db, project).iter().cloned());
    diagnostics.extend(crate::terraform::lock_diagnostics(db, project));
    for &file in project.files(db) {
        let shown = |diagnostic: &&Diagnostic| {
            diagnostic.is_error() || !matches!(file.origin(db), Origin::Package(_))
        };
        diagnostics.extend(
            crate::syntax::parse_file(db, file)
                .diagnostics
                .iter()
                .filter(shown)
                .cloned(),
        );
        diagnostics.extend(
            file_analysis(db, project, file)
                .diagnostics
                .iter()
                .filter(shown)
                .cloned(),
        );
    }
    diagnostics
}

/// For a command that checks and renders a project once (`plat build`): bounds the
/// memos that [`check_rendering_each_environment`] drops as soon as nothing reads them
/// again: the syntax trees, the files' imports, analyses and lowered forms once the
/// workloads are lowered (their diagnostics are gathered already), each environment's
/// resolutions once it is rendered. Call it before anything reads the
/// project.
pub fn keep_only_what_a_build_reads(db: &mut dyn Db) {
    crate::syntax::keep_one_syntax_tree(db);
    crate::names::imports::keep_one_file_scope(db);
    crate::types::analysis::keep_one_file_analysis(db);
    crate::lowered::keep_one_lowered_file(db);
    crate::resolve::workload::keep_one_resolution(db);
}

/// [`check_project`], with its per-file checks and its per-(environment, workload)
/// resolutions run in parallel first, each thread on its own handle of the database.
/// The result is the same; only the wall-clock time differs.
pub fn check_project_in_parallel(db: &Database, project: Project) -> &[Diagnostic] {
    if check_files_in_parallel(db, project) {
        let environments = environment_keys(db, project);
        resolve_shared_parts_in_parallel(db, project, &environments);
        let workloads = workload_names(db, project);
        for env in &environments {
            resolve_in_parallel(db, project, env, &workloads);
        }
        // What each environment's resolutions say together (names that clash, volumes
        // mounted by too many pods): one query per environment, each on its own thread.
        in_parallel(db, environments, |db, (origin, name)| {
            let env = crate::lowered::EnvironmentId::new(db, project, origin, name);
            crate::resolve::environment_diagnostics(db, env);
        });
    }
    check_project(db, project)
}

/// [`check_project_in_parallel`] for a command that renders every environment once and
/// needs the whole project's diagnostics before it keeps anything (`plat build`): the
/// environments are resolved one after the other, and each is handed to `render` (with
/// the database and its name) as soon as it is resolved, while neither it nor any
/// environment before it has an error; then its resolutions are dropped before the next
/// is resolved, so that one environment's are held at a time. What `render` made must be
/// kept only if the diagnostics returned have no error.
pub fn check_rendering_each_environment<D: ParallelDb>(
    db: &mut D,
    project: Project,
    render: &mut dyn FnMut(&D, &str),
) -> Vec<Diagnostic> {
    if check_files_in_parallel(db, project) {
        // Resolution reads the workloads' lowered forms, never their syntax trees or
        // their files' lowered forms again.
        salsa::Database::trigger_lru_eviction(db);
        let environments = environment_keys(db, project);
        resolve_shared_parts_in_parallel(db, project, &environments);
        let workloads = workload_names(db, project);
        let mut clean = true;
        for env in environments {
            resolve_in_parallel(db, project, &env, &workloads);
            let (origin, name) = &env;
            let id = crate::lowered::EnvironmentId::new(&*db, project, *origin, name.clone());
            clean = clean
                && !crate::resolve::environment_diagnostics(&*db, id)
                    .iter()
                    .any(Diagnostic::is_error);
            if clean {
                render(db, name);
            }
            salsa::Database::trigger_lru_eviction(db);
        }
    }
    check_project(db, project).clone()
}

/// Parses every file of `project` (with its declarations), then analyses them, each in
/// parallel, then, unless they have an error, lowers its workloads (what resolution
/// reads); whether resolution follows.
fn check_files_in_parallel<D: ParallelDb>(db: &D, project: Project) -> bool {
    let files = project.files(db).clone();
    // Every file's declarations first: the index of the project's names, which the
    // first analysis needs, would otherwise parse every file on that one thread.
    in_parallel(db, files.clone(), |db, file| {
        crate::names::file_declarations(db, file);
    });
    in_parallel(db, files, |db, file| {
        file_analysis(db, project, file);
    });
    let resolves = !before_resolution(db, project)
        .iter()
        .any(Diagnostic::is_error);
    if resolves {
        in_parallel(db, workload_names(db, project), |db, workload| {
            let workload = crate::lowered::WorkloadId::new(db, project, Origin::Project, workload);
            crate::lowered::workload(db, workload);
        });
    }
    resolves
}

/// An environment by the namespace it is declared in and its name: what a thread needs
/// to intern it on its own handle.
type EnvironmentKey = (Origin, String);

fn environment_keys(db: &dyn Db, project: Project) -> Vec<EnvironmentKey> {
    crate::resolve::environments(db, project)
        .iter()
        .map(|env| (env.origin(db), env.name(db).clone()))
        .collect()
}

fn workload_names(db: &dyn Db, project: Project) -> Vec<String> {
    crate::resolve::workloads(db, project)
        .iter()
        .map(|workload| workload.name(db).clone())
        .collect()
}

/// Resolves the shared part of every environment, in parallel: each is read by every
/// workload's resolution in its environment, which would otherwise wait for it.
fn resolve_shared_parts_in_parallel<D: ParallelDb>(
    db: &D,
    project: Project,
    environments: &[EnvironmentKey],
) {
    in_parallel(db, environments.to_vec(), |db, (origin, name)| {
        let env = crate::lowered::EnvironmentId::new(db, project, origin, name);
        crate::resolve::shared::environment_shared(db, env);
    });
}

/// Resolves every workload of the project in the environment `env`, in parallel.
fn resolve_in_parallel<D: ParallelDb>(
    db: &D,
    project: Project,
    env: &EnvironmentKey,
    workloads: &[String],
) {
    let (origin, name) = env;
    in_parallel(db, workloads.to_vec(), |db, workload| {
        let env = crate::lowered::EnvironmentId::new(db, project, *origin, name.clone());
        let workload = crate::lowered::WorkloadId::new(db, project, Origin::Project, workload);
        crate::resolve::workload::resolve_workload(db, env, workload);
    });
}

/// A database that threads can each have a handle of: [`Database`], or one that tests
/// observe.
pub trait ParallelDb: Db + Clone + Send {}

impl<D: Db + Clone + Send> ParallelDb for D {}

/// How many chunks [`in_parallel`] splits its items in, per thread.
const CHUNKS_PER_THREAD: usize = 8;

/// Runs `work` on every item, each thread with its own handle of the database (which is
/// `Send` but not `Sync`). The items are split in a few chunks per thread, which idle
/// threads take in turn, since items differ in cost (the first of an environment
/// resolves its shared part).
pub(crate) fn in_parallel<D: ParallelDb, T: Send>(
    db: &D,
    items: Vec<T>,
    work: impl Fn(&D, T) + Sync,
) {
    let threads = rayon::current_num_threads().max(1);
    let size = items.len().div_ceil(threads * CHUNKS_PER_THREAD).max(1);
    let mut chunks: Vec<(D, Vec<T>)> = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        chunks.push((db.clone(), items.by_ref().take(size).collect()));
    }
    chunks
        .into_par_iter()
        .with_max_len(1)
        .for_each(|(db, chunk)| {
            for item in chunk {
                work(&db, item);
            }
        });
}

/// The resolution table of one file: every reference and what it refers to (for
/// go-to-definition, find-references, rename and hover).
pub fn definitions(db: &dyn Db, project: Project, file: SourceFile) -> &ResolutionTable {
    &file_analysis(db, project, file).table
}
