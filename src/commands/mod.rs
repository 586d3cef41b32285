//! One module per command; each returns the exit status.

mod check;
mod completions;
mod explain;

use crate::Status;
use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> Status {
    let color = cli.color.for_stderr();
    match cli.command {
        Command::Check { path, format } => check::run(&path, format, color),
        Command::Explain { code, list } => explain::run(code.as_deref(), list),
        Command::Completions { shell } => completions::run(shell),
    }
}
