//! A project's dependencies: the graph of packages its manifest names, resolved the
//! same way by `plat check` (offline: from the lock and what was fetched) and by
//! `plat fetch` (which runs git), through a [`Locator`] that says where a package is.
//!
//! Invariants: every package of the graph is there once, by name, in the order it is
//! first reached (the project's dependencies by name, then theirs, breadth first), so
//! the same manifests give the same graph. A package comes from one source: the
//! project's own dependencies decide for the whole graph; two packages that ask for the
//! same one from different sources, when the project does not decide, conflict
//! (E0513). Every version requirement is checked against the version the package
//! declares (E0512), a package that depends on itself through others is a cycle
//! (E0514), and a package fetched with git names its own dependencies by URL (E0516).
//! Paths and local repositories are relative to the project's root once resolved. When
//! the project is checked, a package is read only when the lock names it exactly as
//! resolved, and a fetched one only when its content has the hash the lock records
//! (E0509); nothing is ever written.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use super::{Loader, Tree, read};
use crate::diagnostic::{Code, Diagnostic, Label};
use crate::package::lock::{LOCK_FILE, Lock, LockedPackage};
use crate::package::manifest::{Dependency, Manifest, Source};
use crate::package::{CACHE_DIRECTORY, cache_directory, rebase};
use crate::source::{Db, Origin, Package, SourceFile};
use crate::span::TextRange;

/// Says where a package is on disk, fetching it if it may.
pub trait Locator {
    /// The package `name` from `source` (relative to the project's root).
    fn locate(&mut self, name: &str, source: &Source) -> Result<Located, Problem>;
}

/// Where a package is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub directory: PathBuf,
    /// Its directory as users see it, relative to the project's root.
    pub display: String,
    /// The commit it is at, for a package fetched with git.
    pub revision: Option<String>,
}

/// Why a package cannot be located: a diagnostic without its position, which the
/// declaration that asks for the package gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: Code,
    pub message: String,
    pub label: String,
    pub help: String,
}

/// One package of the graph.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    /// Where it comes from, relative to the project's root.
    pub source: Source,
    pub located: Located,
    pub manifest: Manifest,
    /// The names of the packages it depends on, sorted.
    pub dependencies: Vec<String>,
    /// The declaration that first asked for it: a manifest and the entry's range.
    pub declared: Label,
    /// The project's own dependency through which it is first reached.
    pub reached_through: Label,
}

/// The graph of a project's packages.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// In the order they are first reached.
    pub nodes: Vec<Node>,
    /// The project's own dependencies, by name.
    pub direct: Vec<String>,
    /// The project's platform, by its position among `nodes`.
    pub platform: Option<usize>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Graph {
    /// Whether resolving it found an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The lock that records it, with the hashes of its fetched packages.
    pub fn lock(&self, hashes: &BTreeMap<String, String>) -> Lock {
        let mut lock = Lock::new();
        for node in &self.nodes {
            let version = node.manifest.version.as_ref().map(ToString::to_string);
            let mut package = LockedPackage::new(&node.name, version, &node.source);
            package.revision = node.located.revision.clone();
            if package.is_git() {
                package.hash = hashes.get(&node.name).cloned();
            }
            package.dependencies = node.dependencies.clone();
            lock.packages.push(package);
        }
        lock.packages.sort_by(|a, b| a.name.cmp(&b.name));
        lock
    }
}

/// A request for a package: a dependency, declared in a manifest.
struct Request {
    /// The package that declares it; `None` for the project.
    dependent: Option<usize>,
    dependency: Dependency,
    file: SourceFile,
    /// The declaring package's directory relative to the project's root; `None` for a
    /// package fetched with git, whose dependencies are never relative.
    base: Option<String>,
    /// The project's own dependency through which the request is made.
    through: Label,
}

