//! Types where none is expected: literals, lists, records, `match`, and the operators,
//! whose operands must have types that the operator accepts.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::span::TextRange;
use crate::syntax::ast::{BinaryOp, Expr, MatchArm, Pattern, RecordEntry};
use crate::types::checker::{Access, Checked, Checker, Locals};
use crate::types::flow::Flow;
use crate::types::ty::{FieldTy, Ty};

use super::anywhere;

impl Checker<'_> {
    /// The type of `expr` where no particular type is expected.
    pub(crate) fn infer(&mut self, scope: &Locals, expr: &Expr) -> Checked {
        if !self.enter() {
            return Checked::error();
        }
        let value = match expr {
            Expr::String { parts, .. } => Checked {
                ty: Ty::String,
                flow: self.interpolation(scope, parts),
                access: Access::ByType,
            },
            Expr::Int { .. } => Checked::literal(Ty::Int),
            Expr::Float { .. } => Checked::literal(Ty::Float),
            Expr::Bool { .. } => Checked::literal(Ty::Bool),
            Expr::Quantity { .. } => Checked::literal(Ty::Quantity),
            Expr::Name(ident) => self.name_value(scope, ident),
            Expr::Field { base, name, range } => {
                let base_value = self.infer(scope, base);
                self.member(base_value, name, base.range(), *range)
            }
            Expr::List { items, .. } => self.infer_list(scope, items),
            Expr::Record { entries, .. } => self.infer_record(scope, entries),
            Expr::If {
                condition,
                then_branch,
                else_branch,
                ..
            } => {
                let condition = self.check(scope, condition, &Ty::Bool, &anywhere());
                let then_value = self.infer(scope, then_branch);
                let (ty, else_flow) = if then_value.ty.is_unknown() {
                    let else_value = self.infer(scope, else_branch);
                    (else_value.ty, else_value.flow)
                } else {
                    let flow = self.check(scope, else_branch, &then_value.ty, &anywhere());
                    (then_value.ty, flow)
                };
                Checked {
                    ty,
                    flow: condition.join(then_value.flow).join(else_flow),
                    access: Access::ByType,
                }
            }
            Expr::Match {
                scrutinee, arms, ..
            } => self.infer_match(scope, scrutinee, arms),
            Expr::Binary { op, lhs, rhs, .. } => self.infer_binary(scope, *op, lhs, rhs),
            Expr::Not { operand, .. } => Checked {
                ty: Ty::Bool,
                flow: self.check(scope, operand, &Ty::Bool, &anywhere()),
                access: Access::ByType,
            },
            Expr::IsSet { operand, .. } => self.infer_is_set(scope, operand),
            Expr::Matches {
                operand, pattern, ..
            } => self.infer_matches(scope, operand, pattern),
            Expr::Quantified {
                binding,
                offering,
                list,
                condition,
                ..
            } => self.infer_quantified(scope, binding, offering.as_ref(), list, condition),
            Expr::Error(_) => Checked::error(),
        };
        self.leave();
        value
    }

    pub(super) fn infer_list(&mut self, scope: &Locals, items: &[Expr]) -> Checked {
        let Some((first, rest)) = items.split_first() else {
            return Checked::literal(Ty::list(Ty::Error));
        };
        let first = self.infer(scope, first);
        let mut flow = first.flow;
        for item in rest {
            flow = flow.join(self.check(scope, item, &first.ty, &anywhere()));
        }
        Checked {
            ty: Ty::list(first.ty),
            flow,
            access: Access::ByType,
        }
    }

    pub(super) fn infer_record(&mut self, scope: &Locals, entries: &[RecordEntry]) -> Checked {
        let mut flow = Flow::literal();
        let mut fields = Vec::new();
        let mut seen: BTreeMap<&str, TextRange> = BTreeMap::new();
        for entry in entries {
            if self.duplicate_key(&mut seen, entry) {
                continue;
            }
            let value = self.infer(scope, &entry.value);
            flow = flow.join(value.flow);
            fields.push(FieldTy::new(entry.key.text(), value.ty));
        }
        Checked {
            ty: Ty::Record(fields),
            flow,
            access: Access::ByType,
        }
    }

    pub(super) fn infer_match(
        &mut self,
        scope: &Locals,
        scrutinee: &Expr,
        arms: &[MatchArm],
    ) -> Checked {
        let scrutinee = self.infer(scope, scrutinee);
        self.check_patterns(scope, &scrutinee.ty, arms);
        let mut flow = scrutinee.flow;
        let mut ty = Ty::Error;
        for arm in arms {
            if ty.is_unknown() {
                let value = self.infer(scope, &arm.value);
                flow = flow.join(value.flow);
                ty = value.ty;
            } else {
                flow = flow.join(self.check(scope, &arm.value, &ty, &anywhere()));
            }
        }
        Checked {
            ty,
            flow,
            access: Access::ByType,
        }
    }

    pub(super) fn check_patterns(&mut self, scope: &Locals, ty: &Ty, arms: &[MatchArm]) {
        let ty = comparable(ty);
        for arm in arms {
            if let Pattern::Literal(pattern) = &arm.pattern {
                self.check(scope, pattern, &ty, &anywhere());
            }
        }
    }

    pub(super) fn infer_binary(
        &mut self,
        scope: &Locals,
        op: BinaryOp,
        lhs: &Expr,
        rhs: &Expr,
    ) -> Checked {
        let flow = match op {
            BinaryOp::And | BinaryOp::Or => {
                let a = self.check(scope, lhs, &Ty::Bool, &anywhere());
                a.join(self.check(scope, rhs, &Ty::Bool, &anywhere()))
            }
            BinaryOp::Eq | BinaryOp::NotEq => {
                let left = self.infer(scope, lhs);
                let right = self.check_operand(scope, &left.ty, lhs, rhs);
                left.flow.join(right)
            }
            BinaryOp::Less | BinaryOp::LessEq | BinaryOp::Greater | BinaryOp::GreaterEq => {
                let left = self.infer(scope, lhs);
                if !ordered(&left.ty) {
                    self.report(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            format!(
                                "cannot compare values of type `{}` with `{}`",
                                left.ty,
                                op.symbol()
                            ),
                            self.file,
                            lhs.range(),
                        )
                        .with_label(format!("this is `{}`", left.ty))
                        .with_help("order comparisons apply to numbers, quantities and durations"),
                    );
                    let right = self.infer(scope, rhs);
                    left.flow.join(right.flow)
                } else {
                    let right = self.check_operand(scope, &left.ty, lhs, rhs);
                    left.flow.join(right)
                }
            }
            BinaryOp::In => {
                let right = self.infer(scope, rhs);
                let element = match right.ty.shape() {
                    Ty::List(item) => Some(comparable(item)),
                    Ty::Map(_) | Ty::String | Ty::Secret => Some(Ty::String),
                    Ty::Error | Ty::Any => Some(Ty::Error),
                    _ => None,
                };
                let left = match element {
                    Some(element) => self.check(scope, lhs, &element, &anywhere()),
                    None => {
                        self.report(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                format!(
                                    "`in` needs a list, a map or a string on its right, found `{}`",
                                    right.ty
                                ),
                                self.file,
                                rhs.range(),
                            )
                            .with_label(format!("this is `{}`", right.ty))
                            .with_help("write a list, like `[\"a\", \"b\"]`"),
                        );
                        self.infer(scope, lhs).flow
                    }
                };
                left.join(right.flow)
            }
        };
        Checked {
            ty: Ty::Bool,
            flow,
            access: Access::ByType,
        }
    }

    /// The right operand of a comparison, checked against the left one's type (a
    /// quantity literal on the left takes the right one's type instead).
    pub(super) fn check_operand(
        &mut self,
        scope: &Locals,
        left: &Ty,
        lhs: &Expr,
        rhs: &Expr,
    ) -> Flow {
        if matches!(left.shape(), Ty::Quantity) {
            let right = self.infer(scope, rhs);
            if matches!(right.ty.shape(), Ty::Cpu | Ty::Memory | Ty::Duration) {
                self.check_quantity(right.ty.shape(), lhs);
            } else if !right.ty.is_unknown() {
                self.mismatch(rhs, &Ty::Quantity, &right.ty);
            }
            return right.flow;
        }
        if left.is_unknown() {
            return self.infer(scope, rhs).flow;
        }
        self.check(scope, rhs, &comparable(left), &anywhere())
    }
}

