//! A page of the catalogue as a small document tree: headings, paragraphs and tables
//! of inline text, code and links. [`super::pages`] says what each page holds;
//! [`super::html`] and [`super::markdown`] say how a tree is written.
//!
//! Invariants: the tree holds user text as it was written, never escaped or marked
//! up, so that each renderer escapes it exactly once for its own format; links name a
//! sibling page by its file stem, never a path or a URL, so the pages link only to
//! each other.

/// One page: its title (HTML's `<title>`) and its blocks, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// A block of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// A heading of `level` 1 to 3; `anchor` is a fragment id for links into the page;
    /// `aside` is shown after the heading's text, less prominently.
    Heading {
        level: u8,
        anchor: Option<&'static str>,
        text: Line,
        aside: Option<Line>,
    },
    /// A paragraph; a `meta` one says where something comes from rather than what it
    /// is, and is shown less prominently.
    Paragraph { text: Line, meta: bool },
    /// A table with a header row of plain text; every row has as many cells as the
    /// header.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<Cell>>,
    },
}

/// A run of inline pieces.
pub(crate) type Line = Vec<Inline>;

/// A table cell: zero or more paragraphs.
pub(crate) type Cell = Vec<Line>;

/// An inline piece of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Inline {
    /// Plain text, shown as it is.
    Text(String),
    /// Doc-comment text, whose single-backtick spans are code.
    Prose(String),
    /// Literal code: a name, a type, a default.
    Code(String),
    /// A link to the sibling page with file stem `page`.
    Link { page: String, text: Box<Inline> },
    /// A yes/no answer; `yes` stands out.
    Flag(bool),
}

impl Block {
    pub(crate) fn heading(level: u8, text: Line) -> Block {
        Block::Heading {
            level,
            anchor: None,
            text,
            aside: None,
        }
    }

    pub(crate) fn paragraph(text: Line) -> Block {
        Block::Paragraph { text, meta: false }
    }
}

/// `Inline::Text` of `text`.
pub(crate) fn text(text: impl Into<String>) -> Inline {
    Inline::Text(text.into())
}

/// `Inline::Code` of `code`.
pub(crate) fn code(code: impl Into<String>) -> Inline {
    Inline::Code(code.into())
}

/// The pieces joined by `", "`; a dash when there are none.
pub(crate) fn list_or_dash(pieces: Vec<Inline>) -> Line {
    if pieces.is_empty() {
        return vec![text("–")];
    }
    list(pieces)
}

/// The pieces joined by `", "`.
pub(crate) fn list(pieces: Vec<Inline>) -> Line {
    let mut line = Vec::with_capacity(pieces.len() * 2);
    for (at, piece) in pieces.into_iter().enumerate() {
        if at > 0 {
            line.push(text(", "));
        }
        line.push(piece);
    }
    line
}
