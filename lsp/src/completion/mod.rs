//! Completion in context: what may be written at the cursor.
//!
//! Invariant: candidates come from the compiler (the project index, offering signatures,
//! block schemas, the records `env`, `self` and the others); which kind of candidate
//! applies is decided from the compiler's tokens ([`context`]): after `name:` an
//! offering, after `x.` the members of what `x` names (a resource, a workload, `env` …),
//! after `override` an environment, at the start of a value the field's values and the
//! names in scope, at the start of a member the fields and blocks of the enclosing block
//! (read from the tree of the file without what is being typed) or the top-level
//! keywords.

mod context;

use context::{Context, Want};

use plat_compiler::names::{NameKind, project_index};
use plat_compiler::source::SourceFile;
use plat_compiler::syntax::ast::{Body, DeclKind, Member, Module};
use plat_compiler::syntax::parse;
use plat_compiler::types::schema::{self, Provisioner};
use plat_compiler::types::signature::{ParamSig, offering_signature};
use plat_compiler::types::{FieldTy, Ty};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, Documentation, InsertTextFormat, MarkupContent, MarkupKind,
};

use crate::hover::param_line;
use crate::snapshot::Snapshot;
use crate::syntax::{
    Frame, enclosing, field_at, instance_named, instance_offering, offering_named, schema_of,
};

const TOP_LEVEL: &[&str] = &[
    "import",
    "type",
    "offering",
    "environment",
    "workload",
    "policy",
];

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
    let text = file.text(&snapshot.db);
    let offset = offset.min(text.len() as u32);
    let context = Context::at(text, offset);
    // The tree of the file without what is being typed: a half-written name does not
    // break the block it is written in.
    let parsed = parse(&context.repaired(text));
    let module = &parsed.module;
    let frames = enclosing(module, offset);
    match context.want {
        Want::MemberOf(path) => members_of(snapshot, module, &frames, &path),
        Want::Offering if !frames.is_empty() => offerings(snapshot),
        Want::Environment => project_index(&snapshot.db, snapshot.project)
            .project_names_of(NameKind::Environment)
            .map(|decl| {
                item(
                    &decl.name,
                    CompletionItemKind::MODULE,
                    Some("environment".into()),
                    None,
                )
            })
            .collect(),
        Want::Value { field, within } => {
            let mut items = field
                .map(|field| values(snapshot, &frames, &within, field))
                .unwrap_or_default();
            items.extend(names_in_scope(snapshot, &frames));
            items
        }
        // Inside the string already: the value without its quotes.
        Want::Text { field, within } => values(snapshot, &frames, &within, field)
            .into_iter()
            .map(|item| CompletionItem {
                insert_text: Some(item.label.trim_matches('"').to_string()),
                ..item
            })
            .collect(),
        Want::RecordField { within } => record_field_items(snapshot, &frames, &within),
        Want::Member => member_items(snapshot, &frames, offset),
        Want::Offering | Want::Nothing => Vec::new(),
    }
}

/// Every offering in the project and the standard library.
fn offerings(snapshot: &Snapshot) -> Vec<CompletionItem> {
    let db = &snapshot.db;
    let index = project_index(db, snapshot.project);
    let mut items: Vec<CompletionItem> = index
        .project
        .values()
        .chain(index.std.values())
        .filter_map(|decls| decls.first())
        .filter(|decl| decl.kind == NameKind::Offering)
        .map(|decl| {
            let doc = offering_signature(db, snapshot.project, decl).and_then(|s| s.doc.clone());
            item(
                &decl.name,
                CompletionItemKind::INTERFACE,
                Some("offering".into()),
                doc.as_deref(),
            )
        })
        .collect();
    items.dedup_by(|a, b| a.label == b.label);
    items
}

