//! Evaluation: lowered expressions to [`Value`]s, in a [`Scope`].
//!
//! Invariants: evaluation is total (an expression that cannot be decided, such as a
//! comparison with a value known only after provisioning or a `match` that no arm
//! fits, is [`Value::Absent`]) and bounded ([`MAX_DEPTH`] nested expressions, beyond
//! which a value is `Absent`); it never panics and reports nothing (the checker has
//! judged every expression; the resolution judges the values it cares about). A value
//! built from a secret is secret: a field of a secret, an interpolation or a
//! comparison with a secret in it, an `if` or `match` whose condition is secret. An
//! interpolation whose parts are all known is a [`Value::String`], otherwise a
//! [`Value::Template`]. An interpolation whose text would be longer than
//! [`MAX_INTERPOLATED_BYTES`] is `Absent` (strings that interpolate each other, level
//! after level, would otherwise double in size at each one); the resolution reports it
//! where it is assigned.

use std::cmp::Ordering;

use crate::lowered::{Arm, BinaryOp, Expr, ExprId, Exprs, Name, Part, Quantifier};
use crate::resolve::scope::Scope;
use crate::resolve::value::{Deferred, TemplatePart, Value};
use crate::source::Db;
use crate::types::literal;

/// How deeply evaluation follows nested expressions (the parser caps nesting lower).
pub(crate) const MAX_DEPTH: usize = 512;

/// The longest text an interpolation may build.
pub(crate) const MAX_INTERPOLATED_BYTES: usize = 64 * 1024;

/// Evaluates the expression `id` of `exprs` in `scope`.
pub(crate) fn eval<'db>(db: &'db dyn Db, scope: &Scope, exprs: &Exprs<'db>, id: ExprId) -> Value {
    evaluate(db, scope, exprs, id).value
}

/// A value, and the `match` expressions that no arm fitted while computing it.
pub(crate) struct Evaluated {
    pub(crate) value: Value,
    /// Each `match` whose value was decided at compile time (or left out) and that no
    /// pattern matched, in the order evaluated.
    pub(crate) unmatched: Vec<ExprId>,
}

/// Evaluates the expression `id` of `exprs` in `scope`, keeping the `match`
/// expressions that had no arm for their value.
pub(crate) fn evaluate<'db>(
    db: &'db dyn Db,
    scope: &Scope,
    exprs: &Exprs<'db>,
    id: ExprId,
) -> Evaluated {
    let mut evaluator = Evaluator {
        db,
        scope,
        exprs,
        depth: 0,
        unmatched: Vec::new(),
    };
    let value = evaluator.expr(id);
    Evaluated {
        value,
        unmatched: evaluator.unmatched,
    }
}

/// Wraps `value` as a secret (once), unless it is absent.
pub(crate) fn secret(value: Value) -> Value {
    match value {
        Value::Secret(_) | Value::Absent => value,
        other => Value::Secret(Box::new(other)),
    }
}

/// The value of a field of `base`: a field of a secret is secret; a field of a
/// Terraform module output reads further into it.
pub(crate) fn field(base: &Value, name: &str) -> Value {
    match base {
        Value::Secret(inner) => secret(field(inner, name)),
        Value::Map(entries) => entries.get(name).cloned().unwrap_or(Value::Absent),
        Value::Deferred(deferred) => match &**deferred {
            Deferred::ModuleOutput { instance, path } => {
                let mut path = path.clone();
                path.push(name.to_string());
                Value::Deferred(Box::new(Deferred::ModuleOutput {
                    instance: instance.clone(),
                    path,
                }))
            }
            Deferred::GeneratedPassword { .. } => Value::Absent,
        },
        _ => Value::Absent,
    }
}

struct Evaluator<'s, 'db> {
    db: &'db dyn Db,
    scope: &'s Scope,
    exprs: &'s Exprs<'db>,
    depth: usize,
    unmatched: Vec<ExprId>,
}

