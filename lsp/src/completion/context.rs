//! What is being written at the cursor, worked out from the compiler's tokens.
//!
//! Invariant: the context is decided by the tokens before the cursor (and, inside a
//! string, by the `${...}` the cursor is in), never by the text of the line; line
//! breaks matter only as the tokens' positions show them (a member starts on a new
//! line). The text being typed can be blanked out ([`Context::repaired`]) so that the
//! tree the completion reads is the one of the file without it: a half-written
//! `cart.` does not break the block it is typed in.

use plat_compiler::span::TextRange;
use plat_compiler::syntax::Tok;
use plat_compiler::syntax::lexer::{self, Spanned};

/// What may be written at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// The members of what `path` names: after `db.`, `env.`, `api.`, `db.host.`.
    MemberOf(Vec<String>),
    /// An offering, after `name:` at the start of a member.
    Offering,
    /// An environment, after `override`.
    Environment,
    /// A value: after `field =` (or in its list), or in a `${...}`; `within` names the
    /// records the field is in, outermost first (`["liveness"]` in
    /// `liveness = { scheme = `), empty in a body.
    Value {
        field: Option<String>,
        within: Vec<String>,
    },
    /// The text of a string assigned to `field` (in the records `within`): one of the
    /// field's values.
    Text { field: String, within: Vec<String> },
    /// A field of the record `within` names, at the start of one of its entries:
    /// `liveness = { ` → `["liveness"]`.
    RecordField { within: Vec<String> },
    /// A member of the enclosing block: a field, a block, a keyword.
    Member,
    /// Nothing: in a comment, in a string, after a complete value, in a record whose
    /// field is not known.
    Nothing,
}

/// The context at one offset of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub want: Want,
    /// The text being typed that the tree should not see: the path and the partial
    /// word before the cursor (empty when nothing is typed yet).
    pub typed: TextRange,
    /// Whether `typed` stands where a value goes (so it is replaced by a value, not by
    /// nothing, in [`Context::repaired`]).
    in_value: bool,
}

impl Context {
    pub fn at(text: &str, offset: u32) -> Context {
        let lexed = lexer::lex(text);
        let nothing = Context {
            want: Want::Nothing,
            typed: TextRange::empty(offset),
            in_value: false,
        };
        if lexed
            .comments
            .iter()
            .any(|comment| comment.range.start < offset && offset <= comment.range.end)
        {
            return nothing;
        }
        let tokens = &lexed.tokens;
        // The tokens before the cursor; a name the cursor is in or just after is the word
        // being typed.
        let before = tokens.partition_point(|&(start, _, _)| (start as u32) < offset);
        let tokens_before = &tokens[..before];
        // Inside a string, or at the end of one that is not closed.
        if let Some(&(start, Tok::Str(raw), end)) = tokens_before.last()
            && ((offset as usize) < end || (offset as usize == end && !closed(raw)))
        {
            return in_string(text, tokens_before, start, offset);
        }
        let (word_start, rest) = match tokens_before.split_last() {
            Some((&(start, tok, end), rest)) if is_word(tok) && end as u32 >= offset => {
                (start as u32, rest)
            }
            _ => (offset, tokens_before),
        };
        from_tokens(text, rest, word_start, offset)
    }

    /// `text` with what is being typed replaced, byte for byte, by spaces, or by a value
    /// where a value goes: positions stay where they are.
    pub fn repaired(&self, text: &str) -> String {
        let range = self.typed.as_range();
        if range.is_empty() || range.end > text.len() || !text.is_char_boundary(range.start) {
            return text.to_string();
        }
        let filler = if self.in_value { "0" } else { " " };
        let mut repaired = String::with_capacity(text.len());
        repaired.push_str(&text[..range.start]);
        for c in text[range.clone()].chars() {
            repaired.push_str(&filler.repeat(c.len_utf8()));
        }
        repaired.push_str(&text[range.end..]);
        repaired
    }
}

fn is_word(tok: Tok<'_>) -> bool {
    matches!(tok, Tok::Ident(_) | Tok::Underscore) || tok.is_keyword()
}

/// Whether a string token ends with its closing quote (one no backslash escapes).
fn closed(raw: &str) -> bool {
    let Some(inside) = raw.get(1..).and_then(|rest| rest.strip_suffix('"')) else {
        return false;
    };
    inside.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 0
}

