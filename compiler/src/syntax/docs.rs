//! Doc comments: attaching each run of `///` lines to the node that follows it.
//!
//! Invariant: a node's `doc` is the run of consecutive doc comments that ends right
//! before the node's first token, with nothing but whitespace between the comments and
//! between the last comment and the node. Any other comment or token breaks the run.
//! Items, members (at any depth) and the fields of record types get docs.

use super::ast::*;
use super::lexer::{Comment, CommentKind};
use crate::span::TextRange;

/// Fills the `doc` of every item, member and record-type field of `module`.
pub(super) fn attach(module: &mut Module, comments: &[Comment], text: &str) {
    let finder = DocFinder { comments, text };
    for item in &mut module.items {
        match item {
            Item::Import(import) => import.doc = finder.doc_before(import.range.start),
            Item::Type(decl) => {
                decl.doc = finder.doc_before(decl.range.start);
                finder.type_expr(&mut decl.ty);
            }
            Item::Decl(decl) => {
                decl.doc = finder.doc_before(decl.range.start);
                finder.body(&mut decl.body);
            }
            Item::Error(_) => {}
        }
    }
}

struct DocFinder<'a> {
    comments: &'a [Comment],
    text: &'a str,
}

impl DocFinder<'_> {
    fn body(&self, body: &mut Body) {
        for member in &mut body.members {
            self.member(member);
        }
    }

    fn member(&self, member: &mut Member) {
        let doc = self.doc_before(member.range().start);
        match member {
            Member::Attribute(m) => m.doc = doc,
            Member::Instance(m) => {
                m.doc = doc;
                self.body(&mut m.body);
            }
            Member::Param(m) | Member::Output(m) => {
                m.doc = doc;
                self.type_expr(&mut m.ty);
            }
            Member::Block(m) => {
                m.doc = doc;
                self.body(&mut m.body);
            }
            Member::Use(m) => {
                m.doc = doc;
                if let Some(body) = &mut m.body {
                    self.body(body);
                }
            }
            Member::Require(m) => m.doc = doc,
            Member::Error(_) => {}
        }
    }

    fn type_expr(&self, ty: &mut TypeExpr) {
        match ty {
            TypeExpr::Named { args, .. } => args.iter_mut().for_each(|arg| self.type_expr(arg)),
            TypeExpr::Constrained { base, .. } => self.type_expr(base),
            TypeExpr::Optional { inner, .. } => self.type_expr(inner),
            TypeExpr::Record { fields, .. } => {
                for field in fields {
                    field.doc = self.doc_before(field.range.start);
                    self.type_expr(&mut field.ty);
                }
            }
            TypeExpr::Enum { .. } | TypeExpr::Error(_) => {}
        }
    }

    /// The doc comment run that ends right before `offset`.
    fn doc_before(&self, offset: u32) -> Option<Doc> {
        let mut index = self.comments.partition_point(|c| c.range.end <= offset);
        let mut next_start = offset;
        let mut lines = Vec::new();
        while index > 0 {
            let comment = self.comments[index - 1];
            if comment.kind != CommentKind::Doc
                || !self.blank_between(comment.range.end, next_start)
            {
                break;
            }
            lines.push(comment.range);
            next_start = comment.range.start;
            index -= 1;
        }
        let (last, first) = (*lines.first()?, *lines.last()?);
        lines.reverse();
        let text: Vec<&str> = lines.iter().map(|range| self.doc_line(*range)).collect();
        Some(Doc {
            text: text.join("\n"),
            range: TextRange::new(first.start, last.end),
        })
    }

    fn blank_between(&self, start: u32, end: u32) -> bool {
        self.text
            .get(start as usize..end as usize)
            .is_some_and(|gap| gap.chars().all(char::is_whitespace))
    }

    /// A doc line without its `///` and one space after it.
    fn doc_line(&self, range: TextRange) -> &str {
        let line = self.text.get(range.as_range()).unwrap_or_default();
        let line = line.strip_prefix("///").unwrap_or(line);
        let line = line.strip_prefix(' ').unwrap_or(line);
        line.trim_end_matches('\r')
    }
}
