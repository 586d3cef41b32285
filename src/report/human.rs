//! Diagnostics rendered for people, with miette: the source, the labels, the help.
//!
//! Secondary labels in the primary label's file are drawn with it; those in other files
//! are drawn as related reports, each with its own source. Every text that comes from
//! the project (the source, messages, labels, help, paths) is drawn through
//! [`terminal`](super::terminal), so no control character of a file reaches the
//! terminal.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use plat_compiler::diagnostic::{Diagnostic, Label, Severity};
use plat_compiler::source::SourceFile;

use super::Located;
use super::terminal::{CleanSource, clean};

/// Width of rendered reports; fixed so that output does not depend on the terminal.
const WIDTH: usize = 100;

/// Source lines longer than this are not drawn: the label's place is printed instead.
/// (A drawing that wide helps no one, and miette cannot pad past 65,535 columns.)
const MAX_DRAWN_LINE: usize = 1_000;

pub fn render(located: &Located<'_>, diagnostics: &[Diagnostic], color: bool) -> String {
    let mut out = String::new();
    let notes = notes_handler(color);
    for diagnostic in diagnostics {
        let report = Rendered::new(located, diagnostic);
        let handler = handler(diagnostic, color);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}\n", report.heading));
        }
        // Labels in other files follow as notes, each with its own source.
        for part in &report.related {
            if notes.render_report(&mut out, part).is_err() {
                out.push_str(&format!("{}\n", part.heading));
            }
        }
        out.push('\n');
    }
    out
}

/// A report handler whose severity marks read like a compiler's: `error[E0204]:`, and
/// `waived[E0605]:` for a diagnostic a waiver accepts.
///
/// miette draws the severity mark before the message, so the mark carries the code.
fn handler(diagnostic: &Diagnostic, color: bool) -> GraphicalReportHandler {
    let mut theme = theme(color);
    let code = diagnostic.code.as_str();
    theme.characters.error = format!("error[{code}]:");
    theme.characters.warning = format!("warning[{code}]:");
    theme.characters.advice = if diagnostic.suppression.is_some() {
        format!("waived[{code}]:")
    } else {
        "note:".to_string()
    };
    themed(theme)
}

/// The handler of the notes that follow a diagnostic: labels in other files.
fn notes_handler(color: bool) -> GraphicalReportHandler {
    let mut theme = theme(color);
    theme.characters.advice = "note:".to_string();
    themed(theme)
}

fn theme(color: bool) -> GraphicalTheme {
    if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    }
}

fn themed(theme: GraphicalTheme) -> GraphicalReportHandler {
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
        let waiver = diagnostic.suppression.as_ref().map(|suppression| {
            suppression
                .at
                .clone()
                .with_message(format!("waived here: {}", suppression.justification))
        });
        let help = match &diagnostic.suppression {
            // The fix is no longer asked for: the waiver says why.
            Some(suppression) => Some(format!("waived: {}", suppression.justification)),
            None => diagnostic.help.clone(),
        };
        let mut rendered = Rendered {
            heading: clean(&heading).into_owned(),
            severity: match diagnostic.suppression {
                Some(_) => miette::Severity::Advice,
                None => severity(diagnostic.severity),
            },
            help: help.as_deref().map(|help| clean(help).into_owned()),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        };
        let Some(primary) = &diagnostic.primary else {
            return rendered;
        };
        let same_file = diagnostic
            .secondary
            .iter()
            .chain(&waiver)
            .filter(|label| label.file == primary.file);
        if std::iter::once(primary)
            .chain(same_file)
            .any(|label| too_wide(located, label))
        {
            rendered.heading = format!("{}\n{}", rendered.heading, undrawn(located, primary));
            return rendered;
        }
        let (named, text) = source(located, primary.file);
        rendered.source = Some(named);
        rendered.labels.push(labeled(&text, primary, true));
        for label in diagnostic.secondary.iter().chain(&waiver) {
            if label.file == primary.file {
                rendered.labels.push(labeled(&text, label, false));
            } else {
                rendered.related.push(Rendered::secondary(located, label));
            }
        }
        rendered
    }

    /// A secondary label in another file, shown as a related note.
    fn secondary(located: &Located<'_>, label: &Label) -> Self {
        let (named, text) = source(located, label.file);
        Rendered {
            heading: clean(label.message.as_deref().unwrap_or("related")).into_owned(),
            severity: miette::Severity::Advice,
            help: None,
            source: Some(named),
            labels: vec![labeled(&text, label, true)],
            related: Vec::new(),
        }
    }
}

/// Whether drawing `label` would show a line longer than [`MAX_DRAWN_LINE`] (the
/// lines it covers, and one of context on either side).
fn too_wide(located: &Located<'_>, label: &Label) -> bool {
    let text = label.file.text(located.db);
    let start = (label.range.start as usize).min(text.len());
    let end = (label.range.end as usize).clamp(start, text.len());
    let before = text.get(..start).unwrap_or_default();
    let from = before
        .rfind('\n')
        .and_then(|at| before.get(..at)?.rfind('\n').map(|at| at + 1).or(Some(0)))
        .unwrap_or(0);
    let after = text.get(end..).unwrap_or_default();
    let to = after
        .find('\n')
        .map(|at| {
            let rest = &after[at + 1..];
            end + at + 1 + rest.find('\n').unwrap_or(rest.len())
        })
        .unwrap_or(text.len());
    text.get(from..to)
        .unwrap_or_default()
        .split('\n')
        .any(|line| line.len() > MAX_DRAWN_LINE)
}

/// Where a label is, for a diagnostic whose source is not drawn.
fn undrawn(located: &Located<'_>, label: &Label) -> String {
    let place = located.place(label);
    let mut text = format!(
        "  --> {}:{}:{} (the source is not shown: a line is longer than {MAX_DRAWN_LINE} characters)",
        place.path, place.start.line, place.start.column
    );
    if let Some(message) = &label.message {
        text.push_str(&format!("\n  {message}"));
    }
    clean(&text).into_owned()
}

fn severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    }
}

/// The source of `file` as miette draws it (cleaned), and the cleaned text, whose
/// offsets the labels are mapped to.
fn source(located: &Located<'_>, file: SourceFile) -> (NamedSource<String>, CleanSource) {
    let text = CleanSource::new(file.text(located.db));
    let name = clean(&located.display_path(file)).into_owned();
    (NamedSource::new(name, text.text.clone()), text)
}

fn labeled(text: &CleanSource, label: &Label, primary: bool) -> LabeledSpan {
    let start = text.offset(label.range.start as usize);
    let end = text.offset(label.range.end as usize).max(start);
    let span = SourceSpan::from(start..end);
    let message = label.message.as_deref().map(|m| clean(m).into_owned());
    if primary {
        LabeledSpan::new_primary_with_span(message, span)
    } else {
        LabeledSpan::new_with_span(message, span)
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
