//! `plat fetch`, `plat update` and `plat add`: a project's dependencies, fetched into
//! its cache and recorded in its lock.
//!
//! Invariants: the graph is resolved by the compiler's own resolution
//! (`project::dependencies`), through a locator that runs git where the lock or the
//! cache cannot answer; everything fetched is written into a staging directory under
//! `.plat/`, and only when the whole graph resolves without an error is it moved into
//! the cache, the lock written (atomically, and only when it changes) and, for
//! `plat add`, the manifest. On any error the staging directory is removed (and `.plat/`
//! with it when it did not exist before): nothing on disk has changed. A fetched
//! package in the cache whose content no longer has the hash the lock records is
//! fetched again, never trusted.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use plat_compiler::diagnostic::{Code, Diagnostic};
use plat_compiler::package::lock::{LOCK_FILE, Lock, LockedPackage};
use plat_compiler::package::manifest::{self, GitReference, MANIFEST, Manifest, Source};
use plat_compiler::package::{CACHE_DIRECTORY, cache_directory, is_url};
use plat_compiler::project::dependencies::{self, Graph, Located, Locator, Problem};
use plat_compiler::project::read::{Root, io_reason};
use plat_compiler::source::{Database, Origin, SourceFile};

use crate::Status;
use crate::cli::Format;
use crate::files::write_atomically;
use crate::git;
use crate::report::Report;

/// Which git dependencies are resolved anew rather than taken from the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// None: the lock's revisions are kept (`plat fetch`).
    Nothing,
    /// These, by name (`plat update NAME...`).
    Only(BTreeSet<String>),
    /// Every one (`plat update`).
    Everything,
}

impl Refresh {
    fn includes(&self, name: &str) -> bool {
        match self {
            Refresh::Nothing => false,
            Refresh::Only(names) => names.contains(name),
            Refresh::Everything => true,
        }
    }
}

/// A dependency to add, as `plat add` is told it.
pub struct NewDependency<'a> {
    pub name: &'a str,
    pub path: Option<&'a str>,
    pub git: Option<&'a str>,
    pub tag: Option<&'a str>,
    pub branch: Option<&'a str>,
    pub rev: Option<&'a str>,
    pub version: Option<&'a str>,
}

/// `plat fetch` and `plat update`.
pub fn fetch(project: &Path, refresh: Refresh, format: Format, color: bool) -> Status {
    let text = match read_manifest(project) {
        Ok(text) => text,
        Err(message) => return usage(&message),
    };
    if let Refresh::Only(names) = &refresh {
        let declared = manifest::declared_names(&text);
        if let Some(unknown) = names.iter().find(|name| !declared.contains(*name)) {
            return usage(&format!(
                "`{unknown}` is not a dependency of `{}`: it is not in its `{MANIFEST}`",
                project.display()
            ));
        }
    }
    let db = Database::default();
    match resolve(&db, project, &text, &refresh, Output { format, color }) {
        Ok(outcome) => {
            outcome.write_lock(project);
            Status::Clean
        }
        Err(status) => status,
    }
}

/// `plat add`.
pub fn add(project: &Path, dependency: &NewDependency<'_>, format: Format, color: bool) -> Status {
    let text = match read_manifest(project) {
        Ok(text) => text,
        Err(message) => return usage(&message),
    };
    if !manifest::is_package_name(dependency.name) {
        return usage(&format!(
            "`{}` is not a package's name: {}",
            dependency.name,
            manifest::PACKAGE_NAME_RULE
        ));
    }
    if manifest::declared_names(&text).contains(dependency.name) {
        return usage(&format!(
            "`{}` is a dependency already: change its entry in `{MANIFEST}`, then run `plat fetch`",
            dependency.name
        ));
    }
    let entry = entry_text(dependency, None);
    let edited = format!("{}{entry}", with_final_newline(&text));
    let db = Database::default();
    let outcome = match resolve(
        &db,
        project,
        &edited,
        &Refresh::Nothing,
        Output { format, color },
    ) {
        Ok(outcome) => outcome,
        Err(status) => return status,
    };
    // Without `--version`, the version fetched, as a caret requirement.
    let edited = match (dependency.version, outcome.version_of(dependency.name)) {
        (None, Some(version)) => format!(
            "{}{}",
            with_final_newline(&text),
            entry_text(dependency, Some(&format!("^{version}")))
        ),
        _ => edited,
    };
    if let Err(error) = write_atomically(&project.join(MANIFEST), &edited) {
        eprintln!("error: cannot write `{MANIFEST}`: {}", io_reason(&error));
        outcome.abandon();
        return Status::Usage;
    }
    eprintln!("added `{}` to `{MANIFEST}`", dependency.name);
    outcome.write_lock(project);
    Status::Clean
}

