//! Reading a project from disk into the compiler's inputs.
//!
//! A project is a directory read recursively for `*.plat` files, with an optional
//! `plat.toml` at its root, or a single `.plat` file. The standard library is added to
//! every project.
//!
//! Invariants: this is the only module that touches the file system on the way in. It
//! never follows symbolic links to directories (so a link loop cannot trap it), skips
//! hidden directories and build output, reads only regular files (never a device or a
//! pipe, which could block or never end), bounds the depth, the number of files, the
//! size of each file and of all of them, and turns every problem into a diagnostic. Files are sorted by
//! path, so the same tree always gives the same project.
//!
//! A directory's Terraform files (`*.tf`, outside hidden directories such as
//! `.terraform`) are read too, under the same bounds, so that implementations whose
//! `source` is a module kept in the project can be checked against it without the
//! checker reading the disk. A problem with a `.tf` file is not reported here: it is
//! kept with the file and reported (E0705) only where a module that holds it is used.
//! A single `.plat` file is read without Terraform files, and its local modules are
//! not checked. The lock of module interfaces at the root
//! ([`crate::terraform::lock::LOCK_FILE`]) is read the same way, when a directory is
//! read; a problem with it is reported (E0707) by the checker.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Db, ModuleLockFile, Origin, Project, SourceFile, TerraformFile};
use crate::span::TextRange;
use crate::stdlib;

/// Files larger than this are refused (E0503).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Directories deeper than this below the root are not read.
pub const MAX_DEPTH: usize = 64;
/// At most this many `.plat` files are read from one project.
pub const MAX_FILES: usize = 10_000;
/// The `.plat` files of one project add up to at most this many bytes; files past it
/// are not read.
pub const MAX_PROJECT_BYTES: u64 = 256 * 1024 * 1024;
/// At most this many `.tf` files are read from one project; the rest are left out.
pub const MAX_TERRAFORM_FILES: usize = 10_000;
/// The name of the optional project manifest.
pub const MANIFEST: &str = "plat.toml";

/// Directory names never read: build output and tool state.
const SKIPPED_DIRECTORIES: &[&str] = &["target", "out", "node_modules"];

/// A project read from disk.
pub struct LoadedProject {
    pub project: Project,
    /// The directory that paths in diagnostics are relative to.
    pub root: PathBuf,
    /// The project's name: `plat.toml`'s `project.name`, else the root directory's name.
    pub name: String,
}

/// The contents of `plat.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    project: ManifestProject,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestProject {
    name: Option<String>,
    /// Paths, relative to the root, of files or directories to leave out.
    #[serde(default)]
    exclude: Vec<String>,
}

/// Reads the project at `path` (a directory or a single `.plat` file).
///
/// Paths in diagnostics (labels' files and `subject`s) are relative to the project root;
/// the subject of a problem with the root itself is empty.
///
/// `Err` means there is nothing to check at all (the path does not exist or cannot be
/// read): the command line exits with 2. Problems with individual files are part of the
/// project's `load_diagnostics`.
pub fn load(db: &dyn Db, path: &Path) -> Result<LoadedProject, Box<Diagnostic>> {
    let metadata = std::fs::metadata(path).map_err(|error| {
        Box::new(
            Diagnostic::about_path(
                Code::Io,
                format!("cannot read: {}", io_reason(&error)),
                path.display().to_string(),
            )
            .with_help("pass a directory that holds `.plat` files, or one `.plat` file"),
        )
    })?;
    let mut loader = Loader::new(db);
    let (root, name) = if metadata.is_dir() {
        let manifest = loader.read_manifest(path);
        let name = manifest
            .project
            .name
            .clone()
            .unwrap_or_else(|| directory_name(path));
        loader.excluded = manifest.project.exclude.clone();
        loader.terraform = Some(Vec::new());
        loader.module_lock = Some(read_module_lock(db, path));
        loader.walk(path, path, 0);
        if loader.files.is_empty() && loader.diagnostics.is_empty() {
            loader.diagnostics.push(
                Diagnostic::about_path(
                    Code::NoSourceFiles,
                    "no `.plat` files in this directory",
                    String::new(),
                )
                .with_help("create a file such as `main.plat`, or start from `examples/minimal`"),
            );
        }
        (path.to_path_buf(), name)
    } else {
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let display = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        loader.read_file(path, display);
        let name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        (root, name)
    };
    Ok(LoadedProject {
        project: loader.finish(),
        root,
        name,
    })
}

/// Builds a project from texts held in memory (tests, the language server's unsaved
/// buffers); `files` are `(path, text)` pairs. The standard library is added.
pub fn from_texts(db: &dyn Db, files: &[(String, String)]) -> Project {
    let mut loader = Loader::new(db);
    for (path, text) in files {
        loader.add(path.clone(), text.clone(), Origin::Project);
    }
    loader.finish()
}

