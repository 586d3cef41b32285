//! The project-wide index of top-level declarations.
//!
//! Invariants: all project files share one namespace, the standard library is a
//! second, flat namespace of its own, and each package the project depends on is one
//! more (reachable from other files only through imports; a platform's environments
//! are its users' too). The index holds names, kinds and files but no text positions, so that an
//! edit which moves text without adding, removing or renaming a declaration leaves it
//! unchanged and the queries that depend on it are not re-run. Positions live in the
//! per-file [`file_declarations`] query. When a name is declared more than once, the
//! first declaration (by file path, then position) is the one names resolve to; the
//! others are reported by [`duplicate_declarations`].

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::source::{Db, Origin, Project, SourceFile};
use crate::span::TextRange;
use crate::syntax::ast::{self, DeclKind, Item};

/// What a top-level name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameKind {
    Type,
    Offering,
    Environment,
    Workload,
    Policy,
}

impl NameKind {
    pub fn of_decl(kind: DeclKind) -> NameKind {
        match kind {
            DeclKind::Offering => NameKind::Offering,
            DeclKind::Environment => NameKind::Environment,
            DeclKind::Workload => NameKind::Workload,
            DeclKind::Policy => NameKind::Policy,
        }
    }

    /// The keyword that declares it: `offering`.
    pub fn keyword(self) -> &'static str {
        match self {
            NameKind::Type => "type",
            NameKind::Offering => "offering",
            NameKind::Environment => "environment",
            NameKind::Workload => "workload",
            NameKind::Policy => "policy",
        }
    }

    /// The kind with an article, for messages: `an offering`.
    pub fn noun(self) -> &'static str {
        match self {
            NameKind::Type => "a type",
            NameKind::Offering => "an offering",
            NameKind::Environment => "an environment",
            NameKind::Workload => "a workload",
            NameKind::Policy => "a policy",
        }
    }
}

/// One top-level declaration of a file, with its position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeclSite {
    pub name: String,
    pub kind: NameKind,
    /// The range of the declared name.
    pub name_range: TextRange,
    /// The range of the whole declaration.
    pub range: TextRange,
    /// The position of the item in its file's list of items.
    pub item: usize,
}

/// The declarations of one file, in source order.
#[salsa::tracked(returns(ref))]
pub fn file_declarations(db: &dyn Db, file: SourceFile) -> Vec<DeclSite> {
    let module = &crate::syntax::parse_file(db, file).module;
    module
        .items
        .iter()
        .enumerate()
        .filter_map(|(item, node)| match node {
            Item::Type(decl) => Some(DeclSite {
                name: decl.name.name.clone(),
                kind: NameKind::Type,
                name_range: decl.name.range,
                range: decl.range,
                item,
            }),
            Item::Decl(decl) => Some(DeclSite {
                name: decl.name.name.clone(),
                kind: NameKind::of_decl(decl.kind),
                name_range: decl.name.range,
                range: decl.range,
                item,
            }),
            Item::Import(_) | Item::Error(_) => None,
        })
        .collect()
}

/// A declaration somewhere in the project or the standard library, without positions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeclRef {
    pub file: SourceFile,
    /// Which namespace it belongs to.
    pub origin: Origin,
    /// The position of the item in its file's list of items.
    pub item: usize,
    pub kind: NameKind,
    pub name: String,
}

impl DeclRef {
    /// The declaration's identity within the project: its namespace and name (the
    /// first declaration of a name is the one that counts).
    pub fn key(&self) -> (Origin, &str) {
        (self.origin, self.name.as_str())
    }