/// A graph resolved without an error, its fetched packages still staged.
struct Outcome {
    graph: Graph,
    lock: Lock,
    before: Option<String>,
    staging: Staging,
}

impl Outcome {
    /// The version of the package `name` in the graph.
    fn version_of(&self, name: &str) -> Option<String> {
        self.graph
            .nodes
            .iter()
            .find(|node| node.name == name)?
            .manifest
            .version
            .as_ref()
            .map(ToString::to_string)
    }

    fn abandon(self) {
        self.staging.abandon();
    }

    /// Moves what was fetched into the cache and writes the lock when it changed.
    fn write_lock(self, project: &Path) {
        for node in &self.graph.nodes {
            eprintln!("{}", describe(node));
        }
        let keep: BTreeSet<String> = self
            .lock
            .packages
            .iter()
            .filter_map(|package| {
                Some(cache_directory(&package.name, package.revision.as_deref()?))
            })
            .collect();
        if let Err(message) = self.staging.commit(&keep) {
            eprintln!("error: {message}");
            return;
        }
        let text = self.lock.to_text();
        let count = plural(self.lock.packages.len());
        if self.before.as_deref() == Some(text.as_str()) {
            eprintln!("`{LOCK_FILE}` is up to date ({count})");
            return;
        }
        match write_atomically(&project.join(LOCK_FILE), &text) {
            Ok(()) => eprintln!("wrote `{LOCK_FILE}` ({count})"),
            Err(error) => eprintln!("error: cannot write `{LOCK_FILE}`: {}", io_reason(&error)),
        }
    }
}

fn plural(count: usize) -> String {
    match count {
        1 => "1 package".to_string(),
        n => format!("{n} packages"),
    }
}

/// `platform 1.2.0: `../platform` at tag `v1.2.0`, 0123456789ab`.
fn describe(node: &dependencies::Node) -> String {
    let version = node
        .manifest
        .version
        .as_ref()
        .map(|version| format!(" {version}"))
        .unwrap_or_default();
    let revision = node
        .located
        .revision
        .as_deref()
        .map(|revision| format!(" ({})", &revision[..revision.len().min(12)]))
        .unwrap_or_default();
    format!(
        "  {}{version}: {}{revision}",
        node.name,
        node.source.describe()
    )
}

/// How diagnostics are printed.
#[derive(Clone, Copy)]
struct Output {
    format: Format,
    color: bool,
}

/// Resolves the graph of the project at `project` whose manifest is `text`, fetching
/// what is missing into the staging directory; the diagnostics are printed and
/// nothing is kept when it fails.
fn resolve(
    db: &Database,
    project: &Path,
    text: &str,
    refresh: &Refresh,
    output: Output,
) -> Result<Outcome, Status> {
    let report = Report::new(db, project, output.color);
    let fail = |diagnostics: &[Diagnostic]| {
        report.print(output.format, diagnostics, None);
        Status::Errors
    };
    let file = SourceFile::new(db, MANIFEST.to_string(), text.to_string(), Origin::Project);
    let (manifest, problems) = manifest::parse(file, file.text(db));
    if problems.iter().any(Diagnostic::is_error) {
        return Err(fail(&problems));
    }
    let lock = match dependencies::read_lock(db, project) {
        Ok(lock) => lock,
        Err(diagnostic) => return Err(fail(std::slice::from_ref(&diagnostic))),
    };
    let before = lock.as_ref().map(Lock::to_text);
    let name = manifest
        .name
        .clone()
        .unwrap_or_else(|| plat_compiler::project::directory_name(project));
    let mut locator = GitLocator {
        db,
        project,
        lock: lock.as_ref(),
        refresh,
        staging: Staging::new(project),
        hashes: BTreeMap::new(),
    };
    let graph = dependencies::resolve(db, &manifest, file, &name, &mut locator);
    let GitLocator {
        staging, hashes, ..
    } = locator;
    if graph.has_errors() {
        staging.abandon();
        return Err(fail(&graph.diagnostics));
    }
    let lock = graph.lock(&hashes);
    Ok(Outcome {
        graph,
        lock,
        before,
        staging,
    })
}