/// Resolves the graph of the project whose manifest is `manifest` (in `file`),
/// named `root_name`, asking `locator` where each package is.
pub fn resolve(
    db: &dyn Db,
    manifest: &Manifest,
    file: SourceFile,
    root_name: &str,
    locator: &mut dyn Locator,
) -> Graph {
    let mut resolver = Resolver {
        db,
        root_name,
        locator,
        graph: Graph::default(),
        by_name: BTreeMap::new(),
        edges: Vec::new(),
        requirements: Vec::new(),
        queue: VecDeque::new(),
    };
    resolver.graph.direct = manifest
        .dependencies
        .iter()
        .map(|dependency| dependency.name.clone())
        .collect();
    for dependency in &manifest.dependencies {
        resolver.queue.push_back(Request {
            dependent: None,
            dependency: dependency.clone(),
            file,
            base: Some(String::new()),
            through: Label::new(file, dependency.range),
        });
    }
    while let Some(request) = resolver.queue.pop_front() {
        resolver.request(request);
    }
    resolver.check_requirements();
    resolver.check_cycles();
    resolver.graph.platform = resolver.platform(manifest, file);
    resolver.graph
}

struct Resolver<'a> {
    db: &'a dyn Db,
    root_name: &'a str,
    locator: &'a mut dyn Locator,
    graph: Graph,
    by_name: BTreeMap<String, usize>,
    /// (dependent, dependency, where declared): the project is `None`.
    edges: Vec<(Option<usize>, usize, Label)>,
    /// Each version requirement on a package, with where it is written.
    requirements: Vec<(usize, Dependency, SourceFile)>,
    queue: VecDeque<Request>,
}

