//! Checking expressions: types, literal formats, and the flow of secret and
//! provision-time values.
//!
//! Invariants: [`Checker::check`] checks an expression against an expected type and a
//! sink, and reports each problem once, at the smallest expression that has it
//! (entries of list and record literals and the branches of `if`/`match` are checked
//! on their own, so a leak is reported at the entry, not at the whole literal);
//! [`Checker::infer`] computes a type where none is expected. Both always return (an
//! unknown or ill-typed expression is `Ty::Error`, which is never reported again), and
//! both are bounded by the checker's depth limit.
//!
//! The checker is split by concern: [`constraint`] checks literals against their
//! types' constraints and formats, [`reference`] resolves names and members to the
//! values they stand for, and [`infer`] computes types where none is expected.

mod constraint;
mod infer;
mod predicate;
mod reference;

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::names::suggest;
use crate::span::TextRange;
use crate::syntax::ast::{Expr, RecordEntry};
use crate::types::checker::{Checker, Locals};
use crate::types::flow::{Flow, Sink, check_sink, secret_literal};
use crate::types::lower::source_text;
use crate::types::signature::literal_text;
use crate::types::ty::{FieldTy, RefTy, Ty};

/// A sink that accepts everything: for sub-expressions whose flow is only computed
/// (conditions, operands), to be judged where the whole value lands.
fn anywhere() -> Sink {
    Sink::new("", true, true)
}