/// The manifest at the root of `project`, or why there is none to work on.
fn read_manifest(project: &Path) -> Result<String, String> {
    if !project.is_dir() {
        return Err(format!(
            "`{}` is not a directory: pass the project's root, where `{MANIFEST}` is",
            project.display()
        ));
    }
    let root = Root::new(project)
        .map_err(|refusal| format!("cannot read `{}`: {}", project.display(), refusal.reason()))?;
    match root.read_text(&project.join(MANIFEST)) {
        Ok(text) => Ok(text),
        Err(refusal) if refusal.is_missing() => Err(format!(
            "`{}` has no `{MANIFEST}`: dependencies are listed in it (`plat init` writes one)",
            project.display()
        )),
        Err(refusal) => Err(format!(
            "cannot read `{}`: {}",
            project.join(MANIFEST).display(),
            refusal.reason()
        )),
    }
}

/// `[dependencies.NAME]` with its settings, as `plat add` appends it.
fn entry_text(dependency: &NewDependency<'_>, version: Option<&str>) -> String {
    let mut entry = format!("\n[dependencies.{}]\n", dependency.name);
    let settings = [
        ("path", dependency.path),
        ("git", dependency.git),
        ("tag", dependency.tag),
        ("branch", dependency.branch),
        ("rev", dependency.rev),
        ("version", dependency.version.or(version)),
    ];
    for (key, value) in settings {
        if let Some(value) = value {
            entry.push_str(&format!("{key} = {}\n", manifest::quote(value)));
        }
    }
    entry
}

fn with_final_newline(text: &str) -> String {
    if text.is_empty() || text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

fn usage(message: &str) -> Status {
    eprintln!("error: {message}");
    Status::Usage
}

/// Locates packages for `plat fetch`: a directory where it is; a git package in the
/// cache when the lock names it and its content still has the lock's hash, fetched
/// into the staging directory otherwise.
struct GitLocator<'a> {
    db: &'a Database,
    project: &'a Path,
    lock: Option<&'a Lock>,
    refresh: &'a Refresh,
    staging: Staging,
    /// The hash of each git package located.
    hashes: BTreeMap<String, String>,
}

impl Locator for GitLocator<'_> {
    fn locate(&mut self, name: &str, source: &Source) -> Result<Located, Problem> {
        match source {
            Source::Path(path) => self.directory(name, path),
            Source::Git { url, reference } => self.git(name, source, url, reference),
        }
    }
}

