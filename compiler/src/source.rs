//! The inputs of the compiler: the files of a project and their text.
//!
//! Invariants: these are the only salsa inputs. Everything else is derived from them by
//! tracked queries, so setting a file's text is all an editor or the command line does
//! to make the compiler see a change. A project's files are kept sorted by path, so that
//! every walk over them, and every output, is deterministic. A project's Terraform files
//! ([`TerraformFile`]) and its lock of module interfaces ([`ModuleLockFile`]) are
//! inputs too, read for the same reason: so that the checker never touches the disk.

pub use crate::file::{Origin, SourceFile};

/// A project: the files plat reads together.
#[salsa::input(debug)]
pub struct Project {
    /// The project's files, sorted by path (the standard library's included).
    #[returns(ref)]
    pub files: Vec<SourceFile>,
    /// Problems met while loading the project from disk (unreadable files, files that
    /// are not UTF-8, an empty directory). They are part of the project's diagnostics.
    #[returns(ref)]
    pub load_diagnostics: Vec<crate::diagnostic::Diagnostic>,
    /// The project's Terraform files (`*.tf`), sorted by path, so that modules kept in
    /// the project can be checked. `None` when the project was not read from a
    /// directory (texts held in memory): local modules are then not checked at all.
    #[default]
    #[returns(ref)]
    pub terraform_files: Option<Vec<TerraformFile>>,
    /// The project's lock of module interfaces (`plat.modules.lock.json` at its root),
    /// so that registry and git modules can be checked. `None` when the project was not
    /// read from a directory: its own registry and git modules are then not checked
    /// (the standard library's always are, against the lock it embeds).
    #[default]
    #[returns(copy)]
    pub module_lock: Option<ModuleLockFile>,
    /// The packages the project depends on, directly or through others, as its lock
    /// names them: the files of the package at position `i` have the origin
    /// `Origin::Package(i)`. Sorted by name.
    #[default]
    #[returns(ref)]
    pub packages: Vec<Package>,
    /// The names of the project's own dependencies, which its files may import from.
    #[default]
    #[returns(ref)]
    pub dependencies: Vec<String>,
    /// The project's name: `plat.toml`'s `project.name`, else its directory's (empty
    /// for texts held in memory). Another application names a workload of this one by
    /// it (`callers = ["storefront.web"]`).
    #[default]
    #[returns(ref)]
    pub name: String,
    /// The position among [`Project::packages`] of the project's platform: the
    /// dependency whose environments the project's workloads run in.
    #[default]
    #[returns(copy)]
    pub platform: Option<u32>,
}

/// A package the project depends on, read from disk.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Package {
    /// Its name, as its manifest declares it and imports name it.
    pub name: String,
    /// The version its manifest declares.
    pub version: Option<String>,
    /// Its directory as users see it: relative to the project's root
    /// (`../platform`, `.plat/packages/platform-0123456789ab`).
    pub root: String,
    /// The names of the packages it depends on, which its files may import from.
    pub dependencies: Vec<String>,
    /// Its own platform, by name, when it has one.
    pub platform: Option<String>,
    /// Its lock of module interfaces.
    pub module_lock: Option<ModuleLockFile>,
}

/// A project's lock of module interfaces, read so that the checker never touches the
/// disk.
#[salsa::input(debug)]
pub struct ModuleLockFile {
    /// Relative to the project root, like a [`SourceFile`]'s path.
    #[returns(ref)]
    pub path: String,
    /// The lock's text: `None` when the project has none; an error says why it cannot
    /// be read (too large, not UTF-8).
    #[returns(ref)]
    pub text: Option<Result<String, String>>,
}

/// One Terraform file (`*.tf`) of a project, read so that local modules can be checked.
#[salsa::input(debug)]
pub struct TerraformFile {
    /// Relative to the project root with `/` separators, like a [`SourceFile`]'s path.
    #[returns(ref)]
    pub path: String,
    /// The file's text, or why it could not be read (too large, not UTF-8).
    #[returns(ref)]
    pub text: Result<String, String>,
}

/// The database trait every query of the compiler takes.
#[salsa::db]
pub trait Db: salsa::Database {}

/// The concrete database used by the command line and the language server.
///
/// It is `Send` but not `Sync`: a thread that works in parallel takes its own `clone()`.
#[salsa::db]
#[derive(Default, Clone)]
pub struct Database {
    storage: salsa::Storage<Self>,
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {}

impl Project {
    /// The package that files of `origin` belong to, if they belong to one.
    pub fn package(self, db: &dyn Db, origin: Origin) -> Option<&Package> {
        match origin {
            Origin::Package(at) => self.packages(db).get(at as usize),
            Origin::Project | Origin::Std => None,
        }
    }

    /// The origin of the files of the package `name`.
    pub fn package_origin(self, db: &dyn Db, name: &str) -> Option<Origin> {
        self.packages(db)
            .iter()
            .position(|package| package.name == name)
            .map(|at| Origin::Package(at as u32))
    }

    /// The name of the application (or platform) the files of `origin` belong to: the
    /// project's, or a package's.
    pub fn application(self, db: &dyn Db, origin: Origin) -> String {
        match self.package(db, origin) {
            Some(package) => package.name.clone(),
            None => self.name(db).clone(),
        }
    }

    /// The names of the packages that files of `origin` may import from.
    pub fn dependencies_of(self, db: &dyn Db, origin: Origin) -> &[String] {
        match origin {
            Origin::Project => self.dependencies(db),
            Origin::Package(_) => self
                .package(db, origin)
                .map(|package| package.dependencies.as_slice())
                .unwrap_or_default(),
            Origin::Std => &[],
        }
    }

    /// The lock of module interfaces that files of `origin` read, besides the standard
    /// library's.
    pub fn module_lock_of(self, db: &dyn Db, origin: Origin) -> Option<ModuleLockFile> {
        match origin {
            Origin::Project => self.module_lock(db),
            Origin::Package(_) => self.package(db, origin)?.module_lock,
            Origin::Std => None,
        }
    }

    /// How many of the project's files are the user's own (the standard library aside).
    pub fn source_count(self, db: &dyn Db) -> usize {
        self.files(db)
            .iter()
            .filter(|file| file.origin(db) == Origin::Project)
            .count()
    }
}
