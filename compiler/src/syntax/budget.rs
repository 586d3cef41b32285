//! Bounding the parser's work on hostile input.
//!
//! LALRPOP's error recovery costs time proportional to the depth of the parse stack for
//! every token it drops, so a deeply nested file followed by megabytes of junk could take
//! minutes. Invariant: the parser is fed through a [`Feed`] that charges every token pulled
//! while the parser makes no progress (no grammar action has run since the previous token)
//! by the current bracket depth; when the charge passes [`WORK_BUDGET`], or the parser has
//! recovered from [`MAX_RECOVERIES`] errors, the feed ends the input early and the parse
//! stops there with one E0101 saying so. Ordinary files never come near either limit.

use std::cell::{Cell, RefCell};

use lalrpop_util::ErrorRecovery;

use super::SyntaxError;
use super::lexer::{Spanned, Tok};
use crate::diagnostic::Code;
use crate::span::TextRange;

/// How much stalled work (tokens × bracket depth) a parse may spend.
pub(super) const WORK_BUDGET: u64 = 4_000_000;

/// How many errors the parser may recover from before it gives up on the file.
pub(super) const MAX_RECOVERIES: usize = 1_000;

pub(super) type Recovery<'a> = ErrorRecovery<usize, Tok<'a>, SyntaxError>;

/// Where the grammar's actions report errors and progress.
#[derive(Default)]
pub(super) struct Sink<'a> {
    recovered: RefCell<Vec<Recovery<'a>>>,
    ticks: Cell<u64>,
    /// Recoveries from parse errors (errors reported by actions not counted).
    recoveries: Cell<usize>,
    stopped_at: Cell<Option<usize>>,
}

impl<'a> Sink<'a> {
    pub(super) fn push(&self, recovery: Recovery<'a>) {
        self.tick();
        if !matches!(recovery.error, lalrpop_util::ParseError::User { .. }) {
            self.recoveries.set(self.recoveries.get() + 1);
        }
        self.recovered.borrow_mut().push(recovery);
    }

    /// Records that the parser made progress (a grammar action ran).
    pub(super) fn tick(&self) {
        self.ticks.set(self.ticks.get().wrapping_add(1));
    }

    fn ticks(&self) -> u64 {
        self.ticks.get()
    }

    fn recoveries(&self) -> usize {
        self.recoveries.get()
    }

    /// Where the feed cut the input short, if it did.
    pub(super) fn stopped_at(&self) -> Option<usize> {
        self.stopped_at.get()
    }

    pub(super) fn into_inner(self) -> Vec<Recovery<'a>> {
        self.recovered.into_inner()
    }
}

/// The token iterator handed to the parser; see the module invariants.
pub(super) struct Feed<'s, 'a> {
    tokens: std::slice::Iter<'s, Spanned<'a>>,
    sink: &'s Sink<'a>,
    depth: u64,
    last_ticks: u64,
    stalled: bool,
    spent: u64,
}

impl<'s, 'a> Feed<'s, 'a> {
    pub(super) fn new(tokens: &'s [Spanned<'a>], sink: &'s Sink<'a>) -> Self {
        Feed {
            tokens: tokens.iter(),
            sink,
            depth: 0,
            last_ticks: u64::MAX,
            stalled: false,
            spent: 0,
        }
    }

    fn charge(&mut self) {
        let ticks = self.sink.ticks();
        let stalled = ticks == self.last_ticks;
        if stalled && self.stalled {
            self.spent += self.depth + 1;
        }
        self.stalled = stalled;
        self.last_ticks = ticks;
    }

    fn over_budget(&self) -> bool {
        self.spent > WORK_BUDGET || self.sink.recoveries() > MAX_RECOVERIES
    }

    fn track_depth(&mut self, tok: Tok<'_>) {
        match tok {
            Tok::LBrace | Tok::LBracket | Tok::LParen => self.depth += 1,
            Tok::RBrace | Tok::RBracket | Tok::RParen => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
    }
}

impl<'a> Iterator for Feed<'_, 'a> {
    type Item = Result<Spanned<'a>, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.sink.stopped_at().is_some() {
            return None;
        }
        let token = *self.tokens.next()?;
        self.charge();
        if self.over_budget() {
            self.sink.stopped_at.set(Some(token.0));
            return None;
        }
        self.track_depth(token.1);
        Some(Ok(token))
    }
}

/// The error reported where a parse was stopped.
pub(super) fn stopped_error(at: usize) -> SyntaxError {
    SyntaxError::new(
        Code::UnexpectedToken,
        "too many syntax errors: the rest of the file was not read",
        TextRange::empty(at as u32),
    )
    .with_label("parsing stopped here")
    .with_help("fix the errors above, then check again")
}
