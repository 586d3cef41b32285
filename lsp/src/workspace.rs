//! The server's state: one salsa database, the project's inputs, and the open documents.
//!
//! Invariants: this is the only place that writes inputs. A document's text, while it is
//! open, comes from the client only; otherwise from disk. Every write bumps
//! [`Workspace::revision`], so a result computed on an older snapshot can be recognised
//! as stale and dropped. The project's file list stays sorted by path, as the compiler
//! requires. Paths are the compiler's: relative to the root with `/` separators, or
//! absolute for a file outside the root. The files of the project's dependencies are
//! read-only: they are read from disk as the project is loaded, an editor's edits to
//! them are not applied, and when a dependency (or `plat.toml`, or `plat.lock`) changes
//! on disk the whole project is read again, with the open documents' texts kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plat_compiler::project::read::{Refusal, Root};
use plat_compiler::source::{Database, Origin, Project, SourceFile, TerraformFile};
use salsa::Setter;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::convert::{Encoding, LineMap};

/// Maps URIs to the compiler's paths and back.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    pub root: Option<PathBuf>,
    /// Where the standard library's files are on disk, for editors to open
    /// ([`crate::stdlib_files`]); `None` when they could not be written.
    pub std_dir: Option<PathBuf>,
}

impl Paths {
    /// The compiler path of a project file's `file:` URI; `None` for a file of the
    /// standard library, which is never a project file.
    pub fn path_of(&self, uri: &Uri) -> Option<String> {
        if self.std_path_of(uri).is_some() {
            return None;
        }
        let path = uri.to_file_path()?;
        if let Some(root) = &self.root
            && let Ok(relative) = path.strip_prefix(root)
        {
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            return Some(parts.join("/"));
        }
        Some(path.to_string_lossy().into_owned())
    }

    /// The file system path of a compiler path.
    pub fn disk_path(&self, path: &str) -> PathBuf {
        let path = Path::new(path);
        match &self.root {
            Some(root) if path.is_relative() => root.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// The compiler path (`std/postgres.plat`) of a standard-library file's URI.
    pub fn std_path_of(&self, uri: &Uri) -> Option<String> {
        let path = uri.to_file_path()?;
        let name = path.strip_prefix(self.std_dir.as_ref()?).ok()?;
        Some(format!("std/{}", name.to_str()?))
    }

    /// The URI of a file: a project file where it is, a standard-library file where
    /// [`crate::stdlib_files`] wrote it (`None` if it could not), a dependency's file
    /// where it was read from (`../platform/...`, `.plat/packages/...`).
    pub fn uri_of(&self, db: &Database, file: SourceFile) -> Option<Uri> {
        if file.origin(db) == Origin::Std {
            let name = file.path(db).strip_prefix("std/")?;
            return Uri::from_file_path(self.std_dir.as_ref()?.join(name));
        }
        Uri::from_file_path(normalized(&self.disk_path(file.path(db))))
    }
}

/// `path` without `.` and `..` components (resolved against the parts before them),
/// without reading the disk.
fn normalized(path: &Path) -> PathBuf {
    let mut result = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !result.pop() {
                    result.push("..");
                }
            }
            other => result.push(other),
        }
    }
    result
}

/// An open document.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: SourceFile,
    pub version: i32,
}

pub struct Workspace {
    pub db: Database,
    pub project: Project,
    pub paths: Paths,
    pub encoding: Encoding,
    /// Open documents by URI.
    pub open: BTreeMap<Uri, Document>,
    /// Incremented on every write to an input.
    pub revision: u64,
    /// URIs that were last published with a non-empty list of diagnostics.
    pub published: Vec<Uri>,
}

impl Default for Workspace {
    fn default() -> Self {
        let db = Database::default();
        let project = plat_compiler::project::from_texts(&db, &[]);
        Workspace {
            db,
            project,
            paths: Paths::default(),
            encoding: Encoding::default(),
            open: BTreeMap::new(),
            revision: 0,
            published: Vec::new(),
        }
    }
}

impl Workspace {
    /// Loads every `.plat` file under `root` (a missing or unreadable root leaves the
    /// project empty: documents are still served as they are opened).
    pub fn load(&mut self, root: Option<PathBuf>) {
        self.paths.root = root.clone();
        self.paths.std_dir = crate::stdlib_files::materialize();
        if let Some(root) = root
            && let Ok(loaded) = plat_compiler::project::load(&self.db, &root)
        {
            self.project = loaded.project;
        }
        self.revision += 1;
    }

