//! The lexer: source text to the token stream the grammar reads.
//!
//! Invariants:
//! - lexing never fails: every byte of the input ends up in a token, a comment, or
//!   skipped whitespace; a character the language does not know becomes a [`Tok::Error`]
//!   token (which the grammar recovers from) plus an E0103 diagnostic;
//! - every token range lies on UTF-8 character boundaries;
//! - comments never reach the grammar; they are kept, in order, in a side table;
//! - the token stream handed to the parser nests brackets at most [`MAX_DEPTH`] deep
//!   (deeper groups are replaced by one [`Tok::Error`] and reported once as E0104), and
//!   every bracket opened is closed (missing closers are added at the end of the file).

use logos::Logos;

use super::SyntaxError;
use crate::diagnostic::Code;
use crate::span::TextRange;

/// How deep brackets (`{`, `[`, `(`) may nest, and how long a run of `!` may be.
pub const MAX_DEPTH: usize = 128;

/// A token, as the grammar sees it. Literal tokens carry their source text.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(extras = Vec<SyntaxError>)]
#[logos(skip r"[ \t\r\n\x0C\u{FEFF}]+")]
pub enum Tok<'a> {
    #[token("import")]
    Import,
    #[token("as")]
    As,
    #[token("type")]
    Type,
    #[token("offering")]
    Offering,
    #[token("environment")]
    Environment,
    #[token("workload")]
    Workload,
    #[token("policy")]
    Policy,
    #[token("param")]
    Param,
    #[token("output")]
    Output,
    #[token("use")]
    Use,
    #[token("require")]
    Require,
    #[token("else")]
    Else,
    #[token("if")]
    If,
    #[token("then")]
    Then,
    #[token("match")]
    Match,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("in")]
    In,
    #[token("matching")]
    Matching,
    #[token("every")]
    Every,
    #[token("some")]
    Some,

    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    #[token(":")]
    Colon,
    #[token("=")]
    Assign,
    #[token("?")]
    Question,
    #[token("|")]
    Pipe,
    #[token("..")]
    DotDot,
    #[token("=>")]
    FatArrow,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    LtEq,
    #[token(">")]
    Gt,
    #[token(">=")]
    GtEq,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("!")]
    Bang,
    /// `_` alone: the wildcard pattern.
    #[token("_", priority = 10)]
    Underscore,

    #[regex(r"[A-Za-z_][A-Za-z0-9_-]*", |lex| lex.slice())]
    Ident(&'a str),
    /// A whole string literal, quotes and `${...}` parts included.
    #[token("\"", lex_string)]
    Str(&'a str),
    #[regex(r"-?[0-9][0-9_]*", lex_int)]
    Int(&'a str),
    #[regex(r"-?[0-9]+\.[0-9]+", |lex| lex.slice())]
    Float(&'a str),
    /// A number with a unit: `250m`, `512Mi`, `1.5Gi`.
    #[regex(r"-?[0-9][0-9_]*(\.[0-9]+)?[A-Za-z]+", |lex| lex.slice())]
    Quantity(&'a str),

    /// `// ...` and `/// ...`; never given to the grammar.
    #[regex(r"//[^\n]*", allow_greedy = true)]
    LineComment,
    /// `/* ... */`; never given to the grammar.
    #[token("/*", lex_block_comment)]
    BlockComment,

    /// Text the lexer could not read, or a region cut out for being nested too deep.
    Error,
}

impl Tok<'_> {
    /// Whether the token is a keyword of the language.
    pub fn is_keyword(self) -> bool {
        matches!(
            self,
            Tok::Import
                | Tok::As
                | Tok::Type
                | Tok::Offering
                | Tok::Environment
                | Tok::Workload
                | Tok::Policy
                | Tok::Param
                | Tok::Output
                | Tok::Use
                | Tok::Require
                | Tok::Else
                | Tok::If
                | Tok::Then
                | Tok::Match
                | Tok::True
                | Tok::False
                | Tok::In
                | Tok::Matching
                | Tok::Every
                | Tok::Some
        )
    }
}

/// Scans a string literal after its opening quote. A string that is never closed ends
/// at the end of its first line (so that the rest of the file still parses), with E0102.
fn lex_string<'a>(lex: &mut logos::Lexer<'a, Tok<'a>>) -> &'a str {
    let rest = lex.remainder().as_bytes();
    match closing_quote(rest) {
        Some(end) => lex.bump(end + 1),
        None => {
            let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            lex.bump(line_end);
            let open = lex.span().start as u32;
            let range = TextRange::new(open, open + 1);
            lex.extras.push(
                SyntaxError::new(Code::UnterminatedString, "unterminated string", range)
                    .with_label("this string is never closed")
                    .with_help("add a closing `\"`"),
            );
        }
    }
    lex.slice()
}

/// The index of the first unescaped `"` in `bytes`.
fn closing_quote(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some(i),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    None
}

/// Checks that an integer literal fits an `i64` (E0108 otherwise).
fn lex_int<'a>(lex: &mut logos::Lexer<'a, Tok<'a>>) -> &'a str {
    let text = lex.slice();
    if parse_int(text).is_none() {
        let range = TextRange::from(lex.span());
        lex.extras.push(
            SyntaxError::new(
                Code::IntegerTooLarge,
                format!("integer literal `{text}` is out of range"),
                range,
            )
            .with_label("does not fit in 64 bits")
            .with_help(format!(
                "integers must lie between {} and {}",
                i64::MIN,
                i64::MAX
            )),
        );
    }
    text
}

/// Whether `name` can be written bare as a name: exactly one identifier token, as the
/// lexer reads it (so not a keyword, not empty, no space, no `${...}`).
pub fn is_identifier(name: &str) -> bool {
    let mut tokens = Tok::lexer(name);
    matches!(tokens.next(), Some(Ok(Tok::Ident(ident))) if ident == name) && tokens.next().is_none()
}

/// Whether `name` lexes as one of the language's keywords (`workload`, `in`).
pub fn is_keyword(name: &str) -> bool {
    let mut tokens = Tok::lexer(name);
    let keyword = matches!(tokens.next(), Some(Ok(tok)) if tok.is_keyword());
    keyword && tokens.next().is_none() && name.chars().all(|c| c.is_ascii_alphabetic())
}

/// The value of an integer literal (`-1_000` → -1000), `None` when it does not fit.
pub fn parse_int(text: &str) -> Option<i64> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    digits.parse().ok()
}

/// Scans a block comment after its `/*`; an unclosed one runs to the end (E0107).
fn lex_block_comment<'a>(lex: &mut logos::Lexer<'a, Tok<'a>>) {
    let rest = lex.remainder();
    match rest.find("*/") {
        Some(end) => lex.bump(end + 2),
        None => {
            let open = TextRange::from(lex.span());
            lex.bump(rest.len());
            lex.extras.push(
                SyntaxError::new(
                    Code::UnterminatedComment,
                    "unterminated block comment",
                    open,
                )
                .with_label("this comment is never closed")
                .with_help("add `*/` where the comment should end"),
            );
        }
    }
}

/// What kind of comment a [`Comment`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentKind {
    /// `// ...` (also `//// ...`)
    Line,
    /// `/* ... */`
    Block,
    /// `/// ...`
    Doc,
}

