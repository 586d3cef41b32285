//! `plat lsp`: the language server over stdio (see the `plat-lsp` crate).

use crate::Status;

pub fn run() -> Status {
    match plat_lsp::run_stdio() {
        Ok(plat_lsp::Ending::ShutDown) => Status::Clean,
        // The protocol's exit status for an `exit` without `shutdown`.
        Ok(plat_lsp::Ending::Abandoned) => Status::Errors,
        Err(error) => {
            eprintln!("error: cannot start the language server: {error}");
            Status::Usage
        }
    }
}