impl Resolver<'_> {
    fn request(&mut self, request: Request) {
        let name = request.dependency.name.clone();
        let declared = Label::new(request.file, request.dependency.range);
        // The project decides where a package it names itself comes from, however the
        // package's dependents name it.
        if request.dependent.is_some()
            && self.graph.direct.contains(&name)
            && let Some(&at) = self.by_name.get(&name)
        {
            self.edges.push((request.dependent, at, declared));
            self.requirements
                .push((at, request.dependency.clone(), request.file));
            return;
        }
        let Some(source) = self.rebased(&request, &declared) else {
            return;
        };
        if name == self.root_name {
            self.report(
                Diagnostic::new(
                    Code::PackageCycle,
                    format!("cycle between packages: `{name}` depends on the project itself"),
                    declared.file,
                    declared.range,
                )
                .with_label(format!("`{name}` is the project that is being read"))
                .with_help("a package cannot depend on a package that depends on it: move what both need into a third package"),
            );
            return;
        }
        if let Some(&at) = self.by_name.get(&name) {
            self.again(at, &request, source, declared);
            return;
        }
        let located = match self.locator.locate(&name, &source) {
            Ok(located) => located,
            Err(problem) => {
                self.report(
                    Diagnostic::new(problem.code, problem.message, declared.file, declared.range)
                        .with_label(problem.label)
                        .with_help(problem.help),
                );
                return;
            }
        };
        let Some((manifest, file)) = self.package_manifest(&name, &located, &declared) else {
            return;
        };
        let at = self.graph.nodes.len();
        let base = match source {
            Source::Path(_) => Some(located.display.clone()),
            Source::Git { .. } => None,
        };
        for dependency in &manifest.dependencies {
            self.queue.push_back(Request {
                dependent: Some(at),
                dependency: dependency.clone(),
                file,
                base: base.clone(),
                through: request.through.clone(),
            });
        }
        let mut dependencies: Vec<String> = manifest
            .dependencies
            .iter()
            .map(|dependency| dependency.name.clone())
            .collect();
        dependencies.sort();
        self.graph.nodes.push(Node {
            name: name.clone(),
            source,
            located,
            manifest,
            dependencies,
            declared: declared.clone(),
            reached_through: request.through,
        });
        self.by_name.insert(name, at);
        self.edges.push((request.dependent, at, declared));
        self.requirements
            .push((at, request.dependency, request.file));
    }

    /// A package asked for again, by a package: the same source, or a conflict.
    fn again(&mut self, at: usize, request: &Request, source: Source, declared: Label) {
        let node = &self.graph.nodes[at];
        if node.source != source {
            let diagnostic = Diagnostic::new(
                Code::VersionConflict,
                format!(
                    "conflicting versions of `{}`: {} and {}",
                    node.name,
                    node.source.describe(),
                    source.describe()
                ),
                declared.file,
                declared.range,
            )
            .with_label(format!("asks for {}", source.describe()))
            .with_secondary(
                node.declared
                    .clone()
                    .with_message(format!("asks for {}", node.source.describe())),
            )
            .with_help(format!(
                "a project holds one version of each package: choose one by listing `{}` in the project's own `[dependencies]`, which every package then uses",
                node.name
            ));
            self.report(diagnostic);
        }
        self.edges.push((request.dependent, at, declared));
        self.requirements
            .push((at, request.dependency.clone(), request.file));
    }

    /// The source of `request`, relative to the project's root.
    fn rebased(&mut self, request: &Request, declared: &Label) -> Option<Source> {
        let name = &request.dependency.name;
        let source = &request.dependency.source;
        match (&request.base, source) {
            (Some(base), _) => Some(rebase(base, source)),
            (None, Source::Git { url, .. })
                if crate::package::is_url(url) || Path::new(url).is_absolute() =>
            {
                Some(source.clone())
            }
            (None, _) => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidDependency,
                        format!("invalid dependency `{name}`: a package fetched with git names its dependencies by URL"),
                        declared.file,
                        declared.range,
                    )
                    .with_label("relative to a directory that only exists where the package was written")
                    .with_help("in the package's repository, name the dependency by its repository's URL and a tag: `git = \"https://...\", tag = \"v1.0.0\"`"),
                );
                None
            }
        }
    }

    /// The manifest of the package `name` located at `located`, with the file that
    /// diagnostics about it point into; it must declare that name.
    fn package_manifest(
        &mut self,
        name: &str,
        located: &Located,
        declared: &Label,
    ) -> Option<(Manifest, SourceFile)> {
        let path = located.directory.join(super::MANIFEST);
        let display = format!("{}/{}", located.display, super::MANIFEST);
        let text = read::Root::new(&located.directory).and_then(|root| root.read_text(&path));
        let text = match text {
            Ok(text) => text,
            Err(refusal) => {
                let why = if refusal.is_missing() {
                    format!("`{}` has no `{}`", located.display, super::MANIFEST)
                } else {
                    format!("`{display}` cannot be read: {}", refusal.reason())
                };
                self.report(
                    Diagnostic::new(
                        Code::InvalidDependency,
                        format!("invalid dependency `{name}`: {why}"),
                        declared.file,
                        declared.range,
                    )
                    .with_label("not a plat package")
                    .with_help(format!(
                        "a package is a plat project whose `plat.toml` declares its name: `[project]` with `name = \"{name}\"`"
                    )),
                );
                return None;
            }
        };
        let file = SourceFile::new(
            self.db,
            display,
            text,
            Origin::Package(self.graph.nodes.len() as u32),
        );
        let (manifest, diagnostics) = crate::package::manifest::parse(file, file.text(self.db));
        self.graph.diagnostics.extend(diagnostics);
        self.graph
            .diagnostics
            .extend(crate::package::manifest::std_mismatch(&manifest, file));
        if manifest.name.as_deref() != Some(name) {
            let found = match &manifest.name {
                Some(found) => format!("is named `{found}`"),
                None => "does not declare its name".to_string(),
            };
            self.report(
                Diagnostic::new(
                    Code::InvalidDependency,
                    format!("invalid dependency `{name}`: the package at `{}` {found}", located.display),
                    declared.file,
                    declared.range,
                )
                .with_label(format!("asks for `{name}`"))
                .with_help(format!(
                    "a dependency is named as the package names itself in its `plat.toml` (`[project]`, `name = \"{name}\"`)"
                )),
            );
            return None;
        }
        Some((manifest, file))
    }

    /// E0512 for every version requirement the package's version does not meet.
    fn check_requirements(&mut self) {
        let requirements = std::mem::take(&mut self.requirements);
        for (at, dependency, file) in requirements {
            let Some(requirement) = &dependency.version else {
                continue;
            };
            let node = &self.graph.nodes[at];
            let (message, label) = match &node.manifest.version {
                Some(version) if requirement.requirement.matches(version) => continue,
                Some(version) => (
                    format!(
                        "no version of `{}` matches `{}`: {} is version {version}",
                        node.name,
                        requirement.requirement,
                        node.source.describe()
                    ),
                    format!("version {version} does not match"),
                ),
                None => (
                    format!(
                        "no version of `{}` matches `{}`: {} declares no version",
                        node.name,
                        requirement.requirement,
                        node.source.describe()
                    ),
                    "no version".to_string(),
                ),
            };
            let help = match &node.source {
                Source::Git { .. } => "ask for a revision whose version matches (`tag = \"v...\"`), or change the requirement; `plat update` fetches a branch anew".to_string(),
                Source::Path(_) => "change the requirement, or point `path` at a version that matches".to_string(),
            };
            self.report(
                Diagnostic::new(Code::VersionMismatch, message, file, requirement.range)
                    .with_label(label)
                    .with_help(help),
            );
        }
    }

    /// E0514 for each cycle between packages, once, at the declaration that closes it.
    fn check_cycles(&mut self) {
        let mut next: BTreeMap<usize, Vec<(usize, Label)>> = BTreeMap::new();
        for (from, to, declared) in &self.edges {
            if let Some(from) = from {
                next.entry(*from).or_default().push((*to, declared.clone()));
            }
        }
        let mut reported: BTreeSet<Vec<usize>> = BTreeSet::new();
        for start in 0..self.graph.nodes.len() {
            let mut path = vec![start];
            self.cycles_from(start, &next, &mut path, &mut reported);
        }
    }

    fn cycles_from(
        &mut self,
        start: usize,
        next: &BTreeMap<usize, Vec<(usize, Label)>>,
        path: &mut Vec<usize>,
        reported: &mut BTreeSet<Vec<usize>>,
    ) {
        let Some(&current) = path.last() else {
            return;
        };
        for (to, declared) in next.get(&current).into_iter().flatten() {
            if *to == start {
                let mut members = path.clone();
                members.sort_unstable();
                if reported.insert(members) {
                    self.report_cycle(path, declared);
                }
            } else if *to > start && !path.contains(to) && path.len() < self.graph.nodes.len() {
                path.push(*to);
                self.cycles_from(start, next, path, reported);
                path.pop();
            }
        }
    }

    fn report_cycle(&mut self, path: &[usize], closing: &Label) {
        let names: Vec<String> = path
            .iter()
            .chain(path.first())
            .map(|&at| format!("`{}`", self.graph.nodes[at].name))
            .collect();
        let mut diagnostic = Diagnostic::new(
            Code::PackageCycle,
            format!("cycle between packages: {}", names.join(" → ")),
            closing.file,
            closing.range,
        )
        .with_label("closes the cycle")
        .with_help("a package cannot depend on a package that depends on it: move what both need into a third package");
        for window in path.windows(2) {
            if let [from, to] = window
                && let Some((_, _, declared)) = self
                    .edges
                    .iter()
                    .find(|(a, b, _)| *a == Some(*from) && b == to)
            {
                diagnostic = diagnostic.with_secondary(declared.clone().with_message(format!(
                    "`{}` depends on `{}`",
                    self.graph.nodes[*from].name, self.graph.nodes[*to].name
                )));
            }
        }
        self.report(diagnostic);
    }

    /// The project's platform: one of its own dependencies (E0517 otherwise).
    fn platform(&mut self, manifest: &Manifest, file: SourceFile) -> Option<usize> {
        let platform = manifest.platform.as_ref()?;
        if self.graph.direct.contains(&platform.name) {
            // A dependency that could not be read is reported already.
            return self.by_name.get(&platform.name).copied();
        }
        let direct: Vec<&str> = self.graph.direct.iter().map(String::as_str).collect();
        let help = crate::names::suggest::did_you_mean(&platform.name, direct.iter().copied())
            .unwrap_or_else(|| {
                format!(
                    "add the platform's package to `[dependencies]`: `{} = {{ git = \"URL\", tag = \"v1.0.0\" }}`",
                    platform.name
                )
            });
        self.report(
            Diagnostic::new(
                Code::UnknownPlatform,
                format!("unknown platform `{}`", platform.name),
                file,
                platform.range,
            )
            .with_label("not a dependency of the project")
            .with_help(help),
        );
        None
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.graph.diagnostics.push(diagnostic);
    }
}

