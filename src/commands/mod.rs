//! One module per command; each returns the exit status.

mod build;
mod check;
mod completions;
pub(crate) mod diff;
mod doc;
mod explain;
mod fmt;
mod graph;
mod import;
mod init;
mod lsp;
mod modules;
mod packages;
mod semver;

use crate::Status;
use crate::cli::{Cli, Command, ModulesCommand};
use packages::{NewDependency, Refresh};

/// Ends the life of a command's large values (the query database, a build's files)
/// without freeing them one allocation at a time: the process is about to exit, and
/// the operating system reclaims its memory at once. In a large project, freeing the
/// memos of every query took a tenth of `plat check`.
fn exit_without_freeing<T>(value: T) {
    std::mem::forget(value);
}

pub fn run(cli: Cli) -> Status {
    let color = cli.color.for_stderr();
    match cli.command {
        Command::Check { path, format } => check::run(&path, format, color),
        Command::Build {
            path,
            environments,
            out,
        } => build::run(&path, &environments, out.as_deref(), color),
        Command::Graph {
            path,
            environment,
            format,
        } => graph::run(&path, environment.as_deref(), format, color),
        Command::Diff {
            path,
            against,
            against_build,
            environments,
            format,
            allow_destroy,
        } => diff::run(
            &diff::Request {
                path: &path,
                against: against.as_deref(),
                against_build: against_build.as_deref(),
                environments: &environments,
                format,
                allow_destroy,
            },
            color,
        ),
        Command::Init { directory, name } => init::run(&directory, name.as_deref()),
        Command::Doc { path, out } => doc::run(&path, &out, color),
        Command::Import { format, what } => import::run(what, format, color),
        Command::Fmt { paths, check } => fmt::run(&paths, check, color),
        Command::Explain { code, list } => explain::run(code.as_deref(), list),
        Command::Completions { shell } => completions::run(shell),
        Command::Modules {
            what:
                ModulesCommand::Lock {
                    project,
                    from,
                    module,
                    source,
                    version,
                },
        } => modules::lock(
            &project,
            &from,
            module.as_deref().map(|dir| modules::Vendored {
                dir,
                source: source.as_deref().unwrap_or_default(),
                version: version.as_deref(),
            }),
        ),
        Command::Fetch { project, format } => {
            packages::fetch(&project, Refresh::Nothing, format, color)
        }
        Command::Update {
            project,
            names,
            format,
        } => {
            let refresh = if names.is_empty() {
                Refresh::Everything
            } else {
                Refresh::Only(names.into_iter().collect())
            };
            packages::fetch(&project, refresh, format, color)
        }
        Command::Add {
            name,
            project,
            path,
            git,
            tag,
            branch,
            rev,
            version,
            format,
        } => packages::add(
            &project,
            &NewDependency {
                name: &name,
                path: path.as_deref(),
                git: git.as_deref(),
                tag: tag.as_deref(),
                branch: branch.as_deref(),
                rev: rev.as_deref(),
                version: version.as_deref(),
            },
            format,
            color,
        ),
        Command::Semver {
            old,
            new,
            repository,
            applications,
            format,
        } => semver::run(&semver::Arguments {
            old: &old,
            new: &new,
            repository: &repository,
            applications: &applications,
            format,
            color,
        }),
        Command::Lsp => lsp::run(),
    }
}