impl<'db> Evaluator<'_, 'db> {
    fn expr(&mut self, id: ExprId) -> Value {
        if self.depth >= MAX_DEPTH {
            return Value::Absent;
        }
        self.depth += 1;
        let value = self.expr_inner(id);
        self.depth -= 1;
        value
    }

    fn expr_inner(&mut self, id: ExprId) -> Value {
        let exprs = self.exprs;
        match exprs.get(id) {
            Expr::Str(parts) => self.string(parts),
            Expr::Int(value) => Value::Int(*value),
            Expr::Float(text) => Value::Float(text.clone()),
            Expr::Quantity(text) => Value::Quantity(text.clone()),
            Expr::Bool(value) => Value::Bool(*value),
            Expr::Path(path) => self.path(&path.segments),
            Expr::Field { base, name } => {
                let base = self.expr(*base);
                field(&base, name.text(self.db))
            }
            Expr::List(items) => Value::List(items.iter().map(|item| self.expr(*item)).collect()),
            Expr::Record(entries) => {
                let mut map = std::collections::BTreeMap::new();
                for (key, value) in entries {
                    let key = key.text(self.db);
                    if !map.contains_key(key) {
                        let value = self.expr(*value);
                        map.insert(key.clone(), value);
                    }
                }
                Value::map(map)
            }
            Expr::If {
                condition,
                then_branch,
                else_branch,
            } => {
                let condition = self.expr(*condition);
                let chosen = match truth(&condition) {
                    Some(true) => self.expr(*then_branch),
                    Some(false) => self.expr(*else_branch),
                    None => Value::Absent,
                };
                keep_secret(&condition, chosen)
            }
            Expr::Match { scrutinee, arms } => {
                let scrutinee = self.expr(*scrutinee);
                let chosen = self.choose(id, &scrutinee, arms);
                keep_secret(&scrutinee, chosen)
            }
            Expr::Binary { op, lhs, rhs } => self.binary(*op, *lhs, *rhs),
            Expr::Not(operand) => {
                let operand = self.expr(*operand);
                let result = truth(&operand).map_or(Value::Absent, |value| Value::Bool(!value));
                keep_secret(&operand, result)
            }
            Expr::IsSet(operand) => {
                let operand = self.expr(*operand);
                let set = !matches!(operand.revealed(), Value::Absent);
                keep_secret(&operand, Value::Bool(set))
            }
            Expr::Matches { operand, pattern } => {
                let operand = self.expr(*operand);
                let result = match operand.revealed() {
                    Value::String(text) => {
                        Value::Bool(crate::types::pattern::matches(pattern, text))
                    }
                    _ => Value::Absent,
                };
                keep_secret(&operand, result)
            }
            Expr::Quantified {
                quantifier,
                binding,
                offering,
                list,
                condition,
            } => {
                let list = self.expr(*list);
                let result = self.quantified(
                    *quantifier,
                    binding.text(self.db),
                    offering.as_deref(),
                    &list,
                    *condition,
                );
                keep_secret(&list, result)
            }
            Expr::Error => Value::Absent,
        }
    }

    /// Whether `condition` holds for every item of `list` (or for some), with each item
    /// bound to `binding` in turn; only the instances of `offering` when it is named.
    /// `Absent` when that cannot be decided: the list, or the condition for an item
    /// that would decide, is not known.
    fn quantified(
        &mut self,
        quantifier: Quantifier,
        binding: &str,
        offering: Option<&str>,
        list: &Value,
        condition: ExprId,
    ) -> Value {
        let Value::List(items) = list.revealed() else {
            return Value::Absent;
        };
        let (decisive, otherwise) = match quantifier {
            Quantifier::Every => (false, true),
            Quantifier::Some => (true, false),
        };
        let mut undecided = false;
        for item in items.iter() {
            if let Some(offering) = offering
                && field(item, "offering") != Value::String(offering.to_string())
            {
                continue;
            }
            let mut scope = self.scope.clone();
            scope.bind(binding, item.clone());
            let mut inner = Evaluator {
                db: self.db,
                scope: &scope,
                exprs: self.exprs,
                depth: self.depth,
                unmatched: Vec::new(),
            };
            let holds = truth(&inner.expr(condition));
            self.unmatched.append(&mut inner.unmatched);
            match holds {
                Some(value) if value == decisive => return Value::Bool(decisive),
                Some(_) => {}
                None => undecided = true,
            }
        }
        if undecided {
            Value::Absent
        } else {
            Value::Bool(otherwise)
        }
    }

    /// A dotted name: a binding of the scope, then its fields. Walks by reference and
    /// copies only what it reads.
    fn path(&mut self, segments: &[Name<'db>]) -> Value {
        let db = self.db;
        let Some((first, rest)) = segments.split_first() else {
            return Value::Absent;
        };
        let first = first.text(db);
        let Some(root) = self.scope.get(first) else {
            return match self.scope.module() {
                Some(instance) if first == "module" => {
                    let module = Value::Deferred(Box::new(Deferred::ModuleOutput {
                        instance: instance.clone(),
                        path: Vec::new(),
                    }));
                    rest.iter()
                        .fold(module, |value, name| field(&value, name.text(db)))
                }
                _ => Value::Absent,
            };
        };
        let mut value = root;
        let mut secret_on_the_way = false;
        for (at, name) in rest.iter().enumerate() {
            match value {
                Value::Secret(inner) if matches!(**inner, Value::Map(_)) => {
                    secret_on_the_way = true;
                    if let Value::Map(entries) = &**inner {
                        value = entries.get(name.text(db)).unwrap_or(&Value::Absent);
                    }
                }
                Value::Map(entries) => {
                    value = entries.get(name.text(db)).unwrap_or(&Value::Absent);
                }
                other => {
                    // A module output or another value to read into: by value.
                    let owned = rest
                        .get(at..)
                        .unwrap_or_default()
                        .iter()
                        .fold(other.clone(), |value, name| field(&value, name.text(db)));
                    return keep_secret_if(secret_on_the_way, owned);
                }
            }
        }
        keep_secret_if(secret_on_the_way, value.clone())
    }

    fn string(&mut self, parts: &[Part<'db>]) -> Value {
        let mut template = TemplateBuilder::default();
        for part in parts {
            match part {
                Part::Text(text) => template.text(text),
                Part::Interpolation(path) => {
                    let value = self.path(&path.segments);
                    template.value(value);
                }
            }
        }
        template.finish()
    }

    /// The value of the first arm whose pattern matches; `Absent` when none does (and
    /// the `match`, `id`, is kept as unmatched).
    fn choose(&mut self, id: ExprId, scrutinee: &Value, arms: &[Arm]) -> Value {
        for arm in arms {
            let matched = match arm.pattern {
                None => Some(true),
                Some(pattern) => {
                    let pattern = self.expr(pattern);
                    equal(scrutinee, &pattern)
                }
            };
            match matched {
                Some(true) => return self.expr(arm.value),
                Some(false) => continue,
                None => return Value::Absent,
            }
        }
        self.unmatched.push(id);
        Value::Absent
    }

    fn binary(&mut self, op: BinaryOp, lhs: ExprId, rhs: ExprId) -> Value {
        let left = self.expr(lhs);
        // `&&` and `||` decide on their left operand when they can.
        match (op, truth(&left)) {
            (BinaryOp::And, Some(false)) => return keep_secret(&left, Value::Bool(false)),
            (BinaryOp::Or, Some(true)) => return keep_secret(&left, Value::Bool(true)),
            _ => {}
        }
        let right = self.expr(rhs);
        let result = match op {
            BinaryOp::And | BinaryOp::Or => truth(&left).and(truth(&right)),
            BinaryOp::Eq => equal(&left, &right),
            BinaryOp::NotEq => equal(&left, &right).map(|equal| !equal),
            BinaryOp::Less => order(&left, &right).map(Ordering::is_lt),
            BinaryOp::LessEq => order(&left, &right).map(Ordering::is_le),
            BinaryOp::Greater => order(&left, &right).map(Ordering::is_gt),
            BinaryOp::GreaterEq => order(&left, &right).map(Ordering::is_ge),
            BinaryOp::In => contains(&right, &left),
        };
        let result = result.map_or(Value::Absent, Value::Bool);
        let result = keep_secret(&left, result);
        keep_secret(&right, result)
    }
}

/// `value`, made secret when `secret` says so.
fn keep_secret_if(secret_: bool, value: Value) -> Value {
    if secret_ { secret(value) } else { value }
}

/// `result`, made secret when `from` is.
fn keep_secret(from: &Value, result: Value) -> Value {
    if from.is_secret() {
        secret(result)
    } else {
        result
    }
}

/// The boolean a value stands for, when it is known.
pub(crate) fn truth(value: &Value) -> Option<bool> {
    match value.revealed() {
        Value::Bool(value) => Some(*value),
        _ => None,
    }
}

/// Whether two values are equal; `None` when either is known only after
/// provisioning.
pub(crate) fn equal(a: &Value, b: &Value) -> Option<bool> {
    let (a, b) = (a.revealed(), b.revealed());
    if a.is_deferred() || b.is_deferred() {
        return None;
    }
    match (a, b) {
        (Value::List(a), Value::List(b)) => {
            if a.len() != b.len() {
                return Some(false);
            }
            let mut all = Some(true);
            for (x, y) in a.iter().zip(b.iter()) {
                match equal(x, y) {
                    Some(true) => {}
                    other => all = other,
                }
            }
            all
        }
        (Value::Map(a), Value::Map(b)) => {
            if a.len() != b.len() || a.keys().ne(b.keys()) {
                return Some(false);
            }
            Some(
                a.values()
                    .zip(b.values())
                    .all(|(x, y)| equal(x, y) == Some(true)),
            )
        }
        _ => match order(a, b) {
            Some(ordering) => Some(ordering.is_eq()),
            None => Some(a == b),
        },
    }
}

/// The order of two numbers or quantities of the same kind; `None` otherwise.
pub(crate) fn order(a: &Value, b: &Value) -> Option<Ordering> {
    let (a, b) = (a.revealed(), b.revealed());
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            number(a)?.partial_cmp(&number(b)?)
        }
        (
            Value::Int(_) | Value::Float(_) | Value::Quantity(_),
            Value::Int(_) | Value::Float(_) | Value::Quantity(_),
        ) => quantity_order(&a.as_text()?, &b.as_text()?),
        _ => None,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Int(value) => Some(*value as f64),
        Value::Float(text) => text.parse().ok(),
        _ => None,
    }
}

