//! What resolution reads of the checked project: declarations, offerings with their
//! signatures and syntax, and names looked up from the file they are written in.
//!
//! Invariants: everything here is read through the earlier layers' queries
//! ([`crate::syntax::parse_file`], [`crate::names::project_index`],
//! [`crate::names::file_scope`], [`crate::types::offering_signature`]), never parsed or
//! checked again; a lookup that fails returns `None` (the checker has reported it).
//! When a name or member is declared twice, the first one counts, as in the checker.

use crate::names::{DeclRef, NameKind, ProjectIndex, Resolver, file_scope, project_index};
use crate::source::{Db, Origin, Project, SourceFile};
use crate::span::TextRange;
use crate::syntax::ast::{self, Block, Declaration, Member};
use crate::types::signature::{ImplSig, OfferingSig, offering_signature};

/// The identity of an offering in a project: its namespace and name.
pub(crate) type OfferingKey = (Origin, String);

/// The key of an offering declaration.
pub(crate) fn offering_key(decl: &DeclRef) -> OfferingKey {
    (decl.origin, decl.name.clone())
}

/// The project being resolved.
#[derive(Clone, Copy)]
pub(crate) struct Context<'db> {
    pub db: &'db dyn Db,
    pub project: Project,
    pub index: &'db ProjectIndex,
}

/// An offering: its signature and its syntax.
#[derive(Clone, Copy)]
pub(crate) struct OfferingView<'db> {
    pub decl: &'db DeclRef,
    pub sig: &'db OfferingSig,
    pub syntax: &'db Declaration,
}

/// One implementation of an offering.
#[derive(Clone, Copy)]
pub(crate) struct ImplView<'db> {
    pub sig: &'db ImplSig,
    pub block: &'db Block,
    pub file: SourceFile,
}

impl<'db> Context<'db> {
    pub(crate) fn new(db: &'db dyn Db, project: Project) -> Self {
        Context {
            db,
            project,
            index: project_index(db, project),
        }
    }

    /// The project's declarations of one kind, sorted by name, with their syntax.
    pub(crate) fn declarations(&self, kind: NameKind) -> Vec<(&'db DeclRef, &'db Declaration)> {
        self.index
            .project_names_of(kind)
            .filter_map(|decl| Some((decl, decl.declaration(self.db)?)))
            .collect()
    }

    /// The project declaration `name` of the given kind.
    pub(crate) fn declaration(
        &self,
        name: &str,
        kind: NameKind,
    ) -> Option<(&'db DeclRef, &'db Declaration)> {
        let decl = self.index.project_decl(name)?;
        (decl.kind == kind).then_some(())?;
        Some((decl, decl.declaration(self.db)?))
    }

    /// The offering a one-segment path written in `file` names.
    pub(crate) fn offering(&self, file: SourceFile, path: &ast::Path) -> Option<OfferingView<'db>> {
        let [only] = path.segments.as_slice() else {
            return None;
        };
        let scope = file_scope(self.db, self.project, file);
        let resolver = Resolver::new(self.db, file, self.index, scope);
        let found = resolver.lookup(&only.name)?;
        if found.decl.kind != NameKind::Offering {
            return None;
        }
        self.offering_view(found.decl)
    }

    fn offering_view(&self, decl: &'db DeclRef) -> Option<OfferingView<'db>> {
        Some(OfferingView {
            decl,
            sig: offering_signature(self.db, self.project, decl)?,
            syntax: decl.declaration(self.db)?,
        })
    }
}

impl<'db> OfferingView<'db> {
    pub(crate) fn file(&self) -> SourceFile {
        self.decl.file
    }

    /// The implementation `name`, with its syntax.
    pub(crate) fn implementation(&self, name: &str) -> Option<ImplView<'db>> {
        let sig = self.sig.implementation(name)?;
        let block = self
            .syntax
            .body
            .members
            .iter()
            .find_map(|member| match member {
                Member::Block(block)
                    if block.kind.name == "implementation"
                        && block.label.as_ref().is_some_and(|label| label.name == name) =>
                {
                    Some(block)
                }
                _ => None,
            })?;
        Some(ImplView {
            sig,
            block,
            file: self.decl.file,
        })
    }

    /// The default of the offering's param `name`, as written.
    pub(crate) fn param_default(&self, name: &str) -> Option<&'db ast::Expr> {
        param_default(&self.syntax.body, name)
    }
}

