//! Hover: what a name means, from the compiler's schemas, signatures and doc comments.
//!
//! Invariant: hover never invents information: a field's type, default and doc come
//! from the block schema (`types::schema`) or the offering signature
//! (`types::signature`); a reference shows its definition's doc comment; an offering
//! shows its API (params, outputs, implementations) from its signature; a resource
//! shows which implementation each environment binds it to (`resolve::resolve_project`).

use plat_compiler::check::definitions;
use plat_compiler::names::{Definition, NameKind, TargetKind};
use plat_compiler::resolve::model::Owner;
use plat_compiler::resolve::resolve_project;
use plat_compiler::source::SourceFile;
use plat_compiler::span::TextRange;
use plat_compiler::syntax::ast::{Body, DeclKind, Expr, Item, Member};
use plat_compiler::syntax::parse_file;
use plat_compiler::types::signature::{OfferingSig, ParamSig, offering_signature};

use crate::navigation::target_at;
use crate::snapshot::Snapshot;
use crate::syntax::{Frame, decl_at, enclosing, field_at, instance_offering, named_at, schema_of};

/// Markdown for the thing at `offset`, and the range it describes.
pub fn hover(snapshot: &Snapshot, file: SourceFile, offset: u32) -> Option<(String, TextRange)> {
    let db = &snapshot.db;
    let project = snapshot.project;
    if let Some((range, target)) = target_at(snapshot, file, offset) {
        let kind = definitions(db, project, file).at(offset).map(|r| r.kind);
        let decl = decl_at(db, project, target.file, target.range);
        if let Some(decl) = &decl
            && (decl.kind == NameKind::Offering
                || kind == Some(TargetKind::Declaration(NameKind::Offering)))
            && let Some(sig) = offering_signature(db, project, decl)
        {
            return Some((offering_summary(sig), range));
        }
        let module = &parse_file(db, target.file).module;
        if let Some(named) = named_at(module, target.file.text(db), target.range) {
            let mut text = markdown(&named.title, named.doc.as_deref());
            if let Some(bindings) = bindings(snapshot, target) {
                text.push_str(&bindings);
            }
            return Some((text, range));
        }
    }
    attribute_hover(snapshot, file, offset)
}

/// For a resource instance (its name at `target`): the implementation each environment
/// binds it to, from `resolve_project`.
fn bindings(snapshot: &Snapshot, target: Definition) -> Option<String> {
    let db = &snapshot.db;
    let module = &parse_file(db, target.file).module;
    let (owner, instance) = module.items.iter().find_map(|item| match item {
        Item::Decl(decl) => decl.body.members.iter().find_map(|m| match m {
            Member::Instance(i) if i.name.range == target.range => Some((decl, i)),
            _ => None,
        }),
        _ => None,
    })?;
    let resolved = resolve_project(db, snapshot.project);
    let mut lines = Vec::new();
    for environment in &resolved.environments {
        let id = match owner.kind {
            DeclKind::Workload => environment
                .workloads
                .iter()
                .find(|w| w.name == owner.name.name)
                .and_then(|w| w.resources.get(&instance.name.name))
                .map(|id| id.as_str()),
            DeclKind::Environment if environment.name == owner.name.name => {
                Some(instance.name.name.as_str())
            }
            _ => None,
        };
        let Some(bound) = id.and_then(|id| environment.instance(id)) else {
            continue;
        };
        let shared = match bound.owner {
            Owner::Environment if owner.kind == DeclKind::Workload => {
                format!(" (shared `{}`)", bound.id)
            }
            _ => String::new(),
        };
        lines.push(format!(
            "- `{}`: `{}.{}`{shared}",
            environment.name, bound.offering, bound.implementation
        ));
    }
    (!lines.is_empty()).then(|| format!("\n\nBound to:\n{}", lines.join("\n")))
}

fn markdown(title: &str, doc: Option<&str>) -> String {
    let mut text = format!("```plat\n{title}\n```");
    if let Some(doc) = doc.filter(|d| !d.is_empty()) {
        text.push_str("\n\n");
        text.push_str(doc);
    }
    text
}

pub fn param_line(param: &ParamSig) -> String {
    match &param.default {
        Some(default) => format!("{}: {} = {default}", param.name, param.ty),
        None => format!("{}: {}", param.name, param.ty),
    }
}

/// An offering's API: doc, params, outputs, implementations.
pub fn offering_summary(sig: &OfferingSig) -> String {
    let mut title = format!("offering {}", sig.decl.name);
    if let Some(version) = &sig.version {
        title.push_str(&format!(" (version {version})"));
    }
    for param in &sig.params {
        title.push_str(&format!("\n  param {}", param_line(param)));
    }
    for output in &sig.outputs {
        title.push_str(&format!("\n  output {}: {}", output.name, output.ty));
    }
    let mut text = markdown(&title, sig.doc.as_deref());
    if !sig.implementations.is_empty() {
        let names: Vec<String> = sig
            .implementations
            .iter()
            .map(|imp| match imp.provisioner {
                Some(p) => format!("`{}` ({})", imp.name, p.name()),
                None => format!("`{}`", imp.name),
            })
            .collect();
        text.push_str(&format!("\n\nImplementations: {}", names.join(", ")));
    }
    text
}

/// The attribute whose name is at `offset`: its field in the enclosing block; or the
/// key at `offset` of a record in an attribute's value: its field in the record type.
fn attribute_hover(
    snapshot: &Snapshot,
    file: SourceFile,
    offset: u32,
) -> Option<(String, TextRange)> {
    let db = &snapshot.db;
    let module = &parse_file(db, file).module;
    let frames = enclosing(module, offset);
    let body: &Body = match frames.last()? {
        Frame::Decl(decl) => &decl.body,
        Frame::Block(block) => &block.body,
        Frame::Instance(instance) => &instance.body,
        Frame::Other => return None,
    };
    let attribute = body.members.iter().find_map(|m| match m {
        Member::Attribute(a) if a.range.contains(offset) => Some(a),
        _ => None,
    })?;
    let name = attribute.name.name.as_str();
    if !attribute.name.range.contains(offset) {
        let mut path = vec![name.to_string()];
        let key = record_key_at(&attribute.value, offset, &mut path, 0)?;
        let field = field_at(db, snapshot.project, &frames, &path)?;
        let title = match &field.default {
            Some(default) => format!("{}: {} = {default}", field.name, field.ty),
            None => format!("{}: {}", field.name, field.ty),
        };
        return Some((markdown(&title, field.doc.as_deref()), key));
    }
    if let Some(Frame::Instance(instance)) = frames.last() {
        let sig = instance_offering(db, snapshot.project, instance)?;
        let param = sig.param(name)?;
        let title = format!("param {}", param_line(param));
        return Some((markdown(&title, param.doc.as_deref()), attribute.name.range));
    }
    let field = schema_of(&frames)?.field(name)?;
    Some((
        markdown(&field.signature(), Some(field.doc)),
        attribute.name.range,
    ))
}

/// The range of the record key at `offset` inside `expr`, with the keys that lead to
/// it pushed on `path`. Bounded by the parser's nesting limit.
fn record_key_at(
    expr: &Expr,
    offset: u32,
    path: &mut Vec<String>,
    depth: usize,
) -> Option<TextRange> {
    if depth > 128 {
        return None;
    }
    let Expr::Record { entries, .. } = expr else {
        return None;
    };
    let entry = entries.iter().find(|entry| entry.range.contains(offset))?;
    path.push(entry.key.text().to_string());
    if entry.key.range().contains(offset) {
        return Some(entry.key.range());
    }
    record_key_at(&entry.value, offset, path, depth + 1)
}
