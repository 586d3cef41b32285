//! Completion in context: what may be written at the cursor.
//!
//! Invariant: candidates come from the compiler (the project index, offering signatures,
//! block schemas); the text before the cursor on its line only decides which kind of
//! candidate applies (after `name:` an offering, after `x.` an output, after `override`
//! an environment, after `field =` a value of the field's type, else the fields and
//! blocks of the enclosing block or the top-level keywords).

use plat_compiler::names::{NameKind, project_index};
use plat_compiler::source::SourceFile;
use plat_compiler::syntax::ast::{Body, Member};
use plat_compiler::syntax::parse_file;
use plat_compiler::types::Ty;
use plat_compiler::types::schema::FieldSchema;
use plat_compiler::types::signature::offering_signature;
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, Documentation, InsertTextFormat, MarkupContent, MarkupKind,
};

use crate::hover::param_line;
use crate::snapshot::Snapshot;
use crate::syntax::{Frame, enclosing, instance_named, instance_offering, schema_of};

const TOP_LEVEL: &[&str] = &[
    "import",
    "type",
    "offering",
    "environment",
    "workload",
    "policy",
];

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

fn item(
    label: &str,
    kind: CompletionItemKind,
    detail: Option<String>,
    doc: Option<&str>,
) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        documentation: doc.filter(|d| !d.is_empty()).map(|d| {
            Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: d.to_string(),
            })
        }),
        ..Default::default()
    }
}

pub fn complete(snapshot: &Snapshot, file: SourceFile, offset: u32) -> Vec<CompletionItem> {
    let db = &snapshot.db;
    let text = file.text(db);
    let offset = (offset as usize).min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |at| at + 1);
    let before = &text[line_start..offset];
    // The word being typed, and what stands before it.
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(before.len(), |(at, _)| at);
    let head = before[..word_start].trim_end();
    let module = &parse_file(db, file).module;
    let frames = enclosing(module, offset as u32);

    // `db.` — the outputs of the resource.
    if let Some(base) = before[..word_start].strip_suffix('.') {
        let name_start = base
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_name_char(*c))
            .last()
            .map_or(base.len(), |(at, _)| at);
        let name = &base[name_start..];
        let Some(instance) = instance_named(module, &frames, name) else {
            return Vec::new();
        };
        let Some(sig) = instance_offering(db, snapshot.project, instance) else {
            return Vec::new();
        };
        return sig
            .outputs
            .iter()
            .map(|o| {
                item(
                    &o.name,
                    CompletionItemKind::FIELD,
                    Some(o.ty.to_string()),
                    o.doc.as_deref(),
                )
            })
            .collect();
    }
    // `name: ` — an offering.
    if head.ends_with(':') && !frames.is_empty() {
        let index = project_index(db, snapshot.project);
        let mut items: Vec<CompletionItem> = index
            .project
            .values()
            .chain(index.std.values())
            .filter_map(|decls| decls.first())
            .filter(|decl| decl.kind == NameKind::Offering)
            .map(|decl| {
                let doc =
                    offering_signature(db, snapshot.project, decl).and_then(|s| s.doc.clone());
                item(
                    &decl.name,
                    CompletionItemKind::INTERFACE,
                    Some("offering".into()),
                    doc.as_deref(),
                )
            })
            .collect();
        items.dedup_by(|a, b| a.label == b.label);
        return items;
    }
    // `override ` — an environment.
    if head.split_whitespace().last() == Some("override") && head.trim_start() == "override" {
        return project_index(db, snapshot.project)
            .project_names_of(NameKind::Environment)
            .map(|decl| {
                item(
                    &decl.name,
                    CompletionItemKind::MODULE,
                    Some("environment".into()),
                    None,
                )
            })
            .collect();
    }
    // `field = ` — a value of the field's type.
    if let Some(field) = head
        .strip_suffix('=')
        .or_else(|| head.strip_suffix("= \"").or(head.strip_suffix("=\"")))
    {
        let field = field.trim();
        if !field.is_empty() && field.chars().all(is_name_char) {
            return values(snapshot, &frames, field);
        }
        return Vec::new();
    }
    if !head.is_empty() {
        return Vec::new();
    }
    // The start of a member: fields and blocks of the enclosing block.
    let Some(frame) = frames.last() else {
        return TOP_LEVEL
            .iter()
            .map(|k| item(k, CompletionItemKind::KEYWORD, None, None))
            .collect();
    };
    let body: &Body = match frame {
        Frame::Decl(decl) => &decl.body,
        Frame::Block(block) => &block.body,
        Frame::Instance(instance) => &instance.body,
        Frame::Other => return Vec::new(),
    };
    let present: Vec<&str> = body
        .members
        .iter()
        .filter_map(|m| match m {
            Member::Attribute(a) if !a.name.range.contains(offset as u32) => {
                Some(a.name.name.as_str())
            }
            _ => None,
        })
        .collect();
    let mut items = Vec::new();
    if let Frame::Instance(instance) = frame {
        if let Some(sig) = instance_offering(db, snapshot.project, instance) {
            for param in sig
                .params
                .iter()
                .filter(|p| !present.contains(&p.name.as_str()))
            {
                items.push(field_item(
                    &param.name,
                    param_line(param),
                    param.doc.as_deref(),
                ));
            }
        }
        return items;
    }
    let Some(schema) = schema_of(&frames) else {
        return items;
    };
    for field in schema.fields.iter().filter(|f| !present.contains(&f.name)) {
        items.push(field_item(field.name, field.signature(), Some(field.doc)));
    }
    for block in &schema.blocks {
        items.push(item(
            block.kind,
            CompletionItemKind::KEYWORD,
            Some("block".into()),
            Some(block.doc),
        ));
    }
    let members = schema.members;
    for (allowed, keyword) in [
        (members.params, "param"),
        (members.outputs, "output"),
        (members.uses, "use"),
        (members.requires, "require"),
    ] {
        if allowed {
            items.push(item(keyword, CompletionItemKind::KEYWORD, None, None));
        }
    }
    items
}

fn field_item(name: &str, signature: String, doc: Option<&str>) -> CompletionItem {
    CompletionItem {
        insert_text: Some(format!("{name} = $0")),
        insert_text_format: Some(InsertTextFormat::SNIPPET),
        ..item(name, CompletionItemKind::PROPERTY, Some(signature), doc)
    }
}

/// The values a field accepts, when they are few: enum variants and booleans.
fn values(snapshot: &Snapshot, frames: &[Frame<'_>], field: &str) -> Vec<CompletionItem> {
    let ty = match frames.last() {
        Some(Frame::Instance(instance)) => {
            instance_offering(&snapshot.db, snapshot.project, instance)
                .and_then(|sig| sig.param(field))
                .map(|p| p.ty.clone())
        }
        _ => schema_of(frames)
            .and_then(|s| s.field(field))
            .map(|f: &FieldSchema| f.ty.clone()),
    };
    let mut ty = match ty {
        Some(ty) => ty,
        None => return Vec::new(),
    };
    while let Ty::Optional(inner) = ty {
        ty = *inner;
    }
    match ty {
        Ty::Enum(variants) => variants
            .iter()
            .map(|v| CompletionItem {
                insert_text: Some(format!("\"{v}\"")),
                ..item(
                    &format!("\"{v}\""),
                    CompletionItemKind::ENUM_MEMBER,
                    None,
                    None,
                )
            })
            .collect(),
        Ty::Bool => ["true", "false"]
            .iter()
            .map(|v| item(v, CompletionItemKind::VALUE, None, None))
            .collect(),
        _ => Vec::new(),
    }
}
