//! Syntax trees with their ranges removed, to compare what two texts mean.

use crate::span::TextRange;
use crate::syntax::ast::*;

/// A copy of `module` with every range (and the range of every doc) set to empty at
/// offset 0: two texts mean the same when their stripped trees are equal.
pub fn without_ranges(module: &Module) -> Module {
    let mut module = module.clone();
    for item in &mut module.items {
        strip_item(item);
    }
    module
}

fn zero(range: &mut TextRange) {
    *range = TextRange::default();
}

fn strip_doc(doc: &mut Option<Doc>) {
    if let Some(doc) = doc {
        zero(&mut doc.range);
    }
}

fn strip_ident(ident: &mut Ident) {
    zero(&mut ident.range);
}

fn strip_path(path: &mut Path) {
    zero(&mut path.range);
    path.segments.iter_mut().for_each(strip_ident);
}

fn strip_item(item: &mut Item) {
    match item {
        Item::Import(import) => {
            strip_doc(&mut import.doc);
            strip_path(&mut import.path);
            if let Some(names) = &mut import.names {
                names.iter_mut().for_each(strip_ident);
            }
            if let Some(alias) = &mut import.alias {
                strip_ident(alias);
            }
            zero(&mut import.range);
        }
        Item::Type(decl) => {
            strip_doc(&mut decl.doc);
            strip_ident(&mut decl.name);
            strip_type(&mut decl.ty);
            zero(&mut decl.range);
        }
        Item::Decl(decl) => {
            strip_doc(&mut decl.doc);
            strip_ident(&mut decl.name);
            strip_body(&mut decl.body);
            zero(&mut decl.range);
        }
        Item::Error(range) => zero(range),
    }
}

fn strip_body(body: &mut Body) {
    zero(&mut body.range);
    body.members.iter_mut().for_each(strip_member);
}

fn strip_member(member: &mut Member) {
    match member {
        Member::Attribute(m) => {
            strip_doc(&mut m.doc);
            strip_ident(&mut m.name);
            strip_expr(&mut m.value);
            zero(&mut m.range);
        }
        Member::Instance(m) => {
            strip_doc(&mut m.doc);
            strip_ident(&mut m.name);
            strip_path(&mut m.offering);
            strip_body(&mut m.body);
            zero(&mut m.range);
        }
        Member::Param(m) | Member::Output(m) => strip_field(m),
        Member::Block(m) => {
            strip_doc(&mut m.doc);
            strip_ident(&mut m.kind);
            if let Some(label) = &mut m.label {
                strip_ident(label);
            }
            if let Some(provisioner) = &mut m.provisioner {
                strip_path(provisioner);
            }
            strip_body(&mut m.body);
            zero(&mut m.range);
        }
        Member::Use(m) => {
            strip_doc(&mut m.doc);
            strip_path(&mut m.target);
            if let Some(body) = &mut m.body {
                strip_body(body);
            }
            zero(&mut m.range);
        }
        Member::Require(m) => {
            strip_doc(&mut m.doc);
            strip_expr(&mut m.condition);
            if let Some(message) = &mut m.message {
                zero(&mut message.range);
            }
            zero(&mut m.range);
        }
        Member::Error(range) => zero(range),
    }
}

fn strip_field(field: &mut FieldDecl) {
    strip_doc(&mut field.doc);
    strip_ident(&mut field.name);
    strip_type(&mut field.ty);
    if let Some(default) = &mut field.default {
        strip_expr(default);
    }
    zero(&mut field.range);
}

fn strip_type(ty: &mut TypeExpr) {
    match ty {
        TypeExpr::Named { path, args, range } => {
            strip_path(path);
            args.iter_mut().for_each(strip_type);
            zero(range);
        }
        TypeExpr::Constrained {
            base,
            constraint,
            range,
        } => {
            strip_type(base);
            match constraint {
                Constraint::Range { range, .. } => zero(range),
                Constraint::Pattern(lit) => zero(&mut lit.range),
            }
            zero(range);
        }
        TypeExpr::Optional { inner, range } => {
            strip_type(inner);
            zero(range);
        }
        TypeExpr::Enum { variants, range } => {
            variants.iter_mut().for_each(|v| zero(&mut v.range));
            zero(range);
        }
        TypeExpr::Record { fields, range } => {
            fields.iter_mut().for_each(strip_field);
            zero(range);
        }
        TypeExpr::Error(range) => zero(range),
    }
}

fn strip_expr(expr: &mut Expr) {
    match expr {
        Expr::String { parts, range } => {
            for part in parts {
                if let StringPart::Interpolation(path) = part {
                    strip_path(path);
                }
            }
            zero(range);
        }
        Expr::Int { range, .. }
        | Expr::Float { range, .. }
        | Expr::Quantity { range, .. }
        | Expr::Bool { range, .. }
        | Expr::Error(range) => zero(range),
        Expr::Name(ident) => strip_ident(ident),
        Expr::Field { base, name, range } => {
            strip_expr(base);
            strip_ident(name);
            zero(range);
        }
        Expr::List { items, range } => {
            items.iter_mut().for_each(strip_expr);
            zero(range);
        }
        Expr::Record { entries, range } => {
            for entry in entries {
                match &mut entry.key {
                    RecordKey::Ident(ident) => strip_ident(ident),
                    RecordKey::String(lit) => zero(&mut lit.range),
                }
                strip_expr(&mut entry.value);
                zero(&mut entry.range);
            }
            zero(range);
        }
        Expr::If {
            condition,
            then_branch,
            else_branch,
            range,
        } => {
            strip_expr(condition);
            strip_expr(then_branch);
            strip_expr(else_branch);
            zero(range);
        }
        Expr::Match {
            scrutinee,
            arms,
            range,
        } => {
            strip_expr(scrutinee);
            for arm in arms {
                match &mut arm.pattern {
                    Pattern::Wildcard(range) => zero(range),
                    Pattern::Literal(literal) => strip_expr(literal),
                }
                strip_expr(&mut arm.value);
                zero(&mut arm.range);
            }
            zero(range);
        }
        Expr::Binary {
            lhs, rhs, range, ..
        } => {
            strip_expr(lhs);
            strip_expr(rhs);
            zero(range);
        }
        Expr::Not { operand, range } | Expr::IsSet { operand, range } => {
            strip_expr(operand);
            zero(range);
        }
        Expr::Matches {
            operand,
            pattern,
            range,
        } => {
            strip_expr(operand);
            zero(&mut pattern.range);
            zero(range);
        }
        Expr::Quantified {
            binding,
            offering,
            list,
            condition,
            range,
            ..
        } => {
            strip_ident(binding);
            if let Some(offering) = offering {
                strip_path(offering);
            }
            strip_expr(list);
            strip_expr(condition);
            zero(range);
        }
    }
}
