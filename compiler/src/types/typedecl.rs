//! `type` declarations, and the defaults written inside record types.
//!
//! Invariants: a user type is reported where it is declared (unknown names, invalid
//! patterns, recursion E0312); the defaults of record fields fit the field's type and
//! are literals known at compile time, wherever the record type is written.

use crate::diagnostic::{Code, Diagnostic, Label};
use crate::names::{DeclRef, Resolver};
use crate::syntax::ast::{TypeDecl, TypeExpr};
use crate::types::checker::{Checker, Locals};
use crate::types::flow::Sink;
use crate::types::ty::Ty;

impl Checker<'_> {
    /// Lowers a written type, reporting its problems and checking the defaults of its
    /// record fields.
    pub(crate) fn lower_checked(&mut self, texpr: &TypeExpr) -> Ty {
        let ty = self.lower(texpr);
        self.check_type_defaults(texpr, &ty, 0);
        ty
    }

    /// Walks a written type and its lowered form side by side, checking defaults.
    fn check_type_defaults(&mut self, texpr: &TypeExpr, ty: &Ty, depth: usize) {
        if depth > 256 {
            return;
        }
        let depth = depth + 1;
        match (texpr, ty) {
            (TypeExpr::Record { fields, .. }, Ty::Record(lowered)) => {
                for field in fields {
                    let Some(field_ty) = lowered.iter().find(|f| f.name == field.name.name) else {
                        continue;
                    };
                    self.check_type_defaults(&field.ty, &field_ty.ty, depth);
                    if let Some(default) = &field.default {
                        let sink = Sink::plain(format!("the default of `{}`", field.name.name));
                        self.check(&Locals::default(), default, &field_ty.ty, &sink);
                    }
                }
            }
            (_, Ty::Optional(inner)) => self.check_type_defaults(texpr_inner(texpr), inner, depth),
            (TypeExpr::Constrained { base, .. }, Ty::Constrained(inner, _)) => {
                self.check_type_defaults(base, inner, depth)
            }
            (TypeExpr::Named { args, .. }, Ty::List(inner) | Ty::Map(inner)) => {
                if let Some(arg) = args.first() {
                    self.check_type_defaults(arg, inner, depth);
                }
            }
            _ => {}
        }
    }

    /// A `type` declaration: its type, and E0312 when it refers to itself.
    pub(crate) fn check_type_decl(&mut self, decl: &TypeDecl, decl_ref: &DeclRef) {
        self.lower_checked(&decl.ty);
        if !self.types.is_recursive(decl_ref)
            && !self
                .types
                .too_deep
                .contains(&(decl_ref.origin, decl_ref.name.clone()))
        {
            return;
        }
        if !self.types.is_recursive(decl_ref) {
            self.report(
                Diagnostic::new(
                    Code::RecursiveType,
                    format!("the type `{}` is nested too deeply", decl.name.name),
                    self.file,
                    decl.name.range,
                )
                .with_label("too many levels of named types")
                .with_help("write the type with fewer levels of `type` names"),
            );
            return;
        }
        let mut diagnostic = Diagnostic::new(
            Code::RecursiveType,
            format!("recursive type `{}`", decl.name.name),
            self.file,
            decl.name.range,
        )
        .with_label(format!("`{}` refers to itself", decl.name.name))
        .with_help("types cannot contain themselves; write the nested part out, or use `map<string>` for open-ended data");
        let resolver: Resolver<'_> = self.resolver;
        for (name, range) in named_references(&decl.ty) {
            if let Some(found) = resolver.lookup(&name)
                && self.types.is_recursive(found.decl)
            {
                let message = if name == decl.name.name {
                    format!("`{name}` used inside itself here")
                } else {
                    format!("`{name}` is part of the cycle")
                };
                diagnostic =
                    diagnostic.with_secondary(Label::new(self.file, range).with_message(message));
            }
        }
        self.report(diagnostic);
    }
}

fn texpr_inner(texpr: &TypeExpr) -> &TypeExpr {
    match texpr {
        TypeExpr::Optional { inner, .. } => inner,
        other => other,
    }
}

/// The user type names a written type mentions, with their ranges.
fn named_references(texpr: &TypeExpr) -> Vec<(String, crate::span::TextRange)> {
    let mut found = Vec::new();
    let mut stack = vec![texpr];
    while let Some(texpr) = stack.pop() {
        match texpr {
            TypeExpr::Named { path, args, .. } => {
                if let [only] = path.segments.as_slice() {
                    found.push((only.name.clone(), only.range));
                }
                stack.extend(args.iter());
            }
            TypeExpr::Constrained { base, .. } => stack.push(base),
            TypeExpr::Optional { inner, .. } => stack.push(inner),
            TypeExpr::Record { fields, .. } => stack.extend(fields.iter().map(|field| &field.ty)),
            TypeExpr::Enum { .. } | TypeExpr::Error(_) => {}
        }
    }
    found.sort_by_key(|(_, range)| range.start);
    found
}