    /// Where the declaration is, in its file.
    pub fn site<'db>(&self, db: &'db dyn Db) -> Option<&'db DeclSite> {
        // Sites are in item order.
        let sites = file_declarations(db, self.file);
        let at = sites
            .binary_search_by_key(&self.item, |site| site.item)
            .ok()?;
        sites.get(at)
    }

    /// The range of the declared name (empty at the start of the file if the file
    /// changed under us).
    pub fn name_range(&self, db: &dyn Db) -> TextRange {
        self.site(db)
            .map(|site| site.name_range)
            .unwrap_or_default()
    }

    /// The syntax of the declaration, when it is an offering, environment, workload or
    /// policy.
    pub fn declaration<'db>(&self, db: &'db dyn Db) -> Option<&'db ast::Declaration> {
        match crate::syntax::parse_file(db, self.file)
            .module
            .items
            .get(self.item)?
        {
            Item::Decl(decl) => Some(decl),
            _ => None,
        }
    }

    /// The syntax of the declaration, when it is a `type`.
    pub fn type_declaration<'db>(&self, db: &'db dyn Db) -> Option<&'db ast::TypeDecl> {
        match crate::syntax::parse_file(db, self.file)
            .module
            .items
            .get(self.item)?
        {
            Item::Type(decl) => Some(decl),
            _ => None,
        }
    }
}

/// Declarations by name; the first of each name counts.
pub type Namespace = BTreeMap<String, Vec<DeclRef>>;

/// The namespaces of a project: its own, the standard library's and each package's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProjectIndex {
    /// Declarations of the project's own files, by name; the first one counts.
    pub project: Namespace,
    /// Declarations of the standard library, by name; the first one counts.
    pub std: Namespace,
    /// Standard-library modules by name (`postgres` for `std/postgres.plat`).
    pub std_modules: BTreeMap<String, SourceFile>,
    /// Declarations of each package, at the package's position among the project's.
    pub packages: Vec<Namespace>,
    /// The platform of the project's files and of each package's, by origin.
    pub platforms: BTreeMap<Origin, Origin>,
    /// The packages the files of each origin may import from: name → origin.
    pub dependencies: BTreeMap<Origin, BTreeMap<String, Origin>>,
}

impl ProjectIndex {
    /// The namespace of the files of `origin`.
    pub fn namespace(&self, origin: Origin) -> Option<&Namespace> {
        match origin {
            Origin::Project => Some(&self.project),
            Origin::Std => Some(&self.std),
            Origin::Package(at) => self.packages.get(at as usize),
        }
    }

    /// The declaration `name` in the namespace of `origin`.
    pub fn decl(&self, origin: Origin, name: &str) -> Option<&DeclRef> {
        self.namespace(origin)?
            .get(name)
            .and_then(|decls| decls.first())
    }

    /// The first declaration of each name of `kind` in the namespace of `origin`, by
    /// name.
    pub fn names_of(&self, origin: Origin, kind: NameKind) -> impl Iterator<Item = &DeclRef> {
        self.namespace(origin)
            .into_iter()
            .flat_map(|namespace| namespace.values())
            .filter_map(|decls| decls.first())
            .filter(move |decl| decl.kind == kind)
    }

