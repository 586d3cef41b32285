//! Diagnostics as a SARIF 2.1.0 log, for code-scanning services in CI.
//!
//! Every code is a rule (with its title and explanation) so that a result's `ruleIndex`
//! is stable; columns are counted in Unicode code points, as the log declares. A
//! problem a waiver accepts is a result with an accepted in-source suppression, whose
//! justification is the waiver's reason and whose location is the waiver.

use plat_compiler::diagnostic::{Code, Diagnostic, Label, Severity};
use serde_json::{Value, json};

use super::Located;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(located: &Located<'_>, diagnostics: &[Diagnostic]) -> String {
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "plat",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": Code::ALL.iter().map(|code| rule(*code)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": diagnostics.iter().map(|d| result(located, d)).collect::<Vec<_>>(),
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

fn rule(code: Code) -> Value {
    json!({
        "id": code.as_str(),
        "name": code.title(),
        "shortDescription": { "text": code.title() },
        "fullDescription": { "text": code.explanation() },
        "help": { "text": code.explanation(), "markdown": code.explanation() },
        "defaultConfiguration": { "level": level(code.default_severity()) },
    })
}

fn result(located: &Located<'_>, diagnostic: &Diagnostic) -> Value {
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let locations: Vec<Value> = match (&diagnostic.primary, &diagnostic.subject) {
        (Some(primary), _) => vec![location(located, primary)],
        (None, Some(subject)) => vec![json!({ "physicalLocation": {
            "artifactLocation": { "uri": located.display_subject(subject) }
        }})],
        (None, None) => Vec::new(),
    };
    let index = Code::ALL
        .iter()
        .position(|code| *code == diagnostic.code)
        .unwrap_or_default();
    let mut result = json!({
        "ruleId": diagnostic.code.as_str(),
        "ruleIndex": index,
        "level": level(diagnostic.severity),
        "message": { "text": text },
        "locations": locations,
        "relatedLocations": diagnostic.secondary.iter().map(|l| location(located, l)).collect::<Vec<_>>(),
    });
    if let Some(suppression) = &diagnostic.suppression {
        result["suppressions"] = json!([{
            "kind": "inSource",
            "status": "accepted",
            "justification": suppression.justification,
            "location": location(located, &suppression.at),
        }]);
    }
    result
}

fn location(located: &Located<'_>, label: &Label) -> Value {
    let place = located.place(label);
    let mut value = json!({ "physicalLocation": {
        "artifactLocation": { "uri": place.path },
        "region": {
            "startLine": place.start.line,
            "startColumn": place.start.column,
            "endLine": place.end.line,
            "endColumn": place.end.column,
        }
    }});
    if let Some(message) = &label.message {
        value["message"] = json!({ "text": message });
    }
    value
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}
