//! Document symbols (the outline) and workspace symbols.
//!
//! Invariant: symbols come from the compiler's syntax tree and declaration index; a
//! document's outline nests members under their declaration in source order, and a
//! workspace symbol is a top-level declaration of a project file whose name contains
//! the query (case-insensitive).

use plat_compiler::names::{NameKind, file_declarations};
use plat_compiler::source::{Origin, SourceFile};
use plat_compiler::syntax::ast::{Body, DeclKind, Item, Member};
use plat_compiler::syntax::parse_file;
use tower_lsp_server::ls_types::{DocumentSymbol, SymbolInformation, SymbolKind};

use crate::convert::LineMap;
use crate::snapshot::Snapshot;

fn kind_of(kind: NameKind) -> SymbolKind {
    match kind {
        NameKind::Type => SymbolKind::TYPE_PARAMETER,
        NameKind::Offering => SymbolKind::INTERFACE,
        NameKind::Environment => SymbolKind::NAMESPACE,
        NameKind::Workload => SymbolKind::MODULE,
        NameKind::Policy => SymbolKind::EVENT,
    }
}

#[allow(deprecated)]
fn symbol(
    map: &LineMap<'_>,
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    range: plat_compiler::span::TextRange,
    selection: plat_compiler::span::TextRange,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: if name.is_empty() {
            "_".to_string()
        } else {
            name
        },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: map.range(range),
        selection_range: map.range(selection),
        children: (!children.is_empty()).then_some(children),
    }
}

pub fn document_symbols(snapshot: &Snapshot, file: SourceFile) -> Vec<DocumentSymbol> {
    let map = snapshot.line_map(file);
    let module = &parse_file(&snapshot.db, file).module;
    module
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Type(decl) => Some(symbol(
                &map,
                decl.name.name.clone(),
                Some("type".into()),
                SymbolKind::TYPE_PARAMETER,
                decl.range,
                decl.name.range,
                Vec::new(),
            )),
            Item::Decl(decl) => {
                let kind = NameKind::of_decl(decl.kind);
                let _ = DeclKind::Offering;
                Some(symbol(
                    &map,
                    decl.name.name.clone(),
                    Some(kind.keyword().into()),
                    kind_of(kind),
                    decl.range,
                    decl.name.range,
                    members(&map, &decl.body),
                ))
            }
            Item::Import(_) | Item::Error(_) => None,
        })
        .collect()
}

fn members(map: &LineMap<'_>, body: &Body) -> Vec<DocumentSymbol> {
    body.members
        .iter()
        .filter_map(|member| match member {
            Member::Param(f) => Some(symbol(
                map,
                f.name.name.clone(),
                Some("param".into()),
                SymbolKind::PROPERTY,
                f.range,
                f.name.range,
                Vec::new(),
            )),
            Member::Output(f) => Some(symbol(
                map,
                f.name.name.clone(),
                Some("output".into()),
                SymbolKind::FIELD,
                f.range,
                f.name.range,
                Vec::new(),
            )),
            Member::Instance(i) => Some(symbol(
                map,
                i.name.name.clone(),
                Some(i.offering.text()),
                SymbolKind::VARIABLE,
                i.range,
                i.name.range,
                Vec::new(),
            )),
            Member::Block(b) => {
                let (name, selection) = match &b.label {
                    Some(label) => (format!("{} {}", b.kind.name, label.name), label.range),
                    None => (b.kind.name.clone(), b.kind.range),
                };
                Some(symbol(
                    map,
                    name,
                    None,
                    SymbolKind::OBJECT,
                    b.range,
                    selection,
                    members(map, &b.body),
                ))
            }
            _ => None,
        })
        .collect()
}

#[allow(deprecated)]
pub fn workspace_symbols(snapshot: &Snapshot, query: &str) -> Vec<SymbolInformation> {
    let db = &snapshot.db;
    let query = query.to_lowercase();
    let mut symbols = Vec::new();
    for &file in snapshot.project.files(db) {
        if file.origin(db) != Origin::Project {
            continue;
        }
        for site in file_declarations(db, file) {
            if !site.name.to_lowercase().contains(&query) {
                continue;
            }
            if let Some(location) = snapshot.location(file, site.name_range) {
                symbols.push(SymbolInformation {
                    name: site.name.clone(),
                    kind: kind_of(site.kind),
                    tags: None,
                    deprecated: None,
                    location,
                    container_name: Some(site.kind.keyword().to_string()),
                });
            }
        }
    }
    symbols
}
