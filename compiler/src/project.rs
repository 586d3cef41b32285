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
//! not checked; [`load_enclosing`] reads the whole project a file belongs to instead.
//! The lock of module interfaces at the root ([`crate::terraform::lock::LOCK_FILE`])
//! is read the same way when a directory is read; a problem with it is reported
//! (E0707) by the checker.
//!
//! Every file is read through [`read`], the one rule for what plat reads: a regular
//! file inside the project's root once every link is resolved, bounded in size. A link
//! that leaves the root is refused with E0506 and never read.
//!
//! A project's dependencies ([`dependencies`]) are read as the lock names them, each
//! by the same rule inside its own root: the files of a dependency are the project's
//! too, with the origin of their package, under the bounds of the whole project.

pub mod dependencies;
pub mod read;

use std::path::{Component, Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};
use crate::kube;
use crate::package::hash::ContentHash;
use crate::package::manifest::{self, Manifest};
use crate::source::{Db, ModuleLockFile, Origin, Package, Project, SourceFile, TerraformFile};
use crate::stdlib;

/// Files larger than this are refused (E0503).
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// Directories deeper than this below the root are not read.
pub const MAX_DEPTH: usize = 64;
/// At most this many `.plat` files are read from one project.
pub const MAX_FILES: usize = 50_000;
/// The `.plat` files of one project add up to at most this many bytes; files past it
/// are not read.
pub const MAX_PROJECT_BYTES: u64 = 256 * 1024 * 1024;
/// At most this many `.tf` files are read from one project; the rest are left out.
pub const MAX_TERRAFORM_FILES: usize = 10_000;
/// The name of the optional project manifest.
pub const MANIFEST: &str = manifest::MANIFEST;

/// Directory names never read: build output and tool state.
const SKIPPED_DIRECTORIES: &[&str] = &["target", "out", "node_modules"];

/// A project read from disk.
pub struct LoadedProject {
    pub project: Project,
    /// The directory that paths in diagnostics are relative to.
    pub root: PathBuf,
    /// The project's name: `plat.toml`'s `project.name`, else the root directory's name
    /// made into a label value (`My Shop` → `My-Shop`), since it is the value of the
    /// `app.kubernetes.io/part-of` label of every object.
    pub name: String,
    /// The file that was asked for, when a file was given and its whole project read
    /// ([`load_enclosing`]).
    pub focus: Option<SourceFile>,
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
    let metadata = std::fs::metadata(path).map_err(|error| unreadable(path, &error))?;
    if metadata.is_dir() {
        return load_directory(db, path);
    }
    let root = read::Root::around(path).map_err(|refusal| unreadable_root(path, &refusal))?;
    let mut loader = Loader::new(db);
    let mut tree = Tree::project(root, parent_of(path));
    let display = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    // A file named on its own is read through the rule: it may be a link.
    loader.read_file(&mut tree, path, display, false);
    let name = path
        .file_stem()
        .map(|stem| kube::to_label_value(&stem.to_string_lossy()))
        .unwrap_or_default();
    Ok(LoadedProject {
        project: loader.finish(&name),
        root: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        name,
        focus: None,
    })
}

/// Reads the project at `path`; when `path` is a `.plat` file inside a project (a
/// directory above it holds `plat.toml`), reads that whole project instead, with the
/// file as its [`LoadedProject::focus`]. A file outside any project, or one the
/// project leaves out (`exclude`, a hidden or build directory), is read on its own.
pub fn load_enclosing(db: &dyn Db, path: &Path) -> Result<LoadedProject, Box<Diagnostic>> {
    let Some(directory) = enclosing_project(path) else {
        return load(db, path);
    };
    let mut loaded = load_directory(db, &directory)?;
    let wanted = relative_to(&directory, path);
    loaded.focus = wanted.and_then(|wanted| {
        loaded
            .project
            .files(db)
            .iter()
            .copied()
            .find(|file| file.origin(db) == Origin::Project && *file.path(db) == wanted)
    });
    match loaded.focus {
        Some(_) => Ok(loaded),
        None => load(db, path),
    }
}

