//! Semantic tokens (full document): what every token of a file is, for highlighting.
//!
//! Invariants: tokens come from the compiler's own lexer (`syntax::lexer::lex`), its
//! comment table, its tree (`parse_file`) and its resolution table
//! (`check::definitions`); this module never scans text itself. Tokens never overlap,
//! never span a line break (a multi-line comment or string is cut per line), are sorted
//! by position, and their columns and lengths count in the negotiated encoding.
//! Precedence: what a name resolves to, then what the tree declares there, then what
//! the lexer says.

use std::collections::BTreeMap;

use plat_compiler::check::definitions;
use plat_compiler::names::{NameKind, TargetKind, file_declarations};
use plat_compiler::source::SourceFile;
use plat_compiler::span::TextRange;
use plat_compiler::syntax::ast::{Body, Item, Member, TypeExpr};
use plat_compiler::syntax::lexer::{self, Tok};
use plat_compiler::syntax::{CommentKind, parse_file};
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend,
};

use crate::snapshot::Snapshot;

/// The token types, in legend order.
const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,
    SemanticTokenType::TYPE,
    SemanticTokenType::CLASS,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::STRUCT,
    SemanticTokenType::INTERFACE,
    SemanticTokenType::PARAMETER,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
];

/// Indexes into [`TYPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Keyword = 0,
    Type,
    /// An offering.
    Offering,
    /// An environment or an import.
    Namespace,
    /// A workload.
    Workload,
    /// A policy.
    Policy,
    Parameter,
    /// An output, an attribute, a named block.
    Property,
    /// A resource instance.
    Resource,
    String,
    Number,
    Comment,
}

/// Modifier bits, in legend order.
const DECLARATION: u32 = 1;
const DOCUMENTATION: u32 = 2;

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::DOCUMENTATION,
        ],
    }
}

/// One classified range of the text, before encoding.
#[derive(Debug, Clone, Copy)]
struct Classified {
    range: TextRange,
    kind: Kind,
    modifiers: u32,
}

/// The semantic tokens of `file`, delta-encoded as the protocol wants them.
pub fn tokens(snapshot: &Snapshot, file: SourceFile) -> Vec<SemanticToken> {
    let text = file.text(&snapshot.db);
    let names = names(snapshot, file);
    let mut classified = Vec::new();
    let lexed = lexer::lex(text);
    for (start, tok, end) in lexed.tokens {
        let range = TextRange::new(start as u32, end as u32);
        lexical(tok, range, &names, &mut classified);
    }
    for comment in &lexed.comments {
        let modifiers = if comment.kind == CommentKind::Doc {
            DOCUMENTATION
        } else {
            0
        };
        classified.push(Classified {
            range: comment.range,
            kind: Kind::Comment,
            modifiers,
        });
    }
    classified.sort_by_key(|c| (c.range.start, c.range.end));
    encode(snapshot, file, text, &classified)
}

/// Names classified by the tree and the resolution table, by range.
fn names(snapshot: &Snapshot, file: SourceFile) -> BTreeMap<(u32, u32), (Kind, u32)> {
    let db = &snapshot.db;
    let mut names = BTreeMap::new();
    let mut put = |range: TextRange, kind: Kind, modifiers: u32| {
        names.insert((range.start, range.end), (kind, modifiers));
    };
    for site in file_declarations(db, file) {
        put(site.name_range, decl_kind(site.kind), DECLARATION);
    }
    let module = &parse_file(db, file).module;
    for item in &module.items {
        match item {
            Item::Decl(decl) => body_names(&decl.body, &mut put),
            Item::Type(decl) => type_names(&decl.ty, &mut put),
            _ => {}
        }
    }
    for reference in &definitions(db, snapshot.project, file).references {
        put(reference.range, target_kind(reference.kind), 0);
    }
    names
}

fn body_names(body: &Body, put: &mut impl FnMut(TextRange, Kind, u32)) {
    for member in &body.members {
        match member {
            Member::Attribute(attribute) => put(attribute.name.range, Kind::Property, 0),
            Member::Param(field) => {
                put(field.name.range, Kind::Parameter, DECLARATION);
                type_names(&field.ty, put);
            }
            Member::Output(field) => {
                put(field.name.range, Kind::Property, DECLARATION);
                type_names(&field.ty, put);
            }
            Member::Instance(instance) => {
                put(instance.name.range, Kind::Resource, DECLARATION);
                body_names(&instance.body, put);
            }
            Member::Block(block) => {
                put(block.kind.range, Kind::Keyword, 0);
                if let Some(label) = &block.label {
                    put(label.range, Kind::Property, DECLARATION);
                }
                body_names(&block.body, put);
            }
            Member::Use(used) => {
                if let Some(body) = &used.body {
                    body_names(body, put);
                }
            }
            Member::Require(_) | Member::Error(_) => {}
        }
    }
}

