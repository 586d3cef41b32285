//! Score's `${...}` placeholders, and plat string expressions built from them.
//!
//! Invariants: `$$` is a literal `$` (Score's escape) and is never the start of a
//! placeholder; a `${` without a closing `}` is literal text; the plat text written for
//! literal parts always escapes `\`, `"` and `${`, so that nothing the Score file says
//! literally is ever read by plat as a reference.

/// A piece of a Score string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    /// `${resources.db.host}`: the text between the braces.
    Placeholder(String),
}

/// Splits a Score string into text and placeholders.
pub fn segments(value: &str) -> Vec<Segment> {
    let mut result = Vec::new();
    let mut text = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        text.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            text.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('{')
            && let Some(close) = inner.find('}')
        {
            if !text.is_empty() {
                result.push(Segment::Text(std::mem::take(&mut text)));
            }
            result.push(Segment::Placeholder(inner[..close].to_string()));
            rest = &inner[close + 1..];
        } else {
            text.push('$');
            rest = after;
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        result.push(Segment::Text(text));
    }
    result
}

/// A piece of a plat value: text, or a reference such as `db.host`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(String),
    /// A reference, and whether it may stand alone as the value (a `string` or
    /// `secret` output; a port is interpolated to make it a string).
    Ref {
        path: String,
        bare: bool,
    },
}

/// The plat expression for `parts`: a bare reference when it is the whole value and
/// may stand alone, else a string literal with interpolations.
pub fn expression(parts: &[Part]) -> String {
    if let [Part::Ref { path, bare: true }] = parts {
        return path.clone();
    }
    let mut out = String::from("\"");
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(&escape(text)),
            Part::Ref { path, .. } => {
                out.push_str("${");
                out.push_str(path);
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

/// A plat string literal holding exactly `text`.
pub fn literal(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

/// `text` escaped for the inside of a plat string literal; newlines stay newlines.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push('\n'),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            ch if ch.is_control() => out.push_str(&format!("\\u{{{:x}}}", ch as u32)),
            ch => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_escapes() {
        assert_eq!(
            segments("a ${resources.db.host}:$${X} $$_ $5 ${open"),
            vec![
                Segment::Text("a ".into()),
                Segment::Placeholder("resources.db.host".into()),
                Segment::Text(":${X} $_ $5 ${open".into()),
            ]
        );
    }

    #[test]
    fn expressions_escape_literal_text() {
        let parts = vec![
            Part::Text("x=\"${y}\" \\ ".into()),
            Part::Ref {
                path: "db.port".into(),
                bare: false,
            },
        ];
        assert_eq!(expression(&parts), r#""x=\"\${y}\" \\ ${db.port}""#);
        let bare = vec![Part::Ref {
            path: "db.host".into(),
            bare: true,
        }];
        assert_eq!(expression(&bare), "db.host");
    }
}