impl GitLocator<'_> {
    fn directory(&self, name: &str, path: &str) -> Result<Located, Problem> {
        let directory = self.project.join(path);
        if !directory.is_dir() {
            return Err(Problem {
                code: Code::MissingDependency,
                message: format!(
                    "the dependency `{name}` is missing: there is no directory `{path}`"
                ),
                label: format!("`{path}` does not exist"),
                help:
                    "check `path`: it is relative to the directory of the `plat.toml` that names it"
                        .to_string(),
            });
        }
        Ok(Located {
            directory,
            display: path.to_string(),
            revision: None,
        })
    }

    fn git(
        &mut self,
        name: &str,
        source: &Source,
        url: &str,
        reference: &GitReference,
    ) -> Result<Located, Problem> {
        let locked = self
            .lock
            .and_then(|lock| lock.package(name))
            .filter(|locked| locked.source().as_ref() == Some(source))
            .filter(|_| !self.refresh.includes(name));
        if let Some(located) = locked.and_then(|locked| self.cached(locked)) {
            return Ok(located);
        }
        let mirror = self
            .staging
            .mirror(name)
            .map_err(|message| unreachable(name, url, message))?;
        git::clone_bare(&self.repository(url), &mirror)
            .map_err(|error| unreachable(name, url, error.0))?;
        let wanted = match locked.and_then(|locked| locked.revision.clone()) {
            Some(revision) => GitReference::Rev(revision),
            None => reference.clone(),
        };
        let revision = match git::resolve(&mirror, &wanted) {
            Ok(Some(revision)) => revision,
            Ok(None) => return Err(unknown_revision(name, url, &wanted, &git::tags(&mirror))),
            Err(error) => return Err(unreachable(name, url, error.0)),
        };
        let display = cache_directory(name, &revision);
        let destination = self
            .staging
            .package(&display)
            .map_err(|message| unreachable(name, url, message))?;
        git::export(&mirror, &revision, &destination)
            .map_err(|error| unreachable(name, url, error.0))?;
        let hash = self.hash(name, &destination)?;
        if let Some(recorded) = locked.and_then(|locked| locked.hash.as_ref())
            && *recorded != hash
            && locked.and_then(|locked| locked.revision.as_ref()) == Some(&revision)
        {
            return Err(Problem {
                code: Code::DependencyHashMismatch,
                message: format!(
                    "the dependency `{name}` at {} does not have the content `{LOCK_FILE}` records",
                    &revision[..12]
                ),
                label: "its hash differs from the lock's".to_string(),
                help: format!(
                    "the lock was changed by hand, or by another version of plat: run `plat update {name}` to record what the repository holds"
                ),
            });
        }
        self.hashes.insert(name.to_string(), hash);
        Ok(Located {
            directory: destination,
            display,
            revision: Some(revision),
        })
    }

    /// The package the lock names, from the cache, when its content still has the
    /// lock's hash.
    fn cached(&mut self, locked: &LockedPackage) -> Option<Located> {
        let revision = locked.revision.clone()?;
        let display = cache_directory(&locked.name, &revision);
        let directory = self.project.join(&display);
        if !directory.is_dir() {
            return None;
        }
        let hash = self.hash(&locked.name, &directory).ok()?;
        if locked.hash.as_ref() != Some(&hash) {
            eprintln!(
                "`{display}` changed since it was fetched: fetching `{}` again",
                locked.name
            );
            return None;
        }
        self.hashes.insert(locked.name.clone(), hash);
        Some(Located {
            directory,
            display,
            revision: Some(revision),
        })
    }

    /// The hash of the package `name` in `directory`.
    fn hash(&self, name: &str, directory: &Path) -> Result<String, Problem> {
        let manifest = read_package_manifest(self.db, directory);
        dependencies::package_hash(self.db, directory, &manifest).map_err(|diagnostics| Problem {
            code: Code::InvalidDependency,
            message: format!(
                "invalid dependency `{name}`: {}",
                diagnostics
                    .first()
                    .map(|diagnostic| diagnostic.message.clone())
                    .unwrap_or_default()
            ),
            label: "cannot be read".to_string(),
            help: "a package is read by the rules of a project: its files inside its directory, UTF-8, at most 32 MiB each".to_string(),
        })
    }

    /// The repository `url` as git is given it: a local path relative to the project.
    fn repository(&self, url: &str) -> OsString {
        if is_url(url) || Path::new(url).is_absolute() {
            OsString::from(url)
        } else {
            self.project.join(url).into_os_string()
        }
    }
}

/// The manifest of the package in `directory` (empty when it cannot be read: the
/// resolution reports that).
fn read_package_manifest(db: &Database, directory: &Path) -> Manifest {
    let text = Root::new(directory).and_then(|root| root.read_text(&directory.join(MANIFEST)));
    match text {
        Ok(text) => {
            let file = SourceFile::new(db, MANIFEST.to_string(), text, Origin::Package(0));
            manifest::parse(file, file.text(db)).0
        }
        Err(_) => Manifest::default(),
    }
}

fn unreachable(name: &str, url: &str, why: String) -> Problem {
    Problem {
        code: Code::UnreachableDependency,
        message: format!("cannot fetch the dependency `{name}` from `{url}`: {why}"),
        label: "cannot be fetched".to_string(),
        help: "check the repository's URL or path and that git can reach it (`git ls-remote URL`); a local path is relative to the project's root".to_string(),
    }
}

fn unknown_revision(name: &str, url: &str, wanted: &GitReference, tags: &[String]) -> Problem {
    let help = match tags {
        [] => "the repository has no tags: name a branch (`branch = \"main\"`) or a commit (`rev = \"...\"`)".to_string(),
        tags => {
            let newest: Vec<String> = tags
                .iter()
                .rev()
                .take(5)
                .map(|tag| format!("`{tag}`"))
                .collect();
            format!("the newest tags of `{url}` are {}", newest.join(", "))
        }
    };
    Problem {
        code: Code::UnknownRevision,
        message: format!(
            "`{url}` has no {} for the dependency `{name}`",
            wanted.describe()
        ),
        label: "no such revision".to_string(),
        help,
    }
}

