//! Diagnostics rendered for people, with miette: the source, the labels, the help.
//!
//! Secondary labels in the primary label's file are drawn with it; those in other files
//! are drawn as related reports, each with its own source.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use plat_compiler::diagnostic::{Diagnostic, Label, Severity};
use plat_compiler::source::SourceFile;

use super::Located;

/// Width of rendered reports; fixed so that output does not depend on the terminal.
const WIDTH: usize = 100;

pub fn render(located: &Located<'_>, diagnostics: &[Diagnostic], color: bool) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = Rendered::new(located, diagnostic);
        let handler = handler(diagnostic, color);
        // Labels in other files follow as notes, each with its own source.
        for part in std::iter::once(&report).chain(&report.related) {
            if handler.render_report(&mut out, part).is_err() {
                out.push_str(&format!("{}\n", part.heading));
            }
        }
        out.push('\n');
    }
    out
}

/// A report handler whose severity marks read like a compiler's: `error[E0204]:`.
///
/// miette draws the severity mark before the message, so the mark carries the code.
fn handler(diagnostic: &Diagnostic, color: bool) -> GraphicalReportHandler {
    let mut theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let code = diagnostic.code.as_str();
    theme.characters.error = format!("error[{code}]:");
    theme.characters.warning = format!("warning[{code}]:");
    theme.characters.advice = "note:".to_string();
    GraphicalReportHandler::new_themed(theme)
        .with_width(WIDTH)
        .with_links(false)
        .with_context_lines(1)
}

/// One diagnostic as miette sees it.
struct Rendered {
    heading: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

impl Rendered {
    fn new(located: &Located<'_>, diagnostic: &Diagnostic) -> Self {
        let heading = match &diagnostic.subject {
            Some(subject) if diagnostic.primary.is_none() => {
                format!(
                    "{}: {}",
                    located.display_subject(subject),
                    diagnostic.message
                )
            }
            _ => diagnostic.message.clone(),
        };
        let mut rendered = Rendered {
            heading,
            severity: severity(diagnostic.severity),
            help: diagnostic.help.clone(),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        };
        let Some(primary) = &diagnostic.primary else {
            return rendered;
        };
        rendered.source = Some(source(located, primary.file));
        rendered.labels.push(labeled(primary, true));
        for label in &diagnostic.secondary {
            if label.file == primary.file {
                rendered.labels.push(labeled(label, false));
            } else {
                rendered.related.push(Rendered::secondary(located, label));
            }
        }
        rendered
    }

    /// A secondary label in another file, shown as a related note.
    fn secondary(located: &Located<'_>, label: &Label) -> Self {
        Rendered {
            heading: label
                .message
                .clone()
                .unwrap_or_else(|| "related".to_string()),
            severity: miette::Severity::Advice,
            help: None,
            source: Some(source(located, label.file)),
            labels: vec![labeled(label, true)],
            related: Vec::new(),
        }
    }
}

fn severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    }
}

fn source(located: &Located<'_>, file: SourceFile) -> NamedSource<String> {
    NamedSource::new(located.display_path(file), file.text(located.db).clone())
}

fn labeled(label: &Label, primary: bool) -> LabeledSpan {
    let span = SourceSpan::from(label.range.start as usize..label.range.end as usize);
    if primary {
        LabeledSpan::new_primary_with_span(label.message.clone(), span)
    } else {
        LabeledSpan::new_with_span(label.message.clone(), span)
    }
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.heading)
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.heading)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|source| source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}