/// Two quantities compared in the first unit system both are written in: CPU, then
/// memory, then duration.
fn quantity_order(a: &str, b: &str) -> Option<Ordering> {
    type Parse = fn(&str) -> Result<u128, String>;
    let parsers: [Parse; 3] = [
        literal::parse_cpu,
        literal::parse_memory,
        literal::parse_duration,
    ];
    parsers.iter().find_map(|parse| match (parse(a), parse(b)) {
        (Ok(x), Ok(y)) => Some(x.cmp(&y)),
        _ => None,
    })
}

/// `needle in haystack`: an item of a list, a key of a map, a part of a string.
fn contains(haystack: &Value, needle: &Value) -> Option<bool> {
    match haystack.revealed() {
        Value::List(items) => {
            let mut unknown = false;
            for item in items.iter() {
                match equal(item, needle) {
                    Some(true) => return Some(true),
                    Some(false) => {}
                    None => unknown = true,
                }
            }
            if unknown { None } else { Some(false) }
        }
        Value::Map(entries) => needle
            .revealed()
            .as_text()
            .map(|key| entries.contains_key(&key)),
        Value::String(text) => needle.revealed().as_text().map(|part| text.contains(&part)),
        _ => None,
    }
}

/// Builds the value of an interpolated string.
#[derive(Default)]
struct TemplateBuilder {
    parts: Vec<TemplatePart>,
    secret: bool,
    /// The bytes of text so far.
    length: usize,
    /// Whether the text went past [`MAX_INTERPOLATED_BYTES`]: the result is `Absent`.
    too_long: bool,
}

