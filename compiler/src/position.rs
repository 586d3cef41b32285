//! Lines and columns: the one conversion between byte offsets and positions, for the
//! edges of the compiler that show positions to people and tools (terminal, JSON,
//! SARIF, the language server).
//!
//! Invariant: every conversion is total. Offsets outside the text or inside a
//! character are clamped (to the end, to the character's start); a line past the end
//! is the end of the text, a column past the end of its line is the line's end; never
//! a panic. Columns count in a [`Unit`]: Unicode scalar values for people (what an
//! editor's status bar shows for most text), UTF-16 code units or bytes for the
//! language server's clients.

use line_index::{LineCol, LineIndex, TextSize};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineColumn {
    pub line: u32,
    pub column: u32,
}

/// What a column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Unicode scalar values.
    Chars,
    /// UTF-16 code units (the Language Server Protocol's default).
    Utf16,
    /// Bytes of UTF-8.
    Bytes,
}

impl Unit {
    fn width(self, c: char) -> u32 {
        match self {
            Unit::Chars => 1,
            Unit::Utf16 => c.len_utf16() as u32,
            Unit::Bytes => c.len_utf8() as u32,
        }
    }
}

/// Converts byte offsets of one text to lines and columns, and back.
pub struct Positions<'a> {
    text: &'a str,
    index: LineIndex,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str) -> Self {
        Positions {
            text,
            index: LineIndex::new(text),
        }
    }

    /// The 1-based line and column (in characters) of `offset`.
    pub fn line_column(&self, offset: u32) -> LineColumn {
        let (line, column) = self.position(offset, Unit::Chars);
        LineColumn {
            line: line + 1,
            column: column + 1,
        }
    }

    /// The 0-based line and column (in `unit`) of `offset`.
    pub fn position(&self, offset: u32, unit: Unit) -> (u32, u32) {
        let offset = self.clamp(offset);
        let line_col = self.index.line_col(TextSize::from(offset));
        let line_start = (offset - line_col.col) as usize;
        let column = self.text[line_start..offset as usize]
            .chars()
            .map(|c| unit.width(c))
            .sum();
        (line_col.line, column)
    }

    /// The byte offset of the 0-based `line` and `column` (in `unit`), clamped into the
    /// text: a column inside a character is that character's start.
    pub fn offset(&self, line: u32, column: u32, unit: Unit) -> u32 {
        let Some(start) = self.index.offset(LineCol { line, col: 0 }) else {
            return self.text.len() as u32;
        };
        let start = u32::from(start) as usize;
        if start > self.text.len() {
            return self.text.len() as u32;
        }
        let rest = &self.text[start..];
        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut counted = 0;
        for (at, c) in line.char_indices() {
            if counted >= column {
                return (start + at) as u32;
            }
            counted += unit.width(c);
        }
        (start + line.len()) as u32
    }

    /// The largest offset `<= offset` that lies on a character boundary of the text.
    fn clamp(&self, offset: u32) -> u32 {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        let positions = Positions::new("a\né = 1\n");
        assert_eq!(positions.line_column(0), LineColumn { line: 1, column: 1 });
        assert_eq!(positions.line_column(2), LineColumn { line: 2, column: 1 });
        // After `é` (two bytes) and a space.
        assert_eq!(positions.line_column(5), LineColumn { line: 2, column: 3 });
    }

    #[test]
    fn utf16_counts_surrogate_pairs_and_bytes_count_bytes() {
        let text = "a = \"é😀x\"\nb";
        let positions = Positions::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(positions.position(x, Unit::Utf16), (0, 8));
        assert_eq!(positions.offset(0, 8, Unit::Utf16), x);
        assert_eq!(positions.position(x, Unit::Bytes), (0, x));
        assert_eq!(positions.offset(0, x, Unit::Bytes), x);
        assert_eq!(positions.position(text.len() as u32, Unit::Utf16), (1, 1));
    }

    #[test]
    fn lines_and_columns_out_of_range_clamp() {
        let text = "ab\r\ncd";
        let positions = Positions::new(text);
        assert_eq!(positions.offset(0, 99, Unit::Utf16), 2);
        assert_eq!(positions.offset(9, 0, Unit::Utf16), text.len() as u32);
        assert_eq!(
            positions.offset(u32::MAX, u32::MAX, Unit::Chars),
            text.len() as u32
        );
    }

    #[test]
    fn clamps_offsets_outside_or_inside_a_character() {
        let positions = Positions::new("é");
        assert_eq!(positions.line_column(1), LineColumn { line: 1, column: 1 });
        assert_eq!(positions.line_column(99), LineColumn { line: 1, column: 2 });
    }
}
