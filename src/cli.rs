//! The command-line interface: commands, flags and the help that teaches them.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  plat check                       Check the project in the current directory
  plat check examples/shop         Check the project in another directory
  plat check --format json .       Diagnostics as JSON, for scripts
  plat check --format sarif . > plat.sarif
                                   Diagnostics as SARIF, for code scanning in CI
  plat explain E0204               What a diagnostic code means, and the fix
  plat completions bash > /etc/bash_completion.d/plat
                                   Install shell completions

Exit status: 0 no errors, 1 the project has errors, 2 usage or I/O problem, 3 internal error.
Documentation: docs/language.md";

/// plat — a platform orchestrator you can compile.
///
/// plat reads `.plat` files that describe what a platform offers, the environments
/// workloads run in and the workloads themselves, and checks that they fit.
#[derive(Debug, Parser)]
#[command(name = "plat", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// When to use colour: `auto` uses it on a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a project: syntax, names, types, secrets and phases.
    ///
    /// Reads every `.plat` file under PATH (a directory, read recursively, or a single
    /// file) and reports every problem it finds.
    #[command(after_help = "\
Examples:
  plat check                       Check the project in the current directory
  plat check examples/minimal      Check another project
  plat check --format json .       One JSON object per diagnostic
  plat check --format sarif .      A SARIF 2.1.0 log for code scanning")]
    Check {
        /// The project directory or `.plat` file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Explain a diagnostic code: what it means, an example, and the fix.
    #[command(after_help = "\
Examples:
  plat explain E0204               Explain the code E0204
  plat explain --list              List every code with its title")]
    Explain {
        /// The code, as printed in a diagnostic: `E0204`.
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its title.
        #[arg(long, conflicts_with = "code")]
        list: bool,
    },
    /// Print a completion script for a shell.
    #[command(after_help = "\
Examples:
  plat completions bash > ~/.local/share/bash-completion/completions/plat
  plat completions zsh > \"${fpath[1]}/_plat\"
  plat completions fish > ~/.config/fish/completions/plat.fish")]
    Completions {
        /// The shell to write completions for.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rendered for people, with the source and labels.
    Human,
    /// A JSON array, one object per diagnostic.
    Json,
    /// A SARIF 2.1.0 log.
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour output written to standard error.
    pub fn for_stderr(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
}
