//! Helpers for the grammar's actions: building nodes, and bounding their depth.
//!
//! Invariant: every expression and type the grammar builds goes through [`nest`] or
//! [`nest_type`], which know the depth of the children; a node that would be more than
//! [`MAX_TREE_DEPTH`] levels deep is replaced by an `Error` node (E0104). So no tree the
//! parser returns, nor any partial tree it drops during error recovery, is deeper than
//! that, and recursion over the tree (including `Drop`) cannot overflow the stack.

use lalrpop_util::{ErrorRecovery, ParseError};

use super::SyntaxError;
use super::ast::*;
use super::budget::Sink;
use super::lexer::parse_int;
use super::strings;
use crate::diagnostic::Code;
use crate::span::TextRange;

/// The deepest an expression or type may be, counted in nodes.
pub(super) const MAX_TREE_DEPTH: u32 = 256;

/// Where the grammar reports errors.
pub(super) type Errors<'a> = Sink<'a>;

/// A node with the depth of the tree below it (a leaf has depth 1).
#[derive(Debug, Clone)]
pub(super) struct Deep<T> {
    pub node: T,
    pub depth: u32,
}

pub(super) type DExpr = Deep<Expr>;
pub(super) type DType = Deep<TypeExpr>;

pub(super) fn range(l: usize, r: usize) -> TextRange {
    TextRange::new(l as u32, r.max(l) as u32)
}

/// Records an error found by an action (not by the parser itself).
pub(super) fn report(errors: &Errors<'_>, error: SyntaxError) {
    errors.push(ErrorRecovery {
        error: ParseError::User { error },
        dropped_tokens: Vec::new(),
    });
}

fn report_all(errors: &Errors<'_>, found: Vec<SyntaxError>) {
    for error in found {
        report(errors, error);
    }
}

fn too_deep(errors: &Errors<'_>, at: TextRange) {
    report(
        errors,
        SyntaxError::new(
            Code::NestingTooDeep,
            format!("expression nested too deeply: more than {MAX_TREE_DEPTH} levels"),
            at,
        )
        .with_label("nesting too deep")
        .with_help("split the value into smaller named parts"),
    );
}

pub(super) fn leaf(node: Expr) -> DExpr {
    Deep { node, depth: 1 }
}

/// A literal: a leaf, and a sign of progress for the parser's budget.
pub(super) fn lit(node: Expr, errors: &Errors<'_>) -> DExpr {
    errors.tick();
    leaf(node)
}

/// A name, and a sign of progress for the parser's budget.
pub(super) fn name(text: &str, l: usize, r: usize, errors: &Errors<'_>) -> Ident {
    errors.tick();
    ident(text, l, r)
}

/// Wraps an expression whose deepest child has depth `child_depth`.
pub(super) fn nest(node: Expr, child_depth: u32, errors: &Errors<'_>) -> DExpr {
    errors.tick();
    if child_depth >= MAX_TREE_DEPTH {
        let at = node.range();
        too_deep(errors, at);
        return leaf(Expr::Error(at));
    }
    Deep {
        node,
        depth: child_depth + 1,
    }
}

/// Wraps a type whose deepest child has depth `child_depth`.
pub(super) fn nest_type(node: TypeExpr, child_depth: u32, errors: &Errors<'_>) -> DType {
    errors.tick();
    if child_depth >= MAX_TREE_DEPTH {
        let at = node.range();
        too_deep(errors, at);
        return Deep {
            node: TypeExpr::Error(at),
            depth: 1,
        };
    }
    Deep {
        node,
        depth: child_depth + 1,
    }
}

pub(super) fn max_depth<T>(items: &[Deep<T>]) -> u32 {
    items.iter().map(|item| item.depth).max().unwrap_or(0)
}

pub(super) fn unwrap_all<T>(items: Vec<Deep<T>>) -> Vec<T> {
    items.into_iter().map(|item| item.node).collect()
}

pub(super) fn ident(text: &str, l: usize, r: usize) -> Ident {
    Ident {
        name: text.to_string(),
        range: range(l, r),
    }
}

pub(super) fn path(first: Ident) -> Path {
    Path {
        range: first.range,
        segments: vec![first],
    }
}