impl TemplateBuilder {
    fn text(&mut self, text: &str) {
        if self.too_long {
            return;
        }
        self.length += text.len();
        if self.length > MAX_INTERPOLATED_BYTES {
            self.too_long = true;
            self.parts.clear();
            return;
        }
        if let Some(TemplatePart::Text(last)) = self.parts.last_mut() {
            last.push_str(text);
        } else if !text.is_empty() {
            self.parts.push(TemplatePart::Text(text.to_string()));
        }
    }

    fn value(&mut self, value: Value) {
        self.secret |= value.is_secret();
        let value = strip_secrets(value);
        if let Some(text) = value.as_text() {
            self.text(&text);
            return;
        }
        match value {
            Value::Absent => {}
            Value::Template(parts) => {
                for part in parts {
                    match part {
                        TemplatePart::Text(text) => self.text(&text),
                        TemplatePart::Value(value) => self.parts.push(TemplatePart::Value(value)),
                    }
                }
            }
            other => self.parts.push(TemplatePart::Value(other)),
        }
    }

    fn finish(self) -> Value {
        if self.too_long {
            return Value::Absent;
        }
        let known = self
            .parts
            .iter()
            .all(|part| matches!(part, TemplatePart::Text(_)));
        let value = if known {
            let text: String = self
                .parts
                .into_iter()
                .map(|part| match part {
                    TemplatePart::Text(text) => text,
                    TemplatePart::Value(_) => String::new(),
                })
                .collect();
            Value::String(text)
        } else {
            Value::Template(self.parts)
        };
        if self.secret { secret(value) } else { value }
    }
}

