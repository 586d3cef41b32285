//! The catalogue as Markdown (GitHub-flavoured): `index.md` and one page per offering.
//!
//! Invariants: every user text goes through [`escape`] (prose through [`text`], which
//! keeps its code spans, as [`code`]), so that no raw HTML, no link, no table-breaking
//! `|` and no newline from a `.plat` file reaches the page;
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
                .map(|aside| format!(" ({})", line(aside)))
                .unwrap_or_default();
            format!(
                "{} {}{aside}\n",
                "#".repeat(usize::from(*level)),
                line(text)
            )
        }
        Block::Paragraph { text, .. } => format!("{}\n", line(text)),
        Block::Table { header, rows } => {
            let mut out = String::new();
            let titles: Vec<String> = header.iter().map(|title| escape(title)).collect();
            out.push_str(&format!("| {} |\n", titles.join(" | ")));
            out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
            for row in rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|paragraphs| {
                        paragraphs
                            .iter()
                            .map(|paragraph| line(paragraph))
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

/// Inline pieces.
fn line(pieces: &[Inline]) -> String {
    pieces.iter().map(inline).collect()
}

fn inline(piece: &Inline) -> String {
    match piece {
        Inline::Text(plain) => escape(plain),
        Inline::Prose(doc) => text(doc),
        Inline::Code(value) => code(value),
        Inline::Link { page, text } => format!("[{}]({page}.md)", inline(text)),
        Inline::Flag(true) => "yes".to_string(),
        Inline::Flag(false) => "no".to_string(),
    }
}

/// The one escaping of user text for Markdown, wherever it goes (a heading, a
/// paragraph, a table cell): every character that Markdown or the HTML in it reads as
/// markup is made literal. `<`, `>` and `&` become entities (no raw HTML, no
/// autolink); the brackets, `!`, emphasis, headings, strike-through, backticks and
/// `|` are backslash-escaped, so no link or image (`[x](javascript:...)`), no link
/// reference definition, no code span and no table cell can come from a `.plat` file;
/// a line break becomes a space.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '#' | '~' | '|' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Prose from a doc comment: its `code` spans as code spans, the rest [`escape`]d.
pub fn text(value: &str) -> String {
    spans(value)
        .into_iter()
        .map(|span| match span {
            // A backtick outside a span is one that `spans` found unclosed.
            Span::Text(plain) => escape(plain),
            Span::Code(inner) => code(inner),
        })
        .collect()
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
    fn links_images_and_references_stay_text() {
        assert_eq!(
            escape("[x](javascript:alert(1)) ![i](javascript:x) [r]: javascript:y"),
            "\\[x\\](javascript:alert(1)) \\!\\[i\\](javascript:x) \\[r\\]: javascript:y"
        );
        assert_eq!(text("a | `b | c`"), "a \\| `b \\| c`");
    }

    #[test]
    fn code_spans_survive_backticks_and_pipes() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("\"a\" | \"b\""), "`\"a\" \\| \"b\"`");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("`"), "`` ` ``");
    }
}
