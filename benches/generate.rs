//! Writes a synthetic platform for the benchmarks (see `benches/synthetic.rs`):
//!
//! ```text
//! cargo run --release --example generate -- WORKLOADS ENVIRONMENTS DIR
//! ```
//!
//! `DIR` must be empty or absent. The same numbers always give the same bytes.

#[path = "synthetic.rs"]
mod synthetic;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [workloads, environments, dir] = args.as_slice() else {
        eprintln!("usage: generate WORKLOADS ENVIRONMENTS DIR");
        return ExitCode::from(2);
    };
    let (Ok(workloads), Ok(environments)) = (workloads.parse(), environments.parse()) else {
        eprintln!("error: WORKLOADS and ENVIRONMENTS are whole numbers");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    match synthetic::write(&dir, workloads, environments) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: cannot write {}: {error}", dir.display());
            ExitCode::FAILURE
        }
    }
}