/// The text of a Terraform file, as the project keeps it: an error says why it cannot
/// be read (too large, not a regular file, not UTF-8), for E0705 where it is used.
pub fn read_terraform_text(path: &Path) -> Result<String, String> {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.len() > MAX_FILE_BYTES => Err(format!(
            "larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        )),
        Ok(metadata) if !metadata.is_file() => Err("not a regular file".to_string()),
        Ok(_) => match read_bounded(path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string()),
            Err(error) => Err(io_reason(&error)),
        },
        Err(error) => Err(io_reason(&error)),
    }
}

/// The lock of module interfaces at the root of the project in `root`, as an input:
/// without text when there is none.
pub fn read_module_lock(db: &dyn Db, root: &Path) -> ModuleLockFile {
    let path = root.join(crate::terraform::lock::LOCK_FILE);
    ModuleLockFile::new(
        db,
        crate::terraform::lock::LOCK_FILE.to_string(),
        module_lock_text(&path),
    )
}

/// The text of a lock of module interfaces: `None` when there is no such file.
pub fn module_lock_text(path: &Path) -> Option<Result<String, String>> {
    match std::fs::symlink_metadata(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        _ => Some(read_terraform_text(path)),
    }
}

/// The standard library as source files.
pub fn stdlib_files(db: &dyn Db) -> Vec<SourceFile> {
    stdlib::FILES
        .iter()
        .map(|(path, text)| SourceFile::new(db, path.to_string(), text.to_string(), Origin::Std))
        .collect()
}

struct Loader<'db> {
    db: &'db dyn Db,
    files: Vec<SourceFile>,
    diagnostics: Vec<Diagnostic>,
    excluded: Vec<String>,
    /// Whether a bound of the whole project (files, bytes) was hit: nothing more is
    /// read.
    full: bool,
    /// The bytes of `.plat` files read so far.
    bytes: u64,
    /// The Terraform files read; `None` unless a directory is read.
    terraform: Option<Vec<TerraformFile>>,
    /// The lock of module interfaces; `None` unless a directory is read.
    module_lock: Option<ModuleLockFile>,
}

impl<'db> Loader<'db> {
    fn new(db: &'db dyn Db) -> Self {
        Loader {
            db,
            files: Vec::new(),
            diagnostics: Vec::new(),
            excluded: Vec::new(),
            full: false,
            bytes: 0,
            terraform: None,
            module_lock: None,
        }
    }

    fn finish(mut self) -> Project {
        let mut files = stdlib_files(self.db);
        files.append(&mut self.files);
        files.sort_by(|a, b| a.path(self.db).cmp(b.path(self.db)));
        let mut terraform = self.terraform;
        if let Some(terraform) = &mut terraform {
            terraform.sort_by(|a, b| a.path(self.db).cmp(b.path(self.db)));
        }
        Project::builder(files, self.diagnostics)
            .terraform_files(terraform)
            .module_lock(self.module_lock)
            .new(self.db)
    }

    fn add(&mut self, path: String, text: String, origin: Origin) -> SourceFile {
        let file = SourceFile::new(self.db, path, text, origin);
        self.files.push(file);
        file
    }

