//! `plat fmt`: rewrite `.plat` files in the one canonical style, or check that they are.
//!
//! Invariants: a file is written only when its canonical text differs from what is on
//! disk, and then atomically (a temporary file beside it, renamed over it), so a reader
//! never sees half a file; a file with syntax errors, or that the formatter cannot format
//! safely, is never touched; `--check` writes nothing. Directories are read the way
//! `plat check` reads a project (hidden directories, build output and `plat.toml`'s
//! `exclude` skipped).

use std::io;
use std::path::{Path, PathBuf};

use plat_compiler::diagnostic::{Code, Diagnostic};
use plat_compiler::format::{FormatError, format_text};
use plat_compiler::project::read::{self, Refusal};
use plat_compiler::project::{self, MAX_FILE_BYTES};
use plat_compiler::source::{Database, Origin, SourceFile};

use crate::Status;
use crate::cli::Format;
use crate::files::{remove_stale_temporaries, write_atomically};
use crate::report::terminal::clean;
use crate::report::{Located, Report};

/// How standard input is named in messages.
const STDIN: &str = "<stdin>";

/// Formats every PATH (`-` alone: standard input to standard output).
pub fn run(paths: &[PathBuf], check: bool, color: bool) -> Status {
    if paths.iter().any(|path| path.as_os_str() == "-") {
        if paths.len() > 1 {
            eprintln!(
                "error: `-` (standard input) cannot be formatted together with other paths\n\
                 help: run `plat fmt -` on its own"
            );
            return Status::Usage;
        }
        return format_stdin(check, color);
    }
    paths.iter().fold(Status::Clean, |status, path| {
        worst(status, format_path(path, check, color))
    })
}

/// The status that tells more: internal error, then usage or I/O, then errors.
fn worst(a: Status, b: Status) -> Status {
    if (b as u8) > (a as u8) { b } else { a }
}

/// Formats the project (directory) or file at `path`.
fn format_path(path: &Path, check: bool, color: bool) -> Status {
    let db = Database::default();
    let loaded = match project::load(&db, path) {
        Ok(loaded) => loaded,
        Err(diagnostic) => {
            let report = Report::new(&db, Path::new(""), color);
            report.print(Format::Human, std::slice::from_ref(&diagnostic), None);
            return Status::Usage;
        }
    };
    let root = if path.is_dir() {
        path.to_path_buf()
    } else {
        loaded.root.clone()
    };
    let report = Report::new(&db, &root, color);
    let mut status = Status::Clean;
    // An empty directory is nothing to format, not a problem; neither are dependencies
    // not fetched yet, whose files are never formatted.
    let problems: Vec<Diagnostic> = loaded
        .project
        .load_diagnostics(&db)
        .iter()
        .filter(|diagnostic| {
            diagnostic.code != Code::NoSourceFiles && !diagnostic.code.is_about_dependencies()
        })
        .cloned()
        .collect();
    if !problems.is_empty() {
        report.print(Format::Human, &problems, None);
        status = Status::Usage;
        // Without its manifest, the project's `exclude` is unknown: touch nothing.
        if problems.iter().any(|d| d.code == Code::InvalidManifest) {
            return status;
        }
    }
    let files = loaded.project.files(&db).iter();
    for &file in files.filter(|file| file.origin(&db) == Origin::Project) {
        let one = FileToFormat {
            db: &db,
            report: &report,
            root: &root,
            file,
        };
        status = worst(status, one.format(check));
    }
    status
}

/// One file of a project, and where to report about it.
struct FileToFormat<'a> {
    db: &'a Database,
    report: &'a Report<'a>,
    root: &'a Path,
    file: SourceFile,
}

impl FileToFormat<'_> {
    fn format(&self, check: bool) -> Status {
        if !check {
            // What a `plat fmt` killed while writing this file left beside it.
            let path = self.root.join(self.file.path(self.db));
            remove_stale_temporaries(&path);
        }
        let text = self.file.text(self.db);
        let display = Located::new(self.db, self.root).display_path(self.file);
        match format_text(text) {
            Ok(formatted) if formatted == *text => Status::Clean,
            Ok(_) if check => {
                println!("{}", clean(&display));
                Status::Errors
            }
            Ok(formatted) => {
                let path = self.root.join(self.file.path(self.db));
                match write_atomically(&path, &formatted) {
                    Ok(()) => Status::Clean,
                    Err(error) => {
                        let diagnostic = Diagnostic::about_path(
                            Code::Io,
                            format!("cannot write `{display}`: {}", read::io_reason(&error)),
                            self.file.path(self.db).clone(),
                        );
                        self.report.print(Format::Human, &[diagnostic], None);
                        Status::Usage
                    }
                }
            }
            Err(FormatError::Syntax(errors)) => {
                let diagnostics: Vec<Diagnostic> = errors
                    .iter()
                    .map(|error| error.to_diagnostic(self.file))
                    .collect();
                self.report.print(Format::Human, &diagnostics, None);
                Status::Errors
            }
            Err(error @ FormatError::Unstable(_)) => {
                report_unstable(&display, &error);
                Status::Internal
            }
        }
    }
}

/// Formats standard input to standard output; with `check`, prints nothing but
/// [`STDIN`] when the text would change.
fn format_stdin(check: bool, color: bool) -> Status {
    let text = match read_stdin() {
        Ok(text) => text,
        Err(diagnostic) => {
            let db = Database::default();
            Report::new(&db, Path::new(""), color).print(Format::Human, &[*diagnostic], None);
            return Status::Usage;
        }
    };
    match format_text(&text) {
        Ok(formatted) if check => {
            if formatted == text {
                Status::Clean
            } else {
                println!("{STDIN}");
                Status::Errors
            }
        }
        Ok(formatted) => {
            print!("{formatted}");
            Status::Clean
        }
        Err(FormatError::Syntax(errors)) => {
            let db = Database::default();
            let file = SourceFile::new(&db, STDIN.to_string(), text, Origin::Project);
            let diagnostics: Vec<Diagnostic> =
                errors.iter().map(|e| e.to_diagnostic(file)).collect();
            Report::new(&db, Path::new(""), color).print(Format::Human, &diagnostics, None);
            Status::Errors
        }
        Err(error @ FormatError::Unstable(_)) => {
            report_unstable(STDIN, &error);
            Status::Internal
        }
    }
}

/// Standard input as text, within the size limit of a `.plat` file (the loader's
/// bounded read).
fn read_stdin() -> Result<String, Box<Diagnostic>> {
    let refused = |refusal: Refusal| {
        let diagnostic = match refusal {
            Refusal::TooLarge(_) => Diagnostic::about_path(
                Code::FileTooLarge,
                format!(
                    "standard input is larger than {} MiB",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
                STDIN,
            ),
            Refusal::NotUtf8 { .. } => {
                Diagnostic::about_path(Code::NotUtf8, "standard input is not UTF-8", STDIN)
                    .with_help("`.plat` files are UTF-8 text")
            }
            other => Diagnostic::about_path(
                Code::Io,
                format!("cannot read standard input: {}", other.reason()),
                STDIN,
            ),
        };
        Box::new(diagnostic)
    };
    read::read_limited(io::stdin().lock())
        .and_then(read::text)
        .map_err(refused)
}

fn report_unstable(display: &str, error: &FormatError) {
    let display = clean(display);
    eprintln!(
        "error: internal error in plat {}: cannot format `{display}`: {error}; it is left as it is\n\
         note: this is a bug in plat, not in your project; please report it with the file",
        env!("CARGO_PKG_VERSION")
    );
}
