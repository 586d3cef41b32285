//! The output side of the formatter: lines and indentation, comments, the source's
//! tokens, and trial layouts.
//!
//! Every token is printed through [`Printer::token`] with the offset it has in the
//! source, and every comment that starts before that offset is printed first: since the
//! layout functions print the tree's tokens in source order, comments come out in
//! exactly the order, and between exactly the tokens, where they were written.
//!
//! A layout may be tried "flat" (on the current line) with [`Printer::try_flat`]: the
//! trial fails as soon as it would break a line or pass [`WIDTH`], and is then undone.

use crate::span::TextRange;
use crate::syntax::lexer::Spanned;
use crate::syntax::{Comment, CommentKind, Tok};

/// The width that one-line layouts must fit in, in characters.
pub const WIDTH: usize = 100;
/// One level of indentation.
const INDENT: usize = 2;

/// A comment, with what layout keeps of the whitespace around it in the source.
#[derive(Debug, Clone, Copy)]
struct Placed {
    comment: Comment,
    /// A line break separates it from the token or comment before it (or nothing is
    /// before it): it starts a line of its own.
    own_line: bool,
    /// A blank line separates it from the token or comment before it.
    blank_before: bool,
    /// A line break (or the end of the file) follows it.
    newline_after: bool,
}

/// Where a trial layout started, to undo it.
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    len: usize,
    column: usize,
    line_level: usize,
    level: usize,
    next_comment: usize,
    pending_newline: bool,
    fresh: bool,
    spaces: usize,
}

pub(super) struct Printer<'a> {
    text: &'a str,
    tokens: Vec<Spanned<'a>>,
    comments: Vec<Placed>,
    next_comment: usize,
    out: String,
    /// Characters on the current output line.
    column: usize,
    /// The indentation level of the current output line.
    line_level: usize,
    /// The level of the element (item, member, entry, arm) being printed; a line that
    /// a comment forces inside it is indented one level more.
    pub level: usize,
    /// A line comment was printed: the next token starts a new line.
    pending_newline: bool,
    /// Nothing was printed since the file started or a bracket was opened: no blank
    /// line goes here.
    fresh: bool,
    /// How many spaces the printer itself put at the end of the output (the only
    /// trailing whitespace it may remove: a doc comment's is part of the doc).
    spaces: usize,
    /// Printing a trial layout on one line.
    flat: bool,
    /// The trial layout broke a line or passed [`WIDTH`].
    overflow: bool,
}

impl<'a> Printer<'a> {
    pub(super) fn new(text: &'a str, tokens: Vec<Spanned<'a>>, comments: &[Comment]) -> Self {
        let comments = place_comments(text, &tokens, comments);
        Printer {
            text,
            tokens,
            comments,
            next_comment: 0,
            out: String::with_capacity(text.len() + text.len() / 8),
            column: 0,
            line_level: 0,
            level: 0,
            pending_newline: false,
            fresh: true,
            spaces: 0,
            flat: false,
            overflow: false,
        }
    }

    /// The text printed, with trailing blank lines removed and one final newline.
    pub(super) fn finish(mut self) -> String {
        self.trim_spaces();
        while self.out.ends_with('\n') {
            self.out.pop();
        }
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }

    // ------------------------------------------------------------ the source