pub(super) fn extend_path(mut path: Path, next: Ident) -> Path {
    path.range = path.range.cover(next.range);
    path.segments.push(next);
    path
}

/// `"..."` as an expression, with interpolations.
pub(super) fn string_expr(raw: &str, l: usize, r: usize, errors: &Errors<'_>) -> Expr {
    let (parts, found) = strings::parse_parts(raw, l);
    report_all(errors, found);
    Expr::String {
        parts,
        range: range(l, r),
    }
}

/// `"..."` where no interpolation is allowed.
pub(super) fn string_lit(raw: &str, l: usize, r: usize, errors: &Errors<'_>) -> StringLit {
    let (value, found) = strings::parse_plain(raw, l);
    report_all(errors, found);
    StringLit {
        value,
        range: range(l, r),
    }
}

/// An integer literal; an out-of-range one (already reported by the lexer) is an error node.
pub(super) fn int_expr(text: &str, l: usize, r: usize) -> Expr {
    match parse_int(text) {
        Some(value) => Expr::Int {
            value,
            range: range(l, r),
        },
        None => Expr::Error(range(l, r)),
    }
}

pub(super) fn binary(
    op: BinaryOp,
    lhs: DExpr,
    rhs: DExpr,
    l: usize,
    r: usize,
    errors: &Errors<'_>,
) -> DExpr {
    let depth = lhs.depth.max(rhs.depth);
    let node = Expr::Binary {
        op,
        lhs: Box::new(lhs.node),
        rhs: Box::new(rhs.node),
        range: range(l, r),
    };
    nest(node, depth, errors)
}

pub(super) fn not(operand: DExpr, l: usize, r: usize, errors: &Errors<'_>) -> DExpr {
    let depth = operand.depth;
    let node = Expr::Not {
        operand: Box::new(operand.node),
        range: range(l, r),
    };
    nest(node, depth, errors)
}

/// `operand?`
pub(super) fn is_set(operand: DExpr, l: usize, r: usize, errors: &Errors<'_>) -> DExpr {
    let depth = operand.depth;
    let node = Expr::IsSet {
        operand: Box::new(operand.node),
        range: range(l, r),
    };
    nest(node, depth, errors)
}

/// `operand matching "pattern"`
pub(super) fn matches(
    operand: DExpr,
    pattern: StringLit,
    l: usize,
    r: usize,
    errors: &Errors<'_>,
) -> DExpr {
    let depth = operand.depth;
    let node = Expr::Matches {
        operand: Box::new(operand.node),
        pattern,
        range: range(l, r),
    };
    nest(node, depth, errors)
}

/// `every binding: offering in list: condition`
pub(super) fn quantified(
    quantifier: Quantifier,
    binding: Ident,
    offering: Option<Path>,
    parts: [DExpr; 2],
    l: usize,
    r: usize,
    errors: &Errors<'_>,
) -> DExpr {
    let depth = max_depth(&parts);
    let [list, condition] = parts;
    let node = Expr::Quantified {
        quantifier,
        binding,
        offering,
        list: Box::new(list.node),
        condition: Box::new(condition.node),
        range: range(l, r),
    };
    nest(node, depth, errors)
}

pub(super) fn field(base: DExpr, name: Ident, l: usize, r: usize, errors: &Errors<'_>) -> DExpr {
    let depth = base.depth;
    let node = Expr::Field {
        base: Box::new(base.node),
        name,
        range: range(l, r),
    };
    nest(node, depth, errors)
}

pub(super) fn if_expr(parts: [DExpr; 3], l: usize, r: usize, errors: &Errors<'_>) -> DExpr {
    let depth = max_depth(&parts);
    let [condition, then_branch, else_branch] = parts;
    let node = Expr::If {
        condition: Box::new(condition.node),
        then_branch: Box::new(then_branch.node),
        else_branch: Box::new(else_branch.node),
        range: range(l, r),
    };
    nest(node, depth, errors)
}

pub(super) fn list(items: Vec<DExpr>, l: usize, r: usize, errors: &Errors<'_>) -> DExpr {
    let depth = max_depth(&items);
    let node = Expr::List {
        items: unwrap_all(items),
        range: range(l, r),
    };
    nest(node, depth, errors)
}

