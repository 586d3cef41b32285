//! The catalogue as Markdown (GitHub-flavoured): `index.md` and one page per offering.
//!
//! Invariants: every user text goes through [`text`], [`cell`] or [`code`], so that no
//! raw HTML and no table-breaking `|` or newline from a `.plat` file reaches the page;
//! the same catalogue always gives the same bytes; links are relative (`postgres.md`),
//! so the pages can be read in place or from any host.

use crate::catalog::document::{Block, Document, Inline};
use crate::catalog::{Catalog, Span, pages, spans};

/// Every page: `(file name, contents)`, the index first, then the offerings in order.
pub fn render(catalog: &Catalog) -> Vec<(String, String)> {
    pages::all(catalog)
        .into_iter()
        .map(|(stem, document)| (format!("{stem}.md"), write(&document)))
        .collect()
}

/// A page: its blocks, separated by blank lines.
fn write(document: &Document) -> String {
    document
        .blocks
        .iter()
        .map(block)
        .collect::<Vec<_>>()
        .join("\n")
}

fn block(block: &Block) -> String {
    match block {
        Block::Heading {
            level, text, aside, ..
        } => {
            let aside = aside
                .as_ref()
                .map(|aside| format!(" ({})", line(aside, false)))
                .unwrap_or_default();
            format!(
                "{} {}{aside}\n",
                "#".repeat(usize::from(*level)),
                line(text, false)
            )
        }
        Block::Paragraph { text, .. } => format!("{}\n", line(text, false)),
        Block::Table { header, rows } => {
            let mut out = String::new();
            let titles: Vec<String> = header.iter().map(|title| cell(title)).collect();
            out.push_str(&format!("| {} |\n", titles.join(" | ")));
            out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
            for row in rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|paragraphs| {
                        paragraphs
                            .iter()
                            .map(|paragraph| line(paragraph, true))
                            .collect::<Vec<_>>()
                            .join("<br><br>")
                    })
                    .collect();
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
            out
        }
    }
}

/// Inline pieces; `in_table` escapes what would end a table cell.
fn line(pieces: &[Inline], in_table: bool) -> String {
    pieces.iter().map(|piece| inline(piece, in_table)).collect()
}

fn inline(piece: &Inline, in_table: bool) -> String {
    let escaped = |text: String| {
        if in_table {
            text.replace('|', "\\|")
        } else {
            text
        }
    };
    match piece {
        Inline::Text(plain) => escaped(plain_text(plain)),
        Inline::Prose(doc) => escaped(text(doc)),
        Inline::Code(value) => code(value),
        Inline::Link { page, text } => format!("[{}]({page}.md)", inline(text, in_table)),
        Inline::Flag(true) => "yes".to_string(),
        Inline::Flag(false) => "no".to_string(),
    }
}

/// Plain text: as [`text`], with backticks escaped so that none starts a code span.
fn plain_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        push_escaped(&mut out, ch);
    }
    out
}

/// Pushes `ch`, made an entity if it is `<`, `>` or `&`, a space if it ends a line,
/// escaped if it is a backtick.
fn push_escaped(out: &mut String, ch: char) {
    match ch {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '\n' | '\r' => out.push(' '),
        '`' => out.push_str("\\`"),
        _ => out.push(ch),
    }
}

/// Prose for a Markdown block: `code` spans kept, every other `<`, `>` and `&` made
/// an entity so that no raw HTML gets through; Markdown emphasis is left as written.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for span in spans(value) {
        match span {
            // A backtick outside a span is one that `spans` found unclosed.
            Span::Text(plain) => plain.chars().for_each(|ch| push_escaped(&mut out, ch)),
            Span::Code(inner) => {
                out.push('`');
                out.push_str(inner);
                out.push('`');
            }
        }
    }
    out
}

/// Prose for a table cell: as [`text`], with `|` escaped.
pub fn cell(value: &str) -> String {
    text(value).replace('|', "\\|")
}

/// A code span holding `value` literally, safe in a table cell: fenced with more
/// backticks than any run inside it, newlines as spaces, `|` escaped.
pub fn code(value: &str) -> String {
    let flat: String = value
        .chars()
        .map(|ch| if ch == '\n' || ch == '\r' { ' ' } else { ch })
        .collect();
    let longest = flat.split(|ch| ch != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') || flat.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", flat.replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_html_outside_code_spans() {
        assert_eq!(
            text("a <script>alert(1)</script> & `<b>`"),
            "a &lt;script&gt;alert(1)&lt;/script&gt; &amp; `<b>`"
        );
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("\"a\" | \"b\""), "`\"a\" \\| \"b\"`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`"), "`` ` ``");
    }
}