/// A comment, kept beside the token stream for docs, the formatter and hover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Comment {
    pub kind: CommentKind,
    pub range: TextRange,
}

/// A token with its byte range, as the parser consumes it.
pub type Spanned<'a> = (usize, Tok<'a>, usize);

/// The output of [`lex`].
#[derive(Debug, Default)]
pub struct Lexed<'a> {
    pub tokens: Vec<Spanned<'a>>,
    pub comments: Vec<Comment>,
    pub errors: Vec<SyntaxError>,
}

/// Splits `text` into tokens and comments; never fails.
pub fn lex(text: &str) -> Lexed<'_> {
    let mut lexer = Tok::lexer_with_extras(text, Vec::new());
    let mut out = Lexed::default();
    while let Some(result) = lexer.next() {
        let span = lexer.span();
        match result {
            Ok(Tok::LineComment) => out.comments.push(line_comment(text, span)),
            Ok(Tok::BlockComment) => out.comments.push(Comment {
                kind: CommentKind::Block,
                range: span.into(),
            }),
            Ok(tok) => out.tokens.push((span.start, tok, span.end)),
            Err(()) => invalid_char(text, span, &mut out),
        }
    }
    out.errors.append(&mut lexer.extras);
    out
}

fn line_comment(text: &str, span: std::ops::Range<usize>) -> Comment {
    let slice = &text[span.clone()];
    let kind = if slice.starts_with("///") && !slice.starts_with("////") {
        CommentKind::Doc
    } else {
        CommentKind::Line
    };
    Comment {
        kind,
        range: span.into(),
    }
}

