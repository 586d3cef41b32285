//! The catalogue as static HTML: `index.html` and one page per offering.
//!
//! Invariants: every page is self-contained (one inline stylesheet, no script, no
//! external asset, links only to sibling pages); every user text goes through
//! [`escape`] (directly or through [`prose`]) before it reaches the page, so a doc
//! comment cannot inject markup; the same catalogue always gives the same bytes.

use std::fmt::Write;

use crate::catalog::document::{Block, Cell, Document, Inline};
use crate::catalog::{Catalog, Span, pages, spans};

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:72rem;\
margin:2rem auto;padding:0 1rem;color:#1f2328;line-height:1.5}\
h1,h2,h3{line-height:1.25}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem}\
table{border-collapse:collapse;margin:1rem 0;width:100%}\
th,td{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:left;vertical-align:top}\
th{background:#f6f8fa}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;\
background:#f6f8fa;padding:.1rem .3rem;border-radius:4px;font-size:90%}\
.meta{color:#59636e}.yes{font-weight:600}a{color:#0969da}";

/// Every page: `(file name, contents)`, the index first, then the offerings in order.
pub fn render(catalog: &Catalog) -> Vec<(String, String)> {
    pages::all(catalog)
        .into_iter()
        .map(|(stem, document)| (format!("{stem}.html"), write(&document)))
        .collect()
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Doc text, escaped, with its `code` spans as `<code>`.
pub fn prose(value: &str) -> String {
    spans(value)
        .into_iter()
        .map(|span| match span {
            Span::Text(plain) => escape(plain),
            Span::Code(inner) => code(inner),
        })
        .collect()
}

fn code(value: &str) -> String {
    format!("<code>{}</code>", escape(value))
}

/// A complete page.
fn write(document: &Document) -> String {
    let mut body = String::new();
    for block in &document.blocks {
        write_block(&mut body, block);
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(&document.title)
    )
}

fn write_block(out: &mut String, block: &Block) {
    match block {
        Block::Heading {
            level,
            anchor,
            text,
            aside,
        } => {
            let id = anchor
                .map(|anchor| format!(" id=\"{}\"", escape(anchor)))
                .unwrap_or_default();
            let aside = aside
                .as_ref()
                .map(|aside| format!(" <span class=\"meta\">({})</span>", line(aside)))
                .unwrap_or_default();
            let _ = writeln!(out, "<h{level}{id}>{}{aside}</h{level}>", line(text));
        }
        Block::Paragraph { text, meta } => {
            let class = if *meta { " class=\"meta\"" } else { "" };
            let _ = writeln!(out, "<p{class}>{}</p>", line(text));
        }
        Block::Table { header, rows } => {
            out.push_str("<table>\n<tr>");
            for title in header {
                let _ = write!(out, "<th>{}</th>", escape(title));
            }
            out.push_str("</tr>\n");
            for row in rows {
                out.push_str("<tr>");
                for cell in row {
                    let _ = write!(out, "<td>{}</td>", cell_html(cell));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</table>\n");
        }
    }
}

/// A cell's paragraphs, separated by a blank line.
fn cell_html(cell: &Cell) -> String {
    cell.iter()
        .map(|paragraph| line(paragraph))
        .collect::<Vec<_>>()
        .join("<br><br>")
}

fn line(pieces: &[Inline]) -> String {
    pieces.iter().map(inline).collect()
}

fn inline(piece: &Inline) -> String {
    match piece {
        Inline::Text(plain) => escape(plain),
        Inline::Prose(doc) => prose(doc),
        Inline::Code(value) => code(value),
        Inline::Link { page, text } => {
            format!("<a href=\"{}.html\">{}</a>", escape(page), inline(text))
        }
        Inline::Flag(true) => "<span class=\"yes\">yes</span>".to_string(),
        Inline::Flag(false) => "no".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn prose_escapes_inside_and_outside_code() {
        assert_eq!(
            prose("a <b> `<i>` c"),
            "a &lt;b&gt; <code>&lt;i&gt;</code> c"
        );
    }
}
