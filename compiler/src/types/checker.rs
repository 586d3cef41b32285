//! The state of checking one file: where diagnostics and references go, and the local
//! scopes that expressions are checked in.
//!
//! Invariants: a [`Checker`] belongs to one file and one project revision; it only
//! appends (diagnostics, references, used imports), and the per-file query sorts what
//! it collected. A [`Locals`] is a list of local bindings searched innermost first;
//! names not bound locally are looked up among the project's declarations.

use std::collections::BTreeSet;

use crate::diagnostic::{Code, Diagnostic};
use crate::names::{Definition, NameKind, Reference, Resolver, TargetKind};
use crate::source::{Db, Project, SourceFile};
use crate::span::TextRange;
use crate::syntax::ast::TypeExpr;
use crate::types::flow::Flow;
use crate::types::lower::{Lowerer, TypeTable};
use crate::types::ty::{FieldTy, Ty};

/// How deeply the checker follows nested expressions (the parser caps nesting lower).
pub(crate) const MAX_DEPTH: usize = 512;

/// A named part of a value (`host` of `db`, `database` of `params`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MemberInfo {
    pub name: String,
    pub ty: Ty,
    /// Where it is declared, for go-to-definition and for labels.
    pub def: Option<Definition>,
    /// Whether it is known only after provisioning.
    pub provision: bool,
    pub kind: TargetKind,
}

impl MemberInfo {
    pub(crate) fn field(field: &FieldTy) -> MemberInfo {
        MemberInfo {
            name: field.name.clone(),
            ty: field.ty.clone(),
            def: None,
            provision: false,
            kind: TargetKind::Param,
        }
    }
}

/// How `value.name` is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Access {
    /// Through the value's type (records, maps).
    ByType,
    /// Through a list of members; an unknown name is reported with `code`, naming the
    /// value as `owner` ("the offering `postgres`").
    Members {
        owner: String,
        noun: &'static str,
        code: Code,
        members: Vec<MemberInfo>,
    },
    /// Anything goes (Terraform `module`): every member is of type `any`.
    Any,
}

/// A checked value: its type, sensitivity and phase, and how to reach inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checked {
    pub ty: Ty,
    pub flow: Flow,
    pub access: Access,
}

impl Checked {
    pub(crate) fn literal(ty: Ty) -> Checked {
        Checked {
            ty,
            flow: Flow::literal(),
            access: Access::ByType,
        }
    }

    pub(crate) fn error() -> Checked {
        Checked {
            ty: Ty::Error,
            flow: Flow::plain(),
            access: Access::ByType,
        }
    }
}

/// A local name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binding {
    pub name: String,
    pub ty: Ty,
    pub flow: Flow,
    pub access: Access,
    /// Where it is declared, if in source.
    pub def: Option<Definition>,
    pub kind: TargetKind,
    /// Whether the value is a provisioner's (`module`): provision-time from the name on.
    pub provision: bool,
}

/// The local names of a place.
#[derive(Debug, Clone, Default)]
pub(crate) struct Locals {
    pub bindings: Vec<Binding>,
    /// Which kinds of top-level declarations expressions here may name as values.
    pub globals: Vec<NameKind>,
}

impl Locals {
    pub(crate) fn get(&self, name: &str) -> Option<&Binding> {
        self.bindings
            .iter()
            .rev()
            .find(|binding| binding.name == name)
    }

    pub(crate) fn push(&mut self, binding: Binding) {
        self.bindings.push(binding);
    }

    /// A record binding built from a record type (`env`, `self`, `workload`).
    pub(crate) fn push_record(&mut self, name: &str, ty: Ty) {
        self.bindings.push(Binding {
            name: name.to_string(),
            ty,
            flow: Flow::plain(),
            access: Access::ByType,
            def: None,
            kind: TargetKind::Param,
            provision: false,
        });
    }

    /// Local names for suggestions.
    pub(crate) fn names(&self) -> Vec<&str> {
        self.bindings
            .iter()
            .map(|binding| binding.name.as_str())
            .collect()
    }
}

/// Checks one file.
pub(crate) struct Checker<'a> {
    pub db: &'a dyn Db,
    pub project: Project,
    pub file: SourceFile,
    pub resolver: Resolver<'a>,
    pub types: &'a TypeTable,
    pub diagnostics: Vec<Diagnostic>,
    pub references: Vec<Reference>,
    pub used_imports: BTreeSet<String>,
    pub depth: usize,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(
        db: &'a dyn Db,
        project: Project,
        resolver: Resolver<'a>,
        types: &'a TypeTable,
    ) -> Self {
        Checker {
            db,
            project,
            file: resolver.file,
            resolver,
            types,
            diagnostics: Vec::new(),
            references: Vec::new(),
            used_imports: BTreeSet::new(),
            depth: 0,
        }
    }

    pub(crate) fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub(crate) fn reference(
        &mut self,
        range: TextRange,
        target: Option<Definition>,
        kind: TargetKind,
    ) {
        if let Some(target) = target {
            self.references.push(Reference {
                range,
                target,
                kind,
            });
        }
    }

    /// A definition in the checked file.
    pub(crate) fn here(&self, range: TextRange) -> Definition {
        Definition {
            file: self.file,
            range,
        }
    }

    /// The declaration `ident` names, when it is one of `kinds` (E0201 or E0209, naming
    /// `what` was expected, otherwise); the reference is recorded and its import used.
    pub(crate) fn expect_declaration(
        &mut self,
        ident: &crate::syntax::ast::Ident,
        kinds: &[NameKind],
        what: &str,
    ) -> Option<crate::names::DeclRef> {
        let mut diagnostics = Vec::new();
        let found = self.resolver.expect(ident, kinds, what, &mut diagnostics);
        self.diagnostics.extend(diagnostics);
        Some(self.use_declaration(ident.range, found?))
    }

    /// The declaration `found`, named at `range`: the reference is recorded and its
    /// import used.
    pub(crate) fn use_declaration(
        &mut self,
        range: TextRange,
        found: crate::names::Found<'_>,
    ) -> crate::names::DeclRef {
        let decl = found.decl.clone();
        self.use_import(found.import);
        let def = Definition {
            file: decl.file,
            range: decl.name_range(self.db),
        };
        self.reference(range, Some(def), TargetKind::Declaration(decl.kind));
        decl
    }

    pub(crate) fn use_import(&mut self, import: Option<&str>) {
        if let Some(import) = import {
            self.used_imports.insert(import.to_string());
        }
    }

    /// Lowers a written type, reporting its problems.
    pub(crate) fn lower(&mut self, texpr: &TypeExpr) -> Ty {
        let mut source = self.types;
        let mut lowerer = Lowerer::new(self.db, self.resolver, &mut source, true);
        let ty = lowerer.lower(texpr, 0);
        let Lowerer {
            diagnostics,
            references,
            used_imports,
            ..
        } = lowerer;
        self.diagnostics.extend(diagnostics);
        self.references.extend(references);
        self.used_imports.extend(used_imports);
        ty
    }

    /// Enters one level of nesting; false when too deep (the caller gives up quietly:
    /// the parser already reported the nesting).
    pub(crate) fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            return false;
        }
        self.depth += 1;
        true
    }

    /// Whether `text` matches `pattern`; an invalid pattern matches everything (it is
    /// reported where it is written).
    pub(crate) fn matches(&self, pattern: &str, text: &str) -> bool {
        crate::types::pattern::matches(pattern, text)
    }

    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}
