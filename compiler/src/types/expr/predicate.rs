//! The predicates of conditions: `x?` (is an optional value set), `x matching "re"`,
//! and the quantifiers `every x in list: condition` and `some x in list: condition`.
//!
//! Invariants: each is a `bool`; `?` applies to a value that may be left out, and
//! `matching` to a string with a valid pattern (E0301, E0308 otherwise); a quantifier
//! iterates a list (E0301 otherwise) and binds its name, for the condition only, to the
//! list's item type; `every db: postgres in workload.instances` narrows the items to the
//! instances of one offering, whose `params` are then typed by that offering's params
//! and its implementations' (those that not every implementation has may be left out).

use std::sync::Arc;

use crate::diagnostic::{Code, Diagnostic};
use crate::names::TargetKind;
use crate::span::TextRange;
use crate::syntax::ast::{Expr, Ident, Path, StringLit};
use crate::types::checker::{Access, Binding, Checked, Checker, Locals};
use crate::types::flow::Flow;
use crate::types::schema;
use crate::types::signature::offering_signature;
use crate::types::ty::{FieldTy, Ty};

use super::anywhere;

impl Checker<'_> {
    /// `operand?`
    pub(super) fn infer_is_set(&mut self, scope: &Locals, operand: &Expr) -> Checked {
        let value = self.infer(scope, operand);
        if !value.ty.is_unknown() && !value.ty.is_optional() {
            self.report(
                Diagnostic::new(
                    Code::TypeMismatch,
                    format!(
                        "`?` tests a value that may be left out; this one is a `{}`",
                        value.ty
                    ),
                    self.file,
                    operand.range(),
                )
                .with_label("this value is always set")
                .with_help("remove the `?`: the condition would always hold"),
            );
        }
        Checked {
            ty: Ty::Bool,
            flow: value.flow,
            access: Access::ByType,
        }
    }

    /// `operand matching "pattern"`
    pub(super) fn infer_matches(
        &mut self,
        scope: &Locals,
        operand: &Expr,
        pattern: &StringLit,
    ) -> Checked {
        let flow = self.check(scope, operand, &Ty::String, &anywhere());
        if let Err(error) = crate::types::pattern::compile(&pattern.value) {
            self.report(
                Diagnostic::new(
                    Code::InvalidPattern,
                    format!("invalid pattern `{}`", pattern.value),
                    self.file,
                    pattern.range,
                )
                .with_label(error)
                .with_help(
                    "patterns use the syntax of Rust's `regex` crate; escape `\\` as `\\\\` \
                     inside strings",
                ),
            );
        }
        Checked {
            ty: Ty::Bool,
            flow,
            access: Access::ByType,
        }
    }

    /// `every binding: offering in list: condition` (or `some`).
    pub(super) fn infer_quantified(
        &mut self,
        scope: &Locals,
        binding: &Ident,
        offering: Option<&Path>,
        list: &Expr,
        condition: &Expr,
    ) -> Checked {
        let items = self.infer(scope, list);
        let item = match items.ty.shape() {
            Ty::List(item) => (**item).clone(),
            Ty::Error | Ty::Any => Ty::Error,
            other => {
                let other = other.clone();
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!("a quantifier goes over a list, found `{other}`"),
                        self.file,
                        list.range(),
                    )
                    .with_label(format!("this is `{other}`"))
                    .with_help("write a list, such as `workload.containers`"),
                );
                Ty::Error
            }
        };
        let item = match offering {
            Some(path) => self.narrowed(&item, path, list.range()),
            None => item,
        };
        let mut inner = scope.clone();
        inner.push(Binding {
            name: binding.name.clone(),
            ty: item,
            flow: Flow {
                literal: false,
                ..items.flow.clone()
            },
            access: Access::ByType,
            def: Some(self.here(binding.range)),
            kind: TargetKind::Param,
            provision: false,
        });
        let flow = self.check(&inner, condition, &Ty::Bool, &anywhere());
        Checked {
            ty: Ty::Bool,
            flow: items.flow.join(flow),
            access: Access::ByType,
        }
    }

    /// The item type of a list of instances, narrowed to those of the offering `path`
    /// names: with `params` typed by the offering.
    fn narrowed(&mut self, item: &Ty, path: &Path, list_range: TextRange) -> Ty {
        let Some(decl) = self.resolve_offering(path) else {
            return Ty::Error;
        };
        let is_instance = matches!(item, Ty::Alias(name, _) if name == schema::INSTANCE_TYPE);
        if !is_instance {
            if !item.is_unknown() {
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!(
                            "`: {}` picks the instances of an offering, but these are `{item}`",
                            decl.name
                        ),
                        self.file,
                        path.range,
                    )
                    .with_label("not a list of instances")
                    .with_secondary(
                        crate::diagnostic::Label::new(self.file, list_range)
                            .with_message(format!("a list of `{item}`")),
                    )
                    .with_help(format!(
                        "go over `workload.instances`: `every {0}: {0} in workload.instances: ...`",
                        decl.name
                    )),
                );
            }
            return Ty::Error;
        }
        let Some(sig) = offering_signature(self.db, self.project, &decl) else {
            return Ty::Error;
        };
        let mut params: Vec<FieldTy> = sig
            .params
            .iter()
            .map(|param| {
                let ty = if param.required || param.default.is_some() {
                    param.ty.clone()
                } else {
                    Ty::optional(param.ty.clone())
                };
                let mut field = FieldTy::new(&param.name, ty);
                field.doc = param.doc.clone();
                field
            })
            .collect();
        for imp in &sig.implementations {
            for param in &imp.params {
                match params.iter_mut().find(|field| field.name == param.name) {
                    Some(field)
                        if sig.param(&param.name).is_none()
                            && field.ty != Ty::optional(param.ty.clone()) =>
                    {
                        field.ty = Ty::optional(Ty::Any);
                    }
                    Some(_) => {}
                    None => {
                        let mut field = FieldTy::new(&param.name, Ty::optional(param.ty.clone()));
                        field.doc = param.doc.clone();
                        params.push(field);
                    }
                }
            }
        }
        let mut fields = schema::policy_instance_fields();
        fields.push(
            FieldTy::new("params", Ty::Record(params)).with_doc(
                "The instance's params, merged: the offering's and its implementation's.",
            ),
        );
        Ty::Alias(decl.name.clone(), Arc::new(Ty::Record(fields)))
    }
}
