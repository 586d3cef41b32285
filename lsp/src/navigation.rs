//! Go to definition and type definition, and find references, from the compiler's
//! resolution tables ([`crate::rename`] renames what they find).
//!
//! Invariant: the answer is the compiler's own resolution (`check::definitions`): a
//! name's definition is the reference's target, and its references are every entry of
//! every project file's table with the same target. Targets in the embedded standard
//! library have no URI: they are found but not renamed.

use plat_compiler::check::definitions;
use plat_compiler::names::{Definition, file_declarations};
use plat_compiler::source::{Db, Origin, Project, SourceFile};
use plat_compiler::span::TextRange;
use plat_compiler::syntax::ast::{Body, FieldDecl, Instance, Item, Member, Module, TypeExpr};
use plat_compiler::syntax::parse_file;
use tower_lsp_server::ls_types::Location;

use crate::snapshot::Snapshot;
use crate::syntax::{Frame, enclosing, instance_offering};

/// The definition named at `offset`, and the range of the name under the cursor.
pub fn target_at(
    snapshot: &Snapshot,
    file: SourceFile,
    offset: u32,
) -> Option<(TextRange, Definition)> {
    let db = &snapshot.db;
    if let Some(reference) = definitions(db, snapshot.project, file).at(offset) {
        return Some((reference.range, reference.target));
    }
    if let Some(site) = file_declarations(db, file)
        .iter()
        .find(|site| site.name_range.contains(offset))
    {
        return Some((
            site.name_range,
            Definition {
                file,
                range: site.name_range,
            },
        ));
    }
    // A parameter, output or resource declared here: some reference targets it.
    project_files(db, snapshot.project)
        .into_iter()
        .find_map(|other| {
            definitions(db, snapshot.project, other)
                .references
                .iter()
                .find(|r| r.target.file == file && r.target.range.contains(offset))
                .map(|r| (r.target.range, r.target))
        })
}

/// The project's own files (the standard library's left out).
pub fn project_files(db: &dyn Db, project: Project) -> Vec<SourceFile> {
    project
        .files(db)
        .iter()
        .copied()
        .filter(|file| file.origin(db) == Origin::Project)
        .collect()
}

pub fn definition(snapshot: &Snapshot, file: SourceFile, offset: u32) -> Option<Location> {
    let (_, target) = target_at(snapshot, file, offset)?;
    snapshot.location(target.file, target.range)
}

/// Every place that names the definition at `offset`, in every project file.
pub fn references(
    snapshot: &Snapshot,
    file: SourceFile,
    offset: u32,
    include_declaration: bool,
) -> Vec<Location> {
    let mut sites = reference_sites(snapshot, file, offset);
    if !include_declaration && let Some((_, target)) = target_at(snapshot, file, offset) {
        sites.retain(|site| *site != (target.file, target.range));
    }
    sites
        .into_iter()
        .filter_map(|(file, range)| snapshot.location(file, range))
        .collect()
}

/// The definition at `offset` and every reference to it, in every project file.
pub fn reference_sites(
    snapshot: &Snapshot,
    file: SourceFile,
    offset: u32,
) -> Vec<(SourceFile, TextRange)> {
    let Some((_, target)) = target_at(snapshot, file, offset) else {
        return Vec::new();
    };
    let mut sites: Vec<(SourceFile, TextRange)> = vec![(target.file, target.range)];
    for other in project_files(&snapshot.db, snapshot.project) {
        for reference in definitions(&snapshot.db, snapshot.project, other).references_to(target) {
            sites.push((other, reference.range));
        }
    }
    sites.dedup();
    sites
}