/// Whether a value of this type can be written into a string.
pub(super) fn interpolable(ty: &Ty) -> bool {
    matches!(
        ty.shape(),
        Ty::String
            | Ty::Secret
            | Ty::Int
            | Ty::Float
            | Ty::Port
            | Ty::Bool
            | Ty::Enum(_)
            | Ty::Cpu
            | Ty::Memory
            | Ty::Duration
            | Ty::Quantity
            | Ty::Any
            | Ty::Error
    )
}

/// Whether `<` and friends apply.
pub(super) fn ordered(ty: &Ty) -> bool {
    matches!(
        ty.shape(),
        Ty::Int
            | Ty::Float
            | Ty::Port
            | Ty::Cpu
            | Ty::Memory
            | Ty::Duration
            | Ty::Quantity
            | Ty::Any
            | Ty::Error
    )
}

/// The type the other side of a comparison is checked against: secrets compare with
/// plain strings, ports with any integer.
pub(super) fn comparable(ty: &Ty) -> Ty {
    match ty.shape() {
        Ty::Secret => Ty::String,
        Ty::Port => Ty::Int,
        _ => strip_optional(ty),
    }
}

pub(super) fn strip_optional(ty: &Ty) -> Ty {
    match ty {
        Ty::Optional(inner) => (**inner).clone(),
        other => other.clone(),
    }
}
