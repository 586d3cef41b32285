//! Inlay hints: values that apply without being written, and what a value will be.
//!
//! Invariants: every hint states a fact the compiler decided. Defaults come from the
//! offering's signature (a resource that omits a param with a default, unless it is
//! bound with `shared = ...`, whose params are the environment's) or the container
//! schema (a container that omits `cpu` or `memory`), shown as `name = default` just
//! before the body's closing brace. After a reference to an output, `secret` when the
//! output's type is secret and `after provisioning` when
//! `types::signature::output_is_provision` says it is known only then. Hints outside
//! the requested range are not sent.

use plat_compiler::check::definitions;
use plat_compiler::names::TargetKind;
use plat_compiler::source::SourceFile;
use plat_compiler::span::TextRange;
use plat_compiler::syntax::ast::{Block, Body, Instance, Item, Member};
use plat_compiler::syntax::parse_file;
use plat_compiler::types::schema::{self, ContainerKind};
use plat_compiler::types::signature::{file_signatures, output_is_provision};
use tower_lsp_server::ls_types::{InlayHint, InlayHintKind, InlayHintLabel};

use crate::snapshot::Snapshot;
use crate::syntax::instance_offering;

/// A hint before encoding: where, what, and whether it names a value (a parameter
/// hint) or a type-like fact.
struct Hint {
    at: u32,
    label: String,
    kind: InlayHintKind,
}

/// The hints of `file` inside `range`.
pub fn inlay_hints(snapshot: &Snapshot, file: SourceFile, range: TextRange) -> Vec<InlayHint> {
    let mut hints = default_hints(snapshot, file);
    hints.extend(output_hints(snapshot, file));
    hints.retain(|hint| range.contains(hint.at));
    hints.sort_by_key(|hint| hint.at);
    let map = snapshot.line_map(file);
    hints
        .into_iter()
        .map(|hint| InlayHint {
            position: map.position(hint.at),
            label: InlayHintLabel::String(hint.label),
            kind: Some(hint.kind),
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: Some(true),
            data: None,
        })
        .collect()
}

/// `name = default` for the defaults that apply to resources and containers.
fn default_hints(snapshot: &Snapshot, file: SourceFile) -> Vec<Hint> {
    let module = &parse_file(&snapshot.db, file).module;
    let mut hints = Vec::new();
    for item in &module.items {
        if let Item::Decl(decl) = item {
            body_defaults(snapshot, &decl.body, false, &mut hints);
        }
    }
    hints
}

fn body_defaults(snapshot: &Snapshot, body: &Body, in_override: bool, out: &mut Vec<Hint>) {
    for member in &body.members {
        match member {
            Member::Instance(instance) => instance_defaults(snapshot, instance, out),
            Member::Block(block) => {
                if let Some(kind) = ContainerKind::from_keyword(&block.kind.name)
                    && !in_override
                {
                    container_defaults(block, kind, out);
                }
                let in_override = in_override || block.kind.name == "override";
                body_defaults(snapshot, &block.body, in_override, out);
            }
            _ => {}
        }
    }
}

fn set(body: &Body, name: &str) -> bool {
    body.members
        .iter()
        .any(|m| matches!(m, Member::Attribute(a) if a.name.name == name))
}

/// The position just before the body's closing brace, when it has one.
fn before_close(body: &Body) -> Option<u32> {
    (body.range.end > body.range.start).then(|| body.range.end - 1)
}

fn instance_defaults(snapshot: &Snapshot, instance: &Instance, out: &mut Vec<Hint>) {
    if set(&instance.body, schema::SHARED) {
        return;
    }
    let Some(sig) = instance_offering(&snapshot.db, snapshot.project, instance) else {
        return;
    };
    let Some(at) = before_close(&instance.body) else {
        return;
    };
    for param in &sig.params {
        if let Some(default) = &param.default
            && !set(&instance.body, &param.name)
        {
            out.push(Hint {
                at,
                label: format!("{} = {default}", param.name),
                kind: InlayHintKind::PARAMETER,
            });
        }
    }
}

fn container_defaults(block: &Block, kind: ContainerKind, out: &mut Vec<Hint>) {
    let Some(at) = before_close(&block.body) else {
        return;
    };
    for field in &kind.schema(false).fields {
        if let Some(default) = field.default
            && !set(&block.body, field.name)
        {
            out.push(Hint {
                at,
                label: format!("{} = {default}", field.name),
                kind: InlayHintKind::PARAMETER,
            });
        }
    }
}

/// `secret` and `after provisioning` after references to such outputs.
fn output_hints(snapshot: &Snapshot, file: SourceFile) -> Vec<Hint> {
    let db = &snapshot.db;
    let text = file.text(db);
    let mut hints = Vec::new();
    for reference in &definitions(db, snapshot.project, file).references {
        // Only reads of an output (`db.password`), not the keys that map one.
        let read = reference.range.start > 0
            && text.as_bytes().get(reference.range.start as usize - 1) == Some(&b'.');
        if reference.kind != TargetKind::Output || !read {
            continue;
        }
        let target = reference.target;
        let found = file_signatures(db, snapshot.project, target.file)
            .offerings
            .iter()
            .find_map(|sig| {
                let output = sig.outputs.iter().find(|o| o.name_range == target.range)?;
                Some((sig, output))
            });
        let Some((sig, output)) = found else {
            continue;
        };
        let mut facts = Vec::new();
        if output.ty.is_secret() {
            facts.push("secret");
        }
        if output_is_provision(db, snapshot.project, &sig.decl, &output.name) {
            facts.push("after provisioning");
        }
        if !facts.is_empty() {
            hints.push(Hint {
                at: reference.range.end,
                label: facts.join(", "),
                kind: InlayHintKind::TYPE,
            });
        }
    }
    hints
}