/// The names of types written in a type expression (`string`, `list<port>`).
fn type_names(ty: &TypeExpr, put: &mut impl FnMut(TextRange, Kind, u32)) {
    match ty {
        TypeExpr::Named { path, args, .. } => {
            for segment in &path.segments {
                put(segment.range, Kind::Type, 0);
            }
            args.iter().for_each(|arg| type_names(arg, put));
        }
        TypeExpr::Constrained { base, .. } => type_names(base, put),
        TypeExpr::Optional { inner, .. } => type_names(inner, put),
        TypeExpr::Record { fields, .. } => {
            for field in fields {
                put(field.name.range, Kind::Property, DECLARATION);
                type_names(&field.ty, put);
            }
        }
        TypeExpr::Enum { .. } | TypeExpr::Error(_) => {}
    }
}

fn decl_kind(kind: NameKind) -> Kind {
    match kind {
        NameKind::Type => Kind::Type,
        NameKind::Offering => Kind::Offering,
        NameKind::Environment => Kind::Namespace,
        NameKind::Workload => Kind::Workload,
        NameKind::Policy => Kind::Policy,
    }
}

fn target_kind(kind: TargetKind) -> Kind {
    match kind {
        TargetKind::Declaration(kind) => decl_kind(kind),
        TargetKind::Import => Kind::Namespace,
        TargetKind::Resource => Kind::Resource,
        TargetKind::Output | TargetKind::Block => Kind::Property,
        TargetKind::Param => Kind::Parameter,
    }
}

/// Classifies one lexer token; names inside strings (`${db.host}`) cut the string.
fn lexical(
    tok: Tok<'_>,
    range: TextRange,
    names: &BTreeMap<(u32, u32), (Kind, u32)>,
    out: &mut Vec<Classified>,
) {
    let mut push = |range: TextRange, kind: Kind, modifiers: u32| {
        if range.start < range.end {
            out.push(Classified {
                range,
                kind,
                modifiers,
            });
        }
    };
    match tok {
        Tok::Ident(_) => {
            if let Some(&(kind, modifiers)) = names.get(&(range.start, range.end)) {
                push(range, kind, modifiers);
            }
        }
        Tok::Str(_) => {
            let mut at = range.start;
            for (&(start, end), &(kind, modifiers)) in names.range((range.start, 0)..) {
                if start >= range.end {
                    break;
                }
                if start < at || end > range.end {
                    continue;
                }
                push(TextRange::new(at, start), Kind::String, 0);
                push(TextRange::new(start, end), kind, modifiers);
                at = end;
            }
            push(TextRange::new(at, range.end), Kind::String, 0);
        }
        Tok::Int(_) | Tok::Float(_) | Tok::Quantity(_) => push(range, Kind::Number, 0),
        tok if tok.is_keyword() => push(range, Kind::Keyword, 0),
        _ => {}
    }
}

/// Cuts the ranges at line breaks and delta-encodes them in the negotiated encoding.
fn encode(
    snapshot: &Snapshot,
    file: SourceFile,
    text: &str,
    classified: &[Classified],
) -> Vec<SemanticToken> {
    let map = snapshot.line_map(file);
    let mut tokens = Vec::with_capacity(classified.len());
    let (mut line, mut column) = (0, 0);
    let mut covered = 0;
    for c in classified {
        if c.range.start < covered {
            continue; // never overlap
        }
        covered = c.range.end;
        for piece in lines(text, c.range) {
            let start = map.position(piece.start);
            let end = map.position(piece.end);
            if end.line != start.line || end.character <= start.character {
                continue;
            }
            let delta_line = start.line - line;
            let delta_start = if delta_line == 0 {
                start.character - column
            } else {
                start.character
            };
            tokens.push(SemanticToken {
                delta_line,
                delta_start,
                length: end.character - start.character,
                token_type: c.kind as u32,
                token_modifiers_bitset: c.modifiers,
            });
            (line, column) = (start.line, start.character);
        }
    }
    tokens
}

/// The parts of `range` on each line, without the line breaks.
fn lines(text: &str, range: TextRange) -> Vec<TextRange> {
    let Some(slice) = text.get(range.as_range()) else {
        return Vec::new();
    };
    let mut pieces = Vec::new();
    let mut at = range.start;
    for part in slice.split('\n') {
        let trimmed = part.strip_suffix('\r').unwrap_or(part);
        pieces.push(TextRange::new(at, at + trimmed.len() as u32));
        at += part.len() as u32 + 1;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_ranges_are_cut_per_line() {
        let text = "/* a\r\nbc */ x";
        let pieces = lines(text, TextRange::new(0, 10));
        assert_eq!(pieces, vec![TextRange::new(0, 4), TextRange::new(6, 10)]);
    }
}