fn load_directory(db: &dyn Db, path: &Path) -> Result<LoadedProject, Box<Diagnostic>> {
    let root = read::Root::new(path).map_err(|refusal| unreadable_root(path, &refusal))?;
    let mut loader = Loader::new(db);
    let mut tree = Tree::project(root, path.to_path_buf());
    let (manifest, manifest_file) = loader.read_manifest(&mut tree);
    // The name is the value of the `app.kubernetes.io/part-of` label of every object.
    let name = kube::to_label_value(
        &manifest
            .name
            .clone()
            .unwrap_or_else(|| directory_name(path)),
    );
    tree.excluded = manifest.exclude.clone();
    loader.terraform = Some(Vec::new());
    loader.module_lock = Some(loader.read_module_lock(&mut tree, ""));
    if let Some(manifest_file) = manifest_file {
        if let Some(diagnostic) = manifest::std_mismatch(&manifest, manifest_file) {
            loader.report(diagnostic);
        }
        tree.skipped = dependencies::load(&mut loader, path, &manifest, manifest_file, &name);
    }
    loader.walk(&mut tree, path, 0);
    if loader
        .files
        .iter()
        .all(|file| file.origin(db) != Origin::Project)
        && loader.diagnostics.is_empty()
    {
        loader.diagnostics.push(
            Diagnostic::about_path(
                Code::NoSourceFiles,
                "no `.plat` files in this directory",
                String::new(),
            )
            .with_help("create a file such as `main.plat`, or start from `examples/minimal`"),
        );
    }
    Ok(LoadedProject {
        project: loader.finish(&name),
        root: path.to_path_buf(),
        name,
        focus: None,
    })
}

fn unreadable_root(path: &Path, refusal: &read::Refusal) -> Box<Diagnostic> {
    Box::new(Diagnostic::about_path(
        Code::Io,
        format!("cannot read: {}", refusal.reason()),
        path.display().to_string(),
    ))
}

fn unreadable(path: &Path, error: &std::io::Error) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::about_path(
            Code::Io,
            format!("cannot read: {}", read::io_reason(error)),
            path.display().to_string(),
        )
        .with_help("pass a directory that holds `.plat` files, or one `.plat` file"),
    )
}

/// The nearest directory above the file `path` that holds a `plat.toml`, as a path
/// the user would type (`examples/shop`, or `..` when `path` is relative to the
/// current directory); `None` for a directory, or a file outside any project.
fn enclosing_project(path: &Path) -> Option<PathBuf> {
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let mut directory = parent_of(path);
    let mut canonical = std::fs::canonicalize(&directory).ok()?;
    loop {
        if std::fs::symlink_metadata(directory.join(MANIFEST)).is_ok() {
            return Some(directory);
        }
        let next = match directory.components().next_back() {
            Some(Component::Normal(_)) => parent_of(&directory),
            Some(Component::CurDir) => PathBuf::from(".."),
            _ => directory.join(".."),
        };
        let next_canonical = std::fs::canonicalize(&next).ok()?;
        if next_canonical == canonical {
            return None;
        }
        (directory, canonical) = (next, next_canonical);
    }
}

/// The directory that holds `path`: `.` rather than an empty path.
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The project path (relative, `/` separators) of the file `path` in `directory`.
fn relative_to(directory: &Path, path: &Path) -> Option<String> {
    let directory = std::fs::canonicalize(directory).ok()?;
    let file = std::fs::canonicalize(parent_of(path))
        .ok()?
        .join(path.file_name()?);
    file.starts_with(&directory)
        .then(|| relative_display(&directory, &file))
}

/// Builds a project from texts held in memory (tests, the language server's unsaved
/// buffers); `files` are `(path, text)` pairs. The standard library is added.
pub fn from_texts(db: &dyn Db, files: &[(String, String)]) -> Project {
    let mut loader = Loader::new(db);
    for (path, text) in files {
        loader.add(path.clone(), text.clone(), Origin::Project);
    }
    loader.finish("")
}

/// The text of the lock of module interfaces at `path`, read by the one rule inside
/// `root`: `None` when there is no such file, an error that says why it cannot be read.
pub fn module_lock_text(root: &read::Root, path: &Path) -> Option<Result<String, String>> {
    match root.read_text(path) {
        Err(refusal) if refusal.is_missing() => None,
        read => Some(read.map_err(|refusal| refusal.reason())),
    }
}

