//! The syntax layer: text of one file to an error-tolerant syntax tree.
//!
//! Invariants: [`parse`] is a pure, total function: for any text it returns a tree, the
//! comments, and the syntax errors sorted by position; it never panics, its running time
//! is (near) linear in the input, and the tree it returns is bounded in depth (brackets
//! nest at most [`lexer::MAX_DEPTH`] deep, an expression or type is at most 256 nodes
//! deep). [`parse_file`] is the salsa query over it, with errors turned into
//! [`Diagnostic`]s.

mod actions;
pub mod ast;
mod budget;
mod docs;
mod errors;
pub mod lexer;
pub(crate) mod strings;
#[cfg(test)]
mod tests;

lalrpop_util::lalrpop_mod!(
    #[allow(
        clippy::all,
        clippy::pedantic,
        unused_parens,
        unused_imports,
        unreachable_pub,
        dead_code
    )]
    grammar,
    "syntax/grammar.rs"
);

pub use lexer::{Comment, CommentKind, Tok};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Db, SourceFile};
use crate::span::TextRange;

/// A syntax error, before it is attached to a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SyntaxError {
    pub code: Code,
    pub message: String,
    pub range: TextRange,
    /// What the primary label says at `range`.
    pub label: Option<String>,
    pub help: Option<String>,
}

impl SyntaxError {
    pub fn new(code: Code, message: impl Into<String>, range: TextRange) -> Self {
        SyntaxError {
            code,
            message: message.into(),
            range,
            label: None,
            help: None,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The error as a diagnostic about `file`.
    pub fn to_diagnostic(&self, file: SourceFile) -> Diagnostic {
        let mut diagnostic = Diagnostic::new(self.code, self.message.clone(), file, self.range);
        if let Some(label) = &self.label {
            diagnostic = diagnostic.with_label(label.clone());
        }
        if let Some(help) = &self.help {
            diagnostic = diagnostic.with_help(help.clone());
        }
        diagnostic
    }
}

/// The result of parsing one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Parse {
    pub module: ast::Module,
    /// Sorted by position.
    pub errors: Vec<SyntaxError>,
    /// Every comment of the file, in order.
    pub comments: Vec<Comment>,
}

/// Parses one file. Never fails; see the module invariants.
pub fn parse(text: &str) -> Parse {
    let lexed = lexer::lex(text);
    let mut errors = lexed.errors;
    let tokens = lexer::limit_nesting(lexed.tokens, text.len(), &mut errors);
    let (mut module, stopped_at) = run_parser(&tokens, text, &mut errors);
    if let Some(at) = stopped_at {
        errors.push(budget::stopped_error(at));
    }
    docs::attach(&mut module, &lexed.comments, text);
    errors::finish(&mut errors);
    Parse {
        module,
        errors,
        comments: lexed.comments,
    }
}

/// Runs the generated parser over `tokens`; returns the tree and where the input was
/// cut short (see [`budget`]), if it was.
fn run_parser(
    tokens: &[lexer::Spanned<'_>],
    text: &str,
    errors: &mut Vec<SyntaxError>,
) -> (ast::Module, Option<usize>) {
    let sink = budget::Sink::default();
    let result = grammar::FileParser::new().parse(&sink, budget::Feed::new(tokens, &sink));
    let module = match result {
        Ok(module) => module,
        Err(error) => {
            errors.extend(errors::convert(error, text));
            ast::Module::default()
        }
    };
    let stopped_at = sink.stopped_at();
    errors.extend(errors::convert_recovered(
        sink.into_inner(),
        tokens,
        text,
        stopped_at,
    ));
    (module, stopped_at)
}

/// A parsed file, as the rest of the compiler sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParsedFile {
    pub module: ast::Module,
    pub comments: Vec<Comment>,
    /// The syntax errors, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

/// The syntax tree of `file`.
///
/// Kept for as long as the database lives (the language server re-reads it on every
/// edit), unless a command that needs the trees only once bounds it
/// ([`crate::check::drop_syntax_once_checked`]).
#[salsa::tracked(returns(ref), lru = 0)]
pub fn parse_file(db: &dyn Db, file: SourceFile) -> ParsedFile {
    let parsed = parse(file.text(db));
    ParsedFile {
        diagnostics: parsed
            .errors
            .iter()
            .map(|e| e.to_diagnostic(file))
            .collect(),
        module: parsed.module,
        comments: parsed.comments,
    }
}

/// Bounds the memo of [`parse_file`] to one syntax tree: the next new revision, or an
/// eviction ([`crate::check::check_rendering_each_environment`]), drops the others.
pub(crate) fn keep_one_syntax_tree(db: &mut dyn Db) {
    parse_file::set_lru_capacity(db, 1);
}
