//! Text from a project, made safe to print.
//!
//! Invariant: every text that comes from a project (source lines, names and values in
//! messages, file and project names) reaches a terminal through [`clean`] or
//! [`CleanSource`], and reaches JSON through [`escape_json`]. Control characters (ESC,
//! BEL, a carriage return that does not end a line, DEL, the C1 controls) and the
//! bidirectional controls that reorder what a line shows are drawn as visible symbols,
//! so a file can neither move the cursor, retitle the window, ring the bell nor hide
//! text behind other text.

use std::borrow::Cow;

/// How `c`, followed by `next`, is shown: `None` when it is shown as it is.
fn visible(c: char, next: Option<char>) -> Option<String> {
    match c {
        '\n' | '\t' => None,
        '\r' if next == Some('\n') => None,
        // The control pictures: `␛` for ESC, `␇` for BEL, `␍` for a lone CR.
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).map(String::from),
        '\u{7f}' => Some("\u{2421}".to_string()),
        _ if c.is_control() || is_bidi_control(c) => Some(format!("<U+{:04X}>", c as u32)),
        _ => None,
    }
}

/// The formatting characters that reorder text on screen (a "Trojan Source").
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// `text` with every character that is not safe on a terminal drawn visibly.
pub fn clean(text: &str) -> Cow<'_, str> {
    let mut chars = text.chars().peekable();
    let mut out: Option<String> = None;
    let mut at = 0;
    while let Some(c) = chars.next() {
        match visible(c, chars.peek().copied()) {
            Some(shown) => out
                .get_or_insert_with(|| text[..at].to_string())
                .push_str(&shown),
            None => {
                if let Some(out) = &mut out {
                    out.push(c);
                }
            }
        }
        at += c.len_utf8();
    }
    match out {
        Some(out) => Cow::Owned(out),
        None => Cow::Borrowed(text),
    }
}

/// A source text made safe to draw, with the byte offsets of the original mapped into
/// it, so that labels still point at what they pointed at.
pub struct CleanSource {
    pub text: String,
    /// Where the cleaned text grows: the original offset after a replaced character,
    /// and how many bytes longer the text is from there on. Sorted by offset.
    growth: Vec<(usize, usize)>,
}

impl CleanSource {
    pub fn new(text: &str) -> CleanSource {
        let mut clean = String::with_capacity(text.len());
        let mut growth = Vec::new();
        let mut grown = 0;
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match visible(c, chars.peek().map(|&(_, next)| next)) {
                Some(shown) => {
                    clean.push_str(&shown);
                    grown += shown.len() - c.len_utf8();
                    growth.push((at + c.len_utf8(), grown));
                }
                None => clean.push(c),
            }
        }
        CleanSource {
            text: clean,
            growth,
        }
    }

    /// The offset in the cleaned text of `offset` in the original.
    pub fn offset(&self, offset: usize) -> usize {
        let before = self.growth.partition_point(|&(at, _)| at <= offset);
        let grown = before
            .checked_sub(1)
            .map_or(0, |index| self.growth[index].1);
        offset + grown
    }
}

/// JSON text (as `serde_json` writes it) with the characters it leaves raw inside
/// strings (DEL, the C1 controls, the bidirectional controls) written as `\u` escapes.
/// JSON's own structure is ASCII, so this changes strings only, and not what they say.
pub fn escape_json(json: String) -> String {
    if !json
        .chars()
        .any(|c| c == '\u{7f}' || c.is_control() && !c.is_ascii() || is_bidi_control(c))
    {
        return json;
    }
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c == '\u{7f}' || (c.is_control() && !c.is_ascii()) || is_bidi_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_drawn_and_line_ends_kept() {
        assert_eq!(clean("plain"), Cow::Borrowed("plain"));
        assert_eq!(
            clean("a\u{1b}]0;x\u{7}b\r\nc\rd\u{9b}e\u{202e}f\tg"),
            "a\u{241b}]0;x\u{2407}b\r\nc\u{240d}d<U+009B>e<U+202E>f\tg"
        );
    }

    #[test]
    fn offsets_follow_the_replacements() {
        let source = CleanSource::new("x\u{1b}yé\u{7}z");
        assert_eq!(source.text, "x\u{241b}yé\u{2407}z");
        assert_eq!(source.offset(0), 0);
        assert_eq!(source.offset(1), 1);
        // After ESC (1 byte, shown in 3).
        assert_eq!(source.offset(2), 4);
        // `z`, after `é` and BEL.
        assert_eq!(source.offset(6), 10);
        assert_eq!(&source.text[source.offset(6)..], "z");
    }

    #[test]
    fn json_strings_escape_what_serde_leaves_raw() {
        let json = serde_json::to_string(&"a\u{1b}\u{9b}\u{202e}").unwrap();
        assert_eq!(escape_json(json), r#""a\u001b\u009b\u202e""#);
    }
}
