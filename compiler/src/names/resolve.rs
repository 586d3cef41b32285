//! Looking up a top-level name from inside one file.
//!
//! Invariants: a project file sees every project declaration, the names it imports and
//! the environments of the project's platform; a file of a package sees that package's
//! declarations likewise; a standard-library file sees the whole standard library (and
//! its own imports). A
//! lookup never fails silently: an unknown name gets E0201 with the closest name in
//! scope, or a hint to import it when the standard library has it; a name of the wrong
//! kind gets E0209 saying what it is and what was expected.

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::names::imports::{FileScope, STD};
use crate::names::index::{DeclRef, NameKind, ProjectIndex};
use crate::names::suggest;
use crate::source::{Db, Origin, SourceFile};
use crate::syntax::ast::Ident;

/// How a name was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'a> {
    pub decl: &'a DeclRef,
    /// The local name of the import it was found through, if any.
    pub import: Option<&'a str>,
}

/// The top-level scope of one file.
#[derive(Clone, Copy)]
pub struct Resolver<'a> {
    pub db: &'a dyn Db,
    pub file: SourceFile,
    pub index: &'a ProjectIndex,
    pub scope: &'a FileScope,
    pub origin: Origin,
}

impl<'a> Resolver<'a> {
    pub fn new(
        db: &'a dyn Db,
        file: SourceFile,
        index: &'a ProjectIndex,
        scope: &'a FileScope,
    ) -> Self {
        Resolver {
            db,
            file,
            index,
            scope,
            origin: file.origin(db),
        }
    }

    /// The declaration a top-level name refers to, if any.
    pub fn lookup(&self, name: &str) -> Option<Found<'a>> {
        if let Some(decl) = self.index.decl(self.origin, name) {
            return Some(Found { decl, import: None });
        }
        if let Some(binding) = self.scope.imports.get(name) {
            return Some(Found {
                decl: &binding.target,
                import: Some(binding.local.as_str()),
            });
        }
        self.index
            .platform_environment(self.origin, name)
            .map(|decl| Found { decl, import: None })
    }

    /// Every top-level name in scope with its kind, sorted by name.
    pub fn names_in_scope(&self) -> Vec<(&'a str, NameKind)> {
        let own = self.index.namespace(self.origin).into_iter().flatten();
        let platform = self
            .index
            .platforms
            .get(&self.origin)
            .map(|&platform| self.index.names_of(platform, NameKind::Environment))
            .into_iter()
            .flatten()
            .map(|decl| (decl.name.as_str(), decl.kind));
        let mut names: Vec<(&'a str, NameKind)> = own
            .filter_map(|(name, decls)| decls.first().map(|decl| (name.as_str(), decl.kind)))
            .chain(
                self.scope
                    .imports
                    .values()
                    .map(|binding| (binding.local.as_str(), binding.target.kind)),
            )
            .chain(platform)
            .collect();
        names.sort();
        names.dedup_by(|a, b| a.0 == b.0);
        names
    }

    /// Names in scope of the given kinds.
    pub fn names_of(&self, kinds: &[NameKind]) -> Vec<&'a str> {
        self.names_in_scope()
            .into_iter()
            .filter(|(_, kind)| kinds.contains(kind))
            .map(|(name, _)| name)
            .collect()
    }

    /// Resolves `ident` expecting one of `kinds`; reports E0201 or E0209 otherwise.
    /// `what` names the expectation in messages: "an offering".
    pub fn expect(
        &self,
        ident: &Ident,
        kinds: &[NameKind],
        what: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Found<'a>> {
        match self.lookup(&ident.name) {
            Some(found) if kinds.contains(&found.decl.kind) => Some(found),
            Some(found) => {
                diagnostics.push(self.wrong_kind(ident, found.decl, what, kinds));
                None
            }
            None => {
                diagnostics.push(self.unknown(ident, kinds, what));
                None
            }
        }
    }

    /// E0209: `ident` names a declaration of another kind than expected.
    pub fn wrong_kind(
        &self,
        ident: &Ident,
        decl: &DeclRef,
        what: &str,
        kinds: &[NameKind],
    ) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(
            Code::WrongKindOfName,
            format!("`{}` is {}, not {what}", ident.name, decl.kind.noun()),
            self.file,
            ident.range,
        )
        .with_label(format!("expected {what} here"))
        .with_secondary(
            Label::new(decl.file, decl.name_range(self.db)).with_message(format!(
                "`{}` is declared here as {}",
                ident.name,
                decl.kind.noun()
            )),
        );
        if let Some(help) = self.short_list_help(&ident.name, kinds, what) {
            diagnostic = diagnostic.with_help(help);
        }
        diagnostic
    }

    /// E0201: nothing of that name is in scope.
    pub fn unknown(&self, ident: &Ident, kinds: &[NameKind], what: &str) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(
            Code::UnknownName,
            format!("unknown name `{}`", ident.name),
            self.file,
            ident.range,
        )
        .with_label(format!(
            "no {} named `{}`",
            what_without_article(what),
            ident.name
        ));
        if let Some(help) = self.unknown_help(&ident.name, kinds, what) {
            diagnostic = diagnostic.with_help(help);
        }
        diagnostic
    }

    /// The fix for an unknown name: a close name of the right kind, an import from the
    /// standard library, or the short list of what is available.
    pub fn unknown_help(&self, name: &str, kinds: &[NameKind], what: &str) -> Option<String> {
        let candidates = self.names_of(kinds);
        if let Some(help) = suggest::did_you_mean(name, candidates.iter().copied()) {
            return Some(help);
        }
        if self.origin != Origin::Std
            && let Some(decl) = self.index.std_decl(name)
            && kinds.contains(&decl.kind)
        {
            return Some(format!(
                "the standard library has it: add `import {STD}.{name}`"
            ));
        }
        if let Some(package) = self.package_with(name, kinds) {
            return Some(format!(
                "the package `{package}` has it: add `import {package}.{name}`"
            ));
        }
        self.short_list_help(name, kinds, what)
    }

    /// The first dependency of this file's package that declares `name` as one of
    /// `kinds`.
    fn package_with(&self, name: &str, kinds: &[NameKind]) -> Option<&'a str> {
        self.index
            .libraries(self.origin)
            .find(|(_, origin)| {
                self.index
                    .decl(*origin, name)
                    .is_some_and(|decl| kinds.contains(&decl.kind))
            })
            .map(|(package, _)| package)
    }

    fn short_list_help(&self, name: &str, kinds: &[NameKind], what: &str) -> Option<String> {
        let candidates: Vec<&str> = self
            .names_of(kinds)
            .into_iter()
            .filter(|candidate| *candidate != name)
            .collect();
        if candidates.is_empty() || candidates.len() > suggest::SHORT_LIST {
            return None;
        }
        Some(format!(
            "{} in scope: {}",
            plural(what),
            suggest::all_of(&candidates)
        ))
    }
}

/// "an offering" → "offering".
pub(crate) fn what_without_article(what: &str) -> &str {
    what.strip_prefix("an ")
        .or_else(|| what.strip_prefix("a "))
        .unwrap_or(what)
}

/// "an offering" → "offerings".
fn plural(what: &str) -> String {
    let noun = what_without_article(what);
    if noun.ends_with('y') {
        format!("{}ies", noun.trim_end_matches('y'))
    } else {
        format!("{noun}s")
    }
}
