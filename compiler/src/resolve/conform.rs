//! Values against their declared types, once an environment has decided them.
//!
//! Invariants: [`seal`] wraps every part of a value whose declared type is `secret` in
//! [`Value::Secret`], so that sensitivity travels with the value from then on;
//! [`misfit`] says why a decided value does not fit its type (shape, enum, range,
//! pattern, port, quantity and built-in formats), and says nothing about values known
//! only after provisioning, which cannot be judged yet. Both are bounded in depth and
//! never panic.

use std::sync::Arc;

use crate::resolve::eval::secret;
use crate::resolve::value::Value;
use crate::types::literal;
use crate::types::ty::{Constraint, Ty, range_text};

const MAX_DEPTH: usize = 64;

/// `value` with every part that `ty` declares secret wrapped in [`Value::Secret`].
pub(crate) fn seal(value: Value, ty: &Ty) -> Value {
    seal_at(value, ty, 0)
}

fn seal_at(value: Value, ty: &Ty, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return value;
    }
    if ty.is_secret() {
        return secret(value);
    }
    match (ty.shape(), value) {
        (Ty::List(item), Value::List(items)) => Value::List(
            items
                .iter()
                .map(|value| seal_at(value.clone(), item, depth + 1))
                .collect(),
        ),
        (Ty::Map(item), Value::Map(entries)) => Value::map(
            Arc::unwrap_or_clone(entries)
                .into_iter()
                .map(|(key, value)| (key, seal_at(value, item, depth + 1)))
                .collect(),
        ),
        (Ty::Record(fields), Value::Map(entries)) => Value::map(
            Arc::unwrap_or_clone(entries)
                .into_iter()
                .map(|(key, value)| {
                    let value = match fields.iter().find(|field| field.name == key) {
                        Some(field) => seal_at(value, &field.ty, depth + 1),
                        None => value,
                    };
                    (key, value)
                })
                .collect(),
        ),
        (_, value) => value,
    }
}

/// Why `value` does not fit `ty`, in a phrase for a label: ``"`\"Api\"` does not match
/// the pattern `^[a-z]+$`"``. `None` when it fits, or cannot be judged before
/// provisioning.
pub(crate) fn misfit(value: &Value, ty: &Ty) -> Option<String> {
    misfit_at(value, ty, 0)
}

fn misfit_at(value: &Value, ty: &Ty, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH || value.is_deferred() {
        return None;
    }
    let value = value.revealed();
    match ty {
        Ty::Alias(_, inner) => misfit_at(value, inner, depth + 1),
        Ty::Optional(inner) => match value {
            Value::Absent => None,
            _ => misfit_at(value, inner, depth + 1),
        },
        Ty::Constrained(base, Constraint::Range { min, max })
            if matches!(base.shape(), Ty::Duration) =>
        {
            misfit_at(value, base, depth + 1).or_else(|| seconds_misfit(value, *min, *max))
        }
        Ty::Constrained(base, Constraint::WholeSeconds) => {
            fraction_misfit(value).or_else(|| misfit_at(value, base, depth + 1))
        }
        Ty::Constrained(base, constraint) => {
            misfit_at(value, base, depth + 1).or_else(|| constraint_misfit(value, constraint))
        }
        _ => shape_misfit(value, ty, depth),
    }
}

fn shape_misfit(value: &Value, ty: &Ty, depth: usize) -> Option<String> {
    let fits = match (ty, value) {
        (Ty::Any | Ty::Error | Ty::Ref(_) | Ty::Quantity, _) => true,
        (_, Value::Absent) => return Some("it has no value".to_string()),
        (Ty::String | Ty::Secret, Value::String(_)) => true,
        (Ty::Int, Value::Int(_)) | (Ty::Float, Value::Int(_) | Value::Float(_)) => true,
        (Ty::Bool, Value::Bool(_)) => true,
        (Ty::Port, Value::Int(port)) => {
            return (!(1..=65535).contains(port))
                .then(|| format!("`{port}` is not a port (1 to 65535)"));
        }
        (
            Ty::Cpu | Ty::Memory | Ty::Duration,
            Value::Int(_) | Value::Float(_) | Value::Quantity(_),
        ) => {
            return quantity_misfit(value, ty);
        }
        (Ty::Enum(variants), Value::String(text)) => {
            return (!variants.contains(text)).then(|| {
                let quoted: Vec<String> = variants.iter().map(|v| format!("`\"{v}\"`")).collect();
                format!("`\"{text}\"` is not one of {}", quoted.join(", "))
            });
        }
        (Ty::List(item), Value::List(items)) => {
            return items
                .iter()
                .find_map(|value| misfit_at(value, item, depth + 1));
        }
        (Ty::Map(item), Value::Map(entries)) => {
            return entries
                .values()
                .find_map(|value| misfit_at(value, item, depth + 1));
        }
        (Ty::Record(fields), Value::Map(entries)) => {
            if let Some(unknown) = entries
                .keys()
                .find(|key| !fields.iter().any(|field| &field.name == *key))
            {
                return Some(format!("it has no field `{unknown}`"));
            }
            return fields
                .iter()
                .find_map(|field| match entries.get(&field.name) {
                    None | Some(Value::Absent) if field.required => {
                        Some(format!("the field `{}` has no value", field.name))
                    }
                    None => None,
                    Some(value) => misfit_at(value, &field.ty, depth + 1),
                });
        }
        _ => false,
    };
    (!fits).then(|| format!("{} is not a `{ty}`", describe(value)))
}

