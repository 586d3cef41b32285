//! `plat completions SHELL`: a completion script generated from the command definitions.

use clap::CommandFactory;

use crate::Status;
use crate::cli::Cli;

pub fn run(shell: clap_complete::Shell) -> Status {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "plat", &mut std::io::stdout());
    Status::Clean
}
