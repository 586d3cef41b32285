//! The `plat` command line.
//!
//! Invariants: every outcome is an exit status a script can rely on (0 clean, 1 the
//! program has errors, 2 usage or I/O problems, 3 an internal error, 4 a change that
//! `plat diff` blocks); a panic is never
//! shown raw to a user but reported as an internal error with a hint to report it.

mod cli;
mod commands;
mod files;
mod git;
mod output;
mod report;
mod revision;

use std::process::ExitCode;

use clap::Parser;

/// Resolution and emission allocate many small, short-lived values from every core;
/// mimalloc serves them with fewer instructions than the system allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The exit statuses of `plat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing to report, or only warnings.
    Clean = 0,
    /// The program has errors.
    Errors = 1,
    /// A usage or I/O problem: nothing could be checked.
    Usage = 2,
    /// A bug in plat.
    Internal = 3,
    /// `plat diff`: the change destroys or replaces data (without `--allow-destroy`),
    /// orphans Terraform state or touches a protected resource.
    Blocked = 4,
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(report_internal_error));
    let status = match std::panic::catch_unwind(run) {
        Ok(status) => status,
        Err(_) => Status::Internal,
    };
    ExitCode::from(status as u8)
}

fn run() -> Status {
    // Lets tests prove that a panic is reported as an internal error (debug builds only).
    #[cfg(debug_assertions)]
    if std::env::var_os("PLAT_TEST_PANIC").is_some() {
        panic!("a panic requested by PLAT_TEST_PANIC");
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let status = if error.use_stderr() {
                Status::Usage
            } else {
                Status::Clean
            };
            // Printing help or a usage error can only fail if the terminal is gone.
            let _ = error.print();
            return status;
        }
    };
    commands::run(cli)
}

/// Prints a panic as an internal error, without a backtrace.
fn report_internal_error(info: &std::panic::PanicHookInfo<'_>) {
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".to_string());
    let location = info
        .location()
        .map(|location| format!(" at {}:{}", location.file(), location.line()))
        .unwrap_or_default();
    eprintln!(
        "error: internal error in plat {}: {message}{location}\n\
         note: this is a bug in plat, not in your project; please report it with the \
         command you ran and, if you can, the files it read",
        env!("CARGO_PKG_VERSION")
    );
}
