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

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::names::{Definition, NameKind, TargetKind, suggest};
use crate::span::TextRange;
use crate::syntax::ast::{BinaryOp, Expr, Ident, MatchArm, Pattern, RecordEntry, StringPart};
use crate::types::checker::{Access, Checker, MemberInfo, Scope, Value};
use crate::types::flow::{Flow, Origin, Sink, check_sink, secret_literal};
use crate::types::literal;
use crate::types::lower::source_text;
use crate::types::schema;
use crate::types::signature::literal_text;
use crate::types::ty::{Constraint, FieldTy, Format, RefTy, Ty};

/// A sink that accepts everything: for sub-expressions whose flow is only computed
/// (conditions, operands), to be judged where the whole value lands.
fn anywhere() -> Sink {
    Sink::new("", true, true)
}

impl Checker<'_> {
    /// Checks `expr` where a value of type `expected` is required, flowing into `sink`.
    pub fn check(&mut self, scope: &Scope, expr: &Expr, expected: &Ty, sink: &Sink) -> Flow {
        if !self.enter() {
            return Flow::plain();
        }
        let flow = match expr {
            Expr::List { items, .. } => self.check_list(scope, expr, items, expected, sink),
            Expr::Record { entries, range } => {
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
        scope: &Scope,
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
        scope: &Scope,
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
    pub fn check_map_entries(
        &mut self,
        scope: &Scope,
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
    pub fn duplicate_key<'e>(
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
    pub fn check_record_fields(
        &mut self,
        scope: &Scope,
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
    pub fn unknown_field(&mut self, range: TextRange, name: &str, owner: &str, fields: &[&str]) {
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
    pub fn missing_fields(&mut self, range: TextRange, missing: &[&str], owner: &str) {
        self.missing(range, missing, owner, "field");
    }

    /// E0302 for required fields or parameters (`noun`) left out, in one diagnostic.
    pub fn missing(&mut self, range: TextRange, missing: &[&str], owner: &str, noun: &str) {
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
    fn infer_mismatch(&mut self, scope: &Scope, expr: &Expr, expected: &Ty) -> Flow {
        let value = self.infer(scope, expr);
        if !value.ty.fits(expected) {
            self.mismatch(expr, expected, &value.ty);
        }
        value.flow
    }

    fn check_leaf(&mut self, scope: &Scope, expr: &Expr, expected: &Ty, sink: &Sink) -> Flow {
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
    fn check_secret(&mut self, scope: &Scope, expr: &Expr, sink: &Sink) -> Flow {
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

    fn check_variant(&mut self, text: &str, range: TextRange, variants: &[String]) {
        if variants.iter().any(|variant| variant == text) {
            return;
        }
        let quoted: Vec<String> = variants
            .iter()
            .map(|variant| format!("\"{variant}\""))
            .collect();
        let quoted: Vec<&str> = quoted.iter().map(String::as_str).collect();
        let label = if quoted.len() <= suggest::SHORT_LIST {
            format!("expected {}", suggest::one_of(&quoted))
        } else {
            "not an allowed value".to_string()
        };
        let mut diagnostic = Diagnostic::new(
            Code::NotInEnum,
            format!("`\"{text}\"` is not one of the allowed values"),
            self.file,
            range,
        )
        .with_label(label);
        let help = suggest::closest(text, variants.iter().map(String::as_str))
            .map(|close| format!("did you mean `\"{close}\"`?"))
            .or_else(|| {
                (quoted.len() <= suggest::SHORT_LIST)
                    .then(|| format!("use one of {}", suggest::one_of(&quoted)))
            });
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }

    fn check_quantity(&mut self, ty: &Ty, expr: &Expr) {
        let (text, range) = match expr {
            Expr::Int { value, range } => (value.to_string(), *range),
            Expr::Float { text, range } | Expr::Quantity { text, range } => (text.clone(), *range),
            _ => return,
        };
        let (result, kind, help) = match ty {
            Ty::Cpu => (literal::parse_cpu(&text), "cpu", literal::CPU_HELP),
            Ty::Memory => (literal::parse_memory(&text), "memory", literal::MEMORY_HELP),
            Ty::Duration => (
                literal::parse_duration(&text),
                "duration",
                literal::DURATION_HELP,
            ),
            _ => return,
        };
        if let Err(reason) = result {
            self.report(
                Diagnostic::new(
                    Code::InvalidQuantity,
                    format!("malformed {kind} quantity `{text}`"),
                    self.file,
                    range,
                )
                .with_label(reason)
                .with_help(help),
            );
        }
    }

    fn check_port(&mut self, value: i64, range: TextRange) {
        if !(1..=65535).contains(&value) {
            self.report(
                Diagnostic::new(
                    Code::OutOfRange,
                    format!("`{value}` is out of range for a port"),
                    self.file,
                    range,
                )
                .with_label("a port is between 1 and 65535")
                .with_help("use a port from 1 to 65535"),
            );
        }
    }

    /// The constraints of `expected` (through names and `?`) checked on a literal.
    fn check_constraints(&mut self, expected: &Ty, expr: &Expr) {
        let mut ty = expected;
        for _ in 0..256 {
            ty = match ty {
                Ty::Alias(_, inner) => inner,
                Ty::Optional(inner) => inner,
                Ty::Constrained(base, constraint) => {
                    self.check_constraint(constraint, expr);
                    base
                }
                _ => return,
            };
        }
    }

    fn check_constraint(&mut self, constraint: &Constraint, expr: &Expr) {
        match (constraint, expr) {
            (Constraint::Range { min, max }, Expr::Int { value, range }) => {
                self.check_range(&value.to_string(), *value as f64, *min, *max, *range)
            }
            (Constraint::Range { min, max }, Expr::Float { text, range }) => {
                if let Ok(value) = text.parse::<f64>() {
                    self.check_range(text, value, *min, *max, *range);
                }
            }
            (Constraint::Pattern(pattern), Expr::String { parts, range }) => {
                let Some(text) = literal_text(parts) else {
                    return;
                };
                if !self.matches(pattern, &text) {
                    self.report(
                        Diagnostic::new(
                            Code::PatternMismatch,
                            format!("`\"{text}\"` does not match the pattern `{pattern}`"),
                            self.file,
                            *range,
                        )
                        .with_label(format!("does not match `{pattern}`"))
                        .with_help("change the value so that it matches the pattern"),
                    );
                }
            }
            (Constraint::Format(format), Expr::String { parts, range }) => {
                let Some(text) = literal_text(parts) else {
                    return;
                };
                self.check_format(*format, &text, *range);
            }
            _ => {}
        }
    }

    fn check_range(
        &mut self,
        text: &str,
        value: f64,
        min: Option<i64>,
        max: Option<i64>,
        range: TextRange,
    ) {
        let below = min.is_some_and(|min| value < min as f64);
        let above = max.is_some_and(|max| value > max as f64);
        if !below && !above {
            return;
        }
        let bounds = format!(
            "{}..{}",
            min.map(|min| min.to_string()).unwrap_or_default(),
            max.map(|max| max.to_string()).unwrap_or_default()
        );
        let help = match (min, max) {
            (Some(min), Some(max)) => format!("use a value from {min} to {max}"),
            (Some(min), None) => format!("use a value of at least {min}"),
            (None, Some(max)) => format!("use a value of at most {max}"),
            (None, None) => String::new(),
        };
        self.report(
            Diagnostic::new(
                Code::OutOfRange,
                format!("`{text}` is out of range"),
                self.file,
                range,
            )
            .with_label(format!("expected a value in `{bounds}`"))
            .with_help(help),
        );
    }

    fn check_format(&mut self, format: Format, text: &str, range: TextRange) {
        let diagnostic = match format {
            Format::Image => literal::check_image(text).err().map(|reason| {
                Diagnostic::new(
                    Code::InvalidImage,
                    format!("malformed image reference `{text}`"),
                    self.file,
                    range,
                )
                .with_label(reason)
                .with_help("write `[registry/]name[:tag][@digest]`, e.g. `ghcr.io/acme/api:1.4.2`")
            }),
            Format::Semver => literal::check_semver(text).err().map(|reason| {
                Diagnostic::new(Code::InvalidVersion, format!("malformed version `{text}`"), self.file, range)
                    .with_label(reason)
                    .with_help("use a semantic version `MAJOR.MINOR.PATCH`, e.g. `1.2.0`")
            }),
            Format::DnsLabel => literal::check_dns_label(text).err().map(|reason| {
                Diagnostic::new(
                    Code::PatternMismatch,
                    format!("`\"{text}\"` is not a valid DNS label"),
                    self.file,
                    range,
                )
                .with_label(reason)
                .with_help("use lower-case letters, digits and `-`, at most 63 characters, e.g. `shop-prod`")
            }),
        };
        if let Some(diagnostic) = diagnostic {
            self.report(diagnostic);
        }
    }

    /// The flow of an interpolated string, checking that what it interpolates can be
    /// written as text.
    fn interpolation(&mut self, scope: &Scope, parts: &[StringPart]) -> Flow {
        let mut flow = Flow::literal();
        for part in parts {
            let StringPart::Interpolation(path) = part else {
                continue;
            };
            let value = self.path_value(scope, &path.segments);
            if !interpolable(&value.ty) {
                let help = match value.ty.shape() {
                    Ty::Ref(RefTy::Workload) => {
                        "interpolate one of its outputs: `host`, `port` or `url`".to_string()
                    }
                    Ty::Ref(RefTy::Resource(_)) => {
                        "interpolate one of its outputs, like `${db.host}`".to_string()
                    }
                    _ => "interpolate a string, a number or a boolean".to_string(),
                };
                self.report(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!("cannot interpolate a value of type `{}`", value.ty),
                        self.file,
                        path.range,
                    )
                    .with_label(format!("this is `{}`", value.ty))
                    .with_help(help),
                );
            }
            flow = flow.join(value.flow);
        }
        flow
    }

    /// A dotted name `a.b.c` (from an interpolation).
    fn path_value(&mut self, scope: &Scope, segments: &[Ident]) -> Value {
        let [first, rest @ ..] = segments else {
            return Value::error();
        };
        let mut value = self.name_value(scope, first);
        let mut covered = first.range;
        for ident in rest {
            let base = covered;
            covered = covered.cover(ident.range);
            value = self.member(value, ident, base, covered);
        }
        value
    }

    /// A name used as a value: a local binding, or a declaration of a kind the scope
    /// allows.
    fn name_value(&mut self, scope: &Scope, ident: &Ident) -> Value {
        if let Some(binding) = scope.get(&ident.name) {
            let binding = binding.clone();
            self.reference(ident.range, binding.def, binding.kind);
            let mut flow = Flow {
                literal: false,
                ..binding.flow
            };
            if binding.provision && flow.provision.is_none() {
                flow.provision = Some(Origin {
                    range: ident.range,
                    declared: None,
                });
            }
            return Value {
                ty: binding.ty,
                flow,
                access: binding.access,
            };
        }
        let Some(found) = self.resolver.lookup(&ident.name) else {
            self.unknown_value(scope, ident);
            return Value::error();
        };
        let decl = found.decl.clone();
        self.use_import(found.import);
        let def = Definition {
            file: decl.file,
            range: decl.name_range(self.db),
        };
        self.reference(ident.range, Some(def), TargetKind::Declaration(decl.kind));
        if !scope.globals.contains(&decl.kind) {
            let mut diagnostic = self.resolver.wrong_kind(ident, &decl, "a value", &[]);
            if decl.kind == NameKind::Offering {
                diagnostic = diagnostic.with_help(format!(
                    "declare a resource of it and use that: `{0}_1: {0} {{ ... }}`",
                    ident.name
                ));
            }
            self.report(diagnostic);
            return Value::error();
        }
        let ty = match decl.kind {
            NameKind::Workload => Ty::Ref(RefTy::Workload),
            NameKind::Policy => Ty::Ref(RefTy::Policy),
            NameKind::Environment => Ty::Ref(RefTy::Environment),
            NameKind::Offering | NameKind::Type => return Value::error(),
        };
        let access = if decl.kind == NameKind::Workload {
            Access::Members {
                owner: format!("the workload `{}`", ident.name),
                noun: "output",
                code: Code::UnknownOutput,
                members: schema::workload_outputs()
                    .iter()
                    .map(MemberInfo::field)
                    .collect(),
            }
        } else {
            Access::ByType
        };
        Value {
            ty,
            flow: Flow::plain(),
            access,
        }
    }

    fn unknown_value(&mut self, scope: &Scope, ident: &Ident) {
        let mut candidates: Vec<&str> = scope.names();
        let globals = self.resolver.names_of(&scope.globals);
        candidates.extend(globals.iter().copied());
        let mut diagnostic = Diagnostic::new(
            Code::UnknownName,
            format!("unknown name `{}`", ident.name),
            self.file,
            ident.range,
        )
        .with_label("not found in this scope");
        let help = suggest::did_you_mean(&ident.name, candidates.iter().copied()).or_else(|| {
            let mut names = candidates.clone();
            names.sort_unstable();
            names.dedup();
            (!names.is_empty() && names.len() <= suggest::SHORT_LIST)
                .then(|| format!("names in scope here: {}", suggest::all_of(&names)))
        });
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }

    /// A name where a reference to a declaration or resource is expected.
    fn check_ref(&mut self, scope: &Scope, ident: &Ident, kind: &RefTy) -> Flow {
        let expected = Ty::Ref(kind.clone());
        if let Some(binding) = scope.get(&ident.name) {
            let binding = binding.clone();
            self.reference(ident.range, binding.def, binding.kind);
            if !binding.ty.fits(&expected) {
                self.mismatch(&Expr::Name(ident.clone()), &expected, &binding.ty);
            }
            return Flow::plain();
        }
        let (kinds, what): (&[NameKind], &str) = match kind {
            RefTy::Workload => (&[NameKind::Workload], "a workload"),
            RefTy::Policy => (&[NameKind::Policy], "a policy"),
            RefTy::Environment => (&[NameKind::Environment], "an environment"),
            RefTy::Resource(_) => {
                self.unknown_resource(scope, ident);
                return Flow::plain();
            }
        };
        let mut diagnostics = Vec::new();
        let found = self.resolver.expect(ident, kinds, what, &mut diagnostics);
        self.diagnostics.extend(diagnostics);
        if let Some(found) = found {
            let decl = found.decl.clone();
            self.use_import(found.import);
            let def = Definition {
                file: decl.file,
                range: decl.name_range(self.db),
            };
            self.reference(ident.range, Some(def), TargetKind::Declaration(decl.kind));
        }
        Flow::plain()
    }

    fn unknown_resource(&mut self, scope: &Scope, ident: &Ident) {
        let resources: Vec<&str> = scope
            .bindings
            .iter()
            .filter(|binding| binding.kind == TargetKind::Resource)
            .map(|binding| binding.name.as_str())
            .collect();
        let mut diagnostic = Diagnostic::new(
            Code::UnknownName,
            format!("unknown resource `{}`", ident.name),
            self.file,
            ident.range,
        )
        .with_label("no resource of this name here");
        let help =
            suggest::did_you_mean(&ident.name, resources.iter().copied()).or_else(
                || match resources.len() {
                    0 => Some(format!(
                        "declare it first: `{}: OFFERING {{ ... }}`",
                        ident.name
                    )),
                    n if n <= suggest::SHORT_LIST => Some(format!(
                        "the resources here are {}",
                        suggest::all_of(&resources)
                    )),
                    _ => None,
                },
            );
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }

    /// `base.name`, where `base` is written at `base_range` and the whole at `range`.
    fn member(
        &mut self,
        base: Value,
        name: &Ident,
        base_range: TextRange,
        range: TextRange,
    ) -> Value {
        let flow = Flow {
            literal: false,
            ..base.flow
        };
        match base.access {
            Access::Any => {
                // `module.x.y`: the whole reference is what is provision-time.
                let mut flow = flow;
                if let Some(origin) = &mut flow.provision
                    && origin.range.start == base_range.start
                {
                    origin.range = range;
                }
                Value {
                    ty: Ty::Any,
                    flow,
                    access: Access::Any,
                }
            }
            Access::Members {
                owner,
                noun,
                code,
                members,
            } => match members.iter().find(|member| member.name == name.name) {
                Some(member) => {
                    self.reference(name.range, member.def, member.kind);
                    member_value(flow, &member.ty, member.def, member.provision, range)
                }
                None => {
                    let names: Vec<&str> =
                        members.iter().map(|member| member.name.as_str()).collect();
                    self.unknown_member(name, &owner, noun, code, &names);
                    Value::error()
                }
            },
            Access::ByType => match base.ty.shape() {
                Ty::Record(fields) => match fields.iter().find(|field| field.name == name.name) {
                    Some(field) => member_value(flow, &field.ty, None, false, range),
                    None => {
                        let names: Vec<&str> =
                            fields.iter().map(|field| field.name.as_str()).collect();
                        let owner = format!("`{}`", source_text(self.db, self.file, base_range));
                        self.unknown_field(name.range, &name.name, &owner, &names);
                        Value::error()
                    }
                },
                Ty::Map(value) => Value {
                    ty: (**value).clone(),
                    flow,
                    access: Access::ByType,
                },
                Ty::Any => Value {
                    ty: Ty::Any,
                    flow,
                    access: Access::Any,
                },
                Ty::Error => Value::error(),
                other => {
                    let other = other.clone();
                    self.report(
                        Diagnostic::new(
                            Code::UnknownField,
                            format!("unknown field `{}`", name.name),
                            self.file,
                            name.range,
                        )
                        .with_label(format!("a value of type `{other}` has no fields"))
                        .with_help(format!("remove `.{}`", name.name)),
                    );
                    Value::error()
                }
            },
        }
    }

    /// E0203 or E0204 for a member `name` that `owner` does not have.
    pub fn unknown_member(
        &mut self,
        name: &Ident,
        owner: &str,
        noun: &str,
        code: Code,
        names: &[&str],
    ) {
        let mut diagnostic = Diagnostic::new(
            code,
            format!("unknown {noun} `{}`", name.name),
            self.file,
            name.range,
        )
        .with_label(format!("{owner} has no {noun} `{}`", name.name));
        let help = suggest::did_you_mean(&name.name, names.iter().copied()).or_else(|| match names
            .len()
        {
            0 => Some(format!("{owner} has no {noun}s")),
            n if n <= suggest::SHORT_LIST => {
                Some(format!("the {noun}s are {}", suggest::all_of(names)))
            }
            _ => None,
        });
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }

    /// The type of `expr` where no particular type is expected.
    pub fn infer(&mut self, scope: &Scope, expr: &Expr) -> Value {
        if !self.enter() {
            return Value::error();
        }
        let value = match expr {
            Expr::String { parts, .. } => Value {
                ty: Ty::String,
                flow: self.interpolation(scope, parts),
                access: Access::ByType,
            },
            Expr::Int { .. } => Value::literal(Ty::Int),
            Expr::Float { .. } => Value::literal(Ty::Float),
            Expr::Bool { .. } => Value::literal(Ty::Bool),
            Expr::Quantity { .. } => Value::literal(Ty::Quantity),
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
                Value {
                    ty,
                    flow: condition.join(then_value.flow).join(else_flow),
                    access: Access::ByType,
                }
            }
            Expr::Match {
                scrutinee, arms, ..
            } => self.infer_match(scope, scrutinee, arms),
            Expr::Binary { op, lhs, rhs, .. } => self.infer_binary(scope, *op, lhs, rhs),
            Expr::Not { operand, .. } => Value {
                ty: Ty::Bool,
                flow: self.check(scope, operand, &Ty::Bool, &anywhere()),
                access: Access::ByType,
            },
            Expr::Error(_) => Value::error(),
        };
        self.leave();
        value
    }

    fn infer_list(&mut self, scope: &Scope, items: &[Expr]) -> Value {
        let Some((first, rest)) = items.split_first() else {
            return Value::literal(Ty::list(Ty::Error));
        };
        let first = self.infer(scope, first);
        let mut flow = first.flow;
        for item in rest {
            flow = flow.join(self.check(scope, item, &first.ty, &anywhere()));
        }
        Value {
            ty: Ty::list(first.ty),
            flow,
            access: Access::ByType,
        }
    }

    fn infer_record(&mut self, scope: &Scope, entries: &[RecordEntry]) -> Value {
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
        Value {
            ty: Ty::Record(fields),
            flow,
            access: Access::ByType,
        }
    }

    fn infer_match(&mut self, scope: &Scope, scrutinee: &Expr, arms: &[MatchArm]) -> Value {
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
        Value {
            ty,
            flow,
            access: Access::ByType,
        }
    }

    fn check_patterns(&mut self, scope: &Scope, ty: &Ty, arms: &[MatchArm]) {
        let ty = comparable(ty);
        for arm in arms {
            if let Pattern::Literal(pattern) = &arm.pattern {
                self.check(scope, pattern, &ty, &anywhere());
            }
        }
    }

    fn infer_binary(&mut self, scope: &Scope, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Value {
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
        Value {
            ty: Ty::Bool,
            flow,
            access: Access::ByType,
        }
    }

    /// The right operand of a comparison, checked against the left one's type (a
    /// quantity literal on the left takes the right one's type instead).
    fn check_operand(&mut self, scope: &Scope, left: &Ty, lhs: &Expr, rhs: &Expr) -> Flow {
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

    /// E0301 with the expected and found types.
    pub fn mismatch(&mut self, expr: &Expr, expected: &Ty, found: &Ty) {
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

/// The value of a member of type `ty`: secret when its type is, provision-time when
/// the member is; the origin is the whole reference.
fn member_value(
    flow: Flow,
    ty: &Ty,
    def: Option<Definition>,
    provision: bool,
    range: TextRange,
) -> Value {
    let mut flow = flow;
    if ty.is_secret() && flow.secret.is_none() {
        flow.secret = Some(Origin {
            range,
            declared: def.map(|def| (def.file, def.range)),
        });
    }
    if provision && flow.provision.is_none() {
        flow.provision = Some(Origin {
            range,
            declared: None,
        });
    }
    Value {
        ty: ty.clone(),
        flow,
        access: Access::ByType,
    }
}

/// Whether a value of this type can be written into a string.
fn interpolable(ty: &Ty) -> bool {
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
fn ordered(ty: &Ty) -> bool {
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
fn comparable(ty: &Ty) -> Ty {
    match ty.shape() {
        Ty::Secret => Ty::String,
        Ty::Port => Ty::Int,
        _ => strip_optional(ty),
    }
}

fn strip_optional(ty: &Ty) -> Ty {
    match ty {
        Ty::Optional(inner) => (**inner).clone(),
        other => other.clone(),
    }
}
