//! Positions: compiler byte offsets to and from LSP line/character positions, through
//! the compiler's one converter ([`plat_compiler::position`]).
//!
//! Invariant: every conversion is total. Lines are 0-based; characters count UTF-16
//! code units unless the client negotiated UTF-8 (then bytes). A position past the end
//! of a line clamps to the line's end, a line past the end of the text clamps to the end
//! of the text, and an offset inside a character clamps to its start: nothing a client
//! sends can make a conversion panic.

use plat_compiler::position::{Positions, Unit};
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

    fn unit(self) -> Unit {
        match self {
            Encoding::Utf8 => Unit::Bytes,
            Encoding::Utf16 => Unit::Utf16,
        }
    }
}

/// Converts positions of one text.
pub struct LineMap<'a> {
    positions: Positions<'a>,
    unit: Unit,
}

impl<'a> LineMap<'a> {
    pub fn new(text: &'a str, encoding: Encoding) -> Self {
        LineMap {
            positions: Positions::new(text),
            unit: encoding.unit(),
        }
    }

    pub fn position(&self, offset: u32) -> Position {
        let (line, character) = self.positions.position(offset, self.unit);
        Position::new(line, character)
    }

    pub fn range(&self, range: TextRange) -> Range {
        Range::new(self.position(range.start), self.position(range.end))
    }

    /// The byte offset of `position`, clamped into the text.
    pub fn offset(&self, position: Position) -> u32 {
        self.positions
            .offset(position.line, position.character, self.unit)
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
