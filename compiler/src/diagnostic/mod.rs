//! Diagnostics: what the compiler tells a user about their program.
//!
//! Invariants: a diagnostic is plain data with a stable [`Code`]; it points at source
//! through [`Label`]s (file and byte range) and never holds rendered text, so the same
//! value renders for a terminal, as JSON, as SARIF or for the language server. Every
//! diagnostic about a file has a primary label; only project-level problems (an empty
//! directory, an unreadable path) have none and name their `subject` instead. A
//! diagnostic may be waived ([`Suppression`]): it is still shown, with the reason and
//! where the waiver is written, but it does not fail a check.

mod codes;

pub use codes::Code;

use crate::file::SourceFile;
use crate::span::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A place in a file, with what to say about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    pub file: SourceFile,
    pub range: TextRange,
    pub message: Option<String>,
}

impl Label {
    pub fn new(file: SourceFile, range: TextRange) -> Self {
        Label {
            file,
            range,
            message: None,
        }
    }

    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }
}

/// Why a diagnostic is waived, and where: a policy's `waiver` in an environment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Suppression {
    /// The reason the waiver gives.
    pub justification: String,
    /// The waiver.
    pub at: Label,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// One sentence, lower case, no final period: `unknown output \`hots\``.
    pub message: String,
    pub primary: Option<Label>,
    pub secondary: Vec<Label>,
    /// What to do about it: `did you mean \`host\`?`.
    pub help: Option<String>,
    /// For project-level problems without a label: the path concerned.
    pub subject: Option<String>,
    /// Set when a waiver accepts the problem: it is shown, and does not fail a check.
    pub suppression: Option<Suppression>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity, pointing at `file` and `range`.
    pub fn new(code: Code, message: impl Into<String>, file: SourceFile, range: TextRange) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary: Some(Label::new(file, range)),
            secondary: Vec::new(),
            help: None,
            subject: None,
            suppression: None,
        }
    }

    /// A project-level diagnostic about a path that has no text to point into.
    pub fn about_path(code: Code, message: impl Into<String>, path: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            subject: Some(path.into()),
            suppression: None,
        }
    }

    /// Sets the message of the primary label.
    pub fn with_label(mut self, message: impl Into<String>) -> Self {
        if let Some(primary) = &mut self.primary {
            primary.message = Some(message.into());
        }
        self
    }

    pub fn with_secondary(mut self, label: Label) -> Self {
        self.secondary.push(label);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Waives the diagnostic: `justification` is the waiver's reason, `at` the waiver.
    pub fn waived(mut self, justification: impl Into<String>, at: Label) -> Self {
        self.suppression = Some(Suppression {
            justification: justification.into(),
            at,
        });
        self
    }

    /// Whether it fails a check: an error that no waiver accepts.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error && self.suppression.is_none()
    }
}

/// A diagnostic whose primary label is `at`, saying `label`.
pub fn located(code: Code, message: String, at: Label, label: impl Into<String>) -> Diagnostic {
    Diagnostic::new(code, message, at.file, at.range).with_label(label)
}

/// Sorts diagnostics by (file path, subject, start, code, end, message), project-level
/// ones (no file) first, and removes exact repeats: the one order every list of
/// diagnostics is shown in.
pub fn sort(db: &dyn salsa::Database, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by_cached_key(|diagnostic| {
        let (path, start, end) = match &diagnostic.primary {
            Some(label) => (
                Some(label.file.path(db).clone()),
                label.range.start,
                label.range.end,
            ),
            None => (None, 0, 0),
        };
        (
            path,
            diagnostic.subject.clone(),
            start,
            diagnostic.code,
            end,
            diagnostic.message.clone(),
        )
    });
    diagnostics.dedup();
}