/// The context after `tokens`, with the word being typed from `word_start`.
fn from_tokens(text: &str, tokens: &[Spanned<'_>], word_start: u32, offset: u32) -> Context {
    let context = |want, typed_start: u32, in_value| Context {
        want,
        typed: TextRange::new(typed_start, offset),
        in_value,
    };
    let Some((&(last_start, last, _), earlier)) = tokens.split_last() else {
        return context(Want::Member, word_start, false);
    };
    match last {
        Tok::Dot => {
            let (path, path_start) = path_before(tokens);
            if path.is_empty() {
                return context(Want::Nothing, word_start, false);
            }
            let in_value = starts_a_value(&tokens[..tokens.len() - 2 * path.len()]);
            context(Want::MemberOf(path), path_start, in_value)
        }
        Tok::Colon if member_name(text, earlier) => context(Want::Offering, word_start, false),
        Tok::Ident("override") if starts_a_member(text, earlier, last_start as u32) => {
            context(Want::Environment, word_start, false)
        }
        Tok::Assign => {
            let (field, within) = match earlier.split_last() {
                Some((&(_, Tok::Ident(name), _), before)) => (
                    Some(name.to_string()),
                    record_path(before).unwrap_or_default(),
                ),
                _ => (None, Vec::new()),
            };
            context(Want::Value { field, within }, word_start, true)
        }
        Tok::LBracket | Tok::Comma => match list_field(tokens) {
            Some(field) => context(
                Want::Value {
                    field,
                    within: Vec::new(),
                },
                word_start,
                true,
            ),
            None if last == Tok::Comma => record_field(tokens, word_start, offset),
            None => context(Want::Nothing, word_start, false),
        },
        _ if starts_a_member(text, tokens, word_start) => {
            if in_a_record(tokens) {
                record_field(tokens, word_start, offset)
            } else {
                context(Want::Member, word_start, false)
            }
        }
        _ => context(Want::Nothing, word_start, false),
    }
}

/// `a.b` in `... a.b.`: the names before the last dot, and where the first starts.
fn path_before(tokens: &[Spanned<'_>]) -> (Vec<String>, u32) {
    let mut path = Vec::new();
    let mut start = 0;
    let mut rest = &tokens[..tokens.len().saturating_sub(1)];
    while let Some((&(name_start, Tok::Ident(name), _), earlier)) = rest.split_last() {
        path.push(name.to_string());
        start = name_start as u32;
        match earlier.split_last() {
            Some((&(_, Tok::Dot, _), before_dot)) => rest = before_dot,
            _ => break,
        }
    }
    path.reverse();
    (path, start)
}

/// Whether a value goes after `tokens`: after `=`, `[`, `,`, `(`, `=>`, an operator.
fn starts_a_value(tokens: &[Spanned<'_>]) -> bool {
    matches!(
        tokens.last().map(|t| t.1),
        Some(
            Tok::Assign
                | Tok::LBracket
                | Tok::Comma
                | Tok::LParen
                | Tok::FatArrow
                | Tok::EqEq
                | Tok::NotEq
                | Tok::AndAnd
                | Tok::OrOr
                | Tok::Bang
                | Tok::If
                | Tok::Then
                | Tok::Else
                | Tok::Match
                | Tok::Lt
                | Tok::LtEq
                | Tok::Gt
                | Tok::GtEq
        )
    )
}

/// Whether `tokens` end with a name that starts a member: `name` in `name:`.
fn member_name(text: &str, tokens: &[Spanned<'_>]) -> bool {
    match tokens.split_last() {
        Some((&(start, Tok::Ident(_), _), earlier)) => starts_a_member(text, earlier, start as u32),
        _ => false,
    }
}

/// Whether what starts at `at` starts a member: first in the file or in a block, or on
/// a line of its own after a complete member.
fn starts_a_member(text: &str, tokens: &[Spanned<'_>], at: u32) -> bool {
    let Some(&(_, last, end)) = tokens.last() else {
        return true;
    };
    match last {
        Tok::LBrace | Tok::RBrace => true,
        Tok::Ident(_)
        | Tok::Str(_)
        | Tok::Int(_)
        | Tok::Float(_)
        | Tok::Quantity(_)
        | Tok::True
        | Tok::False
        | Tok::RBracket
        | Tok::RParen => text
            .get(end..at as usize)
            .is_some_and(|between| between.contains('\n')),
        _ => false,
    }
}

/// A field of the record that encloses the end of `tokens`, when it is a field's value.
fn record_field(tokens: &[Spanned<'_>], word_start: u32, offset: u32) -> Context {
    let want = match record_path(tokens) {
        Some(within) if !within.is_empty() => Want::RecordField { within },
        _ => Want::Nothing,
    };
    Context {
        want,
        typed: TextRange::new(word_start, offset),
        in_value: false,
    }
}

/// The fields whose record literals enclose the end of `tokens`, outermost first:
/// `["schedule"]` after `schedule = { cron = "@daily", `; empty directly in a body;
/// `None` in a record that is not a field's value (an item of a list, a branch of an
/// `if`) or in a list.
fn record_path(tokens: &[Spanned<'_>]) -> Option<Vec<String>> {
    let mut path = Vec::new();
    let mut depth = 0usize;
    let mut index = tokens.len();
    while index > 0 {
        index -= 1;
        match tokens[index].1 {
            Tok::RBrace | Tok::RBracket | Tok::RParen => depth += 1,
            Tok::LBrace | Tok::LBracket | Tok::LParen if depth > 0 => depth -= 1,
            Tok::LBrace => {
                let earlier = &tokens[..index];
                if !starts_a_value(earlier) {
                    path.reverse();
                    return Some(path);
                }
                let (Some(&(_, Tok::Assign, _)), Some(&(_, key, _))) = (
                    earlier.last(),
                    earlier.len().checked_sub(2).and_then(|at| earlier.get(at)),
                ) else {
                    return None;
                };
                match key {
                    Tok::Ident(name) => path.push(name.to_string()),
                    Tok::Str(raw) => path.push(raw.trim_matches('"').to_string()),
                    _ => return None,
                }
                index = earlier.len() - 2;
            }
            Tok::LBracket | Tok::LParen => return None,
            _ => {}
        }
    }
    path.reverse();
    Some(path)
}

/// Whether the innermost open `{` before the cursor opens a record (a value) rather
/// than a block body.
fn in_a_record(tokens: &[Spanned<'_>]) -> bool {
    let mut depth = 0usize;
    for (index, &(_, tok, _)) in tokens.iter().enumerate().rev() {
        match tok {
            Tok::RBrace => depth += 1,
            Tok::LBrace if depth > 0 => depth -= 1,
            Tok::LBrace => return starts_a_value(&tokens[..index]),
            _ => {}
        }
    }
    false
}

/// The field a list being written belongs to: `calls` in `calls = [a, `.
fn list_field(tokens: &[Spanned<'_>]) -> Option<Option<String>> {
    let mut depth = 0usize;
    for (index, &(_, tok, _)) in tokens.iter().enumerate().rev() {
        match tok {
            Tok::RBracket | Tok::RBrace | Tok::RParen => depth += 1,
            Tok::LBrace | Tok::LParen if depth == 0 => return None,
            Tok::LBrace | Tok::LParen => depth -= 1,
            Tok::LBracket if depth > 0 => depth -= 1,
            Tok::LBracket => {
                let earlier = &tokens[..index];
                return match earlier.split_last() {
                    Some((&(_, Tok::Assign, _), rest)) => Some(match rest.last() {
                        Some(&(_, Tok::Ident(name), _)) => Some(name.to_string()),
                        _ => None,
                    }),
                    _ if starts_a_value(earlier) => Some(None),
                    _ => None,
                };
            }
            _ => {}
        }
    }
    None
}

/// The context inside the string token that starts at `start`: in a `${...}`, a path
/// or a value; elsewhere, the values of the field it is assigned to.
fn in_string(text: &str, tokens: &[Spanned<'_>], start: usize, offset: u32) -> Context {
    let inside = text.get(start..offset as usize).unwrap_or_default();
    let context = |want, typed: TextRange| Context {
        want,
        typed,
        in_value: false,
    };
    if let Some(open) = inside.rfind("${")
        && !inside[open..].contains('}')
    {
        let path_start = start + open + 2;
        let written = &inside[open + 2..];
        let mut segments: Vec<String> = written.split('.').map(str::to_string).collect();
        let partial = segments.pop().unwrap_or_default();
        let typed = TextRange::new((offset as usize - partial.len()) as u32, offset);
        if segments.is_empty() {
            return context(
                Want::Value {
                    field: None,
                    within: Vec::new(),
                },
                typed,
            );
        }
        if segments
            .iter()
            .any(|segment| !lexer::is_identifier(segment))
        {
            return context(Want::Nothing, typed);
        }
        return context(
            Want::MemberOf(segments),
            TextRange::new(path_start as u32, offset),
        );
    }
    let field = match tokens.split_last().and_then(|(_, rest)| rest.split_last()) {
        Some((&(_, Tok::Assign, _), rest)) => match rest.split_last() {
            Some((&(_, Tok::Ident(name), _), before)) => {
                Some((name.to_string(), record_path(before).unwrap_or_default()))
            }
            _ => None,
        },
        _ => None,
    };
    match field {
        Some((field, within)) => context(Want::Text { field, within }, TextRange::empty(offset)),
        None => context(Want::Nothing, TextRange::empty(offset)),
    }
}
