//! Validating a Score file against the Score v1b1 JSON schema, embedded in the binary.
//!
//! Invariants: the schema is the published one, unchanged (`score-v1b1.json`, from
//! score-spec/spec, Apache-2.0); each violation becomes one E0802 at the node it is
//! about (at the unexpected key for an unknown field); messages never quote the
//! offending value, so that a secret pasted into a Score file is never echoed.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;

use super::yaml::Node;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::SourceFile;

/// The Score v1b1 workload schema (draft 2020-12).
const SCHEMA: &str = include_str!("score-v1b1.json");

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: serde_json::Value =
            serde_json::from_str(SCHEMA).expect("the embedded Score schema is JSON");
        jsonschema::validator_for(&schema).expect("the embedded Score schema is valid")
    })
}

/// Every schema violation of `root`, in the order of the file.
pub fn validate(root: &Node, file: SourceFile) -> Vec<Diagnostic> {
    let instance = root.to_json();
    let mut diagnostics: Vec<Diagnostic> = validator()
        .iter_errors(&instance)
        .map(|error| {
            let pointer = error.instance_path().as_str().to_string();
            let at = root.at_pointer(&pointer);
            let mut range = at.range;
            let mut message = error.masked().to_string();
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    if let Some(first) = unexpected.first() {
                        let key_pointer = format!("{pointer}/{}", escape(first));
                        if let Some(key) = root.key_at_pointer(&key_pointer) {
                            range = key.range;
                        }
                        message = format!(
                            "unknown field `{}` in {}",
                            unexpected.join("`, `"),
                            describe(&pointer)
                        );
                    }
                }
                ValidationErrorKind::Required { property } => {
                    let name = property.as_str().unwrap_or_default();
                    message = format!("{} has no `{name}`", describe(&pointer));
                    if let Some(key) = root.key_at_pointer(&pointer) {
                        range = key.range;
                    }
                }
                _ => {
                    message = format!("{}: {message}", describe(&pointer));
                }
            }
            Diagnostic::new(Code::InvalidScore, message, file, range)
                .with_label("not valid against the Score v1b1 schema")
        })
        .collect();
    diagnostics.sort_by_key(|d| d.primary.as_ref().map(|label| label.range.start));
    diagnostics.dedup_by(|a, b| a.message == b.message && a.primary == b.primary);
    diagnostics
}

/// `/containers/main/image` as `containers.main.image`; the root as `the file`.
fn describe(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the file".to_string();
    }
    let path: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|part| part.replace("~1", "/").replace("~0", "~"))
        .collect();
    format!("`{}`", path.join("."))
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
