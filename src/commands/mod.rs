//! One module per command; each returns the exit status.

mod build;
mod check;
mod completions;
mod doc;
mod explain;
mod fmt;
mod graph;
mod import;
mod init;
mod lsp;

use crate::Status;
use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> Status {
    let color = cli.color.for_stderr();
    match cli.command {
        Command::Check { path, format } => check::run(&path, format, color),
        Command::Build {
            path,
            environments,
            out,
        } => build::run(&path, &environments, &out, color),
        Command::Graph {
            path,
            environment,
            format,
        } => graph::run(&path, environment.as_deref(), format, color),
        Command::Init { directory, name } => init::run(&directory, name.as_deref()),
        Command::Doc { path, out } => doc::run(&path, &out, color),
        Command::Import { format, what } => import::run(what, format, color),
        Command::Fmt { paths, check } => fmt::run(&paths, check, color),
        Command::Explain { code, list } => explain::run(code.as_deref(), list),
        Command::Completions { shell } => completions::run(shell),
        Command::Lsp => lsp::run(),
    }
}
