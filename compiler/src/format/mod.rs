//! The formatter: a file's syntax tree and comments printed back in the one canonical
//! style of `plat fmt` (described in `docs/language.md`, "Formatting").
//!
//! Invariants, for every text that parses without syntax errors:
//! - meaning-preserving: the output parses without errors to the same tree as the input,
//!   ranges aside (docs included). The output's tokens are the input's, in the same
//!   order, except that optional commas are dropped or added (and an empty `<>` after a
//!   type name is dropped); strings and numbers are copied from the source as written,
//!   and parentheses are kept where they were;
//! - comment-preserving: every comment is kept, with its text, in the same place
//!   between the same tokens (a comment that ended a line still ends it; trailing
//!   whitespace of `//` comments aside);
//! - idempotent: formatting the output again gives the output;
//! - total and deterministic: no input makes it panic, and the output depends on the
//!   text alone.
//!
//! [`format_text`] checks the first two on its own output before returning it, so a
//! bug here can refuse to format a file but cannot change what it means. A text with
//! syntax errors is refused: the caller leaves it as it is.

mod exprs;
mod items;
mod printer;
mod strip;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::syntax::{self, Comment, CommentKind, SyntaxError};

pub use printer::WIDTH;
pub use strip::without_ranges;

/// Why a text was not formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The text has syntax errors (sorted by position); it is left as it is.
    Syntax(Vec<SyntaxError>),
    /// The formatted text would not have meant the same, or would have lost a comment.
    /// This is a bug in the formatter; the text is left as it is.
    Unstable(String),
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::Syntax(errors) => {
                let count = errors.len();
                write!(
                    f,
                    "{count} syntax error{}",
                    if count == 1 { "" } else { "s" }
                )?;
                if let Some(first) = errors.first() {
                    write!(f, ", the first: {}", first.message)?;
                }
                Ok(())
            }
            FormatError::Unstable(why) => write!(f, "the formatter would have {why}"),
        }
    }
}

impl std::error::Error for FormatError {}

/// `text` in the canonical style; see the module invariants.
pub fn format_text(text: &str) -> Result<String, FormatError> {
    let parsed = syntax::parse(text);
    if !parsed.errors.is_empty() {
        return Err(FormatError::Syntax(parsed.errors));
    }
    let output = print(text, &parsed);
    verify(text, &parsed, &output)?;
    Ok(output)
}

/// Prints the tree of `text` (parsed as `parsed`) in the canonical style, unchecked.
fn print(text: &str, parsed: &syntax::Parse) -> String {
    let tokens = syntax::lexer::lex(text).tokens;
    let mut printer = printer::Printer::new(text, tokens, &parsed.comments);
    printer.module(&parsed.module);
    printer.finish()
}

/// Checks that `output` means what `input` (parsed as `before`) means, comments included.
fn verify(input: &str, before: &syntax::Parse, output: &str) -> Result<(), FormatError> {
    let after = syntax::parse(output);
    if !after.errors.is_empty() {
        return Err(FormatError::Unstable("introduced a syntax error".into()));
    }
    if without_ranges(&before.module) != without_ranges(&after.module) {
        return Err(FormatError::Unstable("changed the syntax tree".into()));
    }
    let same_comments =
        before.comments.len() == after.comments.len()
            && before.comments.iter().zip(&after.comments).all(|(a, b)| {
                comment_text(input, a) == comment_text(output, b) && a.kind == b.kind
            });
    if !same_comments {
        return Err(FormatError::Unstable("changed a comment".into()));
    }
    Ok(())
}

/// The text of a comment, as the formatter keeps it.
pub fn comment_text<'t>(text: &'t str, comment: &Comment) -> &'t str {
    let raw = text.get(comment.range.as_range()).unwrap_or_default();
    match comment.kind {
        CommentKind::Doc => raw.trim_end_matches('\r'),
        CommentKind::Line => raw.trim_end(),
        CommentKind::Block => raw,
    }
}
