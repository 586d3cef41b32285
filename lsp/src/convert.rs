//! Positions: compiler byte offsets to and from LSP line/character positions.
//!
//! Invariant: every conversion is total. Lines are 0-based; characters count UTF-16
//! code units unless the client negotiated UTF-8 (then bytes). A position past the end
//! of a line clamps to the line's end, a line past the end of the text clamps to the end
//! of the text, and an offset inside a character clamps to its start: nothing a client
//! sends can make a conversion panic.

use line_index::{LineCol, LineIndex, TextSize};
use plat_compiler::span::TextRange;
use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

/// How the `character` of a position counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

impl Encoding {
    /// The encoding to use given what the client offers (`general.positionEncodings`):
    /// UTF-8 when offered, else the protocol's default UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn width(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        }
    }
}

/// Converts positions of one text.
pub struct LineMap<'a> {
    text: &'a str,
    index: LineIndex,
    encoding: Encoding,
}

impl<'a> LineMap<'a> {
    pub fn new(text: &'a str, encoding: Encoding) -> Self {
        LineMap {
            text,
            index: LineIndex::new(text),
            encoding,
        }
    }

    /// The largest offset `<= offset` on a character boundary of the text.
    fn clamp(&self, offset: u32) -> u32 {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset as u32
    }

    pub fn position(&self, offset: u32) -> Position {
        let offset = self.clamp(offset);
        let line_col = self.index.line_col(TextSize::from(offset));
        let line_start = (offset - line_col.col) as usize;
        let character = self.text[line_start..offset as usize]
            .chars()
            .map(|c| self.encoding.width(c))
            .sum();
        Position::new(line_col.line, character)
    }

    pub fn range(&self, range: TextRange) -> Range {
        Range::new(self.position(range.start), self.position(range.end))
    }

    /// The byte offset of `position`, clamped into the text.
    pub fn offset(&self, position: Position) -> u32 {
        let Some(start) = self.index.offset(LineCol {
            line: position.line,
            col: 0,
        }) else {
            return self.text.len() as u32;
        };
        let start = u32::from(start) as usize;
        if start > self.text.len() {
            return self.text.len() as u32;
        }
        let line = &self.text[start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0;
        for (at, c) in line.char_indices() {
            if units >= position.character {
                return (start + at) as u32;
            }
            units += self.encoding.width(c);
        }
        (start + line.len()) as u32
    }

    /// The byte range of an LSP range (ends swapped if reversed).
    pub fn text_range(&self, range: Range) -> TextRange {
        let (a, b) = (self.offset(range.start), self.offset(range.end));
        TextRange::new(a.min(b), a.max(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        let text = "a = \"é😀x\"\nb";
        let utf16 = LineMap::new(text, Encoding::Utf16);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(utf16.position(x), Position::new(0, 8));
        assert_eq!(utf16.offset(Position::new(0, 8)), x);
        let utf8 = LineMap::new(text, Encoding::Utf8);
        assert_eq!(utf8.position(x), Position::new(0, x));
        assert_eq!(utf8.offset(Position::new(0, x)), x);
        assert_eq!(utf16.position(text.len() as u32), Position::new(1, 1));
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\r\ncd";
        let map = LineMap::new(text, Encoding::Utf16);
        assert_eq!(map.offset(Position::new(0, 99)), 2);
        assert_eq!(map.offset(Position::new(9, 0)), text.len() as u32);
        assert_eq!(
            map.offset(Position::new(u32::MAX, u32::MAX)),
            text.len() as u32
        );
        // Inside the two bytes of `é`.
        assert_eq!(
            LineMap::new("é", Encoding::Utf8).position(1),
            Position::new(0, 0)
        );
    }
}
