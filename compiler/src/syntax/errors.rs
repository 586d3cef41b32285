//! Turning the parser's errors into readable syntax errors.
//!
//! Invariants: expected-token lists name tokens the way users write them (`` `=` ``,
//! "a name", "an expression"); an error the parser meets at a token the lexer already
//! reported (an invalid character, a region cut for depth) is not reported twice, nor is
//! an error that follows the previous one within [`CASCADE_TOKENS`] tokens (a cascade);
//! the final list is sorted by position, holds at most one E0104 and at most
//! [`MAX_ERRORS`] errors.

use lalrpop_util::{ErrorRecovery, ParseError};

use super::SyntaxError;
use super::lexer::{Spanned, Tok};
use crate::diagnostic::Code;
use crate::span::TextRange;

type Error<'a> = ParseError<usize, Tok<'a>, SyntaxError>;

/// An error this few tokens after the previous one is taken as its consequence.
const CASCADE_TOKENS: usize = 2;

/// Converts an error from the parser; `None` for errors already reported by the
/// lexer (at an invalid character, at a region cut for depth, at a closer added for
/// an unclosed bracket).
pub(super) fn convert(error: Error<'_>, text: &str) -> Option<SyntaxError> {
    match error {
        ParseError::UnrecognizedToken {
            token: (_, Tok::Error, _),
            ..
        } => None,
        ParseError::UnrecognizedToken {
            token: (start, _, end),
            ..
        } if start == end && start == text.len() => None,
        other => Some(describe(other, text)),
    }
}

/// Converts the errors the parser recovered from, dropping repeats and cascades, and
/// errors at or after the point where the input was cut short.
pub(super) fn convert_recovered(
    recovered: Vec<ErrorRecovery<usize, Tok<'_>, SyntaxError>>,
    tokens: &[Spanned<'_>],
    text: &str,
    stopped_at: Option<usize>,
) -> Vec<SyntaxError> {
    let mut parser_errors = Vec::new();
    let mut out = Vec::new();
    for recovery in recovered {
        match recovery.error {
            ParseError::User { error } => out.push(error),
            error => parser_errors.push((position(&error, text), error)),
        }
    }
    parser_errors.sort_by_key(|(at, _)| *at);
    let mut last_index: Option<usize> = None;
    for (at, error) in parser_errors {
        if stopped_at.is_some_and(|stop| at >= stop) {
            continue;
        }
        let index = tokens.partition_point(|&(s, _, _)| s < at);
        let cascade = last_index.is_some_and(|last| index <= last + CASCADE_TOKENS);
        last_index = Some(index);
        if !cascade {
            out.extend(convert(error, text));
        }
    }
    out
}

/// Where in the text a parser error is.
fn position(error: &Error<'_>, text: &str) -> usize {
    match error {
        ParseError::UnrecognizedToken {
            token: (start, _, _),
            ..
        }
        | ParseError::ExtraToken {
            token: (start, _, _),
        } => *start,
        ParseError::InvalidToken { location } => *location,
        _ => text.len(),
    }
}

/// At most this many errors are reported for one file (binary junk yields thousands).
pub(super) const MAX_ERRORS: usize = 1_000;

/// Sorts the errors by position, keeps only the first E0104 and the first
/// [`MAX_ERRORS`] errors.
pub(super) fn finish(errors: &mut Vec<SyntaxError>) {
    errors.sort_by_key(|e| (e.range.start, e.range.end));
    let mut seen_too_deep = false;
    errors.retain(|e| {
        if e.code != Code::NestingTooDeep {
            return true;
        }
        let first = !seen_too_deep;
        seen_too_deep = true;
        first
    });
    errors.dedup();
    errors.truncate(MAX_ERRORS);
}

fn describe(error: Error<'_>, text: &str) -> SyntaxError {
    let end = text.len() as u32;
    match error {
        ParseError::UnrecognizedToken {
            token: (start, tok, stop),
            expected,
        } => {
            let at_eof = start == stop && start as u32 == end;
            let found = if at_eof {
                "end of file".to_string()
            } else {
                tok.describe()
            };
            unexpected(
                &found,
                &expected,
                tok,
                TextRange::new(start as u32, stop as u32),
            )
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let at = (location as u32).min(end);
            let mut error = unexpected("end of file", &expected, Tok::Error, TextRange::empty(at));
            error.label = Some("the file ends here".into());
            error
        }
        ParseError::ExtraToken {
            token: (start, tok, stop),
        } => SyntaxError::new(
            Code::UnexpectedToken,
            format!("unexpected {}", tok.describe()),
            TextRange::new(start as u32, stop as u32),
        )
        .with_label("expected the end of the file"),
        ParseError::InvalidToken { location } => SyntaxError::new(
            Code::UnexpectedToken,
            "unexpected token",
            TextRange::empty((location as u32).min(end)),
        ),
        ParseError::User { error } => error,
    }
}

fn unexpected(found: &str, expected: &[String], tok: Tok<'_>, range: TextRange) -> SyntaxError {
    let items = expected_items(expected);
    let short = items.len() <= 3;
    let wants_item = items.iter().any(|i| i == "a declaration");
    let list = join(items);
    let message = if list.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {list}, found {found}")
    };
    let label = if short && !list.is_empty() {
        format!("expected {list}")
    } else {
        "unexpected here".to_string()
    };
    let mut error = SyntaxError::new(Code::UnexpectedToken, message, range).with_label(label);
    if let Some(keyword) = tok
        .text()
        .filter(|k| k.chars().all(|c| c.is_ascii_alphabetic()))
        && expected.iter().any(|e| e == "\"IDENT\"")
    {
        error = error.with_help(format!(
            "`{keyword}` is a reserved keyword and cannot be used as a name"
        ));
    }
    if wants_item && error.help.is_none() {
        error = error.with_help(
            "a file holds `import`s and `type`, `offering`, `environment`, `workload` \
             and `policy` declarations",
        );
    }
    error
}