    /// The project file with this compiler path.
    pub fn file(&self, path: &str) -> Option<SourceFile> {
        self.project
            .files(&self.db)
            .iter()
            .copied()
            .find(|file| file.origin(&self.db) == Origin::Project && file.path(&self.db) == path)
    }

    /// The file of one of the project's dependencies behind a URI.
    pub fn package_file(&self, uri: &Uri) -> Option<SourceFile> {
        let wanted = normalized(&uri.to_file_path()?);
        self.project
            .files(&self.db)
            .iter()
            .copied()
            .filter(|file| matches!(file.origin(&self.db), Origin::Package(_)))
            .find(|file| normalized(&self.paths.disk_path(file.path(&self.db))) == wanted)
    }

    /// Whether the path (a compiler path) is that of a dependency's file or directory,
    /// or of what says which dependencies the project reads (`plat.toml`,
    /// `plat.lock`, the cache `.plat/`).
    fn is_about_dependencies(&self, path: &str) -> bool {
        use plat_compiler::package::{CACHE_DIRECTORY, lock::LOCK_FILE};
        path == plat_compiler::project::MANIFEST
            || path == LOCK_FILE
            || path.starts_with(&format!("{CACHE_DIRECTORY}/"))
            || self
                .project
                .packages(&self.db)
                .iter()
                .any(|package| path.starts_with(&format!("{}/", package.root)))
    }

    /// Reads the whole project again (its dependencies changed on disk), keeping the
    /// text of every open document of the project's own.
    fn reload_project(&mut self) {
        let open: Vec<(Uri, String, String, i32)> = self
            .open
            .iter()
            .filter(|(_, document)| document.file.origin(&self.db) == Origin::Project)
            .map(|(uri, document)| {
                (
                    uri.clone(),
                    document.file.path(&self.db).clone(),
                    document.file.text(&self.db).clone(),
                    document.version,
                )
            })
            .collect();
        let versions: BTreeMap<Uri, i32> = self
            .open
            .iter()
            .map(|(uri, document)| (uri.clone(), document.version))
            .collect();
        self.load(self.paths.root.clone());
        self.open.clear();
        for (uri, path, text, version) in open {
            let file = self.set_text(&path, text);
            self.open.insert(uri, Document { file, version });
        }
        for (uri, version) in versions {
            if !self.open.contains_key(&uri)
                && let Some(file) = self.package_file(&uri)
            {
                self.open.insert(uri, Document { file, version });
            }
        }
        self.revision += 1;
    }

    /// The file behind a URI, open or on disk and loaded, or of the standard library.
    pub fn file_of(&self, uri: &Uri) -> Option<SourceFile> {
        if let Some(document) = self.open.get(uri) {
            return Some(document.file);
        }
        if let Some(path) = self.paths.std_path_of(uri) {
            return self
                .project
                .files(&self.db)
                .iter()
                .copied()
                .find(|file| file.origin(&self.db) == Origin::Std && *file.path(&self.db) == path);
        }
        self.package_file(uri)
            .or_else(|| self.file(&self.paths.path_of(uri)?))
    }

    /// Sets the text of the file at `path`, adding it to the project if it is new.
    /// Writes nothing when the text is unchanged.
    pub fn set_text(&mut self, path: &str, text: String) -> SourceFile {
        if let Some(file) = self.file(path) {
            if *file.text(&self.db) != text {
                file.set_text(&mut self.db).to(text);
                self.revision += 1;
            }
            return file;
        }
        let file = SourceFile::new(&self.db, path.to_string(), text, Origin::Project);
        let mut files = self.project.files(&self.db).clone();
        files.push(file);
        let db = &self.db;
        files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
        self.project.set_files(&mut self.db).to(files);
        self.revision += 1;
        file
    }

    /// Removes the file at `path` from the project.
    pub fn remove(&mut self, path: &str) {
        let Some(file) = self.file(path) else {
            return;
        };
        let files: Vec<SourceFile> = self
            .project
            .files(&self.db)
            .iter()
            .copied()
            .filter(|other| *other != file)
            .collect();
        self.project.set_files(&mut self.db).to(files);
        self.revision += 1;
    }

