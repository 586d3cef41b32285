//! Layout of a file: its items, their bodies, and the members in them.

use super::exprs::{Brackets, Elements, Shape};
use super::printer::Printer;
use crate::syntax::Tok;
use crate::syntax::ast::*;

impl<'a> Printer<'a> {
    /// The whole file: items one after the other, a blank line between two of them
    /// (but consecutive imports keep the blank lines they had, at most one).
    pub(super) fn module(&mut self, module: &Module) {
        let mut previous: Option<&Item> = None;
        for item in &module.items {
            let at = item.range().start;
            let separate = previous.is_some_and(|p| !(is_import(p) && is_import(item)));
            let comment_lines = self.leading_comments(at, 0, separate);
            let blank = self.blank_line_before(at) || (separate && !comment_lines);
            self.start_line(0, blank);
            self.level = 0;
            self.item(item);
            previous = Some(item);
        }
        self.trailing_comments();
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Import(import) => self.import(import),
            Item::Type(decl) => {
                self.token(decl.range.start, "type");
                self.space();
                self.ident(&decl.name);
                self.space();
                let at = self.find_tok(decl.name.range.end, Tok::Assign);
                self.token(at, "=");
                self.space();
                self.type_expr(&decl.ty);
            }
            Item::Decl(decl) => {
                self.token(decl.range.start, decl.kind.keyword());
                self.space();
                self.ident(&decl.name);
                self.space();
                self.body(&decl.body, Shape::Broken);
            }
            Item::Error(range) => self.verbatim(*range),
        }
    }

    fn import(&mut self, import: &Import) {
        self.token(import.range.start, "import");
        self.space();
        self.path(&import.path);
        let mut end = import.path.range.end;
        if let Some(names) = &import.names {
            let dot = self.find_tok(end, Tok::Dot);
            self.token(dot, ".");
            let open = self.find_tok(dot, Tok::LBrace);
            self.token(open, "{");
            end = open;
            for (index, name) in names.iter().enumerate() {
                if index > 0 {
                    let comma = self.find_tok(end, Tok::Comma);
                    self.token(comma, ",");
                    self.space();
                }
                self.ident(name);
                end = name.range.end;
            }
            let close = self.find_tok(end, Tok::RBrace);
            self.token(close, "}");
            end = close;
        }
        if let Some(alias) = &import.alias {
            self.space();
            let keyword = self.find_tok(end, Tok::As);
            self.token(keyword, "as");
            self.space();
            self.ident(alias);
        }
    }

    /// A body: `{}` when empty, else one member per line; with [`Shape::Fitting`], a
    /// body of attributes only may also be one line, like a record.
    fn body(&mut self, body: &Body, shape: Shape) {
        let attributes_only = body
            .members
            .iter()
            .all(|member| matches!(member, Member::Attribute(_)));
        let shape = if attributes_only {
            shape
        } else {
            Shape::Broken
        };
        let elements = Elements {
            items: &body.members,
            start: |_, member: &Member| member.range().start,
            print: |p: &mut Printer<'a>, member: &Member| p.member(member),
            docs: true,
        };
        self.sequence(Brackets::braces(body.range), elements, shape);
    }

    fn member(&mut self, member: &Member) {
        match member {
            Member::Attribute(attribute) => {
                self.ident(&attribute.name);
                self.space();
                let at = self.find_tok(attribute.name.range.end, Tok::Assign);
                self.token(at, "=");
                self.space();
                self.expr(&attribute.value);
            }
            Member::Instance(instance) => {
                self.ident(&instance.name);
                let colon = self.find_tok(instance.name.range.end, Tok::Colon);
                self.token(colon, ":");
                self.space();
                self.path(&instance.offering);
                self.space();
                self.body(&instance.body, Shape::Fitting);
            }
            Member::Param(field) => {
                self.token(field.range.start, "param");
                self.space();
                self.field_decl(field);
            }
            Member::Output(field) => {
                self.token(field.range.start, "output");
                self.space();
                self.field_decl(field);
            }
            Member::Block(block) => self.block(block),
            Member::Use(used) => {
                self.token(used.range.start, "use");
                self.space();
                self.path(&used.target);
                if let Some(body) = &used.body {
                    self.space();
                    self.body(body, Shape::Fitting);
                }
            }
            Member::Require(require) => self.require(require),
            Member::Error(range) => self.verbatim(*range),
        }
    }

    /// `kind label: provisioner { ... }`; the body is always one member per line.
    fn block(&mut self, block: &Block) {
        self.ident(&block.kind);
        if let Some(label) = &block.label {
            self.space();
            self.ident(label);
        }
        if let Some(provisioner) = &block.provisioner {
            let from = block.label.as_ref().unwrap_or(&block.kind).range.end;
            let colon = self.find_tok(from, Tok::Colon);
            self.token(colon, ":");
            self.space();
            self.path(provisioner);
        }
        self.space();
        self.body(&block.body, Shape::Broken);
    }

    /// `require condition else "message"`, with `else` on the next line when the whole
    /// does not fit on one.
    fn require(&mut self, require: &Require) {
        let Some(message) = &require.message else {
            self.token(require.range.start, "require");
            self.space();
            self.expr(&require.condition);
            return;
        };
        if !self.try_flat(|p| p.require_else(require, message, false)) {
            self.require_else(require, message, true);
        }
    }

    fn require_else(&mut self, require: &Require, message: &StringLit, broken: bool) {
        self.token(require.range.start, "require");
        self.space();
        self.expr(&require.condition);
        let keyword = self.find_tok(require.condition.range().end, Tok::Else);
        if broken {
            self.before_token(keyword);
            self.start_line(self.level + 1, false);
        } else {
            self.space();
        }
        self.token(keyword, "else");
        self.space();
        self.verbatim(message.range);
    }
}

fn is_import(item: &Item) -> bool {
    matches!(item, Item::Import(_))
}