/// Reads the dependencies of the project at `directory` (whose manifest is `manifest`,
/// in `file`), as its lock names them, into `loader`: the graph, checked against the
/// lock, then every package's files. Returns the directories, every link resolved, of
/// the packages inside the project's own directory, which are not read as its files.
pub(super) fn load(
    loader: &mut Loader<'_>,
    directory: &Path,
    manifest: &Manifest,
    file: SourceFile,
    root_name: &str,
) -> Vec<PathBuf> {
    if manifest.dependencies.is_empty() && manifest.platform.is_none() {
        return Vec::new();
    }
    // The project's own `path` dependencies are never its files, even when they
    // cannot be read as packages.
    let mut inside: Vec<PathBuf> = manifest
        .dependencies
        .iter()
        .filter_map(|dependency| match &dependency.source {
            Source::Path(path) => inside_of(directory, &directory.join(path)),
            Source::Git { .. } => None,
        })
        .collect();
    let db = loader.db();
    let lock = match read_lock(db, directory) {
        Ok(lock) => lock,
        Err(diagnostic) => {
            loader.report(*diagnostic);
            return inside;
        }
    };
    let mut locator = LockedLocator {
        directory,
        lock: lock.as_ref(),
    };
    let graph = resolve(db, manifest, file, root_name, &mut locator);
    let failed = graph.has_errors();
    for diagnostic in graph.diagnostics.clone() {
        loader.report(diagnostic);
    }
    let Some(lock) = lock.filter(|_| !failed) else {
        return inside;
    };
    let mut hashes = BTreeMap::new();
    for (at, node) in graph.nodes.iter().enumerate() {
        let origin = Origin::Package(at as u32);
        let Some((package, hash)) = read_package(loader, node, origin) else {
            continue;
        };
        loader.add_package(package);
        if let Some(hash) = hash {
            hashes.insert(node.name.clone(), hash);
        }
        inside.extend(inside_of(directory, &node.located.directory));
    }
    compare_with_lock(loader, &graph, &graph.lock(&hashes), &lock);
    loader.set_dependencies(graph.direct.clone(), graph.platform.map(|at| at as u32));
    inside
}