pub(super) fn record(
    entries: Vec<Option<Deep<RecordEntry>>>,
    l: usize,
    r: usize,
    errors: &Errors<'_>,
) -> DExpr {
    let entries: Vec<Deep<RecordEntry>> = entries.into_iter().flatten().collect();
    let depth = max_depth(&entries);
    let node = Expr::Record {
        entries: unwrap_all(entries),
        range: range(l, r),
    };
    nest(node, depth, errors)
}

pub(super) fn entry(key: RecordKey, value: DExpr, l: usize, r: usize) -> Deep<RecordEntry> {
    Deep {
        depth: value.depth,
        node: RecordEntry {
            key,
            value: value.node,
            range: range(l, r),
        },
    }
}

pub(super) fn match_expr(
    scrutinee: DExpr,
    arms: Vec<Option<Deep<MatchArm>>>,
    l: usize,
    r: usize,
    errors: &Errors<'_>,
) -> DExpr {
    let arms: Vec<Deep<MatchArm>> = arms.into_iter().flatten().collect();
    let depth = max_depth(&arms).max(scrutinee.depth);
    let node = Expr::Match {
        scrutinee: Box::new(scrutinee.node),
        arms: unwrap_all(arms),
        range: range(l, r),
    };
    nest(node, depth, errors)
}

pub(super) fn arm(pattern: Pattern, value: DExpr, l: usize, r: usize) -> Deep<MatchArm> {
    Deep {
        depth: value.depth + 1,
        node: MatchArm {
            pattern,
            value: value.node,
            range: range(l, r),
        },
    }
}

/// A pattern string: a literal, no interpolation.
pub(super) fn string_pattern(raw: &str, l: usize, r: usize, errors: &Errors<'_>) -> Pattern {
    let lit = string_lit(raw, l, r, errors);
    Pattern::Literal(Expr::String {
        parts: vec![StringPart::Text(lit.value)],
        range: lit.range,
    })
}

pub(super) fn named_type(
    path: Path,
    args: Vec<DType>,
    l: usize,
    r: usize,
    errors: &Errors<'_>,
) -> DType {
    let depth = max_depth(&args);
    let node = TypeExpr::Named {
        path,
        args: unwrap_all(args),
        range: range(l, r),
    };
    nest_type(node, depth, errors)
}

pub(super) fn record_type(
    fields: Vec<Option<Deep<FieldDecl>>>,
    l: usize,
    r: usize,
    errors: &Errors<'_>,
) -> DType {
    let fields: Vec<Deep<FieldDecl>> = fields.into_iter().flatten().collect();
    let depth = max_depth(&fields);
    let node = TypeExpr::Record {
        fields: unwrap_all(fields),
        range: range(l, r),
    };
    nest_type(node, depth, errors)
}

/// A typed field (`param`, `output`, a record type's field), with its depth.
pub(super) fn field_decl(
    name: Ident,
    optional: bool,
    ty: DType,
    default: Option<DExpr>,
    l: usize,
    r: usize,
) -> Deep<FieldDecl> {
    let depth = ty.depth.max(default.as_ref().map_or(0, |d| d.depth)) + 1;
    Deep {
        depth,
        node: FieldDecl {
            doc: None,
            name,
            optional,
            ty: ty.node,
            default: default.map(|d| d.node),
            range: range(l, r),
        },
    }
}

/// `Base (in a..b | matching "re")? ?`
pub(super) fn full_type(
    base: DType,
    constraint: Option<Constraint>,
    optional: bool,
    l: usize,
    r: usize,
    errors: &Errors<'_>,
) -> DType {
    let mut ty = base;
    if let Some(constraint) = constraint {
        let depth = ty.depth;
        let node = TypeExpr::Constrained {
            base: Box::new(ty.node),
            constraint,
            range: range(l, r),
        };
        ty = nest_type(node, depth, errors);
    }
    if optional {
        let depth = ty.depth;
        let node = TypeExpr::Optional {
            inner: Box::new(ty.node),
            range: range(l, r),
        };
        ty = nest_type(node, depth, errors);
    }
    ty
}