impl<'db> ImplView<'db> {
    /// The default of the implementation's param `name`, as written.
    pub(crate) fn param_default(&self, name: &str) -> Option<&'db ast::Expr> {
        param_default(&self.block.body, name)
    }

    /// The attribute `name` of the implementation body (the first, if set twice).
    pub(crate) fn attribute(&self, name: &str) -> Option<&'db ast::Attribute> {
        attribute(&self.block.body, name)
    }

    /// The resource instances the implementation needs, in order, each name once.
    pub(crate) fn needs(&self) -> Vec<&'db ast::Instance> {
        instances(&self.block.body)
    }
}

/// The default of the first `param name` of a body.
fn param_default<'a>(body: &'a ast::Body, name: &str) -> Option<&'a ast::Expr> {
    body.members.iter().find_map(|member| match member {
        Member::Param(param) if param.name.name == name => Some(param.default.as_ref()),
        _ => None,
    })?
}

/// The first attribute `name` of a body.
pub(crate) fn attribute<'a>(body: &'a ast::Body, name: &str) -> Option<&'a ast::Attribute> {
    body.members.iter().find_map(|member| match member {
        Member::Attribute(attribute) if attribute.name.name == name => Some(attribute),
        _ => None,
    })
}

/// The attributes of a body, each name once (the first), in order.
pub(crate) fn attributes(body: &ast::Body) -> Vec<&ast::Attribute> {
    let mut seen = std::collections::BTreeSet::new();
    body.members
        .iter()
        .filter_map(|member| match member {
            Member::Attribute(attribute) if seen.insert(attribute.name.name.as_str()) => {
                Some(attribute)
            }
            _ => None,
        })
        .collect()
}

/// The resource instances of a body, each name once (the first), in order.
pub(crate) fn instances(body: &ast::Body) -> Vec<&ast::Instance> {
    let mut seen = std::collections::BTreeSet::new();
    body.members
        .iter()
        .filter_map(|member| match member {
            Member::Instance(instance) if seen.insert(instance.name.name.as_str()) => {
                Some(instance)
            }
            _ => None,
        })
        .collect()
}

/// The blocks of a kind in a body, each label once (the first), in order.
pub(crate) fn blocks<'a>(body: &'a ast::Body, kind: &str) -> Vec<&'a Block> {
    let mut seen = std::collections::BTreeSet::new();
    body.members
        .iter()
        .filter_map(|member| match member {
            Member::Block(block)
                if block.kind.name == kind
                    && block
                        .label
                        .as_ref()
                        .is_some_and(|label| seen.insert(label.name.as_str())) =>
            {
                Some(block)
            }
            _ => None,
        })
        .collect()
}

/// The range that names an instance: `db: postgres`.
pub(crate) fn instance_range(instance: &ast::Instance) -> TextRange {
    instance.name.range.cover(instance.offering.range)
}

/// The names an expression reads at its root (`db` in `db.host`, in `"${db.host}"`),
/// with where each is written, for ordering instances that read each other's outputs.
/// Bounded by the parser's nesting limit.
pub(crate) fn references(expr: &ast::Expr, out: &mut Vec<(String, TextRange)>) {
    if let Some(path) = expr.as_path() {
        if let Some(first) = path.first() {
            out.push((first.name.clone(), first.range));
        }
        return;
    }
    match expr {
        ast::Expr::String { parts, .. } => {
            for part in parts {
                if let ast::StringPart::Interpolation(path) = part
                    && let Some(first) = path.segments.first()
                {
                    out.push((first.name.clone(), first.range));
                }
            }
        }
        ast::Expr::Field { base, .. } => references(base, out),
        ast::Expr::List { items, .. } => items.iter().for_each(|item| references(item, out)),
        ast::Expr::Record { entries, .. } => entries
            .iter()
            .for_each(|entry| references(&entry.value, out)),
        ast::Expr::If {
            condition,
            then_branch,
            else_branch,
            ..
        } => {
            references(condition, out);
            references(then_branch, out);
            references(else_branch, out);
        }
        ast::Expr::Match {
            scrutinee, arms, ..
        } => {
            references(scrutinee, out);
            arms.iter().for_each(|arm| references(&arm.value, out));
        }
        ast::Expr::Binary { lhs, rhs, .. } => {
            references(lhs, out);
            references(rhs, out);
        }
        ast::Expr::Not { operand, .. } => references(operand, out),
        _ => {}
    }
}