    /// The source text of `range`.
    pub(super) fn source(&self, range: TextRange) -> &'a str {
        self.text.get(range.as_range()).unwrap_or_default()
    }

    /// The start of the first `tok` at or after `from`; `from` itself when there is
    /// none (which a tree without errors never asks for).
    pub(super) fn find_tok(&self, from: u32, tok: Tok<'static>) -> u32 {
        self.find_token(from, |t| *t == tok)
            .map_or(from, |(at, _)| at)
    }

    /// The first token at or after `from` that `wanted` accepts, with its start.
    pub(super) fn find_token(
        &self,
        from: u32,
        wanted: impl Fn(&Tok<'_>) -> bool,
    ) -> Option<(u32, Tok<'a>)> {
        let first = self.tokens.partition_point(|t| t.0 < from as usize);
        self.tokens[first..]
            .iter()
            .find(|t| wanted(&t.1))
            .map(|t| (t.0 as u32, t.1))
    }

    /// The parentheses written around the node at `range`: the offsets of the opening
    /// ones (outermost first) and of the closing ones (innermost first).
    ///
    /// A node's text is balanced, so a `(` right before it and a `)` right after it
    /// match each other, and enclose nothing but the node.
    pub(super) fn parens(&self, range: TextRange) -> (Vec<u32>, Vec<u32>) {
        let first = self.tokens.partition_point(|t| t.0 < range.start as usize);
        let after = self.tokens.partition_point(|t| t.2 <= range.end as usize);
        let mut layers = 0;
        while layers < first
            && self.tokens.get(first - 1 - layers).map(|t| t.1) == Some(Tok::LParen)
            && self.tokens.get(after + layers).map(|t| t.1) == Some(Tok::RParen)
        {
            layers += 1;
        }
        let opens = (0..layers)
            .rev()
            .map(|i| self.tokens[first - 1 - i].0 as u32)
            .collect();
        let closes = (0..layers)
            .map(|i| self.tokens[after + i].0 as u32)
            .collect();
        (opens, closes)
    }

    /// Whether a comment starts inside `range`.
    pub(super) fn has_comment_in(&self, range: TextRange) -> bool {
        let index = self
            .comments
            .partition_point(|c| c.comment.range.start < range.start);
        self.comments
            .get(index)
            .is_some_and(|c| c.comment.range.start < range.end)
    }

    /// Whether a blank line is right before `at` in the source.
    pub(super) fn blank_line_before(&self, at: u32) -> bool {
        let before = self.text.get(..at as usize).unwrap_or_default();
        let gap = before.trim_end_matches(|c: char| c.is_whitespace());
        before[gap.len()..].matches('\n').count() >= 2
    }

    /// The `,` right before `at`, when dropping it would turn the doc comment right
    /// before it into the doc of the element at `at` (see [`crate::syntax`]'s rule: a
    /// doc comment documents what follows it with nothing but whitespace between).
    ///
    /// That is: the comma is the last token before `at`, a doc comment is right before
    /// the comma, and only doc comments are between the comma and `at`.
    pub(super) fn comma_after_doc(&self, at: u32) -> Option<u32> {
        let index = self.tokens.partition_point(|t| t.0 < at as usize);
        let comma = self.tokens.get(index.checked_sub(1)?)?;
        if comma.1 != Tok::Comma {
            return None;
        }
        let after_comma = self
            .comments
            .partition_point(|c| (c.comment.range.start as usize) < comma.0);
        let before_at = self
            .comments
            .partition_point(|c| c.comment.range.start < at);
        let between = self.comments.get(after_comma..before_at)?;
        if between.iter().any(|c| c.comment.kind != CommentKind::Doc) {
            return None;
        }
        let doc = self.comments.get(after_comma.checked_sub(1)?)?.comment;
        let previous_end = self.tokens.get(index.checked_sub(2)?).map_or(0, |t| t.2);
        (doc.kind == CommentKind::Doc && doc.range.start as usize >= previous_end)
            .then_some(comma.0 as u32)
    }

    // ------------------------------------------------------------ output

    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    /// Writes `text` on the current line (indenting the line first if it is empty).
    pub(super) fn write(&mut self, text: &str) {
        if self.overflow || text.is_empty() {
            return;
        }
        if self.at_line_start() {
            let indent = self.line_level * INDENT;
            self.out.extend(std::iter::repeat_n(' ', indent));
            self.column = indent;
        }
        self.out.push_str(text);
        self.spaces = if text == " " { self.spaces + 1 } else { 0 };
        let broke = match text.rfind('\n') {
            Some(at) => {
                self.column = text[at + 1..].chars().count();
                true
            }
            None => {
                self.column += text.chars().count();
                false
            }
        };
        self.fresh = false;
        if self.flat && (broke || self.column > WIDTH) {
            self.overflow = true;
        }
    }

    /// One space, unless the line is empty or already ends with one.
    pub(super) fn space(&mut self) {
        if !self.pending_newline && !self.at_line_start() && !self.out.ends_with(' ') {
            self.write(" ");
        }
    }

    /// Ends the current line (if it has anything on it) and starts one at `level`,
    /// after a blank line when `blank` and there is not one already.
    pub(super) fn start_line(&mut self, level: usize, blank: bool) {
        if self.flat {
            self.overflow = true;
            return;
        }
        self.trim_spaces();
        if !self.at_line_start() {
            self.out.push('\n');
        }
        if blank && !self.fresh && !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
        self.line_level = level;
        self.column = 0;
        self.pending_newline = false;
    }

    /// Removes the spaces the printer put at the end of the output.
    fn trim_spaces(&mut self) {
        let len = self.out.len() - self.spaces;
        self.out.truncate(len);
        self.spaces = 0;
    }

    /// The indentation level of the current line.
    pub(super) fn line_level(&self) -> usize {
        self.line_level
    }

    /// Marks the start of a bracketed body: no blank line comes first in it.
    pub(super) fn open_body(&mut self) {
        self.fresh = true;
    }

    /// Prints the token that starts at `at` in the source as `text`, after the comments
    /// that come before it.
    pub(super) fn token(&mut self, at: u32, text: &str) {
        self.before_token(at);
        self.write(text);
    }

    /// Prints the comments before the token that starts at `at`, and starts a new line
    /// for the token if the last of them was a line comment.
    pub(super) fn before_token(&mut self, at: u32) {
        self.inline_comments(at);
        if self.pending_newline {
            self.start_line(self.level + 1, false);
        }
    }

    /// Whether a trial layout has failed (the rest of it need not be printed).
    pub(super) fn overflowed(&self) -> bool {
        self.overflow
    }

    /// Prints `layout` on the current line; when it does not fit (it breaks a line or
    /// passes [`WIDTH`]), undoes it and returns false.
    pub(super) fn try_flat(&mut self, layout: impl FnOnce(&mut Self)) -> bool {
        if self.flat {
            layout(self);
            return !self.overflow;
        }
        let checkpoint = self.checkpoint();
        self.flat = true;
        layout(self);
        self.flat = false;
        if self.overflow {
            self.overflow = false;
            self.restore(checkpoint);
            false
        } else {
            true
        }
    }

    fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            len: self.out.len(),
            column: self.column,
            line_level: self.line_level,
            level: self.level,
            next_comment: self.next_comment,
            pending_newline: self.pending_newline,
            fresh: self.fresh,
            spaces: self.spaces,
        }
    }

    fn restore(&mut self, at: Checkpoint) {
        self.out.truncate(at.len);
        self.column = at.column;
        self.line_level = at.line_level;
        self.level = at.level;
        self.next_comment = at.next_comment;
        self.pending_newline = at.pending_newline;
        self.fresh = at.fresh;
        self.spaces = at.spaces;
    }

    // ------------------------------------------------------------ comments

    fn take_comment_before(&mut self, at: u32) -> Option<Placed> {
        let placed = *self.comments.get(self.next_comment)?;
        if placed.comment.range.start < at {
            self.next_comment += 1;
            Some(placed)
        } else {
            None
        }
    }

    /// Prints the comments before `at` inside a line: a comment that had a line of
    /// its own gets one, indented one level more than the element.
    fn inline_comments(&mut self, at: u32) {
        while let Some(placed) = self.take_comment_before(at) {
            if self.flat {
                self.overflow = true;
                return;
            }
            if placed.own_line || self.pending_newline {
                self.start_line(self.level + 1, false);
            } else {
                self.space();
            }
            self.write_comment(placed.comment);
            if placed.comment.kind == CommentKind::Block && !placed.newline_after {
                self.space();
            } else {
                self.pending_newline = true;
            }
        }
    }

    /// Prints the comments before `at`, the start of an element of a sequence printed
    /// one element per line at `level`: each comment keeps its own line (or its place at
    /// the end of the previous line), and its blank line before.
    ///
    /// With `force_blank`, a blank line comes before the first comment on its own line.
    /// Returns whether such a comment was printed.
    pub(super) fn leading_comments(&mut self, at: u32, level: usize, force_blank: bool) -> bool {
        let mut own_line = false;
        while let Some(placed) = self.take_comment_before(at) {
            if self.flat {
                self.overflow = true;
                return own_line;
            }
            if placed.own_line || self.pending_newline {
                let blank = placed.blank_before || (force_blank && !own_line);
                self.start_line(level, blank);
                own_line = true;
                self.write_comment(placed.comment);
            } else {
                let fresh = self.fresh;
                self.space();
                self.write_comment(placed.comment);
                self.fresh = fresh;
            }
            self.pending_newline = placed.comment.kind != CommentKind::Block;
        }
        own_line
    }

    /// Prints every comment that is left, each on its own line at level 0 (the end of
    /// the file).
    pub(super) fn trailing_comments(&mut self) {
        self.leading_comments(u32::MAX, 0, false);
    }

    fn write_comment(&mut self, comment: Comment) {
        self.write(super::comment_text(self.text, &comment));
    }
}