/// The members of what `path` names: a resource's outputs, another workload's, the
/// fields of `env`, `self`, `workload` and `params`, and of the records they hold.
fn members_of(
    snapshot: &Snapshot,
    module: &Module,
    frames: &[Frame<'_>],
    path: &[String],
) -> Vec<CompletionItem> {
    let Some((root, rest)) = path.split_first() else {
        return Vec::new();
    };
    let mut fields = root_members(snapshot, module, frames, root);
    for segment in rest {
        let Some(ty) = fields
            .iter()
            .find(|field| field.name == *segment)
            .map(|field| field.ty.clone())
        else {
            return Vec::new();
        };
        fields = record_fields(ty);
    }
    fields
        .iter()
        .map(|field| {
            item(
                &field.name,
                CompletionItemKind::FIELD,
                Some(field.ty.to_string()),
                field.doc.as_deref(),
            )
        })
        .collect()
}

/// The members of the name `root` where `frames` are.
fn root_members(
    snapshot: &Snapshot,
    module: &Module,
    frames: &[Frame<'_>],
    root: &str,
) -> Vec<FieldTy> {
    let db = &snapshot.db;
    if let Some(instance) = instance_named(module, frames, root) {
        return instance_offering(db, snapshot.project, instance)
            .map(|sig| sig.outputs.iter().map(field_of).collect())
            .unwrap_or_default();
    }
    let kind = declaration_kind(frames);
    match (root, kind) {
        ("env", _) => return record_fields(schema::env_record()),
        ("self", Some(DeclKind::Workload)) => return record_fields(schema::workload_self()),
        ("self", Some(DeclKind::Offering)) => {
            return implementation_of(frames)
                .map(schema::implementation_self)
                .unwrap_or_default();
        }
        ("workload", Some(DeclKind::Policy)) => return record_fields(schema::policy_workload()),
        ("params", Some(DeclKind::Offering)) => return offering_params(snapshot, frames),
        _ => {}
    }
    let index = project_index(db, snapshot.project);
    match index.project_decl(root) {
        Some(decl) if decl.kind == NameKind::Workload => schema::workload_outputs(),
        _ => Vec::new(),
    }
}

/// The names a value may start with where `frames` are: the declaration's resources,
/// the records it gives a meaning to (`env`, `self` …) and, in a workload, the other
/// workloads.
fn names_in_scope(snapshot: &Snapshot, frames: &[Frame<'_>]) -> Vec<CompletionItem> {
    let Some(decl) = frames.iter().find_map(|frame| match frame {
        Frame::Decl(decl) => Some(*decl),
        _ => None,
    }) else {
        return Vec::new();
    };
    let mut items: Vec<CompletionItem> = decl
        .body
        .members
        .iter()
        .filter_map(|member| match member {
            Member::Instance(instance) => Some(item(
                &instance.name.name,
                CompletionItemKind::VARIABLE,
                Some(format!("resource: {}", instance.offering.text())),
                instance.doc.as_ref().map(|doc| doc.text.as_str()),
            )),
            _ => None,
        })
        .collect();
    let records: &[&str] = match decl.kind {
        DeclKind::Workload => &["env", "self"],
        DeclKind::Environment => &["env"],
        DeclKind::Offering => &["env", "params", "self"],
        DeclKind::Policy => &["env", "workload"],
    };
    items.extend(
        records
            .iter()
            .map(|name| item(name, CompletionItemKind::VARIABLE, None, None)),
    );
    if decl.kind == DeclKind::Workload {
        items.extend(
            project_index(&snapshot.db, snapshot.project)
                .project_names_of(NameKind::Workload)
                .map(|workload| {
                    item(
                        &workload.name,
                        CompletionItemKind::MODULE,
                        Some("workload".into()),
                        None,
                    )
                }),
        );
    }
    items
}

/// The kind of the declaration `frames` are in.
fn declaration_kind(frames: &[Frame<'_>]) -> Option<DeclKind> {
    frames.iter().find_map(|frame| match frame {
        Frame::Decl(decl) => Some(decl.kind),
        _ => None,
    })
}

/// The provisioner of the implementation `frames` are in.
fn implementation_of(frames: &[Frame<'_>]) -> Option<Provisioner> {
    frames.iter().rev().find_map(|frame| match frame {
        Frame::Block(block) if block.kind.name == "implementation" => block
            .provisioner
            .as_ref()
            .and_then(|p| Provisioner::parse(&p.segments.last()?.name)),
        _ => None,
    })
}

/// `params` in an offering: the offering's parameters, and the implementation's.
fn offering_params(snapshot: &Snapshot, frames: &[Frame<'_>]) -> Vec<FieldTy> {
    let Some(Frame::Decl(decl)) = frames.first() else {
        return Vec::new();
    };
    let Some(offering) = offering_named(&snapshot.db, snapshot.project, &decl.name.name) else {
        return Vec::new();
    };
    let Some(sig) = offering_signature(&snapshot.db, snapshot.project, &offering) else {
        return Vec::new();
    };
    let mut params: Vec<FieldTy> = sig.params.iter().map(field_of).collect();
    let implementation = frames.iter().rev().find_map(|frame| match frame {
        Frame::Block(block) if block.kind.name == "implementation" => block.label.as_ref(),
        _ => None,
    });
    if let Some(name) = implementation
        && let Some(implementation) = sig.implementation(&name.name)
    {
        params.extend(implementation.params.iter().map(field_of));
    }
    params
}

fn field_of(param: &ParamSig) -> FieldTy {
    let mut field = FieldTy::new(&param.name, param.ty.clone());
    field.doc = param.doc.clone();
    field
}

/// The fields of a record type (through optionals and named types); none otherwise.
fn record_fields(ty: Ty) -> Vec<FieldTy> {
    let mut ty = ty;
    // Each step unwraps one node of a finite type.
    loop {
        ty = match ty {
            Ty::Record(fields) => return fields,
            Ty::Optional(inner) => *inner,
            Ty::Constrained(inner, _) => *inner,
            Ty::Alias(_, inner) => (*inner).clone(),
            _ => return Vec::new(),
        };
    }
}

/// The start of a member: the fields and blocks of the enclosing block, the params of
/// a resource, or the top-level keywords.
fn member_items(snapshot: &Snapshot, frames: &[Frame<'_>], offset: u32) -> Vec<CompletionItem> {
    let db = &snapshot.db;
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
            Member::Attribute(a) if !a.name.range.contains(offset) => Some(a.name.name.as_str()),
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
    let Some(schema) = schema_of(frames) else {
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

/// The fields of the record that the field at `within` holds, with their types,
/// defaults and docs: `path`, `port`, `grpc` … in `liveness = { `.
fn record_field_items(
    snapshot: &Snapshot,
    frames: &[Frame<'_>],
    within: &[String],
) -> Vec<CompletionItem> {
    let Some(record) = field_at(&snapshot.db, snapshot.project, frames, within) else {
        return Vec::new();
    };
    crate::syntax::record_fields(&record.ty)
        .unwrap_or_default()
        .iter()
        .map(|field| {
            let signature = match &field.default {
                Some(default) => format!("{}: {} = {default}", field.name, field.ty),
                None => format!("{}: {}", field.name, field.ty),
            };
            field_item(&field.name, signature, field.doc.as_deref())
        })
        .collect()
}

/// The values a field (in the records `within`) accepts, when they are few: enum
/// variants and booleans.
fn values(
    snapshot: &Snapshot,
    frames: &[Frame<'_>],
    within: &[String],
    field: String,
) -> Vec<CompletionItem> {
    let mut path = within.to_vec();
    path.push(field);
    let mut ty = match field_at(&snapshot.db, snapshot.project, frames, &path) {
        Some(field) => field.ty,
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