/// `package`, every link resolved, when it is inside the project's `directory`.
fn inside_of(directory: &Path, package: &Path) -> Option<PathBuf> {
    let resolved = std::fs::canonicalize(package).ok()?;
    let project = std::fs::canonicalize(directory).ok()?;
    resolved.starts_with(&project).then_some(resolved)
}

/// The files of the package `node` read into `loader` with `origin`, its entry among
/// the project's packages, and the hash of what was read when it was fetched with git.
fn read_package(
    loader: &mut Loader<'_>,
    node: &Node,
    origin: Origin,
) -> Option<(Package, Option<String>)> {
    let root = match read::Root::new(&node.located.directory) {
        Ok(root) => root,
        Err(refusal) => {
            loader.report(missing(node, &refusal.reason()));
            return None;
        }
    };
    let prefix = format!("{}/", node.located.display);
    let fetched = matches!(node.source, Source::Git { .. });
    let mut tree = Tree::package(
        root,
        node.located.directory.clone(),
        prefix.clone(),
        origin,
        fetched,
    );
    let module_lock = read_tree(loader, &mut tree, &node.manifest, &prefix);
    let hash = tree.hash();
    let package = Package {
        name: node.name.clone(),
        version: node.manifest.version.as_ref().map(ToString::to_string),
        root: node.located.display.clone(),
        dependencies: node.dependencies.clone(),
        platform: node
            .manifest
            .platform
            .as_ref()
            .map(|named| named.name.clone()),
        module_lock: Some(module_lock),
    };
    Some((package, hash))
}