/// The standard library as source files.
pub fn stdlib_files(db: &dyn Db) -> Vec<SourceFile> {
    stdlib::FILES
        .iter()
        .map(|(path, text)| SourceFile::new(db, path.to_string(), text.to_string(), Origin::Std))
        .collect()
}

/// One directory being read: the project's own, or a dependency's.
pub(crate) struct Tree {
    /// What files may be read: inside this directory once links are resolved.
    root: read::Root,
    /// The directory on disk.
    directory: PathBuf,
    /// What paths as users see them begin with: empty for the project, the
    /// dependency's directory relative to the project's root (`../platform/`) otherwise.
    prefix: String,
    origin: Origin,
    /// Paths, relative to the directory, left out (`exclude` in its `plat.toml`).
    excluded: Vec<String>,
    /// Directories, every link resolved, that are not read as part of this tree: the
    /// dependencies that live inside it.
    skipped: Vec<PathBuf>,
    /// The hash of what is read from the tree ([`crate::package::hash`]), for a package
    /// whose content the lock records; `None` for the others, and for the project's own
    /// files, whose content nothing compares.
    hash: Option<ContentHash>,
}

impl Tree {
    fn project(root: read::Root, directory: PathBuf) -> Tree {
        Tree {
            root,
            directory,
            prefix: String::new(),
            origin: Origin::Project,
            excluded: Vec::new(),
            skipped: Vec::new(),
            hash: None,
        }
    }

    /// The tree of the dependency at `directory`, whose paths begin with `prefix`;
    /// `hashed`: whether what is read from it is hashed.
    pub(crate) fn package(
        root: read::Root,
        directory: PathBuf,
        prefix: String,
        origin: Origin,
        hashed: bool,
    ) -> Tree {
        Tree {
            root,
            directory,
            prefix,
            origin,
            excluded: Vec::new(),
            skipped: Vec::new(),
            hash: hashed.then(ContentHash::default),
        }
    }

    /// The path of `path` inside the tree, as users see it.
    fn display(&self, path: &Path) -> String {
        format!("{}{}", self.prefix, relative_display(&self.directory, path))
    }

    /// The hash of everything read from the tree so far, if it is hashed.
    pub(crate) fn hash(&self) -> Option<String> {
        self.hash.clone().map(ContentHash::finish)
    }

    /// Adds the file at `path`, whose text is `text`, to the tree's hash.
    fn add_to_hash(&mut self, path: &Path, text: &str) {
        if let Some(hash) = &mut self.hash {
            hash.add(&relative_display(&self.directory, path), text.as_bytes());
        }
    }

    /// The text of `file`, which the walk found at `path`, added to the tree's hash.
    fn read_walked(
        &mut self,
        path: &Path,
        file: read::WalkedFile,
    ) -> Result<String, read::Refusal> {
        let text = read::text(file.read()?)?;
        self.add_to_hash(path, &text);
        Ok(text)
    }

    /// The text at `path`, through the rule of [`read`], added to the tree's hash.
    fn read(&mut self, path: &Path) -> Result<String, read::Refusal> {
        let text = self.root.read_text(path)?;
        self.add_to_hash(path, &text);
        Ok(text)
    }
}

pub(crate) struct Loader<'db> {
    db: &'db dyn Db,
    files: Vec<SourceFile>,
    diagnostics: Vec<Diagnostic>,
    /// Whether a bound of the whole project (files, bytes) was hit: nothing more is
    /// read.
    full: bool,
    /// The bytes of `.plat` files read so far.
    bytes: u64,
    /// The Terraform files read; `None` unless a directory is read.
    terraform: Option<Vec<TerraformFile>>,
    /// The lock of module interfaces; `None` unless a directory is read.
    module_lock: Option<ModuleLockFile>,
    /// The dependencies read, in the order of their origins.
    packages: Vec<Package>,
    /// The names of the project's own dependencies.
    dependencies: Vec<String>,
    /// The dependency whose environments the project's workloads run in.
    platform: Option<u32>,
}

impl<'db> Loader<'db> {
    fn new(db: &'db dyn Db) -> Self {
        Loader {
            db,
            files: Vec::new(),
            diagnostics: Vec::new(),
            full: false,
            bytes: 0,
            terraform: None,
            module_lock: None,
            packages: Vec::new(),
            dependencies: Vec::new(),
            platform: None,
        }
    }

