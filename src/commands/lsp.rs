//! `plat lsp`: the language server over stdio (see the `plat-lsp` crate).

use crate::Status;

pub fn run() -> Status {
    match plat_lsp::run_stdio() {
        Ok(()) => Status::Clean,
        Err(error) => {
            eprintln!("error: cannot start the language server: {error}");
            Status::Usage
        }
    }
}