/// Tokens that can start an expression, as the grammar names them.
const EXPRESSION_STARTS: &[&str] = &[
    "STRING", "INT", "FLOAT", "QUANTITY", "IDENT", "true", "false", "workload", "[", "{", "(",
    "match", "!", "if", "every", "some",
];

/// Binary operators, as the grammar names them.
const OPERATORS: &[&str] = &[
    "==", "!=", "<", "<=", ">", ">=", "in", "&&", "||", "matching", "?",
];

/// Tokens that start a type.
const TYPE_STARTS: &[&str] = &["IDENT", "STRING", "{", "("];

/// Tokens that start a top-level item.
const ITEM_STARTS: &[&str] = &[
    "import",
    "type",
    "offering",
    "environment",
    "workload",
    "policy",
];

/// Tokens that can start a member (besides a name).
const MEMBER_STARTS: &[&str] = &["param", "output", "use", "require", "IDENT"];

/// The expected tokens as users write them, with groups folded: `` `=` ``, "a member".
fn expected_items(expected: &[String]) -> Vec<String> {
    let mut names: Vec<&str> = expected.iter().map(|e| e.trim_matches('"')).collect();
    let mut groups = Vec::new();
    fold(
        &mut names,
        &mut groups,
        &["INT", "[", "match"],
        EXPRESSION_STARTS,
        "an expression",
    );
    fold(
        &mut names,
        &mut groups,
        &["==", "&&"],
        OPERATORS,
        "an operator",
    );
    fold(
        &mut names,
        &mut groups,
        &["param", "require"],
        MEMBER_STARTS,
        "a member",
    );
    fold(
        &mut names,
        &mut groups,
        &["offering", "policy"],
        ITEM_STARTS,
        "a declaration",
    );
    fold(&mut names, &mut groups, TYPE_STARTS, TYPE_STARTS, "a type");
    let mut items: Vec<String> = names.iter().map(|n| show_terminal(n)).collect();
    items.extend(groups.into_iter().map(String::from));
    items
}

/// When every token of `marker` is expected, replaces the tokens of `members` by `group`.
fn fold(
    names: &mut Vec<&str>,
    groups: &mut Vec<&'static str>,
    marker: &[&str],
    members: &[&str],
    group: &'static str,
) {
    if marker.iter().all(|m| names.contains(m)) {
        names.retain(|n| !members.contains(n));
        groups.push(group);
    }
}

fn show_terminal(name: &str) -> String {
    match name {
        "IDENT" => "a name".into(),
        "STRING" => "a string".into(),
        "INT" => "an integer".into(),
        "FLOAT" => "a number".into(),
        "QUANTITY" => "a quantity".into(),
        other => format!("`{other}`"),
    }
}

fn join(mut items: Vec<String>) -> String {
    match items.len() {
        0 => String::new(),
        1 => items.remove(0),
        2 => format!("{} or {}", items[0], items[1]),
        _ => format!("one of {}", items.join(", ")),
    }
}