/// Records an unknown character: one [`Tok::Error`] and one E0103 per run of them.
fn invalid_char(text: &str, span: std::ops::Range<usize>, out: &mut Lexed<'_>) {
    let start = floor_boundary(text, span.start);
    let end = ceil_boundary(text, span.end.max(start + 1));
    if let Some((_, Tok::Error, prev_end)) = out.tokens.last_mut()
        && *prev_end == start
    {
        *prev_end = end;
        if let Some(error) = out.errors.last_mut() {
            error.range.end = end as u32;
            error.label = Some("these characters are not part of the language".into());
        }
        return;
    }
    out.tokens.push((start, Tok::Error, end));
    let ch = text[start..].chars().next().unwrap_or('\u{FFFD}');
    out.errors.push(invalid_char_error(
        ch,
        TextRange::new(start as u32, end as u32),
    ));
}

fn invalid_char_error(ch: char, range: TextRange) -> SyntaxError {
    let shown: String = ch.escape_debug().collect();
    let error = SyntaxError::new(
        Code::InvalidCharacter,
        format!("invalid character `{shown}`"),
        range,
    )
    .with_label("this character is not part of the language");
    match ch {
        ';' => error.with_help("members need no separator; remove the `;`"),
        '\'' => error.with_help("strings are written with double quotes: `\"...\"`"),
        '&' => error.with_help("did you mean `&&`?"),
        '+' | '*' | '/' | '%' | '-' => error.with_help("plat has no arithmetic operators"),
        '#' => error.with_help("comments start with `//`"),
        _ => error,
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Bounds the nesting of the token stream (see the module invariants).
///
/// Returns the tokens to parse; reports E0104 (once) and E0101 for unclosed brackets.
pub fn limit_nesting<'a>(
    tokens: Vec<Spanned<'a>>,
    text_len: usize,
    errors: &mut Vec<SyntaxError>,
) -> Vec<Spanned<'a>> {
    let mut limiter = Limiter::default();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        i = limiter.step(&tokens, i, &mut out);
    }
    limiter.close_all(text_len, &mut out, errors);
    errors.extend(limiter.too_deep);
    out
}

#[derive(Default)]
struct Limiter<'a> {
    /// Open brackets: the token and where it starts.
    open: Vec<(Tok<'a>, usize)>,
    bang_run: usize,
    too_deep: Option<SyntaxError>,
}