/// Reads what plat reads of a package's directory into `loader`, feeding the tree's
/// hash: its manifest, its lock of module interfaces, then its `.plat` and `.tf` files.
fn read_tree(
    loader: &mut Loader<'_>,
    tree: &mut Tree,
    manifest: &Manifest,
    prefix: &str,
) -> crate::source::ModuleLockFile {
    let directory = tree.directory.clone();
    // Read for the hash only: the manifest was read when the graph was resolved.
    let _ = tree.read(&directory.join(super::MANIFEST));
    tree.excluded = manifest.exclude.clone();
    let module_lock = loader.read_module_lock(tree, prefix);
    loader.walk(tree, &directory, 0);
    module_lock
}

/// The hash of the package in `directory` (whose manifest is `manifest`), as the lock
/// records it: for `plat fetch`, which computes it the way `plat check` compares it.
pub fn package_hash(
    db: &dyn Db,
    directory: &Path,
    manifest: &Manifest,
) -> Result<String, Vec<Diagnostic>> {
    let root = read::Root::new(directory).map_err(|refusal| {
        vec![Diagnostic::about_path(
            Code::Io,
            format!("cannot read: {}", refusal.reason()),
            directory.display().to_string(),
        )]
    })?;
    let mut loader = Loader::new(db);
    loader.terraform = Some(Vec::new());
    let mut tree = Tree::package(
        root,
        directory.to_path_buf(),
        String::new(),
        Origin::Package(0),
        true,
    );
    read_tree(&mut loader, &mut tree, manifest, "");
    let errors: Vec<Diagnostic> = loader
        .diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    if errors.is_empty() {
        Ok(tree.hash().unwrap_or_default())
    } else {
        Err(errors)
    }
}

/// E0507 where the lock does not record the graph as resolved, E0509 where a fetched
/// package's content does not have the hash the lock records.
fn compare_with_lock(loader: &mut Loader<'_>, graph: &Graph, resolved: &Lock, lock: &Lock) {
    for node in &graph.nodes {
        let (Some(package), Some(locked)) =
            (resolved.package(&node.name), lock.package(&node.name))
        else {
            continue;
        };
        if locked.hash != package.hash {
            loader.report(
                Diagnostic::new(
                    Code::DependencyHashMismatch,
                    format!(
                        "the dependency `{}` does not match `{LOCK_FILE}`: its files in `{}` changed since it was fetched",
                        node.name, node.located.display
                    ),
                    node.reached_through.file,
                    node.reached_through.range,
                )
                .with_label(format!("`{}` is read from `{}`", node.name, node.located.display))
                .with_help(format!(
                    "plat reads a fetched package only as it was fetched: run `plat fetch` to fetch it again (never edit `{CACHE_DIRECTORY}/`)"
                )),
            );
        } else if locked.dependencies != package.dependencies || locked.version != package.version {
            loader.report(stale(
                node.reached_through.clone(),
                &node.name,
                format!(
                    "`{}`'s own `plat.toml` changed since the lock was written",
                    node.name
                ),
            ));
        }
    }
}

