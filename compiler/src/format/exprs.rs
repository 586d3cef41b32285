//! Layout of expressions, types, and of the bracketed sequences they (and bodies) are
//! made of.

use super::printer::Printer;
use crate::span::TextRange;
use crate::syntax::Tok;
use crate::syntax::ast::*;

/// The brackets of a sequence: where they are in the source, and how they print.
#[derive(Debug, Clone, Copy)]
pub(super) struct Brackets {
    pub open: u32,
    pub close: u32,
    pub open_text: &'static str,
    pub close_text: &'static str,
    /// Spaces inside the brackets on one line: `{ a = 1 }`, but `[a]`.
    pub padded: bool,
}

impl Brackets {
    /// `{ ... }` around `range`, which includes the braces.
    pub(super) fn braces(range: TextRange) -> Brackets {
        Brackets::braces_between(range.start, range.end.saturating_sub(1))
    }

    pub(super) fn braces_between(open: u32, close: u32) -> Brackets {
        Brackets {
            open,
            close,
            open_text: "{",
            close_text: "}",
            padded: true,
        }
    }

    fn range(self) -> TextRange {
        TextRange::new(self.open, self.close.max(self.open) + 1)
    }
}

/// How a sequence may be laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// On one line when it fits and holds no comment, else one element per line.
    Fitting,
    /// One element per line (`{}` when empty).
    Broken,
}