    fn finish(mut self, name: &str) -> Project {
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
            .packages(self.packages)
            .dependencies(self.dependencies)
            .platform(self.platform)
            .name(name.to_string())
            .new(self.db)
    }

    fn add(&mut self, path: String, text: String, origin: Origin) -> SourceFile {
        let file = SourceFile::new(self.db, path, text, origin);
        self.files.push(file);
        file
    }

    pub(crate) fn db(&self) -> &'db dyn Db {
        self.db
    }

    /// Keeps a problem met while reading.
    pub(crate) fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Adds a dependency read from disk; its origin is returned.
    pub(crate) fn add_package(&mut self, package: Package) -> Origin {
        let origin = Origin::Package(self.packages.len() as u32);
        self.packages.push(package);
        origin
    }

    /// Records the project's own dependencies and its platform.
    pub(crate) fn set_dependencies(&mut self, names: Vec<String>, platform: Option<u32>) {
        self.dependencies = names;
        self.platform = platform;
    }

    /// Reads the `plat.toml` of `tree` if it has one, with the file that diagnostics
    /// about it point into; a broken manifest is reported and otherwise read as empty,
    /// so the `.plat` files are still checked.
    pub(crate) fn read_manifest(&mut self, tree: &mut Tree) -> (Manifest, Option<SourceFile>) {
        let path = tree.directory.join(MANIFEST);
        let display = tree.display(&path);
        let text = match tree.read(&path) {
            Ok(text) => text,
            Err(refusal) if refusal.is_missing() => return (Manifest::default(), None),
            Err(refusal) => {
                self.refuse(display, refusal);
                return (Manifest::default(), None);
            }
        };
        // The manifest is not a `.plat` file: it is an input only so that diagnostics
        // can point into it.
        let file = SourceFile::new(self.db, display, text, tree.origin);
        let (manifest, diagnostics) = manifest::parse(file, file.text(self.db));
        self.diagnostics.extend(diagnostics);
        (manifest, Some(file))
    }

    /// Reads every `.plat` and `.tf` file of `tree` under `directory`.
    pub(crate) fn walk(&mut self, tree: &mut Tree, directory: &Path, depth: usize) {
        if depth > MAX_DEPTH || self.full {
            return;
        }
        let entries = match std::fs::read_dir(directory) {
            Ok(entries) => entries,
            Err(error) => {
                self.report_io(tree.display(directory), &error);
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
            if is_excluded(&tree.excluded, &relative_display(&tree.directory, &path)) {
                continue;
            }
            let display = tree.display(&path);
            // `file_type` does not follow symbolic links: a link to a directory is
            // skipped, a link to a file is read.
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name().to_string_lossy().into_owned();
            if file_type.is_dir() {
                if !name.starts_with('.')
                    && !SKIPPED_DIRECTORIES.contains(&name.as_str())
                    && !is_skipped(tree, &path)
                {
                    self.walk(tree, &path, depth + 1);
                }
            } else if name.ends_with(".plat") && !name.starts_with('.') {
                if self.files.len() >= MAX_FILES {
                    self.report_full(format!("more than {MAX_FILES} `.plat` files"));
                    return;
                }
                self.read_file(tree, &path, display, file_type.is_file());
            } else if name.ends_with(".tf") && !name.starts_with('.') {
                self.read_terraform(tree, &path, display);
            }
        }
    }

    /// The lock of module interfaces at the root of `tree`, as an input: without text
    /// when there is none. `prefix` begins its path as users see it.
    pub(crate) fn read_module_lock(&self, tree: &mut Tree, prefix: &str) -> ModuleLockFile {
        let name = crate::terraform::lock::LOCK_FILE;
        let text = match tree.read(&tree.directory.join(name)) {
            Err(refusal) if refusal.is_missing() => None,
            read => Some(read.map_err(|refusal| refusal.reason())),
        };
        ModuleLockFile::new(self.db, format!("{prefix}{name}"), text)
    }

    /// Reads one `.tf` file; a problem is kept with the file, for E0705 where it is
    /// used, except a file that leaves the project, which is refused at once (E0506)
    /// and left out.
    fn read_terraform(&mut self, tree: &mut Tree, path: &Path, display: String) {
        if self
            .terraform
            .as_ref()
            .is_none_or(|terraform| terraform.len() >= MAX_TERRAFORM_FILES)
        {
            return;
        }
        let text = match tree.read(path) {
            Err(read::Refusal::Outside) => {
                self.refuse(display, read::Refusal::Outside);
                return;
            }
            read => read.map_err(|refusal| refusal.reason()),
        };
        let file = TerraformFile::new(self.db, display, text);
        if let Some(terraform) = &mut self.terraform {
            terraform.push(file);
        }
    }

    /// Reads one `.plat` file; `regular`: the walk found it as a regular file, not a
    /// link.
    fn read_file(&mut self, tree: &mut Tree, path: &Path, display: String, regular: bool) {
        if regular && let Some(opened) = read::WalkedFile::open(path) {
            let read = opened.and_then(|file| {
                if self.admit(file.len()) {
                    tree.read_walked(path, file).map(Some)
                } else {
                    Ok(None)
                }
            });
            match read {
                Ok(Some(text)) => {
                    self.add(display, text, tree.origin);
                }
                Ok(None) => {}
                Err(refusal) => self.refuse(display, refusal),
            }
            return;
        }
        // The size first, so that the bound of the whole project is kept without
        // reading a file that would pass it.
        if let Ok(metadata) = std::fs::metadata(path)
            && metadata.is_file()
            && metadata.len() <= MAX_FILE_BYTES
            && !self.admit(metadata.len())
        {
            return;
        }
        match tree.read(path) {
            Ok(text) => {
                self.add(display, text, tree.origin);
            }
            Err(refusal) => self.refuse(display, refusal),
        }
    }

    /// Whether a `.plat` file of `len` bytes keeps the project within its bound; when it
    /// does not, the bound is reported and nothing more is read.
    fn admit(&mut self, len: u64) -> bool {
        if self.bytes + len > MAX_PROJECT_BYTES {
            self.report_full(format!(
                "the `.plat` files add up to more than {} MiB",
                MAX_PROJECT_BYTES / (1024 * 1024)
            ));
            return false;
        }
        self.bytes += len;
        true
    }

    /// Reports why the file shown as `display` is not read.
    fn refuse(&mut self, display: String, refusal: read::Refusal) {
        let diagnostic = match refusal {
            read::Refusal::Outside => Diagnostic::about_path(
                Code::OutsideProject,
                "not read: this file leaves the project",
                display,
            )
            .with_help(
                "plat reads only files inside the project directory, once every symbolic link \
                 is resolved: copy the file into the project, or list the link under `exclude` \
                 in `plat.toml`",
            ),
            read::Refusal::TooLarge(size) => Diagnostic::about_path(
                Code::FileTooLarge,
                format!(
                    "file too large: {size} bytes; files larger than {} MiB are not read",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
                display,
            )
            .with_help("split the file, or exclude it in `plat.toml`"),
            read::Refusal::NotUtf8 { byte, line, column } => Diagnostic::about_path(
                Code::NotUtf8,
                format!("not UTF-8: byte 0x{byte:02x} at line {line}, byte {column} is not valid"),
                display,
            )
            .with_help("save the file as UTF-8; `.plat` files are text"),
            read::Refusal::NotRegular | read::Refusal::Io(_) => Diagnostic::about_path(
                Code::Io,
                format!("cannot read: {}", refusal.reason()),
                display,
            ),
        };
        self.diagnostics.push(diagnostic);
    }

    fn report_io(&mut self, display: String, error: &std::io::Error) {
        self.refuse(display, read::Refusal::Io(read::io_reason(error)));
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

/// Whether the path `display` (relative to its tree) is left out by `excluded`.
fn is_excluded(excluded: &[String], display: &str) -> bool {
    excluded.iter().any(|excluded| {
        let excluded = excluded.trim_end_matches('/');
        display == excluded || display.starts_with(&format!("{excluded}/"))
    })
}

/// Whether `directory` is one `tree` does not read: a dependency inside it.
fn is_skipped(tree: &Tree, directory: &Path) -> bool {
    !tree.skipped.is_empty()
        && std::fs::canonicalize(directory).is_ok_and(|resolved| tree.skipped.contains(&resolved))
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

/// The name of the project at `path` when its manifest does not give one: the name of
/// its directory.
pub fn directory_name(path: &Path) -> String {
    path.canonicalize()
        .ok()
        .and_then(|path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "project".to_string())
}