    /// The environments the files of `origin` run in, sorted by name: those of their
    /// own namespace and those of their platform (an application declares none of its
    /// own; the first of a name counts).
    pub fn environments(&self, origin: Origin) -> impl Iterator<Item = &DeclRef> {
        let mut all: Vec<&DeclRef> = self.names_of(origin, NameKind::Environment).collect();
        if let Some(&platform) = self.platforms.get(&origin) {
            for decl in self.names_of(platform, NameKind::Environment) {
                if !all.iter().any(|own| own.name == decl.name) {
                    all.push(decl);
                }
            }
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all.into_iter()
    }

    /// The packages the files of `origin` may import from, by name, with their origins.
    pub fn libraries(&self, origin: Origin) -> impl Iterator<Item = (&str, Origin)> {
        self.dependencies
            .get(&origin)
            .into_iter()
            .flatten()
            .map(|(name, origin)| (name.as_str(), *origin))
    }

    /// The environment `name` of the platform of the files of `origin`: the
    /// environments of a project's platform are the project's too.
    pub fn platform_environment(&self, origin: Origin, name: &str) -> Option<&DeclRef> {
        let platform = *self.platforms.get(&origin)?;
        self.decl(platform, name)
            .filter(|decl| decl.kind == NameKind::Environment)
    }

    /// The project declaration a name refers to.
    pub fn project_decl(&self, name: &str) -> Option<&DeclRef> {
        self.project.get(name).and_then(|decls| decls.first())
    }

    /// The standard-library declaration a name refers to.
    pub fn std_decl(&self, name: &str) -> Option<&DeclRef> {
        self.std.get(name).and_then(|decls| decls.first())
    }

    /// The first project declaration of each name of the given kind, by name.
    pub fn project_names_of(&self, kind: NameKind) -> impl Iterator<Item = &DeclRef> {
        self.project
            .values()
            .filter_map(|decls| decls.first())
            .filter(move |decl| decl.kind == kind)
    }

    /// The module a standard-library file is.
    pub fn std_module_of(&self, file: SourceFile) -> Option<&str> {
        self.std_modules
            .iter()
            .find(|(_, module)| **module == file)
            .map(|(name, _)| name.as_str())
    }
}

/// Builds the index of a project (files are taken in path order).
#[salsa::tracked(returns(ref))]
pub fn project_index(db: &dyn Db, project: Project) -> ProjectIndex {
    let mut index = ProjectIndex {
        packages: vec![Namespace::new(); project.packages(db).len()],
        ..ProjectIndex::default()
    };
    if let Some(at) = project.platform(db) {
        index.platforms.insert(Origin::Project, Origin::Package(at));
    }
    let origins = |names: &[String]| -> BTreeMap<String, Origin> {
        names
            .iter()
            .filter_map(|name| Some((name.clone(), project.package_origin(db, name)?)))
            .collect()
    };
    index
        .dependencies
        .insert(Origin::Project, origins(project.dependencies(db)));
    for (at, package) in project.packages(db).iter().enumerate() {
        index
            .dependencies
            .insert(Origin::Package(at as u32), origins(&package.dependencies));
        if let Some(platform) = package
            .platform
            .as_deref()
            .and_then(|name| project.package_origin(db, name))
        {
            index.platforms.insert(Origin::Package(at as u32), platform);
        }
    }
    for &file in project.files(db) {
        let origin = file.origin(db);
        if origin == Origin::Std
            && let Some(module) = crate::stdlib::module_name(file.path(db))
        {
            index.std_modules.insert(module.to_string(), file);
        }
        let namespace = match origin {
            Origin::Project => &mut index.project,
            Origin::Std => &mut index.std,
            Origin::Package(at) => match index.packages.get_mut(at as usize) {
                Some(namespace) => namespace,
                None => continue,
            },
        };
        for site in file_declarations(db, file) {
            namespace
                .entry(site.name.clone())
                .or_default()
                .push(DeclRef {
                    file,
                    origin,
                    item: site.item,
                    kind: site.kind,
                    name: site.name.clone(),
                });
        }
    }
    index
}

/// E0202 for every name declared more than once in the same namespace: the primary
/// label at each later declaration, a secondary label at the first.
#[salsa::tracked(returns(ref))]
pub fn duplicate_declarations(db: &dyn Db, project: Project) -> Vec<Diagnostic> {
    let index = project_index(db, project);
    let mut diagnostics = Vec::new();
    let namespaces = [&index.project, &index.std]
        .into_iter()
        .chain(&index.packages);
    for namespace in namespaces {
        for (name, decls) in namespace {
            let [first, rest @ ..] = decls.as_slice() else {
                continue;
            };
            for again in rest {
                diagnostics.push(duplicate(db, name, first, again));
            }
        }
    }
    diagnostics
}

fn duplicate(db: &dyn Db, name: &str, first: &DeclRef, again: &DeclRef) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateDeclaration,
        format!("the name `{name}` is declared twice"),
        again.file,
        again.name_range(db),
    )
    .with_label(format!("`{name}` declared again here"))
    .with_secondary(
        Label::new(first.file, first.name_range(db)).with_message(format!(
            "`{name}` first declared here as {}",
            first.kind.noun()
        )),
    )
    .with_help("rename one of them; all declarations of a project share one namespace")
}