/// The lock at the root of the project in `directory`: `None` when there is none; a
/// lock that cannot be read is E0515.
pub fn read_lock(db: &dyn Db, directory: &Path) -> Result<Option<Lock>, Box<Diagnostic>> {
    let path = directory.join(LOCK_FILE);
    let text = match read::Root::new(directory).and_then(|root| root.read_text(&path)) {
        Ok(text) => text,
        Err(refusal) if refusal.is_missing() => return Ok(None),
        Err(refusal) => {
            return Err(Box::new(Diagnostic::about_path(
                Code::InvalidLock,
                format!("cannot read `{LOCK_FILE}`: {}", refusal.reason()),
                LOCK_FILE.to_string(),
            )));
        }
    };
    Lock::parse(&text).map(Some).map_err(|error| {
        let range = error
            .range
            .clone()
            .map(TextRange::from)
            .unwrap_or_else(|| TextRange::empty(0));
        let file = SourceFile::new(db, LOCK_FILE.to_string(), text, Origin::Project);
        Box::new(
            Diagnostic::new(
                Code::InvalidLock,
                format!("invalid `{LOCK_FILE}`: {}", error.message),
                file,
                range,
            )
            .with_help(format!(
                "`{LOCK_FILE}` is written by plat: remove it and run `plat fetch` to write it anew"
            )),
        )
    })
}

/// Locates packages as the lock names them, in what `plat fetch` fetched: never runs
/// git, never writes.
struct LockedLocator<'a> {
    directory: &'a Path,
    lock: Option<&'a Lock>,
}

impl Locator for LockedLocator<'_> {
    fn locate(&mut self, name: &str, source: &Source) -> Result<Located, Problem> {
        let not_locked = |why: String| Problem {
            code: Code::UnlockedDependency,
            message: format!(
                "the dependency `{name}` is not in `{LOCK_FILE}` as `plat.toml` asks: {why}"
            ),
            label: "not locked".to_string(),
            help: "run `plat fetch`: it fetches what is missing and writes the lock".to_string(),
        };
        let Some(lock) = self.lock else {
            return Err(not_locked(format!("there is no `{LOCK_FILE}`")));
        };
        let Some(locked) = lock.package(name) else {
            return Err(not_locked(format!("the lock does not list `{name}`")));
        };
        if locked.source().as_ref() != Some(source) {
            let recorded = locked
                .source()
                .map(|source| source.describe())
                .unwrap_or_default();
            return Err(not_locked(format!(
                "it asks for {}, the lock records {recorded}",
                source.describe()
            )));
        }
        let (directory, display) = match source {
            Source::Path(path) => (self.directory.join(path), path.clone()),
            Source::Git { .. } => {
                let display = cache_directory(name, locked.revision.as_deref().unwrap_or_default());
                (self.directory.join(&display), display)
            }
        };
        if !directory.is_dir() {
            let (message, help) = match source {
                Source::Path(_) => (
                    format!("the dependency `{name}` is missing: there is no directory `{display}`"),
                    "check `path`: it is relative to the directory of the `plat.toml` that names it".to_string(),
                ),
                Source::Git { .. } => (
                    format!("the dependency `{name}` has not been fetched"),
                    "run `plat fetch`: it fetches the revision the lock names into `.plat/`, once, and plat works offline after".to_string(),
                ),
            };
            return Err(Problem {
                code: Code::MissingDependency,
                message,
                label: format!("`{display}` does not exist"),
                help,
            });
        }
        Ok(Located {
            directory,
            display,
            revision: locked.revision.clone(),
        })
    }
}

/// E0508 for a package whose directory cannot be read.
fn missing(node: &Node, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Code::MissingDependency,
        format!("the dependency `{}` cannot be read: {reason}", node.name),
        node.reached_through.file,
        node.reached_through.range,
    )
    .with_label(format!(
        "`{}` is read from `{}`",
        node.name, node.located.display
    ))
    .with_help("run `plat fetch`")
}

/// E0507: the lock does not record what the manifests ask for.
fn stale(at: Label, name: &str, why: String) -> Diagnostic {
    Diagnostic::new(
        Code::UnlockedDependency,
        format!("the dependency `{name}` is not in `{LOCK_FILE}` as `plat.toml` asks: {why}"),
        at.file,
        at.range,
    )
    .with_label("not locked")
    .with_help("run `plat fetch`: it fetches what is missing and writes the lock")
}
