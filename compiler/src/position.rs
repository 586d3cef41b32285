//! Lines and columns, for the edges of the compiler that show positions to people and
//! tools (terminal, JSON, SARIF, the language server).
//!
//! Invariant: lines and columns are 1-based here; columns count Unicode scalar values
//! (what an editor's status bar shows for most text). Offsets outside the text or inside
//! a character are clamped, never a panic.

use line_index::{LineIndex, TextSize};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineColumn {
    pub line: u32,
    pub column: u32,
}

/// Converts byte offsets of one text to lines and columns.
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

    /// The line and column of `offset`.
    pub fn line_column(&self, offset: u32) -> LineColumn {
        let offset = self.clamp(offset);
        let line_col = self.index.line_col(TextSize::from(offset));
        let line_start = offset - line_col.col;
        let column = self.text[line_start as usize..offset as usize]
            .chars()
            .count() as u32;
        LineColumn {
            line: line_col.line + 1,
            column: column + 1,
        }
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
    fn clamps_offsets_outside_or_inside_a_character() {
        let positions = Positions::new("é");
        assert_eq!(positions.line_column(1), LineColumn { line: 1, column: 1 });
        assert_eq!(positions.line_column(99), LineColumn { line: 1, column: 2 });
    }
}