fn quantity_misfit(value: &Value, ty: &Ty) -> Option<String> {
    let text = value.as_text()?;
    let result = match ty {
        Ty::Cpu => literal::parse_cpu(&text),
        Ty::Memory => literal::parse_memory(&text),
        _ => literal::parse_duration(&text),
    };
    result
        .err()
        .map(|reason| format!("`{text}` is not a `{ty}`: {reason}"))
}

/// A duration against a range of seconds.
fn seconds_misfit(value: &Value, min: Option<i64>, max: Option<i64>) -> Option<String> {
    let text = value.as_text()?;
    let seconds = literal::parse_duration(&text).ok()? as f64 / 1000.0;
    outside(seconds, min, max).map(|bounds| format!("`{text}` is not in `{bounds}` seconds"))
}

/// A duration that is not a whole number of seconds.
fn fraction_misfit(value: &Value) -> Option<String> {
    let text = value.as_text()?;
    let millis = literal::parse_duration(&text).ok()?;
    (millis % 1000 != 0).then(|| format!("`{text}` is not a whole number of seconds"))
}

/// The bounds as written, when `number` is outside them.
fn outside(number: f64, min: Option<i64>, max: Option<i64>) -> Option<String> {
    let below = min.is_some_and(|min| number < min as f64);
    let above = max.is_some_and(|max| number > max as f64);
    (below || above).then(|| range_text(min, max))
}

fn constraint_misfit(value: &Value, constraint: &Constraint) -> Option<String> {
    match (constraint, value) {
        (Constraint::Range { min, max }, Value::Int(_) | Value::Float(_)) => {
            let number = match value {
                Value::Int(int) => *int as f64,
                Value::Float(text) => text.parse::<f64>().ok()?,
                _ => return None,
            };
            outside(number, *min, *max)
                .map(|bounds| format!("{} is not in `{bounds}`", describe(value)))
        }
        (Constraint::Pattern(pattern), Value::String(text)) => {
            (!crate::types::pattern::matches(pattern, text))
                .then(|| format!("`\"{text}\"` does not match the pattern `{pattern}`"))
        }
        (Constraint::Format(format), Value::String(text)) => format
            .check(text)
            .err()
            .map(|reason| format!("`\"{text}\"`: {reason}")),
        (Constraint::Keys(format), Value::Map(entries)) => entries.keys().find_map(|key| {
            format
                .check(key)
                .err()
                .map(|reason| format!("the key `\"{key}\"`: {reason}"))
        }),
        _ => None,
    }
}

/// A value as a label shows it: `` `"api"` ``, `` `3` ``, `a list`.
pub(crate) fn describe(value: &Value) -> String {
    match value.revealed() {
        Value::String(text) => format!("`\"{text}\"`"),
        Value::Absent => "nothing".to_string(),
        Value::List(_) => "a list".to_string(),
        Value::Map(_) => "a record".to_string(),
        Value::Template(_) | Value::Deferred(_) => "a value known at provision time".to_string(),
        other => other
            .as_text()
            .map_or_else(|| "a value".to_string(), |text| format!("`{text}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ty::FieldTy;
    use std::collections::BTreeMap;

    fn pattern(p: &str) -> Ty {
        Ty::Constrained(Box::new(Ty::String), Constraint::Pattern(p.to_string()))
    }

    #[test]
    fn secrets_are_sealed_by_type() {
        let ty = Ty::Record(vec![
            FieldTy::new("user", Ty::String),
            FieldTy::new("password", Ty::Secret),
        ]);
        let value = Value::map(BTreeMap::from([
            ("user".to_string(), Value::String("app".into())),
            ("password".to_string(), Value::String("x".into())),
        ]));
        let Value::Map(sealed) = seal(value, &ty) else {
            panic!("not a map");
        };
        assert!(!sealed["user"].is_secret());
        assert!(sealed["password"].is_secret());
    }

    #[test]
    fn misfits_are_explained() {
        let ty = pattern("^[a-z_]+$");
        assert_eq!(misfit(&Value::String("ok_name".into()), &ty), None);
        assert_eq!(
            misfit(&Value::String("checkout-api".into()), &ty).as_deref(),
            Some("`\"checkout-api\"` does not match the pattern `^[a-z_]+$`")
        );
        assert!(misfit(&Value::Int(70000), &Ty::Port).is_some());
        assert!(misfit(&Value::Int(5), &Ty::int_in(0, 3)).is_some());
        assert!(misfit(&Value::Quantity("512MB".into()), &Ty::Memory).is_some());
        assert_eq!(misfit(&Value::Absent, &Ty::optional(Ty::String)), None);
        let deferred = Value::Deferred(Box::new(
            crate::resolve::value::Deferred::GeneratedPassword {
                instance: "a".into(),
            },
        ));
        assert_eq!(misfit(&deferred, &Ty::Int), None);
    }
}