/// How to print the elements of one kind of sequence.
pub(super) struct Elements<'s, 'a, T> {
    pub items: &'s [T],
    /// Where an element starts in the source (its first token).
    pub start: fn(&Printer<'a>, &T) -> u32,
    pub print: fn(&mut Printer<'a>, &T),
    /// Whether elements take doc comments (so that a comma between a doc comment and
    /// an element must stay, see [`Printer::comma_after_doc`]).
    pub docs: bool,
}

impl<'a> Printer<'a> {
    // ------------------------------------------------------------ sequences

    /// A bracketed sequence, in the layout `shape` allows.
    pub(super) fn sequence<T>(
        &mut self,
        brackets: Brackets,
        elements: Elements<'_, 'a, T>,
        shape: Shape,
    ) {
        if self.overflowed() {
            return;
        }
        // Comments before the opening bracket do not keep the sequence from one line.
        self.before_token(brackets.open);
        let has_comment = self.has_comment_in(brackets.range());
        let empty = elements.items.is_empty() && !has_comment;
        let may_be_flat = empty || (shape == Shape::Fitting && !has_comment);
        if may_be_flat && self.try_flat(|p| p.flat_sequence(brackets, &elements)) {
            return;
        }
        self.broken_sequence(brackets, &elements);
    }

    fn flat_sequence<T>(&mut self, brackets: Brackets, elements: &Elements<'_, 'a, T>) {
        self.token(brackets.open, brackets.open_text);
        for (index, item) in elements.items.iter().enumerate() {
            if index > 0 {
                self.write(",");
            }
            if index > 0 || brackets.padded {
                self.space();
            }
            (elements.print)(self, item);
        }
        if brackets.padded && !elements.items.is_empty() {
            self.space();
        }
        self.token(brackets.close, brackets.close_text);
    }

    fn broken_sequence<T>(&mut self, brackets: Brackets, elements: &Elements<'_, 'a, T>) {
        self.token(brackets.open, brackets.open_text);
        self.open_body();
        let base = self.line_level();
        let inner = base + 1;
        for item in elements.items {
            let at = (elements.start)(self, item);
            self.element_start(at, inner, elements.docs);
            let outer = std::mem::replace(&mut self.level, inner);
            (elements.print)(self, item);
            self.level = outer;
        }
        self.leading_comments(brackets.close, inner, false);
        self.start_line(base, false);
        self.token(brackets.close, brackets.close_text);
    }

    /// Starts the line of an element that begins at `at`, after the comments before it.
    fn element_start(&mut self, at: u32, level: usize, docs: bool) {
        if let Some(comma) = docs.then(|| self.comma_after_doc(at)).flatten() {
            self.leading_comments(comma, level, false);
            self.start_line(level, false);
            self.token(comma, ",");
        }
        self.leading_comments(at, level, false);
        self.start_line(level, self.blank_line_before(at));
    }

    // ------------------------------------------------------------ names

    pub(super) fn ident(&mut self, ident: &Ident) {
        self.token(ident.range.start, &ident.name);
    }

    pub(super) fn path(&mut self, path: &Path) {
        for (index, segment) in path.segments.iter().enumerate() {
            if index > 0 {
                let dot = self.find_tok(path.segments[index - 1].range.end, Tok::Dot);
                self.token(dot, ".");
            }
            self.ident(segment);
        }
    }

    /// A literal token, exactly as written.
    pub(super) fn verbatim(&mut self, range: TextRange) {
        let text = self.source(range);
        self.token(range.start, text);
    }

    // ------------------------------------------------------------ expressions

    /// Where `expr` starts in the source, parentheses included.
    fn first_token(&self, expr: &Expr) -> u32 {
        let (opens, _) = self.parens(expr.range());
        opens.first().copied().unwrap_or(expr.range().start)
    }

    /// An expression, with the parentheses written around it.
    pub(super) fn expr(&mut self, expr: &Expr) {
        if self.overflowed() {
            return;
        }
        let (opens, closes) = self.parens(expr.range());
        for at in opens {
            self.token(at, "(");
        }
        self.bare_expr(expr);
        for at in closes {
            self.token(at, ")");
        }
    }

    fn bare_expr(&mut self, expr: &Expr) {
        match expr {
            Expr::String { range, .. }
            | Expr::Int { range, .. }
            | Expr::Float { range, .. }
            | Expr::Quantity { range, .. }
            | Expr::Error(range) => self.verbatim(*range),
            Expr::Bool { value, range } => {
                self.token(range.start, if *value { "true" } else { "false" })
            }
            Expr::Name(ident) => self.ident(ident),
            Expr::Field { base, name, .. } => {
                self.expr(base);
                let dot = self.find_tok(base.range().end, Tok::Dot);
                self.token(dot, ".");
                self.ident(name);
            }
            Expr::List { items, range } => self.list(items, *range),
            Expr::Record { entries, range } => self.record(entries, *range),
            Expr::If {
                condition,
                then_branch,
                else_branch,
                range,
            } => self.if_expr([condition, then_branch, else_branch], *range),
            Expr::Match {
                scrutinee,
                arms,
                range,
            } => self.match_expr(scrutinee, arms, *range),
            Expr::Binary { op, lhs, rhs, .. } => {
                self.expr(lhs);
                self.space();
                let wanted = binary_token(*op);
                let at = self.find_tok(lhs.range().end, wanted);
                self.token(at, op.symbol());
                self.space();
                self.expr(rhs);
            }
            Expr::Not { operand, range } => {
                self.token(range.start, "!");
                self.expr(operand);
            }
            Expr::IsSet { operand, range } => {
                self.expr(operand);
                self.token(range.end.saturating_sub(1), "?");
            }
            Expr::Matches {
                operand, pattern, ..
            } => {
                self.expr(operand);
                self.space();
                let keyword = self.find_tok(operand.range().end, Tok::Matching);
                self.token(keyword, "matching");
                self.space();
                self.verbatim(pattern.range);
            }
            Expr::Quantified {
                quantifier,
                binding,
                offering,
                list,
                condition,
                range,
            } => self.quantified(
                *quantifier,
                binding,
                offering.as_ref(),
                [list, condition],
                *range,
            ),
        }
    }

    /// `every binding: offering in list: condition`
    fn quantified(
        &mut self,
        quantifier: Quantifier,
        binding: &Ident,
        offering: Option<&Path>,
        [list, condition]: [&Expr; 2],
        range: TextRange,
    ) {
        self.token(range.start, quantifier.keyword());
        self.space();
        self.ident(binding);
        let mut end = binding.range.end;
        if let Some(offering) = offering {
            let colon = self.find_tok(end, Tok::Colon);
            self.token(colon, ":");
            self.space();
            self.path(offering);
            end = offering.range.end;
        }
        self.space();
        let keyword = self.find_tok(end, Tok::In);
        self.token(keyword, "in");
        self.space();
        self.expr(list);
        let colon = self.find_tok(list.range().end, Tok::Colon);
        self.token(colon, ":");
        self.space();
        self.expr(condition);
    }

    fn list(&mut self, items: &[Expr], range: TextRange) {
        let brackets = Brackets {
            open: range.start,
            close: range.end.saturating_sub(1),
            open_text: "[",
            close_text: "]",
            padded: false,
        };
        let elements = Elements {
            items,
            start: |p: &Printer<'a>, item: &Expr| p.first_token(item),
            print: |p: &mut Printer<'a>, item: &Expr| p.expr(item),
            docs: false,
        };
        self.sequence(brackets, elements, Shape::Fitting);
    }

    fn record(&mut self, entries: &[RecordEntry], range: TextRange) {
        let elements = Elements {
            items: entries,
            start: |_, entry: &RecordEntry| entry.range.start,
            print: |p: &mut Printer<'a>, entry: &RecordEntry| p.entry(entry),
            docs: false,
        };
        self.sequence(Brackets::braces(range), elements, Shape::Fitting);
    }

    fn entry(&mut self, entry: &RecordEntry) {
        match &entry.key {
            RecordKey::Ident(ident) => self.ident(ident),
            RecordKey::String(lit) => self.verbatim(lit.range),
        }
        self.space();
        let at = self.find_tok(entry.key.range().end, Tok::Assign);
        self.token(at, "=");
        self.space();
        self.expr(&entry.value);
    }

    fn if_expr(&mut self, [condition, then_branch, else_branch]: [&Expr; 3], range: TextRange) {
        self.token(range.start, "if");
        self.space();
        self.expr(condition);
        self.space();
        let then_at = self.find_tok(condition.range().end, Tok::Then);
        self.token(then_at, "then");
        self.space();
        self.expr(then_branch);
        self.space();
        let else_at = self.find_tok(then_branch.range().end, Tok::Else);
        self.token(else_at, "else");
        self.space();
        self.expr(else_branch);
    }

    fn match_expr(&mut self, scrutinee: &Expr, arms: &[MatchArm], range: TextRange) {
        self.token(range.start, "match");
        self.space();
        self.expr(scrutinee);
        self.space();
        let open = self.find_tok(scrutinee.range().end, Tok::LBrace);
        let brackets = Brackets::braces_between(open, range.end.saturating_sub(1));
        let elements = Elements {
            items: arms,
            start: |_, arm: &MatchArm| arm.range.start,
            print: |p: &mut Printer<'a>, arm: &MatchArm| p.arm(arm),
            docs: false,
        };
        self.sequence(brackets, elements, Shape::Broken);
    }

    fn arm(&mut self, arm: &MatchArm) {
        let pattern_end = match &arm.pattern {
            Pattern::Wildcard(range) => {
                self.token(range.start, "_");
                range.end
            }
            Pattern::Literal(literal) => {
                self.expr(literal);
                literal.range().end
            }
        };
        self.space();
        let arrow = self.find_tok(pattern_end, Tok::FatArrow);
        self.token(arrow, "=>");
        self.space();
        self.expr(&arm.value);
    }

    // ------------------------------------------------------------ types

    /// A type, with the parentheses written around it.
    pub(super) fn type_expr(&mut self, ty: &TypeExpr) {
        self.type_within(ty, None);
    }

    /// A type inside a node whose range is `outer`: a type with the same range as the
    /// node around it (`int in 1..3` inside `int in 1..3?`) has no parentheses of its own.
    fn type_within(&mut self, ty: &TypeExpr, outer: Option<TextRange>) {
        if self.overflowed() {
            return;
        }
        let (opens, closes) = if outer == Some(ty.range()) {
            (Vec::new(), Vec::new())
        } else {
            self.parens(ty.range())
        };
        for at in opens {
            self.token(at, "(");
        }
        self.bare_type(ty);
        for at in closes {
            self.token(at, ")");
        }
    }

    fn bare_type(&mut self, ty: &TypeExpr) {
        match ty {
            TypeExpr::Named { path, args, range } => self.named_type(path, args, *range),
            TypeExpr::Constrained {
                base, constraint, ..
            } => {
                self.type_expr(base);
                self.space();
                self.constraint(constraint, base.range().end);
            }
            TypeExpr::Optional { inner, range } => {
                self.type_within(inner, Some(*range));
                self.token(range.end.saturating_sub(1), "?");
            }
            TypeExpr::Enum { variants, .. } => {
                for (index, variant) in variants.iter().enumerate() {
                    if index > 0 {
                        self.space();
                        let pipe = self.find_tok(variants[index - 1].range.end, Tok::Pipe);
                        self.token(pipe, "|");
                        self.space();
                    }
                    self.verbatim(variant.range);
                }
            }
            TypeExpr::Record { fields, range } => {
                let elements = Elements {
                    items: fields,
                    start: |_, field: &FieldDecl| field.range.start,
                    print: |p: &mut Printer<'a>, field: &FieldDecl| p.field_decl(field),
                    docs: true,
                };
                self.sequence(Brackets::braces(*range), elements, Shape::Fitting);
            }
            TypeExpr::Error(range) => self.verbatim(*range),
        }
    }

    fn named_type(&mut self, path: &Path, args: &[TypeExpr], range: TextRange) {
        self.path(path);
        if args.is_empty() {
            return;
        }
        let open = self.find_tok(path.range.end, Tok::Lt);
        self.token(open, "<");
        for (index, arg) in args.iter().enumerate() {
            if index > 0 {
                let comma = self.find_tok(args[index - 1].range().end, Tok::Comma);
                self.token(comma, ",");
                self.space();
            }
            self.type_expr(arg);
        }
        self.token(range.end.saturating_sub(1), ">");
    }

    /// `in 1..10` or `matching "re"`, after a base type that ends at `from`.
    fn constraint(&mut self, constraint: &Constraint, from: u32) {
        match constraint {
            Constraint::Range { min, max, .. } => {
                let keyword = self.find_tok(from, Tok::In);
                self.token(keyword, "in");
                self.space();
                let dots = self.find_tok(keyword, Tok::DotDot);
                if min.is_some() {
                    self.int_token(keyword + 1);
                }
                self.token(dots, "..");
                if max.is_some() {
                    self.int_token(dots + 1);
                }
            }
            Constraint::Pattern(lit) => {
                let keyword = self.find_tok(from, Tok::Matching);
                self.token(keyword, "matching");
                self.space();
                self.verbatim(lit.range);
            }
        }
    }

    /// The first integer token after `from`, as written.
    fn int_token(&mut self, from: u32) {
        if let Some((at, Tok::Int(text))) = self.find_token(from, |t| matches!(t, Tok::Int(_))) {
            self.token(at, text);
        }
    }

    /// `name?: T = default`: a record type's field, or what follows `param`/`output`.
    pub(super) fn field_decl(&mut self, field: &FieldDecl) {
        self.ident(&field.name);
        if field.optional {
            let mark = self.find_tok(field.name.range.end, Tok::Question);
            self.token(mark, "?");
        }
        let colon = self.find_tok(field.name.range.end, Tok::Colon);
        self.token(colon, ":");
        self.space();
        self.type_expr(&field.ty);
        if let Some(default) = &field.default {
            self.space();
            let at = self.find_tok(field.ty.range().end, Tok::Assign);
            self.token(at, "=");
            self.space();
            self.expr(default);
        }
    }
}

fn binary_token(op: BinaryOp) -> Tok<'static> {
    match op {
        BinaryOp::Or => Tok::OrOr,
        BinaryOp::And => Tok::AndAnd,
        BinaryOp::Eq => Tok::EqEq,
        BinaryOp::NotEq => Tok::NotEq,
        BinaryOp::Less => Tok::Lt,
        BinaryOp::LessEq => Tok::LtEq,
        BinaryOp::Greater => Tok::Gt,
        BinaryOp::GreaterEq => Tok::GtEq,
        BinaryOp::In => Tok::In,
    }
}
