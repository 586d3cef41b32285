//! Diagnostics as JSON: an array with one object per diagnostic.
//!
//! Each object has `code`, `severity`, `message`, `file`, `start` and `end` (1-based
//! `line` and `column`, columns in Unicode scalar values; `null` for problems with a
//! whole path), `help` (or `null`), `labels` (the secondary labels, same shape) and
//! `waiver` (`null`, or for a waived problem the waiver's `reason`, `file`, `start` and
//! `end`; a waived problem does not fail the check).

use plat_compiler::diagnostic::{Diagnostic, Label};
use serde_json::{Value, json};

use super::Located;
use super::location::Place;

pub fn render(located: &Located<'_>, diagnostics: &[Diagnostic]) -> String {
    let objects: Vec<Value> = diagnostics.iter().map(|d| object(located, d)).collect();
    serde_json::to_string_pretty(&objects).unwrap_or_else(|_| "[]".to_string())
}

fn object(located: &Located<'_>, diagnostic: &Diagnostic) -> Value {
    let (file, start, end, label) = match &diagnostic.primary {
        Some(primary) => {
            let place = located.place(primary);
            (
                Value::String(place.path.clone()),
                position(&place, true),
                position(&place, false),
                primary.message.clone(),
            )
        }
        None => (
            diagnostic
                .subject
                .as_ref()
                .map(|subject| Value::String(located.display_subject(subject)))
                .unwrap_or(Value::Null),
            Value::Null,
            Value::Null,
            None,
        ),
    };
    json!({
        "code": diagnostic.code.as_str(),
        "severity": diagnostic.severity.as_str(),
        "message": diagnostic.message,
        "file": file,
        "start": start,
        "end": end,
        "label": label,
        "help": diagnostic.help,
        "labels": diagnostic.secondary.iter().map(|l| secondary(located, l)).collect::<Vec<_>>(),
        "waiver": diagnostic.suppression.as_ref().map(|suppression| {
            let place = located.place(&suppression.at);
            json!({
                "reason": suppression.justification,
                "file": place.path,
                "start": position(&place, true),
                "end": position(&place, false),
            })
        }),
    })
}

fn secondary(located: &Located<'_>, label: &Label) -> Value {
    let place = located.place(label);
    json!({
        "file": place.path,
        "start": position(&place, true),
        "end": position(&place, false),
        "message": label.message,
    })
}

fn position(place: &Place, start: bool) -> Value {
    let at = if start { place.start } else { place.end };
    json!({ "line": at.line, "column": at.column })
}