/// Go to type definition: from a resource to its offering, from a parameter (or an
/// attribute that sets one) to the user type it is declared with.
pub fn type_definition(snapshot: &Snapshot, file: SourceFile, offset: u32) -> Option<Location> {
    let db = &snapshot.db;
    let (_, target) = target_at(snapshot, file, offset)
        .or_else(|| attribute_param(snapshot, file, offset))
        .or_else(|| param_declared_at(snapshot, file, offset))?;
    let module = &parse_file(db, target.file).module;
    if let Some(instance) = find_instance(module, target.range) {
        let sig = instance_offering(db, snapshot.project, instance)?;
        return snapshot.location(sig.decl.file, sig.decl.name_range(db));
    }
    let field = find_param(module, target.range)?;
    let TypeExpr::Named { path, .. } = base_type(&field.ty) else {
        return None;
    };
    let reference = definitions(db, snapshot.project, target.file).at(path.range.start)?;
    snapshot.location(reference.target.file, reference.target.range)
}

/// The parameter that an attribute of a resource body sets, when `offset` is on its
/// name.
fn attribute_param(
    snapshot: &Snapshot,
    file: SourceFile,
    offset: u32,
) -> Option<(TextRange, Definition)> {
    let db = &snapshot.db;
    let module = &parse_file(db, file).module;
    let frames = enclosing(module, offset);
    let Some(Frame::Instance(instance)) = frames.last() else {
        return None;
    };
    let attribute = instance.body.members.iter().find_map(|m| match m {
        Member::Attribute(a) if a.name.range.contains(offset) => Some(a),
        _ => None,
    })?;
    let sig = instance_offering(db, snapshot.project, instance)?;
    let param = sig.param(&attribute.name.name)?;
    Some((
        attribute.name.range,
        Definition {
            file: sig.decl.file,
            range: param.name_range,
        },
    ))
}

/// The parameter declared at `offset` (its name).
fn param_declared_at(
    snapshot: &Snapshot,
    file: SourceFile,
    offset: u32,
) -> Option<(TextRange, Definition)> {
    let module = &parse_file(&snapshot.db, file).module;
    module.items.iter().find_map(|item| match item {
        Item::Decl(decl) => members(&decl.body).find_map(|m| match m {
            Member::Param(field) if field.name.range.contains(offset) => Some((
                field.name.range,
                Definition {
                    file,
                    range: field.name.range,
                },
            )),
            _ => None,
        }),
        _ => None,
    })
}

/// `T` of `T?` and of `T in 1..3`.
fn base_type(ty: &TypeExpr) -> &TypeExpr {
    let mut ty = ty;
    // Each step unwraps one node; the tree's depth bounds the loop.
    loop {
        ty = match ty {
            TypeExpr::Optional { inner, .. } => inner,
            TypeExpr::Constrained { base, .. } => base,
            _ => return ty,
        };
    }
}

/// The resource instance whose name is at `range`, at any depth of declarations.
fn find_instance(module: &Module, range: TextRange) -> Option<&Instance> {
    module.items.iter().find_map(|item| match item {
        Item::Decl(decl) => members(&decl.body).find_map(|m| match m {
            Member::Instance(i) if i.name.range == range => Some(i),
            _ => None,
        }),
        _ => None,
    })
}

/// The parameter declaration whose name is at `range`.
fn find_param(module: &Module, range: TextRange) -> Option<&FieldDecl> {
    module.items.iter().find_map(|item| match item {
        Item::Decl(decl) => members(&decl.body).find_map(|m| match m {
            Member::Param(field) if field.name.range == range => Some(field),
            _ => None,
        }),
        _ => None,
    })
}

/// The members of a body and of the blocks, resources and `use`s in it, depth first.
fn members(body: &Body) -> impl Iterator<Item = &Member> {
    let mut stack: Vec<&Member> = body.members.iter().rev().collect();
    std::iter::from_fn(move || {
        let member = stack.pop()?;
        let inner = match member {
            Member::Instance(i) => Some(&i.body),
            Member::Block(b) => Some(&b.body),
            Member::Use(u) => u.body.as_ref(),
            _ => None,
        };
        if let Some(inner) = inner {
            stack.extend(inner.members.iter().rev());
        }
        Some(member)
    })
}
