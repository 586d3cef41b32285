//! Imports: which declarations of a library a file brings into its scope.
//!
//! Invariants: imports are per file; a library is the standard library (`std`) or a
//! package the file's own package (or project) depends on, by its name; a library is
//! one flat namespace, so `import std.X` names the declaration `X` whatever module
//! declares it, and `import shop_platform.X` the declaration `X` of that package. A
//! local name is bound at most once per file: an import whose local name clashes with
//! a declaration of the file's own namespace or an earlier import is reported (E0202)
//! and not bound, so that a name always resolves to one declaration.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::names::index::{DeclRef, ProjectIndex, project_index};
use crate::names::suggest;
use crate::source::{Db, Origin, Project, SourceFile};
use crate::span::TextRange;
use crate::syntax::ast::{Ident, Import, Item};

/// The only library root.
pub(crate) const STD: &str = "std";

/// One name an import brings into a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportBinding {
    /// The name the file uses: the alias, or the imported name.
    pub local: String,
    /// Where the local name is written (the alias, or the imported name).
    pub local_range: TextRange,
    /// Where the imported name is written (`postgres` in `std.postgres`).
    pub name_range: TextRange,
    /// The declaration it refers to, in the standard library or a package.
    pub target: DeclRef,
}

/// The names a file imports, and the problems with its imports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileScope {
    /// Bound imports by local name.
    pub imports: BTreeMap<String, ImportBinding>,
    /// E0205 and E0202 about this file's imports.
    pub diagnostics: Vec<Diagnostic>,
}

/// Bounds the memo of [`file_scope`] to one file: the next new revision, or an eviction
/// ([`crate::check::check_rendering_each_environment`]), drops the others.
pub(crate) fn keep_one_file_scope(db: &mut dyn Db) {
    file_scope::set_lru_capacity(db, 1);
}

/// Resolves the imports of one file.
///
/// Kept for as long as the database lives, unless a command that lowers each file once
/// bounds it ([`keep_one_file_scope`]).
#[salsa::tracked(returns(ref), lru = 0)]
pub fn file_scope(db: &dyn Db, project: Project, file: SourceFile) -> FileScope {
    let index = project_index(db, project);
    let module = &crate::syntax::parse_file(db, file).module;
    let mut builder = ScopeBuilder {
        db,
        file,
        index,
        origin: file.origin(db),
        scope: FileScope::default(),
    };
    for item in &module.items {
        if let Item::Import(import) = item {
            builder.import(import);
        }
    }
    builder.scope
}

/// A library a file imports from.
#[derive(Clone, Copy)]
struct Library<'a> {
    /// `std`, or the package's name.
    name: &'a str,
    origin: Origin,
}

impl Library<'_> {
    /// The library as messages name it.
    fn noun(&self) -> String {
        match self.origin {
            Origin::Std => "the standard library".to_string(),
            _ => format!("the package `{}`", self.name),
        }
    }
}

struct ScopeBuilder<'a> {
    db: &'a dyn Db,
    file: SourceFile,
    index: &'a ProjectIndex,
    /// The origin of the file whose imports are resolved.
    origin: Origin,
    scope: FileScope,
}