impl Checker<'_> {
    /// Checks `expr` where a value of type `expected` is required, flowing into `sink`.
    pub(crate) fn check(
        &mut self,
        scope: &Locals,
        expr: &Expr,
        expected: &Ty,
        sink: &Sink,
    ) -> Flow {
        if !self.enter() {
            return Flow::plain();
        }
        let flow = match expr {
            Expr::List { items, .. } => self.check_list(scope, expr, items, expected, sink),
            Expr::Record { entries, range } => {
                self.check_keys(expected, entries);
                self.check_record(scope, expr, entries, *range, expected, sink)
            }
            Expr::If {
                condition,
                then_branch,
                else_branch,
                range,
            } => {
                let condition_flow = self.check(scope, condition, &Ty::Bool, &anywhere());
                let a = self.check(scope, then_branch, expected, sink);
                let b = self.check(scope, else_branch, expected, sink);
                self.sink(*range, &condition_flow, expected, sink);
                condition_flow.join(a).join(b)
            }
            Expr::Match {
                scrutinee,
                arms,
                range,
            } => {
                let scrutinee_value = self.infer(scope, scrutinee);
                self.check_patterns(scope, &scrutinee_value.ty, arms);
                let mut flow = scrutinee_value.flow.clone();
                for arm in arms {
                    flow = flow.join(self.check(scope, &arm.value, expected, sink));
                }
                self.sink(*range, &scrutinee_value.flow, expected, sink);
                flow
            }
            _ => {
                let flow = self.check_leaf(scope, expr, expected, sink);
                self.sink(expr.range(), &flow, expected, sink);
                flow
            }
        };
        self.leave();
        flow
    }

    fn sink(&mut self, range: TextRange, flow: &Flow, expected: &Ty, sink: &Sink) {
        let found = check_sink(self.file, range, flow, sink, expected.is_secret());
        self.diagnostics.extend(found);
    }

    fn check_list(
        &mut self,
        scope: &Locals,
        expr: &Expr,
        items: &[Expr],
        expected: &Ty,
        sink: &Sink,
    ) -> Flow {
        let item_ty = match expected.shape() {
            Ty::List(item) => (**item).clone(),
            Ty::Error | Ty::Any => expected.shape().clone(),
            _ => return self.infer_mismatch(scope, expr, expected),
        };
        let mut flow = Flow::literal();
        for item in items {
            flow = flow.join(self.check(scope, item, &item_ty, sink));
        }
        flow
    }

    fn check_record(
        &mut self,
        scope: &Locals,
        expr: &Expr,
        entries: &[RecordEntry],
        range: TextRange,
        expected: &Ty,
        sink: &Sink,
    ) -> Flow {
        match expected.shape() {
            Ty::Map(value) => {
                let value = (**value).clone();
                self.check_map_entries(scope, entries, &value, sink)
            }
            Ty::Error | Ty::Any => {
                let value = expected.shape().clone();
                self.check_map_entries(scope, entries, &value, sink)
            }
            Ty::Record(fields) => {
                let fields = fields.clone();
                self.check_record_fields(scope, entries, &fields, range, sink)
            }
            _ => self.infer_mismatch(scope, expr, expected),
        }
    }

    /// The entries of a map literal: string keys, each once.
    pub(crate) fn check_map_entries(
        &mut self,
        scope: &Locals,
        entries: &[RecordEntry],
        value: &Ty,
        sink: &Sink,
    ) -> Flow {
        let mut flow = Flow::literal();
        let mut seen: BTreeMap<&str, TextRange> = BTreeMap::new();
        for entry in entries {
            if self.duplicate_key(&mut seen, entry) {
                continue;
            }
            flow = flow.join(self.check(scope, &entry.value, value, sink));
        }
        flow
    }

    /// Reports a key set twice (E0207); true when `entry` repeats an earlier key.
    pub(crate) fn duplicate_key<'e>(
        &mut self,
        seen: &mut BTreeMap<&'e str, TextRange>,
        entry: &'e RecordEntry,
    ) -> bool {
        let key = entry.key.text();
        if let Some(first) = seen.get(key) {
            let first = *first;
            self.field_set_twice(key, entry.key.range(), first);
            return true;
        }
        seen.insert(key, entry.key.range());
        false
    }

    /// The entries of a record literal against a record type: known fields, each once,
    /// every required one present.
    pub(crate) fn check_record_fields(
        &mut self,
        scope: &Locals,
        entries: &[RecordEntry],
        fields: &[FieldTy],
        range: TextRange,
        sink: &Sink,
    ) -> Flow {
        let mut flow = Flow::literal();
        let mut seen: BTreeMap<&str, TextRange> = BTreeMap::new();
        for entry in entries {
            if self.duplicate_key(&mut seen, entry) {
                continue;
            }
            let key = entry.key.text();
            match fields.iter().find(|field| field.name == key) {
                Some(field) => flow = flow.join(self.check(scope, &entry.value, &field.ty, sink)),
                None => {
                    let names: Vec<&str> = fields.iter().map(|field| field.name.as_str()).collect();
                    self.unknown_field(entry.key.range(), key, "this record", &names);
                    self.infer(scope, &entry.value);
                }
            }
        }
        let missing: Vec<&str> = fields
            .iter()
            .filter(|field| field.required && !seen.contains_key(field.name.as_str()))
            .map(|field| field.name.as_str())
            .collect();
        if !missing.is_empty() {
            self.missing_fields(range, &missing, "this record");
        }
        flow
    }

    /// E0203 for a field `name` that `owner` does not have.
    pub(crate) fn unknown_field(
        &mut self,
        range: TextRange,
        name: &str,
        owner: &str,
        fields: &[&str],
    ) {
        let mut diagnostic = Diagnostic::new(
            Code::UnknownField,
            format!("unknown field `{name}`"),
            self.file,
            range,
        )
        .with_label(format!("{owner} has no field `{name}`"));
        let help =
            suggest::did_you_mean(name, fields.iter().copied()).or_else(|| match fields.len() {
                0 => Some(format!("{owner} has no fields")),
                n if n <= suggest::SHORT_LIST => {
                    Some(format!("the fields are {}", suggest::all_of(fields)))
                }
                _ => None,
            });
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }

    /// E0302 for required fields left out.
    pub(crate) fn missing_fields(&mut self, range: TextRange, missing: &[&str], owner: &str) {
        self.missing(range, missing, owner, "field");
    }

    /// E0302 for required fields or parameters (`noun`) left out, in one diagnostic.
    pub(crate) fn missing(&mut self, range: TextRange, missing: &[&str], owner: &str, noun: &str) {
        let (noun, names) = match missing {
            [] => return,
            [only] => (noun.to_string(), format!("`{only}`")),
            _ => (format!("{noun}s"), suggest::all_of(missing)),
        };
        let adds: Vec<String> = missing
            .iter()
            .map(|name| format!("`{name} = ...`"))
            .collect();
        let help = match adds.as_slice() {
            [init @ .., last] if !init.is_empty() => format!("add {} and {last}", init.join(", ")),
            _ => format!("add {}", adds.join("")),
        };
        self.report(
            Diagnostic::new(
                Code::MissingField,
                format!("missing {noun} {names}"),
                self.file,
                range,
            )
            .with_label(format!("{owner} needs {names}"))
            .with_help(help),
        );
    }

    /// Infers `expr` and reports that it is not an `expected`.
    fn infer_mismatch(&mut self, scope: &Locals, expr: &Expr, expected: &Ty) -> Flow {
        let value = self.infer(scope, expr);
        if !value.ty.fits(expected) {
            self.mismatch(expr, expected, &value.ty);
        }
        value.flow
    }

    fn check_leaf(&mut self, scope: &Locals, expr: &Expr, expected: &Ty, sink: &Sink) -> Flow {
        let shape = expected.shape().clone();
        let flow = match (&shape, expr) {
            (Ty::Error | Ty::Any, _) => self.infer(scope, expr).flow,
            (Ty::Secret, _) => self.check_secret(scope, expr, sink),
            (Ty::Enum(variants), Expr::String { parts, range })
                if literal_text(parts).is_some() =>
            {
                let text = literal_text(parts).unwrap_or_default();
                self.check_variant(&text, *range, variants);
                Flow::literal()
            }
            (
                Ty::Cpu | Ty::Memory | Ty::Duration,
                Expr::Int { .. } | Expr::Float { .. } | Expr::Quantity { .. },
            ) => {
                self.check_quantity(&shape, expr);
                Flow::literal()
            }
            (Ty::Port, Expr::Int { value, range }) => {
                self.check_port(*value, *range);
                Flow::literal()
            }
            (Ty::Int, Expr::Int { .. })
            | (Ty::Float, Expr::Int { .. } | Expr::Float { .. })
            | (Ty::Bool, Expr::Bool { .. }) => Flow::literal(),
            (Ty::String, Expr::String { parts, .. }) => self.interpolation(scope, parts),
            (Ty::Ref(kind), Expr::Name(ident)) => self.check_ref(scope, ident, kind),
            _ => self.infer_mismatch(scope, expr, expected),
        };
        self.check_constraints(expected, expr);
        flow
    }

    /// A value where a `secret` is expected: a secret reference is fine; a literal is
    /// E0402; a plain reference is a type mismatch.
    fn check_secret(&mut self, scope: &Locals, expr: &Expr, sink: &Sink) -> Flow {
        let value = self.infer(scope, expr);
        if value.ty.is_unknown() || value.flow.secret.is_some() {
            return value.flow;
        }
        if !value.ty.fits(&Ty::String) {
            self.mismatch(expr, &Ty::Secret, &value.ty);
        } else if value.flow.literal {
            let place = if sink.place.is_empty() {
                "a secret"
            } else {
                sink.place.as_str()
            };
            self.report(secret_literal(self.file, expr.range(), place));
        } else {
            self.report(
                Diagnostic::new(
                    Code::TypeMismatch,
                    format!("type mismatch: expected `secret`, found `{}`", value.ty),
                    self.file,
                    expr.range(),
                )
                .with_label("this value is not secret")
                .with_help("a plain value cannot become a secret; use an output or parameter of type `secret`"),
            );
        }
        value.flow
    }

    /// E0301 with the expected and found types.
    pub(crate) fn mismatch(&mut self, expr: &Expr, expected: &Ty, found: &Ty) {
        if found.is_unknown() || expected.is_unknown() {
            return;
        }
        let mut diagnostic = Diagnostic::new(
            Code::TypeMismatch,
            format!("type mismatch: expected `{expected}`, found `{found}`"),
            self.file,
            expr.range(),
        )
        .with_label(format!("expected `{expected}`"));
        if let Some(help) = mismatch_help(self, expr, expected, found) {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }
}

