//! `plat explain CODE`: the long explanation of a diagnostic code.

use plat_compiler::diagnostic::Code;

use crate::Status;

pub fn run(code: Option<&str>, list: bool) -> Status {
    if list {
        for code in Code::ALL {
            println!("{}  {}", code.as_str(), code.title());
        }
        return Status::Clean;
    }
    let text = code.unwrap_or_default();
    match Code::parse(text) {
        Some(code) => {
            print!("{}", code.explanation());
            Status::Clean
        }
        None => {
            eprintln!(
                "error: `{text}` is not a plat diagnostic code\n\
                 help: codes look like `E0204`; `plat explain --list` lists them all"
            );
            Status::Usage
        }
    }
}
