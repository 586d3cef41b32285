//! Diagnostics: the compiler's `Diagnostic`s as LSP diagnostics, grouped by document.
//!
//! Invariant: the server shows exactly what `plat check` reports for the same texts
//! (the project's diagnostics from [`check_project`], grouped by the file of their
//! primary label), with the primary range, the secondary labels as related
//! information, the code, and the help appended to the message. Project-level
//! diagnostics without a file are not shown in a document.

use std::collections::BTreeMap;

use plat_compiler::check::check_project;
use plat_compiler::diagnostic::{Diagnostic, Severity};
use plat_compiler::source::SourceFile;
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri,
};

use crate::snapshot::Snapshot;

/// The diagnostics of every project file that has some, by URI.
pub fn project_diagnostics(snapshot: &Snapshot) -> BTreeMap<Uri, Vec<lsp::Diagnostic>> {
    let db = &snapshot.db;
    let mut by_uri: BTreeMap<Uri, Vec<lsp::Diagnostic>> = BTreeMap::new();
    for diagnostic in check_project(db, snapshot.project) {
        let Some(primary) = &diagnostic.primary else {
            continue;
        };
        let Some(uri) = snapshot.paths.uri_of(db, primary.file) else {
            continue;
        };
        by_uri
            .entry(uri)
            .or_default()
            .push(convert(snapshot, primary.file, diagnostic));
    }
    by_uri
}

/// One diagnostic whose primary label is in `file`.
pub fn convert(snapshot: &Snapshot, file: SourceFile, diagnostic: &Diagnostic) -> lsp::Diagnostic {
    let db = &snapshot.db;
    let map = snapshot.line_map(file);
    let range = diagnostic
        .primary
        .as_ref()
        .map(|label| map.range(label.range))
        .unwrap_or_default();
    let mut message = diagnostic.message.clone();
    if let Some(label) = diagnostic.primary.as_ref().and_then(|l| l.message.as_ref()) {
        message.push_str(&format!("\n{label}"));
    }
    match &diagnostic.suppression {
        Some(suppression) => {
            message.push_str(&format!("\nwaived: {}", suppression.justification));
        }
        None => {
            if let Some(help) = &diagnostic.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
        }
    }
    let waiver = diagnostic.suppression.as_ref().map(|suppression| {
        suppression
            .at
            .clone()
            .with_message(format!("waived here: {}", suppression.justification))
    });
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .secondary
        .iter()
        .chain(&waiver)
        .filter_map(|label| {
            let uri = snapshot.paths.uri_of(db, label.file)?;
            let range = snapshot.line_map(label.file).range(label.range);
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, range),
                message: label.message.clone().unwrap_or_default(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range,
        // A waived problem is information: it is accepted, and fails nothing.
        severity: Some(match (diagnostic.severity, &diagnostic.suppression) {
            (_, Some(_)) => DiagnosticSeverity::INFORMATION,
            (Severity::Error, None) => DiagnosticSeverity::ERROR,
            (Severity::Warning, None) => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.as_str().to_string())),
        source: Some("plat".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        data: diagnostic
            .help
            .as_ref()
            .map(|help| serde_json::Value::String(help.clone())),
        ..Default::default()
    }
}