/// A directory under `.plat/` where packages are fetched before they are kept.
struct Staging {
    project: PathBuf,
    /// `.plat/`; whether it existed before.
    cache: PathBuf,
    cache_existed: bool,
    /// The staging directory, once made.
    directory: Option<PathBuf>,
    /// Packages fetched into it: where they are kept once committed.
    staged: Vec<String>,
}

impl Staging {
    fn new(project: &Path) -> Staging {
        let cache = project.join(CACHE_DIRECTORY);
        Staging {
            project: project.to_path_buf(),
            cache_existed: cache.exists(),
            cache,
            directory: None,
            staged: Vec::new(),
        }
    }

    /// The staging directory, made on first use.
    fn directory(&mut self) -> Result<PathBuf, String> {
        if let Some(directory) = &self.directory {
            return Ok(directory.clone());
        }
        let directory = self.cache.join(format!("staging-{}", std::process::id()));
        std::fs::create_dir_all(&directory).map_err(|error| {
            format!(
                "cannot create `{}`: {}",
                directory.display(),
                io_reason(&error)
            )
        })?;
        self.directory = Some(directory.clone());
        Ok(directory)
    }

    /// A new directory for the bare clone of the repository of the package `name`.
    fn mirror(&mut self, name: &str) -> Result<PathBuf, String> {
        let mirror = self.directory()?.join("git").join(format!("{name}.git"));
        if mirror.exists() {
            std::fs::remove_dir_all(&mirror).map_err(|error| io_reason(&error))?;
        }
        Ok(mirror)
    }

    /// A new directory for a package kept at `display` (`.plat/packages/NAME-REV`).
    fn package(&mut self, display: &str) -> Result<PathBuf, String> {
        let relative = display
            .strip_prefix(&format!("{CACHE_DIRECTORY}/"))
            .unwrap_or(display);
        let directory = self.directory()?.join(relative);
        std::fs::create_dir_all(&directory).map_err(|error| io_reason(&error))?;
        self.staged.push(display.to_string());
        Ok(directory)
    }

    /// Removes everything staged, and `.plat/` when it did not exist before.
    fn abandon(self) {
        if let Some(directory) = &self.directory {
            let _ = std::fs::remove_dir_all(directory);
        }
        if !self.cache_existed {
            let _ = std::fs::remove_dir(self.cache.join("packages"));
            let _ = std::fs::remove_dir(&self.cache);
        }
    }

    /// Moves the staged packages into the cache, removes the packages the cache holds
    /// that are not in `keep`, and the staging directory.
    fn commit(self, keep: &BTreeSet<String>) -> Result<(), String> {
        let Some(directory) = self.directory.clone() else {
            return Ok(());
        };
        for display in &self.staged {
            let relative = display
                .strip_prefix(&format!("{CACHE_DIRECTORY}/"))
                .unwrap_or(display);
            let target = self.project.join(display);
            if target.exists() {
                std::fs::remove_dir_all(&target).map_err(|error| {
                    format!("cannot replace `{display}`: {}", io_reason(&error))
                })?;
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|error| io_reason(&error))?;
            }
            std::fs::rename(directory.join(relative), &target).map_err(|error| {
                format!(
                    "cannot move the package into `{display}`: {}",
                    io_reason(&error)
                )
            })?;
            read_only(&target);
        }
        let _ = std::fs::remove_dir_all(&directory);
        let _ = std::fs::write(
            self.cache.join(".gitignore"),
            "# Written by plat: fetched packages, never committed.\n*\n",
        );
        prune(&self.project, keep);
        Ok(())
    }
}

/// Makes every file under `directory` read-only, as the standard library's files are
/// in the language server's cache: a fetched package is read as it was fetched, and an
/// editor shows it so. (Its directories stay writable, so that it can be removed.)
fn read_only(directory: &Path) {
    let mut pending = vec![directory.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                pending.push(entry.path());
            } else if file_type.is_file()
                && let Ok(metadata) = entry.metadata()
            {
                let mut permissions = metadata.permissions();
                permissions.set_readonly(true);
                let _ = std::fs::set_permissions(entry.path(), permissions);
            }
        }
    }
}

/// Removes the packages in `.plat/packages/` that the lock no longer names.
fn prune(project: &Path, keep: &BTreeSet<String>) {
    let packages = project.join(CACHE_DIRECTORY).join("packages");
    let Ok(entries) = std::fs::read_dir(&packages) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let display = format!(
            "{CACHE_DIRECTORY}/packages/{}",
            entry.file_name().to_string_lossy()
        );
        if !keep.contains(&display) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