impl<'a> Limiter<'a> {
    /// Handles the token at `i`; returns the index of the next token to look at.
    fn step(&mut self, tokens: &[Spanned<'a>], i: usize, out: &mut Vec<Spanned<'a>>) -> usize {
        let (start, tok, end) = tokens[i];
        self.bang_run = if tok == Tok::Bang {
            self.bang_run + 1
        } else {
            0
        };
        if self.bang_run > MAX_DEPTH {
            self.report(start, end, "too many `!` in a row");
            return i + 1;
        }
        if is_open(tok) {
            if self.open.len() >= MAX_DEPTH {
                let next = skip_group(tokens, i);
                let cut_end = tokens[next - 1].2;
                self.report(start, end, "this bracket is nested too deep");
                out.push((start, Tok::Error, cut_end));
                return next;
            }
            self.open.push((tok, start));
        } else if let Some(opener) = closer_of(tok) {
            self.close(opener);
        }
        out.push((start, tok, end));
        i + 1
    }

    /// Pops up to the bracket that `opener` closes, when it is open at all.
    fn close(&mut self, opener: Tok<'a>) {
        if let Some(at) = self.open.iter().rposition(|&(tok, _)| tok == opener) {
            self.open.truncate(at);
        }
    }

    fn report(&mut self, start: usize, end: usize, label: &str) {
        if self.too_deep.is_none() {
            let range = TextRange::new(start as u32, end as u32);
            self.too_deep = Some(
                SyntaxError::new(
                    Code::NestingTooDeep,
                    format!("nesting too deep: more than {MAX_DEPTH} levels"),
                    range,
                )
                .with_label(label)
                .with_help("split the value into smaller named parts"),
            );
        }
    }

    /// Closes every bracket still open at the end of the file, innermost first.
    fn close_all(
        &mut self,
        text_len: usize,
        out: &mut Vec<Spanned<'a>>,
        errors: &mut Vec<SyntaxError>,
    ) {
        if let Some(&(tok, start)) = self.open.last()
            && self.too_deep.is_none()
        {
            let closer = describe_closer(tok);
            let range = TextRange::new(start as u32, start as u32 + 1);
            errors.push(
                SyntaxError::new(
                    Code::UnexpectedToken,
                    format!("expected `{closer}`, found end of file"),
                    range,
                )
                .with_label("this delimiter is never closed")
                .with_help(format!("add a `{closer}` to close it")),
            );
        }
        while let Some((tok, _)) = self.open.pop() {
            out.push((text_len, closing_token(tok), text_len));
        }
    }
}

/// The index just past the group that opens at `i` (or the end of the tokens).
fn skip_group(tokens: &[Spanned<'_>], i: usize) -> usize {
    let mut depth = 0usize;
    for (j, &(_, tok, _)) in tokens.iter().enumerate().skip(i) {
        if is_open(tok) {
            depth += 1;
        } else if closer_of(tok).is_some() {
            depth -= 1;
            if depth == 0 {
                return j + 1;
            }
        }
    }
    tokens.len()
}

fn is_open(tok: Tok<'_>) -> bool {
    matches!(tok, Tok::LBrace | Tok::LBracket | Tok::LParen)
}

/// For a closing bracket, the bracket it closes.
fn closer_of<'a>(tok: Tok<'a>) -> Option<Tok<'a>> {
    match tok {
        Tok::RBrace => Some(Tok::LBrace),
        Tok::RBracket => Some(Tok::LBracket),
        Tok::RParen => Some(Tok::LParen),
        _ => None,
    }
}

fn closing_token<'a>(open: Tok<'a>) -> Tok<'a> {
    match open {
        Tok::LBracket => Tok::RBracket,
        Tok::LParen => Tok::RParen,
        _ => Tok::RBrace,
    }
}

fn describe_closer(open: Tok<'_>) -> &'static str {
    match open {
        Tok::LBracket => "]",
        Tok::LParen => ")",
        _ => "}",
    }
}

impl Tok<'_> {
    /// The token as users write it, for messages: `` `=` ``, `` `image` ``, `a string`.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(text) => format!("`{}`", shorten(text)),
            Tok::Int(text) | Tok::Float(text) | Tok::Quantity(text) => {
                format!("`{}`", shorten(text))
            }
            Tok::Str(_) => "a string".into(),
            Tok::Error => "an invalid character".into(),
            Tok::LineComment | Tok::BlockComment => "a comment".into(),
            other => format!("`{}`", other.text().unwrap_or("?")),
        }
    }

    /// The fixed text of a keyword or punctuation token.
    pub fn text(&self) -> Option<&'static str> {
        Some(match self {
            Tok::Import => "import",
            Tok::As => "as",
            Tok::Type => "type",
            Tok::Offering => "offering",
            Tok::Environment => "environment",
            Tok::Workload => "workload",
            Tok::Policy => "policy",
            Tok::Param => "param",
            Tok::Output => "output",
            Tok::Use => "use",
            Tok::Require => "require",
            Tok::Else => "else",
            Tok::If => "if",
            Tok::Then => "then",
            Tok::Match => "match",
            Tok::True => "true",
            Tok::False => "false",
            Tok::In => "in",
            Tok::Matching => "matching",
            Tok::Every => "every",
            Tok::Some => "some",
            other => return other.punctuation(),
        })
    }

    fn punctuation(&self) -> Option<&'static str> {
        Some(match self {
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Comma => ",",
            Tok::Dot => ".",
            Tok::Colon => ":",
            Tok::Assign => "=",
            Tok::Question => "?",
            Tok::Pipe => "|",
            Tok::DotDot => "..",
            Tok::FatArrow => "=>",
            Tok::EqEq => "==",
            Tok::NotEq => "!=",
            Tok::Lt => "<",
            Tok::LtEq => "<=",
            Tok::Gt => ">",
            Tok::GtEq => ">=",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            Tok::Bang => "!",
            Tok::Underscore => "_",
            _ => return None,
        })
    }
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