    /// Reads `plat.toml` if the root has one; a broken manifest is reported and
    /// otherwise ignored, so the `.plat` files are still checked.
    fn read_manifest(&mut self, root: &Path) -> Manifest {
        let path = root.join(MANIFEST);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Manifest::default();
        };
        match toml::from_str::<Manifest>(&text) {
            Ok(manifest) => manifest,
            Err(error) => {
                let range = error
                    .span()
                    .map(TextRange::from)
                    .unwrap_or_else(|| TextRange::empty(0));
                // The manifest is not a `.plat` file: it is an input only so that the
                // diagnostic can point into it.
                let file = SourceFile::new(self.db, MANIFEST.to_string(), text, Origin::Project);
                self.diagnostics.push(
                    Diagnostic::new(Code::InvalidManifest, format!("invalid `{MANIFEST}`: {}", error.message()), file, range)
                        .with_help("`plat.toml` may hold `[project]` with `name = \"...\"` and `exclude = [\"path\", ...]`"),
                );
                Manifest::default()
            }
        }
    }

    fn walk(&mut self, root: &Path, directory: &Path, depth: usize) {
        if depth > MAX_DEPTH || self.full {
            return;
        }
        let entries = match std::fs::read_dir(directory) {
            Ok(entries) => entries,
            Err(error) => {
                self.report_io(relative_display(root, directory), &error);
                return;
            }
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            if self.full {
                return;
            }
            let path = entry.path();
            let display = relative_display(root, &path);
            if self.is_excluded(&display) {
                continue;
            }
            // `file_type` does not follow symbolic links: a link to a directory is
            // skipped, a link to a file is read.
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name().to_string_lossy().into_owned();
            if file_type.is_dir() {
                if !name.starts_with('.') && !SKIPPED_DIRECTORIES.contains(&name.as_str()) {
                    self.walk(root, &path, depth + 1);
                }
            } else if name.ends_with(".plat") && !name.starts_with('.') {
                if self.files.len() >= MAX_FILES {
                    self.report_full(format!("more than {MAX_FILES} `.plat` files"));
                    return;
                }
                self.read_file(&path, display);
            } else if name.ends_with(".tf") && !name.starts_with('.') {
                self.read_terraform(&path, display);
            }
        }
    }

    /// Reads one `.tf` file; a problem is kept with the file, for E0705 where it is used.
    fn read_terraform(&mut self, path: &Path, display: String) {
        let db = self.db;
        let Some(terraform) = &mut self.terraform else {
            return;
        };
        if terraform.len() >= MAX_TERRAFORM_FILES {
            return;
        }
        terraform.push(TerraformFile::new(db, display, read_terraform_text(path)));
    }

    fn is_excluded(&self, display: &str) -> bool {
        self.excluded.iter().any(|excluded| {
            let excluded = excluded.trim_end_matches('/');
            display == excluded || display.starts_with(&format!("{excluded}/"))
        })
    }

    fn read_file(&mut self, path: &Path, display: String) {
        match std::fs::metadata(path) {
            Ok(metadata) if !metadata.is_file() => {
                self.diagnostics.push(Diagnostic::about_path(
                    Code::Io,
                    "cannot read: not a regular file",
                    display,
                ));
                return;
            }
            Ok(metadata) if metadata.len() > MAX_FILE_BYTES => {
                self.diagnostics.push(
                    Diagnostic::about_path(
                        Code::FileTooLarge,
                        format!(
                            "file too large: {} bytes; files larger than {} MiB are not read",
                            metadata.len(),
                            MAX_FILE_BYTES / (1024 * 1024)
                        ),
                        display,
                    )
                    .with_help("split the file, or exclude it in `plat.toml`"),
                );
                return;
            }
            Ok(metadata) if self.bytes + metadata.len() > MAX_PROJECT_BYTES => {
                self.report_full(format!(
                    "the `.plat` files add up to more than {} MiB",
                    MAX_PROJECT_BYTES / (1024 * 1024)
                ));
                return;
            }
            Ok(metadata) => self.bytes += metadata.len(),
            Err(error) => {
                self.report_io(display, &error);
                return;
            }
        }
        let bytes = match read_bounded(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                self.report_io(display, &error);
                return;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => {
                self.add(display, text, Origin::Project);
            }
            Err(error) => self.report_not_utf8(display, error.as_bytes(), error.utf8_error()),
        }
    }

    fn report_not_utf8(&mut self, display: String, bytes: &[u8], error: std::str::Utf8Error) {
        let valid = &bytes[..error.valid_up_to()];
        let line = valid.iter().filter(|byte| **byte == b'\n').count() + 1;
        let column = valid
            .iter()
            .rev()
            .take_while(|byte| **byte != b'\n')
            .count()
            + 1;
        let byte = bytes.get(error.valid_up_to()).copied().unwrap_or_default();
        self.diagnostics.push(
            Diagnostic::about_path(
                Code::NotUtf8,
                format!("not UTF-8: byte 0x{byte:02x} at line {line}, byte {column} is not valid"),
                display,
            )
            .with_help("save the file as UTF-8; `.plat` files are text"),
        );
    }

    fn report_io(&mut self, display: String, error: &std::io::Error) {
        self.diagnostics.push(Diagnostic::about_path(
            Code::Io,
            format!("cannot read: {}", io_reason(error)),
            display,
        ));
    }

    /// Stops reading: a bound of the whole project is hit.
    fn report_full(&mut self, what: String) {
        self.full = true;
        self.diagnostics.push(
            Diagnostic::about_path(
                Code::Io,
                format!("{what}; the rest are not read"),
                String::new(),
            )
            .with_help("exclude generated or vendored directories in `plat.toml`"),
        );
    }
}

/// The bytes of a file, at most `MAX_FILE_BYTES + 1` of them: a file that grows after
/// its size was checked cannot make the loader read without end.
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other("the file grew while it was read"));
    }
    Ok(bytes)
}

/// `path` relative to `root`, with `/` separators, as users see it in diagnostics.
fn relative_display(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|component| component.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn directory_name(path: &Path) -> String {
    path.canonicalize()
        .ok()
        .and_then(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "project".to_string())
}

/// The operating system's reason, without the "(os error N)" suffix.
fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(end) => text[..end].to_lowercase(),
                None => text,
            }
        }
    }
}