/// What layout keeps of the whitespace around each comment.
fn place_comments(text: &str, tokens: &[Spanned<'_>], comments: &[Comment]) -> Vec<Placed> {
    comments
        .iter()
        .enumerate()
        .map(|(index, &comment)| {
            let start = comment.range.start as usize;
            let end = comment.range.end as usize;
            let token_before = tokens.partition_point(|t| t.2 <= start);
            let before = tokens
                .get(token_before.wrapping_sub(1))
                .map_or(0, |t| t.2)
                .max(
                    index
                        .checked_sub(1)
                        .map_or(0, |i| comments[i].range.end as usize),
                );
            let token_after = tokens.partition_point(|t| t.0 < end);
            let after = tokens.get(token_after).map_or(text.len(), |t| t.0).min(
                comments
                    .get(index + 1)
                    .map_or(text.len(), |c| c.range.start as usize),
            );
            let gap_before = text.get(before..start).unwrap_or_default();
            let gap_after = text.get(end..after).unwrap_or_default();
            let newlines_before = gap_before.matches('\n').count();
            Placed {
                comment,
                own_line: newlines_before > 0 || before == 0,
                blank_before: newlines_before > 1,
                newline_after: gap_after.contains('\n') || after == text.len(),
            }
        })
        .collect()
}