fn mismatch_help(checker: &Checker<'_>, expr: &Expr, expected: &Ty, found: &Ty) -> Option<String> {
    let text = source_text(checker.db, checker.file, expr.range());
    if found.is_optional() && found.shape() == expected.shape() {
        return Some(format!(
            "`{text}` may be left out: compare it with a value, such as `{text} == true`, or \
             test it with `{text}?`"
        ));
    }
    match (expected.shape(), expr) {
        (Ty::Int | Ty::Float | Ty::Port, Expr::String { parts, .. }) => {
            let inner = literal_text(parts)?;
            inner
                .parse::<f64>()
                .is_ok()
                .then(|| format!("write the number without quotes: `{inner}`"))
        }
        (Ty::Bool, Expr::String { parts, .. }) => {
            let inner = literal_text(parts)?;
            matches!(inner.as_str(), "true" | "false")
                .then(|| format!("write `{inner}` without quotes"))
        }
        (
            Ty::String | Ty::Enum(_),
            Expr::Int { .. } | Expr::Float { .. } | Expr::Quantity { .. } | Expr::Bool { .. },
        ) => Some(format!("write it in quotes: `\"{text}\"`")),
        (Ty::List(_), _) if !matches!(found.shape(), Ty::List(_)) => {
            Some(format!("write a list: `[{text}]`"))
        }
        _ => match found.shape() {
            Ty::Ref(RefTy::Resource(_)) => Some(format!("use one of its outputs: `{text}.OUTPUT`")),
            Ty::Ref(RefTy::Workload) => Some(format!(
                "use one of its outputs: `{text}.host`, `{text}.port` or `{text}.url`"
            )),
            _ => None,
        },
    }
}