impl<'a> ScopeBuilder<'a> {
    /// The library named `name` that this file may import from.
    fn library(&self, name: &'a str) -> Option<Library<'a>> {
        if name == STD {
            return Some(Library {
                name,
                origin: Origin::Std,
            });
        }
        self.index
            .libraries(self.origin)
            .find(|(package, _)| *package == name)
            .map(|(_, origin)| Library { name, origin })
    }

    fn import(&mut self, import: &'a Import) {
        let Some(root) = import.path.segments.first() else {
            return;
        };
        let Some(library) = self.library(&root.name) else {
            self.unknown_root(root);
            return;
        };
        let rest = import.path.segments.get(1..).unwrap_or_default();
        match (&import.names, rest) {
            (None, [name]) => self.bind(library, name, import.alias.as_ref()),
            (None, []) => self.report(
                Diagnostic::new(
                    Code::UnknownImport,
                    format!("incomplete import `{}`", library.name),
                    self.file,
                    import.path.range,
                )
                .with_label("this names the library, not a declaration in it")
                .with_help(format!(
                    "name what to import: `import {0}.NAME` or `import {0}.{{NAME, OTHER}}`",
                    library.name
                )),
            ),
            (Some(names), []) => self.import_list(library, import, names),
            (_, [_, ..]) => self.report(
                Diagnostic::new(
                    Code::UnknownImport,
                    format!("unknown import `{}`", import.path.text()),
                    self.file,
                    import.path.range,
                )
                .with_label(format!("{} has no modules inside it", library.noun()))
                .with_help(format!(
                    "{} is one flat namespace: write `import {}.{}`",
                    library.noun(),
                    library.name,
                    import
                        .path
                        .segments
                        .last()
                        .map_or("NAME", |last| last.name.as_str())
                )),
            ),
        }
    }

    fn import_list(&mut self, library: Library<'a>, import: &Import, names: &[Ident]) {
        match (names, &import.alias) {
            ([only], alias) => self.bind(library, only, alias.as_ref()),
            (_, Some(alias)) => {
                self.report(
                    Diagnostic::new(
                        Code::UnknownImport,
                        "cannot rename a list of imports",
                        self.file,
                        alias.range,
                    )
                    .with_label("`as` applies to a single name")
                    .with_help("import the name to rename on its own: `import std.postgres as pg`"),
                );
                for name in names {
                    self.bind(library, name, None);
                }
            }
            (_, None) => {
                for name in names {
                    self.bind(library, name, None);
                }
            }
        }
    }

    fn unknown_root(&mut self, root: &Ident) {
        let libraries: Vec<&str> = std::iter::once(STD)
            .chain(self.index.libraries(self.origin).map(|(name, _)| name))
            .collect();
        let help = suggest::did_you_mean(&root.name, libraries.iter().copied()).unwrap_or_else(|| {
            match libraries.as_slice() {
                [_] => "the only library is `std`: `import std.postgres`; a package is imported once it is a dependency in `plat.toml` (see docs/packages.md)".to_string(),
                _ => format!("the libraries are {}", suggest::all_of(&libraries)),
            }
        });
        self.report(
            Diagnostic::new(
                Code::UnknownImport,
                format!("unknown library `{}`", root.name),
                self.file,
                root.range,
            )
            .with_label("no library of this name")
            .with_help(help),
        );
    }

    fn bind(&mut self, library: Library<'_>, name: &Ident, alias: Option<&Ident>) {
        let Some(target) = self.index.decl(library.origin, &name.name) else {
            self.unknown_name(library, name);
            return;
        };
        let local = alias.unwrap_or(name);
        if self.origin != Origin::Std
            && let Some(clash) = self.index.decl(self.origin, &local.name)
        {
            let whose = match self.origin {
                Origin::Project => "the project".to_string(),
                _ => "its package".to_string(),
            };
            let diagnostic = Diagnostic::new(
                Code::DuplicateDeclaration,
                format!(
                    "the import `{}` clashes with a declaration of {whose}",
                    local.name
                ),
                self.file,
                local.range,
            )
            .with_label(format!("`{}` imported here", local.name))
            .with_secondary(
                Label::new(clash.file, clash.name_range(self.db)).with_message(format!(
                    "`{}` declared here as {}",
                    local.name,
                    clash.kind.noun()
                )),
            )
            .with_help(format!(
                "import it under another name: `import {0}.{1} as {0}_{2}`",
                library.name, name.name, local.name
            ));
            self.report(diagnostic);
            return;
        }
        if let Some(earlier) = self.scope.imports.get(&local.name) {
            let diagnostic = Diagnostic::new(
                Code::DuplicateDeclaration,
                format!("`{}` is imported twice", local.name),
                self.file,
                local.range,
            )
            .with_label("imported again here")
            .with_secondary(
                Label::new(self.file, earlier.local_range).with_message("first imported here"),
            )
            .with_help("remove one of the imports");
            self.report(diagnostic);
            return;
        }
        self.scope.imports.insert(
            local.name.clone(),
            ImportBinding {
                local: local.name.clone(),
                local_range: local.range,
                name_range: name.range,
                target: target.clone(),
            },
        );
    }

    fn unknown_name(&mut self, library: Library<'_>, name: &Ident) {
        let names: Vec<&str> = self
            .index
            .namespace(library.origin)
            .into_iter()
            .flat_map(|namespace| namespace.keys().map(String::as_str))
            .collect();
        let help = suggest::did_you_mean(&name.name, names.iter().copied()).unwrap_or_else(|| {
            if names.is_empty() {
                format!("{} is empty", library.noun())
            } else if names.len() <= suggest::SHORT_LIST {
                format!("{} has {}", library.noun(), suggest::all_of(&names))
            } else {
                "run `plat explain E0205` to see how imports work".to_string()
            }
        });
        self.report(
            Diagnostic::new(
                Code::UnknownImport,
                format!("unknown import `{}.{}`", library.name, name.name),
                self.file,
                name.range,
            )
            .with_label(format!("{} has no `{}`", library.noun(), name.name))
            .with_help(help),
        );
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.scope.diagnostics.push(diagnostic);
    }
}
