//! Imports: which standard-library declarations a file brings into its scope.
//!
//! Invariants: imports are per file; `std` is the only library root; the standard
//! library is one flat namespace, so `import std.X` names the declaration `X` whatever
//! module declares it. A local name is bound at most once per file: an import whose
//! local name clashes with a project declaration or an earlier import is reported
//! (E0202) and not bound, so that a name always resolves to one declaration.

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
    /// The standard-library declaration it refers to.
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

/// Resolves the imports of one file.
#[salsa::tracked(returns(ref))]
pub fn file_scope(db: &dyn Db, project: Project, file: SourceFile) -> FileScope {
    let index = project_index(db, project);
    let module = &crate::syntax::parse_file(db, file).module;
    let mut builder = ScopeBuilder {
        db,
        file,
        index,
        is_std: file.origin(db) == Origin::Std,
        scope: FileScope::default(),
    };
    for item in &module.items {
        if let Item::Import(import) = item {
            builder.import(import);
        }
    }
    builder.scope
}

struct ScopeBuilder<'a> {
    db: &'a dyn Db,
    file: SourceFile,
    index: &'a ProjectIndex,
    is_std: bool,
    scope: FileScope,
}

impl ScopeBuilder<'_> {
    fn import(&mut self, import: &Import) {
        let Some(root) = import.path.segments.first() else {
            return;
        };
        if root.name != STD {
            self.unknown_root(root);
            return;
        }
        let rest = import.path.segments.get(1..).unwrap_or_default();
        match (&import.names, rest) {
            (None, [name]) => self.bind(name, import.alias.as_ref()),
            (None, []) => self.report(
                Diagnostic::new(
                    Code::UnknownImport,
                    "incomplete import `std`",
                    self.file,
                    import.path.range,
                )
                .with_label("this names the library, not a declaration in it")
                .with_help(
                    "name what to import: `import std.postgres` or `import std.{postgres, redis}`",
                ),
            ),
            (Some(names), []) => self.import_list(import, names),
            (_, [_, ..]) => self.report(
                Diagnostic::new(
                    Code::UnknownImport,
                    format!("unknown import `{}`", import.path.text()),
                    self.file,
                    import.path.range,
                )
                .with_label("the standard library has no modules inside it")
                .with_help(format!(
                    "the standard library is one flat namespace: write `import std.{}`",
                    import
                        .path
                        .segments
                        .last()
                        .map_or("NAME", |last| last.name.as_str())
                )),
            ),
        }
    }

    fn import_list(&mut self, import: &Import, names: &[Ident]) {
        match (names, &import.alias) {
            ([only], alias) => self.bind(only, alias.as_ref()),
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
                    self.bind(name, None);
                }
            }
            (_, None) => {
                for name in names {
                    self.bind(name, None);
                }
            }
        }
    }

    fn unknown_root(&mut self, root: &Ident) {
        let help = suggest::did_you_mean(&root.name, [STD])
            .unwrap_or_else(|| "the only library is `std`: `import std.postgres`".to_string());
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

    fn bind(&mut self, name: &Ident, alias: Option<&Ident>) {
        let Some(target) = self.index.std_decl(&name.name) else {
            self.unknown_name(name);
            return;
        };
        let local = alias.unwrap_or(name);
        if !self.is_std
            && let Some(clash) = self.index.project_decl(&local.name)
        {
            let diagnostic = Diagnostic::new(
                Code::DuplicateDeclaration,
                format!(
                    "the import `{}` clashes with a declaration of the project",
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
                "import it under another name: `import std.{} as std_{}`",
                name.name, local.name
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

    fn unknown_name(&mut self, name: &Ident) {
        let candidates = self.index.std.keys().map(String::as_str);
        let help = suggest::did_you_mean(&name.name, candidates).unwrap_or_else(|| {
            let names: Vec<&str> = self.index.std.keys().map(String::as_str).collect();
            if names.is_empty() {
                "the standard library is empty".to_string()
            } else if names.len() <= suggest::SHORT_LIST {
                format!("the standard library has {}", suggest::all_of(&names))
            } else {
                "run `plat explain E0205` to see how imports work".to_string()
            }
        });
        self.report(
            Diagnostic::new(
                Code::UnknownImport,
                format!("unknown import `std.{}`", name.name),
                self.file,
                name.range,
            )
            .with_label(format!("the standard library has no `{}`", name.name))
            .with_help(help),
        );
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.scope.diagnostics.push(diagnostic);
    }
}