    /// Re-reads a file that is not open from disk (created, changed or deleted).
    pub fn reload_from_disk(&mut self, uri: &Uri) {
        let Some(path) = self.paths.path_of(uri) else {
            return;
        };
        if self.package_file(uri).is_some() || self.is_about_dependencies(&path) {
            self.reload_project();
            return;
        }
        if self.open.contains_key(uri) {
            return;
        }
        if path.ends_with(".tf") {
            self.reload_terraform(&path);
            return;
        }
        if path == plat_compiler::terraform::lock::LOCK_FILE {
            self.reload_module_lock(&path);
            return;
        }
        if !path.ends_with(".plat") {
            return;
        }
        match self.read(&path) {
            Ok(text) => {
                self.set_text(&path, text);
            }
            Err(_) => self.remove(&path),
        }
    }

    /// Reads the project's lock of module interfaces again (created, changed or deleted
    /// on disk), so that registry and git modules are checked against what it records
    /// now. Nothing to do when the project was not read from a directory.
    fn reload_module_lock(&mut self, path: &str) {
        let Some(lock) = self.project.module_lock(&self.db) else {
            return;
        };
        let Some(root) = self.paths.root.as_deref() else {
            return;
        };
        let text = match Root::new(root) {
            Ok(root) => {
                plat_compiler::project::module_lock_text(&root, &self.paths.disk_path(path))
            }
            Err(refusal) => Some(Err(refusal.reason())),
        };
        if *lock.text(&self.db) != text {
            // The previous text is not needed.
            let _previous = lock.set_text(&mut self.db).to(text);
            self.revision += 1;
        }
    }

    /// The text of the file at the compiler path `path`, through the loader's rule:
    /// only a regular file inside the workspace's root, once every link is resolved.
    /// Without a root, nothing is read from disk.
    fn read(&self, path: &str) -> Result<String, Refusal> {
        let root = self.paths.root.as_deref().ok_or(Refusal::Outside)?;
        Root::new(root)?.read_text(&self.paths.disk_path(path))
    }

    /// Reads the Terraform file at `path` again (created, changed or deleted on disk), so
    /// that the local modules the project's implementations use are checked as they are
    /// now. Nothing to do when the project was not read from a directory. A file gone,
    /// or that now leaves the project, is no longer one of the project's, as when the
    /// project is loaded.
    fn reload_terraform(&mut self, path: &str) {
        let Some(mut files) = self.project.terraform_files(&self.db).clone() else {
            return;
        };
        let existing = files.iter().position(|file| file.path(&self.db) == path);
        let text = match self.read(path) {
            Err(refusal) if refusal.is_missing() || refusal == Refusal::Outside => {
                if let Some(at) = existing {
                    files.remove(at);
                    self.project
                        .set_terraform_files(&mut self.db)
                        .to(Some(files));
                    self.revision += 1;
                }
                return;
            }
            read => read.map_err(|refusal| refusal.reason()),
        };
        match existing {
            Some(at) => {
                let file = files[at];
                if *file.text(&self.db) != text {
                    // The previous text is not needed.
                    let _previous = file.set_text(&mut self.db).to(text);
                    self.revision += 1;
                }
            }
            None => {
                files.push(TerraformFile::new(&self.db, path.to_string(), text));
                let db = &self.db;
                files.sort_by(|a, b| a.path(db).cmp(b.path(db)));
                self.project
                    .set_terraform_files(&mut self.db)
                    .to(Some(files));
                self.revision += 1;
            }
        }
    }

    /// Applies a client's changes to the open document at `uri`, in order, and sets its
    /// version. Ranges clamp into the text as it is when each change applies, so no
    /// change can fail. `false` (and nothing changes) if the document is not open.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> bool {
        let Some(document) = self.open.get(uri).cloned() else {
            return false;
        };
        if document.file.origin(&self.db) != Origin::Project {
            // A dependency's file is read-only: it is the package as fetched.
            return false;
        }
        let mut text = document.file.text(&self.db).clone();
        for change in changes {
            match change.range {
                Some(range) => {
                    let range = LineMap::new(&text, self.encoding).text_range(range);
                    text.replace_range(range.as_range(), &change.text);
                }
                None => text = change.text,
            }
        }
        let path = document.file.path(&self.db).clone();
        self.set_text(&path, text);
        if let Some(open) = self.open.get_mut(uri) {
            open.version = version;
        }
        self.revision += 1;
        true
    }

    /// The version of an open document.
    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.open.get(uri).map(|document| document.version)
    }
}