/// The value without any secret wrapper, at any depth (the caller keeps track of
/// the secrecy).
fn strip_secrets(value: Value) -> Value {
    match value {
        Value::Secret(inner) => strip_secrets(*inner),
        Value::Template(parts) => Value::Template(
            parts
                .into_iter()
                .map(|part| match part {
                    TemplatePart::Value(value) => TemplatePart::Value(strip_secrets(value)),
                    text => text,
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::scope::record;

    /// Evaluates `text`, written as a container's image, in [`scope`].
    fn run(text: &str) -> Value {
        let db = crate::source::Database::default();
        let source = format!("workload w {{ container c {{ image = {text} }} }}");
        let project = crate::project::from_texts(&db, &[("w.plat".to_string(), source)]);
        let file = *project
            .files(&db)
            .iter()
            .find(|file| file.path(&db) == "w.plat")
            .expect("the file");
        let lowered = crate::lowered::lowered_file(&db, project, file);
        let workload = &lowered.workloads[0];
        let image = workload.containers[0].fields.image.expect("an image");
        eval(&db, &scope(), &workload.exprs, image)
    }

    fn scope() -> Scope {
        let mut scope = Scope::new().with_module("api.db".into());
        scope.bind(
            "env",
            record([("name", Value::String("production".into()))]),
        );
        scope.bind(
            "db",
            record([
                ("host", Value::String("db.internal".into())),
                (
                    "password",
                    secret(Value::Deferred(Box::new(Deferred::GeneratedPassword {
                        instance: "api.db".into(),
                    }))),
                ),
            ]),
        );
        scope
    }

    #[test]
    fn interpolation_of_known_parts_is_a_string() {
        assert_eq!(
            run(r#""${db.host}/${env.name}""#),
            Value::String("db.internal/production".into())
        );
    }

    #[test]
    fn interpolation_of_a_secret_is_a_secret_template() {
        let value = run(r#""postgres://app:${db.password}@${db.host}""#);
        assert!(value.is_secret());
        assert!(value.is_deferred());
        let Value::Secret(inner) = value else {
            panic!("not a secret");
        };
        assert!(matches!(*inner, Value::Template(ref parts) if parts.len() == 3));
    }

    #[test]
    fn module_outputs_are_deferred_with_their_path() {
        assert_eq!(
            run("module.records.route.fqdn"),
            Value::Deferred(Box::new(Deferred::ModuleOutput {
                instance: "api.db".into(),
                path: vec!["records".into(), "route".into(), "fqdn".into()],
            }))
        );
    }

    #[test]
    fn conditions_comparisons_and_membership() {
        assert_eq!(
            run(r#"if env.name == "production" then 3 else 1"#),
            Value::Int(3)
        );
        assert_eq!(run(r#""latest" in ["1.0", "latest"]"#), Value::Bool(true));
        assert_eq!(run("2 >= 2 && !(1 > 2)"), Value::Bool(true));
        assert_eq!(run("500m < 1"), Value::Bool(true));
        assert_eq!(run("512Mi < 1Gi"), Value::Bool(true));
        assert_eq!(
            run(r#"match env.name { "staging" => 1, _ => 2 }"#),
            Value::Int(2)
        );
        assert_eq!(run(r#"match env.name { "staging" => 1 }"#), Value::Absent);
    }

    #[test]
    fn a_comparison_with_a_provision_time_value_is_undecided() {
        assert_eq!(run(r#"db.password == "x""#), Value::Absent);
    }

    #[test]
    fn unknown_names_are_absent() {
        assert_eq!(run("nothing.here"), Value::Absent);
    }
}
